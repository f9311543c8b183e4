#pragma once

#include "protocol/JsonBytes.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace dust::tree {

struct Node;
struct NodeExtra;

// A vector of Node pointers in one word. Empty: nullptr. One item: the item itself (most
// folders hold a single child or none, so no heap block at all). More: a tagged pointer
// to a heap block holding size, capacity and the items. A million nodes with empty or
// single-child lists make the 16+ bytes saved per node over std::vector add up. Only what
// the tree needs.
class NodeList
{
public:
    using value_type = Node *;
    using iterator = Node **;
    using const_iterator = Node *const *;
    using reverse_iterator = std::reverse_iterator<iterator>;

    NodeList() = default;
    NodeList(std::initializer_list<Node *> items) { assign(items.begin(), items.end()); }
    NodeList(const NodeList &other) { assign(other.begin(), other.end()); }
    NodeList(NodeList &&other) noexcept
        : m_p(std::exchange(other.m_p, nullptr))
    {}
    NodeList &operator=(const NodeList &other)
    {
        if (this != &other)
            assign(other.begin(), other.end());
        return *this;
    }
    NodeList &operator=(NodeList &&other) noexcept
    {
        std::swap(m_p, other.m_p);
        return *this;
    }
    ~NodeList() { clear(); }

    size_t size() const
    {
        if (!m_p)
            return 0;
        return heap() ? header()->size : 1;
    }
    bool empty() const { return m_p == nullptr || (heap() && header()->size == 0); }
    iterator begin() { return data(); }
    iterator end() { return data() + size(); }
    const_iterator begin() const { return data(); }
    const_iterator end() const { return data() + size(); }
    reverse_iterator rbegin() { return reverse_iterator(end()); }
    reverse_iterator rend() { return reverse_iterator(begin()); }
    Node *operator[](size_t i) const { return data()[i]; }
    Node *&operator[](size_t i) { return data()[i]; }
    Node *back() const { return data()[size() - 1]; }

    void push_back(Node *n) { insert(end(), &n, &n + 1); }
    iterator insert(const_iterator pos, Node *n) { return insert(pos, &n, &n + 1); }
    template <typename It> iterator insert(const_iterator pos, It first, It last)
    {
        const size_t at = size_t(pos - begin());
        const size_t count = size_t(std::distance(first, last));
        const size_t n = size();
        if (count == 0)
            return begin() + at;
        if (n + count == 1 && !heap()) {
            m_p = *first; // the single item lives in the handle itself
            return begin();
        }
        grow(n + count);
        Node **p = data();
        std::memmove(p + at + count, p + at, (n - at) * sizeof(Node *));
        std::copy(first, last, p + at);
        header()->size = quint32(n + count);
        return p + at;
    }
    iterator erase(const_iterator first, const_iterator last)
    {
        const size_t at = size_t(first - begin());
        const size_t count = size_t(last - first);
        if (count == 0)
            return begin() + at;
        if (!heap()) { // the single item goes
            m_p = nullptr;
            return begin();
        }
        Node **p = data();
        std::memmove(p + at, p + at + count, (header()->size - at - count) * sizeof(Node *));
        header()->size -= quint32(count);
        return p + at;
    }
    iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
    template <typename It> void assign(It first, It last)
    {
        clear();
        insert(begin(), first, last);
    }
    void reserve(size_t n)
    {
        if (n > 1)
            grow(n);
    }
    void clear()
    {
        if (heap())
            std::free(header());
        m_p = nullptr;
    }
    void swap(NodeList &other) noexcept { std::swap(m_p, other.m_p); }

private:
    struct Header
    {
        quint32 size;
        quint32 capacity;
    };
    bool heap() const { return (reinterpret_cast<quintptr>(m_p) & 1) != 0; }
    Header *header() const
    {
        return reinterpret_cast<Header *>(reinterpret_cast<quintptr>(m_p) & ~quintptr(1));
    }
    Node **data() const
    {
        if (heap())
            return reinterpret_cast<Node **>(header() + 1);
        return const_cast<Node **>(&m_p);
    }
    void grow(size_t needed)
    {
        const bool onHeap = heap();
        const size_t cap = onHeap ? header()->capacity : 1;
        if (onHeap && needed <= cap)
            return;
        const size_t want = std::max<size_t>({needed, cap + cap / 2, 2});
        Header *old = onHeap ? header() : nullptr;
        auto *d = static_cast<Header *>(std::realloc(old, sizeof(Header) + want * sizeof(Node *)));
        if (!d)
            qBadAlloc();
        if (!onHeap) {
            Node *single = m_p;
            d->size = single ? 1 : 0;
            reinterpret_cast<Node **>(d + 1)[0] = single;
        }
        d->capacity = quint32(want);
        m_p = reinterpret_cast<Node *>(reinterpret_cast<quintptr>(d) | 1);
    }

    Node *m_p = nullptr;
};

