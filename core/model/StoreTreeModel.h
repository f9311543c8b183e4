#pragma once

#include "ChangeCoalescer.h"
#include "LazyTreeLoader.h"
#include "NodeTreeModel.h"
#include "StoreTreeSnapshot.h"
#include "TreeFilter.h"
#include "protocol/Error.h"
#include "protocol/Path.h"
#include "sync/MirrorChangeBatch.h"

#include <QList>
#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace dust {

class LiveStoreSource;
class Transport;

// The store as a tree for views (DESIGN.md, "The mirror and the models"); rows, columns and
// roles as NodeTreeModel shows them. Two sources:
//   - Live (a LiveStoreSource, e.g. SdkStoreSource for an SdkTransport's mirror):
//     rebuild() takes a snapshot of the store's leaves and builds the tree on a worker
//     thread, then swaps it in with one model reset. applyBatch() takes the change batches:
//     a ChangeCoalescer gathers them and they are applied at most once per flush interval
//     (a frame, 16 ms) as precise row insertions, removals and dataChanged, so selections,
//     expansion and persistent indexes survive. Removing the last leaf under a folder
//     removes the folders left empty. The GUI thread never reads the Mirror.
//   - HTTP: setHttpSource() makes the tree lazy: fetchMore() has a LazyTreeLoader list a
//     node's children in the background with REST listings, showing "loading…"
//     (LoadingRole) meanwhile and the error on the node (ErrorRole and the value column's
//     text) when a listing fails. A value child that may also be a folder is looked into
//     once it is shown.
//
// Filtering (setFilter) by substring or glob keeps the ancestors of matches visible; the
// matches are computed on a worker thread, a newer filter cancels an older run, and the
// result is applied in one layout change. While a run reads the tree, changes and listings
// wait for it.
//
// Lives on one thread (the GUI thread); every slot must be called there.
class StoreTreeModel : public NodeTreeModel
{
    Q_OBJECT
public:
    explicit StoreTreeModel(QObject *parent = nullptr);
    ~StoreTreeModel() override;

    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    // --- Mirror source ------------------------------------------------------------------
    // The store_seq the tree reflects (the snapshot's, then the last applied batch's).
    qint64 appliedSeq() const { return m_seq; }
    bool isRebuilding() const { return m_building; }
    // Applies everything pending now (tests, benchmarks; a view never needs it).
    void flushPendingChanges() { m_coalescer.flushAll(); }
    // Leaf changes received and not applied yet.
    int pendingChangeCount() const { return int(m_coalescer.pendingCount()); }
    // How long changes are gathered before they are applied (default 16 ms, one frame); how
    // long a flush may work before it leaves the rest for the next frame (default 10 ms,
    // checked every 1024 changes); how many changes a flush applies at most (default
    // unlimited).
    void setFlushInterval(int ms) { m_coalescer.setInterval(ms); }
    int flushInterval() const { return m_coalescer.interval(); }
    void setFlushBudget(int ms) { m_coalescer.setBudget(ms); }
    int flushBudget() const { return m_coalescer.budget(); }
    void setMaxChangesPerFlush(int changes) { m_coalescer.setMaxPerFlush(changes); }
    int maxChangesPerFlush() const { return m_coalescer.maxPerFlush(); }
    int flushCount() const { return m_coalescer.flushCount(); }
    // Builds the tree of `snapshot` on the calling thread and swaps it in (tests, small
    // stores); rebuild() is the asynchronous form.
    void rebuildNow(const StoreTreeSnapshot &snapshot);

    // --- Live source --------------------------------------------------------------------
    // Shows the store `source` follows (not owned; it must stay on this thread): the tree
    // is built from a snapshot once the store can be read and again after every reset(),
    // and follows changed() batches in between. A store that cannot be read (refused,
    // unreachable past the read timeout) shows its error on the root (errorText()) and
    // through loadFailed().
    // With `interim` (a transport that answers REST listings of `store` at once, not owned,
    // outliving its use), the tree is listed lazily through it until the first snapshot is
    // built, so a big store shows its top folders while it is still catching up; the
    // snapshot then replaces it with one model reset.
    void setLiveSource(LiveStoreSource *source, Transport *interim = nullptr,
                       const QString &store = QString());
    // Takes a new snapshot from the live source and rebuilds from it; with the `epoch` of a
    // LiveStoreSource::reset(), only when the snapshot shown or on its way did not see it.
    void resync(quint64 epoch = 0);

