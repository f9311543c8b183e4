// dustlite's WebSocket side (Phoenix Channels V2, dust-protocol.md §5) against real
// QWebSocket clients on 127.0.0.1: connecting, heartbeats, joining and leaving channels,
// and sockets that misbehave or go quiet.

#include "WsTestHarness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QTimer>

using namespace wstest;

class TestWebSocket : public QObject
{
    Q_OBJECT

private slots:
    void connectRefused_data();
    void connectRefused();
    void connectAccepted_data();
    void connectAccepted();
    void heartbeat();
    void joinReply();
    void joinErrors_data();
    void joinErrors();
    void joinByStoreId();
    void pushToUnjoinedTopic();
    void leave();
    void duplicateJoin();
    void unknownEventAndBadPayload();
    void garbageFrames_data();
    void garbageFrames();
    void binaryFrame();
    void oversizedMessage();
    void idleTimeout();
    void heartbeatsKeepAlive();
};

void TestWebSocket::connectRefused_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("reason");
    QTest::newRow("no token") << "device_id=d&capver=3&vsn=2.0.0"
                              << "unauthorized";
    QTest::newRow("empty token") << "token=&device_id=d&capver=3&vsn=2.0.0"
                                 << "unauthorized";
    QTest::newRow("bad prefix") << "token=tok_full&device_id=d&capver=3&vsn=2.0.0"
                                << "unauthorized";
    QTest::newRow("unknown token") << "token=dust_tok_nope&device_id=d&capver=3&vsn=2.0.0"
                                   << "unauthorized";
    QTest::newRow("no device_id") << "token=dust_tok_full&capver=3&vsn=2.0.0"
                                  << "missing device_id";
    QTest::newRow("capver missing") << "token=dust_tok_full&device_id=d&vsn=2.0.0"
                                    << "capver";
    QTest::newRow("capver 2") << "token=dust_tok_full&device_id=d&capver=2&vsn=2.0.0"
                              << "capver";
    QTest::newRow("capver text") << "token=dust_tok_full&device_id=d&capver=abc&vsn=2.0.0"
                                 << "capver";
    QTest::newRow("no vsn") << "token=dust_tok_full&device_id=d&capver=3"
                            << "unsupported vsn";
    QTest::newRow("msgpack vsn") << "token=dust_tok_full&device_id=d&capver=3&vsn=3.0.0"
                                 << "unsupported vsn";
    QTest::newRow("vsn 1") << "token=dust_tok_full&device_id=d&capver=3&vsn=1.0.0"
                           << "unsupported vsn";
}

void TestWebSocket::connectRefused()
{
    QFETCH(QString, query);
    QFETCH(QString, reason);
    WsServer server;
    QVERIFY(server.start());
    QCOMPARE(SyncEndpoint::checkConnect(server.url({}, query), server.auth), reason);

    WsClient client;
    client.socket.open(server.url({}, query));
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode, QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(client.closeReason, reason);
    QTRY_COMPARE(server.endpoint->connectionCount(), 0);
}

void TestWebSocket::connectAccepted_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("capver 3") << "token=dust_tok_full&device_id=dev_1&capver=3&vsn=2.0.0";
    QTest::newRow("capver 99") << "token=dust_tok_full&device_id=dev_1&capver=99&vsn=2.0.0";
    QTest::newRow("encoded device")
        << "token=dust_tok_full&device_id=dev%20one%2B&capver=4&vsn=2.0.0";
}

void TestWebSocket::connectAccepted()
{
    QFETCH(QString, query);
    WsServer server;
    QVERIFY(server.start());
    QVERIFY(!SyncEndpoint::checkConnect(server.url({}, query), server.auth));
    WsClient client;
    QVERIFY(client.open(server.url({}, query)));
    QTRY_COMPARE(server.endpoint->connectionCount(), 1);
    QCOMPARE(replyStatus(client.heartbeat()), QStringLiteral("ok"));
    client.socket.close();
    QTRY_COMPARE(server.endpoint->connectionCount(), 0);
}

void TestWebSocket::heartbeat()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    const QString ref = client.push(QStringLiteral("phoenix"), QStringLiteral("heartbeat"),
                                    QJsonObject(), std::nullopt);
    const auto reply = client.reply(ref);
    QVERIFY(reply);
    QCOMPARE(reply->topic, QStringLiteral("phoenix"));
    QCOMPARE(reply->joinRef, std::nullopt);
    QCOMPARE(reply->ref, ref);
    QCOMPARE(reply->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(reply->replyResponse().toObject(), QJsonObject());
}

