// Strict JSON at dustlite's doors: every JSON text a client sends (REST bodies, WebSocket
// frames) is checked against RFC 8259 before it is parsed, so a value is never stored changed
// ("\ud800" as "?"), and counters refuse a total no JSON number can hold.

#include "WsTestHarness.h"

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "TestHttp.h"

#include <QJsonArray>
#include <QTest>

#include <limits>

using namespace wstest;
using dust::test::HttpResult;
using dust::test::InProcessDustlite;
using dust::test::TestHttp;

namespace {

constexpr QLatin1String kDemo("local/demo");
constexpr QLatin1String kDemoTopic("store:local/demo");

QUrl socketUrl(const InProcessDustlite &dustlite)
{
    QUrl url = dustlite.wsUrl();
    url.setPath(url.path() + QStringLiteral("/websocket"));
    url.setQuery(QStringLiteral("token=dust_tok_dev&device_id=dev_strict&capver=3&vsn=2.0.0"));
    return url;
}

// The JSON texts RFC 8259 rejects and QJsonDocument takes (and would store changed).
void addLenientlyParsedValues()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("what");
    QTest::newRow("lone high surrogate")
        << QByteArray(R"("\ud800")") << QStringLiteral("lone surrogate");
    QTest::newRow("lone low surrogate")
        << QByteArray(R"("\udc00")") << QStringLiteral("lone surrogate");
    QTest::newRow("lone surrogate in the middle")
        << QByteArray(R"("ab\ud800cd")") << QStringLiteral("lone surrogate");
    QTest::newRow("reversed pair")
        << QByteArray(R"("\ude00\ud83d")") << QStringLiteral("lone surrogate");
    QTest::newRow("invalid escape") << QByteArray(R"("\x41")") << QStringLiteral("invalid escape");
    QTest::newRow("leading dot") << QByteArray(".5") << QStringLiteral("malformed number");
    QTest::newRow("trailing dot") << QByteArray("1.") << QStringLiteral("malformed number");
    QTest::newRow("raw newline") << QByteArray("\"a\nb\"") << QStringLiteral("control character");
    QTest::newRow("raw control character")
        << QByteArray("\"a\x01z\"") << QStringLiteral("control character");
    QTest::newRow("nested deeper than the limit")
        << QByteArray(600, '[') + QByteArray(600, ']') << QStringLiteral("deeper than 512");
    QTest::newRow("nested in an object")
        << QByteArray(R"({"name":{"first":"\udbff"}})") << QStringLiteral("lone surrogate");
}

} // namespace

class TestStrictJsonServer : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void restRejectsWhatRfc8259Rejects_data();
    void restRejectsWhatRfc8259Rejects();
    void restRejectsInvalidUtf8();
    void restKeepsValidTextExactly();

    void wsWriteWithLenientValueGetsInvalidParams_data();
    void wsWriteWithLenientValueGetsInvalidParams();
    void wsFrameNotJsonClosesAsMalformed_data();
    void wsFrameNotJsonClosesAsMalformed();
    void wsKeepsSurrogatePairs();

    void incrementOverflowIsRefused_data();
    void incrementOverflowIsRefused();

private:
    std::unique_ptr<InProcessDustlite> m_dustlite;
    std::unique_ptr<TestHttp> m_http;
};

void TestStrictJsonServer::init()
{
    m_dustlite = std::make_unique<InProcessDustlite>();
    QVERIFY2(m_dustlite->start(), qPrintable(m_dustlite->errorString()));
    m_http = std::make_unique<TestHttp>(m_dustlite->baseUrl());
}

void TestStrictJsonServer::cleanup()
{
    m_http.reset();
    m_dustlite.reset();
}

void TestStrictJsonServer::restRejectsWhatRfc8259Rejects_data()
{
    addLenientlyParsedValues();
}

