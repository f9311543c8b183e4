#include "RecentChangeDelegate.h"

#include "model/StoreTreeModel.h"

#include <QDateTime>
#include <QPainter>
#include <QTreeView>

#include <algorithm>

namespace dust {

RecentChangeDelegate::RecentChangeDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{}

double RecentChangeDelegate::strength(qint64 changedAtMs, qint64 nowMs) const
{
    if (changedAtMs <= 0 || m_windowMs <= 0)
        return 0.0;
    const double age = double(std::max<qint64>(0, nowMs - changedAtMs));
    return std::clamp(1.0 - age / double(m_windowMs), 0.0, 1.0);
}

void RecentChangeDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 changedAt = index.data(StoreTreeModel::ChangedAtRole).toLongLong();
    double s = strength(changedAt, now);
    double alpha = 0.55;
    if (s <= 0.0) {
        // A change somewhere inside a closed folder: the folder glows faintly, so the change
        // can be found.
        const auto *view = qobject_cast<const QTreeView *>(parent());
        const QModelIndex first = index.siblingAtColumn(0);
        if (!view || !view->isExpanded(first)) {
            s = strength(first.data(StoreTreeModel::ChangedBelowRole).toLongLong(), now);
            alpha = 0.22;
        }
    }
    if (s > 0.0) {
        // A warm amber that reads on light and dark palettes, strongest right after the
        // change.
        QColor glow(255, 176, 32);
        glow.setAlphaF(float(alpha * s));
        painter->fillRect(option.rect, glow);
    }
    QStyledItemDelegate::paint(painter, option, index);
}

} // namespace dust
