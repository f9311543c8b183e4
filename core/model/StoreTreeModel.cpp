#include "StoreTreeModel.h"

#include "NaturalSort.h"
#include "StoreTreeBuilder.h"
#include "StoreTreeNode.h"
#include "protocol/Values.h"
#include "transport/SdkTransport.h"
#include "transport/Transport.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QMetaObject>

#include <algorithm>
#include <climits>

namespace dust {

using tree::FetchState;
using tree::Node;
using tree::NodeExtra;

namespace {

// Previews are cut to this many characters (the Mirror makes them this long already).
constexpr int kPreviewChars = 80;
constexpr int kMaxProbesInFlight = 4;
// Changes are applied in chunks of this many; a flush stops after the chunk that used up
// its time budget.
constexpr int kFlushChunk = 1024;
constexpr int kColumnCount = StoreTreeModel::ColumnCount;

bool segmentsLess(const QStringList &a, const QStringList &b)
{
    const qsizetype n = std::min(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        if (a.at(i) == b.at(i)) // the common case: a shared ancestor
            continue;
        return naturalCompare(a.at(i), b.at(i)) < 0;
    }
    return a.size() < b.size();
}

bool nodeLess(const Node *a, const Node *b)
{
    return naturalCompare(a->name, b->name) < 0;
}

const tree::NodeList &emptyList()
{
    static const tree::NodeList empty;
    return empty;
}

QString shortPreview(const QString &preview)
{
    if (preview.size() <= kPreviewChars)
        return preview;
    return preview.left(kPreviewChars - 1) + QChar(0x2026);
}

} // namespace

struct StoreTreeModel::FilterRun
{
    quint64 generation = 0;
    TreeFilter filter;
    std::atomic_bool cancel{false};
    FilterOutcome outcome;
};

struct StoreTreeModel::FetchJob
{
    enum class Phase { Entries, Prefixes };

    Path base; // invalid for the root
    quint32 token = 0;
    Phase phase = Phase::Entries;
    QString cursor;        // sent as `after`
    QString serverCursor;  // the server's own cursor of the last page
    QSet<QString> seen;    // prefixes listed so far: the server repeats them across pages
    bool skip = true;      // may continue after a listed child's subtree
    bool skipUsed = false; // the request in flight continues after such a subtree
};

// ---- construction ---------------------------------------------------------------------------

StoreTreeModel::StoreTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
    , m_typeNames{QString()}
    , m_flushTimer(this)
    , m_expiryTimer(this)
    , m_probeTimer(this)
{
    qRegisterMetaType<MirrorChangeBatch>();
    qRegisterMetaType<StoreTreeSnapshot>();

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(16);
    m_flushTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_flushTimer, &QTimer::timeout, this, &StoreTreeModel::onFlushTimer);

    m_expiryTimer.setInterval(250);
    connect(&m_expiryTimer, &QTimer::timeout, this, &StoreTreeModel::onExpiryTimer);

    m_probeTimer.setSingleShot(true);
    m_probeTimer.setInterval(0);
    connect(&m_probeTimer, &QTimer::timeout, this, &StoreTreeModel::runProbes);
}

StoreTreeModel::~StoreTreeModel()
{
    if (m_buildCancel)
        m_buildCancel->store(true);
    for (const auto &run : m_filterRuns)
        run->cancel.store(true);
    m_pool.waitForDone();
    m_root.reset();
}

// ---- node helpers ---------------------------------------------------------------------------

Node *StoreTreeModel::nodeOf(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root.get();
    Q_ASSERT(index.model() == this);
    return static_cast<Node *>(index.internalPointer());
}

const tree::NodeList &StoreTreeModel::viewList(const Node *node) const
{
    if (!m_filterActive)
        return node->children;
    const auto it = m_shown.constFind(node);
    return it == m_shown.constEnd() ? emptyList() : it->kids;
}

bool StoreTreeModel::isShown(const Node *node) const
{
    return node == m_root.get() || !m_filterActive || m_shown.contains(node);
}

int StoreTreeModel::rowOf(Node *node) const
{
    if (!node->parent)
        return -1;
    const tree::NodeList &list = viewList(node->parent);
    if (size_t(node->row) < list.size() && list[size_t(node->row)] == node)
        return node->row;
    // The hint is stale (rows were inserted or removed before it): renumber the siblings
    // once, which refreshes every hint among them.
    for (size_t i = 0; i < list.size(); ++i)
        list[i]->row = int(i);
    if (size_t(node->row) < list.size() && list[size_t(node->row)] == node)
        return node->row;
    return -1;
}

QModelIndex StoreTreeModel::indexOf(Node *node, int column) const
{
    if (!node || node == m_root.get() || !isShown(node))
        return {};
    const int row = rowOf(node);
    if (row < 0)
        return {};
    return createIndex(row, column, node);
}

Node *StoreTreeModel::findNode(const QStringList &segments) const
{
    Node *n = m_root.get();
    for (const QString &segment : segments) {
        n = tree::findChild(n, segment);
        if (!n)
            return nullptr;
    }
    return n;
}

Node *StoreTreeModel::findNode(const Path &path) const
{
    if (!path.isValid())
        return nullptr;
    return findNode(path.segments());
}

QStringList StoreTreeModel::segmentsOf(const Node *node) const
{
    QStringList out;
    for (const Node *n = node; n && n != m_root.get(); n = n->parent)
        out.append(n->name);
    std::reverse(out.begin(), out.end());
    return out;
}

