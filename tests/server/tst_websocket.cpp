// dustlite's WebSocket side (Phoenix Channels V2, dust-protocol.md §5) against real
// QWebSocket clients on 127.0.0.1.

#include "WsTestHarness.h"

#include "StoreDb.h"
#include "protocol/Entry.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace wstest;
using dust::ChangeEvent;
using dust::Op;
using dust::Path;

namespace {

Path path(const QString &rendered)
{
    return Path::parse(rendered).value();
}

WriteRequest setRequest(const QString &where, const QJsonValue &value, const QString &opId)
{
    WriteRequest request;
    request.op = Op::Set;
    request.path = path(where);
    request.value = value;
    request.deviceId = QStringLiteral("dev_seed");
    request.clientOpId = opId;
    return request;
}

// Writes `count` numbered leaves straight into the store; returns the last seq.
qint64 seed(StoreDb *db, int count, const QString &prefix = QStringLiteral("item"))
{
    qint64 seq = 0;
    for (int i = 1; i <= count; ++i) {
        const auto result = db->write(setRequest(prefix + QLatin1Char('/') + QString::number(i), i,
                                                 QStringLiteral("seed_%1").arg(i)));
        seq = result.storeSeq;
    }
    return seq;
}

qint64 bulkSeed(StoreDb *db, int count, int padding = 0)
{
    QList<std::pair<Path, QJsonValue>> leaves;
    leaves.reserve(count);
    const QString pad(padding, QLatin1Char('p'));
    for (int i = 0; i < count; ++i)
        leaves.append({path(QStringLiteral("bulk/%1/name").arg(i)),
                       QString(QStringLiteral("value number %1").arg(i) + pad)});
    return db->bulkSet(leaves, QStringLiteral("dev_seed"));
}

// One masked client text frame (RFC 6455 §5.2), for a client that speaks raw TCP.
QByteArray maskedTextFrame(const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x81));
    const qsizetype n = payload.size();
    if (n < 126) {
        frame.append(char(0x80 | n));
    } else if (n < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char((n >> 8) & 0xff));
        frame.append(char(n & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(n) >> shift) & 0xff));
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < n; ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

QJsonObject writePayload(const QString &op, const QString &where, const QJsonValue &value,
                         const QString &opId, const QJsonObject &extra = {})
{
    QJsonObject payload = extra;
    payload.insert(QStringLiteral("op"), op);
    payload.insert(QStringLiteral("path"), where);
    if (!value.isUndefined())
        payload.insert(QStringLiteral("value"), value);
    payload.insert(QStringLiteral("client_op_id"), opId);
    return payload;
}

QByteArray json(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
}

bool isEventFor(const PhoenixMessage &m, const QString &opId)
{
    return m.event == QLatin1String("event") &&
           m.payload.toObject().value(QLatin1String("client_op_id")).toString() == opId;
}

} // namespace

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
    void catchUpFromZero();
    void catchUpFromMiddle();
    void catchUpClientAhead();
    void catchUpAcrossSnapshot();
    void catchUpInBatches();
    void compactAfter();
    void writeEveryOp();
    void writeErrors_data();
    void writeErrors();
    void writeScopes();
    void pathSegmentsWinOverPath();
    void broadcastBeforeReply();
    void restWritesBroadcastOnlyWhenConfigured_data();
    void restWritesBroadcastOnlyWhenConfigured();
    void rateLimited();
    void putFile();
    void putFileErrors();
    void statusEvent();
    void ackSeq();
    void rollbackPath();
    void rollbackWholeStore();
    void unknownEventAndBadPayload();
    void garbageFrames_data();
    void garbageFrames();
    void binaryFrame();
    void oversizedMessage();
    void idleTimeout();
    void heartbeatsKeepAlive();
    void catchUpDoesNotBlockOthers();
    void clientVanishesMidCatchUp();
    void slowReaderIsNotBuffered();
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
    QCOMPARE(replyStatus(client.call(QStringLiteral("phoenix"), QStringLiteral("heartbeat"),
                                     QJsonObject())),
             QStringLiteral("ok"));
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
    seed(server.db(), 3);
    WsClient client;
    QVERIFY(client.open(server.url()));
    const auto reply = client.join(topicOf());
    QVERIFY(reply);
    QCOMPARE(reply->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(reply->joinRef, client.joinRefs.value(topicOf()));
    const QJsonObject r = response(reply);
    QCOMPARE(r.value(QLatin1String("store_seq")).toInteger(), 3);
    QCOMPARE(r.value(QLatin1String("capver")).toInt(), 3);
    QCOMPARE(r.value(QLatin1String("capver_min")).toInt(), 3);
    QCOMPARE(r.value(QLatin1String("permissions")).toObject(),
             (QJsonObject{{QStringLiteral("read"), true}, {QStringLiteral("write"), true}}));
    QVERIFY(r.value(QLatin1String("scopes")).toArray().contains(QStringLiteral("entries:write")));
    QCOMPARE(r.value(QLatin1String("store_access")).toObject().value(QLatin1String("mode")),
             QStringLiteral("all"));

    WsClient reader;
    QVERIFY(reader.open(server.url(kReadOnlyToken)));
    const QJsonObject rr = response(reader.join(topicOf()));
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
    seed(server.db(), 2);
    WsClient client;
    QVERIFY(client.open(server.url()));
    const QString topic = QStringLiteral("store:") + server.db()->id();
    QCOMPARE(replyStatus(client.join(topic)), QStringLiteral("ok"));
    QVERIFY(client.waitCaughtUp(topic) >= 0);
    QCOMPARE(client.events(topic).size(), 2);
}

void TestWebSocket::pushToUnjoinedTopic()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    const auto reply = client.call(
        topicOf(), QStringLiteral("write"),
        writePayload(QStringLiteral("set"), QStringLiteral("a"), 1, QStringLiteral("op_1")));
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
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    QVERIFY(client.waitCaughtUp(topicOf()) >= 0);
    const auto left = client.call(topicOf(), QStringLiteral("phx_leave"), QJsonObject());
    QCOMPARE(replyStatus(left), QStringLiteral("ok"));
    QVERIFY(client.waitFor(
        [](const PhoenixMessage &m) { return m.event == QLatin1String("phx_close"); }));
    const auto after = client.call(
        topicOf(), QStringLiteral("write"),
        writePayload(QStringLiteral("set"), QStringLiteral("a"), 1, QStringLiteral("op_1")));
    QCOMPARE(json(response(after)), QByteArray(R"({"reason":"unmatched topic"})"));
    // Writes by others no longer reach the socket.
    WsClient writer;
    QVERIFY(writer.open(server.url()));
    QCOMPARE(replyStatus(writer.join(topicOf())), QStringLiteral("ok"));
    QCOMPARE(replyStatus(writer.call(topicOf(), QStringLiteral("write"),
                                     writePayload(QStringLiteral("set"), QStringLiteral("b"), 2,
                                                  QStringLiteral("op_2")))),
             QStringLiteral("ok"));
    QCOMPARE(replyStatus(client.call(QStringLiteral("phoenix"), QStringLiteral("heartbeat"),
                                     QJsonObject())),
             QStringLiteral("ok"));
    QVERIFY(client.events(topicOf()).isEmpty());
}

void TestWebSocket::duplicateJoin()
{
    WsServer server;
    QVERIFY(server.start());
    seed(server.db(), 2);
    WsClient client;
    QVERIFY(client.open(server.url()));
    const auto first = client.join(topicOf());
    QCOMPARE(replyStatus(first), QStringLiteral("ok"));
    QVERIFY(client.waitCaughtUp(topicOf()) >= 0);
    const QString firstRef = *first->joinRef;
    const auto second = client.join(topicOf(), 1);
    QCOMPARE(replyStatus(second), QStringLiteral("ok"));
    // The first channel was closed, the second one caught up from seq 1.
    QVERIFY(client.waitFor([&](const PhoenixMessage &m) {
        return m.event == QLatin1String("phx_close") && m.joinRef == firstRef;
    }));
    qsizetype index = -1;
    QVERIFY(client.waitFor(
        [&](const PhoenixMessage &m) {
            return m.event == QLatin1String("catch_up_complete") && m.joinRef == second->joinRef;
        },
        5000, &index));
    QCOMPARE(client.received.at(index)
                 .payload.toObject()
                 .value(QLatin1String("through_seq"))
                 .toInteger(),
             2);
}

