#include "history/TimeTravelModel.h"

#include "protocol/Values.h"

#include <QFont>

#include <functional>

namespace dust {

TimeTravelModel::TimeTravelModel(QObject *parent)
    : QStandardItemModel(0, ColumnCount, parent)
{
    setHorizontalHeaderLabels({tr("Name"), tr("Value")});
}

void TimeTravelModel::setLeaves(const Path &root, const QMap<QString, QJsonValue> &leaves,
                                const QSet<QString> &differing)
{
    removeRows(0, rowCount());
    m_items.clear();
    QFont bold;
    bold.setBold(true);
    const QString changedTip = tr("Differs from now");

    // The name item of `path`, made with its ancestors (below `root`) on first use.
    std::function<QStandardItem *(const Path &)> itemFor =
        [&](const Path &path) -> QStandardItem * {
        if (auto found = m_items.constFind(path.rendered()); found != m_items.cend())
            return *found;
        QStandardItem *parentItem = invisibleRootItem();
        QString name = path.rendered();
        if (path.depth() > 1 && (!root.isValid() || path != root)) {
            const Path parent = path.parent();
            if (!root.isValid() || root.isSelfOrAncestorOf(parent))
                parentItem = itemFor(parent);
            name = Path::escapeSegment(path.lastSegment());
        }
        auto *item = new QStandardItem(name);
        item->setEditable(false);
        item->setData(path.rendered(), PathRole);
        auto *value = new QStandardItem;
        value->setEditable(false);
        parentItem->appendRow({item, value});
        m_items.insert(path.rendered(), item);
        return item;
    };

    if (root.isValid() && !leaves.isEmpty())
        itemFor(root);
    for (auto it = leaves.cbegin(); it != leaves.cend(); ++it) {
        const auto path = Path::parse(it.key());
        if (!path)
            continue;
        QStandardItem *item = itemFor(*path);
        QStandardItem *parentItem = item->parent() ? item->parent() : invisibleRootItem();
        QStandardItem *value = parentItem->child(item->row(), ValueColumn);
        value->setText(values::preview(it.value(), 200));
        value->setData(QVariant::fromValue(it.value()), Qt::UserRole);
    }
    // Mark what differs from now, and the folders on the way to it.
    for (const QString &rendered : differing) {
        for (QStandardItem *item = m_items.value(rendered); item; item = item->parent()) {
            item->setFont(bold);
            item->setData(true, DiffersRole);
            item->setToolTip(changedTip);
        }
    }
}

QModelIndex TimeTravelModel::indexOf(const QString &rendered) const
{
    QStandardItem *item = m_items.value(rendered);
    return item ? item->index() : QModelIndex();
}

} // namespace dust
