// Local means local: a web page the user visits must not reach the local dustlite. WebSocket
// upgrades from foreign origins and requests addressed to foreign host names (DNS rebinding)
// are refused, and without --token the server generates its own token instead of accepting
// a publicly known one.

#include "DustliteProcess.h"
#include "DustliteServer.h"
#include "EmbeddedDustlite.h"
#include "InProcessDustlite.h"
#include "RawHttp.h"
#include "TestHttp.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using dust::lite::DustliteServer;
using dust::lite::EmbeddedDustlite;
using dust::lite::ServerConfig;
using dust::test::DustliteProcess;
using dust::test::InProcessDustlite;
using dust::test::TestHttp;
using rawhttp::RawAnswer;

namespace {

constexpr QLatin1String kOldToken("dust_tok_dev");
constexpr QLatin1String kTokenFileName("dustlite.token");

QByteArray socketTarget(const QString &token = kOldToken, const QByteArray &deviceId = "dev_sec")
{
    return "/ws/sync/websocket?token=" + token.toUtf8() + "&device_id=" + deviceId +
           "&capver=3&vsn=2.0.0";
}

// The owner may read and write the file; nobody else may do anything with it.
bool isPrivate(const QString &file)
{
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                            QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                            QFileDevice::WriteOther | QFileDevice::ExeOther;
    const QFileDevice::Permissions permissions = QFileInfo(file).permissions();
    return (permissions & others) == 0 && (permissions & QFileDevice::ReadOwner) &&
           (permissions & QFileDevice::WriteOwner);
}

QString readAll(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).trimmed();
}

} // namespace

class TestSecurityLocal : public QObject
{
    Q_OBJECT

private slots:
    void upgradeOrigin_data();
    void upgradeOrigin();
    void refusedOriginSaysWhyAndHowToAllow();
    void foreignPageCannotJoin();
    void hostHeader_data();
    void hostHeader();
    void refusedHostSaysWhichAndHowToAllow();
    void hostIsCheckedOnUpgradesToo();
    void anyHostWhenNotBoundToLoopback();

    void generatedTokenIsKeptInTheDataDirectory();
    void memoryRunsGetTheirOwnToken();
    void inProcessServerGeneratesAndReusesItsToken();
    void looseTokenFileIsMadePrivate();
    void embeddedServerHandsItsTokenToTheApp();
};

void TestSecurityLocal::upgradeOrigin_data()
{
    QTest::addColumn<QByteArray>("origin"); // null: no Origin header
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<int>("status");
    const QStringList none;
    const QStringList app{QStringLiteral("https://app.example:8443")};
    QTest::newRow("no origin (not a browser)") << QByteArray() << none << 101;
    QTest::newRow("localhost") << QByteArray("http://localhost") << none << 101;
    QTest::newRow("localhost with port") << QByteArray("http://localhost:3000") << none << 101;
    QTest::newRow("https localhost") << QByteArray("https://localhost:8443") << none << 101;
    QTest::newRow("LOCALHOST") << QByteArray("http://LOCALHOST:3000") << none << 101;
    QTest::newRow("127.0.0.1") << QByteArray("http://127.0.0.1:7755") << none << 101;
    QTest::newRow("127/8") << QByteArray("http://127.1.2.3") << none << 101;
    QTest::newRow("[::1]") << QByteArray("http://[::1]:5173") << none << 101;
    QTest::newRow("foreign") << QByteArray("http://evil.example") << none << 403;
    QTest::newRow("foreign https") << QByteArray("https://evil.example:443") << none << 403;
    QTest::newRow("lookalike name") << QByteArray("http://localhost.evil.example") << none << 403;
    QTest::newRow("lookalike ip") << QByteArray("http://127.0.0.1.evil.example") << none << 403;
    QTest::newRow("userinfo") << QByteArray("http://localhost@evil.example") << none << 403;
    QTest::newRow("0.0.0.0") << QByteArray("http://0.0.0.0:7755") << none << 403;
    QTest::newRow("null (sandboxed page)") << QByteArray("null") << none << 403;
    QTest::newRow("file") << QByteArray("file://") << none << 403;
    QTest::newRow("ws scheme") << QByteArray("ws://localhost") << none << 403;
    QTest::newRow("hosted app") << QByteArray("https://dustlayer.io") << none << 403;
    QTest::newRow("allowed") << QByteArray("https://app.example:8443") << app << 101;
    QTest::newRow("allowed, any case") << QByteArray("HTTPS://App.Example:8443") << app << 101;
    QTest::newRow("allowed is exact") << QByteArray("https://app.example") << app << 403;
    QTest::newRow("allowed, other scheme") << QByteArray("http://app.example:8443") << app << 403;
}