void TestWebSocket::catchUpFromZero()
{
    WsServer server;
    QVERIFY(server.start());
    seed(server.db(), 5);
    WsClient client;
    QVERIFY(client.open(server.url()));
    qsizetype replyIndex = -1;
    const auto joined = client.reply(client.push(topicOf(), QStringLiteral("phx_join"),
                                                 QJsonObject{{QStringLiteral("last_store_seq"), 0}},
                                                 QStringLiteral("7")),
                                     5000, &replyIndex);
    QCOMPARE(replyStatus(joined), QStringLiteral("ok"));
    const qsizetype done = client.waitCaughtUp(topicOf());
    QVERIFY(done > replyIndex);
    const auto events = client.events(topicOf());
    QCOMPARE(events.size(), 5);
    for (int i = 0; i < 5; ++i) {
        const PhoenixMessage &m = events.at(i);
        QCOMPARE(m.joinRef, QStringLiteral("7"));
        QCOMPARE(m.ref, std::nullopt);
        const QJsonObject e = m.payload.toObject();
        QCOMPARE(e.value(QLatin1String("store_seq")).toInteger(), i + 1);
        QCOMPARE(e.value(QLatin1String("op")).toString(), QStringLiteral("set"));
        QCOMPARE(e.value(QLatin1String("path")).toString(), QStringLiteral("item/%1").arg(i + 1));
        QCOMPARE(e.value(QLatin1String("path_segments")).toArray(),
                 (QJsonArray{QStringLiteral("item"), QString::number(i + 1)}));
        QCOMPARE(e.value(QLatin1String("value")).toInt(), i + 1);
        QCOMPARE(e.value(QLatin1String("device_id")).toString(), QStringLiteral("dev_seed"));
        QCOMPARE(e.value(QLatin1String("client_op_id")).toString(),
                 QStringLiteral("seed_%1").arg(i + 1));
    }
    const PhoenixMessage &complete = client.received.at(done);
    QCOMPARE(complete.joinRef, QStringLiteral("7"));
    QCOMPARE(complete.payload.toObject(), (QJsonObject{{QStringLiteral("through_seq"), 5}}));
    QVERIFY(client.events(topicOf(), QStringLiteral("snapshot")).isEmpty());
}

void TestWebSocket::catchUpFromMiddle()
{
    WsServer server;
    QVERIFY(server.start());
    seed(server.db(), 10);
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf(), 6)), QStringLiteral("ok"));
    const qsizetype done = client.waitCaughtUp(topicOf());
    QVERIFY(done >= 0);
    const auto events = client.events(topicOf());
    QCOMPARE(events.size(), 4);
    QCOMPARE(events.first().payload.toObject().value(QLatin1String("store_seq")).toInteger(), 7);
    QCOMPARE(events.last().payload.toObject().value(QLatin1String("store_seq")).toInteger(), 10);
    QCOMPARE(
        client.received.at(done).payload.toObject().value(QLatin1String("through_seq")).toInteger(),
        10);

    // Up to date: nothing replayed, through_seq is the client's own seq.
    WsClient current;
    QVERIFY(current.open(server.url()));
    QCOMPARE(replyStatus(current.join(topicOf(), 10)), QStringLiteral("ok"));
    const qsizetype currentDone = current.waitCaughtUp(topicOf());
    QVERIFY(currentDone >= 0);
    QVERIFY(current.events(topicOf()).isEmpty());
    QCOMPARE(current.received.at(currentDone)
                 .payload.toObject()
                 .value(QLatin1String("through_seq"))
                 .toInteger(),
             10);
}

void TestWebSocket::catchUpClientAhead()
{
    WsServer server;
    QVERIFY(server.start());
    seed(server.db(), 2);
    WsClient client;
    QVERIFY(client.open(server.url()));
    const auto reply = client.join(topicOf(), 50);
    QCOMPARE(response(reply).value(QLatin1String("store_seq")).toInteger(), 2);
    const qsizetype done = client.waitCaughtUp(topicOf());
    QVERIFY(done >= 0);
    QVERIFY(client.events(topicOf()).isEmpty());
    QCOMPARE(
        client.received.at(done).payload.toObject().value(QLatin1String("through_seq")).toInteger(),
        50);
}

void TestWebSocket::catchUpAcrossSnapshot()
{
    WsServer server;
    QVERIFY(server.start());
    StoreDb *db = server.db();
    db->write(setRequest(QStringLiteral("users/alice/name"), QStringLiteral("Alice"),
                         QStringLiteral("s1")));
    db->write(setRequest(QStringLiteral("stats/views"), 42, QStringLiteral("s2")));
    db->write(setRequest(QStringLiteral("gone"), true, QStringLiteral("s3")));
    WriteRequest remove = setRequest(QStringLiteral("gone"), QJsonValue(), QStringLiteral("s4"));
    remove.op = Op::Delete;
    db->write(remove);
    db->compact();
    QCOMPARE(db->latestSnapshotSeq(), 4);
    db->write(setRequest(QStringLiteral("after/one"), 1, QStringLiteral("s5")));
    db->write(setRequest(QStringLiteral("after/two"), 2, QStringLiteral("s6")));

    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf(), 1)), QStringLiteral("ok"));
    const qsizetype done = client.waitCaughtUp(topicOf());
    QVERIFY(done >= 0);
    const auto snapshots = client.events(topicOf(), QStringLiteral("snapshot"));
    QCOMPARE(snapshots.size(), 1);
    const QJsonObject snapshot = snapshots.first().payload.toObject();
    QCOMPARE(snapshot.value(QLatin1String("snapshot_seq")).toInteger(), 4);
    const QJsonObject entries = snapshot.value(QLatin1String("entries")).toObject();
    QCOMPARE(entries.size(), 2);
    QCOMPARE(json(entries.value(QLatin1String("users/alice/name"))),
             QByteArray(R"({"type":"string","value":{"_scalar":"Alice"}})"));
    QCOMPARE(json(entries.value(QLatin1String("stats/views"))),
             QByteArray(R"({"type":"integer","value":{"_scalar":42}})"));
    QCOMPARE(snapshots.first().joinRef, client.joinRefs.value(topicOf()));
    // The snapshot comes first, then the ops after it.
    const auto events = client.events(topicOf());
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).payload.toObject().value(QLatin1String("store_seq")).toInteger(), 5);
    QCOMPARE(events.at(1).payload.toObject().value(QLatin1String("store_seq")).toInteger(), 6);
    qsizetype snapshotIndex = -1;
    client.waitFor([](const PhoenixMessage &m) { return m.event == QLatin1String("snapshot"); }, 0,
                   &snapshotIndex);
    qsizetype firstEvent = -1;
    client.waitFor([](const PhoenixMessage &m) { return m.event == QLatin1String("event"); }, 0,
                   &firstEvent);
    QVERIFY(snapshotIndex < firstEvent);
    QCOMPARE(
        client.received.at(done).payload.toObject().value(QLatin1String("through_seq")).toInteger(),
        6);

    // A client past the snapshot gets no snapshot.
    WsClient recent;
    QVERIFY(recent.open(server.url()));
    QCOMPARE(replyStatus(recent.join(topicOf(), 5)), QStringLiteral("ok"));
    QVERIFY(recent.waitCaughtUp(topicOf()) >= 0);
    QVERIFY(recent.events(topicOf(), QStringLiteral("snapshot")).isEmpty());
    QCOMPARE(recent.events(topicOf()).size(), 1);
}

