#pragma once

#include "exchange/ExportScope.h"
#include "protocol/Entry.h"
#include "protocol/Error.h"
#include "protocol/Listing.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

namespace dust {

class Transport;

// Reads the leaves of an ExportScope by paged REST listing (dust-protocol.md §4.3), in path
// order, on the thread it lives on. A listing of an exact path lists nothing (the §4.3
// quirk), so a path is read as the range [path, path + "0"), which holds the leaf at the
// path, its descendants and the siblings that sort between them ("a-b" lies between "a" and
// "a/x"); those siblings are dropped here. The whole store, and a selection whose subtrees
// interleave in path order, are read as "**" and filtered.
//
// The next page is asked for as soon as one arrives, while at most `window` pages wait to be
// consumed (pageConsumed()). A store that changes while it is paged is read as each page
// finds it: the cursor is a path, so a leaf written behind it is missed and one written
// ahead is included. The export job says so when the store's seq moved meanwhile.
class RestExportReader : public QObject
{
    Q_OBJECT

public:
    RestExportReader(Transport *transport, QString store, ExportScope scope,
                     ListQuery::Select select, QObject *parent = nullptr);

    void start();
    // The receiver finished with one page: another may be fetched.
    void pageConsumed();
    void cancel();

    static constexpr int kPageSize = 1000;
    static constexpr int kWindow = 3;

signals:
    // Entries (Select::Entries) or rendered paths (Select::Keys) of one page, in the scope.
    void page(const QList<dust::Entry> &entries, const QStringList &paths);
    void done();
    void failed(const dust::Error &error);

private:
    void fetch();
    void onPage(const ListPage &page);

    QPointer<Transport> m_transport;
    QString m_store;
    ExportScope m_scope;
    ListQuery::Select m_select;
    QList<ListQuery> m_steps;
    qsizetype m_step = 0;
    QString m_cursor;
    int m_waiting = 0; // pages handed out and not yet consumed
    bool m_fetching = false;
    bool m_finished = false;
};

} // namespace dust
