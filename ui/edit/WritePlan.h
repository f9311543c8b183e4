#pragma once

#include "edit/EditRequest.h"
#include "protocol/Entry.h"

#include <QJsonValue>
#include <QList>

#include <optional>

namespace dust {

// What one step of an edit sends, and what must still hold on the server when it is sent.
//
// Dust makes only `set` and `delete` of one leaf conditional on the wire (if_match /
// if_absent, dust-protocol.md §3.4): an object value is several leaves, an interior path has
// no leaf revision (the assembled map's revision is the highest of its leaves, §3.2) and a
// merge takes no precondition. For those the plan carries `checks`: reads made just before
// the writes are sent, each comparing the revision and the value found with what the person
// saw. Any mismatch is a conflict and nothing is written. What remains is a short window
// between the read and the write, in which a change by someone else would be overwritten
// (REST-only or not; REST's batch_write cannot take a merge either). Leaf sets and deletes
// keep their wire precondition and have no window.
struct WritePlan
{
    struct Check
    {
        enum class Revision { Any, Equal, AtMost };

        Path path;
        bool expectAbsent = false; // nothing may be there (no leaf, no descendants)
        Revision rule = Revision::Any;
        qint64 revision = 0;
        // Compared (empty objects dropped, as the store drops them) when defined; a value that
        // writes nothing ({}) is expected absent.
        QJsonValue value = QJsonValue(QJsonValue::Undefined);
    };

    QList<Check> checks;       // all read and compared before anything is written
    QList<EditRequest> writes; // sent in order; only Set/Delete keep ifMatch/ifAbsent

    // What the conflict dialog shows when this plan is refused: the entry at `path`, what was
    // expected there (`base`, at `baseRevision`) and what this plan would put there (`mine`).
    Path path;
    QJsonValue base = QJsonValue(QJsonValue::Undefined);
    qint64 baseRevision = 0;
    QJsonValue mine = QJsonValue(QJsonValue::Undefined);

    // The plan that performs `request` as the person asked (conditional as it says).
    static WritePlan forRequest(const EditRequest &request);
    // The plan that takes `request`, committed at `doneSeq`, back to its baseValue, refused if
    // its target changed since (for increments and set members, which commute: the inverse
    // op, unconditionally).
    static WritePlan undoOf(const EditRequest &request, qint64 doneSeq);
    // The plan that performs `request` again after its undo committed at `undoneSeq` (0 when
    // the undo wrote nothing), refused if the target changed since.
    static WritePlan redoOf(const EditRequest &request, qint64 undoneSeq);

    // Whether what was read at a check's path (nullopt: nothing there) satisfies it.
    static bool satisfied(const Check &check, const std::optional<Entry> &seen);
    // The same writes, now conditional on what was seen (an Overwrite after a conflict):
    // `seenAtChecks` per check, `theirs` at `path` for a write refused on the wire.
    WritePlan conditionalOn(const QList<std::optional<Entry>> &seenAtChecks,
                            const std::optional<Entry> &theirs) const;
    // `value` as the store keeps it: plain objects without empty objects inside (Undefined
    // when nothing is left).
    static QJsonValue normalized(const QJsonValue &value);
};

} // namespace dust
