#include "window/TreeQueries.h"

#include "model/StoreTreeModel.h"

#include <QTreeView>

#include <algorithm>
#include <deque>

namespace dust::treequeries {

namespace {

// Calls `visit(child)` for the rows under `top`, breadth first, while it returns true; only
// rows with children are descended into.
template <typename Visit>
void walk(const StoreTreeModel &model, const QModelIndex &top, Visit visit)
{
    std::deque<QModelIndex> queue{top};
    while (!queue.empty()) {
        const QModelIndex parent = queue.front();
        queue.pop_front();
        const int rows = model.rowCount(parent);
        for (int r = 0; r < rows; ++r) {
            const QModelIndex child = model.index(r, 0, parent);
            if (!visit(child))
                return;
            if (child.data(StoreTreeModel::ChildCountRole).toInt() > 0)
                queue.push_back(child);
        }
    }
}

} // namespace

qsizetype countBelow(const StoreTreeModel &model, const QModelIndex &folder, qsizetype cap)
{
    qsizetype count = 0;
    walk(model, folder, [&](const QModelIndex &) { return ++count < cap; });
    return count;
}

qint64 leavesBelow(const StoreTreeModel &model, const QModelIndex &node)
{
    const QModelIndex top = node.siblingAtColumn(0);
    qint64 count = top.data(StoreTreeModel::HasValueRole).toBool() ? 1 : 0;
    walk(model, top, [&](const QModelIndex &child) {
        if (child.data(StoreTreeModel::HasValueRole).toBool())
            ++count;
        return true;
    });
    return count;
}

QList<Path> expandedPaths(const QTreeView &view, const StoreTreeModel &model, qsizetype max)
{
    QList<Path> paths;
    std::deque<QModelIndex> queue{QModelIndex()};
    while (!queue.empty() && paths.size() < max) {
        const QModelIndex parent = queue.front();
        queue.pop_front();
        const int rows = model.rowCount(parent);
        for (int r = 0; r < rows; ++r) {
            const QModelIndex child = model.index(r, 0, parent);
            if (view.isExpanded(child)) {
                paths.append(model.pathOf(child));
                queue.push_back(child);
            }
        }
    }
    return paths;
}

QList<Path> topMost(QList<Path> paths)
{
    std::sort(paths.begin(), paths.end());
    QList<Path> top;
    for (const Path &path : std::as_const(paths)) {
        if (top.isEmpty() ||
            !(path == top.last() || path.rendered().startsWith(top.last().descendantPrefix())))
            top.append(path);
    }
    return top;
}

} // namespace dust::treequeries
