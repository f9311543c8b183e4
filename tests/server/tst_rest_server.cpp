// DustliteServer and EmbeddedDustlite as the app and the tests use them: start and stop,
// configuration errors, a worker thread, persistence, and the WebSocket hand-off on the same
// port as REST.

#include "EmbeddedDustlite.h"
#include "RestTestFixture.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QWebSocket>

using namespace resttest;
using dust::lite::DustliteServer;
using dust::lite::EmbeddedDustlite;
using dust::lite::ServerConfig;

class TestRestServer : public QObject
{
    Q_OBJECT

private slots:
    void startsOnPortZeroAndStops();
    void defaultsAreOneTokenAndTheDemoStore();
    void configurationErrors_data();
    void configurationErrors();
    void portInUseIsAnError();
    void startTwiceIsAnError();
    void seedsEmptyStoresOnly();
    void tokenSpecs_data();
    void tokenSpecs();
    void tokenOrgDefaultsToTheFirstStore();
    void persistsInTheDataDirectory();
    void embeddedRunsOnItsOwnThread();
    void embeddedReportsFailure();
    void webSocketUpgradeOnTheSamePort();
    void webSocketUpgradeRefusedWithBadToken();
};

void TestRestServer::startsOnPortZeroAndStops()
{
    DustliteServer server;
    QSignalSpy stopped(&server, &DustliteServer::stopped);
    const auto port = server.start(InProcessDustlite::testConfig());
    QVERIFY2(port, port ? "" : qPrintable(port.error()));
    QVERIFY(*port != 0);
    QCOMPARE(server.port(), *port);
    QVERIFY(server.isListening());
    QCOMPARE(server.baseUrl(), QUrl(QStringLiteral("http://127.0.0.1:%1").arg(*port)));
    QCOMPARE(server.wsUrl(), QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/sync").arg(*port)));

    TestHttp http(server.baseUrl());
    QCOMPARE(http.get("/healthz").status, 200);
    server.stop();
    QCOMPARE(stopped.size(), 1);
    QVERIFY(!server.isListening());
    http.setTimeoutMs(5000);
    const HttpResult after = http.get("/healthz");
    QCOMPARE(after.status, 0);
    QVERIFY(after.networkError != QNetworkReply::NoError);

    // It can be started again.
    const auto again = server.start(InProcessDustlite::testConfig());
    QVERIFY(again);
    QCOMPARE(TestHttp(server.baseUrl()).get("/healthz").status, 200);
}

void TestRestServer::defaultsAreOneTokenAndTheDemoStore()
{
    ServerConfig config = InProcessDustlite::testConfig();
    config.tokens.clear(); // no token given: the server generates one (none is fixed)
    DustliteServer server;
    QVERIFY(server.start(config));
    QCOMPARE(server.config().stores, strs({"local/demo"}));
    QCOMPARE(server.config().tokens.size(), 1);
    const QString token = server.config().tokens.first().token;
    QVERIFY(token.startsWith(QLatin1String("dust_tok_")));
    QVERIFY(token != QLatin1String("dust_tok_dev"));
    TestHttp http(server.baseUrl(), token);
    QCOMPARE(http.put(TestHttp::entries("/a"), "1").status, 200);
    QCOMPARE(http.get("/api/stores").object().value("stores"_L1).toArray().size(), 1);
}

void TestRestServer::configurationErrors_data()
{
    QTest::addColumn<QStringList>("stores");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("seed");
    QTest::newRow("bad store") << strs({"Local/Demo"}) << QString() << QString();
    QTest::newRow("store without org") << strs({"demo"}) << QString() << QString();
    QTest::newRow("bad token") << strs({}) << str("secret") << QString();
    QTest::newRow("bad seed") << strs({}) << QString() << str("lots");
}

void TestRestServer::configurationErrors()
{
    QFETCH(QStringList, stores);
    QFETCH(QString, token);
    QFETCH(QString, seed);
    ServerConfig config = InProcessDustlite::testConfig();
    config.stores = stores;
    if (!token.isEmpty())
        config.tokens = {{token, {}, {}}};
    config.seed = seed;
    DustliteServer server;
    const auto result = server.start(config);
    QVERIFY(!result);
    QVERIFY(!result.error().isEmpty());
    QVERIFY(!server.isListening());
}

void TestRestServer::portInUseIsAnError()
{
    QTcpServer blocker;
    QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
    ServerConfig config = InProcessDustlite::testConfig();
    config.port = blocker.serverPort();
    DustliteServer server;
    const auto result = server.start(config);
    QVERIFY(!result);
    QVERIFY2(result.error().contains(QString::number(blocker.serverPort())),
             qPrintable(result.error()));
    QVERIFY(!server.isListening());
}

void TestRestServer::startTwiceIsAnError()
{
    DustliteServer server;
    QVERIFY(server.start(InProcessDustlite::testConfig()));
    const quint16 port = server.port();
    QVERIFY(!server.start(InProcessDustlite::testConfig()));
    QCOMPARE(server.port(), port);
    QCOMPARE(TestHttp(server.baseUrl()).get("/healthz").status, 200);
}

void TestRestServer::seedsEmptyStoresOnly()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ServerConfig config = InProcessDustlite::testConfig();
    config.inMemory = false;
    config.dataDir = dir.path();
    config.seed = QStringLiteral("demo");
    qint64 seeded = 0;
    {
        DustliteServer server;
        QVERIFY(server.start(config));
        seeded = server.registry()->find(u"local/demo")->currentSeq();
        QVERIFY(seeded > 0);
    }
    DustliteServer server;
    QVERIFY(server.start(config));
    QCOMPARE(server.registry()->find(u"local/demo")->currentSeq(), seeded);

    ServerConfig generated = InProcessDustlite::testConfig();
    generated.seed = QStringLiteral("250");
    DustliteServer other;
    QVERIFY(other.start(generated));
    QCOMPARE(other.registry()->find(u"local/demo")->entryCount(), 250);
}

