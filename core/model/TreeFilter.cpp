#include "TreeFilter.h"

#include "StoreTreeNode.h"

namespace dust {

TreeFilter TreeFilter::substring(const QString &text, Qt::CaseSensitivity cs)
{
    TreeFilter f;
    f.m_mode = text.isEmpty() ? Mode::None : Mode::Substring;
    f.m_text = text;
    f.m_cs = cs;
    return f;
}

Expected<TreeFilter, GlobError> TreeFilter::glob(QStringView pattern)
{
    auto compiled = Glob::compile(pattern);
    if (!compiled)
        return Expected<TreeFilter, GlobError>::failure(compiled.error());
    TreeFilter f;
    f.m_mode = Mode::Glob;
    f.m_text = pattern.toString();
    f.m_cs = Qt::CaseSensitive;
    f.m_glob = std::move(compiled).value();
    return f;
}

bool TreeFilter::segmentMatches(int index, QStringView name) const
{
    const auto &segments = m_glob.segments();
    const int count = int(segments.size());
    if (m_glob.endsWithMany() && index >= count - 1)
        return true;
    if (index >= count)
        return false;
    const Glob::Segment &s = segments.at(index);
    switch (s.kind) {
    case Glob::Kind::One:
    case Glob::Kind::Many:
        return true;
    case Glob::Kind::Literal:
        return s.literal == name;
    }
    return false;
}

TreeFilter::State TreeFilter::step(State parent, QStringView name) const
{
    State s{parent.depth + 1, parent.alive};
    if (m_mode == Mode::Glob && s.alive)
        s.alive = segmentMatches(parent.depth, name);
    return s;
}

bool TreeFilter::matches(State s, QStringView name) const
{
    switch (m_mode) {
    case Mode::None:
        return true;
    case Mode::Substring:
        return name.contains(m_text, m_cs);
    case Mode::Glob: {
        if (!s.alive)
            return false;
        const int count = int(m_glob.segments().size());
        return m_glob.endsWithMany() ? s.depth >= count : s.depth == count;
    }
    }
    return false;
}

bool TreeFilter::canMatchBelow(State s) const
{
    if (m_mode != Mode::Glob)
        return true;
    return s.alive && (m_glob.endsWithMany() || s.depth < int(m_glob.segments().size()));
}

bool TreeFilter::matchesPath(const QStringList &segments) const
{
    if (segments.isEmpty())
        return false;
    State s;
    for (const QString &segment : segments)
        s = step(s, segment);
    return matches(s, segments.last());
}

FilterOutcome collectFilterHits(tree::Node *top, TreeFilter::State topState,
                                const TreeFilter &filter, const std::atomic_bool *cancel)
{
    FilterOutcome out;
    struct Frame
    {
        tree::Node *node;
        TreeFilter::State state;
        size_t next; // next child to visit
        bool matches;
        tree::NodeList kids; // shown children found so far
    };
    std::vector<Frame> stack;
    stack.push_back({top, topState, 0, false, {}});
    if (!filter.canMatchBelow(topState)) {
        out.shown.emplace(top, ShownNode());
        return out;
    }

    size_t visited = 0;
    while (!stack.empty()) {
        Frame &f = stack.back();
        if (f.next < f.node->children.size()) {
            tree::Node *child = f.node->children[f.next++];
            if ((++visited & 0xfff) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
                out.cancelled = true;
                out.shown.clear();
                return out;
            }
            const TreeFilter::State s = filter.step(f.state, child->name);
            const bool m = filter.matches(s, child->name);
            const bool below = filter.canMatchBelow(s) && !child->children.empty();
            if (m)
                ++out.matchCount;
            if (below) {
                stack.push_back({child, s, 0, m, {}});
            } else if (m) {
                out.shown.emplace(child, ShownNode{{}, true});
                f.kids.push_back(child);
            }
            continue;
        }
        // Leaving the node: shown when it matches or something below it is shown.
        if (stack.size() == 1) {
            out.shown.emplace(top, ShownNode{std::move(f.kids), false});
            stack.pop_back();
            break;
        }
        tree::Node *node = f.node;
        const bool shown = f.matches || !f.kids.empty();
        if (shown)
            out.shown.emplace(node, ShownNode{std::move(f.kids), f.matches});
        stack.pop_back();
        if (shown)
            stack.back().kids.push_back(node);
    }
    return out;
}

} // namespace dust
