#include "inspector/JsonTreeModel.h"

#include "protocol/Values.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <limits>

namespace dust {

// A container (object or array) that a view opened: the parent of the indexes of its
// members. Members themselves are read from the container's value by row, so a row costs
// nothing until it is opened.
struct JsonTreeModel::Node
{
    QJsonValue value;
    int row = 0;
    Node *parent = nullptr;
    bool wrapsScalar = false; // the root of a scalar: its one row is the value itself
    std::vector<std::unique_ptr<Node>> children; // sized on first use, filled as opened
};

namespace {

int clampedCount(qsizetype n)
{
    return static_cast<int>(qMin<qsizetype>(n, std::numeric_limits<int>::max()));
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("null");
}

} // namespace

JsonTreeModel::JsonTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{
    setValue(QJsonValue());
}

JsonTreeModel::~JsonTreeModel() = default;

void JsonTreeModel::setValue(const QJsonValue &value)
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_root->value = value;
    m_root->wrapsScalar = !value.isObject() && !value.isArray() && !value.isUndefined();
    m_built = 1;
    m_topRows = std::min(childCount(value, m_root->wrapsScalar), kFirstTopRows);
    endResetModel();
}

int JsonTreeModel::totalTopRows() const
{
    return childCount(m_root->value, m_root->wrapsScalar);
}

bool JsonTreeModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_topRows < totalTopRows();
}

void JsonTreeModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    // Doubling: the end of a quarter of a million items is a few scrolls away.
    const int more = std::min(totalTopRows() - m_topRows, std::max(m_topRows, kFirstTopRows));
    beginInsertRows(QModelIndex(), m_topRows, m_topRows + more - 1);
    m_topRows += more;
    endInsertRows();
}

const QJsonValue &JsonTreeModel::value() const
{
    return m_root->value;
}

QJsonValue JsonTreeModel::valueAt(const QModelIndex &index) const
{
    return index.isValid() ? memberValue(parentNode(index), index.row()) : m_root->value;
}

int JsonTreeModel::childCount(const QJsonValue &value, bool wrapsScalar)
{
    if (wrapsScalar)
        return 1;
    if (value.isArray())
        return clampedCount(value.toArray().size());
    if (value.isObject())
        return clampedCount(value.toObject().size());
    return 0;
}

JsonTreeModel::Node *JsonTreeModel::parentNode(const QModelIndex &index)
{
    return static_cast<Node *>(index.internalPointer());
}

QJsonValue JsonTreeModel::memberValue(const Node *container, int row)
{
    if (container->wrapsScalar)
        return container->value;
    if (container->value.isArray())
        return container->value.toArray().at(row);
    const QJsonObject object = container->value.toObject();
    return (object.constBegin() + row).value();
}

QString JsonTreeModel::memberKey(const Node *container, int row)
{
    if (container->wrapsScalar)
        return QString();
    if (container->value.isArray())
        return QString::number(row);
    const QJsonObject object = container->value.toObject();
    return (object.constBegin() + row).key();
}

JsonTreeModel::Node *JsonTreeModel::containerOf(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root.get();
    Node *parent = parentNode(index);
    const int row = index.row();
    if (parent->children.empty())
        parent->children.resize(
            static_cast<size_t>(childCount(parent->value, parent->wrapsScalar)));
    std::unique_ptr<Node> &slot = parent->children[static_cast<size_t>(row)];
    if (!slot) {
        slot = std::make_unique<Node>();
        slot->parent = parent;
        slot->row = row;
        slot->value = memberValue(parent, row);
        ++m_built;
    }
    return slot.get();
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || row >= rowCount(parent))
        return {};
    // An index points at its container: its members need no node of their own.
    return createIndex(row, column, containerOf(parent));
}

QModelIndex JsonTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const Node *container = parentNode(child);
    if (container == m_root.get())
        return {};
    return createIndex(container->row, 0, container->parent);
}

int JsonTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return m_topRows;
    if (parent.column() != 0)
        return 0;
    const Node *container = parentNode(parent);
    if (container->wrapsScalar)
        return 0;
    return childCount(memberValue(container, parent.row()), false);
}

int JsonTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool JsonTreeModel::hasChildren(const QModelIndex &parent) const
{
    return rowCount(parent) > 0;
}

QVariant JsonTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const Node *container = parentNode(index);
    if (index.column() == KeyColumn)
        return memberKey(container, index.row());
    const QJsonValue value = memberValue(container, index.row());
    switch (index.column()) {
    case ValueColumn:
        if (value.isArray()) {
            const qsizetype n = value.toArray().size();
            return n == 1 ? tr("[1 item]") : tr("[%1 items]").arg(n);
        }
        if (value.isObject()) {
            const qsizetype n = value.toObject().size();
            return n == 1 ? tr("{1 key}") : tr("{%1 keys}").arg(n);
        }
        return values::preview(value, role == Qt::ToolTipRole ? 2000 : 200);
    case TypeColumn:
        return typeName(value);
    default:
        return {};
    }
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn:
        return tr("Key");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    default:
        return {};
    }
}

Qt::ItemFlags JsonTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (!hasChildren(index))
        f |= Qt::ItemNeverHasChildren;
    return f;
}

} // namespace dust
