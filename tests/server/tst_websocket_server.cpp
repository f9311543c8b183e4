// The WebSocket side through the whole dustlite (HTTP server, upgrade on the same port, REST
// beside it), in process on 127.0.0.1 port 0.

#include "WsTestHarness.h"

#include "InProcessDustlite.h"
#include "TestHttp.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QTcpSocket>
#include <QTest>

using namespace wstest;
using dust::test::HttpResult;
using dust::test::InProcessDustlite;
using dust::test::TestHttp;

namespace {

constexpr QLatin1String kDemoTopic("store:local/demo");

QUrl socketUrl(const InProcessDustlite &dustlite, const QString &query)
{
    QUrl url = dustlite.wsUrl();
    url.setPath(url.path() + QStringLiteral("/websocket"));
    url.setQuery(query);
    return url;
}

QUrl socketUrl(const InProcessDustlite &dustlite)
{
    return socketUrl(dustlite,
                     QStringLiteral("token=dust_tok_dev&device_id=dev_srv&capver=3&vsn=2.0.0"));
}

// Sends a raw upgrade request and returns everything the server answered until it closed.
QByteArray rawUpgrade(quint16 port, const QByteArray &target)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(
        "GET " + target +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray answer;
    (void)QTest::qWaitFor(
        [&] {
            answer += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState ||
                   (answer.contains("\r\n\r\n") && answer.startsWith("HTTP/1.1 101"));
        },
        5000);
    answer += socket.readAll();
    return answer;
}

QJsonObject write(const QString &op, const QString &where, const QJsonValue &value,
                  const QString &opId)
{
    return {{QStringLiteral("op"), op},
            {QStringLiteral("path"), where},
            {QStringLiteral("value"), value},
            {QStringLiteral("client_op_id"), opId}};
}

bool hasEvent(const WsClient &client, const QString &opId)
{
    for (const PhoenixMessage &m : client.received) {
        if (m.event == QLatin1String("event") &&
            m.payload.toObject().value(QLatin1String("client_op_id")).toString() == opId)
            return true;
    }
    return false;
}

} // namespace

class TestWebSocketServer : public QObject
{
    Q_OBJECT

private slots:
    void joinWriteAndReadOverRest();
    void refusedUpgradeIs403_data();
    void refusedUpgradeIs403();
    void putFileThenDownload();
    void restWritesBroadcast_data();
    void restWritesBroadcast();
    void compactAfterRestWrites();
    void oversizedMessage();
    void stopClosesSockets();
};

void TestWebSocketServer::joinWriteAndReadOverRest()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    WsClient client;
    QVERIFY(client.open(socketUrl(dustlite)));
    QTRY_COMPARE(dustlite.server().wsUrl().isValid(), true);
    QCOMPARE(replyStatus(client.join(kDemoTopic)), QStringLiteral("ok"));
    QVERIFY(client.waitCaughtUp(kDemoTopic) >= 0);
    const auto reply = client.call(kDemoTopic, QStringLiteral("write"),
                                   write(QStringLiteral("set"), QStringLiteral("hello world/title"),
                                         QStringLiteral("Hi"), QStringLiteral("op_1")));
    QCOMPARE(replyStatus(reply), QStringLiteral("ok"));
    const qint64 seq = response(reply).value(QLatin1String("store_seq")).toInteger();
    QVERIFY(seq >= 1);
    QVERIFY(hasEvent(client, QStringLiteral("op_1")));

    TestHttp http(dustlite.baseUrl());
    const HttpResult got = http.get(TestHttp::entries("/hello%20world/title"));
    QCOMPARE(got.status, 200);
    QCOMPARE(got.object().value(QLatin1String("value")).toString(), QStringLiteral("Hi"));
    QCOMPARE(got.object().value(QLatin1String("revision")).toInteger(), seq);
}