void TestWebSocket::catchUpInBatches()
{
    WsServer server;
    QVERIFY(server.start());
    QCOMPARE(bulkSeed(server.db(), 2500), 2500);
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    const qsizetype done = client.waitCaughtUp(topicOf(), 60000);
    QVERIFY(done >= 0);
    const auto events = client.events(topicOf());
    QCOMPARE(events.size(), 2500);
    for (int i = 0; i < events.size(); ++i)
        QCOMPARE(events.at(i).payload.toObject().value(QLatin1String("store_seq")).toInteger(),
                 i + 1);
    QCOMPARE(
        client.received.at(done).payload.toObject().value(QLatin1String("through_seq")).toInteger(),
        2500);
    // Exactly one catch_up_complete, after the last event.
    QCOMPARE(client.events(topicOf(), QStringLiteral("catch_up_complete")).size(), 1);
    QCOMPARE(done, client.received.size() - 1);

    // Exactly 1000 behind: two full... one full batch then an empty one.
    WsClient thousand;
    QVERIFY(thousand.open(server.url()));
    QCOMPARE(replyStatus(thousand.join(topicOf(), 1500)), QStringLiteral("ok"));
    const qsizetype doneThousand = thousand.waitCaughtUp(topicOf(), 60000);
    QVERIFY(doneThousand >= 0);
    QCOMPARE(thousand.events(topicOf()).size(), 1000);
    QCOMPARE(thousand.received.at(doneThousand)
                 .payload.toObject()
                 .value(QLatin1String("through_seq"))
                 .toInteger(),
             2500);
}

void TestWebSocket::compactAfter()
{
    ServerConfig config;
    config.compactAfter = 5;
    WsServer server(config);
    QVERIFY(server.start());
    WsClient writer;
    QVERIFY(writer.open(server.url()));
    QCOMPARE(replyStatus(writer.join(topicOf())), QStringLiteral("ok"));
    for (int i = 1; i <= 7; ++i) {
        const auto reply =
            writer.call(topicOf(), QStringLiteral("write"),
                        writePayload(QStringLiteral("set"), QStringLiteral("k/%1").arg(i), i,
                                     QStringLiteral("op_%1").arg(i)));
        QCOMPARE(response(reply).value(QLatin1String("store_seq")).toInteger(), i);
    }
    QCOMPARE(server.db()->latestSnapshotSeq(), 5);
    QVERIFY(server.db()->opCount() < 5);

    WsClient late;
    QVERIFY(late.open(server.url()));
    QCOMPARE(replyStatus(late.join(topicOf())), QStringLiteral("ok"));
    const qsizetype done = late.waitCaughtUp(topicOf());
    QVERIFY(done >= 0);
    const auto snapshots = late.events(topicOf(), QStringLiteral("snapshot"));
    QCOMPARE(snapshots.size(), 1);
    QCOMPARE(snapshots.first().payload.toObject().value(QLatin1String("entries")).toObject().size(),
             5);
    QCOMPARE(late.events(topicOf()).size(), 2);
    QCOMPARE(
        late.received.at(done).payload.toObject().value(QLatin1String("through_seq")).toInteger(),
        7);
}

void TestWebSocket::writeEveryOp()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    QVERIFY(client.waitCaughtUp(topicOf()) >= 0);

    struct Step
    {
        QJsonObject payload;
        QByteArray eventValue; // the value the event carries, compact JSON ("" = no event)
    };
    auto w = [](const QString &op, const QString &where, const QJsonValue &value, const QString &id,
                const QJsonObject &extra = {}) {
        return writePayload(op, where, value, id, extra);
    };
    const QList<Step> steps = {
        {w(QStringLiteral("set"), QStringLiteral("posts/hello"),
           QJsonObject{{QStringLiteral("title"), QStringLiteral("Hi")}}, QStringLiteral("op_set")),
         R"({"title":"Hi"})"},
        {w(QStringLiteral("merge"), QStringLiteral("posts/hello"),
           QJsonObject{{QStringLiteral("body"), QStringLiteral("text")}},
           QStringLiteral("op_merge")),
         R"({"body":"text"})"},
        {w(QStringLiteral("increment"), QStringLiteral("stats/views"), 5,
           QStringLiteral("op_inc1")),
         "[5]"},
        {w(QStringLiteral("increment"), QStringLiteral("stats/views"), 2,
           QStringLiteral("op_inc2")),
         "[7]"},
        {w(QStringLiteral("add"), QStringLiteral("tags"), QStringLiteral("a"),
           QStringLiteral("op_add1")),
         R"(["a"])"},
        {w(QStringLiteral("add"), QStringLiteral("tags"), QStringLiteral("b"),
           QStringLiteral("op_add2")),
         R"(["b","a"])"},
        {w(QStringLiteral("remove"), QStringLiteral("tags"), QStringLiteral("a"),
           QStringLiteral("op_rem")),
         R"(["b"])"},
        {w(QStringLiteral("delete"), QStringLiteral("posts/hello"), QJsonValue(),
           QStringLiteral("op_del")),
         "[null]"},
    };
    qint64 expectedSeq = 0;
    for (const Step &step : steps) {
        const QString opId = step.payload.value(QLatin1String("client_op_id")).toString();
        const auto reply = client.call(topicOf(), QStringLiteral("write"), step.payload);
        QVERIFY2(replyStatus(reply) == QLatin1String("ok"), json(response(reply)).constData());
        ++expectedSeq;
        QCOMPARE(json(response(reply)),
                 json(QJsonObject{{QStringLiteral("store_seq"), expectedSeq}}));
        const auto event =
            client.waitFor([&](const PhoenixMessage &m) { return isEventFor(m, opId); });
        QVERIFY(event);
        const QJsonObject e = event->payload.toObject();
        QCOMPARE(e.value(QLatin1String("store_seq")).toInteger(), expectedSeq);
        QCOMPARE(e.value(QLatin1String("op")), step.payload.value(QLatin1String("op")));
        QCOMPARE(e.value(QLatin1String("path")), step.payload.value(QLatin1String("path")));
        QCOMPARE(e.value(QLatin1String("device_id")).toString(), QStringLiteral("dev_test"));
        QCOMPARE(json(e.value(QLatin1String("value"))), step.eventValue);
    }

    // Leases: lease, renew, a release with the wrong token (no-op), a real release.
    const auto lease = client.call(topicOf(), QStringLiteral("write"),
                                   w(QStringLiteral("lease"), QStringLiteral("jobs/nightly"),
                                     QJsonValue(), QStringLiteral("op_lease"),
                                     {{QStringLiteral("ttl_ms"), 60000},
                                      {QStringLiteral("holder"), QStringLiteral("node-a")}}));
    QVERIFY2(replyStatus(lease) == QLatin1String("ok"), json(response(lease)).constData());
    const QJsonObject leased = response(lease);
    const qint64 leaseSeq = ++expectedSeq;
    QCOMPARE(leased.value(QLatin1String("store_seq")).toInteger(), leaseSeq);
    QCOMPARE(leased.value(QLatin1String("token")).toInteger(), leaseSeq);
    QCOMPARE(leased.value(QLatin1String("holder")).toString(), QStringLiteral("node-a"));
    QVERIFY(leased.value(QLatin1String("expires_at")).toInteger() > 0);
    const auto leaseEvent = client.waitFor(
        [](const PhoenixMessage &m) { return isEventFor(m, QStringLiteral("op_lease")); });
    QVERIFY(leaseEvent);
    QCOMPARE(leaseEvent->payload.toObject()
                 .value(QLatin1String("value"))
                 .toObject()
                 .value(QLatin1String("_type")),
             QStringLiteral("lease"));

    const auto renew =
        client.call(topicOf(), QStringLiteral("write"),
                    w(QStringLiteral("renew"), QStringLiteral("jobs/nightly"), QJsonValue(),
                      QStringLiteral("op_renew"),
                      {{QStringLiteral("token"), leaseSeq}, {QStringLiteral("ttl_ms"), 120000}}));
    QVERIFY2(replyStatus(renew) == QLatin1String("ok"), json(response(renew)).constData());
    QCOMPARE(response(renew).value(QLatin1String("token")).toInteger(), leaseSeq);
    QCOMPARE(response(renew).value(QLatin1String("store_seq")).toInteger(), ++expectedSeq);

    const auto noop =
        client.call(topicOf(), QStringLiteral("write"),
                    w(QStringLiteral("release"), QStringLiteral("jobs/nightly"), QJsonValue(),
                      QStringLiteral("op_norelease"), {{QStringLiteral("token"), 999999}}));
    QCOMPARE(replyStatus(noop), QStringLiteral("ok"));
    QCOMPARE(json(response(noop)), QByteArray(R"({"released":false})"));

    const auto release =
        client.call(topicOf(), QStringLiteral("write"),
                    w(QStringLiteral("release"), QStringLiteral("jobs/nightly"), QJsonValue(),
                      QStringLiteral("op_release"), {{QStringLiteral("token"), leaseSeq}}));
    QVERIFY2(replyStatus(release) == QLatin1String("ok"), json(response(release)).constData());
    QCOMPARE(response(release).value(QLatin1String("store_seq")).toInteger(), ++expectedSeq);
    const auto releaseEvent = client.waitFor(
        [](const PhoenixMessage &m) { return isEventFor(m, QStringLiteral("op_release")); });
    QVERIFY(releaseEvent);
    QVERIFY(releaseEvent->payload.toObject().value(QLatin1String("value")).isNull());
    // The no-op release broadcast nothing.
    for (const PhoenixMessage &m : std::as_const(client.received))
        QVERIFY(!isEventFor(m, QStringLiteral("op_norelease")));

    // put_file through `write` (the dedicated event is tested below).
    const auto file = client.call(
        topicOf(), QStringLiteral("write"),
        w(QStringLiteral("put_file"), QStringLiteral("files/readme"), QJsonValue(),
          QStringLiteral("op_file"),
          {{QStringLiteral("content"), QString::fromLatin1(QByteArray("hi").toBase64())},
           {QStringLiteral("content_type"), QStringLiteral("text/plain")}}));
    QVERIFY2(replyStatus(file) == QLatin1String("ok"), json(response(file)).constData());
    QCOMPARE(response(file).value(QLatin1String("store_seq")).toInteger(), ++expectedSeq);
    QVERIFY(response(file)
                .value(QLatin1String("hash"))
                .toString()
                .startsWith(QLatin1String("sha256:")));

    QCOMPARE(server.db()->currentSeq(), expectedSeq);
    QCOMPARE(server.db()->get(path(QStringLiteral("stats/views")))->value.toInt(), 7);
}

