// SdkTransport against a scripted fake Phoenix server (a QWebSocketServer on 127.0.0.1 port 0)
// for what a healthy dustlite never does: lost replies, silent heartbeats, refused upgrades,
// channel crashes, garbage frames. Every test here can fail: it checks frames on the wire.

#include "SdkTestSupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

using namespace sdktest;

namespace {

const QString kStore = QStringLiteral("acme/site");
const QString kTopic = QStringLiteral("store:acme/site");

bool isJoin(const PhoenixMessage &m)
{
    return m.event == QLatin1String("phx_join");
}

bool isWrite(const PhoenixMessage &m)
{
    return m.event == QLatin1String("write");
}

QList<PhoenixMessage> framesOf(const FakePhoenixServer &server,
                               bool (*match)(const PhoenixMessage &))
{
    QList<PhoenixMessage> out;
    for (const PhoenixMessage &m : server.received) {
        if (match(m))
            out.append(m);
    }
    return out;
}

// An `event` frame of a committed op.
PhoenixMessage eventFrame(std::optional<QString> joinRef, qint64 seq, const QString &path,
                          const QJsonValue &value, const QString &clientOpId = {},
                          const QString &op = QStringLiteral("set"))
{
    QJsonObject payload{{QStringLiteral("store_seq"), seq},
                        {QStringLiteral("op"), op},
                        {QStringLiteral("path"), path},
                        {QStringLiteral("value"), value},
                        {QStringLiteral("device_id"), QStringLiteral("dev_other")}};
    if (!clientOpId.isEmpty())
        payload.insert(QStringLiteral("client_op_id"), clientOpId);
    return PhoenixMessage{std::move(joinRef), std::nullopt, kTopic, QStringLiteral("event"),
                          payload};
}

void replyHeartbeats(QWebSocket *socket, const PhoenixMessage &m)
{
    if (m.topic == QLatin1String("phoenix"))
        FakePhoenixServer::replyOk(socket, m, {});
}

int errorCount(const QSignalSpy &spy)
{
    int total = 0;
    for (const QList<QVariant> &args : spy)
        total += args.at(1).toInt();
    return total;
}

} // namespace

class TstSdkTransportFaults : public QObject
{
    Q_OBJECT

private slots:
    void connectUrlAndJoinPayload();
    void rejoinsWithLastSeqAfterDrop();
    void reconnectBackoffGrowsAndIsCapped();
    void silentHeartbeatDropsConnection();
    void echoBeforeReplyAndWritePayload();
    void unansweredWriteIsResentOnce();
    void committedWriteIsNotResent();
    void writeHiddenBySnapshotIsNotRepeated();
    void channelErrorRejoins();
    void malformedFramesAreReportedNotFatal();
    void refusedUpgradeIsUnauthorized();
    void destroyWhileConnecting();
    void closeStoreCancelsItsCalls();
};

void TstSdkTransportFaults::connectUrlAndJoinPayload()
{
    FakePhoenixServer fake;
    QVERIFY(fake.listen());
    fake.onFrame = [](QWebSocket *socket, const PhoenixMessage &m) {
        replyHeartbeats(socket, m);
        if (isJoin(m))
            FakePhoenixServer::acceptJoin(socket, m);
    };
    SdkTransport t(options(fake.url(), QStringLiteral("dust_tok_secret")));
    QVERIFY(waitLive(t, kStore));

    QCOMPARE(fake.requestUrls.size(), 1);
    const QUrl url = fake.requestUrls.first();
    QCOMPARE(url.path(), QStringLiteral("/ws/sync/websocket"));
    const QUrlQuery query(url);
    QCOMPARE(query.queryItemValue(QStringLiteral("token")), QStringLiteral("dust_tok_secret"));
    QCOMPARE(query.queryItemValue(QStringLiteral("device_id")), t.deviceId());
    QCOMPARE(query.queryItemValue(QStringLiteral("capver")), QStringLiteral("3"));
    QCOMPARE(query.queryItemValue(QStringLiteral("vsn")), QStringLiteral("2.0.0"));

    const auto joins = framesOf(fake, isJoin);
    QCOMPARE(joins.size(), 1);
    QCOMPARE(joins.first().topic, kTopic);
    QCOMPARE(joins.first().joinRef, joins.first().ref);
    QCOMPARE(joins.first().payload.toObject(),
             QJsonObject({{QStringLiteral("last_store_seq"), 0}}));
}

