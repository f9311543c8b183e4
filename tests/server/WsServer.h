#pragma once

// dustlite's WebSocket endpoint in this process, on 127.0.0.1 port 0, with the tokens the
// suites use, ways to fill its store, and the joined client most tests start from.

#include "Auth.h"
#include "RateLimiter.h"
#include "ServerConfig.h"
#include "StoreDb.h"
#include "StoreRegistry.h"
#include "SyncEndpoint.h"
#include "TestAwait.h"
#include "WsClient.h"
#include "WsFrames.h"

#include <QHostAddress>
#include <QUrl>
#include <QWebSocketServer>

#include <memory>

namespace wstest {

using dust::Op;
using dust::Path;
using dust::test::path;
using namespace dust::lite;

// A `set` of `value` at `where` as the store's own writes are made (device dev_seed).
inline WriteRequest setRequest(const QString &where, const QJsonValue &value, const QString &opId)
{
    WriteRequest request;
    request.op = Op::Set;
    request.path = path(where);
    request.value = value;
    request.deviceId = QStringLiteral("dev_seed");
    request.clientOpId = opId;
    return request;
}

// What WsServer::joined() joins: a topic, from a seq, with a token.
struct JoinOptions
{
    qint64 lastSeq = 0;
    QString topic = topicOf();
    QString token = QString(kToken);
};

// The WebSocket endpoint with its registry, auth and rate limiter, in this process.
class WsServer
{
public:
    // `dataDir` empty = the stores in memory (committed at once on this thread); else their
    // files there, committed on the registry's pool threads.
    explicit WsServer(ServerConfig config = {}, const QString &dataDir = {})
        : config(std::move(config))
        , registry(dataDir)
    {
        auth.addToken({QString(kToken), QStringLiteral("acme"), {}});
        auth.addToken(
            {QString(kReadOnlyToken), QStringLiteral("acme"), {QStringLiteral("entries:read")}});
        auth.addToken({QString(kOtherOrgToken), QStringLiteral("other"), {}});
        auth.addToken(
            {QString(kNoReadToken), QStringLiteral("acme"), {QStringLiteral("files:read")}});
        registry.setCompactAfter(this->config.compactAfter);
        registry.setRetainOps(this->config.retainOps);
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

    // Writes `count` numbered leaves <prefix>/1.. straight into the store, one op each
    // (client_op_id seed_<n>); returns the last seq.
    qint64 seedItems(int count, const QString &prefix = QStringLiteral("item"))
    {
        qint64 seq = 0;
        for (int i = 1; i <= count; ++i) {
            const auto result =
                db()->write(setRequest(prefix + QLatin1Char('/') + QString::number(i), i,
                                       QStringLiteral("seed_%1").arg(i)));
            seq = result.storeSeq;
        }
        return seq;
    }

    // Writes `count` leaves bulk/<n>/name in one go, each value padded by `padding` bytes;
    // returns the last seq.
    qint64 bulkSeed(int count, int padding = 0)
    {
        QList<std::pair<Path, QJsonValue>> leaves;
        leaves.reserve(count);
        const QString pad(padding, QLatin1Char('p'));
        for (int i = 0; i < count; ++i)
            leaves.append({path(QStringLiteral("bulk/%1/name").arg(i)),
                           QString(QStringLiteral("value number %1").arg(i) + pad)});
        return db()->bulkSet(leaves, QStringLiteral("dev_seed"));
    }

    // A new client, connected and joined as `join` says, its join reply in joinReply. Null
    // when the socket did not connect or the join was not "ok"; a warning says which.
    std::unique_ptr<WsClient> joined(const JoinOptions &join = {})
    {
        auto client = std::make_unique<WsClient>();
        if (!client->open(url(join.token))) {
            qWarning("could not connect with token %s", qPrintable(join.token));
            return nullptr;
        }
        client->join(join.topic, join.lastSeq);
        if (replyStatus(client->joinReply) != QLatin1String("ok")) {
            qWarning("join of %s from %lld: %s %s", qPrintable(join.topic), join.lastSeq,
                     qPrintable(replyStatus(client->joinReply)),
                     json(response(client->joinReply)).constData());
            return nullptr;
        }
        return client;
    }

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

} // namespace wstest
