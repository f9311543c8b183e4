#pragma once

#include <QHash>
#include <QString>
#include <QtGlobal>

#include <memory>
#include <span>
#include <vector>

namespace dust::tree {

struct NodeExtra;

// One node of StoreTreeModel's own light tree: a path segment. It may hold a value (a leaf
// of the store), children, or both. Children are owned and kept in natural order
// (naturalCompare of their names). What only few nodes need (a filter's visible children,
// a name index for wide folders, lazy-loading state) lives in `extra`.
struct Node
{
    enum Flag : quint16 {
        HasValue = 0x01,
        // Filter state (meaningful while a filter is active).
        Visible = 0x02, // shown: matches, or has a shown descendant
        Matches = 0x04, // the node itself matches the filter
        // Lazy loading (REST listings).
        MayHaveChildren = 0x08, // known to have descendants that are not loaded yet
        FolderUnknown = 0x10,   // a value whose descendants have not been looked for yet
        ProbeQueued = 0x20,     // a look for descendants is queued or running
        Fresh = 0x40,           // created in the current update, not attached yet
    };

    Node() = default;
    ~Node();
    Node(const Node &) = delete;
    Node &operator=(const Node &) = delete;

    Node *parent = nullptr;
    std::vector<Node *> children; // owned, natural order
    QString name;                 // the raw segment (empty for the root)
    QString preview;              // short, one-line value preview
    qint64 revision = 0;
    std::unique_ptr<NodeExtra> extra;
    int row = 0;       // hint: this node's row under its parent as last shown
    quint16 type = 0;  // index into the model's type names; 0 = no value
    quint16 flags = 0; // Flag bits

    bool has(Flag f) const { return (flags & f) != 0; }
    void set(Flag f, bool on = true) { flags = on ? quint16(flags | f) : quint16(flags & ~f); }
    bool hasValue() const { return has(HasValue); }

    NodeExtra &ensureExtra();

    // Detaches and deletes a subtree without recursion (paths can be very deep).
    static void destroy(Node *node);
};

enum class FetchState : quint8 { NotFetched, Loading, Done, Failed };

struct NodeExtra
{
    // The visible children while a filter is active (a subsequence of `children`).
    std::vector<Node *> shown;
    // name -> child, for wide folders; built on first lookup, kept up to date after that.
    QHash<QString, Node *> lookup;
    bool lookupBuilt = false;

    // Lazy loading.
    FetchState fetch = FetchState::NotFetched;
    quint32 fetchToken = 0; // identifies the current load; stale replies are ignored
    QString error;          // why the last load failed
};

// Children with at least this many entries get a name index (O(1) lookup by name).
constexpr size_t kLookupThreshold = 32;

// The child of `parent` named `name`, or nullptr: a hash lookup on wide folders, a binary
// search (by natural order) otherwise.
Node *findChild(Node *parent, const QString &name);
// Where `name` goes among `parent`'s children in natural order (the first child not less).
size_t lowerBound(const std::vector<Node *> &list, QStringView name);
// Keeps the name index of `parent` up to date after children were added or removed.
void indexAdded(Node *parent, Node *child);
void indexRemoved(Node *parent, Node *child);

// Visits every node of the subtree under `top` (including `top`), parents first.
template <typename F>
void forEachInSubtree(Node *top, F &&visit)
{
    std::vector<Node *> stack{top};
    while (!stack.empty()) {
        Node *n = stack.back();
        stack.pop_back();
        visit(n);
        for (auto it = n->children.rbegin(); it != n->children.rend(); ++it)
            stack.push_back(*it);
    }
}

} // namespace dust::tree