void TestWebSocket::writeErrors_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("expected");
    // The store holds: leaf = "x" (seq 1), tree/a = 1 (seq 2), locks/job = lease by "other"
    // (seq 3, token 3).
    auto row = [](const char *name, const char *payload, const char *expected) {
        QTest::newRow(name) << QByteArray(payload) << QByteArray(expected);
    };
    row("unknown op", R"({"op":"frobnicate","path":"a","client_op_id":"c"})",
        R"({"reason":"invalid op"})");
    row("no op", R"({"path":"a","value":1,"client_op_id":"c"})", R"({"reason":"invalid op"})");
    row("op not a string", R"({"op":1,"path":"a","client_op_id":"c"})",
        R"({"reason":"invalid op"})");
    row("missing path", R"({"op":"set","value":1,"client_op_id":"c"})",
        R"({"reason":"missing_path"})");
    row("path not a string", R"({"op":"set","path":42,"value":1,"client_op_id":"c"})",
        R"({"reason":"invalid_path"})");
    row("empty path", R"({"op":"set","path":"","value":1,"client_op_id":"c"})",
        R"({"reason":"empty_path"})");
    row("empty segment", R"({"op":"set","path":"a//b","value":1,"client_op_id":"c"})",
        R"({"reason":"empty_segment"})");
    row("leading slash", R"({"op":"set","path":"/a","value":1,"client_op_id":"c"})",
        R"({"reason":"empty_segment"})");
    row("bad escape", R"({"op":"set","path":"a~2b","value":1,"client_op_id":"c"})",
        R"({"reason":"invalid_escape"})");
    row("segments not a list", R"({"op":"set","path_segments":"a","value":1,"client_op_id":"c"})",
        R"({"reason":"not_a_list"})");
    row("segment not a string",
        R"({"op":"set","path_segments":["a",1],"value":1,"client_op_id":"c"})",
        R"({"reason":"not_a_string"})");
    row("empty segments", R"({"op":"set","path_segments":[],"value":1,"client_op_id":"c"})",
        R"({"reason":"empty_path"})");
    row("empty segment in list",
        R"({"op":"set","path_segments":["a",""],"value":1,"client_op_id":"c"})",
        R"({"reason":"empty_segment"})");
    row("merge non-map", R"({"op":"merge","path":"m","value":1,"client_op_id":"c"})",
        R"({"reason":"merge_requires_map_value"})");
    row("increment non-number", R"({"op":"increment","path":"n","value":"1","client_op_id":"c"})",
        R"({"reason":"increment_requires_number_value"})");
    row("add nothing", R"({"op":"add","path":"s","client_op_id":"c"})",
        R"({"reason":"add_requires_value"})");
    row("remove null", R"({"op":"remove","path":"s","value":null,"client_op_id":"c"})",
        R"({"reason":"remove_requires_value"})");
    row("conflict", R"({"op":"set","path":"leaf","value":"y","if_match":99,"client_op_id":"c"})",
        R"({"reason":"conflict"})");
    row("conflict on missing leaf",
        R"({"op":"set","path":"nothing","value":"y","if_match":1,"client_op_id":"c"})",
        R"({"reason":"conflict"})");
    row("conflict on subtree", R"({"op":"delete","path":"tree","if_match":2,"client_op_id":"c"})",
        R"({"reason":"conflict"})");
    row("exists", R"({"op":"set","path":"leaf","value":"y","if_absent":true,"client_op_id":"c"})",
        R"({"reason":"exists"})");
    row("both preconditions",
        R"({"op":"set","path":"leaf","value":"y","if_absent":true,"if_match":1,"client_op_id":"c"})",
        R"({"reason":"invalid_precondition"})");
    row("if_match not a number",
        R"({"op":"set","path":"leaf","value":"y","if_match":"1","client_op_id":"c"})",
        R"({"message":"if_match must be a positive integer","reason":"invalid_precondition"})");
    row("if_match on merge",
        R"({"op":"merge","path":"leaf","value":{"a":1},"if_match":1,"client_op_id":"c"})",
        R"({"op":"merge","reason":"if_match_unsupported_op"})");
    row("if_match with object",
        R"({"op":"set","path":"leaf","value":{"a":1},"if_match":1,"client_op_id":"c"})",
        R"({"reason":"if_match_multi_leaf"})");
    row("if_absent on delete",
        R"({"op":"delete","path":"leaf","if_absent":true,"client_op_id":"c"})",
        R"({"op":"delete","reason":"if_absent_unsupported_op"})");
    row("if_absent with object",
        R"({"op":"set","path":"fresh","value":{"a":1},"if_absent":true,"client_op_id":"c"})",
        R"({"reason":"if_absent_multi_leaf"})");
    row("lease held", R"({"op":"lease","path":"locks/job","holder":"me","client_op_id":"c"})",
        R"({"reason":"held"})");
    row("lease on a value", R"({"op":"lease","path":"leaf","holder":"me","client_op_id":"c"})",
        R"({"reason":"occupied"})");
    row("renew wrong token", R"({"op":"renew","path":"locks/job","token":99,"client_op_id":"c"})",
        R"({"reason":"not_held"})");
    row("fenced",
        R"({"op":"set","path":"guarded","value":1,"fence":{"key":"locks/job","token":99},"client_op_id":"c"})",
        R"({"reason":"fenced"})");
    row("bad fence",
        R"({"op":"set","path":"guarded","value":1,"fence":"locks/job","client_op_id":"c"})",
        R"({"message":"fence must be {\"key\": <path>, \"token\": <int>}","reason":"invalid_precondition"})");
}

