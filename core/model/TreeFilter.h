#pragma once

#include "StoreTreeNode.h"
#include "protocol/Glob.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <atomic>
#include <vector>

namespace dust {

// What StoreTreeModel shows while filtering: the nodes that match and all their ancestors.
//   - Substring: a node matches when its name contains the text (case-insensitive unless
//     asked otherwise).
//   - Glob: a node matches when its whole path matches the pattern (dust-protocol.md §2.3):
//     `users/*` shows the children of users, `users/**` everything under it, `**/x` is not
//     a pattern. Matching runs segment by segment from the root, so whole subtrees that can
//     no longer match are skipped.
// An inactive filter (None, or an empty substring) shows everything.
class TreeFilter
{
public:
    enum class Mode { None, Substring, Glob };

    TreeFilter() = default;
    static TreeFilter substring(const QString &text, Qt::CaseSensitivity cs = Qt::CaseInsensitive);
    static Expected<TreeFilter, GlobError> glob(QStringView pattern);

    Mode mode() const { return m_mode; }
    // The substring, or the pattern as given.
    const QString &text() const { return m_text; }
    Qt::CaseSensitivity caseSensitivity() const { return m_cs; }
    bool isActive() const { return m_mode != Mode::None && !m_text.isEmpty(); }

    // Where matching stands at a node: its depth (the root is 0) and whether the segments
    // so far fit the pattern.
    struct State
    {
        int depth = 0;
        bool alive = true;
    };
    // The state of a child named `name` of a node in state `parent`.
    State step(State parent, QStringView name) const;
    // Whether a node in state `s`, named `name`, matches.
    bool matches(State s, QStringView name) const;
    // Whether a descendant of a node in state `s` can still match.
    bool canMatchBelow(State s) const;
    // Whether the node with these raw segments matches (for single nodes and tests).
    bool matchesPath(const QStringList &segments) const;

    friend bool operator==(const TreeFilter &a, const TreeFilter &b)
    {
        return a.m_mode == b.m_mode && a.m_text == b.m_text && a.m_cs == b.m_cs;
    }

private:
    bool segmentMatches(int index, QStringView name) const;

    Mode m_mode = Mode::None;
    QString m_text;
    Qt::CaseSensitivity m_cs = Qt::CaseInsensitive;
    Glob m_glob;
};

// A node a filter shows: its shown children (a subsequence of its children, same order) and
// whether it matches itself (otherwise it is shown as an ancestor of a match).
struct ShownNode
{
    tree::NodeList kids;
    bool matches = false;
};
// Every shown node has an entry; a node without one is hidden.
using ShownMap = QHash<const tree::Node *, ShownNode>;

struct FilterOutcome
{
    ShownMap shown;
    qsizetype matchCount = 0;
    bool cancelled = false;
};

// Finds what `filter` shows below `top`, whose own state is `topState`: an entry for every
// shown node strictly below `top`, and one for `top` itself holding its shown children
// (`matches` left false: whether `top` matches is the caller's business). Reads the tree
// only (names and children), so it may run on a worker thread while nobody changes the
// tree; `cancel` is polled now and then.
FilterOutcome collectFilterHits(tree::Node *top, TreeFilter::State topState,
                                const TreeFilter &filter, const std::atomic_bool *cancel = nullptr);

} // namespace dust