QString StoreTreeModel::renderedPathOf(const Node *node) const
{
    QString out;
    const QStringList segments = segmentsOf(node);
    for (qsizetype i = 0; i < segments.size(); ++i) {
        if (i > 0)
            out += QLatin1Char('/');
        out += Path::escapeSegment(segments.at(i));
    }
    return out;
}

bool StoreTreeModel::nodeHasChildren(const Node *node) const
{
    if (!viewList(node).empty())
        return true;
    return m_source == Source::Http && node->has(Node::MayHaveChildren);
}

quint16 StoreTreeModel::typeId(const QString &type)
{
    if (type.isEmpty())
        return 0;
    const auto it = m_typeIds.constFind(type);
    if (it != m_typeIds.constEnd())
        return it.value();
    if (m_typeNames.size() >= 0xffff)
        return quint16(m_typeNames.size() - 1);
    const quint16 id = quint16(m_typeNames.size());
    m_typeNames.append(type);
    m_typeIds.insert(type, id);
    return id;
}

// ---- QAbstractItemModel ---------------------------------------------------------------------

QModelIndex StoreTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= kColumnCount)
        return {};
    if (parent.isValid() && parent.column() != 0)
        return {};
    const tree::NodeList &list = viewList(nodeOf(parent));
    if (size_t(row) >= list.size())
        return {};
    Node *child = list[size_t(row)];
    child->row = row;
    return createIndex(row, column, child);
}

QModelIndex StoreTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    Node *n = nodeOf(child);
    if (!n->parent || n->parent == m_root.get())
        return {};
    return indexOf(n->parent, 0);
}

int StoreTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(viewList(nodeOf(parent)).size());
}

int StoreTreeModel::columnCount(const QModelIndex &parent) const
{
    Q_UNUSED(parent);
    return kColumnCount;
}

bool StoreTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return false;
    Node *n = nodeOf(parent);
    if (m_source == Source::Http && n->has(Node::FolderUnknown))
        queueProbe(n);
    return nodeHasChildren(n);
}

QVariant StoreTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this)
        return {};
    Node *n = nodeOf(index);
    if (m_source == Source::Http && n->has(Node::FolderUnknown))
        queueProbe(n);
    const NodeExtra *x = n->extra.get();
    const bool loading = x && x->fetch == FetchState::Loading;
    const QString error = x ? x->error : QString();

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return n->name;
        case TypeColumn:
            return n->hasValue() ? m_typeNames.value(n->type) : QString();
        case ValueColumn:
            if (!error.isEmpty())
                return tr("Error: %1").arg(error);
            if (loading)
                return tr("loading\u2026");
            return n->hasValue() ? n->preview.toString() : QString();
        case RevisionColumn:
            return n->hasValue() ? QVariant(n->revision) : QVariant();
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return error.isEmpty() ? renderedPathOf(n) : error;
    case PathRole:
        return renderedPathOf(n);
    case SegmentsRole:
        return segmentsOf(n);
    case NameRole:
        return n->name;
    case TypeRole:
        return n->hasValue() ? m_typeNames.value(n->type) : QString();
    case PreviewRole:
        return n->preview.toString();
    case RevisionRole:
        return n->hasValue() ? QVariant(n->revision) : QVariant();
    case HasValueRole:
        return n->hasValue();
    case HasChildrenRole:
        return nodeHasChildren(n);
    case LoadingRole:
        return loading;
    case ErrorRole:
        return error;
    case ChangedAtRole: {
        const auto it = m_recent.constFind(n);
        return it == m_recent.constEnd() ? QVariant() : QVariant(it.value());
    }
    case MatchesFilterRole:
        return !m_filterActive || m_shown.value(n).matches;
    default:
        return {};
    }
}

QVariant StoreTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case TypeColumn:
        return tr("Type");
    case ValueColumn:
        return tr("Value");
    case RevisionColumn:
        return tr("Revision");
    default:
        return {};
    }
}

Qt::ItemFlags StoreTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

bool StoreTreeModel::canFetchMore(const QModelIndex &parent) const
{
    if (m_source != Source::Http || (parent.isValid() && parent.column() != 0))
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

QHash<int, QByteArray> StoreTreeModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(PathRole, "path");
    names.insert(SegmentsRole, "segments");
    names.insert(NameRole, "name");
    names.insert(TypeRole, "type");
    names.insert(PreviewRole, "preview");
    names.insert(RevisionRole, "revision");
    names.insert(HasValueRole, "hasValue");
    names.insert(HasChildrenRole, "hasChildren");
    names.insert(LoadingRole, "loading");
    names.insert(ErrorRole, "error");
    names.insert(ChangedAtRole, "changedAt");
    names.insert(MatchesFilterRole, "matchesFilter");
    return names;
}

QModelIndex StoreTreeModel::index(const Path &path, int column) const
{
    if (column < 0 || column >= kColumnCount)
        return {};
    return indexOf(findNode(path), column);
}

Path StoreTreeModel::pathOf(const QModelIndex &index) const
{
    if (!index.isValid())
        return {};
    auto path = Path::fromSegments(segmentsOf(nodeOf(index)));
    return path ? path.value() : Path();
}

// ---- settings -------------------------------------------------------------------------------

void StoreTreeModel::setFlushInterval(int ms)
{
    m_flushTimer.setInterval(std::max(0, ms));
}

void StoreTreeModel::setMaxChangesPerFlush(int changes)
{
    m_maxPerFlush = std::max(1, changes);
}

void StoreTreeModel::setFlushBudget(int ms)
{
    m_flushBudgetMs = std::max(0, ms);
}

void StoreTreeModel::setPageLimit(int limit)
{
    m_pageLimit = std::clamp(limit, 1, 1000);
}