void TestSecurityLocal::upgradeOrigin()
{
    QFETCH(QByteArray, origin);
    QFETCH(QStringList, allowed);
    QFETCH(int, status);
    InProcessDustlite dustlite;
    dustlite.config().allowedOrigins = allowed;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QByteArray headers = "Host: 127.0.0.1:" + QByteArray::number(dustlite.port()) + "\r\n";
    if (!origin.isNull())
        headers += "Origin: " + origin + "\r\n";
    const RawAnswer answer =
        rawhttp::request(dustlite.port(), rawhttp::upgradeHead(socketTarget(), headers));
    QVERIFY2(answer.status == status, answer.raw.left(400).constData());
    if (status == 403)
        QCOMPARE(answer.error(), QStringLiteral("forbidden"));
}

void TestSecurityLocal::refusedOriginSaysWhyAndHowToAllow()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    const RawAnswer answer = rawhttp::request(
        dustlite.port(),
        rawhttp::upgradeHead(socketTarget(), "Host: 127.0.0.1\r\nOrigin: http://evil.example\r\n"));
    QCOMPARE(answer.status, 403);
    QVERIFY2(answer.header("content-type").startsWith("application/json"), answer.raw.constData());
    QCOMPARE(answer.error(), QStringLiteral("forbidden"));
    QVERIFY2(answer.detail().contains(QLatin1String("http://evil.example")),
             answer.body.constData());
    QVERIFY2(answer.detail().contains(QLatin1String("--allow-origin")), answer.body.constData());
}

// What the issue saw: a page's WebSocket joined, read the store and wrote. A QWebSocket with
// a page's Origin does not even connect.
void TestSecurityLocal::foreignPageCannotJoin()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QWebSocket page(QStringLiteral("http://evil.example"));
    QSignalSpy connected(&page, &QWebSocket::connected);
    QSignalSpy failed(&page, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
    QUrl url = dustlite.wsUrl();
    url.setPath(url.path() + QStringLiteral("/websocket"));
    url.setQuery(QStringLiteral("token=dust_tok_dev&device_id=dev_page&capver=3&vsn=2.0.0"));
    page.open(url);
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty() || !connected.isEmpty(), 10000);
    QCOMPARE(connected.size(), 0);

    // The same client without a foreign Origin connects.
    QWebSocket app;
    QSignalSpy appConnected(&app, &QWebSocket::connected);
    app.open(url);
    QVERIFY(appConnected.wait(10000));
}

void TestSecurityLocal::hostHeader_data()
{
    QTest::addColumn<QByteArray>("host"); // "%PORT%" is the server's port; null: no Host header
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<int>("status");
    const QStringList none;
    const QStringList dev{QStringLiteral("dust.test")};
    QTest::newRow("listen address and port") << QByteArray("127.0.0.1:%PORT%") << none << 200;
    QTest::newRow("listen address") << QByteArray("127.0.0.1") << none << 200;
    QTest::newRow("localhost and port") << QByteArray("localhost:%PORT%") << none << 200;
    QTest::newRow("localhost") << QByteArray("localhost") << none << 200;
    QTest::newRow("LocalHost") << QByteArray("LocalHost:%PORT%") << none << 200;
    QTest::newRow("no Host (not a browser)") << QByteArray() << none << 200;
    QTest::newRow("foreign name and port") << QByteArray("evil.example:%PORT%") << none << 403;
    QTest::newRow("foreign name") << QByteArray("evil.example") << none << 403;
    QTest::newRow("lookalike") << QByteArray("localhost.evil.example:%PORT%") << none << 403;
    QTest::newRow("ip-like name") << QByteArray("127.0.0.1.nip.io:%PORT%") << none << 403;
    QTest::newRow("allowed name") << QByteArray("dust.test:%PORT%") << dev << 200;
    QTest::newRow("allowed name, any case") << QByteArray("DUST.Test") << dev << 200;
    QTest::newRow("allowed is exact") << QByteArray("www.dust.test") << dev << 403;
}

