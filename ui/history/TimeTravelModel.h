#pragma once

#include "protocol/Path.h"

#include <QJsonValue>
#include <QMap>
#include <QSet>
#include <QStandardItemModel>

namespace dust {

// The read-only tree of the time travel view: the leaves of a subtree at some seq as nested
// rows (name, value), a row whose value then differs from now (or a folder holding one)
// shown in bold with a tooltip saying so. Rebuilt whole by setLeaves(); nothing is editable.
class TimeTravelModel : public QStandardItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, ValueColumn, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1, DiffersRole };

    explicit TimeTravelModel(QObject *parent = nullptr);

    // `leaves`: rendered path → value; paths are shown relative to `root` (the whole store
    // when invalid), `root` itself as the top row when it has a leaf or anything below.
    void setLeaves(const Path &root, const QMap<QString, QJsonValue> &leaves,
                   const QSet<QString> &differing);
    // The row of a rendered path (invalid when not shown).
    QModelIndex indexOf(const QString &rendered) const;

private:
    QHash<QString, QStandardItem *> m_items; // rendered path → its name item
};

} // namespace dust
