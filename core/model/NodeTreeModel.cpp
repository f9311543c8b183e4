#include "NodeTreeModel.h"

#include "NaturalSort.h"
#include "StoreTreeBuilder.h"
#include "TreeChanges.h"

#include <QDateTime>

#include <algorithm>

namespace dust {

using tree::FetchState;
using tree::Node;
using tree::NodeExtra;

namespace {

constexpr int kColumnCount = NodeTreeModel::ColumnCount;

bool nodeLess(const Node *a, const Node *b)
{
    return naturalCompare(a->name, b->name) < 0;
}

const tree::NodeList &emptyList()
{
    static const tree::NodeList empty;
    return empty;
}

} // namespace

NodeTreeModel::NodeTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
    , m_typeNames{QString()}
    , m_recent(this)
{
    connect(&m_recent, &RecentChangeTracker::expired, this,
            [this](const std::vector<Node *> &nodes) {
                emitDataChanged(nodes, {ChangedAtRole, ChangedBelowRole});
            });
}

NodeTreeModel::~NodeTreeModel()
{
    m_pool.waitForDone();
    m_root.reset();
}

// ---- node helpers --------------------------------------------------------------------------

Node *NodeTreeModel::nodeOf(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root.get();
    Q_ASSERT(index.model() == this);
    return static_cast<Node *>(index.internalPointer());
}

const tree::NodeList &NodeTreeModel::viewList(const Node *node) const
{
    if (!m_filterActive)
        return node->children;
    const auto it = m_shown.constFind(node);
    return it == m_shown.constEnd() ? emptyList() : it->kids;
}

bool NodeTreeModel::isShown(const Node *node) const
{
    return node == m_root.get() || !m_filterActive || m_shown.contains(node);
}

int NodeTreeModel::rowOf(Node *node) const
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

QModelIndex NodeTreeModel::indexOf(Node *node, int column) const
{
    if (!node || node == m_root.get() || !isShown(node))
        return {};
    const int row = rowOf(node);
    if (row < 0)
        return {};
    return createIndex(row, column, node);
}

Node *NodeTreeModel::findNode(const Path &path) const
{
    if (!path.isValid())
        return nullptr;
    return tree::findNode(m_root.get(), path.segments());
}

bool NodeTreeModel::nodeHasChildren(const Node *node) const
{
    if (!viewList(node).empty())
        return true;
    return m_source == Source::Http && node->has(Node::MayHaveChildren);
}

quint16 NodeTreeModel::typeId(const QString &type)
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

Node *NodeTreeModel::newNode(Node *parent, const QString &name, quint16 nodeFlags)
{
    ++m_nodeCount;
    // Owned by `parent` once insertChildren() attached it.
    return Node::create(parent, name, nodeFlags | Node::Fresh).release();
}

// ---- QAbstractItemModel --------------------------------------------------------------------

QModelIndex NodeTreeModel::index(int row, int column, const QModelIndex &parent) const
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

QModelIndex NodeTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    Node *n = nodeOf(child);
    if (!n->parent || n->parent == m_root.get())
        return {};
    return indexOf(n->parent, 0);
}

int NodeTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(viewList(nodeOf(parent)).size());
}

int NodeTreeModel::columnCount(const QModelIndex &parent) const
{
    Q_UNUSED(parent);
    return kColumnCount;
}

bool NodeTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return false;
    Node *n = nodeOf(parent);
    nodeAsked(n);
    return nodeHasChildren(n);
}

QModelIndex NodeTreeModel::index(const Path &path, int column) const
{
    if (column < 0 || column >= kColumnCount)
        return {};
    return indexOf(findNode(path), column);
}

Path NodeTreeModel::pathOf(const QModelIndex &index) const
{
    if (!index.isValid())
        return {};
    auto path = Path::fromSegments(tree::segmentsOf(nodeOf(index)));
    return path ? path.value() : Path();
}

bool NodeTreeModel::isLoading(const QModelIndex &index) const
{
    const Node *n = nodeOf(index);
    return n->extra && n->extra->fetch == FetchState::Loading;
}

QString NodeTreeModel::errorText(const QModelIndex &index) const
{
    const Node *n = nodeOf(index);
    return n->extra ? n->extra->error : QString();
}

// ---- edits ---------------------------------------------------------------------------------

