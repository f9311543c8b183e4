#pragma once

#include "LeafSink.h"
#include "StoreWrite.h"
#include "protocol/Entry.h"
#include "protocol/Path.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace dust::lite {

// The rules of writes, over any set of leaves (LeafSink) and with no storage of their own:
// which requests are valid, what their preconditions and the lease rules allow, and what each
// op does to the leaves. StoreDb runs them against its database, history queries against a
// replay of the op log.
class LeafOps
{
public:
    // What an op did: on success the value its event carries (the set value, the new total,
    // the whole member set, null for a delete); on failure the wire reason.
    struct Applied
    {
        bool ok = true;
        QJsonValue eventValue;
        QString reason;
    };

    // What a valid write stores once its preconditions hold.
    struct Plan
    {
        std::optional<WriteResult> answer; // set: the write ends here, writing nothing
        QJsonValue value;                  // the op's input as the op log keeps it
        QJsonObject replyExtra;            // lease/renew: token, expires_at, holder
    };

    // A lease envelope's state for a reader at some instant (dust-protocol.md §3.4).
    enum class LeaseState { Absent, Live, Expired, Occupied };

    // Why a write is rejected before it reads the store, empty when it is valid. `extra`
    // receives extra error fields (the op of an *_unsupported_op).
    static QString validate(const WriteRequest &request, QJsonObject *extra);
    // The same for one op of a batch_write: set and delete only, no if_absent.
    static QString validateBatchOp(const WriteRequest &request, QJsonObject *extra);

    // Checks a valid write against the current leaves at `nowMs` (if_match, if_absent, a
    // fence, the lease rules) and works out what it stores: a lease envelope whose token is
    // `seq`, a renewed envelope, null for delete and release, else the request's value. An
    // increment whose total would not be a finite double is refused (increment_overflow,
    // with a message) and the counter keeps its value.
    static Plan plan(LeafSink &leaves, const WriteRequest &request, qint64 seq, qint64 nowMs);
    // Applies one op to the leaves (dust-protocol.md §3.2–3.5, §5.6). `value` is the op's
    // input: the set value, merge object, delta, member, file ref or lease envelope.
    static Applied apply(LeafSink &leaves, Op op, const Path &path, const QJsonValue &value,
                         qint64 seq);
    // True for the ops whose event value (increment: the total; add/remove: the member set)
    // differs from their input, so the op log keeps it too.
    static bool logsEventValue(Op op);
    // The result of an op committed at `seq`, with the event to broadcast.
    static WriteResult committed(Op op, const Path &path, qint64 seq, const QJsonValue &eventValue,
                                 const QString &deviceId, const QString &clientOpId);

    static LeaseState leaseState(const std::optional<LeafRow> &leaf, qint64 nowMs);
    static std::optional<qint64> leaseToken(const std::optional<LeafRow> &leaf);
    // True when both are absent or both hold the same value (types and revisions aside).
    static bool sameValue(const std::optional<LeafRow> &a, const std::optional<LeafRow> &b);
};

} // namespace dust::lite