void StoreTreeModel::setRecentWindow(int ms)
{
    m_recentWindow = std::max(1, ms);
    m_expiryTimer.setInterval(std::clamp(m_recentWindow / 4, 10, 250));
}

// ---- live updates ---------------------------------------------------------------------------

void StoreTreeModel::applyBatch(const MirrorChangeBatch &batch)
{
    if (m_source != Source::Mirror)
        return;
    if (m_building) {
        m_heldBatches.append(batch);
        return;
    }
    if ((batch.lastSeq() > 0 && batch.lastSeq() <= m_seq) || batch.isEmpty())
        return;
    // Only queued here (the batch is shared, not copied): sorting the changes out is the
    // flush's work, within its time budget.
    m_queue.push_back(batch);
    m_queuedChanges += batch.changes().size();
    m_seq = std::max(m_seq, batch.lastSeq());
    scheduleFlush();
}

void StoreTreeModel::dropPendingChanges()
{
    m_flushTimer.stop();
    m_pending.clear();
    m_queue.clear();
    m_queuedChanges = 0;
    m_frontOffset = 0;
}

void StoreTreeModel::drainChanges(qsizetype atMost)
{
    // Takes changes from the front batch on (a big batch, e.g. a subtree delete, is taken
    // in parts); the latest change of a path wins.
    while (atMost > 0 && !m_queue.empty()) {
        const QList<MirrorLeafChange> &changes = m_queue.front().changes();
        const qsizetype end = std::min(changes.size(), m_frontOffset + atMost);
        for (qsizetype i = m_frontOffset; i < end; ++i) {
            const MirrorLeafChange &c = changes.at(i);
            if (!c.path.isValid())
                continue;
            PendingChange p;
            p.path = c.path;
            p.present = c.kind != MirrorLeafChange::Kind::Removed;
            if (p.present) {
                p.type = c.type;
                p.preview = shortPreview(c.preview);
                p.revision = c.revision;
            }
            m_pending.insert(c.path.rendered(), std::move(p));
        }
        atMost -= end - m_frontOffset;
        m_queuedChanges -= end - m_frontOffset;
        m_frontOffset = end;
        if (m_frontOffset == changes.size()) {
            m_queue.pop_front();
            m_frontOffset = 0;
        }
    }
}

void StoreTreeModel::scheduleFlush()
{
    if ((!m_pending.isEmpty() || !m_queue.empty()) && !m_flushTimer.isActive())
        m_flushTimer.start();
}

void StoreTreeModel::onFlushTimer()
{
    if (mutationsBlocked())
        return; // resumed once the filter run is applied
    flush(m_maxPerFlush, qint64(m_flushBudgetMs) * 1000000);
    scheduleFlush();
}

void StoreTreeModel::flushPendingChanges()
{
    m_flushTimer.stop();
    while ((!m_pending.isEmpty() || !m_queue.empty()) && !mutationsBlocked())
        flush(INT_MAX, -1);
    scheduleFlush();
}

void StoreTreeModel::flush(int maxChanges, qint64 budgetNs)
{
    if (m_pending.isEmpty() && m_queue.empty())
        return;
    QElapsedTimer timer;
    timer.start();
    int applied = 0;
    while (applied < maxChanges) {
        if (m_pending.size() < kFlushChunk)
            drainChanges(kFlushChunk - m_pending.size());
        if (m_pending.isEmpty())
            break;
        const int want = std::min(kFlushChunk, maxChanges - applied);
        std::vector<PendingChange> changes;
        changes.reserve(size_t(std::min<qsizetype>(m_pending.size(), want)));
        auto it = m_pending.begin();
        while (it != m_pending.end() && changes.size() < size_t(want)) {
            changes.push_back(std::move(it.value()));
            it = m_pending.erase(it);
        }
        applied += int(changes.size());
        applyChanges(std::move(changes));
        if (budgetNs >= 0 && timer.nsecsElapsed() >= budgetNs)
            break;
    }
    ++m_flushCount;
    emit flushed(applied, timer.nsecsElapsed());
}

