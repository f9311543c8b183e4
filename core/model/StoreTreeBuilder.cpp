#include "StoreTreeBuilder.h"

#include "NaturalSort.h"
#include "protocol/RawPath.h"

#include <algorithm>
#include <numeric>
#include <string_view>

namespace dust::tree {

namespace {

void splitSegments(std::string_view path, std::vector<std::string_view> &out)
{
    out.clear();
    size_t start = 0;
    for (;;) {
        const size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            out.push_back(path.substr(start));
            return;
        }
        out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
}

constexpr size_t kInternSlots = 4096;

bool cancelled(const std::atomic_bool *cancel)
{
    return cancel && cancel->load(std::memory_order_relaxed);
}

} // namespace

BuiltTree buildTree(const StoreTreeSnapshot &snapshot, const TreeFilter &filter,
                    const std::atomic_bool *cancel)
{
    BuiltTree out;
    out.root = std::make_unique<Node>();
    out.seq = snapshot.seq();
    out.typeNames.reserve(snapshot.typeNames().size() + 1);
    out.typeNames.append(QString());
    out.typeNames.append(snapshot.typeNames());

    const qsizetype count = snapshot.size();

    // Leaves normally come in byte-wise path order; anything else is sorted first (stable,
    // so of two leaves with the same path the later one wins).
    bool sorted = true;
    for (qsizetype i = 1; i < count && sorted; ++i)
        sorted = !(snapshot.path(i) < snapshot.path(i - 1));
    std::vector<qsizetype> order;
    if (!sorted) {
        order.resize(size_t(count));
        std::iota(order.begin(), order.end(), qsizetype(0));
        std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) {
            return snapshot.path(a) < snapshot.path(b);
        });
    }

    // Segment names are interned through a small direct-mapped cache: names that repeat
    // (field names of records) share one string, unique ones (ids) cost no table.
    struct InternSlot
    {
        std::string_view key;
        QString name;
    };
    std::vector<InternSlot> names(kInternSlots);
    auto intern = [&](std::string_view rendered) -> const QString & {
        InternSlot &slot = names[std::hash<std::string_view>()(rendered) & (kInternSlots - 1)];
        if (slot.key.data() == nullptr || slot.key != rendered) {
            slot.key = rendered;
            slot.name = rawpath::unescapeSegment(rendered);
        }
        return slot.name;
    };

    std::vector<std::string_view> previous;
    std::vector<std::string_view> segments;
    std::vector<Node *> stack{out.root.get()};
    for (qsizetype k = 0; k < count; ++k) {
        if ((k & 0xffff) == 0 && cancelled(cancel))
            return out;
        const qsizetype i = sorted ? k : order[size_t(k)];
        const std::string_view path = snapshot.path(i);
        if (!rawpath::isValid(path)) {
            ++out.invalidPaths;
            continue;
        }
        splitSegments(path, segments);
        size_t common = 0;
        while (common < segments.size() && common < previous.size() &&
               segments[common] == previous[common])
            ++common;
        stack.resize(common + 1);
        Node *node = stack.back();
        for (size_t d = common; d < segments.size(); ++d) {
            const QString &name = intern(segments[d]);
            // In byte order a name comes back after siblings that extend it with a byte
            // below '/' ("a", "a.b", then "a/x"): look back over those only.
            Node *child = nullptr;
            for (auto it = node->children.rbegin(); it != node->children.rend(); ++it) {
                if ((*it)->name == name) {
                    child = *it;
                    break;
                }
                if (!(*it)->name.startsWith(name))
                    break;
            }
            if (!child) {
                child = Node::create(node, name).release(); // owned by its parent from here
                node->children.push_back(child);
                ++out.nodeCount;
            }
            stack.push_back(child);
            node = child;
        }
        previous.swap(segments);
        if (!node->hasValue())
            ++out.leafCount;
        node->set(Node::HasValue);
        node->type = quint16(snapshot.typeIndex(i) + 1);
        node->preview.setUtf8(snapshot.previewUtf8(i));
        node->revision = snapshot.revision(i);
    }
    names = {};

    // Natural order among siblings, and row hints.
    std::vector<Node *> work{out.root.get()};
    while (!work.empty()) {
        Node *n = work.back();
        work.pop_back();
        auto &kids = n->children;
        if (kids.size() > 1) {
            const auto less = [](const Node *a, const Node *b) {
                return naturalCompare(a->name, b->name) < 0;
            };
            if (!std::is_sorted(kids.begin(), kids.end(), less))
                std::sort(kids.begin(), kids.end(), less);
        }
        if (kids.size() >= kLookupThreshold) {
            // Wide folders get their name index now, off the GUI thread.
            NodeExtra &x = n->ensureExtra();
            x.lookup.reserve(qsizetype(kids.size()));
            for (Node *k : kids)
                x.lookup.insert(k->name, k);
            x.lookupBuilt = true;
        }
        for (size_t r = 0; r < kids.size(); ++r) {
            kids[r]->row = int(r);
            if (!kids[r]->children.empty())
                work.push_back(kids[r]);
        }
        if (cancelled(cancel))
            return out;
    }

    if (filter.isActive())
        out.filtered = collectFilterHits(out.root.get(), {}, filter, cancel);
    return out;
}

} // namespace dust::tree
