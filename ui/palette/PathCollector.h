#pragma once

#include <QStringList>

class QAbstractItemModel;
class QModelIndex;

namespace dust {

// The rendered paths a tree model holds, breadth first (shallow paths first), at most
// `limit` of them, for the palette's fuzzy "go to path". Reads only rows the model has
// (never fetchMore), so a lazy tree gives what was listed. Bounded work on the GUI thread:
// it stops at `limit` rows visited.
class PathCollector
{
public:
    static constexpr int defaultLimit() { return 20000; }

    // `pathRole` is the model's role holding the rendered path (NodeTreeModel::PathRole).
    static QStringList collect(const QAbstractItemModel *model, int pathRole,
                               int limit = defaultLimit());
};

} // namespace dust