void TestWebSocket::writeErrors()
{
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, expected);
    WsServer server;
    QVERIFY(server.start());
    StoreDb *db = server.db();
    QVERIFY(db->write(setRequest(QStringLiteral("leaf"), QStringLiteral("x"), QStringLiteral("s1")))
                .ok);
    QVERIFY(db->write(setRequest(QStringLiteral("tree/a"), 1, QStringLiteral("s2"))).ok);
    WriteRequest lease =
        setRequest(QStringLiteral("locks/job"), QJsonValue(), QStringLiteral("s3"));
    lease.op = Op::Lease;
    lease.holder = QStringLiteral("other");
    lease.ttlMs = 600000;
    QVERIFY(db->write(lease).ok);

    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    const auto reply =
        client.call(topicOf(), QStringLiteral("write"), QJsonDocument::fromJson(payload).object());
    QCOMPARE(replyStatus(reply), QStringLiteral("error"));
    QCOMPARE(json(response(reply)), expected);
    QVERIFY(!response(reply).contains(QLatin1String("current_revision")));
    QCOMPARE(db->currentSeq(), 3);
    // Nothing was broadcast for the failed write.
    QCOMPARE(client.events(topicOf()).size(), 3); // the three catch-up events only
}

void TestWebSocket::writeScopes()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient reader;
    QVERIFY(reader.open(server.url(kReadOnlyToken)));
    QCOMPARE(replyStatus(reader.join(topicOf())), QStringLiteral("ok"));
    const auto write = reader.call(
        topicOf(), QStringLiteral("write"),
        writePayload(QStringLiteral("frobnicate"), QString(), 1, QStringLiteral("op_1")));
    // Scope is checked before anything else (even the op name).
    QCOMPARE(
        json(response(write)),
        QByteArray(
            R"({"message":"Token is missing entries:write scope","reason":"missing_scope","scope":"entries:write"})"));
    const auto file =
        reader.call(topicOf(), QStringLiteral("put_file"),
                    QJsonObject{{QStringLiteral("path"), QStringLiteral("f")},
                                {QStringLiteral("content"), QStringLiteral("aGk=")},
                                {QStringLiteral("client_op_id"), QStringLiteral("op_2")}});
    QCOMPARE(response(file).value(QLatin1String("reason")).toString(),
             QStringLiteral("missing_scope"));
    QCOMPARE(response(file).value(QLatin1String("scope")).toString(),
             QStringLiteral("files:write"));
    const auto rollback = reader.call(topicOf(), QStringLiteral("rollback"),
                                      QJsonObject{{QStringLiteral("to_seq"), 0}});
    QCOMPARE(response(rollback).value(QLatin1String("scope")).toString(),
             QStringLiteral("entries:write"));
    QCOMPARE(server.db()->currentSeq(), 0);
    // Reads still work.
    QCOMPARE(replyStatus(reader.call(topicOf(), QStringLiteral("status"), QJsonObject())),
             QStringLiteral("ok"));
}

void TestWebSocket::pathSegmentsWinOverPath()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    QJsonObject payload = writePayload(QStringLiteral("set"), QStringLiteral("ignored/path"), 1,
                                       QStringLiteral("op_seg"));
    payload.insert(QStringLiteral("path_segments"),
                   QJsonArray{QStringLiteral("files"), QStringLiteral("image/logo")});
    QCOMPARE(replyStatus(client.call(topicOf(), QStringLiteral("write"), payload)),
             QStringLiteral("ok"));
    const auto event = client.waitFor(
        [](const PhoenixMessage &m) { return isEventFor(m, QStringLiteral("op_seg")); });
    QVERIFY(event);
    QCOMPARE(event->payload.toObject().value(QLatin1String("path")).toString(),
             QStringLiteral("files/image~1logo"));
    QVERIFY(server.db()->get(path(QStringLiteral("files/image~1logo"))));
    QVERIFY(!server.db()->get(path(QStringLiteral("ignored/path"))));

    // A null path_segments falls back to path.
    payload =
        writePayload(QStringLiteral("set"), QStringLiteral("plain"), 2, QStringLiteral("op_plain"));
    payload.insert(QStringLiteral("path_segments"), QJsonValue::Null);
    QCOMPARE(replyStatus(client.call(topicOf(), QStringLiteral("write"), payload)),
             QStringLiteral("ok"));
    QVERIFY(server.db()->get(path(QStringLiteral("plain"))));
}

void TestWebSocket::broadcastBeforeReply()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient writer;
    WsClient watcher;
    WsClient bystander; // joined to another store
    QVERIFY(server.registry.openOrCreate(QStringLiteral("acme/other")));
    QVERIFY(writer.open(server.url()));
    QVERIFY(watcher.open(server.url()));
    QVERIFY(bystander.open(server.url()));
    QCOMPARE(replyStatus(writer.join(topicOf())), QStringLiteral("ok"));
    QCOMPARE(replyStatus(watcher.join(topicOf())), QStringLiteral("ok"));
    QCOMPARE(replyStatus(bystander.join(topicOf(QStringLiteral("acme/other")))),
             QStringLiteral("ok"));
    QVERIFY(writer.waitCaughtUp(topicOf()) >= 0);
    QVERIFY(watcher.waitCaughtUp(topicOf()) >= 0);

    const QString ref =
        writer.push(topicOf(), QStringLiteral("write"),
                    writePayload(QStringLiteral("set"), QStringLiteral("posts/hello"),
                                 QJsonObject{{QStringLiteral("title"), QStringLiteral("Hi")}},
                                 QStringLiteral("op_3kq")));
    qsizetype replyIndex = -1;
    QCOMPARE(replyStatus(writer.reply(ref, 5000, &replyIndex)), QStringLiteral("ok"));
    qsizetype eventIndex = -1;
    const auto echo = writer.waitFor(
        [](const PhoenixMessage &m) { return isEventFor(m, QStringLiteral("op_3kq")); }, 0,
        &eventIndex);
    QVERIFY(echo);
    QVERIFY2(eventIndex < replyIndex, "the event must precede the reply");
    QCOMPARE(echo->joinRef, std::nullopt);
    QCOMPARE(echo->ref, std::nullopt);
    QCOMPARE(echo->topic, topicOf());
    const QJsonObject e = echo->payload.toObject();
    QCOMPARE(json(e),
             json(QJsonObject{{QStringLiteral("store_seq"), 1},
                              {QStringLiteral("op"), QStringLiteral("set")},
                              {QStringLiteral("path"), QStringLiteral("posts/hello")},
                              {QStringLiteral("path_segments"),
                               QJsonArray{QStringLiteral("posts"), QStringLiteral("hello")}},
                              {QStringLiteral("value"),
                               QJsonObject{{QStringLiteral("title"), QStringLiteral("Hi")}}},
                              {QStringLiteral("device_id"), QStringLiteral("dev_test")},
                              {QStringLiteral("client_op_id"), QStringLiteral("op_3kq")}}));

    const auto seen = watcher.waitFor(
        [](const PhoenixMessage &m) { return isEventFor(m, QStringLiteral("op_3kq")); });
    QVERIFY(seen);
    QCOMPARE(seen->payload, echo->payload);
    // Another store's channel hears nothing.
    QCOMPARE(replyStatus(bystander.call(QStringLiteral("phoenix"), QStringLiteral("heartbeat"),
                                        QJsonObject())),
             QStringLiteral("ok"));
    QVERIFY(bystander.events(topicOf(QStringLiteral("acme/other"))).isEmpty());
}

