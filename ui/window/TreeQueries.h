#pragma once

#include "protocol/Path.h"

#include <QList>
#include <QModelIndex>

class QTreeView;

namespace dust {

class StoreTreeModel;

// Questions about the store tree as it is loaded (breadth-first walks over the model's rows).
namespace treequeries {

// Paths below `folder` (rows of every depth), counting up to `cap` at most.
qsizetype countBelow(const StoreTreeModel &model, const QModelIndex &folder, qsizetype cap);
// The values at or under `node` (the node's own value too).
qint64 leavesBelow(const StoreTreeModel &model, const QModelIndex &node);
// The open folders of `view`, breadth first, at most `max`.
QList<Path> expandedPaths(const QTreeView &view, const StoreTreeModel &model, qsizetype max);
// `paths` sorted, without duplicates and without those under another one (they go with it).
QList<Path> topMost(QList<Path> paths);

} // namespace treequeries

} // namespace dust
