// ExportJob end to end against a real dustlite on 127.0.0.1: the NDJSON from the live mirror
// equals the server's own /export after exported_at; the mirror and REST (the server's
// /export stream or paged listing, as the scope decides; tst_exportstream compares the two)
// give the same bytes in every format and scope; a node that is both a value and a folder; the
// nested file equals GET of the path; a cancel leaves no file and the old one untouched;
// errors in words.
#include "ExportTestSupport.h"
#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestHttp.h"
#include "TestSdkOptions.h"
#include "exchange/ExportJob.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace dust;
using namespace dust::test;
using namespace dust::test::exporttest;

Q_DECLARE_METATYPE(ExportScope)

class TestExport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void ndjsonEqualsServerExport();
    void mirrorAndRestAgree_data();
    void mirrorAndRestAgree();
    void valueAndFolderNode();
    void nestedEqualsGet_data();
    void nestedEqualsGet();
    void cancelLeavesNoFile_data();
    void cancelLeavesNoFile();
    void nothingAtPath();
    void unreachableServer();

private:
    QString file(const QString &name) const { return m_dir.filePath(name); }

    InProcessDustlite m_dustlite;
    QTemporaryDir m_dir;
    std::unique_ptr<HttpTransport> m_http;
    std::unique_ptr<SdkTransport> m_sdk;
};

void TestExport::initTestCase()
{
    QVERIFY2(m_dustlite.start(), qPrintable(m_dustlite.errorString()));
    QVERIFY(m_dir.isValid());
    m_http = std::make_unique<HttpTransport>(m_dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
    QVERIFY(await(m_http->batchWrite(kStore, seedOps())));
    m_sdk = std::make_unique<SdkTransport>(sdkOptions(m_dustlite.wsUrl()));
    QVERIFY(await(m_sdk->withMirror(kStore, [](const Mirror &) { return true; })));
}

void TestExport::cleanupTestCase()
{
    m_sdk.reset();
    m_http.reset();
}

void TestExport::ndjsonEqualsServerExport()
{
    const Run mine =
        runExport(*m_sdk, ExportScope(), ExchangeFormat::Ndjson, file(QStringLiteral("m.ndjson")));
    QVERIFY2(mine.ok, qPrintable(mine.words));
    TestHttp http(m_dustlite.baseUrl());
    const HttpResult server = http.get("/api/stores/local/demo/export");
    QCOMPARE(server.status, 200);
    QCOMPARE(withoutExportedAt(mine.bytes), withoutExportedAt(server.body));
    QCOMPARE(mine.leaves, 17);
    QVERIFY2(mine.words.contains(QStringLiteral("17 leaves")), qPrintable(mine.words));
}

void TestExport::mirrorAndRestAgree_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<ExportScope>("scope");
    const QList<std::pair<const char *, ExportScope>> scopes = {
        {"whole", ExportScope()},
        {"subtree", ExportScope(path(QStringLiteral("users")))},
        {"value and folder", ExportScope(path(QStringLiteral("tree/node")))},
        {"leaf", ExportScope(path(QStringLiteral("hello world/title")))},
        {"selection",
         ExportScope(QList<Path>{path(QStringLiteral("users/alice")),
                                 path(QStringLiteral("tree/node")), path(QStringLiteral("ctrl"))})},
        {"interleaved selection", ExportScope(QList<Path>{path(QStringLiteral("tree/node")),
                                                          path(QStringLiteral("tree/node-x"))})},
    };
    for (ExchangeFormat format : {ExchangeFormat::Nested, ExchangeFormat::Ndjson,
                                  ExchangeFormat::Flat, ExchangeFormat::Csv}) {
        for (const auto &[name, scope] : scopes)
            QTest::addRow("%s %s", qPrintable(exchangeFormatName(format)), name)
                << int(format) << scope;
    }
}

void TestExport::mirrorAndRestAgree()
{
    QFETCH(int, format);
    QFETCH(ExportScope, scope);
    const Run fromMirror =
        runExport(*m_sdk, scope, ExchangeFormat(format), file(QStringLiteral("mirror")));
    QVERIFY2(fromMirror.ok, qPrintable(fromMirror.words));
    const Run fromRest =
        runExport(*m_http, scope, ExchangeFormat(format), file(QStringLiteral("rest")));
    QVERIFY2(fromRest.ok, qPrintable(fromRest.words));
    QVERIFY(!fromMirror.bytes.isEmpty());
    QCOMPARE(withoutExportedAt(fromRest.bytes), withoutExportedAt(fromMirror.bytes));
}

