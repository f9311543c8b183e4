#include "WriteQueue.h"

#include "SdkProtocol.h"
#include "protocol/JsonBytes.h"

#include <utility>

namespace dust {

WriteQueue::Step WriteQueue::nextStep(const Write &write, bool seenInLog, qint64 snapshotSeq)
{
    switch (write.stage) {
    case Write::Stage::Queued:
        return Step::Send;
    case Write::Stage::Sent:
        return Step::Wait;
    case Write::Stage::MaybeSent:
        // Never send twice what already committed (an increment would count twice).
        if (write.echoSeq || seenInLog)
            return Step::Done;
        // A snapshot replaced the ops after the send: whether this one committed cannot be
        // seen any more, and sending it again could apply it twice.
        if (snapshotSeq > write.sentAtSeq && !write.request.safeToRepeat())
            return Step::OutcomeUnknown;
        return Step::Send;
    }
    return Step::Wait;
}

WriteQueue::Write &WriteQueue::enqueue(SdkWriteRequest request, SdkWriteDone done)
{
    Write write;
    write.clientOpId = sdk::makeClientOpId();
    write.payload = request.payload(write.clientOpId);
    write.request = std::move(request);
    write.done = std::move(done);
    m_writes.push_back(std::move(write));
    m_byOpId.insert(m_writes.back().clientOpId, std::prev(m_writes.end()));
    return m_writes.back();
}

WriteQueue::Write *WriteQueue::find(const QString &clientOpId)
{
    const auto it = m_byOpId.constFind(clientOpId);
    return it == m_byOpId.cend() ? nullptr : &**it;
}

void WriteQueue::noteEcho(QByteArrayView clientOpId, qint64 storeSeq)
{
    if (m_byOpId.isEmpty() || clientOpId.isEmpty())
        return;
    const auto it = m_byOpId.constFind(jsonbytes::textFromUtf8(clientOpId));
    if (it != m_byOpId.cend())
        (*it)->echoSeq = storeSeq;
}

void WriteQueue::markAnswersLost()
{
    for (Write &write : m_writes) {
        if (write.stage == Write::Stage::Sent)
            write.stage = Write::Stage::MaybeSent;
    }
}

void WriteQueue::complete(const QString &clientOpId, Result<WriteResult> result)
{
    const auto found = m_byOpId.constFind(clientOpId);
    if (found == m_byOpId.cend())
        return;
    const auto it = *found;
    SdkWriteDone done = std::move(it->done);
    m_byOpId.erase(found);
    m_writes.erase(it);
    if (done)
        done(std::move(result));
}

void WriteQueue::flush(qint64 snapshotSeq, const std::function<bool(const QString &)> &seenInLog,
                       const std::function<bool(Write &)> &send)
{
    for (auto it = m_writes.begin(); it != m_writes.end();) {
        Write &write = *it;
        ++it; // `write` may be removed below
        switch (nextStep(write,
                         write.stage == Write::Stage::MaybeSent && !write.echoSeq &&
                             seenInLog(write.clientOpId),
                         snapshotSeq)) {
        case Step::Send:
            if (!send(write))
                return;
            break;
        case Step::Wait:
            break;
        case Step::Done: {
            WriteResult result;
            result.storeSeq = write.echoSeq.value_or(0);
            complete(write.clientOpId, std::move(result));
            break;
        }
        case Step::OutcomeUnknown: {
            Error error(Error::Kind::Network,
                        QStringLiteral("the connection dropped before the server acknowledged "
                                       "the write, and the server has since compacted its log, "
                                       "so whether it was applied cannot be told; it was not "
                                       "sent again"));
            error.setReason(QStringLiteral("outcome_unknown"));
            error.setPath(write.request.path.rendered());
            complete(write.clientOpId, Result<WriteResult>::failure(error));
            break;
        }
        }
    }
}

void WriteQueue::failAll(const Error &error)
{
    std::list<Write> writes = std::exchange(m_writes, {});
    m_byOpId.clear();
    for (Write &write : writes) {
        Error e = error;
        e.setPath(write.request.path.rendered());
        if (write.stage != Write::Stage::Queued && e.kind() != Error::Kind::Forbidden)
            e.setDetail(e.detail() + QStringLiteral(" (the write was sent before; it may have "
                                                    "been applied)"));
        if (write.done)
            write.done(Result<WriteResult>::failure(e));
    }
}

void WriteQueue::closeAll(const Error &closed)
{
    std::list<Write> writes = std::exchange(m_writes, {});
    m_byOpId.clear();
    for (Write &write : writes) {
        Error error = closed;
        if (write.stage != Write::Stage::Queued)
            error.setDetail(QStringLiteral("the transport was closed before the write was "
                                           "acknowledged; it may have been applied"));
        if (write.done)
            write.done(Result<WriteResult>::failure(error));
    }
}

} // namespace dust