void NodeTreeModel::applyLeafChanges(std::vector<MirrorLeafChange> changes)
{
    tree::sortByPath(changes);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    // 1. Values written: nodes updated in place, new nodes built detached.
    tree::ValueWrites writes = tree::writeValues(
        m_root.get(), changes, [this](const QString &type) { return typeId(type); });
    m_leafCount += writes.leavesAdded;
    m_nodeCount += writes.nodesAdded;
    for (Node *n : writes.written)
        m_recent.mark(n, now);

    // 2. Attach the new nodes: one row insertion per run of adjacent new siblings.
    for (auto &[parent, kids] : writes.inserts)
        insertChildren(parent, std::move(kids));

    // 3. Values removed: a node left without value and children goes, and so do the folders
    //    this leaves empty.
    const tree::ValueRemovals removals = tree::removeValues(m_root.get(), changes);
    m_leafCount -= removals.leavesRemoved;
    std::vector<Node *> updated = std::move(writes.updated); // existing rows that changed
    for (Node *n : removals.emptied) {
        updated.push_back(n);
        m_recent.mark(n, now);
    }
    if (!removals.doomed.isEmpty()) {
        updated.erase(std::remove_if(updated.begin(), updated.end(),
                                     [&](Node *n) { return removals.doomed.contains(n); }),
                      updated.end());
    }
    emitDataChanged(updated);
    if (!removals.doomed.isEmpty()) {
        QHash<Node *, std::vector<Node *>> byParent = removals.topmostByParent();
        for (auto it = byParent.begin(); it != byParent.end(); ++it)
            removeChildren(it.key(), std::move(it.value()));
    }
}

void NodeTreeModel::mergeListedChildren(Node *node, const QList<ListedChild> &children)
{
    std::vector<Node *> fresh;
    std::vector<Node *> changed;
    for (const ListedChild &listed : children) {
        Node *child = tree::findChild(node, listed.name);
        if (!listed.hasValue) {
            if (!child) // otherwise a value child listed before: nothing new
                fresh.push_back(newNode(node, listed.name, Node::MayHaveChildren));
            continue;
        }
        if (!child) {
            child = newNode(node, listed.name, Node::FolderUnknown);
            fresh.push_back(child);
        } else {
            changed.push_back(child);
        }
        if (!child->hasValue())
            ++m_leafCount;
        child->set(Node::HasValue);
        child->type = typeId(listed.type);
        child->preview.setText(listed.preview);
        child->revision = listed.revision;
    }
    insertChildren(node, std::move(fresh));
    emitDataChanged(changed);
}

void NodeTreeModel::insertChildren(Node *parent, std::vector<Node *> kids)
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

void NodeTreeModel::insertRuns(Node *parent, tree::NodeList &list, const std::vector<Node *> &kids,
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

void NodeTreeModel::revealChain(Node *parent, std::vector<Node *> visibleKids)
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

void NodeTreeModel::removeChildren(Node *parent, std::vector<Node *> doomed)
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

void NodeTreeModel::hideIfEmpty(Node *node)
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

void NodeTreeModel::emitDataChanged(const std::vector<Node *> &nodes, const QList<int> &roles)
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

void NodeTreeModel::forgetSubtree(Node *top)
{
    tree::forEachInSubtree(top, [this](Node *n) {
        --m_nodeCount;
        if (n->hasValue())
            --m_leafCount;
        m_recent.forget(n);
        if (m_filterActive)
            m_shown.remove(n);
    });
}

// ---- whole trees and the filter's view -----------------------------------------------------

NodeTreeModel::FilterState NodeTreeModel::installTree(tree::BuiltTree &built, bool filterCurrent)
{
    FilterState state = FilterState::Unfiltered;
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
    m_recent.clear();
    m_filterActive = false;
    disposeShown(std::exchange(m_shown, {}));
    if (m_filter.isActive()) {
        if (built.filtered && !built.filtered->cancelled && filterCurrent) {
            disposeShown(std::exchange(m_shown, std::move(built.filtered->shown)));
            m_filterActive = true;
            state = FilterState::Filtered;
        } else {
            state = FilterState::NeedsRun;
        }
    }
    endResetModel();
    disposeTree(std::move(old));
    return state;
}

void NodeTreeModel::resetTree(std::unique_ptr<Node> root)
{
    beginResetModel();
    std::unique_ptr<Node> old = std::exchange(m_root, std::move(root));
    m_leafCount = 0;
    m_nodeCount = 0;
    m_recent.clear();
    disposeShown(std::exchange(m_shown, {}));
    m_filterActive = m_filter.isActive();
    if (m_filterActive)
        m_shown.emplace(m_root.get(), ShownNode());
    endResetModel();
    disposeTree(std::move(old));
}

void NodeTreeModel::disposeTree(std::unique_ptr<Node> root)
{
    if (!root)
        return;
    if (root->children.empty())
        return; // nothing worth a thread
    // Freeing a million nodes takes a while: not on this thread.
    auto doomed = std::make_shared<std::unique_ptr<Node>>(std::move(root));
    m_pool.start([doomed] { doomed->reset(); });
}

void NodeTreeModel::showFilterOutcome(FilterOutcome *outcome)
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

void NodeTreeModel::disposeShown(ShownMap shown)
{
    if (shown.size() < 1024)
        return; // freed right here
    auto doomed = std::make_shared<ShownMap>(std::move(shown));
    m_pool.start([doomed] { doomed->clear(); });
}

TreeFilter::State NodeTreeModel::filterStateOf(const Node *node) const
{
    TreeFilter::State state;
    for (const QString &segment : tree::segmentsOf(node))
        state = m_filter.step(state, segment);
    return state;
}

bool NodeTreeModel::computeSubtreeVisibility(Node *top, TreeFilter::State parentState)
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

} // namespace dust