void TestSecurityLocal::hostHeader()
{
    QFETCH(QByteArray, host);
    QFETCH(QStringList, allowed);
    QFETCH(int, status);
    InProcessDustlite dustlite;
    dustlite.config().allowedHosts = allowed;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QByteArray head = "GET /api/stores HTTP/1.1\r\nAuthorization: Bearer dust_tok_dev\r\n";
    if (!host.isNull())
        head += "Host: " + QByteArray(host).replace("%PORT%", QByteArray::number(dustlite.port())) +
                "\r\n";
    const RawAnswer answer = rawhttp::request(dustlite.port(), head);
    QVERIFY2(answer.status == status, answer.raw.left(400).constData());
    if (status == 403)
        QCOMPARE(answer.error(), QStringLiteral("forbidden"));
}

void TestSecurityLocal::refusedHostSaysWhichAndHowToAllow()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    const QByteArray host = "rebound.example:" + QByteArray::number(dustlite.port());
    const RawAnswer answer =
        rawhttp::request(dustlite.port(), "GET /healthz HTTP/1.1\r\nHost: " + host + "\r\n");
    QCOMPARE(answer.status, 403);
    QVERIFY2(answer.header("content-type").startsWith("application/json"), answer.raw.constData());
    QCOMPARE(answer.error(), QStringLiteral("forbidden"));
    QVERIFY2(answer.detail().contains(QString::fromLatin1(host)), answer.body.constData());
    QVERIFY2(answer.detail().contains(QLatin1String("--allow-host rebound.example")),
             answer.body.constData());
}

void TestSecurityLocal::hostIsCheckedOnUpgradesToo()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    const RawAnswer answer = rawhttp::request(
        dustlite.port(), rawhttp::upgradeHead(socketTarget(), "Host: evil.example\r\n"));
    QVERIFY2(answer.status == 403, answer.raw.left(400).constData());
    QVERIFY2(answer.detail().contains(QLatin1String("--allow-host")), answer.body.constData());
}

// Bound to every interface, dustlite is meant to be reached by other names: no Host check.
void TestSecurityLocal::anyHostWhenNotBoundToLoopback()
{
    InProcessDustlite dustlite;
    dustlite.config().listen = QHostAddress::AnyIPv4;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    const RawAnswer answer =
        rawhttp::request(dustlite.port(), "GET /api/stores HTTP/1.1\r\nHost: dust.lan:" +
                                              QByteArray::number(dustlite.port()) +
                                              "\r\nAuthorization: Bearer dust_tok_dev\r\n");
    QVERIFY2(answer.status == 200, answer.raw.left(400).constData());
}

void TestSecurityLocal::generatedTokenIsKeptInTheDataDirectory()
{
    if (DustliteProcess::executable().isEmpty())
        QSKIP("the dustlite executable is not part of this build");
    DustliteProcess dustlite;
    dustlite.setToken(QString()); // no --token
    QVERIFY2(dustlite.start({}, DustliteProcess::Storage::TempDir),
             qPrintable(dustlite.errorString()));
    const QString token = dustlite.generatedToken();
    QVERIFY2(token.startsWith(QLatin1String("dust_tok_")), dustlite.standardOutput().constData());
    QVERIFY(token.size() >= 40);
    QVERIFY(token != kOldToken);

    const QString file = QDir(dustlite.dataDir()).filePath(kTokenFileName);
    QVERIFY2(QFileInfo::exists(file), qPrintable(file));
    QVERIFY2(isPrivate(file), qPrintable(QString::number(QFileInfo(file).permissions(), 16)));
    QCOMPARE(readAll(file), token);

    TestHttp http(dustlite.baseUrl(), token);
    QCOMPARE(http.put(TestHttp::entries("/a"), "1").status, 200);
    http.setToken(kOldToken);
    QCOMPARE(http.get(TestHttp::entries("/a")).status, 401);
    const RawAnswer upgrade = rawhttp::request(
        dustlite.port(), rawhttp::upgradeHead(socketTarget(kOldToken), "Host: 127.0.0.1\r\n"));
    QCOMPARE(upgrade.status, 403);

    // The same data directory keeps its token.
    QVERIFY2(dustlite.restart(), qPrintable(dustlite.errorString()));
    QCOMPARE(dustlite.generatedToken(), token);
    QVERIFY(isPrivate(file));
    QCOMPARE(TestHttp(dustlite.baseUrl(), token).get(TestHttp::entries("/a")).status, 200);
}

