#pragma once

// A WebSocket client over a bare QTcpSocket, for tests where the defect is at the byte level:
// it upgrades by hand, sends frames masked or not (RFC 6455 §5.2), can stop reading so the
// server's send buffers fill, and parses what the server sent into frames.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QTcpSocket>
#include <QTest>

#include <optional>

namespace wstest {

class RawWsClient
{
public:
    struct Frame
    {
        int opcode = 0; // 1 text, 2 binary, 0 continuation, 8 close, 9 ping, 10 pong
        bool fin = true;
        QByteArray payload;

        // A close frame's code and reason.
        int closeCode() const
        {
            return payload.size() >= 2 ? (quint8(payload[0]) << 8 | quint8(payload[1])) : 1005;
        }
        QByteArray closeReason() const { return payload.mid(2); }
    };

    // Connects and upgrades /ws/sync/websocket?`query`. With `readAheadBytes` > 0 Qt reads at
    // most that much ahead from the kernel, so a client that stops reading soon pushes back on
    // the server once the kernel's buffers are full.
    bool upgrade(quint16 port, const QByteArray &query, qint64 readAheadBytes = 0)
    {
        if (readAheadBytes > 0)
            socket.setReadBufferSize(readAheadBytes);
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (!socket.waitForConnected(5000))
            return false;
        socket.write("GET /ws/sync/websocket?" + query +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
                     "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n");
        QByteArray head;
        (void)QTest::qWaitFor(
            [&] {
                while (!head.endsWith("\r\n\r\n") && socket.bytesAvailable() > 0)
                    head += socket.read(1); // never past the head
                return head.endsWith("\r\n\r\n") ||
                       socket.state() == QAbstractSocket::UnconnectedState;
            },
            5000);
        return head.startsWith("HTTP/1.1 101");
    }

    // One frame as a client sends it: masked (as RFC 6455 requires) or not.
    static QByteArray frame(int opcode, const QByteArray &payload, bool masked = true)
    {
        QByteArray out;
        out.append(char(0x80 | opcode));
        const char maskBit = masked ? char(0x80) : char(0);
        const qsizetype n = payload.size();
        if (n < 126) {
            out.append(char(maskBit | n));
        } else if (n < 65536) {
            out.append(char(maskBit | 126));
            out.append(char((n >> 8) & 0xff));
            out.append(char(n & 0xff));
        } else {
            out.append(char(maskBit | 127));
            for (int shift = 56; shift >= 0; shift -= 8)
                out.append(char((quint64(n) >> shift) & 0xff));
        }
        if (!masked)
            return out + payload;
        const char mask[4] = {0x12, 0x34, 0x56, 0x78};
        out.append(mask, 4);
        for (qsizetype i = 0; i < n; ++i)
            out.append(char(payload[i] ^ mask[i % 4]));
        return out;
    }
    void sendText(const QByteArray &payload, bool masked = true)
    {
        socket.write(frame(1, payload, masked));
    }
    // Answers a close frame (the client's half of the closing handshake).
    void sendClose(int code = 1000)
    {
        socket.write(frame(8, QByteArray{char(code >> 8), char(code & 0xff)}));
    }

    // Reads what has arrived and parses every complete frame into `frames`.
    void readFrames()
    {
        m_in += socket.readAll();
        for (;;) {
            if (m_in.size() < 2)
                return;
            const bool fin = quint8(m_in[0]) & 0x80;
            const int opcode = quint8(m_in[0]) & 0x0f;
            const bool masked = quint8(m_in[1]) & 0x80;
            quint64 length = quint8(m_in[1]) & 0x7f;
            qsizetype at = 2;
            if (length == 126 || length == 127) {
                const int bytes = length == 126 ? 2 : 8;
                if (m_in.size() < at + bytes)
                    return;
                length = 0;
                for (int i = 0; i < bytes; ++i)
                    length = length << 8 | quint8(m_in[at + i]);
                at += bytes;
            }
            if (masked)
                at += 4; // a server must not mask; tolerated here
            if (quint64(m_in.size()) < at + length)
                return;
            frames.append(Frame{opcode, fin, m_in.mid(at, qsizetype(length))});
            m_in.remove(0, at + qsizetype(length));
        }
    }
    // Reads without limit until a frame with `opcode` arrives; that frame.
    std::optional<Frame> waitFor(int opcode, int timeoutMs = 10000)
    {
        socket.setReadBufferSize(0);
        std::optional<Frame> found;
        (void)QTest::qWaitFor(
            [&] {
                readFrames();
                for (const Frame &f : frames) {
                    if (f.opcode == opcode) {
                        found = f;
                        return true;
                    }
                }
                return socket.state() == QAbstractSocket::UnconnectedState &&
                       socket.bytesAvailable() == 0;
            },
            timeoutMs);
        if (!found)
            readFrames();
        return found;
    }
    // The complete text messages received so far (continuation frames joined).
    QList<QByteArray> texts() const
    {
        QList<QByteArray> out;
        QByteArray current;
        bool inText = false;
        for (const Frame &f : frames) {
            if (f.opcode == 1) {
                current = f.payload;
                inText = true;
            } else if (f.opcode == 0 && inText) {
                current += f.payload;
            } else {
                continue;
            }
            if (f.fin) {
                out.append(current);
                inText = false;
            }
        }
        return out;
    }

    QTcpSocket socket;
    QList<Frame> frames;

private:
    QByteArray m_in;
};

} // namespace wstest