void TestExport::valueAndFolderNode()
{
    // NDJSON keeps the value and everything below, and not the sibling "tree/node-x".
    const Run lines = runExport(*m_sdk, ExportScope(path(QStringLiteral("tree/node"))),
                                ExchangeFormat::Ndjson, file(QStringLiteral("node.ndjson")));
    QVERIFY2(lines.ok, qPrintable(lines.words));
    QList<QByteArray> rows = lines.bytes.trimmed().split('\n');
    QCOMPARE(rows.size(), 4);
    const QJsonObject header = QJsonDocument::fromJson(rows.takeFirst()).object();
    QCOMPARE(header.value(QStringLiteral("entry_count")).toInt(), 3);
    QCOMPARE(header.value(QStringLiteral("path")).toString(), QStringLiteral("tree/node"));
    QStringList paths;
    for (const QByteArray &row : rows)
        paths << QJsonDocument::fromJson(row).object().value(QStringLiteral("path")).toString();
    QCOMPARE(paths, (QStringList{QStringLiteral("tree/node"), QStringLiteral("tree/node/child"),
                                 QStringLiteral("tree/node/deep/er")}));

    // Nested: GET of the node returns its value, so the file is that value, and says so.
    const Run nested = runExport(*m_sdk, ExportScope(path(QStringLiteral("tree/node"))),
                                 ExchangeFormat::Nested, file(QStringLiteral("node.json")));
    QVERIFY2(nested.ok, qPrintable(nested.words));
    QCOMPARE(nested.bytes, QByteArray("\"value\"\n"));
    QVERIFY2(nested.words.contains(QStringLiteral("2 leaves below it are not in it")),
             qPrintable(nested.words));

    // The parent assembled: the node is its folder, as the server's GET of the parent shows.
    const Run parent = runExport(*m_http, ExportScope(path(QStringLiteral("tree"))),
                                 ExchangeFormat::Nested, file(QStringLiteral("tree.json")));
    QVERIFY2(parent.ok, qPrintable(parent.words));
    const QJsonObject tree = QJsonDocument::fromJson(parent.bytes).object();
    QCOMPARE(tree.value(QStringLiteral("node")).toObject().keys(),
             (QStringList{QStringLiteral("child"), QStringLiteral("deep")}));
    QCOMPARE(tree.value(QStringLiteral("node-x")).toInt(), 2);
    QVERIFY2(parent.words.contains(QStringLiteral("1 values of nodes that are also folders")),
             qPrintable(parent.words));
}

void TestExport::nestedEqualsGet_data()
{
    QTest::addColumn<QString>("rendered");
    QTest::addColumn<QByteArray>("urlPath");
    QTest::newRow("users") << QStringLiteral("users") << QByteArray("users");
    QTest::newRow("tree") << QStringLiteral("tree") << QByteArray("tree");
    QTest::newRow("escaped") << QStringLiteral("files") << QByteArray("files");
    QTest::newRow("unicode leaf") << QStringLiteral("hello world/title")
                                  << QByteArray("hello%20world/title");
    QTest::newRow("array leaf") << QStringLiteral("arr") << QByteArray("arr");
}

void TestExport::nestedEqualsGet()
{
    QFETCH(QString, rendered);
    QFETCH(QByteArray, urlPath);
    const Run nested = runExport(*m_sdk, ExportScope(path(rendered)), ExchangeFormat::Nested,
                                 file(QStringLiteral("get.json")));
    QVERIFY2(nested.ok, qPrintable(nested.words));
    TestHttp http(m_dustlite.baseUrl());
    const HttpResult got = http.get("/api/stores/local/demo/entries/" + urlPath);
    QCOMPARE(got.status, 200);
    const QJsonValue expected = got.object().value(QStringLiteral("value"));
    const QJsonDocument mine = QJsonDocument::fromJson("[" + nested.bytes + "]");
    QCOMPARE(mine.array().first(), expected);
}

void TestExport::cancelLeavesNoFile_data()
{
    QTest::addColumn<bool>("rest");
    QTest::newRow("mirror") << false;
    QTest::newRow("rest") << true;
}

void TestExport::cancelLeavesNoFile()
{
    QFETCH(bool, rest);
    QTemporaryDir dir;
    const QString target = dir.filePath(QStringLiteral("old.ndjson"));
    {
        QFile old(target);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("the old file\n");
    }
    // The mirror's thread is held until the cancel is in, so the export has not begun.
    auto gate = std::make_shared<QSemaphore>();
    QFuture<Result<bool>> held;
    if (!rest)
        held = m_sdk->withMirror(kStore, [gate](const Mirror &) {
            gate->acquire();
            return true;
        });
    ExportJob job(kStore, ExportScope(), ExchangeFormat::Ndjson);
    job.setFileName(target);
    QSignalSpy finished(&job, &ExportJob::finished);
    job.start(rest ? static_cast<Transport *>(m_http.get()) : m_sdk.get());
    job.cancel();
    gate->release();
    QVERIFY(finished.wait(30000));
    if (!rest)
        QVERIFY(await(held));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QVERIFY2(finished.first().at(1).toString().contains(QStringLiteral("cancelled")),
             qPrintable(finished.first().at(1).toString()));
    QFile old(target);
    QVERIFY(old.open(QIODevice::ReadOnly));
    QCOMPARE(old.readAll(), QByteArray("the old file\n"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
             QStringList{QStringLiteral("old.ndjson")});
    QCOMPARE(finished.size(), 1);
}

void TestExport::nothingAtPath()
{
    for (Transport *transport :
         {static_cast<Transport *>(m_sdk.get()), static_cast<Transport *>(m_http.get())}) {
        const QString target = file(QStringLiteral("nothing.json"));
        const Run run = runExport(*transport, ExportScope(path(QStringLiteral("no/such"))),
                                  ExchangeFormat::Nested, target);
        QVERIFY(!run.ok);
        QCOMPARE(run.words, QStringLiteral("Nothing is stored at no/such."));
        QVERIFY(!QFile::exists(target));
    }
}

void TestExport::unreachableServer()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(port));
    HttpTransport dead(url, QStringLiteral("dust_tok_dev"));
    const QString target = file(QStringLiteral("dead.json"));
    const Run run = runExport(dead, ExportScope(), ExchangeFormat::Nested, target);
    QVERIFY(!run.ok);
    QVERIFY2(run.words.startsWith(QStringLiteral("Cannot reach ") + url.toString()),
             qPrintable(run.words));
    QVERIFY(!QFile::exists(target));
}

QTEST_MAIN(TestExport)
#include "tst_export.moc"
