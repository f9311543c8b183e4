#include "RecentChangeDelegate.h"

#include "model/StoreTreeModel.h"

#include <QDateTime>
#include <QPainter>

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
    const qint64 changedAt = index.data(StoreTreeModel::ChangedAtRole).toLongLong();
    const double s = strength(changedAt, QDateTime::currentMSecsSinceEpoch());
    if (s > 0.0) {
        // A warm amber that reads on light and dark palettes, strongest right after the
        // change.
        QColor glow(255, 176, 32);
        glow.setAlphaF(float(0.55 * s));
        painter->fillRect(option.rect, glow);
    }
    QStyledItemDelegate::paint(painter, option, index);
}

} // namespace dust
