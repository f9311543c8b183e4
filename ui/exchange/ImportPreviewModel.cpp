#include "exchange/ImportPreviewModel.h"

#include "protocol/Values.h"

namespace dust {

namespace {

// Internal ids: 0 for a kind row, kind row + 1 for a leaf row under it.
constexpr quintptr kTopLevel = 0;

} // namespace

ImportPreviewModel::ImportPreviewModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

void ImportPreviewModel::setPlan(ImportPlan plan)
{
    beginResetModel();
    m_plan = std::move(plan);
    m_kinds.clear();
    for (const Kind kind : {Kind::Create, Kind::Change, Kind::Remove, Kind::Unchanged}) {
        if (!leavesOf(kind).isEmpty())
            m_kinds.append(kind);
    }
    endResetModel();
}

void ImportPreviewModel::clear()
{
    setPlan(ImportPlan());
}

const QList<PlannedLeaf> &ImportPreviewModel::leavesOf(Kind kind) const
{
    switch (kind) {
    case Kind::Create:
        return m_plan.created;
    case Kind::Change:
        return m_plan.changed;
    case Kind::Remove:
        return m_plan.removed;
    case Kind::Unchanged:
        break;
    }
    return m_plan.unchanged;
}

QString ImportPreviewModel::kindText(Kind kind) const
{
    const int n = int(leavesOf(kind).size());
    switch (kind) {
    case Kind::Create:
        return tr("To create (%n)", nullptr, n);
    case Kind::Change:
        return tr("To change (%n)", nullptr, n);
    case Kind::Remove:
        return tr("To remove (%n)", nullptr, n);
    case Kind::Unchanged:
        break;
    }
    return tr("Unchanged (%n)", nullptr, n);
}

QModelIndex ImportPreviewModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, kTopLevel);
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex ImportPreviewModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kTopLevel)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kTopLevel);
}

int ImportPreviewModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_kinds.size());
    if (parent.internalId() != kTopLevel || parent.column() != 0)
        return 0;
    return int(leavesOf(m_kinds.at(parent.row())).size());
}

int ImportPreviewModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ImportPreviewModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == kTopLevel) {
        if (index.column() == PathColumn &&
            (role == Qt::DisplayRole || role == Qt::AccessibleTextRole))
            return kindText(m_kinds.at(index.row()));
        return {};
    }
    const Kind kind = m_kinds.at(int(index.internalId() - 1));
    const PlannedLeaf &leaf = leavesOf(kind).at(index.row());
    if (role == Qt::ToolTipRole && index.column() != PathColumn)
        return data(index, Qt::DisplayRole);
    if (role != Qt::DisplayRole && role != Qt::AccessibleTextRole)
        return {};
    switch (index.column()) {
    case PathColumn:
        return leaf.path.rendered();
    case TypeColumn:
        if (kind == Kind::Change && leaf.currentType != leaf.type)
            return tr("%1 → %2").arg(leaf.currentType, leaf.type);
        return leaf.type;
    case CurrentColumn:
        return kind == Kind::Create ? QVariant() : QVariant(values::preview(leaf.current));
    case FileColumn:
        return kind == Kind::Remove ? QVariant() : QVariant(values::preview(leaf.value));
    default:
        return {};
    }
}

QVariant ImportPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case PathColumn:
        return tr("Path");
    case TypeColumn:
        return tr("Type");
    case CurrentColumn:
        return tr("Now");
    case FileColumn:
        return tr("In the file");
    default:
        return {};
    }
}

} // namespace dust
