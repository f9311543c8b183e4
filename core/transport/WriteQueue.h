#pragma once

#include "SdkWriteRequest.h"

#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <list>
#include <optional>

namespace dust {

// The writes of one store, in the order issued, from the call until the server's answer
// (dust-protocol.md §5.5). Each carries a unique client_op_id. A write is queued until its
// store is live, then sent; one sent but unanswered when the connection (or the channel)
// went away may have committed, and is settled by the next flush: done if the catch-up
// showed its client_op_id, sent again if that cannot apply it twice, and failed with
// outcome_unknown otherwise.
class WriteQueue
{
public:
    struct Write
    {
        enum class Stage {
            Queued,    // never sent (or the server did not know the channel)
            Sent,      // sent on the current connection; the answer is awaited
            MaybeSent, // sent, but the connection went away before the answer
        };
        QString clientOpId;
        SdkWriteRequest request;
        QJsonObject payload; // of the `write` event
        SdkWriteDone done;
        Stage stage = Stage::Queued;
        std::optional<qint64> echoSeq; // the store_seq of its event, once seen
        qint64 sentAtSeq = -1;         // the mirror's seq when it was last sent
    };

    // What a flush does with a write.
    enum class Step {
        Send,          // send it (again)
        Wait,          // its answer is awaited
        Done,          // it committed: done without sending again
        OutcomeUnknown // whether it committed cannot be told and repeating it is unsafe
    };

    // The step for `write` when the store's log showed its client_op_id (`seenInLog`) or
    // not, and the last snapshot of a catch-up stands at `snapshotSeq` (the ops a snapshot
    // covers were never seen one by one).
    static Step nextStep(const Write &write, bool seenInLog, qint64 snapshotSeq);

    bool isEmpty() const { return m_writes.empty(); }
    // Queues `request` at the end under a new client_op_id and returns it.
    Write &enqueue(SdkWriteRequest request, SdkWriteDone done);
    Write *find(const QString &clientOpId);
    // The event with `clientOpId` (UTF-8) was seen at `storeSeq`.
    void noteEcho(QByteArrayView clientOpId, qint64 storeSeq);
    // Every write awaiting its answer will not get it (the connection or channel went away).
    void markAnswersLost();
    // Removes the write and calls its `done` with `result`.
    void complete(const QString &clientOpId, Result<WriteResult> result);

    // Takes every write through nextStep() in order. `seenInLog(clientOpId)` asks the
    // store's mirror; `send(write)` sends one and says whether the store is still live
    // (the flush stops when it is not).
    void flush(qint64 snapshotSeq, const std::function<bool(const QString &)> &seenInLog,
               const std::function<bool(Write &)> &send);

    // Fails every write with `error` (with its path); one already sent says it may have
    // been applied.
    void failAll(const Error &error);
    // Fails every write as the transport closes: `closed` for those never sent, and for the
    // others `closed` saying they may have been applied.
    void closeAll(const Error &closed);

private:
    std::list<Write> m_writes;                           // in the order issued
    QHash<QString, std::list<Write>::iterator> m_byOpId; // by client_op_id
};

} // namespace dust