    // --- HTTP source --------------------------------------------------------------------
    // Shows the store `store` ("org/name") through `transport` (not owned; it must stay on
    // this thread). Resets the model to an unloaded root; views call fetchMore().
    void setHttpSource(Transport *transport, const QString &store);
    // Items asked per listing page (1..1000, default 1000).
    void setPageLimit(int limit) { m_loader.setPageLimit(limit); }
    int pageLimit() const { return m_loader.pageLimit(); }
    // When on (the default), a prefixes listing continues after the subtree of the last
    // child it saw instead of paging through that child's descendants; if the server
    // refuses such a cursor the model falls back to the server's cursor.
    void setSkipListedSubtrees(bool on) { m_loader.setSkipListedSubtrees(on); }
    // Drops the children of `parent` (the root when invalid) and lists them again; also
    // the way to retry after an error.
    void reload(const QModelIndex &parent = QModelIndex());
    // REST requests started so far (listings and probes).
    int requestCount() const { return m_loader.requestCount(); }

    // --- Filter -------------------------------------------------------------------------
    // Starts filtering (asynchronously; filterApplied() follows). An inactive filter shows
    // everything again at once.
    void setFilter(const TreeFilter &filter);
    void clearFilter() { setFilter(TreeFilter()); }
    bool isFilterRunning() const { return m_filterRunsInFlight > 0; }

public slots:
    // A batch from Mirror::changed (live source; ignored with the HTTP source, where
    // reload() re-lists). Batches at or below the tree's store_seq are ignored; while a
    // rebuild is in progress they wait for it.
    void applyBatch(const dust::MirrorChangeBatch &batch);
    // Replaces the tree with the leaves of `snapshot` (after a reset, or the first load):
    // built on a worker thread, swapped in with one model reset; rebuilt() follows.
    void rebuild(const dust::StoreTreeSnapshot &snapshot);

signals:
    void rebuilt(qsizetype leafCount);
    // A flush applied `changes` leaf changes and took `elapsedNs` on this thread.
    void flushed(int changes, qint64 elapsedNs);
    void filterApplied(qsizetype matchCount);
    void loadingChanged(const QModelIndex &index, bool loading);
    void loadFailed(const QModelIndex &index, const QString &message);

protected:
    // Values that may be folders too are looked into once a view asks about them.
    void nodeAsked(tree::Node *node) const override;

private:
    struct FilterRun;

    // Drops everything of the current source and shows `root` for the new one.
    void switchSource(Source source, Transport *transport, const QString &store,
                      std::unique_ptr<tree::Node> root);
    // Leaves the HTTP source for the Mirror one (a snapshot came in).
    void useMirrorSource();
    // Asks the live source for a snapshot and rebuilds from it; an answer read before a
    // reset announced since is asked for again.
    void requestSnapshot();

    // Rebuilds.
    void finishRebuild(std::shared_ptr<tree::BuiltTree> built, quint64 generation);
    void install(tree::BuiltTree &built);
    void replayHeldBatches();
    // Stops every background run (builds, filter runs) and waits for them.
    void quiesce();

    // Filter.
    void startFilterRun();
    void finishFilterRun(const std::shared_ptr<FilterRun> &run);
    bool mutationsBlocked() const { return m_filterRunsInFlight > 0; }
    // Holds (or lets through) what changes the tree: live changes and listing answers.
    void holdUpdates(bool held);
    void runDeferred();

    // HTTP.
    void startFetch(tree::Node *node);
    // The node listed as `ticket`, while that listing is its current one.
    tree::Node *listedNode(quint32 ticket, const Path &base);
    void finishFetch(tree::Node *node, const Error *error);
    void onProbe(const QString &rendered, bool hasDescendants);
    void childFoundToBeFolder(tree::Node *child);

    // Live updates.
    ChangeCoalescer m_coalescer;
    qint64 m_seq = 0;

    // Rebuilds.
    bool m_building = false;
    quint64 m_buildGeneration = 0;
    QList<MirrorChangeBatch> m_heldBatches;
    std::shared_ptr<std::atomic_bool> m_buildCancel;

    // Filter.
    quint64 m_filterGeneration = 0;
    int m_filterRunsInFlight = 0;
    std::vector<std::shared_ptr<FilterRun>> m_filterRuns;
    std::vector<std::function<void()>> m_deferred;

    // Live source.
    QPointer<LiveStoreSource> m_liveSource;
    quint64 m_snapshotRequest = 0; // the newest snapshot asked for; older answers are dropped
    bool m_snapshotInFlight = false;
    quint64 m_seenResetEpoch = 0;    // the newest reset the source announced (0: none known)
    quint64 m_coveredResetEpoch = 0; // the reset epoch of the snapshot shown or being built

    // HTTP.
    mutable LazyTreeLoader m_loader; // probes are queued while views read the model
    quint32 m_nextToken = 0;
};

} // namespace dust
