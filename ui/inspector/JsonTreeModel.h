#pragma once

#include <QAbstractItemModel>
#include <QJsonValue>

#include <memory>
#include <vector>

namespace dust {

// A read-only tree over a JSON value: the members of an object or an array are the top
// rows (a scalar is one row), each with its key (an object key, or the index of an array
// item), a preview of its value ("{3 keys}", "[5 items]" for containers) and its JSON type.
// Rows cost nothing: an index points at its container and its member is read from the
// container's value by row; a node is made only for a container a view opens (asks for its
// members), so a value of a hundred thousand items is shown without one allocation per row.
// The top rows come kFirstTopRows at a time (canFetchMore()/fetchMore(), as a view scrolls
// to the end, as in Qt's fetchmore example): a view lays out every row it is given, and a
// quarter of a million of them held the window for 40 ms.
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
    static constexpr int kFirstTopRows = 10000;

    // How many top rows the value has (rowCount() says how many are shown so far).
    int totalTopRows() const;
    // How many container nodes have been built so far (the invisible root included).
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
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

private:
    struct Node;
    // The container an index belongs to (its internal pointer).
    static Node *parentNode(const QModelIndex &index);
    // The node of the container `index` stands for (the root for an invalid index), made
    // when first asked.
    Node *containerOf(const QModelIndex &index) const;
    static QJsonValue memberValue(const Node *container, int row);
    static QString memberKey(const Node *container, int row);
    static int childCount(const QJsonValue &value, bool wrapsScalar);

    std::unique_ptr<Node> m_root;
    mutable qsizetype m_built = 0;
    int m_topRows = 0; // top rows shown
};

} // namespace dust
