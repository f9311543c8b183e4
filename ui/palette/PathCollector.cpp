#include "palette/PathCollector.h"

#include <QAbstractItemModel>
#include <QList>

namespace dust {

QStringList PathCollector::collect(const QAbstractItemModel *model, int pathRole, int limit)
{
    QStringList paths;
    if (!model || limit <= 0)
        return paths;
    QList<QModelIndex> level{QModelIndex()};
    while (!level.isEmpty() && paths.size() < limit) {
        QList<QModelIndex> next;
        for (const QModelIndex &parent : std::as_const(level)) {
            const int rows = model->rowCount(parent);
            for (int row = 0; row < rows && paths.size() < limit; ++row) {
                const QModelIndex child = model->index(row, 0, parent);
                const QString path = child.data(pathRole).toString();
                if (!path.isEmpty())
                    paths.append(path);
                next.append(child);
            }
            if (paths.size() >= limit)
                break;
        }
        level = std::move(next);
    }
    return paths;
}

} // namespace dust