void TestSecurityLocal::memoryRunsGetTheirOwnToken()
{
    if (DustliteProcess::executable().isEmpty())
        QSKIP("the dustlite executable is not part of this build");
    QStringList tokens;
    for (int run = 0; run < 2; ++run) {
        DustliteProcess dustlite;
        dustlite.setToken(QString());
        QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
        const QString token = dustlite.generatedToken();
        QVERIFY2(token.startsWith(QLatin1String("dust_tok_")),
                 dustlite.standardOutput().constData());
        QVERIFY(token != kOldToken);
        QCOMPARE(TestHttp(dustlite.baseUrl(), token).get("/api/stores").status, 200);
        QCOMPARE(TestHttp(dustlite.baseUrl(), kOldToken).get("/api/stores").status, 401);
        tokens.append(token);
    }
    QVERIFY(tokens.first() != tokens.last());
}

void TestSecurityLocal::inProcessServerGeneratesAndReusesItsToken()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ServerConfig config = InProcessDustlite::testConfig();
    config.tokens.clear();
    config.inMemory = false;
    config.dataDir = dir.path();
    QString token;
    {
        DustliteServer server;
        QVERIFY(server.start(config));
        QCOMPARE(server.config().tokens.size(), 1);
        token = server.config().tokens.first().token;
        QVERIFY(token.startsWith(QLatin1String("dust_tok_")));
        QVERIFY(token != kOldToken);
        QCOMPARE(server.config().tokenFile, dir.filePath(kTokenFileName));
        QVERIFY(isPrivate(server.config().tokenFile));
    }
    DustliteServer again;
    QVERIFY(again.start(config));
    QCOMPARE(again.config().tokens.first().token, token);

    // An explicit token: no file, no generated token.
    QTemporaryDir other;
    config.dataDir = other.path();
    config.tokens = {{QStringLiteral("dust_tok_given"), {}, {}}};
    DustliteServer given;
    QVERIFY(given.start(config));
    QCOMPARE(given.config().tokens.size(), 1);
    QVERIFY(given.config().tokenFile.isEmpty());
    QVERIFY(!QFileInfo::exists(other.filePath(kTokenFileName)));
}

void TestSecurityLocal::looseTokenFileIsMadePrivate()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(kTokenFileName);
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("dust_tok_0123456789abcdef0123456789abcdef\n");
    }
    QVERIFY(QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                            QFileDevice::ReadGroup | QFileDevice::ReadOther));
    ServerConfig config = InProcessDustlite::testConfig();
    config.tokens.clear();
    config.inMemory = false;
    config.dataDir = dir.path();
    DustliteServer server;
    QVERIFY(server.start(config));
    QCOMPARE(server.config().tokens.first().token,
             QStringLiteral("dust_tok_0123456789abcdef0123456789abcdef"));
    QVERIFY(isPrivate(file));

    // A token file that holds no token is an error that names it, not a silent new token.
    server.stop();
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("not a token\n");
    }
    const auto refused = server.start(config);
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(file), qPrintable(refused.error()));
}

// The app opens its embedded store with no dialog: the embedded server tells it its token.
void TestSecurityLocal::embeddedServerHandsItsTokenToTheApp()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ServerConfig config = InProcessDustlite::testConfig();
    config.tokens.clear();
    config.inMemory = false;
    config.dataDir = dir.path();
    EmbeddedDustlite embedded;
    const auto port = embedded.startAndWait(config);
    QVERIFY2(port, port ? "" : qPrintable(port.error()));
    const QString token = embedded.token();
    QVERIFY(token.startsWith(QLatin1String("dust_tok_")));
    QCOMPARE(readAll(dir.filePath(kTokenFileName)), token);
    QCOMPARE(TestHttp(embedded.baseUrl(), token).put(TestHttp::entries("/x"), "1").status, 200);
    embedded.stop();
    QVERIFY(embedded.token().isEmpty());
}

QTEST_GUILESS_MAIN(TestSecurityLocal)
#include "tst_security_local.moc"
