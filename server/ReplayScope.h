#pragma once

#include "PathOrder.h"

#include <QString>
#include <QStringList>

#include <set>

namespace dust::lite {

// The subtrees a history query looks at: leaves at or under one of `roots` (all leaves when
// `all`). Roots never nest.
struct ReplayScope
{
    // Above this many distinct paths touched, history queries replay the whole store rather
    // than only the touched subtrees.
    static constexpr qsizetype kMaxRoots = 20000;

    bool all = true;
    std::set<QString, PathOrder::Less> roots;

    // The scope of the leaves that ops at `paths` can change: every leaf when there are more
    // than kMaxRoots of them.
    static ReplayScope fromPaths(const QStringList &paths);
    // The subtree at `path` alone.
    static ReplayScope subtree(const QString &path);

    // Whether a leaf at `path` is in scope.
    bool contains(const QString &path) const { return all || hasSelfOrAncestor(path); }
    // Whether an op at `path` can change a leaf in scope.
    bool relevant(const QString &path) const
    {
        return all || hasSelfOrAncestor(path) || hasDescendant(path);
    }

private:
    bool hasSelfOrAncestor(const QString &path) const;
    bool hasDescendant(const QString &path) const;
};

} // namespace dust::lite