void TstSdkTransportFaults::rejoinsWithLastSeqAfterDrop()
{
    FakePhoenixServer fake;
    QVERIFY(fake.listen());
    int joins = 0;
    fake.onFrame = [&](QWebSocket *socket, const PhoenixMessage &m) {
        replyHeartbeats(socket, m);
        if (!isJoin(m))
            return;
        ++joins;
        if (joins == 1) {
            FakePhoenixServer::replyOk(socket, m, {{QStringLiteral("store_seq"), 3}});
            for (int seq = 1; seq <= 3; ++seq)
                FakePhoenixServer::send(
                    socket, eventFrame(m.joinRef, seq, QStringLiteral("k%1").arg(seq), seq));
            FakePhoenixServer::send(
                socket,
                PhoenixMessage{m.joinRef, std::nullopt, kTopic, QStringLiteral("catch_up_complete"),
                               QJsonObject{{QStringLiteral("through_seq"), 3}}});
        } else {
            FakePhoenixServer::acceptJoin(socket, m, 3);
        }
    };
    SdkTransport t(options(fake.url()));
    QSignalSpy lives(&t, &SdkTransport::storeLive);
    t.open(kStore);
    QTRY_COMPARE(lives.size(), 1);
    // Then the connection breaks.
    fake.sockets.first()->abort();
    QTRY_COMPARE(fake.connections, 2);
    QTRY_COMPARE(lives.size(), 2);
    const auto frames = framesOf(fake, isJoin);
    QCOMPARE(frames.size(), 2);
    QCOMPARE(frames.at(1).payload.toObject().value(QLatin1String("last_store_seq")).toInt(), 3);
    QCOMPARE(await(t.get(kStore, path(QStringLiteral("k2"))))->value.toInt(), 2);
}

void TstSdkTransportFaults::reconnectBackoffGrowsAndIsCapped()
{
    // Accepts every connection and closes it at once: every attempt fails.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QElapsedTimer clock;
    clock.start();
    QList<qint64> times;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            times.append(clock.elapsed());
            socket->abort();
            socket->deleteLater();
        }
    });
    SdkOptions opts = options(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort())));
    opts.reconnectDelay = 40ms;
    opts.maxReconnectDelay = 160ms;
    SdkTransport t(opts);
    QSignalSpy errors(&t, &SdkTransport::connectionError);
    t.open(kStore);
    QTRY_VERIFY_WITH_TIMEOUT(times.size() >= 8, 20000);

    QList<qint64> gaps;
    for (qsizetype i = 1; i < times.size(); ++i)
        gaps.append(times.at(i) - times.at(i - 1));
    qInfo() << "reconnect gaps (ms):" << gaps;
    // Delay n is drawn from [d/2, d] with d = 40·2^n capped at 160: 20-40, 40-80, then 80-160.
    QVERIFY2(gaps.at(0) >= 15, "the first retry came too early");
    for (qsizetype i = 2; i < gaps.size(); ++i) {
        QVERIFY2(gaps.at(i) >= 75, qPrintable(QStringLiteral("gap %1 too short").arg(i)));
        QVERIFY2(gaps.at(i) <= 160 + 400, qPrintable(QStringLiteral("gap %1 not capped").arg(i)));
    }
    QVERIFY(!errors.isEmpty());
    QCOMPARE(errors.first().at(0).value<Error>().kind(), Error::Kind::Network);
    QVERIFY(errors.first().at(0).value<Error>().retryable());
}

void TstSdkTransportFaults::silentHeartbeatDropsConnection()
{
    FakePhoenixServer fake;
    QVERIFY(fake.listen());
    fake.onFrame = [](QWebSocket *socket, const PhoenixMessage &m) {
        if (isJoin(m))
            FakePhoenixServer::acceptJoin(socket, m);
        // Heartbeats are never answered.
    };
    SdkOptions opts = options(fake.url());
    opts.heartbeatInterval = 100ms;
    SdkTransport t(opts);
    QVERIFY(waitLive(t, kStore));
    QTRY_VERIFY_WITH_TIMEOUT(fake.connections >= 2, 10000);
    int heartbeats = 0;
    for (const PhoenixMessage &m : std::as_const(fake.received)) {
        if (m.topic == QLatin1String("phoenix")) {
            QCOMPARE(m.event, QStringLiteral("heartbeat"));
            QVERIFY(!m.joinRef);
            ++heartbeats;
        }
    }
    QVERIFY(heartbeats >= 1);
    QTRY_VERIFY(t.isLive(kStore));
}

