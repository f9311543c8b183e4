#include "TreeChanges.h"

#include "NaturalSort.h"

#include <algorithm>

namespace dust::tree {

namespace {

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

QString shortPreview(const QString &preview)
{
    if (preview.size() <= kPreviewChars)
        return preview;
    return preview.left(kPreviewChars - 1) + QChar(0x2026);
}

bool isRemoval(const MirrorLeafChange &c)
{
    return c.kind == MirrorLeafChange::Kind::Removed;
}

} // namespace

void sortByPath(std::vector<MirrorLeafChange> &changes)
{
    std::sort(changes.begin(), changes.end(),
              [](const MirrorLeafChange &a, const MirrorLeafChange &b) {
                  return segmentsLess(a.path.segments(), b.path.segments());
              });
}

ValueWrites writeValues(Node *root, const std::vector<MirrorLeafChange> &changes,
                        const std::function<quint16(const QString &)> &typeId)
{
    ValueWrites out;
    QHash<Node *, size_t> insertSlot; // existing parent -> its entry in out.inserts
    std::vector<Node *> stack{root};
    const QStringList *previous = nullptr;
    for (const MirrorLeafChange &c : changes) {
        if (isRemoval(c))
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
                child = findChild(node, name);
                if (!child) {
                    const auto slot = insertSlot.constFind(node);
                    if (slot != insertSlot.constEnd()) {
                        Node *last = out.inserts[slot.value()].second.back();
                        if (last->name == name)
                            child = last;
                    }
                }
            }
            if (!child) {
                // Owned by its parent once attached (fresh parents at once, others when the
                // caller inserts them).
                child = Node::create(node, name, Node::Fresh).release();
                ++out.nodesAdded;
                if (node->has(Node::Fresh)) {
                    node->children.push_back(child);
                } else {
                    auto slot = insertSlot.find(node);
                    if (slot == insertSlot.end()) {
                        slot = insertSlot.insert(node, out.inserts.size());
                        out.inserts.emplace_back(node, std::vector<Node *>{});
                    }
                    out.inserts[slot.value()].second.push_back(child);
                }
            }
            stack.push_back(child);
            node = child;
        }
        previous = &segments;
        if (!node->hasValue())
            ++out.leavesAdded;
        node->set(Node::HasValue);
        node->set(Node::FolderUnknown, false);
        node->type = typeId(c.type);
        node->preview.setText(shortPreview(c.preview));
        node->revision = c.revision;
        if (!node->has(Node::Fresh))
            out.updated.push_back(node);
        out.written.push_back(node);
    }
    return out;
}

ValueRemovals removeValues(Node *root, const std::vector<MirrorLeafChange> &changes)
{
    ValueRemovals out;
    QHash<Node *, size_t> doomedKids;
    for (const MirrorLeafChange &c : changes) {
        if (!isRemoval(c))
            continue;
        Node *n = findNode(root, c.path.segments());
        if (!n || !n->hasValue())
            continue;
        n->set(Node::HasValue, false);
        n->type = 0;
        n->preview.clear();
        n->revision = 0;
        ++out.leavesRemoved;
        if (!n->children.empty()) {
            out.emptied.push_back(n);
            continue;
        }
        out.doomed.insert(n);
        for (Node *p = n->parent; p != root && !p->hasValue(); p = p->parent) {
            if (++doomedKids[p] < p->children.size())
                break;
            out.doomed.insert(p);
        }
    }
    return out;
}

QHash<Node *, std::vector<Node *>> ValueRemovals::topmostByParent() const
{
    QHash<Node *, std::vector<Node *>> byParent;
    for (Node *n : doomed) {
        if (!doomed.contains(n->parent))
            byParent[n->parent].push_back(n);
    }
    return byParent;
}

} // namespace dust::tree
