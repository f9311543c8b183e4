#pragma once

#include "protocol/Entry.h"
#include "protocol/Error.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QString>

#include <optional>
#include <vector>

namespace dust {

// The audit log of a node as a table, newest first (dust-protocol.md §4.7): store_seq, time
// (local), device, op, path and a value preview ({"_scalar": v} unwrapped, increments as
// "+5" / "−2", set members as "+ member" / "− member").
//
// The log is read over REST (`GET …/log`, scope audit:read) a page at a time, as a view
// scrolls (canFetchMore()/fetchMore(), as in Qt's fetchmore example). A node's history is
// its own path and everything under it: the server's `node/**` does not match the node
// itself (§2.3), so two queries, the exact path and the glob, are read side by side and
// merged by store_seq; the whole store (an invalid node) is one query. Filters (op, device,
// since) go to the server.
//
// Live ops (applyLiveEvents(), e.g. a ChangeFeed's batches) are inserted at the top as they
// arrive: an event carries an increment's new total and a set's whole member list rather
// than the delta or member the log keeps, so such a row first shows "= total" and the newest
// page of the log is read again shortly after to replace the live rows with the logged ones
// (and to bring in REST writes of others between them). Rows are keyed by store_seq: what
// the log and the feed both report is one row. Pages and live rows are row insertions,
// never a reset; only a new source, node or filter resets.
class HistoryModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        SeqColumn,
        TimeColumn,
        DeviceColumn,
        OpColumn,
        PathColumn,
        ValueColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        AuditOpRole = Qt::UserRole + 1, // dust::AuditOp, as logged (live rows: from the event)
        StoreSeqRole,                   // qint64
        OpRole,                         // QString
        PathRole,                       // QString, rendered
        DeviceRole,                     // QString
        TimeRole,                       // QDateTime (UTC)
        ValuePreviewRole,               // QString, the value column's text
        LiveRole,                       // bool: from the live feed, not yet read from the log
    };
    Q_ENUM(Role)

    struct Filter
    {
        QString op;       // empty = every op
        QString deviceId; // empty = every device
        QDateTime since;  // invalid = from the start
        bool operator==(const Filter &) const = default;
    };

    static constexpr int DefaultPageSize = 100;

    explicit HistoryModel(QObject *parent = nullptr);
    ~HistoryModel() override;

    // The REST transport (not owned) and store to read; null or empty shows nothing. Reloads.
    void setSource(Transport *rest, const QString &store);
    Transport *transport() const { return m_transport; }
    const QString &store() const { return m_store; }
    // The node whose history is shown (invalid = the whole store). Reloads when it changes.
    void setNode(const Path &node);
    // Source and node at once: one reload when either changed.
    void setScope(Transport *rest, const QString &store, const Path &node);
    const Path &node() const { return m_node; }
    // Reloads when it changes.
    void setFilter(const Filter &filter);
    const Filter &filter() const { return m_filter; }
    // Rows read per page and per query (1..1000).
    void setPageSize(int rows);
    int pageSize() const { return m_pageSize; }
    // Forgets the rows and reads the first page again.
    void reload();

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    // The op of a row (live rows: from the event); a default AuditOp out of range.
    AuditOp opAt(int row) const;
    // The row of an op, or -1.
    int rowOfSeq(qint64 storeSeq) const;

    bool isLoading() const { return m_loading; }
    // Pages read since the last reload (each fetchMore() that finished is one).
    int loadedPages() const { return m_loadedPages; }
    // Ops that match, as far as the server counted them (at least the rows shown).
    qint64 totalOps() const;
    // Every matching op is shown (nothing more to fetch).
    bool atEnd() const;
    // Why the last read failed, in words (empty when it did not).
    const QString &errorText() const { return m_errorText; }
    const std::optional<Error> &lastError() const { return m_lastError; }

    // The value column's text for an op of the log.
    static QString valuePreview(const QString &op, const QJsonValue &value, int maxChars = 80);
    // A failed log read in words a person can act on.
    static QString describeError(const Error &error);
    // Whether `op` of the log at `opPath`, a strict ancestor of `node`, wrote over the node:
    // a set, put_file or delete of an ancestor replaces its whole subtree (dust-protocol.md
    // §3.2), a merge when it names the child on the node's way. False for the node itself,
    // for other paths and for an invalid node.
    static bool opReachesNode(const Path &node, const QString &op, const QString &opPath,
                              const QJsonValue &value);

public slots:
    // Ops that just happened (a ChangeFeed batch): those at or under the node that pass the
    // filter become rows at the top.
    void applyLiveEvents(const QList<dust::ChangeEvent> &events);

signals:
    void loadingChanged(bool loading);
    // A page finished: `rows` rows were added.
    void pageLoaded(int rows);
    // A read failed (errorText() says why).
    void loadFailed(const QString &message);
    // The count, the pages or the error changed.
    void statusChanged();
    // The newest page was read again after live rows: they now show what the log keeps.
    void liveRowsConfirmed();

private:
    struct Row
    {
        AuditOp op;
        QDateTime at; // UTC
        QString preview;
        bool live = false;
    };
    struct Source
    {
        QString path; // the log's path filter; empty = all
        // An ancestor of the node, read exactly: only its ops that reach the node are kept
        // (touchesNode()).
        bool ancestor = false;
        qint64 dropped = 0; // ops of an ancestor read and left out: they did not reach the node
        int nextPage = 1;
        bool exhausted = false;
        bool inFlight = false;
        QList<AuditOp> buffer; // read and not shown yet, newest first
        qint64 total = 0;
    };

    AuditQuery queryFor(const Source &source, int page, int limit) const;
    void request(std::size_t index);
    void pump();
    void finishPage();
    void fail(const Error &error);
    void setLoading(bool loading);
    void reconcile();
    bool accepts(const ChangeEvent &event) const;
    // Whether `op` (of `opPath`, an ancestor of the node) wrote over the node: a set or a
    // delete of an ancestor replaces its whole subtree (dust-protocol.md §3.2), a merge
    // when it names the child on the node's way.
    bool touchesNode(const QString &op, const QString &opPath, const QJsonValue &value) const;
    static Row rowFromLog(const AuditOp &op);
    static Row rowFromEvent(const ChangeEvent &event);
    // Inserts the rows whose seq is new at their place (runs of them as one insertion) and
    // replaces live rows by logged ones; returns how many were inserted.
    int mergeRows(QList<Row> incoming);

    QPointer<Transport> m_transport;
    QString m_store;
    Path m_node;
    Filter m_filter;
    int m_pageSize = DefaultPageSize;

    QList<Row> m_rows; // newest first
    QSet<qint64> m_seqs;
    std::vector<Source> m_sources;
    quint64 m_generation = 0; // replies of an older generation are dropped
    bool m_loading = false;
    int m_wanted = 0;      // rows the running fetchMore() adds
    QList<Row> m_pageRows; // what it read so far, inserted when it is complete
    int m_loadedPages = 0;
    int m_liveRows = 0; // live rows not confirmed by the log yet
    bool m_reconciling = false;
    bool m_reconcileAgain = false;
    QString m_errorText;
    std::optional<Error> m_lastError;
};

} // namespace dust

Q_DECLARE_METATYPE(dust::AuditOp)