void TstSdkTransportFaults::echoBeforeReplyAndWritePayload()
{
    FakePhoenixServer fake;
    QVERIFY(fake.listen());
    fake.onFrame = [](QWebSocket *socket, const PhoenixMessage &m) {
        replyHeartbeats(socket, m);
        if (isJoin(m))
            FakePhoenixServer::acceptJoin(socket, m);
        if (isWrite(m)) {
            const QJsonObject p = m.payload.toObject();
            // The echo (a broadcast: null refs) goes out before the reply.
            FakePhoenixServer::send(
                socket, eventFrame(std::nullopt, 1, p.value(QLatin1String("path")).toString(),
                                   p.value(QLatin1String("value")),
                                   p.value(QLatin1String("client_op_id")).toString()));
            FakePhoenixServer::replyOk(socket, m, {{QStringLiteral("store_seq"), 1}});
        }
    };
    SdkTransport t(options(fake.url()));
    QVERIFY(waitLive(t, kStore));
    const Path target = segments(
        {QStringLiteral("files"), QStringLiteral("image/logo"), QStringLiteral("a b+c~é")});
    const auto result =
        await(t.put(kStore, target,
                    QJsonObject{{QStringLiteral("_type"), QStringLiteral("file")},
                                {QStringLiteral("hash"), QStringLiteral("sha256:00")}}));
    SDK_EXPECT_OK(result);
    QCOMPARE(result->storeSeq, 1);
    const auto entry = await(t.get(kStore, target));
    SDK_EXPECT_OK(entry);
    QCOMPARE(entry->type, QStringLiteral("file"));
    QCOMPARE(entry->revision, 1);

    const auto writes = framesOf(fake, isWrite);
    QCOMPARE(writes.size(), 1);
    const QJsonObject p = writes.first().payload.toObject();
    QCOMPARE(p.value(QLatin1String("op")).toString(), QStringLiteral("set"));
    QCOMPARE(p.value(QLatin1String("path")).toString(),
             QStringLiteral("files/image~1logo/a b+c~0é"));
    QCOMPARE(p.value(QLatin1String("path_segments")).toArray(),
             QJsonArray({QStringLiteral("files"), QStringLiteral("image/logo"),
                         QStringLiteral("a b+c~é")}));
    QVERIFY(QRegularExpression(QStringLiteral("^op_[A-Za-z0-9_-]{16}$"))
                .match(p.value(QLatin1String("client_op_id")).toString())
                .hasMatch());
    QCOMPARE(writes.first().topic, kTopic);
    QCOMPARE(writes.first().joinRef, framesOf(fake, isJoin).first().joinRef);
}

void TstSdkTransportFaults::unansweredWriteIsResentOnce()
{
    FakePhoenixServer fake;
    QVERIFY(fake.listen());
    int writes = 0;
    fake.onFrame = [&](QWebSocket *socket, const PhoenixMessage &m) {
        replyHeartbeats(socket, m);
        if (isJoin(m))
            FakePhoenixServer::acceptJoin(socket, m);
        if (isWrite(m) && ++writes == 2) // the first one is lost without a trace
            FakePhoenixServer::replyOk(socket, m, {{QStringLiteral("store_seq"), 1}});
    };
    SdkOptions opts = options(fake.url());
    opts.replyTimeout = 300ms;
    SdkTransport t(opts);
    QVERIFY(waitLive(t, kStore));
    const auto result = await(t.increment(kStore, path(QStringLiteral("n")), 1));
    SDK_EXPECT_OK(result);
    QCOMPARE(result->storeSeq, 1);
    QCOMPARE(fake.connections, 2); // the silence dropped the connection
    const auto frames = framesOf(fake, isWrite);
    QCOMPARE(frames.size(), 2);
    // The same write, with the same client_op_id.
    QCOMPARE(frames.at(0).payload, frames.at(1).payload);
}