void TestWebSocket::restWritesBroadcastOnlyWhenConfigured_data()
{
    QTest::addColumn<bool>("broadcastRest");
    QTest::newRow("default: not broadcast") << false;
    QTest::newRow("--broadcast-rest-writes") << true;
}

void TestWebSocket::restWritesBroadcastOnlyWhenConfigured()
{
    QFETCH(bool, broadcastRest);
    ServerConfig config;
    config.broadcastRestWrites = broadcastRest;
    WsServer server(config);
    QVERIFY(server.start());
    WsClient watcher;
    QVERIFY(watcher.open(server.url()));
    QCOMPARE(replyStatus(watcher.join(topicOf())), QStringLiteral("ok"));
    QVERIFY(watcher.waitCaughtUp(topicOf()) >= 0);

    // What the REST side does for a write: commit, then report it with viaSocket = false.
    const WriteResult rest =
        server.db()->write(setRequest(QStringLiteral("via/rest"), 1, QStringLiteral("rest_1")));
    QVERIFY(rest.ok && rest.event);
    server.registry.notifyCommitted(QString(kStore), *rest.event, false);

    // A socket write afterwards is the marker that everything before it was delivered.
    WsClient writer;
    QVERIFY(writer.open(server.url()));
    QCOMPARE(replyStatus(writer.join(topicOf(), 1)), QStringLiteral("ok"));
    QCOMPARE(replyStatus(writer.call(topicOf(), QStringLiteral("write"),
                                     writePayload(QStringLiteral("set"), QStringLiteral("via/ws"),
                                                  2, QStringLiteral("ws_1")))),
             QStringLiteral("ok"));
    QVERIFY(watcher.waitFor(
        [](const PhoenixMessage &m) { return isEventFor(m, QStringLiteral("ws_1")); }));
    bool sawRest = false;
    for (const PhoenixMessage &m : std::as_const(watcher.received))
        sawRest = sawRest || isEventFor(m, QStringLiteral("rest_1"));
    QCOMPARE(sawRest, broadcastRest);
}

void TestWebSocket::rateLimited()
{
    ServerConfig config;
    config.writesPerMinute = 2;
    WsServer server(config);
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    for (int i = 1; i <= 2; ++i)
        QCOMPARE(replyStatus(client.call(topicOf(), QStringLiteral("write"),
                                         writePayload(QStringLiteral("set"), QStringLiteral("k"), i,
                                                      QStringLiteral("op_%1").arg(i)))),
                 QStringLiteral("ok"));
    const auto limited = client.call(
        topicOf(), QStringLiteral("write"),
        writePayload(QStringLiteral("set"), QStringLiteral("k"), 3, QStringLiteral("op_3")));
    QCOMPARE(json(response(limited)),
             QByteArray(R"({"reason":"rate_limited","retry_after_ms":60000})"));
    // put_file shares the write bucket; status and rollback are not limited.
    const auto file =
        client.call(topicOf(), QStringLiteral("put_file"),
                    QJsonObject{{QStringLiteral("path"), QStringLiteral("f")},
                                {QStringLiteral("content"), QStringLiteral("aGk=")},
                                {QStringLiteral("client_op_id"), QStringLiteral("op_4")}});
    QCOMPARE(response(file).value(QLatin1String("reason")).toString(),
             QStringLiteral("rate_limited"));
    QCOMPARE(replyStatus(client.call(topicOf(), QStringLiteral("status"), QJsonObject())),
             QStringLiteral("ok"));
    QCOMPARE(replyStatus(client.call(topicOf(), QStringLiteral("rollback"),
                                     QJsonObject{{QStringLiteral("path"), QStringLiteral("k")},
                                                 {QStringLiteral("to_seq"), 1}})),
             QStringLiteral("ok"));
    QCOMPARE(server.db()->currentSeq(), 3);
}

void TestWebSocket::putFile()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    WsClient watcher;
    QVERIFY(client.open(server.url()));
    QVERIFY(watcher.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    QCOMPARE(replyStatus(watcher.join(topicOf())), QStringLiteral("ok"));
    const QByteArray content("\x89PNG\r\n\x1a\n fake image bytes \x00\xff", 29);
    const QString hash =
        QStringLiteral("sha256:") +
        QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
    const auto reply = client.call(
        topicOf(), QStringLiteral("put_file"),
        QJsonObject{{QStringLiteral("path"), QStringLiteral("posts/hello/image")},
                    {QStringLiteral("path_segments"), QJsonArray{QStringLiteral("ignored")}},
                    {QStringLiteral("content"), QString::fromLatin1(content.toBase64())},
                    {QStringLiteral("filename"), QStringLiteral("photo.png")},
                    {QStringLiteral("content_type"), QStringLiteral("image/png")},
                    {QStringLiteral("client_op_id"), QStringLiteral("op_file")}});
    QVERIFY2(replyStatus(reply) == QLatin1String("ok"), json(response(reply)).constData());
    QCOMPARE(json(response(reply)),
             json(QJsonObject{{QStringLiteral("store_seq"), 1}, {QStringLiteral("hash"), hash}}));
    const auto event = watcher.waitFor(
        [](const PhoenixMessage &m) { return isEventFor(m, QStringLiteral("op_file")); });
    QVERIFY(event);
    const QJsonObject e = event->payload.toObject();
    QCOMPARE(e.value(QLatin1String("op")).toString(), QStringLiteral("put_file"));
    QCOMPARE(e.value(QLatin1String("path")).toString(), QStringLiteral("posts/hello/image"));
    const QJsonObject ref = e.value(QLatin1String("value")).toObject();
    QCOMPARE(ref.value(QLatin1String("_type")).toString(), QStringLiteral("file"));
    QCOMPARE(ref.value(QLatin1String("hash")).toString(), hash);
    QCOMPARE(ref.value(QLatin1String("size")).toInt(), content.size());
    QCOMPARE(ref.value(QLatin1String("content_type")).toString(), QStringLiteral("image/png"));
    QCOMPARE(ref.value(QLatin1String("filename")).toString(), QStringLiteral("photo.png"));

    QString contentType;
    QString filename;
    const auto stored = server.db()->fileContent(hash, &contentType, &filename);
    QVERIFY(stored);
    QCOMPARE(*stored, content);
    QCOMPARE(contentType, QStringLiteral("image/png"));

    // Without content_type: application/octet-stream.
    const auto plain =
        client.call(topicOf(), QStringLiteral("put_file"),
                    QJsonObject{{QStringLiteral("path"), QStringLiteral("raw")},
                                {QStringLiteral("content"), QStringLiteral("aGk=")},
                                {QStringLiteral("client_op_id"), QStringLiteral("op_raw")}});
    QCOMPARE(replyStatus(plain), QStringLiteral("ok"));
    QCOMPARE(server.db()
                 ->get(path(QStringLiteral("raw")))
                 ->value.toObject()
                 .value(QLatin1String("content_type"))
                 .toString(),
             QStringLiteral("application/octet-stream"));
}

void TestWebSocket::putFileErrors()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    auto put = [&](const QJsonObject &payload) {
        return json(response(client.call(topicOf(), QStringLiteral("put_file"), payload)));
    };
    const QString id = QStringLiteral("op_f");
    QCOMPARE(put({{QStringLiteral("path"), QStringLiteral("f")},
                  {QStringLiteral("content"), QStringLiteral("not base64!")},
                  {QStringLiteral("client_op_id"), id}}),
             QByteArray(R"({"reason":"invalid_base64"})"));
    QCOMPARE(put({{QStringLiteral("path"), QStringLiteral("f")},
                  {QStringLiteral("content"), QStringLiteral("aé==")},
                  {QStringLiteral("client_op_id"), id}}),
             QByteArray(R"({"reason":"invalid_base64"})"));
    QCOMPARE(
        put({{QStringLiteral("path"), QStringLiteral("f")}, {QStringLiteral("client_op_id"), id}}),
        QByteArray(R"({"reason":"invalid_base64"})"));
    // Only the path string counts for put_file.
    QCOMPARE(put({{QStringLiteral("path_segments"), QJsonArray{QStringLiteral("f")}},
                  {QStringLiteral("content"), QStringLiteral("aGk=")},
                  {QStringLiteral("client_op_id"), id}}),
             QByteArray(R"({"reason":"missing_path"})"));
    QCOMPARE(put({{QStringLiteral("path"), QStringLiteral("a//b")},
                  {QStringLiteral("content"), QStringLiteral("aGk=")},
                  {QStringLiteral("client_op_id"), id}}),
             QByteArray(R"({"reason":"empty_segment"})"));
    QCOMPARE(server.db()->currentSeq(), 0);
}

