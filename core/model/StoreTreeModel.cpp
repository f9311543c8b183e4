#include "StoreTreeModel.h"

#include "LiveStoreSource.h"
#include "StoreTreeBuilder.h"
#include "StoreTreeNode.h"
#include "transport/Transport.h"

#include <QMetaObject>

#include <algorithm>

namespace dust {

using tree::FetchState;
using tree::Node;
using tree::NodeExtra;

struct StoreTreeModel::FilterRun
{
    quint64 generation = 0;
    TreeFilter filter;
    std::atomic_bool cancel{false};
    FilterOutcome outcome;
};

// ---- construction ---------------------------------------------------------------------------

StoreTreeModel::StoreTreeModel(QObject *parent)
    : NodeTreeModel(parent)
    , m_coalescer(
          [this](std::vector<MirrorLeafChange> changes) { applyLeafChanges(std::move(changes)); },
          this)
    , m_loader(this)
{
    qRegisterMetaType<MirrorChangeBatch>();
    qRegisterMetaType<StoreTreeSnapshot>();

    connect(&m_coalescer, &ChangeCoalescer::flushed, this, &StoreTreeModel::flushed);
    connect(&m_loader, &LazyTreeLoader::childrenListed, this,
            [this](quint32 ticket, const Path &base, const QList<ListedChild> &children) {
                if (Node *node = listedNode(ticket, base))
                    mergeListedChildren(node, children);
            });
    connect(&m_loader, &LazyTreeLoader::childHasDescendants, this,
            [this](quint32 ticket, const Path &base, const QString &name) {
                Node *node = listedNode(ticket, base);
                Node *child = node ? tree::findChild(node, name) : nullptr;
                if (child && child->has(Node::FolderUnknown))
                    childFoundToBeFolder(child);
            });
    connect(&m_loader, &LazyTreeLoader::listingFinished, this,
            [this](quint32 ticket, const Path &base) {
                if (Node *node = listedNode(ticket, base))
                    finishFetch(node, nullptr);
            });
    connect(&m_loader, &LazyTreeLoader::listingFailed, this,
            [this](quint32 ticket, const Path &base, const Error &error) {
                if (Node *node = listedNode(ticket, base))
                    finishFetch(node, &error);
            });
    connect(&m_loader, &LazyTreeLoader::probed, this, &StoreTreeModel::onProbe);
}

StoreTreeModel::~StoreTreeModel()
{
    if (m_buildCancel)
        m_buildCancel->store(true);
    for (const auto &run : m_filterRuns)
        run->cancel.store(true);
    pool().waitForDone();
}

bool StoreTreeModel::canFetchMore(const QModelIndex &parent) const
{
    if (source() != Source::Http || (parent.isValid() && parent.column() != 0))
        return false;
    const Node *n = nodeOf(parent);
    return n->has(Node::MayHaveChildren) &&
           (!n->extra || n->extra->fetch == FetchState::NotFetched);
}

void StoreTreeModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    startFetch(nodeOf(parent));
}

// ---- live updates ---------------------------------------------------------------------------

void StoreTreeModel::applyBatch(const MirrorChangeBatch &batch)
{
    if (source() != Source::Mirror)
        return;
    if (m_building) {
        m_heldBatches.append(batch);
        return;
    }
    if ((batch.lastSeq() > 0 && batch.lastSeq() <= m_seq) || batch.isEmpty())
        return;
    m_coalescer.add(batch);
    m_seq = std::max(m_seq, batch.lastSeq());
}

// ---- rebuilds -------------------------------------------------------------------------------

void StoreTreeModel::useMirrorSource()
{
    if (source() == Source::Mirror)
        return;
    m_loader.setSource(nullptr, {});
    setSourceKind(Source::Mirror);
}