void TestWebSocketServer::refusedUpgradeIs403_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("reason");
    QTest::newRow("unknown token") << "token=dust_tok_nope&device_id=d&capver=3&vsn=2.0.0"
                                   << "unauthorized";
    QTest::newRow("no device_id") << "token=dust_tok_dev&capver=3&vsn=2.0.0"
                                  << "missing device_id";
    QTest::newRow("old capver") << "token=dust_tok_dev&device_id=d&capver=2&vsn=2.0.0"
                                << "capver";
    QTest::newRow("msgpack") << "token=dust_tok_dev&device_id=d&capver=3&vsn=3.0.0"
                             << "unsupported vsn";
}

void TestWebSocketServer::refusedUpgradeIs403()
{
    QFETCH(QString, query);
    QFETCH(QString, reason);
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));

    const QByteArray answer = rawUpgrade(dustlite.port(), "/ws/sync/websocket?" + query.toUtf8());
    QVERIFY2(answer.startsWith("HTTP/1.1 403"), answer.constData());
    QVERIFY2(answer.contains(reason.toUtf8()), answer.constData());

    WsClient client;
    QVERIFY(!client.open(socketUrl(dustlite, query)));
    QCOMPARE(client.socket.state(), QAbstractSocket::UnconnectedState);

    // The same server still upgrades a good request.
    QVERIFY(rawUpgrade(dustlite.port(),
                       "/ws/sync/websocket?token=dust_tok_dev&device_id=d&capver=3&vsn=2.0.0")
                .startsWith("HTTP/1.1 101"));
}

void TestWebSocketServer::putFileThenDownload()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    WsClient client;
    QVERIFY(client.open(socketUrl(dustlite)));
    QCOMPARE(replyStatus(client.join(kDemoTopic)), QStringLiteral("ok"));
    const QByteArray content = QByteArray("%PDF-1.4 not really a pdf\n\x00\x01\x02", 30);
    const auto reply = client.call(
        kDemoTopic, QStringLiteral("put_file"),
        QJsonObject{{QStringLiteral("path"), QStringLiteral("docs/manual")},
                    {QStringLiteral("content"), QString::fromLatin1(content.toBase64())},
                    {QStringLiteral("filename"), QStringLiteral("manual.pdf")},
                    {QStringLiteral("content_type"), QStringLiteral("application/pdf")},
                    {QStringLiteral("client_op_id"), QStringLiteral("op_pdf")}});
    QCOMPARE(replyStatus(reply), QStringLiteral("ok"));
    const QString hash = response(reply).value(QLatin1String("hash")).toString();
    QCOMPARE(hash, QStringLiteral("sha256:") +
                       QString::fromLatin1(
                           QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex()));

    TestHttp http(dustlite.baseUrl());
    const HttpResult file = http.get("/api/files/" + hash.toUtf8());
    QCOMPARE(file.status, 200);
    QCOMPARE(file.body, content);
    QCOMPARE(file.header("content-type"), QByteArray("application/pdf"));
    QVERIFY(file.header("content-disposition").contains("manual.pdf"));
    const HttpResult entry = http.get(TestHttp::entries("/docs/manual"));
    QCOMPARE(entry.object().value(QLatin1String("type")).toString(), QStringLiteral("file"));
}

void TestWebSocketServer::restWritesBroadcast_data()
{
    QTest::addColumn<bool>("broadcast");
    QTest::newRow("default") << false;
    QTest::newRow("broadcast-rest-writes") << true;
}

