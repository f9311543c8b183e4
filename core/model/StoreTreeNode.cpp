#include "StoreTreeNode.h"

#include "NaturalSort.h"
#include "protocol/Path.h"

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

std::unique_ptr<Node> Node::create(Node *parent, const QString &name, quint16 flags)
{
    auto node = std::make_unique<Node>();
    node->parent = parent;
    node->name = name;
    node->flags = flags;
    return node;
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

Node *findNode(Node *root, const QStringList &segments)
{
    Node *n = root;
    for (const QString &segment : segments) {
        n = findChild(n, segment);
        if (!n)
            return nullptr;
    }
    return n;
}

QStringList segmentsOf(const Node *node)
{
    QStringList out;
    for (const Node *n = node; n && n->parent; n = n->parent)
        out.append(n->name);
    std::reverse(out.begin(), out.end());
    return out;
}

QString renderedPathOf(const Node *node)
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

} // namespace dust::tree
