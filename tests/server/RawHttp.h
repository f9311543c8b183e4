#pragma once

// A raw HTTP/1.1 connection for the suites that test the server at the byte level (framing,
// limits, timeouts): it sends exactly the bytes given and splits what comes back into answers.

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

namespace rawhttp {

// One answer read off the wire.
struct Answer
{
    int status = 0; // 0 = no complete answer arrived
    QByteArray head;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        const QList<QByteArray> lines = head.split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
    // The whole answer as text, for failure messages.
    QByteArray text() const { return head + "\r\n\r\n" + body; }
    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QString error() const { return object().value(QStringLiteral("error")).toString(); }
    QString detail() const { return object().value(QStringLiteral("detail")).toString(); }
};

class RawHttp
{
public:
    // Connects to 127.0.0.1:port, from `from` when given (another loopback address is another
    // peer to the server). False when the connection is not up within the timeout.
    bool connectTo(quint16 port, const QHostAddress &from = {})
    {
        if (!from.isNull() && !socket.bind(from))
            return false;
        socket.connectToHost(QHostAddress::LocalHost, port);
        return socket.waitForConnected(5000);
    }

    void send(const QByteArray &bytes)
    {
        socket.write(bytes);
        socket.flush();
    }

    // The next complete answer (head plus Content-Length body), waiting up to timeoutMs.
    // Interim 1xx answers are returned like any other.
    Answer next(int timeoutMs = 5000)
    {
        Answer answer;
        (void)QTest::qWaitFor([&] { return take(answer); }, timeoutMs);
        return answer;
    }

    // True once the server has closed the connection (after reading everything it sent).
    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor(
            [&] {
                m_buffer += socket.readAll();
                return socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
    }
    bool isOpen() const { return socket.state() == QAbstractSocket::ConnectedState; }
    // Everything received and not yet returned as an answer.
    QByteArray unread()
    {
        m_buffer += socket.readAll();
        return m_buffer;
    }

    QTcpSocket socket;

private:
    bool take(Answer &answer)
    {
        m_buffer += socket.readAll();
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        Answer parsed;
        parsed.head = m_buffer.left(end);
        const qsizetype space = parsed.head.indexOf(' ');
        parsed.status = space < 0 ? -1 : parsed.head.mid(space + 1, 3).toInt();
        const qint64 length = parsed.header("content-length").toLongLong();
        if (m_buffer.size() < end + 4 + length)
            return false;
        parsed.body = m_buffer.mid(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        answer = parsed;
        return true;
    }

    QByteArray m_buffer;
};

} // namespace rawhttp
