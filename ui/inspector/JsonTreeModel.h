#pragma once

#include <QAbstractItemModel>
#include <QJsonValue>

#include <memory>
#include <vector>

namespace dust {

// A read-only tree over a JSON value: the members of an object or an array are the top
// rows (a scalar is one row), each with its key (an object key, or the index of an array
// item), a preview of its value ("{3 keys}", "[5 items]" for containers) and its JSON type.
// Rows are built lazily: a node is made the first time a view asks for its index, so a
// value of a hundred thousand items costs nothing until it is looked at.
class JsonTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { KeyColumn, ValueColumn, TypeColumn, ColumnCount };

    explicit JsonTreeModel(QObject *parent = nullptr);
    ~JsonTreeModel() override;

    // Replaces the whole tree (a model reset).
    void setValue(const QJsonValue &value);
    const QJsonValue &value() const;
    // The JSON value at `index` (the whole value for an invalid index).
    QJsonValue valueAt(const QModelIndex &index) const;
    // How many nodes have been built so far (the invisible root included).
    qsizetype builtNodes() const { return m_built; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    struct Node;
    Node *nodeOf(const QModelIndex &index) const;
    Node *childOf(Node *parent, int row) const;
    static int childCount(const Node *node);

    std::unique_ptr<Node> m_root;
    mutable qsizetype m_built = 0;
};

} // namespace dust