void TestRestServer::tokenSpecs_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("org");
    QTest::addColumn<QStringList>("scopes");
    QTest::newRow("plain") << str("dust_tok_a") << true << str("dust_tok_a") << QString()
                           << QStringList();
    QTest::newRow("scopes") << str("dust_tok_a=entries:read,files:read") << true
                            << str("dust_tok_a") << QString()
                            << strs({"entries:read", "files:read"});
    QTest::newRow("org") << str("dust_tok_a@acme") << true << str("dust_tok_a") << str("acme")
                         << QStringList();
    QTest::newRow("org and scopes") << str("dust_tok_a@acme=audit:read") << true
                                    << str("dust_tok_a") << str("acme") << strs({"audit:read"});
    QTest::newRow("no prefix") << str("tok_a") << false << QString() << QString() << QStringList();
    QTest::newRow("prefix only") << str("dust_tok_") << false << QString() << QString()
                                 << QStringList();
    QTest::newRow("unknown scope")
        << str("dust_tok_a=entries:delete") << false << QString() << QString() << QStringList();
    QTest::newRow("no scopes") << str("dust_tok_a=") << false << QString() << QString()
                               << QStringList();
    QTest::newRow("bad org") << str("dust_tok_a@Acme") << false << QString() << QString()
                             << QStringList();
    QTest::newRow("space") << str("dust_tok_a b") << false << QString() << QString()
                           << QStringList();
}

void TestRestServer::tokenSpecs()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    const auto spec = DustliteServer::parseTokenSpec(text);
    QCOMPARE(bool(spec), valid);
    if (!valid) {
        QVERIFY(!spec.error().isEmpty());
        return;
    }
    QFETCH(QString, token);
    QFETCH(QString, org);
    QFETCH(QStringList, scopes);
    QCOMPARE(spec->token, token);
    QCOMPARE(spec->org, org);
    QCOMPARE(spec->scopes, scopes);
}

void TestRestServer::tokenOrgDefaultsToTheFirstStore()
{
    ServerConfig config = InProcessDustlite::testConfig();
    config.stores = strs({"acme/site", "local/demo"});
    config.tokens = {{QStringLiteral("dust_tok_x"), {}, {}},
                     {QStringLiteral("dust_tok_y"), QStringLiteral("local"), {}}};
    DustliteServer server;
    QVERIFY(server.start(config));
    TestHttp http(server.baseUrl(), QStringLiteral("dust_tok_x"));
    QCOMPARE(http.put(TestHttp::entries("/a", "acme/site"), "1").status, 200);
    QCOMPARE(http.put(TestHttp::entries("/a", "local/demo"), "1").status, 404);
    http.setToken(QStringLiteral("dust_tok_y"));
    QCOMPARE(http.put(TestHttp::entries("/a", "local/demo"), "1").status, 200);
}

