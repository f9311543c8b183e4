#pragma once

// One HTTP/1.1 request written byte for byte over a QTcpSocket, for the tests whose subject is
// what goes on the wire: headers a client library would not send (a foreign Host or Origin),
// and headers a client library would hide or merge (what the server answers, exactly).

#include <QByteArray>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QTcpSocket>
#include <QTest>

#include <utility>

namespace rawhttp {

struct RawAnswer
{
    int status = 0;                                   // 0 when no status line came
    QList<std::pair<QByteArray, QByteArray>> headers; // in order; names in lower case
    QByteArray body;
    QByteArray raw; // everything received

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (key == name)
                return value;
        }
        return {};
    }
    bool hasHeader(QByteArrayView name) const
    {
        for (const auto &header : headers) {
            if (header.first == name)
                return true;
        }
        return false;
    }
    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QString error() const { return object().value(QStringLiteral("error")).toString(); }
    QString detail() const { return object().value(QStringLiteral("detail")).toString(); }
};

// Parses a status line, header lines and as much of the body as Content-Length announces.
// False while the answer is incomplete.
inline bool parseAnswer(const QByteArray &raw, RawAnswer &answer)
{
    const qsizetype end = raw.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = raw.left(end).split('\n');
    answer = RawAnswer{};
    answer.raw = raw;
    const QList<QByteArray> status = lines.first().trimmed().split(' ');
    answer.status = status.size() > 1 ? status.at(1).toInt() : 0;
    qsizetype length = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).endsWith('\r') ? lines.at(i).chopped(1) : lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        answer.headers.append({name, value});
        if (name == "content-length")
            length = value.toLongLong();
    }
    if (answer.status == 101)
        return true;
    answer.body = raw.mid(end + 4, length);
    return answer.body.size() >= length;
}

// Sends `head` (the request line and headers, each ending in \r\n, without the blank line)
// and `body` to 127.0.0.1:`port`; waits for the whole answer (or the connection's end).
inline RawAnswer request(quint16 port, const QByteArray &head, const QByteArray &body = {},
                         int timeoutMs = 10000)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    RawAnswer answer;
    if (!socket.waitForConnected(timeoutMs))
        return answer;
    QByteArray message = head;
    if (!body.isEmpty())
        message += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    socket.write(message + "\r\n" + body);
    QByteArray raw;
    (void)QTest::qWaitFor(
        [&] {
            raw += socket.readAll();
            return parseAnswer(raw, answer) || socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    raw += socket.readAll();
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