void StoreTreeModel::rebuild(const StoreTreeSnapshot &snapshot)
{
    useMirrorSource();
    // Everything pending is already in the snapshot.
    m_coalescer.clear();
    m_heldBatches.clear();
    m_building = true;
    const quint64 generation = ++m_buildGeneration;
    if (m_buildCancel)
        m_buildCancel->store(true);
    auto cancel = std::make_shared<std::atomic_bool>(false);
    m_buildCancel = cancel;
    const TreeFilter filter = this->filter();
    const quint64 filterGeneration = m_filterGeneration;
    pool().start([this, snapshot, filter, filterGeneration, generation, cancel] {
        auto built =
            std::make_shared<tree::BuiltTree>(tree::buildTree(snapshot, filter, cancel.get()));
        built->filterGeneration = filterGeneration;
        if (cancel->load())
            return;
        QMetaObject::invokeMethod(
            this, [this, built, generation] { finishRebuild(built, generation); },
            Qt::QueuedConnection);
    });
}

void StoreTreeModel::rebuildNow(const StoreTreeSnapshot &snapshot)
{
    quiesce();
    useMirrorSource();
    m_coalescer.clear();
    ++m_buildGeneration;
    tree::BuiltTree built = tree::buildTree(snapshot, filter());
    built.filterGeneration = m_filterGeneration;
    install(built);
    m_building = false;
    replayHeldBatches();
    emit rebuilt(leafCount());
    runDeferred();
}

void StoreTreeModel::quiesce()
{
    if (m_buildCancel)
        m_buildCancel->store(true);
    for (const auto &run : m_filterRuns)
        run->cancel.store(true);
    pool().waitForDone();
    // The runs' results are discarded; their queued notifications find nothing to do.
    m_filterRuns.clear();
    m_filterRunsInFlight = 0;
    m_building = false;
}

void StoreTreeModel::finishRebuild(std::shared_ptr<tree::BuiltTree> built, quint64 generation)
{
    if (generation != m_buildGeneration)
        return;
    if (mutationsBlocked()) {
        m_deferred.push_back([this, built, generation] { finishRebuild(built, generation); });
        return;
    }
    install(*built);
    m_building = false;
    replayHeldBatches();
    emit rebuilt(leafCount());
}

void StoreTreeModel::install(tree::BuiltTree &built)
{
    m_seq = built.seq;
    m_loader.clearProbes();
    const FilterState state = installTree(built, built.filterGeneration == m_filterGeneration);
    if (state == FilterState::Filtered)
        emit filterApplied(built.filtered->matchCount);
    else if (state == FilterState::NeedsRun)
        startFilterRun();
}

void StoreTreeModel::replayHeldBatches()
{
    const QList<MirrorChangeBatch> held = std::exchange(m_heldBatches, {});
    for (const MirrorChangeBatch &batch : held)
        applyBatch(batch);
}

// ---- filter ---------------------------------------------------------------------------------

void StoreTreeModel::setFilter(const TreeFilter &filter)
{
    setFilterSpec(filter);
    ++m_filterGeneration;
    for (const auto &run : m_filterRuns)
        run->cancel.store(true);
    if (!filter.isActive()) {
        if (isFiltered())
            showFilterOutcome(nullptr);
        emit filterApplied(nodeCount());
        return;
    }
    startFilterRun();
}

void StoreTreeModel::startFilterRun()
{
    auto run = std::make_shared<FilterRun>();
    run->generation = m_filterGeneration;
    run->filter = filter();
    m_filterRuns.push_back(run);
    ++m_filterRunsInFlight;
    holdUpdates(true);
    Node *root = rootNode();
    pool().start([this, run, root] {
        run->outcome = collectFilterHits(root, {}, run->filter, &run->cancel);
        QMetaObject::invokeMethod(
            this, [this, run] { finishFilterRun(run); }, Qt::QueuedConnection);
    });
}

