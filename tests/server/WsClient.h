#pragma once

// A small Phoenix V2 client over a real QWebSocket, for the WebSocket suites.

#include "WsFrames.h"

#include <QHash>
#include <QStringList>
#include <QTest>
#include <QUrl>
#include <QWebSocket>

#include <algorithm>
#include <functional>

namespace wstest {

// A Phoenix V2 JSON client that keeps every frame it receives, in order.
class WsClient
{
public:
    WsClient()
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket,
                         [this](const QString &text) {
                             auto message = PhoenixMessage::decode(text.toUtf8());
                             if (message)
                                 received.append(*message);
                             else
                                 undecodable.append(text);
                         });
        QObject::connect(&socket, &QWebSocket::disconnected, &socket, [this] {
            closed = true;
            closeCode = socket.closeCode();
            closeReason = socket.closeReason();
        });
    }

    bool open(const QUrl &url, int timeoutMs = 5000)
    {
        socket.open(url);
        (void)QTest::qWaitFor(
            [this] { return socket.state() == QAbstractSocket::ConnectedState || closed; },
            timeoutMs);
        return socket.state() == QAbstractSocket::ConnectedState;
    }
    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([this] { return closed; }, timeoutMs);
    }

    // Sends one frame; returns its ref.
    QString push(const QString &topic, const QString &event, const QJsonValue &payload,
                 std::optional<QString> joinRef = std::nullopt)
    {
        const QString ref = QString::number(++m_nextRef);
        if (!joinRef) {
            const auto it = joinRefs.constFind(topic);
            if (it != joinRefs.cend())
                joinRef = *it;
        }
        sendRaw(PhoenixMessage{joinRef, ref, topic, event, payload}.encode());
        return ref;
    }
    void sendRaw(const QByteArray &frame) { socket.sendTextMessage(QString::fromUtf8(frame)); }

    // The first frame received that matches `match`, waiting for it.
    std::optional<PhoenixMessage> waitFor(const std::function<bool(const PhoenixMessage &)> &match,
                                          int timeoutMs = 5000, qsizetype *index = nullptr)
    {
        qsizetype found = -1;
        qsizetype scanned = 0;
        (void)QTest::qWaitFor(
            [&] {
                for (; scanned < received.size(); ++scanned) {
                    if (match(received.at(scanned))) {
                        found = scanned;
                        return true;
                    }
                }
                return false;
            },
            timeoutMs);
        if (index)
            *index = found;
        if (found < 0)
            return std::nullopt;
        return received.at(found);
    }
    std::optional<PhoenixMessage> reply(const QString &ref, int timeoutMs = 5000,
                                        qsizetype *index = nullptr)
    {
        return waitFor([&](const PhoenixMessage &m) { return m.isReply() && m.ref == ref; },
                       timeoutMs, index);
    }
    // Pushes and waits for the reply.
    std::optional<PhoenixMessage> call(const QString &topic, const QString &event,
                                       const QJsonValue &payload, int timeoutMs = 5000)
    {
        return reply(push(topic, event, payload), timeoutMs);
    }
    // Joins `topic` from `lastSeq`; the reply is also kept in joinReply.
    std::optional<PhoenixMessage> join(const QString &topic, qint64 lastSeq = 0)
    {
        const QString ref = QString::number(m_nextRef + 1);
        joinRefs.insert(topic, ref);
        joinReply = call(topic, QStringLiteral("phx_join"),
                         QJsonObject{{QStringLiteral("last_store_seq"), lastSeq}});
        return joinReply;
    }
    std::optional<PhoenixMessage> heartbeat()
    {
        return call(QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject());
    }
    std::optional<PhoenixMessage> write(const QJsonObject &payload,
                                        const QString &topic = topicOf())
    {
        return call(topic, QStringLiteral("write"), payload);
    }
    // A `set` write of `value` at `where` with client_op_id `opId`.
    std::optional<PhoenixMessage> set(const QString &where, const QJsonValue &value,
                                      const QString &opId)
    {
        return write(writePayload(QStringLiteral("set"), where, value, opId));
    }
    // The first event frame of the write with client_op_id `opId`, waiting for it.
    std::optional<PhoenixMessage> eventFor(const QString &opId, int timeoutMs = 5000,
                                           qsizetype *index = nullptr)
    {
        return waitFor([&](const PhoenixMessage &m) { return isEventFor(m, opId); }, timeoutMs,
                       index);
    }
    // Whether an event frame of `opId` has been received by now (no waiting).
    bool sawEventFor(const QString &opId) const
    {
        return std::any_of(received.cbegin(), received.cend(),
                           [&](const PhoenixMessage &m) { return isEventFor(m, opId); });
    }
    // Waits for catch_up_complete on `topic` and returns its index in `received`.
    qsizetype waitCaughtUp(const QString &topic, int timeoutMs = 10000)
    {
        qsizetype index = -1;
        waitFor(
            [&](const PhoenixMessage &m) {
                return m.topic == topic && m.event == QLatin1String("catch_up_complete");
            },
            timeoutMs, &index);
        return index;
    }
    // Waits for catch_up_complete on `topic` and returns its through_seq (-1 when none came).
    qint64 throughSeq(const QString &topic = topicOf(), int timeoutMs = 10000)
    {
        const qsizetype index = waitCaughtUp(topic, timeoutMs);
        return index < 0 ? -1 : throughSeqOf(received.at(index));
    }
    // The frames received so far on `topic` with `event`, in order.
    QList<PhoenixMessage> events(const QString &topic = topicOf(),
                                 const QString &event = QStringLiteral("event")) const
    {
        QList<PhoenixMessage> out;
        for (const PhoenixMessage &m : received) {
            if (m.topic == topic && m.event == event)
                out.append(m);
        }
        return out;
    }

    QWebSocket socket;
    std::optional<PhoenixMessage> joinReply; // the reply to the last join()
    QList<PhoenixMessage> received;
    QStringList undecodable;
    QHash<QString, QString> joinRefs;
    bool closed = false;
    QWebSocketProtocol::CloseCode closeCode = QWebSocketProtocol::CloseCodeNormal;
    QString closeReason;

private:
    int m_nextRef = 0;
};

} // namespace wstest
