// Transport::fetchFile: the bytes of a file uploaded with put_file, downloaded through
// `GET /api/files/{hash}` from a real dustlite, by HttpTransport and by SdkTransport (which
// downloads over REST at the HTTP base of its WebSocket URL), and the errors of a bad hash,
// a token without files:read and an empty hash.

#include "HttpTestSupport.h"
#include "TestFileUpload.h"
#include "TestSdkOptions.h"
#include "transport/SdkProtocol.h"
#include "transport/SdkTransport.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTest>

using namespace httptest;

namespace {

const QString kFilesReader = QStringLiteral("dust_tok_entries_only");

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = static_cast<char>(generator.bounded(256));
    return out;
}

QString sha256Of(const QByteArray &bytes)
{
    return QStringLiteral("sha256:") +
           QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestTransportFiles : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void fetchesTheExactBytes_data();
    void fetchesTheExactBytes();
    void reportsProgress_data();
    void reportsProgress();
    void errors_data();
    void errors();
    void httpBaseUrl_data();
    void httpBaseUrl();

private:
    std::unique_ptr<Transport> transport(const QString &kind, const QString &token = kToken);

    test::InProcessDustlite m_server;
    int m_uploads = 0;
};

void TestTransportFiles::initTestCase()
{
    TestServer::configure(m_server);
    m_server.config().tokens.append(
        lite::TokenSpec{kFilesReader, QStringLiteral("acme"), {QStringLiteral("entries:read")}});
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

std::unique_ptr<Transport> TestTransportFiles::transport(const QString &kind, const QString &token)
{
    if (kind == QLatin1String("http"))
        return std::make_unique<HttpTransport>(m_server.baseUrl(), token);
    return std::make_unique<SdkTransport>(test::sdkOptions(m_server.wsUrl(), token));
}

static void addTransports(const char *name, const std::function<void(QTestData &)> &more)
{
    for (const char *kind : {"http", "sdk"}) {
        QTestData &row = QTest::addRow("%s %s", kind, name) << QString::fromLatin1(kind);
        more(row);
    }
}

void TestTransportFiles::fetchesTheExactBytes_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("contentType");
    addTransports("text", [](QTestData &row) {
        row << QByteArray("hello, file\n") << QStringLiteral("text/plain");
    });
    addTransports("one byte", [](QTestData &row) {
        row << QByteArray("x") << QStringLiteral("application/octet-stream");
    });
    addTransports("binary with NULs", [](QTestData &row) {
        row << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe", 20)
            << QStringLiteral("image/png");
    });
    addTransports("3 MB random", [](QTestData &row) {
        row << randomBytes(3 * 1024 * 1024, 7) << QStringLiteral("application/octet-stream");
    });
}

void TestTransportFiles::fetchesTheExactBytes()
{
    QFETCH(QString, kind);
    QFETCH(QByteArray, content);
    QFETCH(QString, contentType);
    const auto uploaded =
        test::uploadFile(m_server.wsUrl(), store(), QStringLiteral("files/f%1").arg(++m_uploads),
                         content, QStringLiteral("f.bin"), contentType, kToken);
    QVERIFY2(uploaded.error.isEmpty(), qPrintable(uploaded.error));
    QCOMPARE(uploaded.hash, sha256Of(content));

    const auto client = transport(kind);
    const auto fetched = await(client->fetchFile(uploaded.hash));
    EXPECT_OK(fetched);
    QCOMPARE(fetched->size(), content.size());
    QVERIFY(*fetched == content);
}

void TestTransportFiles::reportsProgress_data()
{
    QTest::addColumn<QString>("kind");
    addTransports("", [](QTestData &) {});
}

