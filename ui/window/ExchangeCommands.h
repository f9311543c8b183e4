#pragma once

class QWidget;

namespace dust {

class StoreTab;

// File ▸ Export… and File ▸ Import… on a store's tab: each opens its dialog (non-modal,
// deleted on close) over `window`. Export writes the tab's selection, a path or the whole
// store from its live mirror (or by REST listing); import writes over the tab's REST
// transport and then has the tab catch up (REST writes are not pushed to sockets).
namespace exchangecommands {

void exportFrom(StoreTab *tab, QWidget *window);
void importInto(StoreTab *tab, QWidget *window);

} // namespace exchangecommands

} // namespace dust