void TestRestServer::persistsInTheDataDirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ServerConfig config = InProcessDustlite::testConfig();
    config.inMemory = false;
    config.dataDir = dir.path();
    {
        DustliteServer server;
        QVERIFY(server.start(config));
        TestHttp http(server.baseUrl());
        QCOMPARE(http.put(TestHttp::entries("/kept"), "\"yes\"").status, 200);
    }
    QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("local/demo.sqlite"))));
    DustliteServer server;
    QVERIFY(server.start(config));
    TestHttp http(server.baseUrl());
    const HttpResult r = http.get(TestHttp::entries("/kept"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("revision"_L1).toInteger(), 1);
    QCOMPARE(http.put(TestHttp::entries("/next"), "1").object().value("store_seq"_L1).toInteger(),
             2);
}

void TestRestServer::embeddedRunsOnItsOwnThread()
{
    EmbeddedDustlite embedded;
    QSignalSpy started(&embedded, &EmbeddedDustlite::started);
    const auto port = embedded.startAndWait(InProcessDustlite::testConfig());
    QVERIFY2(port, port ? "" : qPrintable(port.error()));
    QCOMPARE(started.size(), 1);
    QCOMPARE(embedded.port(), *port);
    QVERIFY(embedded.isRunning());
    QCOMPARE(embedded.baseUrl(), QUrl(QStringLiteral("http://127.0.0.1:%1").arg(*port)));
    QCOMPARE(embedded.wsUrl(), QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/sync").arg(*port)));

    TestHttp http(embedded.baseUrl());
    QCOMPARE(http.put(TestHttp::entries("/x"), "1").status, 200);
    QCOMPARE(http.get(TestHttp::entries("/x")).status, 200);

    embedded.stop();
    QVERIFY(!embedded.isRunning());
    http.setTimeoutMs(5000);
    QCOMPARE(http.get("/healthz").status, 0);

    // The asynchronous form reports through the signal.
    EmbeddedDustlite second;
    QSignalSpy secondStarted(&second, &EmbeddedDustlite::started);
    second.start(InProcessDustlite::testConfig());
    QVERIFY(secondStarted.wait(30000));
    QCOMPARE(TestHttp(second.baseUrl()).get("/healthz").status, 200);
}

void TestRestServer::embeddedReportsFailure()
{
    QTcpServer blocker;
    QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
    ServerConfig config = InProcessDustlite::testConfig();
    config.port = blocker.serverPort();
    EmbeddedDustlite embedded;
    QSignalSpy failed(&embedded, &EmbeddedDustlite::failed);
    const auto result = embedded.startAndWait(config);
    QVERIFY(!result);
    QVERIFY(!result.error().isEmpty());
    QCOMPARE(failed.size(), 1);
    QVERIFY(!embedded.isRunning());
}

void TestRestServer::webSocketUpgradeOnTheSamePort()
{
    InProcessDustlite server;
    QVERIFY(server.start());
    QWebSocket socket;
    QSignalSpy connected(&socket, &QWebSocket::connected);
    QSignalSpy messages(&socket, &QWebSocket::textMessageReceived);
    QUrl url = server.wsUrl();
    url.setPath(url.path() + QStringLiteral("/websocket"));
    url.setQuery(QStringLiteral("token=dust_tok_dev&device_id=dev_test&capver=3&vsn=2.0.0"));
    socket.open(url);
    QVERIFY(connected.wait(10000));
    socket.sendTextMessage(QStringLiteral(R"([null,"1","phoenix","heartbeat",{}])"));
    QVERIFY(messages.wait(10000));
    QVERIFY(messages.first().first().toString().contains("phx_reply"_L1));
    // REST keeps working beside it.
    QCOMPARE(TestHttp(server.baseUrl()).get("/healthz").status, 200);
}

void TestRestServer::webSocketUpgradeRefusedWithBadToken()
{
    InProcessDustlite server;
    QVERIFY(server.start());
    QWebSocket socket;
    QSignalSpy connected(&socket, &QWebSocket::connected);
    QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
    QUrl url = server.wsUrl();
    url.setPath(url.path() + QStringLiteral("/websocket"));
    url.setQuery(QStringLiteral("token=dust_tok_wrong&device_id=dev_test&capver=3&vsn=2.0.0"));
    socket.open(url);
    QTRY_VERIFY_WITH_TIMEOUT(!disconnected.isEmpty() || !connected.isEmpty(), 10000);
    QVERIFY(connected.isEmpty());
    QCOMPARE(TestHttp(server.baseUrl()).get("/healthz").status, 200);
}

QTEST_GUILESS_MAIN(TestRestServer)
#include "tst_rest_server.moc"
