#pragma once

// HTTP/1.1 written byte for byte over a QTcpSocket, for the suites whose subject is what goes
// on the wire: framing, limits and timeouts, and headers a client library would not send (a
// foreign Host or Origin) or would hide or merge (what the server answers, exactly).

#include <QByteArray>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QTcpSocket>
#include <QTest>

#include <utility>

namespace rawhttp {

// One answer read off the wire.
struct Answer
{
    int status = 0;                                   // 0 = no complete status line came
    QByteArray head;                                  // status line and header lines
    QList<std::pair<QByteArray, QByteArray>> headers; // in order; names in lower case
    QByteArray body;
    QByteArray raw; // the bytes this answer was read from

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    bool hasHeader(QByteArrayView name) const
    {
        for (const auto &header : headers) {
            if (header.first.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
    // The whole answer as text, for failure messages.
    QByteArray text() const { return head + "\r\n\r\n" + body; }
    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QString error() const { return object().value(QStringLiteral("error")).toString(); }
    QString detail() const { return object().value(QStringLiteral("detail")).toString(); }
};
using RawAnswer = Answer;

// Reads one answer from the start of `bytes`: the status line, the header lines and as much
// body as Content-Length announces (none after a 101). The bytes it took, or 0 while the
// answer is incomplete.
inline qsizetype parseAnswer(const QByteArray &bytes, Answer &answer)
{
    const qsizetype end = bytes.indexOf("\r\n\r\n");
    if (end < 0)
        return 0;
    Answer parsed;
    parsed.head = bytes.left(end);
    const QList<QByteArray> lines = parsed.head.split('\n');
    const QList<QByteArray> status = lines.first().trimmed().split(' ');
    parsed.status = status.size() > 1 ? status.at(1).toInt() : -1;
    qsizetype length = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).endsWith('\r') ? lines.at(i).chopped(1) : lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        parsed.headers.append({name, value});
        if (name == "content-length")
            length = value.toLongLong();
    }
    if (parsed.status == 101)
        length = 0;
    if (bytes.size() < end + 4 + length)
        return 0;
    parsed.body = bytes.mid(end + 4, length);
    parsed.raw = bytes.left(end + 4 + length);
    answer = std::move(parsed);
    return end + 4 + length;
}

// A connection kept open across requests.
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

    // The next complete answer, waiting up to timeoutMs. Interim 1xx answers are returned
    // like any other.
    Answer next(int timeoutMs = 5000)
    {
        Answer answer;
        (void)QTest::qWaitFor(
            [&] {
                m_buffer += socket.readAll();
                const qsizetype taken = parseAnswer(m_buffer, answer);
                m_buffer.remove(0, taken);
                return taken > 0;
            },
            timeoutMs);
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
    QByteArray m_buffer;
};

// Sends `head` (the request line and headers, each ending in \r\n, without the blank line)
// and `body` to 127.0.0.1:`port` on a connection of its own; waits for the whole answer (or
// the connection's end). `raw` of the answer holds everything received.
inline Answer request(quint16 port, const QByteArray &head, const QByteArray &body = {},
                      int timeoutMs = 10000)
{
    RawHttp connection;
    Answer answer;
    if (!connection.connectTo(port))
        return answer;
    QByteArray message = head;
    if (!body.isEmpty())
        message += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    connection.send(message + "\r\n" + body);
    (void)QTest::qWaitFor(
        [&] { return parseAnswer(connection.unread(), answer) > 0 || !connection.isOpen(); },
        timeoutMs);
    const QByteArray raw = connection.unread();
    parseAnswer(raw, answer);
    answer.raw = raw;
    return answer;
}

// A WebSocket upgrade request's head for `target`, with `extra` header lines (each ending in
// \r\n), e.g. "Host: 127.0.0.1\r\nOrigin: http://localhost:3000\r\n".
inline QByteArray upgradeHead(const QByteArray &target, const QByteArray &extra)
{
    return "GET " + target + " HTTP/1.1\r\n" + extra +
           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
}

} // namespace rawhttp