void StoreTreeModel::applyChanges(std::vector<PendingChange> changes)
{
    // In natural path order, new siblings arrive in their final order and consecutive
    // changes share their ancestors.
    std::sort(changes.begin(), changes.end(), [](const PendingChange &a, const PendingChange &b) {
        return segmentsLess(a.path.segments(), b.path.segments());
    });
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Node *root = m_root.get();
    std::vector<Node *> updated; // existing nodes whose row changed

    // 1. Values written: update nodes in place, build new nodes detached ("fresh") and
    //    collect them per existing parent.
    std::vector<std::pair<Node *, std::vector<Node *>>> inserts;
    QHash<Node *, size_t> insertSlot;
    std::vector<Node *> stack{root};
    const QStringList *previous = nullptr;
    for (const PendingChange &c : changes) {
        if (!c.present)
            continue;
        const QStringList &segments = c.path.segments();
        const size_t depth = size_t(segments.size());
        size_t common = 0;
        if (previous) {
            while (common < depth && common < size_t(previous->size()) &&
                   segments.at(qsizetype(common)) == previous->at(qsizetype(common)))
                ++common;
        }
        stack.resize(common + 1);
        Node *node = stack.back();
        for (size_t d = common; d < depth; ++d) {
            const QString &name = segments.at(qsizetype(d));
            Node *child = nullptr;
            if (node->has(Node::Fresh)) {
                if (!node->children.empty() && node->children.back()->name == name)
                    child = node->children.back();
            } else {
                child = tree::findChild(node, name);
                if (!child) {
                    const auto slot = insertSlot.constFind(node);
                    if (slot != insertSlot.constEnd()) {
                        Node *last = inserts[slot.value()].second.back();
                        if (last->name == name)
                            child = last;
                    }
                }
            }
            if (!child) {
                child = new Node;
                child->parent = node;
                child->name = name;
                child->set(Node::Fresh);
                ++m_nodeCount;
                if (node->has(Node::Fresh)) {
                    node->children.push_back(child);
                } else {
                    auto slot = insertSlot.find(node);
                    if (slot == insertSlot.end()) {
                        slot = insertSlot.insert(node, inserts.size());
                        inserts.emplace_back(node, std::vector<Node *>{});
                    }
                    inserts[slot.value()].second.push_back(child);
                }
            }
            stack.push_back(child);
            node = child;
        }
        previous = &segments;
        if (!node->hasValue())
            ++m_leafCount;
        node->set(Node::HasValue);
        node->set(Node::FolderUnknown, false);
        node->type = typeId(c.type);
        node->preview.setText(c.preview);
        node->revision = c.revision;
        if (!node->has(Node::Fresh))
            updated.push_back(node);
        markRecent(node, now);
    }

    // 2. Attach the new nodes: one row insertion per run of adjacent new siblings.
    for (auto &[parent, kids] : inserts)
        insertChildren(parent, std::move(kids));

    // 3. Values removed: a node left without value and children goes, and so do the folders
    //    this leaves empty.
    QSet<Node *> doomed;
    QHash<Node *, size_t> doomedKids;
    for (const PendingChange &c : changes) {
        if (c.present)
            continue;
        Node *n = findNode(c.path.segments());
        if (!n || !n->hasValue())
            continue;
        n->set(Node::HasValue, false);
        n->type = 0;
        n->preview.clear();
        n->revision = 0;
        --m_leafCount;
        if (!n->children.empty()) {
            updated.push_back(n);
            markRecent(n, now);
            continue;
        }
        doomed.insert(n);
        for (Node *p = n->parent; p != root && !p->hasValue(); p = p->parent) {
            if (++doomedKids[p] < p->children.size())
                break;
            doomed.insert(p);
        }
    }
    if (!doomed.isEmpty()) {
        updated.erase(std::remove_if(updated.begin(), updated.end(),
                                     [&](Node *n) { return doomed.contains(n); }),
                      updated.end());
    }
    emitDataChanged(updated);

    if (!doomed.isEmpty()) {
        QHash<Node *, std::vector<Node *>> byParent;
        for (Node *n : std::as_const(doomed)) {
            if (!doomed.contains(n->parent))
                byParent[n->parent].push_back(n);
        }
        for (auto it = byParent.begin(); it != byParent.end(); ++it)
            removeChildren(it.key(), std::move(it.value()));
    }
}

void StoreTreeModel::insertChildren(Node *parent, std::vector<Node *> kids)
{
    if (kids.empty())
        return;
    std::sort(kids.begin(), kids.end(), nodeLess);
    for (Node *k : kids) {
        tree::forEachInSubtree(k, [](Node *n) {
            n->set(Node::Fresh, false);
            for (size_t r = 0; r < n->children.size(); ++r)
                n->children[r]->row = int(r);
        });
    }
    const bool hadChildren = !parent->children.empty();
    if (!m_filterActive) {
        insertRuns(parent, parent->children, kids, true);
    } else {
        // The tree gains the nodes silently; the view sees those the filter shows.
        std::vector<Node *> merged;
        merged.reserve(parent->children.size() + kids.size());
        std::merge(parent->children.begin(), parent->children.end(), kids.begin(), kids.end(),
                   std::back_inserter(merged), nodeLess);
        parent->children.assign(merged.begin(), merged.end());
        for (Node *k : kids)
            tree::indexAdded(parent, k);
        const TreeFilter::State state = filterStateOf(parent);
        std::vector<Node *> visible;
        for (Node *k : kids) {
            if (computeSubtreeVisibility(k, state))
                visible.push_back(k);
        }
        if (!visible.empty()) {
            if (isShown(parent))
                insertRuns(parent, m_shown[parent].kids, visible, false);
            else
                revealChain(parent, std::move(visible));
        }
    }
    if (!hadChildren && parent != m_root.get())
        emitDataChanged({parent}, {HasChildrenRole});
}

void StoreTreeModel::insertRuns(Node *parent, tree::NodeList &list, const std::vector<Node *> &kids,
                                bool structural)
{
    const QModelIndex parentIndex = indexOf(parent);
    size_t i = 0;
    while (i < kids.size()) {
        const size_t pos = tree::lowerBound(list, kids[i]->name);
        size_t j = i + 1;
        while (j < kids.size() &&
               (pos == list.size() || naturalCompare(kids[j]->name, list[pos]->name) < 0))
            ++j;
        const size_t count = j - i;
        beginInsertRows(parentIndex, int(pos), int(pos + count - 1));
        list.insert(list.begin() + qsizetype(pos), kids.begin() + qsizetype(i),
                    kids.begin() + qsizetype(j));
        for (size_t r = pos; r < pos + count; ++r)
            list[r]->row = int(r);
        if (structural) {
            for (size_t k = i; k < j; ++k)
                tree::indexAdded(parent, kids[k]);
        }
        endInsertRows();
        i = j;
    }
}

