#pragma once

#include "Path.h"

#include <QJsonValue>
#include <QMetaType>
#include <QString>

namespace dust {

// One entry as the REST API and the SDKs return it: a leaf, or an assembled subtree (type
// "map", revision = the highest revision of its leaves). `type` is an open string
// (dust-protocol.md §3.3).
struct Entry
{
    Path path;
    QJsonValue value;
    QString type;
    qint64 revision = 0;

    friend bool operator==(const Entry &, const Entry &) = default;
};

// The operations that appear in the op log and in `event` frames.
enum class Op {
    Set,
    Delete,
    Merge,
    Increment,
    Add,
    Remove,
    PutFile,
    Lease,
    Renew,
    Release,
    Unknown,
};

QString opName(Op op);           // "set", "delete", ..., "put_file"
Op opFromName(QStringView name); // Op::Unknown for anything else

// One committed op as an `event` frame carries it (dust-protocol.md §5.7). `value` is as
// the frame has it: the whole object for a map set, the new total for increment, the whole
// member array for add/remove, null for delete/release.
struct ChangeEvent
{
    qint64 storeSeq = 0;
    Op op = Op::Unknown;
    QString opText; // the op as received (kept for ops this client does not know)
    Path path;
    QJsonValue value;
    QString deviceId;
    QString clientOpId;

    const QStringList &segments() const { return path.segments(); }

    // Decodes an `event` payload. Fails with a readable message on a missing or mistyped
    // field; `path_segments` wins over `path` when both are present.
    static Expected<ChangeEvent, QString> fromJson(const QJsonObject &payload);
    QJsonObject toJson() const;

    friend bool operator==(const ChangeEvent &, const ChangeEvent &) = default;
};

} // namespace dust

Q_DECLARE_METATYPE(dust::Entry)
Q_DECLARE_METATYPE(dust::ChangeEvent)
