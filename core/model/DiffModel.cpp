#include "model/DiffModel.h"

#include "protocol/Values.h"

#include <QJsonDocument>

#include <algorithm>

namespace dust {

DiffModel::DiffModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void DiffModel::setChanges(const QList<DiffChange> &changes)
{
    beginResetModel();
    m_all.clear();
    m_all.reserve(changes.size());
    for (const DiffChange &change : changes) {
        Row row;
        row.path = change.path;
        row.before = change.before;
        row.after = change.after;
        row.beforeUnknown = change.beforeUnknown;
        row.afterUnknown = change.afterUnknown;
        if (row.before.isUndefined())
            row.kind = Kind::Added;
        else if (row.after.isUndefined())
            row.kind = Kind::Removed;
        else
            row.kind = Kind::Changed;
        m_all.append(std::move(row));
    }
    std::sort(m_all.begin(), m_all.end(),
              [](const Row &a, const Row &b) { return a.path < b.path; });
    refilter();
    endResetModel();
}

void DiffModel::clear()
{
    setChanges({});
}

QString DiffModel::setFilter(const QString &pattern)
{
    const QString trimmed = pattern.trimmed();
    Glob glob;
    if (!trimmed.isEmpty()) {
        auto compiled = Glob::compile(trimmed);
        if (!compiled)
            return tr("\"%1\" is not a glob pattern (%2).")
                .arg(trimmed, globErrorName(compiled.error()));
        glob = *compiled;
    }
    beginResetModel();
    m_pattern = trimmed;
    m_glob = glob;
    refilter();
    endResetModel();
    return {};
}

void DiffModel::setSideTitles(const QString &before, const QString &after)
{
    m_beforeTitle = before;
    m_afterTitle = after;
    emit headerDataChanged(Qt::Horizontal, BeforeColumn, AfterColumn);
}

void DiffModel::refilter()
{
    m_shown.clear();
    m_shown.reserve(m_all.size());
    for (int i = 0; i < m_all.size(); ++i) {
        if (m_glob.isValid()) {
            const auto path = Path::parse(m_all.at(i).path);
            if (!path || !m_glob.matches(*path))
                continue;
        }
        m_shown.append(i);
    }
}

int DiffModel::count(Kind kind) const
{
    return static_cast<int>(std::count_if(m_all.cbegin(), m_all.cend(),
                                          [kind](const Row &r) { return r.kind == kind; }));
}

int DiffModel::rowOf(const QString &path) const
{
    for (int i = 0; i < m_shown.size(); ++i) {
        if (m_all.at(m_shown.at(i)).path == path)
            return i;
    }
    return -1;
}

QString DiffModel::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Added:
        return tr("added");
    case Kind::Changed:
        return tr("changed");
    case Kind::Removed:
        return tr("removed");
    }
    return {};
}

QString DiffModel::valueText(const QJsonValue &value, int maxChars, bool unknown)
{
    if (unknown)
        return tr("null or absent (the op log no longer tells)");
    if (value.isUndefined())
        return tr("(absent)");
    return values::preview(value, maxChars);
}

int DiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_shown.size());
}

int DiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DiffModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = rowAt(index.row());
    switch (role) {
    case PathRole:
        return row.path;
    case KindRole:
        return int(row.kind);
    case BeforeRole:
        return QVariant::fromValue(row.before);
    case AfterRole:
        return QVariant::fromValue(row.after);
    case UnknownSideRole:
        return row.beforeUnknown || row.afterUnknown;
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole: {
        const int max = role == Qt::DisplayRole ? 120 : 1000;
        switch (index.column()) {
        case PathColumn:
            return row.path;
        case KindColumn:
            return kindName(row.kind);
        case BeforeColumn:
            return valueText(row.before, max, row.beforeUnknown);
        case AfterColumn:
            return valueText(row.after, max, row.afterUnknown);
        default:
            return {};
        }
    }
    default:
        return {};
    }
}

QVariant DiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case PathColumn:
        return tr("Path");
    case KindColumn:
        return tr("Change");
    case BeforeColumn:
        return m_beforeTitle.isEmpty() ? tr("Before") : m_beforeTitle;
    case AfterColumn:
        return m_afterTitle.isEmpty() ? tr("After") : m_afterTitle;
    default:
        return {};
    }
}

} // namespace dust
