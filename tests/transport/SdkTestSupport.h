#pragma once

// Helpers shared by the SdkTransport suites: waiting on futures while the event loop runs,
// paths, short-interval options, and a scripted fake Phoenix server (QWebSocketServer) for
// what a real dustlite never does.

#include "StoreDb.h"
#include "TestAwait.h"
#include "TestHttp.h"
#include "TestSdkOptions.h"
#include "protocol/PhoenixMessage.h"
#include "sync/Mirror.h"
#include "transport/SdkTransport.h"

#include <QFutureWatcher>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>
#include <memory>

namespace sdktest {

using namespace dust;
using namespace std::chrono_literals;

using dust::test::await;
using dust::test::path;
using dust::test::segments;

inline QString describe(const Error &error)
{
    return Error::kindName(error.kind()) + QStringLiteral(" (") + error.reason() +
           QStringLiteral("): ") + error.message();
}

// Options for tests: fast reconnects, everything else as in production unless a test says.
inline SdkOptions options(const QUrl &url, const QString &token = QStringLiteral("dust_tok_dev"))
{
    return dust::test::sdkOptions(url, token);
}

// Opens `store` and waits until it has caught up and every signal sent until then (the
// reset of the initial catch-up …) has been delivered.
inline bool waitLive(SdkTransport &transport, const QString &store, int timeoutMs = 30000)
{
    if (transport.isLive(store))
        return true;
    QSignalSpy live(&transport, &SdkTransport::storeLive);
    transport.open(store);
    return QTest::qWaitFor(
        [&] {
            for (const QList<QVariant> &args : std::as_const(live)) {
                if (args.at(0).toString() == store)
                    return true;
            }
            return false;
        },
        timeoutMs);
}

// Every event a subscription delivers, and its resyncs.
struct Recorder
{
    explicit Recorder(const std::shared_ptr<Subscription> &subscription)
    {
        QObject::connect(subscription.get(), &Subscription::changed, subscription.get(),
                         [this](const ChangeEvent &event) { events.append(event); });
        QObject::connect(subscription.get(), &Subscription::resyncRequired, subscription.get(),
                         [this] { ++resyncs; });
    }
    QList<qint64> seqs() const
    {
        QList<qint64> out;
        for (const ChangeEvent &e : events)
            out.append(e.storeSeq);
        return out;
    }
    bool increasing() const
    {
        for (qsizetype i = 1; i < events.size(); ++i) {
            if (events.at(i).storeSeq <= events.at(i - 1).storeSeq)
                return false;
        }
        return true;
    }
    QList<ChangeEvent> events;
    int resyncs = 0;
};

// Subscribes and waits until the sync thread has registered the subscription (a round trip
// through it), so events of writes made afterwards by anyone are delivered.
inline std::shared_ptr<Subscription> watch(SdkTransport &t, const QString &store,
                                           const QString &pattern, SubscribeOptions options = {})
{
    auto subscription = t.subscribe(store, pattern, options);
    if (!subscription)
        qFatal("subscribe failed: %s", qPrintable(subscription.error().message()));
    (void)await(t.withMirror(store, [](const Mirror &) { return true; }));
    return *subscription;
}

// Leaves by rendered path: (value, type).
using Leaves = QMap<QString, std::pair<QJsonValue, QString>>;

// Every leaf of the transport's mirror of `store` (waits for it to be live).
inline Leaves mirrorLeaves(SdkTransport &t, const QString &store)
{
    auto result = await(t.withMirror(store, [](const Mirror &mirror) {
        Leaves out;
        mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
            out.insert(leaf.renderedPath(), {leaf.jsonValue(), leaf.type.toString()});
        });
        return out;
    }));
    return result ? *result : Leaves();
}

// The server's leaves as (path -> value, type), straight from its database.
inline Leaves serverLeaves(dust::lite::StoreDb *db)
{
    Leaves out;
    dust::ListQuery query;
    query.pattern = QStringLiteral("**");
    query.limit = 1000;
    for (;;) {
        const dust::ListPage page = db->list(query);
        for (const Entry &e : page.entries)
            out.insert(e.path.rendered(), {e.value, e.type});
        if (page.nextCursor.isEmpty())
            break;
        query.after = page.nextCursor;
    }
    return out;
}