void TestWebSocket::statusEvent()
{
    WsServer server;
    QVERIFY(server.start());
    seed(server.db(), 7);
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf(), 7)), QStringLiteral("ok"));
    const auto reply = client.call(topicOf(), QStringLiteral("status"), QJsonObject());
    QCOMPARE(replyStatus(reply), QStringLiteral("ok"));
    const QJsonObject r = response(reply);
    for (const char *field :
         {"current_seq", "entry_count", "op_count", "file_storage_bytes", "db_size_bytes",
          "expires_at", "permissions", "scopes", "store_access", "latest_snapshot_seq",
          "latest_snapshot_at", "recent_ops"})
        QVERIFY2(r.contains(QLatin1String(field)), field);
    QCOMPARE(r.value(QLatin1String("current_seq")).toInteger(), 7);
    QCOMPARE(r.value(QLatin1String("entry_count")).toInteger(), 7);
    QCOMPARE(r.value(QLatin1String("op_count")).toInteger(), 7);
    QVERIFY(r.value(QLatin1String("expires_at")).isNull());
    const QJsonArray recent = r.value(QLatin1String("recent_ops")).toArray();
    QCOMPARE(recent.size(), 5);
    QCOMPARE(recent.first().toObject().value(QLatin1String("store_seq")).toInteger(), 7);
    QCOMPARE(
        r.value(QLatin1String("permissions")).toObject().value(QLatin1String("write")).toBool(),
        true);
}

void TestWebSocket::ackSeq()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    const auto reply =
        client.call(topicOf(), QStringLiteral("ack_seq"), QJsonObject{{QStringLiteral("seq"), 0}});
    QCOMPARE(replyStatus(reply), QStringLiteral("ok"));
    QCOMPARE(response(reply), QJsonObject());
}

void TestWebSocket::rollbackPath()
{
    WsServer server;
    QVERIFY(server.start());
    StoreDb *db = server.db();
    db->write(
        setRequest(QStringLiteral("doc/title"), QStringLiteral("first"), QStringLiteral("s1")));
    db->write(
        setRequest(QStringLiteral("doc/title"), QStringLiteral("second"), QStringLiteral("s2")));
    WsClient client;
    WsClient watcher;
    QVERIFY(client.open(server.url()));
    QVERIFY(watcher.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf(), 2)), QStringLiteral("ok"));
    QCOMPARE(replyStatus(watcher.join(topicOf(), 2)), QStringLiteral("ok"));

    const auto reply =
        client.call(topicOf(), QStringLiteral("rollback"),
                    QJsonObject{{QStringLiteral("path"), QStringLiteral("doc/title")},
                                {QStringLiteral("to_seq"), 1}});
    QVERIFY2(replyStatus(reply) == QLatin1String("ok"), json(response(reply)).constData());
    QCOMPARE(json(response(reply)), QByteArray(R"({"store_seq":3})"));
    const auto event = watcher.waitFor([](const PhoenixMessage &m) {
        return m.event == QLatin1String("event") &&
               m.payload.toObject().value(QLatin1String("store_seq")).toInteger() == 3;
    });
    QVERIFY(event);
    const QJsonObject e = event->payload.toObject();
    QCOMPARE(e.value(QLatin1String("device_id")).toString(), QStringLiteral("system:rollback"));
    QCOMPARE(e.value(QLatin1String("client_op_id")).toString(),
             QStringLiteral("rollback:1:doc/title"));
    QCOMPARE(e.value(QLatin1String("value")).toString(), QStringLiteral("first"));

    const auto again =
        client.call(topicOf(), QStringLiteral("rollback"),
                    QJsonObject{{QStringLiteral("path"), QStringLiteral("doc/title")},
                                {QStringLiteral("to_seq"), 1}});
    QCOMPARE(json(response(again)), QByteArray(R"({"noop":true,"store_seq":3})"));

    const auto bad =
        client.call(topicOf(), QStringLiteral("rollback"),
                    QJsonObject{{QStringLiteral("path"), QStringLiteral("doc/title")}});
    QCOMPARE(response(bad).value(QLatin1String("reason")).toString(),
             QStringLiteral("invalid_to_seq"));
    const auto badPath =
        client.call(topicOf(), QStringLiteral("rollback"),
                    QJsonObject{{QStringLiteral("path"), QStringLiteral("doc//title")},
                                {QStringLiteral("to_seq"), 1}});
    QCOMPARE(response(badPath).value(QLatin1String("reason")).toString(),
             QStringLiteral("empty_segment"));
}

void TestWebSocket::rollbackWholeStore()
{
    WsServer server;
    QVERIFY(server.start());
    StoreDb *db = server.db();
    db->write(setRequest(QStringLiteral("a"), 1, QStringLiteral("s1")));
    db->write(setRequest(QStringLiteral("b"), 2, QStringLiteral("s2")));
    db->write(setRequest(QStringLiteral("a"), 3, QStringLiteral("s3")));
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf(), 3)), QStringLiteral("ok"));
    QVERIFY(client.waitCaughtUp(topicOf()) >= 0);

    const auto reply = client.call(topicOf(), QStringLiteral("rollback"),
                                   QJsonObject{{QStringLiteral("to_seq"), 1}});
    QVERIFY2(replyStatus(reply) == QLatin1String("ok"), json(response(reply)).constData());
    const qint64 written = response(reply).value(QLatin1String("ops_written")).toInteger();
    QVERIFY(written >= 2);
    QCOMPARE(db->currentSeq(), 3 + written);
    QCOMPARE(db->get(path(QStringLiteral("a")))->value.toInt(), 1);
    QVERIFY(!db->get(path(QStringLiteral("b"))));
    // Not broadcast: a later write is the marker.
    QCOMPARE(replyStatus(client.call(topicOf(), QStringLiteral("write"),
                                     writePayload(QStringLiteral("set"), QStringLiteral("c"), 1,
                                                  QStringLiteral("marker")))),
             QStringLiteral("ok"));
    const auto events = client.events(topicOf());
    QCOMPARE(events.size(), 1);
    QVERIFY(isEventFor(events.first(), QStringLiteral("marker")));

    const auto beyond = client.call(topicOf(), QStringLiteral("rollback"),
                                    QJsonObject{{QStringLiteral("to_seq"), -5}});
    QCOMPARE(replyStatus(beyond), QStringLiteral("error"));
}

void TestWebSocket::unknownEventAndBadPayload()
{
    WsServer server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    const auto unknown = client.call(topicOf(), QStringLiteral("subscribe"), QJsonObject());
    QCOMPARE(json(response(unknown)),
             QByteArray(R"({"event":"subscribe","reason":"unknown_event"})"));
    const auto notObject = client.call(topicOf(), QStringLiteral("write"), QJsonArray{1, 2});
    QCOMPARE(response(notObject).value(QLatin1String("reason")).toString(),
             QStringLiteral("invalid_payload"));
    // The channel is still usable.
    QCOMPARE(replyStatus(client.call(topicOf(), QStringLiteral("status"), QJsonObject())),
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
    WsClient other;
    QVERIFY(other.open(server.url()));
    QCOMPARE(replyStatus(other.join(topicOf())), QStringLiteral("ok"));

    WsClient client;
    QVERIFY(client.open(server.url()));
    client.sendRaw(frame);
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode, QWebSocketProtocol::CloseCodeWrongDatatype);
    QVERIFY2(client.closeReason.startsWith(QLatin1String("malformed frame")),
             qPrintable(client.closeReason));

    // The server lives on: the other socket and new ones are served.
    QCOMPARE(replyStatus(other.call(topicOf(), QStringLiteral("write"),
                                    writePayload(QStringLiteral("set"), QStringLiteral("a"), 1,
                                                 QStringLiteral("op_1")))),
             QStringLiteral("ok"));
    WsClient fresh;
    QVERIFY(fresh.open(server.url()));
    QCOMPARE(replyStatus(
                 fresh.call(QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject())),
             QStringLiteral("ok"));
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
    QCOMPARE(replyStatus(
                 fresh.call(QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject())),
             QStringLiteral("ok"));
}