void TestTransportFiles::reportsProgress()
{
    QFETCH(QString, kind);
    const QByteArray content = randomBytes(2 * 1024 * 1024, 11);
    const auto uploaded =
        test::uploadFile(m_server.wsUrl(), store(), QStringLiteral("files/progress-%1").arg(kind),
                         content, QStringLiteral("p.bin"), QStringLiteral("x-test/blob"), kToken);
    QVERIFY2(uploaded.error.isEmpty(), qPrintable(uploaded.error));

    const auto client = transport(kind);
    QFuture<Result<QByteArray>> future = client->fetchFile(uploaded.hash);
    const auto fetched = await(future);
    EXPECT_OK(fetched);
    QVERIFY(*fetched == content);
    QCOMPARE(future.progressMaximum(), 1000);
    QCOMPARE(future.progressValue(), 1000);
}

void TestTransportFiles::errors_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("hash");
    QTest::addColumn<Error::Kind>("expected");
    QTest::addColumn<QString>("words"); // in the message
    const QString unknown = sha256Of("never uploaded");
    addTransports("unknown hash", [&](QTestData &row) {
        row << kToken << unknown << Error::Kind::NotFound << unknown;
    });
    addTransports("not a hash", [&](QTestData &row) {
        row << kToken << QStringLiteral("nonsense") << Error::Kind::NotFound
            << QStringLiteral("no store this token can read references the file nonsense");
    });
    addTransports("hash with a slash", [&](QTestData &row) {
        row << kToken << QStringLiteral("sha256:a/b") << Error::Kind::NotFound
            << QStringLiteral("sha256:a/b");
    });
    addTransports("token without files:read", [&](QTestData &row) {
        row << kFilesReader << QStringLiteral("@existing") << Error::Kind::Forbidden
            << QStringLiteral("Forbidden");
    });
    addTransports("empty hash", [&](QTestData &row) {
        row << kToken << QString() << Error::Kind::InvalidParams << QStringLiteral("hash");
    });
}

void TestTransportFiles::errors()
{
    QFETCH(QString, kind);
    QFETCH(QString, token);
    QFETCH(QString, hash);
    QFETCH(Error::Kind, expected);
    QFETCH(QString, words);
    if (hash == QLatin1String("@existing")) {
        const auto uploaded = test::uploadFile(
            m_server.wsUrl(), store(), QStringLiteral("files/scoped-%1").arg(kind), "secret",
            QStringLiteral("s.txt"), QStringLiteral("text/plain"), kToken);
        QVERIFY2(uploaded.error.isEmpty(), qPrintable(uploaded.error));
        hash = uploaded.hash;
    }
    const auto client = transport(kind, token);
    const auto fetched = await(client->fetchFile(hash));
    EXPECT_ERROR(fetched, expected);
    QVERIFY2(fetched.error().message().contains(words), qPrintable(fetched.error().message()));
}

void TestTransportFiles::httpBaseUrl_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QUrl>("expected");
    QTest::newRow("ws with /ws/sync") << QUrl(QStringLiteral("ws://127.0.0.1:7755/ws/sync"))
                                      << QUrl(QStringLiteral("http://127.0.0.1:7755"));
    QTest::newRow("wss hosted") << QUrl(QStringLiteral("wss://dustlayer.io/ws/sync"))
                                << QUrl(QStringLiteral("https://dustlayer.io"));
    QTest::newRow("socket path and query")
        << QUrl(QStringLiteral("ws://h:1/ws/sync/websocket?token=x&vsn=2.0.0"))
        << QUrl(QStringLiteral("http://h:1"));
    QTest::newRow("prefix kept") << QUrl(QStringLiteral("wss://h/dust/ws/sync/"))
                                 << QUrl(QStringLiteral("https://h/dust"));
    QTest::newRow("http as given") << QUrl(QStringLiteral("http://localhost:7755"))
                                   << QUrl(QStringLiteral("http://localhost:7755"));
    QTest::newRow("other scheme") << QUrl(QStringLiteral("ftp://h/ws/sync")) << QUrl();
    QTest::newRow("no host") << QUrl(QStringLiteral("ws:///ws/sync")) << QUrl();
}

void TestTransportFiles::httpBaseUrl()
{
    QFETCH(QUrl, url);
    QFETCH(QUrl, expected);
    QCOMPARE(sdk::httpBaseUrl(url), expected);
}

QTEST_MAIN(TestTransportFiles)
#include "tst_transport_files.moc"
