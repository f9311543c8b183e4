#include "protocol/PhoenixMessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using dust::PhoenixMessage;

namespace {

QJsonObject obj(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class TestPhoenixMessage : public QObject
{
    Q_OBJECT

private slots:
    void decodeJoin();
    void decodeBroadcastWithNullRefs();
    void decodeReply();
    void encodeExactBytes();
    void roundTrip_data();
    void roundTrip();
    void malformed_data();
    void malformed();
    void deepNesting();
    void replyBuilder();
    void replyAccessorsOnOddPayloads();
};

void TestPhoenixMessage::decodeJoin()
{
    const auto m =
        PhoenixMessage::decode(R"(["1","1","store:acme/site","phx_join",{"last_store_seq":0}])");
    QVERIFY2(m, qPrintable(m ? QString() : m.error()));
    QCOMPARE(m->joinRef, std::optional<QString>(QStringLiteral("1")));
    QCOMPARE(m->ref, std::optional<QString>(QStringLiteral("1")));
    QCOMPARE(m->topic, QStringLiteral("store:acme/site"));
    QCOMPARE(m->event, QStringLiteral("phx_join"));
    QCOMPARE(m->payload.toObject().value(QLatin1String("last_store_seq")).toInt(-1), 0);
    QVERIFY(!m->isReply());
}

void TestPhoenixMessage::decodeBroadcastWithNullRefs()
{
    const auto m = PhoenixMessage::decode(
        R"([null,null,"store:acme/site","event",{"store_seq":143,"op":"set","path":"posts/hello","path_segments":["posts","hello"],"value":{"title":"Hi"},"device_id":"dev_8f","client_op_id":"op_3kq"}])");
    QVERIFY(m);
    QVERIFY(!m->joinRef.has_value());
    QVERIFY(!m->ref.has_value());
    QCOMPARE(m->event, QStringLiteral("event"));
    QCOMPARE(m->payload.toObject().value(QLatin1String("store_seq")).toInteger(), 143);

    const auto catchUp = PhoenixMessage::decode(
        R"(["3",null,"store:acme/site","catch_up_complete",{"through_seq":12}])");
    QVERIFY(catchUp);
    QCOMPARE(catchUp->joinRef, std::optional<QString>(QStringLiteral("3")));
    QVERIFY(!catchUp->ref.has_value());
}

void TestPhoenixMessage::decodeReply()
{
    const auto m = PhoenixMessage::decode(
        R"(["1","7","store:acme/site","phx_reply",{"status":"error","response":{"reason":"invalid op"}}])");
    QVERIFY(m);
    QVERIFY(m->isReply());
    QCOMPARE(m->replyStatus(), QStringLiteral("error"));
    QCOMPARE(m->replyResponse().toObject().value(QLatin1String("reason")).toString(),
             QStringLiteral("invalid op"));

    const auto hb =
        PhoenixMessage::decode(R"([null,"9","phoenix","phx_reply",{"status":"ok","response":{}}])");
    QVERIFY(hb);
    QCOMPARE(hb->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(hb->replyResponse(), QJsonValue(QJsonObject()));
}

void TestPhoenixMessage::encodeExactBytes()
{
    PhoenixMessage heartbeat;
    heartbeat.ref = QStringLiteral("5");
    heartbeat.topic = QStringLiteral("phoenix");
    heartbeat.event = QStringLiteral("heartbeat");
    heartbeat.payload = QJsonObject();
    QCOMPARE(heartbeat.encode(), QByteArray(R"([null,"5","phoenix","heartbeat",{}])"));

    PhoenixMessage join;
    join.joinRef = QStringLiteral("1");
    join.ref = QStringLiteral("1");
    join.topic = QStringLiteral("store:acme/site");
    join.event = QStringLiteral("phx_join");
    join.payload = obj(R"({"last_store_seq":0})");
    QCOMPARE(join.encode(),
             QByteArray(R"(["1","1","store:acme/site","phx_join",{"last_store_seq":0}])"));

    // Strings are escaped; the output is one line.
    PhoenixMessage odd;
    odd.topic = QStringLiteral("t\"\n");
    odd.event = QString::fromUtf16(u"é");
    const QByteArray bytes = odd.encode();
    QVERIFY(!bytes.contains('\n'));
    const auto back = PhoenixMessage::decode(bytes);
    QVERIFY(back);
    QCOMPARE(*back, odd);
}

void TestPhoenixMessage::roundTrip_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::newRow("join") << QByteArray(
        R"(["1","1","store:acme/site","phx_join",{"last_store_seq":0}])");
    QTest::newRow("nulls") << QByteArray(R"([null,null,"store:a/b","event",{"value":null}])");
    QTest::newRow("empty strings") << QByteArray(R"(["","","","",{}])");
    QTest::newRow("array payload") << QByteArray(R"(["1","2","t","e",[1,2,3]])");
    QTest::newRow("scalar payload") << QByteArray(R"(["1","2","t","e","text"])");
    QTest::newRow("null payload") << QByteArray(R"(["1","2","t","e",null])");
    QTest::newRow("unicode") << QByteArray(
        "[\"1\",\"2\",\"store:\xc3\xa9\",\"e\",{\"k\":\"\xf0\x9f\x98\x80\"}]");
    QTest::newRow("whitespace") << QByteArray(" [ \"1\" , null , \"t\" , \"e\" , { } ] \n");
}

void TestPhoenixMessage::roundTrip()
{
    QFETCH(QByteArray, frame);
    const auto m = PhoenixMessage::decode(frame);
    QVERIFY2(m, qPrintable(m ? QString() : m.error()));
    const auto again = PhoenixMessage::decode(m->encode());
    QVERIFY(again);
    QCOMPARE(*again, *m);
    QCOMPARE(again->encode(), m->encode());
}

void TestPhoenixMessage::malformed_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
    QTest::newRow("not json") << QByteArray("hello") << QStringLiteral("not JSON");
    QTest::newRow("truncated") << QByteArray(R"(["1","1","t","e",{"a":)")
                               << QStringLiteral("not JSON");
    QTest::newRow("trailing garbage")
        << QByteArray(R"(["1","1","t","e",{}]x)") << QStringLiteral("not JSON");
    QTest::newRow("two documents")
        << QByteArray(R"(["1","1","t","e",{}][])") << QStringLiteral("not JSON");
    QTest::newRow("object") << QByteArray(R"({"topic":"t"})") << QStringLiteral("array");
    QTest::newRow("scalar") << QByteArray("42") << QString();
    QTest::newRow("string") << QByteArray("\"x\"") << QString();
    QTest::newRow("empty array") << QByteArray("[]") << QStringLiteral("5 elements");
    QTest::newRow("four elements") << QByteArray(R"(["1","1","t","e"])") << QStringLiteral("got 4");
    QTest::newRow("six elements") << QByteArray(R"(["1","1","t","e",{},{}])")
                                  << QStringLiteral("got 6");
    QTest::newRow("numeric join_ref")
        << QByteArray(R"([1,"1","t","e",{}])") << QStringLiteral("join_ref");
    QTest::newRow("numeric ref") << QByteArray(R"(["1",1,"t","e",{}])") << QStringLiteral("ref");
    QTest::newRow("bool ref") << QByteArray(R"(["1",true,"t","e",{}])") << QStringLiteral("ref");
    QTest::newRow("object ref") << QByteArray(R"(["1",{},"t","e",{}])") << QStringLiteral("ref");
    QTest::newRow("null topic") << QByteArray(R"(["1","1",null,"e",{}])")
                                << QStringLiteral("topic");
    QTest::newRow("numeric topic")
        << QByteArray(R"(["1","1",3,"e",{}])") << QStringLiteral("topic");
    QTest::newRow("null event") << QByteArray(R"(["1","1","t",null,{}])")
                                << QStringLiteral("event");
    QTest::newRow("array event") << QByteArray(R"(["1","1","t",["e"],{}])")
                                 << QStringLiteral("event");
    QTest::newRow("nul byte") << QByteArray(R"(["1","1","t","e",{}])") + QByteArray(1, '\0')
                              << QStringLiteral("not JSON");
    QTest::newRow("invalid utf-8") << QByteArray("[\"\xff\",\"1\",\"t\",\"e\",{}]") << QString();
    QTest::newRow("msgpack header") << QByteArray("\x95\xa1\x31", 3) << QStringLiteral("not JSON");
}

void TestPhoenixMessage::malformed()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, mentions);
    const auto m = PhoenixMessage::decode(frame);
    if (frame.contains('\xff')) {
        // Qt's parser may replace invalid UTF-8; either outcome is fine if it is consistent.
        if (m)
            QCOMPARE(*PhoenixMessage::decode(m->encode()), *m);
        return;
    }
    QVERIFY(!m);
    QVERIFY2(m.error().contains(mentions), qPrintable(m.error()));
    QVERIFY(m.error().startsWith(QStringLiteral("malformed Phoenix frame")));
}

