#pragma once

#include "StoreTreeNode.h"
#include "StoreTreeSnapshot.h"
#include "TreeFilter.h"

#include <QStringList>

#include <memory>
#include <optional>

namespace dust::tree {

// A tree built from a snapshot, ready to be swapped into the model.
struct BuiltTree
{
    std::unique_ptr<Node> root;
    QStringList typeNames; // index 0 is "" (no value); node types index into it
    qint64 seq = 0;
    qsizetype leafCount = 0;
    qsizetype nodeCount = 0;
    qsizetype invalidPaths = 0; // leaves skipped because their path was not a valid path
    // What the filter shows, when one was given.
    std::optional<FilterOutcome> filtered;
    quint64 filterGeneration = 0;
};

// Builds the node tree of `snapshot` (pure computation: any thread). Segment names are
// interned, children end up in natural order, row hints are set. With an active `filter`
// the filter's hits are computed too. `cancel` (polled) abandons the build.
BuiltTree buildTree(const StoreTreeSnapshot &snapshot, const TreeFilter &filter = {},
                    const std::atomic_bool *cancel = nullptr);

} // namespace dust::tree
