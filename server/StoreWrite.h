#pragma once

#include "protocol/Entry.h"
#include "protocol/Path.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace dust::lite {

// A lease fence on a non-lease write (dust-protocol.md §3.4).
struct Fence
{
    Path key;
    qint64 token = 0;
};

// One write as the WebSocket `write` event, REST and batch_write describe it.
struct WriteRequest
{
    Op op = Op::Set;
    Path path;
    QJsonValue value;              // set value, merge object, delta, member, ...
    std::optional<qint64> ifMatch; // set/delete only
    bool ifAbsent = false;         // leaf set only
    std::optional<Fence> fence;
    qint64 ttlMs = 30000;        // lease/renew
    QString holder;              // lease
    std::optional<qint64> token; // renew/release
    QString deviceId;            // who wrote it: "dev_…", "http:<token-id>", "system:rollback"
    QString clientOpId;          // echoed in the event; required
    // POST …/import: the leaf's type kept verbatim ("counter", "set", "list", …) for a set of
    // anything but a plain object; empty = derived from the value, as every other write.
    QString type;
};

// The outcome of one write. On success `storeSeq` is the op's seq and `event` is the event to
// broadcast (absent for a no-op release). On failure `reason` is the wire reason
// ("conflict", "exists", "held", "merge_requires_map_value", ...) and `currentRevision` is set
// for conflict/exists (REST reports it; the WS reply omits it).
struct WriteResult
{
    bool ok = false;
    qint64 storeSeq = 0;
    std::optional<ChangeEvent> event;
    QJsonObject replyExtra; // lease/renew: token, expires_at, holder; release no-op: released=false
    QString reason;
    QJsonObject errorExtra; // e.g. op for *_unsupported_op
    std::optional<qint64> currentRevision;

    // A failed write with its reason and extra error fields.
    static WriteResult failed(QString reason, QJsonObject extra = {})
    {
        WriteResult result;
        result.reason = std::move(reason);
        result.errorExtra = std::move(extra);
        return result;
    }
};

// One write of a group commit (StoreDb::writeGroupWith), with where it came from: `viaSocket`
// goes with its event to StoreRegistry::committed.
struct GroupedWrite
{
    WriteRequest request;
    bool viaSocket = false;
};

struct BatchResult
{
    bool ok = false;
    QList<WriteResult> ops; // per op, in order (on success)
    qint64 storeSeq = 0;    // seq of the last op
    int failedIndex = -1;   // on failure: which op
    WriteResult failure;    // on failure: why (nothing was applied)
};

} // namespace dust::lite