// Every leaf the server's REST listing shows (all pages of `GET …/entries?pattern=**`).
inline Leaves restLeaves(dust::test::TestHttp &http, const QByteArray &store = "local/demo")
{
    Leaves out;
    QByteArray after;
    for (;;) {
        QByteArray query = "?pattern=**&limit=1000";
        if (!after.isEmpty())
            query += "&after=" + QUrl::toPercentEncoding(QString::fromUtf8(after));
        const auto reply = http.get(dust::test::TestHttp::entries(query, store));
        if (reply.status != 200) {
            qWarning("listing failed: %d %s", reply.status, reply.body.constData());
            return {};
        }
        const QJsonObject page = reply.object();
        const QJsonArray items = page.value(QLatin1String("items")).toArray();
        for (const QJsonValue &item : items) {
            const QJsonObject e = item.toObject();
            out.insert(
                e.value(QLatin1String("path")).toString(),
                {e.value(QLatin1String("value")), e.value(QLatin1String("type")).toString()});
        }
        const QJsonValue next = page.value(QLatin1String("next_cursor"));
        if (!next.isString() || next.toString().isEmpty())
            return out;
        after = next.toString().toUtf8();
    }
}

// A Phoenix endpoint the test scripts frame by frame. `onFrame` sees every decoded client
// frame (and its socket); helpers answer joins and heartbeats the usual way.
class FakePhoenixServer
{
public:
    FakePhoenixServer()
    {
        QObject::connect(&server, &QWebSocketServer::newConnection, &server, [this] {
            while (QWebSocket *socket = server.nextPendingConnection()) {
                sockets.append(socket);
                socket->setParent(&server);
                ++connections;
                requestUrls.append(socket->requestUrl());
                QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                                 [this, socket](const QString &text) {
                                     auto message = PhoenixMessage::decode(text.toUtf8());
                                     if (!message)
                                         return;
                                     received.append(*message);
                                     if (onFrame)
                                         onFrame(socket, *message);
                                 });
                if (onConnection)
                    onConnection(socket);
            }
        });
    }

    bool listen() { return server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/sync").arg(server.serverPort()));
    }

    static void send(QWebSocket *socket, const PhoenixMessage &message)
    {
        socket->sendTextMessage(QString::fromUtf8(message.encode()));
    }
    static void sendRaw(QWebSocket *socket, const QString &text) { socket->sendTextMessage(text); }
    static void replyOk(QWebSocket *socket, const PhoenixMessage &to, const QJsonObject &response)
    {
        send(socket, to.reply(u"ok", response));
    }
    // Answers a join with store_seq `seq` and an immediate catch_up_complete.
    static void acceptJoin(QWebSocket *socket, const PhoenixMessage &join, qint64 seq = 0)
    {
        replyOk(socket, join,
                QJsonObject{
                    {QStringLiteral("store_seq"), seq},
                    {QStringLiteral("capver"), 3},
                    {QStringLiteral("capver_min"), 3},
                    {QStringLiteral("permissions"), QJsonObject{{QStringLiteral("read"), true},
                                                                {QStringLiteral("write"), true}}}});
        send(socket, PhoenixMessage{join.joinRef, std::nullopt, join.topic,
                                    QStringLiteral("catch_up_complete"),
                                    QJsonObject{{QStringLiteral("through_seq"), seq}}});
    }

    QWebSocketServer server{QStringLiteral("fake-phoenix"), QWebSocketServer::NonSecureMode};
    QList<QWebSocket *> sockets;
    QList<QUrl> requestUrls;
    QList<PhoenixMessage> received;
    int connections = 0;
    std::function<void(QWebSocket *, const PhoenixMessage &)> onFrame;
    std::function<void(QWebSocket *)> onConnection;
};

} // namespace sdktest

#define SDK_EXPECT_OK(result)                                                                      \
    do {                                                                                           \
        if (!(result))                                                                             \
            QFAIL(qPrintable(QStringLiteral("unexpected error: ") +                                \
                             sdktest::describe((result).error())));                                \
    } while (false)

#define SDK_EXPECT_ERROR(result, errorKind)                                                        \
    do {                                                                                           \
        if (result)                                                                                \
            QFAIL("expected an error, got a value");                                               \
        if ((result).error().kind() != (errorKind))                                                \
            QFAIL(qPrintable(QStringLiteral("expected ") + dust::Error::kindName(errorKind) +      \
                             QStringLiteral(", got ") + sdktest::describe((result).error())));     \
    } while (false)