void TestPhoenixMessage::deepNesting()
{
    for (int depth : {100, 1000, 5000, 100000}) {
        const QByteArray frame = QByteArray(R"(["1","1","t","e",)") + QByteArray(depth, '[') +
                                 QByteArray(depth, ']') + QByteArray("]");
        const auto m = PhoenixMessage::decode(frame);
        if (depth <= 1000) {
            QVERIFY2(m, qPrintable(m ? QString() : m.error()));
        } else {
            QVERIFY(!m);
            QVERIFY2(m.error().contains(QStringLiteral("nested")), qPrintable(m.error()));
        }
        const QByteArray objects = QByteArray(R"(["1","1","t","e",)") +
                                   QByteArray("{\"k\":").repeated(depth) + "1" +
                                   QByteArray(depth, '}') + "]";
        const auto o = PhoenixMessage::decode(objects);
        QCOMPARE(bool(o), depth <= 1000);
    }
}

void TestPhoenixMessage::replyBuilder()
{
    const auto push = PhoenixMessage::decode(
        R"(["4","7","store:acme/site","write",{"op":"set","path":"a","value":1,"client_op_id":"op_1"}])");
    QVERIFY(push);
    const PhoenixMessage reply = push->reply(u"ok", obj(R"({"store_seq":143})"));
    QCOMPARE(reply.joinRef, push->joinRef);
    QCOMPARE(reply.ref, push->ref);
    QCOMPARE(reply.topic, push->topic);
    QCOMPARE(reply.event, QStringLiteral("phx_reply"));
    QVERIFY(reply.isReply());
    QCOMPARE(reply.replyStatus(), QStringLiteral("ok"));
    QCOMPARE(reply.replyResponse().toObject().value(QLatin1String("store_seq")).toInteger(), 143);
    QCOMPARE(
        reply.encode(),
        QByteArray(
            R"(["4","7","store:acme/site","phx_reply",{"response":{"store_seq":143},"status":"ok"}])"));

    PhoenixMessage heartbeat;
    heartbeat.ref = QStringLiteral("9");
    heartbeat.topic = QStringLiteral("phoenix");
    heartbeat.event = QStringLiteral("heartbeat");
    const PhoenixMessage hbReply = heartbeat.reply(u"ok", QJsonObject());
    QCOMPARE(hbReply.encode(),
             QByteArray(R"([null,"9","phoenix","phx_reply",{"response":{},"status":"ok"}])"));
    // An undefined response becomes {}.
    QCOMPARE(heartbeat.reply(u"error", QJsonValue(QJsonValue::Undefined)).replyResponse(),
             QJsonValue(QJsonObject()));
}

void TestPhoenixMessage::replyAccessorsOnOddPayloads()
{
    PhoenixMessage m;
    m.event = QStringLiteral("phx_reply");
    m.payload = QJsonValue(3);
    QVERIFY(m.replyStatus().isEmpty());
    QCOMPARE(m.replyResponse(), QJsonValue(QJsonObject()));
    m.payload = obj(R"({"status":5,"response":[1]})");
    QVERIFY(m.replyStatus().isEmpty());
    QCOMPARE(m.replyResponse(), QJsonValue(QJsonArray{1}));
    const PhoenixMessage empty;
    QVERIFY(!empty.isReply());
    QVERIFY(empty.replyStatus().isEmpty());
    // A default message still encodes to a valid frame.
    const auto decoded = PhoenixMessage::decode(empty.encode());
    QVERIFY(decoded);
    QCOMPARE(*decoded, empty);
}

QTEST_GUILESS_MAIN(TestPhoenixMessage)
#include "tst_phoenixmessage.moc"