void TestWebSocket::joinReply()
{
    WsServer server;
    QVERIFY(server.start());
    server.seedItems(3);
    const auto client = server.joined();
    QVERIFY(client);
    QCOMPARE(client->joinReply->joinRef, client->joinRefs.value(topicOf()));
    const QJsonObject r = response(client->joinReply);
    QCOMPARE(r.value(QLatin1String("store_seq")).toInteger(), 3);
    QCOMPARE(r.value(QLatin1String("capver")).toInt(), 3);
    QCOMPARE(r.value(QLatin1String("capver_min")).toInt(), 3);
    QCOMPARE(r.value(QLatin1String("permissions")).toObject(),
             (QJsonObject{{QStringLiteral("read"), true}, {QStringLiteral("write"), true}}));
    QVERIFY(r.value(QLatin1String("scopes")).toArray().contains(QStringLiteral("entries:write")));
    QCOMPARE(r.value(QLatin1String("store_access")).toObject().value(QLatin1String("mode")),
             QStringLiteral("all"));

    const auto reader = server.joined({.token = kReadOnlyToken});
    QVERIFY(reader);
    const QJsonObject rr = response(reader->joinReply);
    QCOMPARE(rr.value(QLatin1String("permissions")).toObject(),
             (QJsonObject{{QStringLiteral("read"), true}, {QStringLiteral("write"), false}}));
    QCOMPARE(rr.value(QLatin1String("scopes")).toArray(),
             QJsonArray{QStringLiteral("entries:read")});
}

void TestWebSocket::joinErrors_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("expected");
    const QString full = kToken;
    QTest::newRow("no last_store_seq") << full << "store:acme/site" << QByteArray("{}")
                                       << QByteArray(R"({"reason":"join crashed"})");
    QTest::newRow("text last_store_seq")
        << full << "store:acme/site" << QByteArray(R"({"last_store_seq":"5"})")
        << QByteArray(R"({"reason":"join crashed"})");
    QTest::newRow("payload not an object") << full << "store:acme/site" << QByteArray("[1]")
                                           << QByteArray(R"({"reason":"join crashed"})");
    QTest::newRow("unknown store")
        << full << "store:acme/nope" << QByteArray(R"({"last_store_seq":0})")
        << QByteArray(R"({"reason":"unauthorized"})");
    QTest::newRow("unknown store id")
        << full << "store:0000-unknown" << QByteArray(R"({"last_store_seq":0})")
        << QByteArray(R"({"reason":"unauthorized"})");
    QTest::newRow("other org")
        << QString(kOtherOrgToken) << "store:acme/site" << QByteArray(R"({"last_store_seq":0})")
        << QByteArray(
               R"({"message":"Token does not have access to this store","reason":"store_not_allowed"})");
    QTest::newRow("no entries:read")
        << QString(kNoReadToken) << "store:acme/site" << QByteArray(R"({"last_store_seq":0})")
        << QByteArray(
               R"({"message":"Token is missing entries:read scope","reason":"missing_scope","scope":"entries:read"})");
    QTest::newRow("not a store topic")
        << full << "room:lobby" << QByteArray(R"({"last_store_seq":0})")
        << QByteArray(R"({"reason":"unmatched topic"})");
}

void TestWebSocket::joinErrors()
{
    QFETCH(QString, token);
    QFETCH(QString, topic);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, expected);
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url(token)));
    const QJsonValue body = QJsonDocument::fromJson(payload).isArray()
                                ? QJsonValue(QJsonDocument::fromJson(payload).array())
                                : QJsonValue(QJsonDocument::fromJson(payload).object());
    const auto reply = client.call(topic, QStringLiteral("phx_join"), body);
    QCOMPARE(replyStatus(reply), QStringLiteral("error"));
    QCOMPARE(json(response(reply)), expected);
    // The refused join opened no channel: a push on it is unmatched.
    const auto push = client.call(topic, QStringLiteral("status"), QJsonObject());
    QCOMPARE(json(response(push)), QByteArray(R"({"reason":"unmatched topic"})"));
    // No catch-up either.
    QVERIFY(client.events(topic, QStringLiteral("catch_up_complete")).isEmpty());
}