void StoreTreeModel::finishFilterRun(const std::shared_ptr<FilterRun> &run)
{
    const auto it = std::find(m_filterRuns.begin(), m_filterRuns.end(), run);
    if (it == m_filterRuns.end())
        return; // discarded by quiesce()
    m_filterRuns.erase(it);
    --m_filterRunsInFlight;
    if (run->generation == m_filterGeneration && !run->outcome.cancelled && !run->cancel.load()) {
        showFilterOutcome(&run->outcome);
        emit filterApplied(run->outcome.matchCount);
    }
    run->outcome = {};
    if (m_filterRunsInFlight == 0)
        runDeferred();
}

void StoreTreeModel::runDeferred()
{
    while (!m_deferred.empty() && !mutationsBlocked()) {
        std::function<void()> next = std::move(m_deferred.front());
        m_deferred.erase(m_deferred.begin());
        next();
    }
    if (!mutationsBlocked())
        holdUpdates(false);
}

void StoreTreeModel::holdUpdates(bool held)
{
    m_loader.setHeld(held);
    m_coalescer.setHeld(held);
}

// ---- sources --------------------------------------------------------------------------------

void StoreTreeModel::switchSource(Source source, Transport *transport, const QString &store,
                                  std::unique_ptr<Node> root)
{
    if (m_liveSource)
        disconnect(m_liveSource, nullptr, this, nullptr);
    m_liveSource = nullptr;
    ++m_snapshotRequest; // a snapshot still on its way belongs to the old source
    m_snapshotInFlight = false;
    m_seenResetEpoch = 0;
    m_coveredResetEpoch = 0;
    quiesce();
    ++m_buildGeneration;
    m_coalescer.clear();
    m_heldBatches.clear();
    m_deferred.clear();
    setSourceKind(source);
    m_loader.setSource(transport, store);
    holdUpdates(false);
    m_seq = 0;
    resetTree(std::move(root));
}

void StoreTreeModel::setLiveSource(LiveStoreSource *source, Transport *interim,
                                   const QString &store)
{
    if (interim && source) {
        // Until the first snapshot, folders are listed over REST as they are opened.
        auto root = std::make_unique<Node>();
        root->set(Node::MayHaveChildren);
        switchSource(Source::Http, interim, store, std::move(root));
    } else {
        switchSource(Source::Mirror, nullptr, {}, std::make_unique<Node>());
    }
    if (!source)
        return;
    m_liveSource = source;
    connect(source, &LiveStoreSource::changed, this, &StoreTreeModel::applyBatch);
    connect(source, &LiveStoreSource::reset, this, &StoreTreeModel::resync);
    resync();
}

void StoreTreeModel::resync(quint64 epoch)
{
    if (!m_liveSource)
        return;
    if (epoch != 0) {
        // A reset the snapshot shown (or being built) already saw costs nothing: opening a
        // big store announces one at the end of its catch-up, or after its cache was read,
        // when the first snapshot is often already taken after it.
        if (epoch <= m_coveredResetEpoch)
            return;
        m_seenResetEpoch = std::max(m_seenResetEpoch, epoch);
        if (m_snapshotInFlight)
            return; // its answer says whether it saw this reset
    }
    requestSnapshot();
}

void StoreTreeModel::requestSnapshot()
{
    if (!m_liveSource)
        return;
    // Batches the source emits after the snapshot reach this thread after it, and the
    // rebuild drops those it already holds.
    const quint64 request = ++m_snapshotRequest;
    m_snapshotInFlight = true;
    m_liveSource->snapshot().then(
        this, [this, request](const Expected<StoreTreeSnapshot, Error> &snapshot) {
            if (request != m_snapshotRequest)
                return; // a newer snapshot is on its way
            m_snapshotInFlight = false;
            if (!snapshot) {
                const QString message = snapshot.error().message();
                rootNode()->ensureExtra().error = message;
                emit loadFailed(QModelIndex(), message);
                return;
            }
            if (snapshot->resetEpoch() < m_seenResetEpoch) {
                requestSnapshot(); // read before a reset announced since
                return;
            }
            m_coveredResetEpoch = snapshot->resetEpoch();
            rebuild(*snapshot);
        });
}