void TstSdkTransportFaults::committedWriteIsNotResent()
{
    FakePhoenixServer fake;
    QVERIFY(fake.listen());
    QString committedOpId;
    int joins = 0;
    fake.onFrame = [&](QWebSocket *socket, const PhoenixMessage &m) {
        replyHeartbeats(socket, m);
        if (isJoin(m)) {
            if (++joins == 1) {
                FakePhoenixServer::acceptJoin(socket, m);
                return;
            }
            // After the reconnect the catch-up shows the op: it had committed.
            FakePhoenixServer::replyOk(socket, m, {{QStringLiteral("store_seq"), 1}});
            FakePhoenixServer::send(socket, eventFrame(m.joinRef, 1, QStringLiteral("n"), 1,
                                                       committedOpId, QStringLiteral("increment")));
            FakePhoenixServer::send(
                socket,
                PhoenixMessage{m.joinRef, std::nullopt, kTopic, QStringLiteral("catch_up_complete"),
                               QJsonObject{{QStringLiteral("through_seq"), 1}}});
        }
        if (isWrite(m)) {
            // Committed, but the server dies before the echo and the reply go out.
            committedOpId = m.payload.toObject().value(QLatin1String("client_op_id")).toString();
            QTimer::singleShot(0, socket, [socket] { socket->abort(); });
        }
    };
    SdkTransport t(options(fake.url()));
    QVERIFY(waitLive(t, kStore));
    const auto result = await(t.increment(kStore, path(QStringLiteral("n")), 1));
    SDK_EXPECT_OK(result);
    QCOMPARE(result->storeSeq, 1);
    QCOMPARE(framesOf(fake, isWrite).size(), 1); // never sent twice
    QCOMPARE(joins, 2);
    QCOMPARE(await(t.get(kStore, path(QStringLiteral("n"))))->value.toInt(), 1);
}

void TstSdkTransportFaults::writeHiddenBySnapshotIsNotRepeated()
{
    // Two writes are sent; the connection dies before either is acknowledged. The rejoin's
    // catch-up is a snapshot (the server compacted), so neither client_op_id can be looked
    // for. The set is sent again (twice is the same as once); the increment is not (it
    // could count twice): it fails, saying its outcome is unknown.
    FakePhoenixServer fake;
    QVERIFY(fake.listen());
    int joins = 0;
    fake.onFrame = [&](QWebSocket *socket, const PhoenixMessage &m) {
        replyHeartbeats(socket, m);
        if (isJoin(m)) {
            if (++joins == 1) {
                FakePhoenixServer::acceptJoin(socket, m);
                return;
            }
            FakePhoenixServer::replyOk(socket, m, {{QStringLiteral("store_seq"), 7}});
            FakePhoenixServer::send(
                socket,
                PhoenixMessage{
                    m.joinRef, std::nullopt, kTopic, QStringLiteral("snapshot"),
                    QJsonObject{
                        {QStringLiteral("snapshot_seq"), 7},
                        {QStringLiteral("entries"),
                         QJsonObject{{QStringLiteral("n"),
                                      QJsonObject{{QStringLiteral("value"),
                                                   QJsonObject{{QStringLiteral("_scalar"), 5}}},
                                                  {QStringLiteral("type"),
                                                   QStringLiteral("counter")}}}}}}});
            FakePhoenixServer::send(
                socket,
                PhoenixMessage{m.joinRef, std::nullopt, kTopic, QStringLiteral("catch_up_complete"),
                               QJsonObject{{QStringLiteral("through_seq"), 7}}});
            return;
        }
        if (isWrite(m)) {
            const QString op = m.payload.toObject().value(QLatin1String("op")).toString();
            if (joins == 1 && op == QLatin1String("set")) // the second of the two: drop now
                QTimer::singleShot(0, socket, [socket] { socket->abort(); });
            if (joins == 2)
                FakePhoenixServer::replyOk(socket, m, {{QStringLiteral("store_seq"), 8}});
        }
    };
    SdkTransport t(options(fake.url()));
    QVERIFY(waitLive(t, kStore));
    const auto increment = t.increment(kStore, path(QStringLiteral("n")), 1);
    const auto set = t.put(kStore, path(QStringLiteral("s")), QStringLiteral("x"));

    const auto setResult = await(set);
    SDK_EXPECT_OK(setResult);
    QCOMPARE(setResult->storeSeq, 8);
    const auto incrementResult = await(increment);
    SDK_EXPECT_ERROR(incrementResult, Error::Kind::Network);
    QCOMPARE(incrementResult.error().reason(), QStringLiteral("outcome_unknown"));
    QCOMPARE(incrementResult.error().path(), QStringLiteral("n"));
    QCOMPARE(joins, 2);

    QStringList ops;
    for (const PhoenixMessage &m : framesOf(fake, isWrite))
        ops.append(m.payload.toObject().value(QLatin1String("op")).toString());
    QCOMPARE(ops, (QStringList{QStringLiteral("increment"), QStringLiteral("set"),
                               QStringLiteral("set")}));
}