// Immutable UTF-8 text in one word (a value preview): the length and bytes in one heap
// block. Previews are read only to be shown, so they stay compact until then.
class CompactText
{
public:
    CompactText() = default;
    explicit CompactText(std::string_view utf8) { setUtf8(utf8); }
    explicit CompactText(QStringView text) { setText(text); }
    CompactText(const CompactText &other) { setUtf8(other.utf8()); }
    CompactText &operator=(const CompactText &other)
    {
        if (this != &other)
            setUtf8(other.utf8());
        return *this;
    }
    CompactText(CompactText &&other) noexcept
        : m_d(std::exchange(other.m_d, nullptr))
    {}
    CompactText &operator=(CompactText &&other) noexcept
    {
        std::swap(m_d, other.m_d);
        return *this;
    }
    ~CompactText() { std::free(m_d); }

    bool isEmpty() const { return m_d == nullptr; }
    std::string_view utf8() const
    {
        if (!m_d)
            return {};
        quint32 len = 0;
        std::memcpy(&len, m_d, sizeof len);
        return {m_d + sizeof len, len};
    }
    QString toString() const
    {
        const std::string_view v = utf8();
        return jsonbytes::textFromUtf8(QByteArrayView(v.data(), qsizetype(v.size())));
    }
    void setText(QStringView text)
    {
        const QByteArray bytes = text.toUtf8();
        setUtf8(std::string_view(bytes.constData(), size_t(bytes.size())));
    }
    void setUtf8(std::string_view utf8)
    {
        std::free(m_d);
        m_d = nullptr;
        if (utf8.empty())
            return;
        const quint32 len = quint32(std::min<size_t>(utf8.size(), 0xffffffffu));
        m_d = static_cast<char *>(std::malloc(sizeof len + len));
        if (!m_d)
            qBadAlloc();
        std::memcpy(m_d, &len, sizeof len);
        std::memcpy(m_d + sizeof len, utf8.data(), len);
    }
    void clear()
    {
        std::free(m_d);
        m_d = nullptr;
    }

private:
    char *m_d = nullptr;
};

// One node of StoreTreeModel's own light tree: a path segment. It may hold a value (a leaf
// of the store), children, or both. Children are owned and kept in natural order
// (naturalCompare of their names). What only few nodes need (a name index for wide
// folders, lazy-loading state) lives in `extra`.
struct Node
{
    enum Flag : quint16 {
        HasValue = 0x01,
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
    NodeList children;   // owned, natural order
    QString name;        // the raw segment (empty for the root)
    CompactText preview; // short, one-line value preview
    qint64 revision = 0;
    std::unique_ptr<NodeExtra> extra;
    int row = 0;       // hint: this node's row under its parent as last shown
    quint16 type = 0;  // index into the model's type names; 0 = no value
    quint16 flags = 0; // Flag bits

    bool has(Flag f) const { return (flags & f) != 0; }
    void set(Flag f, bool on = true) { flags = on ? quint16(flags | f) : quint16(flags & ~f); }
    bool hasValue() const { return has(HasValue); }

    NodeExtra &ensureExtra();

    // A new node named `name` under `parent` with the Flag bits `flags`, not yet among
    // `parent`'s children: the caller puts it there (or into a list of nodes to attach).
    static std::unique_ptr<Node> create(Node *parent, const QString &name, quint16 flags = 0);
};

enum class FetchState : quint8 { NotFetched, Loading, Done, Failed };

struct NodeExtra
{
    // name -> child, for wide folders; built on first lookup, kept up to date after that.
    QHash<QString, Node *> lookup;
    bool lookupBuilt = false;

    // Lazy loading.
    FetchState fetch = FetchState::NotFetched;
    quint32 fetchToken = 0; // identifies the current load; stale replies are ignored
    QString error;          // why the last load failed
};

// Value previews are cut to this many characters (the Mirror makes them this long already).
constexpr int kPreviewChars = 80;

// Children with at least this many entries get a name index (O(1) lookup by name).
constexpr size_t kLookupThreshold = 32;

// The child of `parent` named `name`, or nullptr: a hash lookup on wide folders, a binary
// search (by natural order) otherwise.
Node *findChild(Node *parent, const QString &name);
// Where `name` goes among `parent`'s children in natural order (the first child not less).
size_t lowerBound(const NodeList &list, QStringView name);
// Keeps the name index of `parent` up to date after children were added or removed.
void indexAdded(Node *parent, Node *child);
void indexRemoved(Node *parent, Node *child);

// The node at `segments` below `root` (`root` itself for none), or nullptr.
Node *findNode(Node *root, const QStringList &segments);
// The raw segments of `node`'s path (empty for the root) and their rendered form.
QStringList segmentsOf(const Node *node);
QString renderedPathOf(const Node *node);

// Visits every node of the subtree under `top` (including `top`), parents first.
template <typename F> void forEachInSubtree(Node *top, F &&visit)
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