void StoreTreeModel::revealChain(Node *parent, std::vector<Node *> visibleKids)
{
    // `parent` is hidden: it becomes shown with exactly these children, and so does every
    // hidden ancestor up to the first shown one, where one row is inserted.
    for (size_t r = 0; r < visibleKids.size(); ++r)
        visibleKids[r]->row = int(r);
    ShownNode self;
    self.kids.assign(visibleKids.begin(), visibleKids.end());
    m_shown.emplace(parent, std::move(self));
    Node *top = parent;
    while (top->parent != m_root.get() && !m_shown.contains(top->parent)) {
        Node *up = top->parent;
        m_shown.emplace(up, ShownNode{{top}, false});
        top->row = 0;
        top = up;
    }
    Node *anchor = top->parent;
    const QModelIndex anchorIndex = indexOf(anchor);
    tree::NodeList &list = m_shown[anchor].kids;
    const size_t pos = tree::lowerBound(list, top->name);
    beginInsertRows(anchorIndex, int(pos), int(pos));
    list.insert(list.begin() + qsizetype(pos), top);
    top->row = int(pos);
    endInsertRows();
}

void StoreTreeModel::removeChildren(Node *parent, std::vector<Node *> doomed)
{
    if (doomed.empty())
        return;
    auto removeRuns = [&](tree::NodeList &list, const std::vector<Node *> &nodes) {
        const QModelIndex parentIndex = indexOf(parent);
        std::vector<int> rows;
        rows.reserve(nodes.size());
        for (Node *n : nodes) {
            const int r = rowOf(n);
            if (r >= 0)
                rows.push_back(r);
        }
        std::sort(rows.begin(), rows.end(), std::greater<int>());
        size_t i = 0;
        while (i < rows.size()) {
            const int hi = rows[i];
            int lo = hi;
            size_t j = i + 1;
            while (j < rows.size() && rows[j] == lo - 1) {
                lo = rows[j];
                ++j;
            }
            beginRemoveRows(parentIndex, lo, hi);
            list.erase(list.begin() + lo, list.begin() + hi + 1);
            endRemoveRows();
            i = j;
        }
    };

    if (!m_filterActive) {
        removeRuns(parent->children, doomed);
    } else {
        std::vector<Node *> visible;
        for (Node *n : doomed) {
            if (m_shown.contains(n))
                visible.push_back(n);
        }
        if (!visible.empty())
            removeRuns(m_shown[parent].kids, visible);
        const QSet<Node *> gone(doomed.begin(), doomed.end());
        auto &kids = parent->children;
        kids.erase(
            std::remove_if(kids.begin(), kids.end(), [&](Node *n) { return gone.contains(n); }),
            kids.end());
    }
    for (Node *n : doomed) {
        tree::indexRemoved(parent, n);
        forgetSubtree(n);
        delete n;
    }
    if (parent != m_root.get() && parent->children.empty())
        emitDataChanged({parent}, {HasChildrenRole});
    if (m_filterActive)
        hideIfEmpty(parent);
}

void StoreTreeModel::hideIfEmpty(Node *node)
{
    while (node != m_root.get()) {
        const auto it = m_shown.constFind(node);
        if (it == m_shown.constEnd() || it->matches || !it->kids.empty())
            return;
        Node *up = node->parent;
        const int r = rowOf(node);
        if (r < 0)
            return;
        beginRemoveRows(indexOf(up), r, r);
        auto &list = m_shown[up].kids;
        list.erase(list.begin() + r);
        m_shown.remove(node);
        endRemoveRows();
        node = up;
    }
}

void StoreTreeModel::emitDataChanged(const std::vector<Node *> &nodes, const QList<int> &roles)
{
    if (nodes.empty())
        return;
    // One signal per parent, spanning the changed rows.
    QHash<Node *, std::pair<int, int>> ranges;
    for (Node *n : nodes) {
        if (n == m_root.get() || !isShown(n))
            continue;
        const int r = rowOf(n);
        if (r < 0)
            continue;
        auto it = ranges.find(n->parent);
        if (it == ranges.end()) {
            ranges.insert(n->parent, {r, r});
        } else {
            it->first = std::min(it->first, r);
            it->second = std::max(it->second, r);
        }
    }
    for (auto it = ranges.cbegin(); it != ranges.cend(); ++it) {
        const tree::NodeList &list = viewList(it.key());
        const int lo = it.value().first;
        const int hi = it.value().second;
        emit dataChanged(createIndex(lo, 0, list[size_t(lo)]),
                         createIndex(hi, kColumnCount - 1, list[size_t(hi)]), roles);
    }
}

void StoreTreeModel::markRecent(Node *node, qint64 now)
{
    m_recent.insert(node, now);
    if (!m_expiryTimer.isActive())
        m_expiryTimer.start();
}

void StoreTreeModel::forgetSubtree(Node *top)
{
    tree::forEachInSubtree(top, [this](Node *n) {
        --m_nodeCount;
        if (n->hasValue())
            --m_leafCount;
        if (!m_recent.isEmpty())
            m_recent.remove(n);
        if (m_filterActive)
            m_shown.remove(n);
    });
}

void StoreTreeModel::onExpiryTimer()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    std::vector<Node *> expired;
    for (auto it = m_recent.begin(); it != m_recent.end();) {
        if (now - it.value() >= m_recentWindow) {
            expired.push_back(it.key());
            it = m_recent.erase(it);
        } else {
            ++it;
        }
    }
    if (m_recent.isEmpty())
        m_expiryTimer.stop();
    emitDataChanged(expired, {ChangedAtRole});
}

// ---- rebuilds -------------------------------------------------------------------------------