void TstSdkTransportFaults::channelErrorRejoins()
{
    FakePhoenixServer fake;
    QVERIFY(fake.listen());
    int joins = 0;
    fake.onFrame = [&](QWebSocket *socket, const PhoenixMessage &m) {
        replyHeartbeats(socket, m);
        if (!isJoin(m))
            return;
        FakePhoenixServer::acceptJoin(socket, m);
        if (++joins == 1) // the channel process crashes
            FakePhoenixServer::send(socket,
                                    PhoenixMessage{m.joinRef, m.joinRef, kTopic,
                                                   QStringLiteral("phx_error"), QJsonObject()});
    };
    SdkTransport t(options(fake.url()));
    QSignalSpy errors(&t, &SdkTransport::protocolError);
    t.open(kStore);
    QTRY_COMPARE(joins, 2);
    QTRY_VERIFY(t.isLive(kStore));
    QCOMPARE(fake.connections, 1); // the socket stayed; only the channel was rejoined
    QTRY_VERIFY(!errors.isEmpty());
}

void TstSdkTransportFaults::malformedFramesAreReportedNotFatal()
{
    FakePhoenixServer fake;
    QVERIFY(fake.listen());
    QWebSocket *client = nullptr;
    std::optional<QString> joinRef;
    fake.onFrame = [&](QWebSocket *socket, const PhoenixMessage &m) {
        replyHeartbeats(socket, m);
        if (isJoin(m)) {
            client = socket;
            joinRef = m.joinRef;
            FakePhoenixServer::acceptJoin(socket, m);
        }
    };
    SdkTransport t(options(fake.url()));
    QSignalSpy errors(&t, &SdkTransport::protocolError);
    QVERIFY(waitLive(t, kStore));
    QVERIFY(client);

    const QString nested = QString(200000, QLatin1Char('[')) + QString(200000, QLatin1Char(']'));
    const QStringList garbage{
        QStringLiteral("not json at all"),
        QStringLiteral("[1,2,3]"),
        QStringLiteral("{}"),
        QStringLiteral("[null,null,5,\"event\",{}]"),
        QStringLiteral("[null,null,\"store:acme/site\",\"event\",[1]]"),
        QStringLiteral(
            "[null,null,\"store:acme/site\",\"event\",{\"store_seq\":\"x\",\"op\":\"set\","
            "\"path\":\"a\"}]"),
        QStringLiteral("[null,null,\"store:acme/site\",\"event\",{\"store_seq\":1,\"op\":\"set\","
                       "\"path\":\"a//b\",\"value\":1}]"),
        QStringLiteral("[null,null,\"store:acme/site\",\"catch_up_complete\",{}]"),
        QStringLiteral("[null,null,\"store:acme/site\",\"snapshot\",{\"snapshot_seq\":9,"
                       "\"entries\":{}}]"),
        nested,
        QStringLiteral("[null,null,\"store:acme/site\",\"event\",{\"store_seq\":1,\"op\":\"set\","
                       "\"path\":\"deep\",\"value\":") +
            nested + QStringLiteral("}]"),
        QStringLiteral("[\"1\",\"999\",\"store:acme/site\",\"phx_reply\",{\"status\":\"ok\","
                       "\"response\":{}}]"), // a reply nobody waits for: ignored
        QStringLiteral("[null,null,\"store:acme/site\",\"event\",{\"store_seq\":1,"
                       "\"op\":\"frobnicate\",\"path\":\"odd\",\"value\":1}]"),
    };
    for (const QString &frame : garbage)
        FakePhoenixServer::sendRaw(client, frame);
    client->sendBinaryMessage(QByteArray("\x95\x01\x02", 3));
    // A good event after all that still applies.
    FakePhoenixServer::send(client, eventFrame(std::nullopt, 2, QStringLiteral("ok"), true));

    QTRY_VERIFY([&] {
        const auto exists = await(t.exists(kStore, path(QStringLiteral("ok"))));
        return exists && *exists;
    }());
    QTRY_VERIFY(errorCount(errors) >= 12);
    QCOMPARE(fake.connections, 1);
    QVERIFY(t.isLive(kStore));
    QCOMPARE(await(t.get(kStore, path(QStringLiteral("ok"))))->value.toBool(), true);
    SDK_EXPECT_ERROR(await(t.get(kStore, path(QStringLiteral("odd")))), Error::Kind::NotFound);
}

