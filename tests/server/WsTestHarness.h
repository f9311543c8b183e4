#pragma once

// Helpers shared by the WebSocket suites: a SyncEndpoint behind a plain QWebSocketServer on
// 127.0.0.1 port 0 (the WebSocket side without the HTTP server), and a small Phoenix V2
// client over a real QWebSocket that records every frame it receives.

#include "Auth.h"
#include "RateLimiter.h"
#include "ServerConfig.h"
#include "StoreRegistry.h"
#include "SyncEndpoint.h"
#include "protocol/PhoenixMessage.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>
#include <memory>
#include <optional>

namespace wstest {

using dust::PhoenixMessage;
using namespace dust::lite;

inline constexpr QLatin1String kToken("dust_tok_full");
inline constexpr QLatin1String kReadOnlyToken("dust_tok_readonly");
inline constexpr QLatin1String kOtherOrgToken("dust_tok_other");
inline constexpr QLatin1String kNoReadToken("dust_tok_noread");
inline constexpr QLatin1String kStore("acme/site");

// The WebSocket endpoint with its registry, auth and rate limiter, in this process.
class WsServer
{
public:
    explicit WsServer(ServerConfig config = {})
        : config(std::move(config))
        , registry(QString())
    {
        auth.addToken({QString(kToken), QStringLiteral("acme"), {}});
        auth.addToken(
            {QString(kReadOnlyToken), QStringLiteral("acme"), {QStringLiteral("entries:read")}});
        auth.addToken({QString(kOtherOrgToken), QStringLiteral("other"), {}});
        auth.addToken(
            {QString(kNoReadToken), QStringLiteral("acme"), {QStringLiteral("files:read")}});
        registry.setCompactAfter(this->config.compactAfter);
        limiter = std::make_unique<RateLimiter>(this->config.readsPerMinute,
                                                this->config.writesPerMinute);
        endpoint = std::make_unique<SyncEndpoint>(registry, auth, *limiter, this->config);
        QObject::connect(&server, &QWebSocketServer::newConnection, &server, [this] {
            while (QWebSocket *socket = server.nextPendingConnection())
                endpoint->accept(std::unique_ptr<QWebSocket>(socket));
        });
    }

    bool start()
    {
        if (!registry.openOrCreate(QString(kStore)))
            return false;
        return server.listen(QHostAddress::LocalHost, 0);
    }

    StoreDb *db(const QString &name = QString(kStore)) { return registry.find(name); }

    QUrl url(const QString &token = QString(kToken), const QString &query = {}) const
    {
        QUrl u(QStringLiteral("ws://127.0.0.1:%1/ws/sync/websocket").arg(server.serverPort()));
        u.setQuery(query.isNull()
                       ? QStringLiteral("token=%1&device_id=dev_test&capver=3&vsn=2.0.0").arg(token)
                       : query);
        return u;
    }

    ServerConfig config;
    StoreRegistry registry;
    Auth auth;
    std::unique_ptr<RateLimiter> limiter;
    std::unique_ptr<SyncEndpoint> endpoint;
    QWebSocketServer server{QStringLiteral("wstest"), QWebSocketServer::NonSecureMode};
};

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

    // The first frame matching `match` at or after index `from`, waiting for it.
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
    std::optional<PhoenixMessage> join(const QString &topic, qint64 lastSeq = 0)
    {
        const QString ref = QString::number(m_nextRef + 1);
        joinRefs.insert(topic, ref);
        return call(topic, QStringLiteral("phx_join"),
                    QJsonObject{{QStringLiteral("last_store_seq"), lastSeq}});
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
    QList<PhoenixMessage> events(const QString &topic,
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
    QList<PhoenixMessage> received;
    QStringList undecodable;
    QHash<QString, QString> joinRefs;
    bool closed = false;
    QWebSocketProtocol::CloseCode closeCode = QWebSocketProtocol::CloseCodeNormal;
    QString closeReason;

private:
    int m_nextRef = 0;
};

inline QJsonObject response(const std::optional<PhoenixMessage> &reply)
{
    return reply ? reply->replyResponse().toObject() : QJsonObject();
}
inline QString replyStatus(const std::optional<PhoenixMessage> &reply)
{
    return reply ? reply->replyStatus() : QStringLiteral("<no reply>");
}

inline QString topicOf(const QString &store = QString(kStore))
{
    return QStringLiteral("store:") + store;
}

} // namespace wstest