void TestWebSocket::joinByStoreId()
{
    WsServer server;
    QVERIFY(server.start());
    server.seedItems(2);
    const QString topic = QStringLiteral("store:") + server.db()->id();
    const auto client = server.joined({.topic = topic});
    QVERIFY(client);
    QVERIFY(client->waitCaughtUp(topic) >= 0);
    QCOMPARE(client->events(topic).size(), 2);
}

void TestWebSocket::pushToUnjoinedTopic()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    const auto reply = client.set(QStringLiteral("a"), 1, QStringLiteral("op_1"));
    QCOMPARE(replyStatus(reply), QStringLiteral("error"));
    QCOMPARE(json(response(reply)), QByteArray(R"({"reason":"unmatched topic"})"));
    QCOMPARE(server.db()->currentSeq(), 0);

    // A stale join_ref on a joined topic is unmatched too.
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    const auto stale = client.reply(
        client.push(topicOf(), QStringLiteral("status"), QJsonObject(), QStringLiteral("999")));
    QCOMPARE(json(response(stale)), QByteArray(R"({"reason":"unmatched topic"})"));
}

void TestWebSocket::leave()
{
    WsServer server;
    QVERIFY(server.start());
    const auto client = server.joined();
    QVERIFY(client);
    QVERIFY(client->waitCaughtUp(topicOf()) >= 0);
    const auto left = client->call(topicOf(), QStringLiteral("phx_leave"), QJsonObject());
    QCOMPARE(replyStatus(left), QStringLiteral("ok"));
    QVERIFY(client->waitFor(
        [](const PhoenixMessage &m) { return m.event == QLatin1String("phx_close"); }));
    const auto after = client->set(QStringLiteral("a"), 1, QStringLiteral("op_1"));
    QCOMPARE(json(response(after)), QByteArray(R"({"reason":"unmatched topic"})"));
    // Writes by others no longer reach the socket.
    const auto writer = server.joined();
    QVERIFY(writer);
    QCOMPARE(replyStatus(writer->set(QStringLiteral("b"), 2, QStringLiteral("op_2"))),
             QStringLiteral("ok"));
    QCOMPARE(replyStatus(client->heartbeat()), QStringLiteral("ok"));
    QVERIFY(client->events().isEmpty());
}

void TestWebSocket::duplicateJoin()
{
    WsServer server;
    QVERIFY(server.start());
    server.seedItems(2);
    const auto client = server.joined();
    QVERIFY(client);
    QVERIFY(client->waitCaughtUp(topicOf()) >= 0);
    const QString firstRef = *client->joinReply->joinRef;
    const auto second = client->join(topicOf(), 1);
    QCOMPARE(replyStatus(second), QStringLiteral("ok"));
    // The first channel was closed, the second one caught up from seq 1.
    QVERIFY(client->waitFor([&](const PhoenixMessage &m) {
        return m.event == QLatin1String("phx_close") && m.joinRef == firstRef;
    }));
    const auto complete = client->waitFor([&](const PhoenixMessage &m) {
        return m.event == QLatin1String("catch_up_complete") && m.joinRef == second->joinRef;
    });
    QVERIFY(complete);
    QCOMPARE(throughSeqOf(*complete), 2);
}

void TestWebSocket::unknownEventAndBadPayload()
{
    WsServer server;
    QVERIFY(server.start());
    const auto client = server.joined();
    QVERIFY(client);
    const auto unknown = client->call(topicOf(), QStringLiteral("subscribe"), QJsonObject());
    QCOMPARE(json(response(unknown)),
             QByteArray(R"({"event":"subscribe","reason":"unknown_event"})"));
    const auto notObject = client->call(topicOf(), QStringLiteral("write"), QJsonArray{1, 2});
    QCOMPARE(response(notObject).value(QLatin1String("reason")).toString(),
             QStringLiteral("invalid_payload"));
    // The channel is still usable.
    QCOMPARE(replyStatus(client->call(topicOf(), QStringLiteral("status"), QJsonObject())),
             QStringLiteral("ok"));
}