void TstSdkTransportFaults::refusedUpgradeIsUnauthorized()
{
    // An HTTP server that answers every upgrade with 403, as Phoenix does for a bad token.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                if (!socket->readAll().contains("\r\n\r\n"))
                    return;
                socket->write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                              "Connection: close\r\n\r\n");
                socket->disconnectFromHost();
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    SdkTransport t(options(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort()))));
    const auto read = await(t.get(kStore, path(QStringLiteral("x"))));
    SDK_EXPECT_ERROR(read, Error::Kind::Unauthorized);
    QCOMPARE(read.error().httpStatus(), 403);
    SDK_EXPECT_ERROR(await(t.put(kStore, path(QStringLiteral("x")), 1)), Error::Kind::Unauthorized);
}

void TstSdkTransportFaults::destroyWhileConnecting()
{
    // Accepts TCP connections and never answers the upgrade.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    int accepted = 0;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (server.nextPendingConnection())
            ++accepted;
    });
    QFuture<Result<WriteResult>> write;
    {
        SdkTransport t(options(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort()))));
        QSignalSpy states(&t, &SdkTransport::connectionStateChanged);
        write = t.put(kStore, path(QStringLiteral("x")), 1);
        QTRY_COMPARE(accepted, 1);
        QTRY_COMPARE(t.connectionState(), SdkTransport::ConnectionState::Connecting);
        QVERIFY(!write.isFinished());
    }
    QVERIFY(write.isFinished());
    SDK_EXPECT_ERROR(write.result(), Error::Kind::Cancelled);

    // And during a reconnect backoff.
    QFuture<Result<Entry>> read;
    {
        SdkOptions opts = options(QUrl(QStringLiteral("ws://127.0.0.1:1")));
        opts.reconnectDelay = 10s;
        opts.maxReconnectDelay = 10s;
        SdkTransport t(opts);
        QSignalSpy errors(&t, &SdkTransport::connectionError);
        read = t.get(kStore, path(QStringLiteral("x")));
        QVERIFY(errors.wait(10000));
    }
    QVERIFY(read.isFinished());
    SDK_EXPECT_ERROR(read.result(), Error::Kind::Cancelled);
}

void TstSdkTransportFaults::closeStoreCancelsItsCalls()
{
    FakePhoenixServer fake;
    QVERIFY(fake.listen());
    fake.onFrame = [](QWebSocket *socket, const PhoenixMessage &m) {
        replyHeartbeats(socket, m);
        if (isJoin(m)) // the join is answered, the catch-up never completes
            FakePhoenixServer::replyOk(socket, m, {{QStringLiteral("store_seq"), 5}});
    };
    SdkTransport t(options(fake.url()));
    QSignalSpy joined(&t, &SdkTransport::storeJoined);
    auto read = t.get(kStore, path(QStringLiteral("x")));
    auto write = t.put(kStore, path(QStringLiteral("x")), 1);
    QVERIFY(joined.wait(10000));
    t.close(kStore);
    SDK_EXPECT_ERROR(await(read), Error::Kind::Cancelled);
    SDK_EXPECT_ERROR(await(write), Error::Kind::Cancelled);
    QTRY_VERIFY(std::any_of(fake.received.cbegin(), fake.received.cend(),
                            [](const auto &m) { return m.event == QLatin1String("phx_leave"); }));
    QVERIFY(framesOf(fake, isWrite).isEmpty());
}

QTEST_MAIN(TstSdkTransportFaults)
#include "tst_sdktransport_faults.moc"