void StoreTreeModel::rebuild(const StoreTreeSnapshot &snapshot)
{
    if (m_source != Source::Mirror) {
        m_transport = nullptr;
        m_source = Source::Mirror;
    }
    // Everything pending is already in the snapshot.
    dropPendingChanges();
    m_heldBatches.clear();
    m_building = true;
    const quint64 generation = ++m_buildGeneration;
    if (m_buildCancel)
        m_buildCancel->store(true);
    auto cancel = std::make_shared<std::atomic_bool>(false);
    m_buildCancel = cancel;
    const TreeFilter filter = m_filter;
    const quint64 filterGeneration = m_filterGeneration;
    m_pool.start([this, snapshot, filter, filterGeneration, generation, cancel] {
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
    if (m_source != Source::Mirror) {
        m_transport = nullptr;
        m_source = Source::Mirror;
    }
    dropPendingChanges();
    ++m_buildGeneration;
    tree::BuiltTree built = tree::buildTree(snapshot, m_filter);
    built.filterGeneration = m_filterGeneration;
    install(built);
    m_building = false;
    replayHeldBatches();
    emit rebuilt(m_leafCount);
    runDeferred();
}

void StoreTreeModel::quiesce()
{
    if (m_buildCancel)
        m_buildCancel->store(true);
    for (const auto &run : m_filterRuns)
        run->cancel.store(true);
    m_pool.waitForDone();
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
    emit rebuilt(m_leafCount);
}

void StoreTreeModel::replayHeldBatches()
{
    const QList<MirrorChangeBatch> held = std::exchange(m_heldBatches, {});
    for (const MirrorChangeBatch &batch : held)
        applyBatch(batch);
}

void StoreTreeModel::install(tree::BuiltTree &built)
{
    bool rerunFilter = false;
    beginResetModel();
    std::unique_ptr<Node> old = std::exchange(m_root, std::move(built.root));
    if (!m_root)
        m_root = std::make_unique<Node>();
    m_typeNames = built.typeNames;
    if (m_typeNames.isEmpty())
        m_typeNames.append(QString());
    m_typeIds.clear();
    for (qsizetype i = 1; i < m_typeNames.size(); ++i)
        m_typeIds.insert(m_typeNames.at(i), quint16(i));
    m_leafCount = built.leafCount;
    m_nodeCount = built.nodeCount;
    m_seq = built.seq;
    m_recent.clear();
    m_expiryTimer.stop();
    m_probeQueue.clear();
    m_filterActive = false;
    disposeShown(std::exchange(m_shown, {}));
    if (m_filter.isActive()) {
        if (built.filtered && !built.filtered->cancelled &&
            built.filterGeneration == m_filterGeneration) {
            disposeShown(std::exchange(m_shown, std::move(built.filtered->shown)));
            m_filterActive = true;
        } else {
            rerunFilter = true;
        }
    }
    endResetModel();
    disposeTree(std::move(old));
    if (m_filterActive)
        emit filterApplied(built.filtered->matchCount);
    if (rerunFilter)
        startFilterRun();
}

void StoreTreeModel::resetTree(std::unique_ptr<Node> root)
{
    beginResetModel();
    std::unique_ptr<Node> old = std::exchange(m_root, std::move(root));
    m_leafCount = 0;
    m_nodeCount = 0;
    m_recent.clear();
    m_expiryTimer.stop();
    m_probeQueue.clear();
    disposeShown(std::exchange(m_shown, {}));
    m_filterActive = m_filter.isActive();
    if (m_filterActive)
        m_shown.emplace(m_root.get(), ShownNode());
    endResetModel();
    disposeTree(std::move(old));
}

void StoreTreeModel::disposeTree(std::unique_ptr<Node> root)
{
    if (!root)
        return;
    if (root->children.empty())
        return; // nothing worth a thread
    // Freeing a million nodes takes a while: not on this thread.
    auto doomed = std::make_shared<std::unique_ptr<Node>>(std::move(root));
    m_pool.start([doomed] { doomed->reset(); });
}

// ---- filter ---------------------------------------------------------------------------------

void StoreTreeModel::setFilter(const TreeFilter &filter)
{
    m_filter = filter;
    ++m_filterGeneration;
    for (const auto &run : m_filterRuns)
        run->cancel.store(true);
    if (!filter.isActive()) {
        if (m_filterActive)
            applyFilterOutcome(nullptr);
        emit filterApplied(m_nodeCount);
        return;
    }
    startFilterRun();
}

void StoreTreeModel::startFilterRun()
{
    auto run = std::make_shared<FilterRun>();
    run->generation = m_filterGeneration;
    run->filter = m_filter;
    m_filterRuns.push_back(run);
    ++m_filterRunsInFlight;
    Node *root = m_root.get();
    m_pool.start([this, run, root] {
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
        applyFilterOutcome(&run->outcome);
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
    scheduleFlush();
}

void StoreTreeModel::applyFilterOutcome(FilterOutcome *outcome)
{
    emit layoutAboutToBeChanged({}, QAbstractItemModel::NoLayoutChangeHint);
    const QModelIndexList before = persistentIndexList();
    ShownMap old = std::exchange(m_shown, outcome ? std::move(outcome->shown) : ShownMap());
    m_filterActive = outcome != nullptr;
    QModelIndexList after;
    after.reserve(before.size());
    for (const QModelIndex &was : before)
        after.append(indexOf(nodeOf(was), was.column()));
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::NoLayoutChangeHint);
    disposeShown(std::move(old));
}

void StoreTreeModel::disposeShown(ShownMap shown)
{
    if (shown.size() < 1024)
        return; // freed right here
    auto doomed = std::make_shared<ShownMap>(std::move(shown));
    m_pool.start([doomed] { doomed->clear(); });
}

TreeFilter::State StoreTreeModel::filterStateOf(const Node *node) const
{
    TreeFilter::State state;
    for (const QString &segment : segmentsOf(node))
        state = m_filter.step(state, segment);
    return state;
}

bool StoreTreeModel::computeSubtreeVisibility(Node *top, TreeFilter::State parentState)
{
    const TreeFilter::State state = m_filter.step(parentState, top->name);
    const bool matches = m_filter.matches(state, top->name);
    FilterOutcome below = collectFilterHits(top, state, m_filter);
    ShownNode &self = below.shown[top];
    if (!matches && self.kids.empty())
        return false;
    self.matches = matches;
    for (auto it = below.shown.begin(); it != below.shown.end(); ++it)
        m_shown.emplace(it.key(), std::move(it.value()));
    return true;
}

// ---- Sources ---------------------------------------------------------------------------------

void StoreTreeModel::switchSource(Source source, Transport *transport, const QString &store,
                                  std::unique_ptr<Node> root)
{
    for (const QMetaObject::Connection &c : std::as_const(m_sdkConnections))
        disconnect(c);
    m_sdkConnections.clear();
    ++m_snapshotRequest; // a snapshot still on its way belongs to the old source
    quiesce();
    ++m_buildGeneration;
    dropPendingChanges();
    m_heldBatches.clear();
    m_deferred.clear();
    m_source = source;
    m_transport = transport;
    m_store = store;
    m_seq = 0;
    resetTree(std::move(root));
}

void StoreTreeModel::setSdkSource(SdkTransport *transport, const QString &store)
{
    switchSource(Source::Mirror, transport, store, std::make_unique<Node>());
    if (!transport)
        return;
    m_sdkConnections = {
        connect(transport, &SdkTransport::storeChanged, this,
                [this](const QString &changed, const MirrorChangeBatch &batch) {
                    if (changed == m_store)
                        applyBatch(batch);
                }),
        connect(transport, &SdkTransport::storeReset, this,
                [this](const QString &reset) {
                    if (reset == m_store)
                        resync();
                }),
    };
    resync();
}

void StoreTreeModel::resync()
{
    auto *sdk = qobject_cast<SdkTransport *>(m_transport.data());
    if (m_source != Source::Mirror || !sdk)
        return;
    // Batches the mirror emits after the snapshot reach this thread after it (both are
    // queued here in order), and the rebuild drops those it already holds.
    const quint64 request = ++m_snapshotRequest;
    sdk->withMirror(m_store,
                    [](const Mirror &mirror) { return StoreTreeSnapshot::fromMirror(mirror); })
        .then(this, [this, request](const Result<StoreTreeSnapshot> &snapshot) {
            if (request != m_snapshotRequest)
                return; // a newer snapshot is on its way
            if (!snapshot) {
                const QString message = snapshot.error().message();
                m_root->ensureExtra().error = message;
                emit loadFailed(QModelIndex(), message);
                return;
            }
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

bool StoreTreeModel::isLoading(const QModelIndex &index) const
{
    const Node *n = nodeOf(index);
    return n->extra && n->extra->fetch == FetchState::Loading;
}

QString StoreTreeModel::errorText(const QModelIndex &index) const
{
    const Node *n = nodeOf(index);
    return n->extra ? n->extra->error : QString();
}

void StoreTreeModel::reload(const QModelIndex &parent)
{
    if (m_source != Source::Http)
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
    auto job = std::make_shared<FetchJob>();
    if (node != m_root.get()) {
        auto path = Path::fromSegments(segmentsOf(node));
        job->base = path ? path.value() : Path();
    }
    job->token = x.fetchToken;
    job->skip = m_skipSubtrees;
    if (node != m_root.get())
        emitDataChanged({node});
    emit loadingChanged(indexOf(node), true);
    requestPage(job);
}

void StoreTreeModel::requestPage(const std::shared_ptr<FetchJob> &job)
{
    if (!m_transport) {
        onPage(job, Result<ListPage>::failure(
                        Error::notSupported(tr("no connection to list the store with"))));
        return;
    }
    ListOptions options;
    options.limit = m_pageLimit;
    options.after = job->cursor;
    const QString base = job->base.isValid() ? job->base.rendered() + QLatin1Char('/') : QString();
    QString pattern;
    if (job->phase == FetchJob::Phase::Entries) {
        options.select = ListOptions::Select::Entries;
        pattern = base + QLatin1Char('*');
    } else {
        options.select = ListOptions::Select::Prefixes;
        pattern = base + QStringLiteral("**");
    }
    ++m_requestCount;
    m_transport->list(m_store, pattern, options)
        .then(this, [this, job](const Result<ListPage> &result) { onPage(job, result); })
        .onCanceled(this, [this, job] {
            onPage(job, Result<ListPage>::failure(
                            Error(Error::Kind::Cancelled, tr("the listing was cancelled"))));
        });
}

void StoreTreeModel::onPage(const std::shared_ptr<FetchJob> &job, const Result<ListPage> &result)
{
    if (mutationsBlocked()) {
        m_deferred.push_back([this, job, result] { onPage(job, result); });
        return;
    }
    Node *node = job->base.isValid() ? findNode(job->base) : m_root.get();
    if (!node || !node->extra || node->extra->fetchToken != job->token ||
        node->extra->fetch != FetchState::Loading)
        return; // a reply for a load that was superseded or a node that is gone
    if (!result) {
        if (job->skipUsed && result.error().kind() == Error::Kind::InvalidParams) {
            // The server does not take a cursor it did not make: page the plain way.
            job->skip = false;
            job->skipUsed = false;
            m_skipSubtrees = false;
            job->cursor = job->serverCursor;
            requestPage(job);
            return;
        }
        finishFetch(node, &result.error());
        return;
    }
    const ListPage &page = result.value();
    const qsizetype baseDepth = job->base.depth();
    auto belongs = [&](const Path &p) {
        return p.depth() == baseDepth + 1 && (baseDepth == 0 || job->base.isAncestorOf(p));
    };

    std::vector<Node *> fresh;
    std::vector<Node *> changed;
    if (job->phase == FetchJob::Phase::Entries) {
        for (const Entry &e : page.entries) {
            if (!belongs(e.path))
                continue;
            const QString name = e.path.lastSegment();
            Node *child = tree::findChild(node, name);
            if (!child) {
                child = new Node;
                child->parent = node;
                child->name = name;
                child->set(Node::FolderUnknown);
                child->set(Node::Fresh);
                ++m_nodeCount;
                fresh.push_back(child);
            } else {
                changed.push_back(child);
            }
            if (!child->hasValue())
                ++m_leafCount;
            child->set(Node::HasValue);
            child->type = typeId(e.type);
            child->preview.setText(values::preview(e.value, kPreviewChars));
            child->revision = e.revision;
        }
    } else {
        for (const QString &rendered : page.paths) {
            if (job->seen.contains(rendered))
                continue;
            job->seen.insert(rendered);
            const auto parsed = Path::parse(rendered);
            if (!parsed || !belongs(*parsed))
                continue;
            const QString name = parsed->lastSegment();
            if (tree::findChild(node, name))
                continue; // a value child listed before: nothing new
            Node *child = new Node;
            child->parent = node;
            child->name = name;
            child->set(Node::MayHaveChildren);
            child->set(Node::Fresh);
            ++m_nodeCount;
            fresh.push_back(child);
        }
    }
    insertChildren(node, std::move(fresh));
    emitDataChanged(changed);

    if (page.nextCursor.isEmpty()) {
        if (job->phase == FetchJob::Phase::Entries) {
            job->phase = FetchJob::Phase::Prefixes;
            job->cursor.clear();
            job->serverCursor.clear();
            job->skipUsed = false;
            requestPage(job);
        } else {
            finishFetch(node, nullptr);
        }
        return;
    }
    job->cursor = page.nextCursor;
    job->serverCursor = page.nextCursor;
    job->skipUsed = false;
    if (job->phase == FetchJob::Phase::Prefixes) {
        // The server's cursor is the last entry it read: below a value child, it shows
        // that child is a folder too.
        const auto last = Path::parse(page.nextCursor);
        if (last && last->depth() > baseDepth + 1 &&
            (baseDepth == 0 || job->base.isAncestorOf(*last))) {
            Node *child = tree::findChild(node, last->segments().at(baseDepth));
            if (child && child->has(Node::FolderUnknown))
                childFoundToBeFolder(child);
        }
        if (job->skip && !page.paths.isEmpty()) {
            // Continue after everything under the last child listed instead of paging
            // through its descendants (a cursor is compared as a string by the server).
            const QString skip = page.paths.last() + QLatin1Char('/') + QChar(0xdbff) +
                                 QChar(0xdfff) + QChar(0xdbff) + QChar(0xdfff);
            if (job->cursor.toUtf8() < skip.toUtf8()) {
                job->cursor = skip;
                job->skipUsed = true;
            }
        }
    }
    requestPage(job);
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
    if (node != m_root.get())
        emitDataChanged({node});
    const QModelIndex index = indexOf(node);
    emit loadingChanged(index, false);
    if (error)
        emit loadFailed(index, x.error);
}

void StoreTreeModel::queueProbe(Node *node) const
{
    if (m_source != Source::Http || !node->has(Node::FolderUnknown) || node->has(Node::ProbeQueued))
        return;
    node->set(Node::ProbeQueued);
    m_probeQueue.append(renderedPathOf(node));
    if (!m_probeTimer.isActive())
        m_probeTimer.start();
}

void StoreTreeModel::runProbes()
{
    while (m_probesInFlight < kMaxProbesInFlight && !m_probeQueue.isEmpty() && m_transport) {
        // Most recently shown first.
        const QString rendered = m_probeQueue.takeLast();
        ListOptions options;
        options.limit = 1;
        options.select = ListOptions::Select::Keys;
        ++m_probesInFlight;
        ++m_requestCount;
        m_transport->list(m_store, rendered + QStringLiteral("/**"), options)
            .then(this,
                  [this, rendered](const Result<ListPage> &result) {
                      --m_probesInFlight;
                      onProbe(rendered, result);
                      runProbes();
                  })
            .onCanceled(this, [this, rendered] {
                --m_probesInFlight;
                onProbe(rendered, Result<ListPage>::failure(Error(Error::Kind::Cancelled)));
                runProbes();
            });
    }
}

void StoreTreeModel::onProbe(const QString &rendered, const Result<ListPage> &result)
{
    if (mutationsBlocked()) {
        m_deferred.push_back([this, rendered, result] { onProbe(rendered, result); });
        return;
    }
    const auto path = Path::parse(rendered);
    Node *n = path ? findNode(*path) : nullptr;
    if (!n || !n->has(Node::FolderUnknown))
        return;
    n->set(Node::ProbeQueued, false);
    if (!result) {
        // Not worth an error on a row that shows its value fine; reload() looks again.
        n->set(Node::FolderUnknown, false);
        return;
    }
    if (result->paths.isEmpty() && result->entries.isEmpty()) {
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