void TestWebSocketServer::restWritesBroadcast()
{
    QFETCH(bool, broadcast);
    InProcessDustlite dustlite;
    dustlite.config().broadcastRestWrites = broadcast;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    WsClient client;
    QVERIFY(client.open(socketUrl(dustlite)));
    QCOMPARE(replyStatus(client.join(kDemoTopic)), QStringLiteral("ok"));
    QVERIFY(client.waitCaughtUp(kDemoTopic) >= 0);

    TestHttp http(dustlite.baseUrl());
    const HttpResult put = http.put(TestHttp::entries("/via/rest"), "42",
                                    {{"x-request-id", "rest-op-0123456789abcdef"}});
    QCOMPARE(put.status, 200);
    // A socket write afterwards marks that everything before it was delivered.
    QCOMPARE(replyStatus(client.call(kDemoTopic, QStringLiteral("write"),
                                     write(QStringLiteral("set"), QStringLiteral("via/ws"), 1,
                                           QStringLiteral("marker")))),
             QStringLiteral("ok"));
    QVERIFY(hasEvent(client, QStringLiteral("marker")));
    QCOMPARE(hasEvent(client, QStringLiteral("rest-op-0123456789abcdef")), broadcast);
    if (broadcast) {
        for (const PhoenixMessage &m : std::as_const(client.received)) {
            const QJsonObject e = m.payload.toObject();
            if (e.value(QLatin1String("client_op_id")) ==
                QStringLiteral("rest-op-0123456789abcdef")) {
                QVERIFY(e.value(QLatin1String("device_id"))
                            .toString()
                            .startsWith(QLatin1String("http:")));
                QCOMPARE(e.value(QLatin1String("value")).toInt(), 42);
            }
        }
    }
}

void TestWebSocketServer::compactAfterRestWrites()
{
    InProcessDustlite dustlite;
    dustlite.config().compactAfter = 3;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    TestHttp http(dustlite.baseUrl());
    for (int i = 0; i < 4; ++i)
        QCOMPARE(http.put(TestHttp::entries("/k/" + QByteArray::number(i)), QByteArray::number(i))
                     .status,
                 200);
    QVERIFY(dustlite.store()->latestSnapshotSeq() >= 3);

    WsClient client;
    QVERIFY(client.open(socketUrl(dustlite)));
    QCOMPARE(replyStatus(client.join(kDemoTopic)), QStringLiteral("ok"));
    const qsizetype done = client.waitCaughtUp(kDemoTopic);
    QVERIFY(done >= 0);
    const auto snapshots = client.events(kDemoTopic, QStringLiteral("snapshot"));
    QCOMPARE(snapshots.size(), 1);
    const QJsonObject entries =
        snapshots.first().payload.toObject().value(QLatin1String("entries")).toObject();
    const QJsonObject wrapped{{QStringLiteral("_scalar"), 0}};
    QCOMPARE(entries.value(QLatin1String("k/0")).toObject().value(QLatin1String("value")),
             QJsonValue(wrapped));
    QCOMPARE(
        client.received.at(done).payload.toObject().value(QLatin1String("through_seq")).toInteger(),
        dustlite.store()->currentSeq());
}

void TestWebSocketServer::oversizedMessage()
{
    InProcessDustlite dustlite;
    dustlite.config().maxWsMessageBytes = 32 * 1024;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    WsClient client;
    QVERIFY(client.open(socketUrl(dustlite)));
    QCOMPARE(replyStatus(client.join(kDemoTopic)), QStringLiteral("ok"));
    client.push(kDemoTopic, QStringLiteral("write"),
                write(QStringLiteral("set"), QStringLiteral("big"),
                      QString(100 * 1024, QLatin1Char('x')), QStringLiteral("op_big")));
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode, QWebSocketProtocol::CloseCodeTooMuchData);

    TestHttp http(dustlite.baseUrl());
    QCOMPARE(http.get("/healthz").status, 200);
    QCOMPARE(http.get(TestHttp::entries("/big")).status, 404);
    WsClient fresh;
    QVERIFY(fresh.open(socketUrl(dustlite)));
    QCOMPARE(replyStatus(
                 fresh.call(QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject())),
             QStringLiteral("ok"));
}

void TestWebSocketServer::stopClosesSockets()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    WsClient client;
    QVERIFY(client.open(socketUrl(dustlite)));
    QCOMPARE(replyStatus(client.join(kDemoTopic)), QStringLiteral("ok"));
    dustlite.stop();
    QVERIFY(client.waitClosed());
}

QTEST_GUILESS_MAIN(TestWebSocketServer)
#include "tst_websocket_server.moc"