void TestStrictJsonServer::restRejectsWhatRfc8259Rejects()
{
    QFETCH(QByteArray, value);
    QFETCH(QString, what);
    const struct
    {
        const char *method;
        QByteArray path;
        QByteArray body;
    } requests[] = {
        {"PUT", TestHttp::entries("/bad/put"), value},
        {"POST", TestHttp::entries(), R"({"path":"bad/post","value":)" + value + "}"},
        {"POST", TestHttp::entries("/batch_write"),
         R"({"ops":[{"op":"set","path":"bad/batch","value":)" + value + "}]}"},
    };
    for (const auto &request : requests) {
        const HttpResult r = m_http->send(request.method, request.path, request.body);
        const QByteArray said = QByteArray(request.method) + ' ' + request.path + ": " +
                                QByteArray::number(r.status) + ' ' + r.body;
        QVERIFY2(r.status == 400, said.constData());
        QCOMPARE(r.error(), QStringLiteral("invalid_params"));
        QVERIFY2(r.detail().contains(QStringLiteral("at byte ")) && r.detail().contains(what),
                 qPrintable(r.detail()));
    }
    // Nothing was stored, changed or not.
    QCOMPARE(m_http->get(TestHttp::entries("?pattern=bad/**"))
                 .object()
                 .value(QLatin1String("items"))
                 .toArray(),
             QJsonArray());
}

void TestStrictJsonServer::restRejectsInvalidUtf8()
{
    // QJsonDocument refuses these too; the answer now says where.
    const HttpResult r = m_http->put(TestHttp::entries("/bad"), "\"caf\xc3\"");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error(), QStringLiteral("invalid_params"));
    QVERIFY2(r.detail().contains(QStringLiteral("at byte 4: invalid UTF-8")),
             qPrintable(r.detail()));
}

void TestStrictJsonServer::restKeepsValidTextExactly()
{
    const HttpResult put =
        m_http->put(TestHttp::entries("/good"), R"({"emoji":"\ud83d\ude00","raw":")"
                                                "caf\xc3\xa9"
                                                R"(","esc":"\u00e9\/\t","n":-0.5e-3})");
    QCOMPARE(put.status, 200);
    const HttpResult get = m_http->get(TestHttp::entries("/good"));
    QCOMPARE(get.status, 200);
    const QJsonObject value = get.object().value(QLatin1String("value")).toObject();
    QCOMPARE(value.value(QLatin1String("emoji")).toString(), QString::fromUtf8("\xf0\x9f\x98\x80"));
    QCOMPARE(value.value(QLatin1String("raw")).toString(), QString::fromUtf8("caf\xc3\xa9"));
    QCOMPARE(value.value(QLatin1String("esc")).toString(), QString::fromUtf8("\xc3\xa9/\t"));
    QCOMPARE(value.value(QLatin1String("n")).toDouble(), -0.0005);
}

void TestStrictJsonServer::wsWriteWithLenientValueGetsInvalidParams_data()
{
    addLenientlyParsedValues();
}

void TestStrictJsonServer::wsWriteWithLenientValueGetsInvalidParams()
{
    QFETCH(QByteArray, value);
    QFETCH(QString, what);
    WsClient client;
    QVERIFY(client.open(socketUrl(*m_dustlite)));
    QCOMPARE(replyStatus(client.join(QString(kDemoTopic))), QStringLiteral("ok"));
    const QString joinRef = client.joinRefs.value(QString(kDemoTopic));

    client.sendRaw("[\"" + joinRef.toUtf8() + R"(","77","store:local/demo","write",)" +
                   R"({"op":"set","path":"bad/ws","client_op_id":"op_bad","value":)" + value +
                   "}]");
    const auto reply = client.reply(QStringLiteral("77"));
    QVERIFY2(reply, "no reply to the write");
    QCOMPARE(replyStatus(reply), QStringLiteral("error"));
    const QJsonObject answer = response(reply);
    QCOMPARE(answer.value(QLatin1String("reason")).toString(), QStringLiteral("invalid_params"));
    const QString message = answer.value(QLatin1String("message")).toString();
    QVERIFY2(message.contains(QStringLiteral("at byte ")) && message.contains(what),
             qPrintable(message));
    QVERIFY(!client.sawEventFor(QStringLiteral("op_bad")));
    QVERIFY(!m_dustlite->store(kDemo)->get(path(QStringLiteral("bad/ws"))));

    // The socket stays usable.
    QCOMPARE(replyStatus(client.write(writePayload(QStringLiteral("set"), QStringLiteral("good/ws"),
                                                   1, QStringLiteral("op_good")),
                                      QString(kDemoTopic))),
             QStringLiteral("ok"));
    QVERIFY(!client.closed);
}

