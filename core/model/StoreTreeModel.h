#pragma once

#include "StoreTreeSnapshot.h"
#include "TreeFilter.h"
#include "protocol/Error.h"
#include "protocol/Path.h"
#include "sync/MirrorChangeBatch.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QPointer>
#include <QSet>
#include <QStringList>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <climits>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace dust {

class SdkTransport;
class Transport;
struct ListPage;

namespace tree {
struct Node;
struct BuiltTree;
} // namespace tree

// The store as a tree for views (DESIGN.md, "The mirror and the models"): one node per path
// segment; a node may hold a value, children, or both. Columns: name, type, value preview
// (short, never the whole of a big value), revision. Children are in natural order
// (naturalCompare: item2 < item10, case-insensitive first, total and stable).
//
// Two sources:
//   - Mirror (SDK mode): rebuild() takes a snapshot of the Mirror's leaves (made on the sync
//     thread) and builds the tree on a worker thread, then swaps it in with one model reset.
//     applyBatch() takes the Mirror's change batches (queued to this thread): they are
//     coalesced and applied at most once per flush interval (a frame, 16 ms) as precise
//     row insertions, removals and dataChanged, so selections, expansion and persistent
//     indexes survive. Removing the last leaf under a folder removes the folders left
//     empty. The GUI thread never reads the Mirror.
//   - HTTP: setHttpSource() makes the tree lazy: fetchMore() lists a node's children in the
//     background with REST listings (leaf children with values through select=entries on
//     `<base>/*`, then every child through select=prefixes on `<base>/**`, de-duplicated
//     across pages), showing "loading…" (LoadingRole) meanwhile and the error on the node
//     (ErrorRole and the value column's text) when a listing fails. A value child that may
//     also be a folder is looked into once it is shown.
//
// Filtering (setFilter) by substring or glob keeps the ancestors of matches visible; the
// matches are computed on a worker thread, a newer filter cancels an older run, and the
// result is applied in one layout change. Rows changed by live updates carry ChangedAtRole
// (msecs since the epoch) for recentWindow() ms; their expiry is a batched dataChanged.
//
// Lives on one thread (the GUI thread); every slot must be called there.
class StoreTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, TypeColumn, ValueColumn, RevisionColumn, ColumnCount };
    enum Role {
        PathRole = Qt::UserRole + 1, // QString: the rendered path
        SegmentsRole,                // QStringList: the raw segments
        NameRole,                    // QString: the node's segment
        TypeRole,                    // QString: the value's type ("" for a pure folder)
        PreviewRole,                 // QString: short preview of the value
        RevisionRole,                // qint64, or invalid for a pure folder
        HasValueRole,                // bool
        HasChildrenRole,             // bool (also true for unloaded folders)
        LoadingRole,                 // bool: children are being listed
        ErrorRole,                   // QString: why listing the children failed
        ChangedAtRole,               // qint64 msecs since epoch, while recently changed
        MatchesFilterRole,           // bool: matches the filter (not only an ancestor)
    };
    Q_ENUM(Role)
    enum class Source { Mirror, Http };

    explicit StoreTreeModel(QObject *parent = nullptr);
    ~StoreTreeModel() override;

    // --- QAbstractItemModel -------------------------------------------------------------
    QModelIndex index(int row, int column,
                      const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QHash<int, QByteArray> roleNames() const override;
    using QAbstractItemModel::parent;

    // --- Lookup -------------------------------------------------------------------------
    // The row of the node at `path` (column `column`), in O(depth); invalid when there is no
    // such node (not loaded yet, or hidden by the filter).
    QModelIndex index(const Path &path, int column = 0) const;
    // The path of a row (invalid for the root).
    Path pathOf(const QModelIndex &index) const;

    Source source() const { return m_source; }
    // Leaves (nodes with a value) and nodes in the tree, filter or not.
    qsizetype leafCount() const { return m_leafCount; }
    qsizetype nodeCount() const { return m_nodeCount; }

    // --- Mirror source ------------------------------------------------------------------
    // The store_seq the tree reflects (the snapshot's, then the last applied batch's).
    qint64 appliedSeq() const { return m_seq; }
    bool isRebuilding() const { return m_building; }
    // Applies everything pending now (tests, benchmarks; a view never needs it).
    void flushPendingChanges();
    // Leaf changes received and not applied yet.
    int pendingChangeCount() const { return int(m_pending.size() + m_queuedChanges); }
    // How long changes are gathered before they are applied (default 16 ms, one frame); how
    // long a flush may work before it leaves the rest for the next frame (default 10 ms,
    // checked every 1024 changes); how many changes a flush applies at most (default
    // unlimited).
    void setFlushInterval(int ms);
    int flushInterval() const { return m_flushTimer.interval(); }
    void setFlushBudget(int ms);
    int flushBudget() const { return m_flushBudgetMs; }
    void setMaxChangesPerFlush(int changes);
    int maxChangesPerFlush() const { return m_maxPerFlush; }
    int flushCount() const { return m_flushCount; }
    // Builds the tree of `snapshot` on the calling thread and swaps it in (tests, small
    // stores); rebuild() is the asynchronous form.
    void rebuildNow(const StoreTreeSnapshot &snapshot);

    // --- SDK source (the Mirror) ---------------------------------------------------------
    // Shows the store `store` from `transport`'s mirror (not owned; it must stay on this
    // thread): the tree is built from a snapshot of the mirror once the store is live and
    // again after every storeReset(), and follows storeChanged() batches in between. A
    // store that cannot be read (refused, unreachable past the read timeout) shows its
    // error on the root (errorText()) and through loadFailed().
    void setSdkSource(SdkTransport *transport, const QString &store);
    // Takes a new snapshot of the mirror and rebuilds from it (SDK source only).
    void resync();

    // --- HTTP source --------------------------------------------------------------------
    // Shows the store `store` ("org/name") through `transport` (not owned; it must stay on
    // this thread). Resets the model to an unloaded root; views call fetchMore().
    void setHttpSource(Transport *transport, const QString &store);
    // Items asked per listing page (1..1000, default 1000).
    void setPageLimit(int limit);
    int pageLimit() const { return m_pageLimit; }
    // When on (the default), a prefixes listing continues after the subtree of the last
    // child it saw instead of paging through that child's descendants; if the server
    // refuses such a cursor the model falls back to the server's cursor.
    void setSkipListedSubtrees(bool on) { m_skipSubtrees = on; }
    // Drops the children of `parent` (the root when invalid) and lists them again; also
    // the way to retry after an error.
    void reload(const QModelIndex &parent = QModelIndex());
    // Loading state and last error of a node; the invalid index means the root.
    bool isLoading(const QModelIndex &index = QModelIndex()) const;
    QString errorText(const QModelIndex &index = QModelIndex()) const;
    // REST requests started so far (listings and probes).
    int requestCount() const { return m_requestCount; }

    // --- Filter -------------------------------------------------------------------------
    // Starts filtering (asynchronously; filterApplied() follows). An inactive filter shows
    // everything again at once.
    void setFilter(const TreeFilter &filter);
    void clearFilter() { setFilter(TreeFilter()); }
    const TreeFilter &filter() const { return m_filter; }
    bool isFilterRunning() const { return m_filterRunsInFlight > 0; }
    // Whether the rows shown are the filter's (a filter has been applied and is active).
    bool isFiltered() const { return m_filterActive; }

    // --- Recently changed ---------------------------------------------------------------
    void setRecentWindow(int ms);
    int recentWindow() const { return m_recentWindow; }
    qsizetype recentCount() const { return m_recent.size(); }

public slots:
    // A batch from Mirror::changed (SDK mode; ignored with the HTTP source, where reload()
    // re-lists). Batches at or below the tree's store_seq are ignored; while a rebuild is
    // in progress they wait for it.
    void applyBatch(const dust::MirrorChangeBatch &batch);
    // Replaces the tree with the leaves of `snapshot` (after Mirror::reset, or the first
    // load): built on a worker thread, swapped in with one model reset; rebuilt() follows.
    void rebuild(const dust::StoreTreeSnapshot &snapshot);

signals:
    void rebuilt(qsizetype leafCount);
    // A flush applied `changes` leaf changes and took `elapsedNs` on this thread.
    void flushed(int changes, qint64 elapsedNs);
    void filterApplied(qsizetype matchCount);
    void loadingChanged(const QModelIndex &index, bool loading);
    void loadFailed(const QModelIndex &index, const QString &message);

private:
    struct PendingChange
    {
        Path path;
        bool present = false;
        QString type;
        QString preview;
        qint64 revision = 0;
    };
    struct FetchJob;
    struct FilterRun;

    // Drops everything of the current source and shows `root` for the new one.
    void switchSource(Source source, Transport *transport, const QString &store,
                      std::unique_ptr<tree::Node> root);
    tree::Node *nodeOf(const QModelIndex &index) const;
    const tree::NodeList &viewList(const tree::Node *node) const;
    bool isShown(const tree::Node *node) const;
    int rowOf(tree::Node *node) const;
    QModelIndex indexOf(tree::Node *node, int column = 0) const;
    tree::Node *findNode(const Path &path) const;
    tree::Node *findNode(const QStringList &segments) const;
    QStringList segmentsOf(const tree::Node *node) const;
    QString renderedPathOf(const tree::Node *node) const;
    bool nodeHasChildren(const tree::Node *node) const;
    quint16 typeId(const QString &type);

    // Live updates.
    void scheduleFlush();
    void dropPendingChanges();
    void drainChanges(qsizetype atMost);
    void onFlushTimer();
    void flush(int maxChanges, qint64 budgetNs);
    void applyChanges(std::vector<PendingChange> changes);
    void insertChildren(tree::Node *parent, std::vector<tree::Node *> kids);
    void insertRuns(tree::Node *parent, tree::NodeList &list, const std::vector<tree::Node *> &kids,
                    bool structural);
    void revealChain(tree::Node *parent, std::vector<tree::Node *> visibleKids);
    void removeChildren(tree::Node *parent, std::vector<tree::Node *> doomed);
    void hideIfEmpty(tree::Node *node);
    void emitDataChanged(const std::vector<tree::Node *> &nodes, const QList<int> &roles = {});
    void markRecent(tree::Node *node, qint64 now);
    void forgetSubtree(tree::Node *top);
    void onExpiryTimer();
    void finishRebuild(std::shared_ptr<tree::BuiltTree> built, quint64 generation);
    void replayHeldBatches();
    // Stops every background run (builds, filter runs) and waits for them.
    void quiesce();
    void install(tree::BuiltTree &built);
    void resetTree(std::unique_ptr<tree::Node> root);
    void disposeTree(std::unique_ptr<tree::Node> root);

    // Filter.
    void startFilterRun();
    void finishFilterRun(const std::shared_ptr<FilterRun> &run);
    void applyFilterOutcome(FilterOutcome *outcome);
    void disposeShown(ShownMap shown);
    TreeFilter::State filterStateOf(const tree::Node *node) const;
    bool computeSubtreeVisibility(tree::Node *top, TreeFilter::State parentState);
    bool mutationsBlocked() const { return m_filterRunsInFlight > 0; }
    void runDeferred();

    // HTTP.
    void startFetch(tree::Node *node);
    void requestPage(const std::shared_ptr<FetchJob> &job);
    void onPage(const std::shared_ptr<FetchJob> &job, const Expected<ListPage, Error> &result);
    void finishFetch(tree::Node *node, const Error *error);
    void queueProbe(tree::Node *node) const;
    void runProbes();
    void onProbe(const QString &rendered, const Expected<ListPage, Error> &result);
    void childFoundToBeFolder(tree::Node *child);

    std::unique_ptr<tree::Node> m_root;
    QStringList m_typeNames;
    QHash<QString, quint16> m_typeIds;
    qsizetype m_leafCount = 0;
    qsizetype m_nodeCount = 0;
    Source m_source = Source::Mirror;

    // Live updates.
    std::deque<MirrorChangeBatch> m_queue; // received, not looked at yet
    qsizetype m_queuedChanges = 0;
    qsizetype m_frontOffset = 0;             // changes of the front batch already taken
    QHash<QString, PendingChange> m_pending; // rendered path -> latest change
    QTimer m_flushTimer;
    int m_maxPerFlush = INT_MAX;
    int m_flushBudgetMs = 10;
    int m_flushCount = 0;
    qint64 m_seq = 0;

    // Rebuilds.
    bool m_building = false;
    quint64 m_buildGeneration = 0;
    QList<MirrorChangeBatch> m_heldBatches;
    std::shared_ptr<std::atomic_bool> m_buildCancel;

    // Filter.
    TreeFilter m_filter;
    bool m_filterActive = false;
    ShownMap m_shown; // what the filter shows, while m_filterActive
    quint64 m_filterGeneration = 0;
    int m_filterRunsInFlight = 0;
    std::vector<std::shared_ptr<FilterRun>> m_filterRuns;
    std::vector<std::function<void()>> m_deferred;

    // Recently changed.
    QHash<tree::Node *, qint64> m_recent;
    QTimer m_expiryTimer;
    int m_recentWindow = 3000;

    // SDK source.
    QList<QMetaObject::Connection> m_sdkConnections;
    quint64 m_snapshotRequest = 0; // the newest snapshot asked for; older answers are dropped

    // HTTP.
    QPointer<Transport> m_transport;
    QString m_store;
    int m_pageLimit = 1000;
    bool m_skipSubtrees = true;
    quint32 m_nextToken = 0;
    int m_requestCount = 0;
    mutable QStringList m_probeQueue;
    mutable QTimer m_probeTimer;
    int m_probesInFlight = 0;

    // Builds, filter runs and disposals of old trees; waited for on destruction. Declared
    // last so it is destroyed first.
    QThreadPool m_pool;
};

} // namespace dust
