#include "inspector/JsonTreeModel.h"

#include "protocol/Values.h"

#include <QJsonArray>
#include <QJsonObject>

#include <limits>

namespace dust {

struct JsonTreeModel::Node
{
    QJsonValue value;
    QString key; // an object key or an array index, as shown
    int row = 0;
    Node *parent = nullptr;
    bool wrapsScalar = false; // the root of a scalar: its one row is the value itself
    std::vector<std::unique_ptr<Node>> children; // sized on first use, filled lazily
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
    endResetModel();
}

const QJsonValue &JsonTreeModel::value() const
{
    return m_root->value;
}

QJsonValue JsonTreeModel::valueAt(const QModelIndex &index) const
{
    return nodeOf(index)->value;
}

int JsonTreeModel::childCount(const Node *node)
{
    if (node->wrapsScalar)
        return 1;
    if (node->value.isArray())
        return clampedCount(node->value.toArray().size());
    if (node->value.isObject())
        return clampedCount(node->value.toObject().size());
    return 0;
}

JsonTreeModel::Node *JsonTreeModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

JsonTreeModel::Node *JsonTreeModel::childOf(Node *parent, int row) const
{
    if (parent->children.empty())
        parent->children.resize(static_cast<size_t>(childCount(parent)));
    std::unique_ptr<Node> &slot = parent->children[static_cast<size_t>(row)];
    if (!slot) {
        slot = std::make_unique<Node>();
        slot->parent = parent;
        slot->row = row;
        if (parent->wrapsScalar) {
            slot->value = parent->value;
        } else if (parent->value.isArray()) {
            slot->value = parent->value.toArray().at(row);
            slot->key = QString::number(row);
        } else {
            const QJsonObject object = parent->value.toObject();
            const auto it = object.constBegin() + row;
            slot->key = it.key();
            slot->value = it.value();
        }
        ++m_built;
    }
    return slot.get();
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || row >= rowCount(parent))
        return {};
    return createIndex(row, column, childOf(nodeOf(parent), row));
}

QModelIndex JsonTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    Node *parent = nodeOf(child)->parent;
    if (!parent || parent == m_root.get())
        return {};
    return createIndex(parent->row, 0, parent);
}

int JsonTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return childCount(nodeOf(parent));
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
    const Node *node = nodeOf(index);
    switch (index.column()) {
    case KeyColumn:
        return node->key;
    case ValueColumn:
        if (node->value.isArray()) {
            const qsizetype n = node->value.toArray().size();
            return n == 1 ? tr("[1 item]") : tr("[%1 items]").arg(n);
        }
        if (node->value.isObject()) {
            const qsizetype n = node->value.toObject().size();
            return n == 1 ? tr("{1 key}") : tr("{%1 keys}").arg(n);
        }
        return values::preview(node->value, role == Qt::ToolTipRole ? 2000 : 200);
    case TypeColumn:
        return typeName(node->value);
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
