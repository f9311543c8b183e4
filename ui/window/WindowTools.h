#pragma once

#include "protocol/Path.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QSettings>

class QAction;
class QMainWindow;
class QMenu;

namespace dust {

class BookmarksMenu;
class CopyAsCodeMenu;
class HistoryDock;
class SearchDock;
class StoreTab;
class TabHistory;
class WindowActions;

// The window's tools that follow the current store: the History and Search docks, the
// Bookmarks menu (with recent paths), Copy as Code and the command palette. For each tab it
// keeps the tab's history commands (TabHistory), bookmarks and recent paths, as children of
// the tab; the window tells it when tabs come, change and go, and it connects the actions.
class WindowTools : public QObject
{
    Q_OBJECT
public:
    WindowTools(QMainWindow *window, WindowActions *actions);

    HistoryDock *historyDock() const { return m_history; }
    SearchDock *searchDock() const { return m_search; }
    BookmarksMenu *bookmarksMenu() const { return m_bookmarks; }
    CopyAsCodeMenu *copyAsCodeMenu() const { return m_copyAsCode; }
    // The history commands of `tab` (made by addTab()).
    static TabHistory *historyOf(const StoreTab *tab);

    // Gives a new tab its history commands, bookmarks and recent paths.
    void addTab(StoreTab *tab);
    // Before `tab` goes: the docks let go of what it owns.
    void removeTab(StoreTab *tab);
    void setCurrentTab(StoreTab *tab);
    // Goes to `path` in the current tab and remembers it among the recent paths.
    void goTo(const Path &path);
    // Remembers `path` among the current tab's recent paths.
    void noteVisited(const Path &path);
    void showPalette();
    // The extra actions the palette lists (dock toggles, bookmark commands…).
    void setPaletteExtras(const QList<QAction *> &actions) { m_paletteExtras = actions; }

signals:
    void message(const QString &text, int timeoutMs);

private:
    void wireActions();
    StoreTab *current() const { return m_current; }

    QMainWindow *m_window;
    WindowActions *m_actions;
    QSettings m_settings;
    HistoryDock *m_history;
    SearchDock *m_search;
    BookmarksMenu *m_bookmarks;
    CopyAsCodeMenu *m_copyAsCode;
    QPointer<StoreTab> m_current;
    QList<QAction *> m_paletteExtras;
};

} // namespace dust
