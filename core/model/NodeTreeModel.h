#pragma once

#include "LazyTreeLoader.h"
#include "RecentChangeTracker.h"
#include "StoreTreeNode.h"
#include "TreeFilter.h"
#include "protocol/Path.h"
#include "sync/MirrorChangeBatch.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QList>
#include <QStringList>
#include <QThreadPool>

#include <memory>
#include <vector>

namespace dust {

namespace tree {
struct BuiltTree;
} // namespace tree

// A tree of tree::Node as a Qt item model: one row per node, children in natural order
// (naturalCompare: item2 < item10, case-insensitive first, total and stable). Columns: name,
// type, value preview (short, never the whole of a big value), revision. A node may hold a
// value, children, or both.
//
// It keeps the rows views see in step with the tree through precise edits only (row
// insertions and removals in runs of adjacent rows, dataChanged per parent), so selections,
// expansion and persistent indexes survive: leaf changes (applyLeafChanges), children found
// by a listing (mergeListedChildren), subtrees removed. With a filter shown
// (showFilterOutcome) rows are the filter's matches and their ancestors, and edits keep
// them so. Whole trees are swapped in with one model reset (installTree, resetTree).
// Nodes whose value changed recently carry ChangedAtRole (msecs since the epoch) for
// recentWindow() ms, and their ancestors ChangedBelowRole; their expiry is a batched
// dataChanged. A folder without a value shows its child count in the value column. For
// assistive technology, a row's name cell describes the whole row (path, type, value)
// through Qt::AccessibleDescriptionRole.
//
// StoreTreeModel fills it from its sources. Lives on one thread (the GUI thread).
class NodeTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, TypeColumn, ValueColumn, RevisionColumn, ColumnCount };
    enum Role {
        PathRole = Qt::UserRole + 1, // QString: the rendered path
        SegmentsRole,                // QStringList: the raw segments
        NameRole,                    // QString: the node's segment
        TypeRole,                    // QString: the value's type ("" for a pure folder)
        PreviewRole,                 // QString: short preview of the value
        RevisionRole,                // qint64, or invalid for a pure folder
        HasValueRole,                // bool
        HasChildrenRole,             // bool (also true for unloaded folders)
        LoadingRole,                 // bool: children are being listed
        ErrorRole,                   // QString: why listing the children failed
        ChangedAtRole,               // qint64 msecs since epoch, while recently changed
        MatchesFilterRole,           // bool: matches the filter (not only an ancestor)
        ChangedBelowRole, // qint64 msecs since epoch, while a descendant changed recently
        ChildCountRole,   // int: children in the tree (loaded ones, over REST)
    };
    Q_ENUM(Role)
    // Where the nodes come from: a mirror's leaves (all loaded), or lazy REST listings
    // (folders may have children not loaded yet).
    enum class Source { Mirror, Http };

    explicit NodeTreeModel(QObject *parent = nullptr);
    ~NodeTreeModel() override;

    // --- QAbstractItemModel -------------------------------------------------------------
    QModelIndex index(int row, int column,
                      const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QHash<int, QByteArray> roleNames() const override;
    using QAbstractItemModel::parent;

    // --- Lookup -------------------------------------------------------------------------
    // The row of the node at `path` (column `column`), in O(depth); invalid when there is no
    // such node (not loaded yet, or hidden by the filter).
    QModelIndex index(const Path &path, int column = 0) const;
    // The path of a row (invalid for the root).
    Path pathOf(const QModelIndex &index) const;

    Source source() const { return m_source; }
    // Leaves (nodes with a value) and nodes in the tree, filter or not.
    qsizetype leafCount() const { return m_leafCount; }
    qsizetype nodeCount() const { return m_nodeCount; }
    // Loading state and last error of a node; the invalid index means the root.
    bool isLoading(const QModelIndex &index = QModelIndex()) const;
    QString errorText(const QModelIndex &index = QModelIndex()) const;

    // --- Filter -------------------------------------------------------------------------
    const TreeFilter &filter() const { return m_filter; }
    // Whether the rows shown are the filter's (a filter has been applied and is active).
    bool isFiltered() const { return m_filterActive; }

    // --- Recently changed ---------------------------------------------------------------
    void setRecentWindow(int ms) { m_recent.setWindow(ms); }
    int recentWindow() const { return m_recent.window(); }
    qsizetype recentCount() const { return m_recent.count(); }

protected:
    // A view asked about `node` (its data, or whether it has children).
    virtual void nodeAsked(tree::Node *node) const { Q_UNUSED(node); }

    tree::Node *rootNode() const { return m_root.get(); }
    tree::Node *nodeOf(const QModelIndex &index) const;
    QModelIndex indexOf(tree::Node *node, int column = 0) const;
    tree::Node *findNode(const Path &path) const;
    void setSourceKind(Source source) { m_source = source; }
    // The filter to show; showFilterOutcome() makes it shown.
    void setFilterSpec(const TreeFilter &filter) { m_filter = filter; }
    // Threads for work off this one (builds, filter runs, freeing old trees); waited for
    // on destruction.
    QThreadPool &pool() { return m_pool; }

    // --- Edits ----------------------------------------------------------------------------
    // A new detached node under `parent` (flagged Fresh), counted; insertChildren()
    // attaches it.
    tree::Node *newNode(tree::Node *parent, const QString &name, quint16 nodeFlags);
    // Applies one chunk of leaf changes (each path at most once).
    void applyLeafChanges(std::vector<MirrorLeafChange> changes);
    // Adds the children a listing found under `node` (new rows) and updates the values of
    // those it already has.
    void mergeListedChildren(tree::Node *node, const QList<ListedChild> &children);
    // Attaches the fresh nodes `kids` (new subtrees) under `parent`.
    void insertChildren(tree::Node *parent, std::vector<tree::Node *> kids);
    // Removes and deletes these children of `parent`, with their subtrees.
    void removeChildren(tree::Node *parent, std::vector<tree::Node *> doomed);
    void emitDataChanged(const std::vector<tree::Node *> &nodes, const QList<int> &roles = {});

    // --- Whole trees ----------------------------------------------------------------------
    // Replaces the tree with an empty `root` (one model reset).
    void resetTree(std::unique_ptr<tree::Node> root);
    // Replaces the tree with `built` (one model reset). Its filter result is shown when it
    // is `filterCurrent` (made with the filter shown now) and complete; otherwise, with an
    // active filter, nothing is shown filtered and the filter must be run again.
    enum class FilterState { Unfiltered, Filtered, NeedsRun };
    FilterState installTree(tree::BuiltTree &built, bool filterCurrent);
    // Shows `outcome` (or everything, when null) in one layout change.
    void showFilterOutcome(FilterOutcome *outcome);

private:
    const tree::NodeList &viewList(const tree::Node *node) const;
    bool isShown(const tree::Node *node) const;
    int rowOf(tree::Node *node) const;
    bool nodeHasChildren(const tree::Node *node) const;
    quint16 typeId(const QString &type);
    void insertRuns(tree::Node *parent, tree::NodeList &list, const std::vector<tree::Node *> &kids,
                    bool structural);
    void revealChain(tree::Node *parent, std::vector<tree::Node *> visibleKids);
    void hideIfEmpty(tree::Node *node);
    // Uncounts the subtree under `top` before it is deleted.
    void forgetSubtree(tree::Node *top);
    TreeFilter::State filterStateOf(const tree::Node *node) const;
    bool computeSubtreeVisibility(tree::Node *top, TreeFilter::State parentState);
    void disposeTree(std::unique_ptr<tree::Node> root);
    void disposeShown(ShownMap shown);

    std::unique_ptr<tree::Node> m_root;
    QStringList m_typeNames; // index 0 is "" (no value); node types index into it
    QHash<QString, quint16> m_typeIds;
    qsizetype m_leafCount = 0;
    qsizetype m_nodeCount = 0;
    Source m_source = Source::Mirror;

    TreeFilter m_filter;
    bool m_filterActive = false;
    ShownMap m_shown; // what the filter shows, while m_filterActive

    RecentChangeTracker m_recent;

    // Declared last so it is destroyed (and waited for) first.
    QThreadPool m_pool;
};

} // namespace dust