void TestWebSocket::oversizedMessage()
{
    ServerConfig config;
    config.maxWsMessageBytes = 64 * 1024;
    WsServer server(config);
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    QCOMPARE(replyStatus(client.join(topicOf())), QStringLiteral("ok"));
    // Just under the limit is fine.
    const QString fits(60 * 1024, QLatin1Char('x'));
    QCOMPARE(replyStatus(client.call(topicOf(), QStringLiteral("write"),
                                     writePayload(QStringLiteral("set"), QStringLiteral("small"),
                                                  fits, QStringLiteral("op_small")))),
             QStringLiteral("ok"));
    const QString big(200 * 1024, QLatin1Char('x'));
    client.push(
        topicOf(), QStringLiteral("write"),
        writePayload(QStringLiteral("set"), QStringLiteral("big"), big, QStringLiteral("op_big")));
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode, QWebSocketProtocol::CloseCodeTooMuchData);
    QVERIFY(!server.db()->get(path(QStringLiteral("big"))));
    QTRY_COMPARE(server.endpoint->connectionCount(), 0);

    WsClient fresh;
    QVERIFY(fresh.open(server.url()));
    QCOMPARE(replyStatus(
                 fresh.call(QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject())),
             QStringLiteral("ok"));
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

void TestWebSocket::catchUpDoesNotBlockOthers()
{
    WsServer server;
    QVERIFY(server.start());
    const int total = 30000;
    QCOMPARE(bulkSeed(server.db(), total), total);
    WsClient big;
    WsClient other;
    QVERIFY(big.open(server.url()));
    QVERIFY(other.open(server.url()));
    QCOMPARE(replyStatus(other.join(topicOf(), total)), QStringLiteral("ok"));
    QVERIFY(other.waitCaughtUp(topicOf()) >= 0);

    QCOMPARE(replyStatus(big.join(topicOf())), QStringLiteral("ok"));
    // While the big catch-up runs, the other socket is served promptly: heartbeat and a
    // write whose event reaches the catching-up socket too (interleaved with catch-up).
    QCOMPARE(replyStatus(
                 other.call(QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject())),
             QStringLiteral("ok"));
    QCOMPARE(replyStatus(other.call(topicOf(), QStringLiteral("write"),
                                    writePayload(QStringLiteral("set"), QStringLiteral("live"), 1,
                                                 QStringLiteral("op_live")))),
             QStringLiteral("ok"));
    QVERIFY2(big.events(topicOf(), QStringLiteral("catch_up_complete")).isEmpty(),
             "the other socket had to wait for the whole catch-up");
    QVERIFY(big.events(topicOf()).size() < total);

    const qsizetype done = big.waitCaughtUp(topicOf(), 120000);
    QVERIFY(done >= 0);
    const auto events = big.events(topicOf());
    // Every op once from catch-up (the live one may come twice: live and replayed).
    QSet<qint64> seqs;
    for (const PhoenixMessage &m : events)
        seqs.insert(m.payload.toObject().value(QLatin1String("store_seq")).toInteger());
    QCOMPARE(seqs.size(), total + 1);
    QCOMPARE(
        big.received.at(done).payload.toObject().value(QLatin1String("through_seq")).toInteger(),
        total + 1);
}

void TestWebSocket::clientVanishesMidCatchUp()
{
    WsServer server;
    QVERIFY(server.start());
    const int total = 30000;
    QCOMPARE(bulkSeed(server.db(), total), total);
    WsClient other;
    QVERIFY(other.open(server.url()));
    QCOMPARE(replyStatus(other.join(topicOf(), total)), QStringLiteral("ok"));

    {
        WsClient doomed;
        QVERIFY(doomed.open(server.url()));
        QTRY_COMPARE(server.endpoint->connectionCount(), 2);
        QCOMPARE(replyStatus(doomed.join(topicOf())), QStringLiteral("ok"));
        QTRY_VERIFY(doomed.events(topicOf()).size() >= 1000);
        QVERIFY(doomed.events(topicOf(), QStringLiteral("catch_up_complete")).isEmpty());
        doomed.socket.abort();
    }
    QTRY_COMPARE(server.endpoint->connectionCount(), 1);

    // The server keeps serving: writes, broadcasts, a new join.
    QCOMPARE(replyStatus(other.call(topicOf(), QStringLiteral("write"),
                                    writePayload(QStringLiteral("set"), QStringLiteral("after"), 1,
                                                 QStringLiteral("op_after")))),
             QStringLiteral("ok"));
    QVERIFY(other.waitFor(
        [](const PhoenixMessage &m) { return isEventFor(m, QStringLiteral("op_after")); }));
    WsClient next;
    QVERIFY(next.open(server.url()));
    QCOMPARE(replyStatus(next.join(topicOf(), total - 10)), QStringLiteral("ok"));
    const qsizetype done = next.waitCaughtUp(topicOf());
    QVERIFY(done >= 0);
    QCOMPARE(next.events(topicOf()).size(), 11);
}

void TestWebSocket::slowReaderIsNotBuffered()
{
    WsServer server;
    QVERIFY(server.start());
    // About 20 MB of catch-up frames: more than the kernel's socket buffers hold.
    const int total = 20000;
    QCOMPARE(bulkSeed(server.db(), total, 1000), total);

    // A client that joins and then stops reading (Qt reads at most 16 KB ahead for it).
    QTcpSocket raw;
    raw.setReadBufferSize(16 * 1024);
    raw.connectToHost(QHostAddress::LocalHost, server.server.serverPort());
    QVERIFY(raw.waitForConnected(5000));
    raw.write("GET /ws/sync/websocket?token=dust_tok_full&device_id=slow&capver=3&vsn=2.0.0 "
              "HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray handshake;
    QTRY_VERIFY((handshake += raw.readAll()).contains("\r\n\r\n"));
    QVERIFY2(handshake.startsWith("HTTP/1.1 101"), handshake.constData());
    raw.write(maskedTextFrame(PhoenixMessage{
        QStringLiteral("1"), QStringLiteral("1"), topicOf(), QStringLiteral("phx_join"),
        QJsonObject{{QStringLiteral("last_store_seq"),
                     0}}}.encode()));

    // The catch-up fills the network buffers, then pauses instead of queueing the rest.
    QTRY_VERIFY_WITH_TIMEOUT(server.endpoint->unwrittenBytes() > 256 * 1024, 30000);
    WsClient other;
    QVERIFY(other.open(server.url()));
    for (int i = 0; i < 20; ++i)
        QCOMPARE(replyStatus(other.call(QStringLiteral("phoenix"), QStringLiteral("heartbeat"),
                                        QJsonObject())),
                 QStringLiteral("ok"));
    QVERIFY2(server.endpoint->unwrittenBytes() < 2 * 1024 * 1024,
             qPrintable(QString::number(server.endpoint->unwrittenBytes())));

    raw.abort();
    QTRY_COMPARE(server.endpoint->connectionCount(), 1);
    QCOMPARE(server.endpoint->unwrittenBytes(), 0);
}

QTEST_GUILESS_MAIN(TestWebSocket)
#include "tst_websocket.moc"
