#pragma once

#include "protocol/Path.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace dust {

// One change a person asked for, exactly as it will be written: what the preview shows
// ("op, path, value"), what the edit controller sends, and what undo needs to go back.
// Forms and dialogs make them; they never write to a transport themselves.
struct EditRequest
{
    enum class Kind {
        Set,          // value; ifMatch = the revision shown, or ifAbsent for a create
        Delete,       // ifMatch = the revision shown (a leaf), none for a subtree
        Merge,        // value is an object: its top-level keys are written under path
        Increment,    // value is the delta (a number): the server adds it, never read-modify-write
        AddMember,    // value is the member added to a set
        RemoveMember, // value is the member removed from a set
        LeaseRenew,   // leaseToken, leaseTtlMs
        LeaseRelease, // leaseToken
        PutFile,      // fileContent, fileName, contentType
        // value written with the type `valueType` kept (a file's metadata, a counter's total,
        // a set's members), through the store's import (`POST …/import`, dust-protocol.md
        // §4.7): how an undo puts back what a plain set cannot. No precondition on the wire.
        PutTyped,
    };

    Kind kind = Kind::Set;
    Path path;
    QJsonValue value;

    // Preconditions (set and delete only, dust-protocol.md §3.4).
    std::optional<qint64> ifMatch;
    bool ifAbsent = false;

    // What the person was looking at when they made the change: the conflict dialog's
    // "base", and what an undo writes back. baseValue is undefined when nothing was there.
    QJsonValue baseValue = QJsonValue(QJsonValue::Undefined);
    QString baseType;
    qint64 baseRevision = 0;

    // Leases.
    qint64 leaseToken = 0;
    qint64 leaseTtlMs = 30000;

    // PutTyped: the type to keep.
    QString valueType;

    // put_file.
    QByteArray fileContent;
    QString fileName;
    QString contentType;

    // The op's wire name: "set", "delete", "merge", "increment", "add", "remove", "renew",
    // "release", "put_file"; "import" for PutTyped.
    QString opName() const;
    // What will be written, in one line for a preview or the undo history:
    // `set users/alice/name = "Bob" (if revision 12)`. Long values are cut at `maxValueChars`
    // characters with an ellipsis; a file says its name and size, not its bytes.
    QString summary(int maxValueChars = 120) const;
};

} // namespace dust
