// Writes over dustlite's WebSocket (dust-protocol.md §5): every op and its event, the
// errors a write can get, scopes and rate limits, files, status, acks and rollbacks.

#include "WsTestHarness.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace wstest;

class TestWebSocketWrites : public QObject
{
    Q_OBJECT

private slots:
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
};

void TestWebSocketWrites::writeEveryOp()
{
    WsServer server;
    QVERIFY(server.start());
    const auto client = server.joined();
    QVERIFY(client);
    QVERIFY(client->waitCaughtUp(topicOf()) >= 0);

    struct Step
    {
        QJsonObject payload;
        QByteArray eventValue; // the value the event carries, compact JSON ("" = no event)
    };
    const QList<Step> steps = {
        {writePayload(QStringLiteral("set"), QStringLiteral("posts/hello"),
                      QJsonObject{{QStringLiteral("title"), QStringLiteral("Hi")}},
                      QStringLiteral("op_set")),
         R"({"title":"Hi"})"},
        {writePayload(QStringLiteral("merge"), QStringLiteral("posts/hello"),
                      QJsonObject{{QStringLiteral("body"), QStringLiteral("text")}},
                      QStringLiteral("op_merge")),
         R"({"body":"text"})"},
        {writePayload(QStringLiteral("increment"), QStringLiteral("stats/views"), 5,
                      QStringLiteral("op_inc1")),
         "[5]"},
        {writePayload(QStringLiteral("increment"), QStringLiteral("stats/views"), 2,
                      QStringLiteral("op_inc2")),
         "[7]"},
        {writePayload(QStringLiteral("add"), QStringLiteral("tags"), QStringLiteral("a"),
                      QStringLiteral("op_add1")),
         R"(["a"])"},
        {writePayload(QStringLiteral("add"), QStringLiteral("tags"), QStringLiteral("b"),
                      QStringLiteral("op_add2")),
         R"(["b","a"])"},
        {writePayload(QStringLiteral("remove"), QStringLiteral("tags"), QStringLiteral("a"),
                      QStringLiteral("op_rem")),
         R"(["b"])"},
        {writePayload(QStringLiteral("delete"), QStringLiteral("posts/hello"), QJsonValue(),
                      QStringLiteral("op_del")),
         "[null]"},
    };
    qint64 expectedSeq = 0;
    for (const Step &step : steps) {
        const QString opId = step.payload.value(QLatin1String("client_op_id")).toString();
        const auto reply = client->write(step.payload);
        QVERIFY2(replyStatus(reply) == QLatin1String("ok"), json(response(reply)).constData());
        ++expectedSeq;
        QCOMPARE(json(response(reply)),
                 json(QJsonObject{{QStringLiteral("store_seq"), expectedSeq}}));
        const auto event = client->eventFor(opId);
        QVERIFY(event);
        const QJsonObject e = event->payload.toObject();
        QCOMPARE(e.value(QLatin1String("store_seq")).toInteger(), expectedSeq);
        QCOMPARE(e.value(QLatin1String("op")), step.payload.value(QLatin1String("op")));
        QCOMPARE(e.value(QLatin1String("path")), step.payload.value(QLatin1String("path")));
        QCOMPARE(e.value(QLatin1String("device_id")).toString(), QStringLiteral("dev_test"));
        QCOMPARE(json(e.value(QLatin1String("value"))), step.eventValue);
    }

    // Leases: lease, renew, a release with the wrong token (no-op), a real release.
    const auto lease = client->write(writePayload(
        QStringLiteral("lease"), QStringLiteral("jobs/nightly"), QJsonValue(),
        QStringLiteral("op_lease"),
        {{QStringLiteral("ttl_ms"), 60000}, {QStringLiteral("holder"), QStringLiteral("node-a")}}));
    QVERIFY2(replyStatus(lease) == QLatin1String("ok"), json(response(lease)).constData());
    const QJsonObject leased = response(lease);
    const qint64 leaseSeq = ++expectedSeq;
    QCOMPARE(leased.value(QLatin1String("store_seq")).toInteger(), leaseSeq);
    QCOMPARE(leased.value(QLatin1String("token")).toInteger(), leaseSeq);
    QCOMPARE(leased.value(QLatin1String("holder")).toString(), QStringLiteral("node-a"));
    QVERIFY(leased.value(QLatin1String("expires_at")).toInteger() > 0);
    const auto leaseEvent = client->eventFor(QStringLiteral("op_lease"));
    QVERIFY(leaseEvent);
    QCOMPARE(leaseEvent->payload.toObject()
                 .value(QLatin1String("value"))
                 .toObject()
                 .value(QLatin1String("_type")),
             QStringLiteral("lease"));

    const auto renew = client->write(
        writePayload(QStringLiteral("renew"), QStringLiteral("jobs/nightly"), QJsonValue(),
                     QStringLiteral("op_renew"),
                     {{QStringLiteral("token"), leaseSeq}, {QStringLiteral("ttl_ms"), 120000}}));
    QVERIFY2(replyStatus(renew) == QLatin1String("ok"), json(response(renew)).constData());
    QCOMPARE(response(renew).value(QLatin1String("token")).toInteger(), leaseSeq);
    QCOMPARE(response(renew).value(QLatin1String("store_seq")).toInteger(), ++expectedSeq);

    const auto noop = client->write(
        writePayload(QStringLiteral("release"), QStringLiteral("jobs/nightly"), QJsonValue(),
                     QStringLiteral("op_norelease"), {{QStringLiteral("token"), 999999}}));
    QCOMPARE(replyStatus(noop), QStringLiteral("ok"));
    QCOMPARE(json(response(noop)), QByteArray(R"({"released":false})"));

    const auto release = client->write(
        writePayload(QStringLiteral("release"), QStringLiteral("jobs/nightly"), QJsonValue(),
                     QStringLiteral("op_release"), {{QStringLiteral("token"), leaseSeq}}));
    QVERIFY2(replyStatus(release) == QLatin1String("ok"), json(response(release)).constData());
    QCOMPARE(response(release).value(QLatin1String("store_seq")).toInteger(), ++expectedSeq);
    const auto releaseEvent = client->eventFor(QStringLiteral("op_release"));
    QVERIFY(releaseEvent);
    QVERIFY(releaseEvent->payload.toObject().value(QLatin1String("value")).isNull());
    // The no-op release broadcast nothing.
    QVERIFY(!client->sawEventFor(QStringLiteral("op_norelease")));

    // put_file through `write` (the dedicated event is tested below).
    const auto file = client->write(
        writePayload(QStringLiteral("put_file"), QStringLiteral("files/readme"), QJsonValue(),
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

void TestWebSocketWrites::writeErrors_data()
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

void TestWebSocketWrites::writeErrors()
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

    const auto client = server.joined();
    QVERIFY(client);
    const auto reply = client->write(QJsonDocument::fromJson(payload).object());
    QCOMPARE(replyStatus(reply), QStringLiteral("error"));
    QCOMPARE(json(response(reply)), expected);
    QVERIFY(!response(reply).contains(QLatin1String("current_revision")));
    QCOMPARE(db->currentSeq(), 3);
    // Nothing was broadcast for the failed write.
    QCOMPARE(client->events().size(), 3); // the three catch-up events only
}

void TestWebSocketWrites::writeScopes()
{
    WsServer server;
    QVERIFY(server.start());
    const auto reader = server.joined({.token = kReadOnlyToken});
    QVERIFY(reader);
    const auto write = reader->write(
        writePayload(QStringLiteral("frobnicate"), QString(), 1, QStringLiteral("op_1")));
    // Scope is checked before anything else (even the op name).
    QCOMPARE(
        json(response(write)),
        QByteArray(
            R"({"message":"Token is missing entries:write scope","reason":"missing_scope","scope":"entries:write"})"));
    const auto file =
        reader->call(topicOf(), QStringLiteral("put_file"),
                     QJsonObject{{QStringLiteral("path"), QStringLiteral("f")},
                                 {QStringLiteral("content"), QStringLiteral("aGk=")},
                                 {QStringLiteral("client_op_id"), QStringLiteral("op_2")}});
    QCOMPARE(response(file).value(QLatin1String("reason")).toString(),
             QStringLiteral("missing_scope"));
    QCOMPARE(response(file).value(QLatin1String("scope")).toString(),
             QStringLiteral("files:write"));
    const auto rollback = reader->call(topicOf(), QStringLiteral("rollback"),
                                       QJsonObject{{QStringLiteral("to_seq"), 0}});
    QCOMPARE(response(rollback).value(QLatin1String("scope")).toString(),
             QStringLiteral("entries:write"));
    QCOMPARE(server.db()->currentSeq(), 0);
    // Reads still work.
    QCOMPARE(replyStatus(reader->call(topicOf(), QStringLiteral("status"), QJsonObject())),
             QStringLiteral("ok"));
}

void TestWebSocketWrites::pathSegmentsWinOverPath()
{
    WsServer server;
    QVERIFY(server.start());
    const auto client = server.joined();
    QVERIFY(client);
    QJsonObject payload = writePayload(QStringLiteral("set"), QStringLiteral("ignored/path"), 1,
                                       QStringLiteral("op_seg"));
    payload.insert(QStringLiteral("path_segments"),
                   QJsonArray{QStringLiteral("files"), QStringLiteral("image/logo")});
    QCOMPARE(replyStatus(client->write(payload)), QStringLiteral("ok"));
    const auto event = client->eventFor(QStringLiteral("op_seg"));
    QVERIFY(event);
    QCOMPARE(event->payload.toObject().value(QLatin1String("path")).toString(),
             QStringLiteral("files/image~1logo"));
    QVERIFY(server.db()->get(path(QStringLiteral("files/image~1logo"))));
    QVERIFY(!server.db()->get(path(QStringLiteral("ignored/path"))));

    // A null path_segments falls back to path.
    payload =
        writePayload(QStringLiteral("set"), QStringLiteral("plain"), 2, QStringLiteral("op_plain"));
    payload.insert(QStringLiteral("path_segments"), QJsonValue::Null);
    QCOMPARE(replyStatus(client->write(payload)), QStringLiteral("ok"));
    QVERIFY(server.db()->get(path(QStringLiteral("plain"))));
}

void TestWebSocketWrites::broadcastBeforeReply()
{
    WsServer server;
    QVERIFY(server.start());
    QVERIFY(server.registry.openOrCreate(QStringLiteral("acme/other")));
    const auto writer = server.joined();
    const auto watcher = server.joined();
    // joined to another store
    const auto bystander = server.joined({.topic = topicOf(QStringLiteral("acme/other"))});
    QVERIFY(writer && watcher && bystander);
    QVERIFY(writer->waitCaughtUp(topicOf()) >= 0);
    QVERIFY(watcher->waitCaughtUp(topicOf()) >= 0);

    const QString ref =
        writer->push(topicOf(), QStringLiteral("write"),
                     writePayload(QStringLiteral("set"), QStringLiteral("posts/hello"),
                                  QJsonObject{{QStringLiteral("title"), QStringLiteral("Hi")}},
                                  QStringLiteral("op_3kq")));
    qsizetype replyIndex = -1;
    QCOMPARE(replyStatus(writer->reply(ref, 5000, &replyIndex)), QStringLiteral("ok"));
    qsizetype eventIndex = -1;
    const auto echo = writer->eventFor(QStringLiteral("op_3kq"), 0, &eventIndex);
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

    const auto seen = watcher->eventFor(QStringLiteral("op_3kq"));
    QVERIFY(seen);
    QCOMPARE(seen->payload, echo->payload);
    // Another store's channel hears nothing.
    QCOMPARE(replyStatus(bystander->heartbeat()), QStringLiteral("ok"));
    QVERIFY(bystander->events(topicOf(QStringLiteral("acme/other"))).isEmpty());
}

void TestWebSocketWrites::restWritesBroadcastOnlyWhenConfigured_data()
{
    QTest::addColumn<bool>("broadcastRest");
    QTest::newRow("default: not broadcast") << false;
    QTest::newRow("--broadcast-rest-writes") << true;
}

void TestWebSocketWrites::restWritesBroadcastOnlyWhenConfigured()
{
    QFETCH(bool, broadcastRest);
    ServerConfig config;
    config.broadcastRestWrites = broadcastRest;
    WsServer server(config);
    QVERIFY(server.start());
    const auto watcher = server.joined();
    QVERIFY(watcher);
    QVERIFY(watcher->waitCaughtUp(topicOf()) >= 0);

    // What the REST side does for a write: commit, then report it with viaSocket = false.
    const WriteResult rest =
        server.db()->write(setRequest(QStringLiteral("via/rest"), 1, QStringLiteral("rest_1")));
    QVERIFY(rest.ok && rest.event);
    server.registry.notifyCommitted(QString(kStore), *rest.event, false);

    // A socket write afterwards is the marker that everything before it was delivered.
    const auto writer = server.joined({.lastSeq = 1});
    QVERIFY(writer);
    QCOMPARE(replyStatus(writer->set(QStringLiteral("via/ws"), 2, QStringLiteral("ws_1"))),
             QStringLiteral("ok"));
    QVERIFY(watcher->eventFor(QStringLiteral("ws_1")));
    QCOMPARE(watcher->sawEventFor(QStringLiteral("rest_1")), broadcastRest);
}

void TestWebSocketWrites::rateLimited()
{
    ServerConfig config;
    config.writesPerMinute = 2;
    WsServer server(config);
    QVERIFY(server.start());
    const auto client = server.joined();
    QVERIFY(client);
    for (int i = 1; i <= 2; ++i)
        QCOMPARE(replyStatus(client->set(QStringLiteral("k"), i, QStringLiteral("op_%1").arg(i))),
                 QStringLiteral("ok"));
    const auto limited = client->set(QStringLiteral("k"), 3, QStringLiteral("op_3"));
    QCOMPARE(json(response(limited)),
             QByteArray(R"({"reason":"rate_limited","retry_after_ms":60000})"));
    // put_file shares the write bucket; status and rollback are not limited.
    const auto file =
        client->call(topicOf(), QStringLiteral("put_file"),
                     QJsonObject{{QStringLiteral("path"), QStringLiteral("f")},
                                 {QStringLiteral("content"), QStringLiteral("aGk=")},
                                 {QStringLiteral("client_op_id"), QStringLiteral("op_4")}});
    QCOMPARE(response(file).value(QLatin1String("reason")).toString(),
             QStringLiteral("rate_limited"));
    QCOMPARE(replyStatus(client->call(topicOf(), QStringLiteral("status"), QJsonObject())),
             QStringLiteral("ok"));
    QCOMPARE(replyStatus(client->call(topicOf(), QStringLiteral("rollback"),
                                      QJsonObject{{QStringLiteral("path"), QStringLiteral("k")},
                                                  {QStringLiteral("to_seq"), 1}})),
             QStringLiteral("ok"));
    QCOMPARE(server.db()->currentSeq(), 3);
}

void TestWebSocketWrites::putFile()
{
    WsServer server;
    QVERIFY(server.start());
    const auto client = server.joined();
    const auto watcher = server.joined();
    QVERIFY(client && watcher);
    const QByteArray content("\x89PNG\r\n\x1a\n fake image bytes \x00\xff", 29);
    const QString hash =
        QStringLiteral("sha256:") +
        QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
    const auto reply = client->call(
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
    const auto event = watcher->eventFor(QStringLiteral("op_file"));
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
        client->call(topicOf(), QStringLiteral("put_file"),
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

void TestWebSocketWrites::putFileErrors()
{
    WsServer server;
    QVERIFY(server.start());
    const auto client = server.joined();
    QVERIFY(client);
    auto put = [&](const QJsonObject &payload) {
        return json(response(client->call(topicOf(), QStringLiteral("put_file"), payload)));
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

void TestWebSocketWrites::statusEvent()
{
    WsServer server;
    QVERIFY(server.start());
    server.seedItems(7);
    const auto client = server.joined({.lastSeq = 7});
    QVERIFY(client);
    const auto reply = client->call(topicOf(), QStringLiteral("status"), QJsonObject());
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

void TestWebSocketWrites::ackSeq()
{
    WsServer server;
    QVERIFY(server.start());
    const auto client = server.joined();
    QVERIFY(client);
    const auto reply =
        client->call(topicOf(), QStringLiteral("ack_seq"), QJsonObject{{QStringLiteral("seq"), 0}});
    QCOMPARE(replyStatus(reply), QStringLiteral("ok"));
    QCOMPARE(response(reply), QJsonObject());
}

void TestWebSocketWrites::rollbackPath()
{
    WsServer server;
    QVERIFY(server.start());
    StoreDb *db = server.db();
    db->write(
        setRequest(QStringLiteral("doc/title"), QStringLiteral("first"), QStringLiteral("s1")));
    db->write(
        setRequest(QStringLiteral("doc/title"), QStringLiteral("second"), QStringLiteral("s2")));
    const auto client = server.joined({.lastSeq = 2});
    const auto watcher = server.joined({.lastSeq = 2});
    QVERIFY(client && watcher);

    auto rollback = [&](const QJsonObject &payload) {
        return client->call(topicOf(), QStringLiteral("rollback"), payload);
    };
    const auto reply = rollback(
        {{QStringLiteral("path"), QStringLiteral("doc/title")}, {QStringLiteral("to_seq"), 1}});
    QVERIFY2(replyStatus(reply) == QLatin1String("ok"), json(response(reply)).constData());
    QCOMPARE(json(response(reply)), QByteArray(R"({"store_seq":3})"));
    const auto event = watcher->waitFor([](const PhoenixMessage &m) {
        return m.event == QLatin1String("event") && storeSeqOf(m) == 3;
    });
    QVERIFY(event);
    const QJsonObject e = event->payload.toObject();
    QCOMPARE(e.value(QLatin1String("device_id")).toString(), QStringLiteral("system:rollback"));
    QCOMPARE(e.value(QLatin1String("client_op_id")).toString(),
             QStringLiteral("rollback:1:doc/title"));
    QCOMPARE(e.value(QLatin1String("value")).toString(), QStringLiteral("first"));

    const auto again = rollback(
        {{QStringLiteral("path"), QStringLiteral("doc/title")}, {QStringLiteral("to_seq"), 1}});
    QCOMPARE(json(response(again)), QByteArray(R"({"noop":true,"store_seq":3})"));

    const auto bad = rollback({{QStringLiteral("path"), QStringLiteral("doc/title")}});
    QCOMPARE(response(bad).value(QLatin1String("reason")).toString(),
             QStringLiteral("invalid_to_seq"));
    const auto badPath = rollback(
        {{QStringLiteral("path"), QStringLiteral("doc//title")}, {QStringLiteral("to_seq"), 1}});
    QCOMPARE(response(badPath).value(QLatin1String("reason")).toString(),
             QStringLiteral("empty_segment"));
}

void TestWebSocketWrites::rollbackWholeStore()
{
    WsServer server;
    QVERIFY(server.start());
    StoreDb *db = server.db();
    db->write(setRequest(QStringLiteral("a"), 1, QStringLiteral("s1")));
    db->write(setRequest(QStringLiteral("b"), 2, QStringLiteral("s2")));
    db->write(setRequest(QStringLiteral("a"), 3, QStringLiteral("s3")));
    const auto client = server.joined({.lastSeq = 3});
    QVERIFY(client);
    QVERIFY(client->waitCaughtUp(topicOf()) >= 0);

    const auto reply = client->call(topicOf(), QStringLiteral("rollback"),
                                    QJsonObject{{QStringLiteral("to_seq"), 1}});
    QVERIFY2(replyStatus(reply) == QLatin1String("ok"), json(response(reply)).constData());
    const qint64 written = response(reply).value(QLatin1String("ops_written")).toInteger();
    QVERIFY(written >= 2);
    QCOMPARE(db->currentSeq(), 3 + written);
    QCOMPARE(db->get(path(QStringLiteral("a")))->value.toInt(), 1);
    QVERIFY(!db->get(path(QStringLiteral("b"))));
    // Not broadcast: a later write is the marker.
    QCOMPARE(replyStatus(client->set(QStringLiteral("c"), 1, QStringLiteral("marker"))),
             QStringLiteral("ok"));
    const auto events = client->events();
    QCOMPARE(events.size(), 1);
    QVERIFY(isEventFor(events.first(), QStringLiteral("marker")));

    const auto beyond = client->call(topicOf(), QStringLiteral("rollback"),
                                     QJsonObject{{QStringLiteral("to_seq"), -5}});
    QCOMPARE(replyStatus(beyond), QStringLiteral("error"));
}

QTEST_GUILESS_MAIN(TestWebSocketWrites)
#include "tst_websocket_writes.moc"