// ---- HTTP -----------------------------------------------------------------------------------

void StoreTreeModel::setHttpSource(Transport *transport, const QString &store)
{
    auto root = std::make_unique<Node>();
    root->set(Node::MayHaveChildren);
    switchSource(Source::Http, transport, store, std::move(root));
}

void StoreTreeModel::reload(const QModelIndex &parent)
{
    if (source() != Source::Http)
        return;
    if (mutationsBlocked()) {
        const QPersistentModelIndex keep(parent);
        const bool isRoot = !parent.isValid();
        m_deferred.push_back([this, keep, isRoot] {
            if (isRoot || keep.isValid())
                reload(keep);
        });
        return;
    }
    Node *node = nodeOf(parent);
    if (!node->children.empty())
        removeChildren(node, std::vector<Node *>(node->children.begin(), node->children.end()));
    NodeExtra &x = node->ensureExtra();
    if (x.fetch == FetchState::Loading)
        m_loader.cancel(x.fetchToken); // superseded by the new listing
    x.fetch = FetchState::NotFetched;
    x.error.clear();
    node->set(Node::MayHaveChildren);
    node->set(Node::FolderUnknown, false);
    startFetch(node);
}

void StoreTreeModel::startFetch(Node *node)
{
    NodeExtra &x = node->ensureExtra();
    x.fetch = FetchState::Loading;
    x.error.clear();
    x.fetchToken = ++m_nextToken;
    Path base;
    if (node != rootNode()) {
        auto path = Path::fromSegments(tree::segmentsOf(node));
        base = path ? path.value() : Path();
        emitDataChanged({node});
    }
    emit loadingChanged(indexOf(node), true);
    m_loader.list(x.fetchToken, base);
}

Node *StoreTreeModel::listedNode(quint32 ticket, const Path &base)
{
    Node *node = base.isValid() ? findNode(base) : rootNode();
    if (node && node->extra && node->extra->fetchToken == ticket &&
        node->extra->fetch == FetchState::Loading)
        return node;
    m_loader.cancel(ticket); // a listing that was superseded, or of a node that is gone
    return nullptr;
}

void StoreTreeModel::finishFetch(Node *node, const Error *error)
{
    NodeExtra &x = node->ensureExtra();
    if (error) {
        x.fetch = FetchState::Failed;
        x.error = error->message();
        if (x.error.isEmpty())
            x.error = Error::kindName(error->kind());
    } else {
        x.fetch = FetchState::Done;
        node->set(Node::MayHaveChildren, false);
    }
    if (node != rootNode())
        emitDataChanged({node});
    const QModelIndex index = indexOf(node);
    emit loadingChanged(index, false);
    if (error)
        emit loadFailed(index, x.error);
}

void StoreTreeModel::nodeAsked(Node *node) const
{
    if (source() != Source::Http || !node->has(Node::FolderUnknown) || node->has(Node::ProbeQueued))
        return;
    node->set(Node::ProbeQueued);
    m_loader.probe(tree::renderedPathOf(node));
}

void StoreTreeModel::onProbe(const QString &rendered, bool hasDescendants)
{
    const auto path = Path::parse(rendered);
    Node *n = path ? findNode(*path) : nullptr;
    if (!n || !n->has(Node::FolderUnknown))
        return;
    n->set(Node::ProbeQueued, false);
    if (!hasDescendants) {
        // A failed look is not worth an error on a row that shows its value fine; reload()
        // looks again.
        n->set(Node::FolderUnknown, false);
        return;
    }
    childFoundToBeFolder(n);
}

void StoreTreeModel::childFoundToBeFolder(Node *child)
{
    child->set(Node::FolderUnknown, false);
    child->set(Node::ProbeQueued, false);
    child->set(Node::MayHaveChildren);
    if (child->extra && child->extra->fetch != FetchState::NotFetched)
        return;
    // Load its children right away: the rows appearing under it are what tells a view the
    // row can now be expanded.
    startFetch(child);
}

} // namespace dust
