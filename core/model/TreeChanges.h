#pragma once

#include "StoreTreeNode.h"
#include "sync/MirrorChangeBatch.h"

#include <QHash>
#include <QSet>

#include <functional>
#include <utility>
#include <vector>

namespace dust::tree {

// What leaf changes (from the Mirror) do to a node tree, in the two steps a model signals
// around: writeValues() first, then the model inserts the new nodes; removeValues() next,
// then the model removes the nodes it dooms. Both change only what no row signal covers
// (values, and nodes not attached yet); inserting and removing rows is the caller's work.

// Puts `changes` in natural path order: new siblings then arrive in their final order and
// consecutive changes share their ancestors.
void sortByPath(std::vector<MirrorLeafChange> &changes);

struct ValueWrites
{
    // Existing parents with their new children, in the order first met: detached nodes
    // flagged Fresh (their own new descendants already attached below them).
    std::vector<std::pair<Node *, std::vector<Node *>>> inserts;
    std::vector<Node *> updated; // existing nodes whose value was written
    std::vector<Node *> written; // every node whose value was written
    qsizetype leavesAdded = 0;
    qsizetype nodesAdded = 0;
};

// Applies the writes among `changes` (sorted by path) below `root`: existing nodes get their
// new value, missing ones are made. Previews are cut to kPreviewChars; `typeId` gives the
// id of a type name.
ValueWrites writeValues(Node *root, const std::vector<MirrorLeafChange> &changes,
                        const std::function<quint16(const QString &)> &typeId);

struct ValueRemovals
{
    std::vector<Node *> emptied; // lost their value, keep their children
    // Left without value and children, and the folders that leaves empty.
    QSet<Node *> doomed;
    qsizetype leavesRemoved = 0;

    // The doomed nodes whose parent stays, by parent: the rows to remove.
    QHash<Node *, std::vector<Node *>> topmostByParent() const;
};

// Clears the values the removals among `changes` (sorted by path) remove below `root`.
ValueRemovals removeValues(Node *root, const std::vector<MirrorLeafChange> &changes);

} // namespace dust::tree
