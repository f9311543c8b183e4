#pragma once

#include "exchange/ImportReader.h"
#include "protocol/Entry.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QFuture>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace dust {

// merge: the file's leaves are written, the others under the target stay; replace: the
// leaves under the target that the file does not hold are removed too.
enum class ImportMode { Merge, Replace };

// One leaf of a plan: where it goes (store path), what the file gives and what the store
// held at the preview (`revision` 0 and `current` undefined for a leaf to create).
struct PlannedLeaf
{
    Path path;
    QJsonValue value;   // undefined for a leaf to remove
    QString type;       // the type it will have: the file's, else derived from the value
    bool typed = false; // a type a plain `set` would not give it (counter, set, list, …)
    qint64 revision = 0;
    QJsonValue current;
    QString currentType;
    int line = 0; // in the file; 0 when the format has no lines per leaf
};

// What an import will do, leaf by leaf, as previewed against the store: the file's leaves
// compared with the target subtree's current leaves (a paged REST listing, §4.3) into those
// to create, to change (each with its previewed revision), to remove (replace mode) and
// those already equal (same value and type). A path given twice in the file counts once,
// the later line winning.
class ImportPlan
{
public:
    Path target; // invalid = the store's root
    ImportMode mode = ImportMode::Merge;
    QList<PlannedLeaf> created;
    QList<PlannedLeaf> changed;
    QList<PlannedLeaf> removed;
    QList<PlannedLeaf> unchanged;

    qsizetype writeCount() const { return created.size() + changed.size() + removed.size(); }
    // "12 to create, 3 to change, 0 to remove, 85 unchanged" (removals only in replace mode).
    QString summary() const;

    // Pure: the file's `leaves` (relative to `target`) against the store's `current` leaves
    // at and under `target` (others are ignored).
    // `leaves` is taken by value and emptied as it is read, so a million leaves are not held
    // twice.
    static ImportPlan compare(const Path &target, QList<ImportLeaf> leaves,
                              const QList<Entry> &current, ImportMode mode);
    // Lists `target` and everything under it through `transport` (1,000 leaves a page), then
    // compare(), which runs on a pool thread (continue with `.then(context, …)`); the listing
    // is answered on `context`'s thread. Cancelling the future stops the listing.
    static QFuture<Result<ImportPlan>> build(Transport *transport, const QString &store,
                                             const Path &target, QList<ImportLeaf> leaves,
                                             ImportMode mode, QObject *context);
};

} // namespace dust
