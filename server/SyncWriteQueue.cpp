#include "SyncWriteQueue.h"

#include "SyncRequests.h"

namespace dust::lite {

SyncWriteQueue::SyncWriteQueue(int maxFrames, qint64 maxBytes)
    : m_maxFrames(maxFrames)
    , m_maxBytes(maxBytes)
{}

bool SyncWriteQueue::push(PhoenixMessage message, qint64 bytes)
{
    if (m_maxFrames > 0 && qsizetype(m_waiting.size()) >= m_maxFrames)
        return false;
    // What already waits counts, not the frame itself: one frame of any accepted size can
    // always wait.
    if (m_maxBytes > 0 && m_waitingBytes >= m_maxBytes)
        return false;
    m_waitingBytes += bytes;
    m_waiting.push_back(Waiting{std::move(message), bytes});
    return true;
}

std::optional<PhoenixMessage> SyncWriteQueue::takeNext()
{
    if (m_writing || m_waiting.empty())
        return std::nullopt;
    Waiting next = std::move(m_waiting.front());
    m_waiting.pop_front();
    m_waitingBytes -= next.bytes;
    return std::move(next.message);
}

void SyncWriteQueue::clear()
{
    m_waiting.clear();
    m_waitingBytes = 0;
}

QJsonObject SyncWriteQueue::tooManyResponse() const
{
    const QString limit = m_maxFrames > 0 && qsizetype(m_waiting.size()) >= m_maxFrames
                              ? QStringLiteral("%1 requests").arg(m_maxFrames)
                              : QStringLiteral("%1 bytes of requests").arg(m_maxBytes);
    return sync::errorResponse(
        QStringLiteral("too_many_pending_writes"),
        {{QStringLiteral("message"),
          QStringLiteral("this socket already has %1 waiting for its writes to commit: wait for "
                         "the replies to the writes sent before sending more")
              .arg(limit)},
         {QStringLiteral("max_pending"), m_maxFrames},
         {QStringLiteral("max_pending_bytes"), m_maxBytes}});
}

} // namespace dust::lite
