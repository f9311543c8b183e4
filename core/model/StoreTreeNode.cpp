#include "StoreTreeNode.h"

#include "NaturalSort.h"

#include <algorithm>

namespace dust::tree {

Node::~Node()
{
    if (children.empty())
        return;
    // Tear the subtree down with an explicit stack: no recursion, whatever the depth.
    std::vector<Node *> stack(children.begin(), children.end());
    children.clear();
    while (!stack.empty()) {
        Node *n = stack.back();
        stack.pop_back();
        for (Node *c : n->children)
            stack.push_back(c);
        n->children.clear();
        delete n;
    }
}

NodeExtra &Node::ensureExtra()
{
    if (!extra)
        extra = std::make_unique<NodeExtra>();
    return *extra;
}

size_t lowerBound(const NodeList &list, QStringView name)
{
    const auto it =
        std::lower_bound(list.begin(), list.end(), name, [](const Node *n, QStringView v) {
            return naturalCompare(n->name, v) < 0;
        });
    return size_t(it - list.begin());
}

Node *findChild(Node *parent, const QString &name)
{
    NodeList &list = parent->children;
    if (list.size() >= kLookupThreshold) {
        NodeExtra &x = parent->ensureExtra();
        if (!x.lookupBuilt) {
            x.lookup.clear();
            x.lookup.reserve(qsizetype(list.size()));
            for (Node *c : list)
                x.lookup.insert(c->name, c);
            x.lookupBuilt = true;
        }
        return x.lookup.value(name, nullptr);
    }
    const size_t pos = lowerBound(list, name);
    if (pos < list.size() && list[pos]->name == name)
        return list[pos];
    return nullptr;
}

void indexAdded(Node *parent, Node *child)
{
    if (parent->extra && parent->extra->lookupBuilt)
        parent->extra->lookup.insert(child->name, child);
}

void indexRemoved(Node *parent, Node *child)
{
    if (parent->extra && parent->extra->lookupBuilt) {
        parent->extra->lookup.remove(child->name);
        if (parent->children.size() < kLookupThreshold / 2) {
            parent->extra->lookup = {};
            parent->extra->lookupBuilt = false;
        }
    }
}

} // namespace dust::tree