void TestStrictJsonServer::wsFrameNotJsonClosesAsMalformed_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::newRow("leading zero in a write (QJsonDocument refuses it too)")
        << QByteArray(R"([null,"5","store:local/demo","write",{"op":"set","value":01}])");
    QTest::newRow("lone surrogate in a join") << QByteArray(
        R"(["5","5","store:local/demo","phx_join",{"last_store_seq":0,"x":"\ud800"}])");
    QTest::newRow("heartbeat with a raw control character")
        << QByteArray("[null,\"5\",\"phoenix\",\"heartbeat\",{\"x\":\"\x02\"}]");
    QTest::newRow("trailing comma") << QByteArray(R"([null,"5","phoenix","heartbeat",{},])");
}

void TestStrictJsonServer::wsFrameNotJsonClosesAsMalformed()
{
    QFETCH(QByteArray, frame);
    WsClient client;
    QVERIFY(client.open(socketUrl(*m_dustlite)));
    client.sendRaw(frame);
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode, QWebSocketProtocol::CloseCodeWrongDatatype);
    QVERIFY2(client.closeReason.startsWith(QStringLiteral("malformed frame: invalid JSON at byte")),
             qPrintable(client.closeReason));
}

void TestStrictJsonServer::wsKeepsSurrogatePairs()
{
    WsClient client;
    QVERIFY(client.open(socketUrl(*m_dustlite)));
    QCOMPARE(replyStatus(client.join(QString(kDemoTopic))), QStringLiteral("ok"));
    const QString joinRef = client.joinRefs.value(QString(kDemoTopic));
    client.sendRaw(
        "[\"" + joinRef.toUtf8() + R"(","9","store:local/demo","write",)" +
        R"({"op":"set","path":"pair","client_op_id":"op_pair","value":"\ud83d\ude00"}])");
    QCOMPARE(replyStatus(client.reply(QStringLiteral("9"))), QStringLiteral("ok"));
    const auto stored = m_dustlite->store(kDemo)->get(path(QStringLiteral("pair")));
    QVERIFY(stored);
    QCOMPARE(stored->value.toString(), QString::fromUtf8("\xf0\x9f\x98\x80"));
}

void TestStrictJsonServer::incrementOverflowIsRefused_data()
{
    QTest::addColumn<double>("start");
    QTest::addColumn<double>("delta");
    const double max = std::numeric_limits<double>::max();
    QTest::newRow("past the largest double") << max << max;
    QTest::newRow("1.7e308 + 1e308") << 1.7e308 << 1e308;
    QTest::newRow("below the most negative double") << -max << -1e308;
}

void TestStrictJsonServer::incrementOverflowIsRefused()
{
    QFETCH(double, start);
    QFETCH(double, delta);
    WsClient client;
    QVERIFY(client.open(socketUrl(*m_dustlite)));
    QCOMPARE(replyStatus(client.join(QString(kDemoTopic))), QStringLiteral("ok"));
    const auto topic = QString(kDemoTopic);
    QCOMPARE(
        replyStatus(client.write(writePayload(QStringLiteral("increment"), QStringLiteral("hits"),
                                              start, QStringLiteral("op_start")),
                                 topic)),
        QStringLiteral("ok"));

    const auto reply =
        client.write(writePayload(QStringLiteral("increment"), QStringLiteral("hits"), delta,
                                  QStringLiteral("op_over")),
                     topic);
    QCOMPARE(replyStatus(reply), QStringLiteral("error"));
    QCOMPARE(response(reply).value(QLatin1String("reason")).toString(),
             QStringLiteral("increment_overflow"));
    QVERIFY2(response(reply)
                 .value(QLatin1String("message"))
                 .toString()
                 .contains(QStringLiteral("keeps its value")),
             json(response(reply)).constData());
    QVERIFY(!client.sawEventFor(QStringLiteral("op_over")));

    // The counter still holds its number, never null.
    const auto stored = m_dustlite->store(kDemo)->get(path(QStringLiteral("hits")));
    QVERIFY(stored);
    QVERIFY(stored->value.isDouble());
    QCOMPARE(stored->value.toDouble(), start);
    // And a small step still works.
    QCOMPARE(
        replyStatus(client.write(writePayload(QStringLiteral("increment"), QStringLiteral("hits"),
                                              -start, QStringLiteral("op_back")),
                                 topic)),
        QStringLiteral("ok"));
    QCOMPARE(m_dustlite->store(kDemo)->get(path(QStringLiteral("hits")))->value.toDouble(), 0.0);
}

QTEST_GUILESS_MAIN(TestStrictJsonServer)
#include "tst_strict_json.moc"
