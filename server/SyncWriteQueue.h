#pragma once

#include "protocol/PhoenixMessage.h"

#include <QJsonObject>

#include <deque>
#include <optional>

namespace dust::lite {

// What one WebSocket sent while one of its writes commits on a pool thread: the frames wait
// here, in order, and are handled once that write is answered, so a connection's writes
// commit and are answered in the order it sent them. Bounded in frames and in bytes; a frame
// past either bound is refused (tooManyResponse()). No sockets, no database.
class SyncWriteQueue
{
public:
    // `maxFrames` and `maxBytes` <= 0 = unbounded.
    SyncWriteQueue(int maxFrames, qint64 maxBytes);

    // A write is committing, or frames wait behind one: a new frame must wait too.
    bool busy() const { return m_writing || !m_waiting.empty(); }
    bool writing() const { return m_writing; }
    // A write starts committing; the next frame waits until finishWrite().
    void startWrite() { m_writing = true; }
    void finishWrite() { m_writing = false; }

    // Puts a frame of `bytes` bytes at the end of the queue; false (and nothing kept) when the
    // queue already holds its limit of frames or of bytes.
    bool push(PhoenixMessage message, qint64 bytes);
    // The oldest waiting frame, taken out of the queue; nullopt while a write is committing or
    // when none waits.
    std::optional<PhoenixMessage> takeNext();
    void clear();
    qsizetype waitingFrames() const { return qsizetype(m_waiting.size()); }

    // The error response of a refused frame: reason too_many_pending_writes, what to do, the
    // limit.
    QJsonObject tooManyResponse() const;

private:
    struct Waiting
    {
        PhoenixMessage message;
        qint64 bytes = 0;
    };

    int m_maxFrames;
    qint64 m_maxBytes;
    std::deque<Waiting> m_waiting;
    qint64 m_waitingBytes = 0;
    bool m_writing = false;
};

} // namespace dust::lite