void TestWebSocket::garbageFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::newRow("not json") << QByteArray("hello there");
    QTest::newRow("truncated json") << QByteArray(R"([null,"1","phoenix","heartbeat",{)");
    QTest::newRow("object") << QByteArray(R"({"topic":"phoenix","event":"heartbeat"})");
    QTest::newRow("four elements") << QByteArray(R"([null,"1","phoenix","heartbeat"])");
    QTest::newRow("topic not a string") << QByteArray(R"([null,"1",5,"heartbeat",{}])");
    QTest::newRow("ref a number") << QByteArray(R"([null,1,"phoenix","heartbeat",{}])");
    QTest::newRow("empty") << QByteArray("");
}

void TestWebSocket::garbageFrames()
{
    QFETCH(QByteArray, frame);
    WsServer server;
    QVERIFY(server.start());
    const auto other = server.joined();
    QVERIFY(other);

    WsClient client;
    QVERIFY(client.open(server.url()));
    client.sendRaw(frame);
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode, QWebSocketProtocol::CloseCodeWrongDatatype);
    QVERIFY2(client.closeReason.startsWith(QLatin1String("malformed frame")),
             qPrintable(client.closeReason));

    // The server lives on: the other socket and new ones are served.
    QCOMPARE(replyStatus(other->set(QStringLiteral("a"), 1, QStringLiteral("op_1"))),
             QStringLiteral("ok"));
    WsClient fresh;
    QVERIFY(fresh.open(server.url()));
    QCOMPARE(replyStatus(fresh.heartbeat()), QStringLiteral("ok"));
    QTRY_COMPARE(server.endpoint->connectionCount(), 2);
}

void TestWebSocket::binaryFrame()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    client.socket.sendBinaryMessage(QByteArray("\x95\xa1\x31", 3));
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode, QWebSocketProtocol::CloseCodeDatatypeNotSupported);
    QTRY_COMPARE(server.endpoint->connectionCount(), 0);
    WsClient fresh;
    QVERIFY(fresh.open(server.url()));
    QCOMPARE(replyStatus(fresh.heartbeat()), QStringLiteral("ok"));
}

void TestWebSocket::oversizedMessage()
{
    ServerConfig config;
    config.maxWsMessageBytes = 64 * 1024;
    WsServer server(config);
    QVERIFY(server.start());
    const auto client = server.joined();
    QVERIFY(client);
    // Just under the limit is fine.
    const QString fits(60 * 1024, QLatin1Char('x'));
    QCOMPARE(replyStatus(client->set(QStringLiteral("small"), fits, QStringLiteral("op_small"))),
             QStringLiteral("ok"));
    const QString big(200 * 1024, QLatin1Char('x'));
    client->push(
        topicOf(), QStringLiteral("write"),
        writePayload(QStringLiteral("set"), QStringLiteral("big"), big, QStringLiteral("op_big")));
    QVERIFY(client->waitClosed());
    QCOMPARE(client->closeCode, QWebSocketProtocol::CloseCodeTooMuchData);
    QVERIFY(!server.db()->get(path(QStringLiteral("big"))));
    QTRY_COMPARE(server.endpoint->connectionCount(), 0);

    WsClient fresh;
    QVERIFY(fresh.open(server.url()));
    QCOMPARE(replyStatus(fresh.heartbeat()), QStringLiteral("ok"));
}

void TestWebSocket::idleTimeout()
{
    ServerConfig config;
    config.wsIdleTimeoutMs = 300;
    WsServer server(config);
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    QTRY_COMPARE(server.endpoint->connectionCount(), 1);
    QVERIFY(client.waitClosed(10000));
    QCOMPARE(client.closeReason, QStringLiteral("idle timeout"));
    QTRY_COMPARE(server.endpoint->connectionCount(), 0);
}

void TestWebSocket::heartbeatsKeepAlive()
{
    ServerConfig config;
    config.wsIdleTimeoutMs = 400;
    WsServer server(config);
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    QTimer beat;
    beat.setInterval(100);
    QObject::connect(&beat, &QTimer::timeout, &client.socket, [&client] {
        client.push(QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject());
    });
    beat.start();
    // Fifteen replies take about four idle timeouts.
    QTRY_VERIFY_WITH_TIMEOUT(client.received.size() >= 15, 10000);
    QVERIFY(!client.closed);
    beat.stop();
    QVERIFY(client.waitClosed(10000));
    QCOMPARE(client.closeReason, QStringLiteral("idle timeout"));
}

QTEST_GUILESS_MAIN(TestWebSocket)
#include "tst_websocket.moc"
