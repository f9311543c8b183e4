// REST export from the server's own GET …/export stream against a real dustlite on
// 127.0.0.1: the same bytes as paging in every format and scope; NDJSON equal to the
// server's export, with its seq; a server refusing /export (404 without the route, 405, 403)
// falls back to paging; a cancel mid-stream, or a server gone mid-stream, leaves no file; a
// malformed stream fails with the line and the reason. Without a server: the lines parsed
// (exportlines::), and a body cut into pieces anywhere written as when whole.
#include "ExportProxy.h"
#include "ExportTestSupport.h"
#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestHttp.h"
#include "exchange/ExportJob.h"
#include "exchange/ExportLines.h"
#include "exchange/ExportStreamWriter.h"
#include "transport/HttpTransport.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace dust;
using namespace dust::test;
using namespace dust::test::exporttest;

Q_DECLARE_METATYPE(ExportScope)

namespace {

// The lines of `body` with line `index` (0 = the header) replaced by `line`.
QByteArray withLine(const QByteArray &body, qsizetype index, const QByteArray &line)
{
    QList<QByteArray> lines = body.split('\n');
    lines[index] = line;
    return lines.join('\n');
}

} // namespace

class TestExportStream : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void parseLeaf_data();
    void parseLeaf();
    void parseHeader_data();
    void parseHeader();
    void piecesCutAnywhere();

    void streamedEqualsPaged_data();
    void streamedEqualsPaged();
    void ndjsonEqualsServerExport();
    void refusedExportFallsBack_data();
    void refusedExportFallsBack();
    void cancelMidStream();
    void brokenOffStream();
    void malformedStream_data();
    void malformedStream();

private:
    QString file(const QString &name) const { return m_dir.filePath(name); }

    InProcessDustlite m_dustlite;
    QTemporaryDir m_dir;
    std::unique_ptr<HttpTransport> m_http;
    QByteArray m_serverExport; // GET …/export of the seeded store
};

void TestExportStream::initTestCase()
{
    QVERIFY2(m_dustlite.start(), qPrintable(m_dustlite.errorString()));
    QVERIFY(m_dir.isValid());
    m_http = std::make_unique<HttpTransport>(m_dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
    QVERIFY(await(m_http->batchWrite(kStore, seedOps())));
    TestHttp http(m_dustlite.baseUrl());
    const HttpResult server = http.get("/api/stores/local/demo/export?format=jsonl");
    QCOMPARE(server.status, 200);
    m_serverExport = server.body;
    QCOMPARE(m_serverExport.count('\n'), 18); // the header and 17 leaves
}

void TestExportStream::cleanupTestCase()
{
    m_http.reset();
}

void TestExportStream::parseLeaf_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QByteArray>("path");  // empty: the line is refused
    QTest::addColumn<QByteArray>("type");  // or the start of the reason
    QTest::addColumn<QByteArray>("value"); // as sent
    QTest::addColumn<qint64>("revision");

    QTest::newRow("dustlite's order")
        << QByteArray(R"({"path":"a/b","type":"string","value":"x"})") << QByteArray("a/b")
        << QByteArray("string") << QByteArray(R"("x")") << qint64(0);
    QTest::newRow("any order, spaces")
        << QByteArray(R"( { "value" : [1, {"k":"}"}] , "type":"map", "path" : "m" } )")
        << QByteArray("m") << QByteArray("map") << QByteArray(R"([1, {"k":"}"}])") << qint64(0);
    QTest::newRow("escapes decoded")
        << QByteArray(R"({"path":"q\"s/b\\s/\u00fc\ud83d\ude00","type":"string","value":"\n"})")
        << QByteArray("q\"s/b\\s/\xc3\xbc\xf0\x9f\x98\x80") << QByteArray("string")
        << QByteArray(R"("\n")") << qint64(0);
    QTest::newRow("revision and unknown keys kept apart")
        << QByteArray(
               R"({"path":"n","extra":{"a":[true]},"revision":42,"type":"float","value":-1.5e3})")
        << QByteArray("n") << QByteArray("float") << QByteArray("-1.5e3") << qint64(42);
    QTest::newRow("null value") << QByteArray(R"({"path":"z","type":"null","value":null})")
                                << QByteArray("z") << QByteArray("null") << QByteArray("null")
                                << qint64(0);

    auto refused = [](const char *name, const char *line, const char *reason) {
        QTest::newRow(name) << QByteArray(line) << QByteArray() << QByteArray(reason)
                            << QByteArray() << qint64(0);
    };
    refused("not an object", R"(["a"])", "not a JSON object");
    refused("no value", R"({"path":"a","type":"string"})", "no \"value\"");
    refused("no path", R"({"type":"string","value":1})", "no \"path\"");
    refused("empty path", R"({"path":"","type":"string","value":1})", "an empty \"path\"");
    refused("path not a string", R"({"path":1,"type":"string","value":1})",
            "\"path\" is not a string");
    refused("bad literal", R"({"path":"a","type":"boolean","value":tru})",
            "unexpected 't' at byte 38");
    refused("unterminated", R"({"path":"a","type":"string","value":"abc)", "the line ends early");
    refused("trailing bytes", R"({"path":"a","type":"string","value":1} x)", "more after");
    refused("bad escape", R"({"path":"a\q","type":"string","value":1})",
            "\"path\" has an invalid escape");
    refused("lone surrogate", R"({"path":"\ud800","type":"string","value":1})",
            "\"path\" has an invalid escape");
    refused("missing comma", R"({"path":"a" "type":"string","value":1})",
            "unexpected '\"' at byte 13");
}

void TestExportStream::parseLeaf()
{
    QFETCH(QByteArray, line);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, value);
    QFETCH(qint64, revision);
    QByteArray pathScratch;
    QByteArray typeScratch;
    const auto leaf = exportlines::parseLeaf(
        std::string_view(line.constData(), size_t(line.size())), pathScratch, typeScratch);
    if (path.isEmpty()) {
        QVERIFY2(!leaf, "the line was taken");
        QVERIFY2(leaf.error().startsWith(QString::fromUtf8(type)), qPrintable(leaf.error()));
        return;
    }
    QVERIFY2(leaf, leaf ? "" : qPrintable(leaf.error()));
    QCOMPARE(QByteArray(leaf->path.data(), qsizetype(leaf->path.size())), path);
    QCOMPARE(QByteArray(leaf->type.data(), qsizetype(leaf->type.size())), type);
    QCOMPARE(QByteArray(leaf->value.data(), qsizetype(leaf->value.size())), value);
    QCOMPARE(leaf->revision, revision);
}

void TestExportStream::parseHeader_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("problem"); // empty: a header
    QTest::newRow("dustlite's")
        << QByteArray(
               R"({"_header":true,"entry_count":3,"exported_at":"2026-12-06T08:00:00.000Z","path_schema_version":3,"seq":7,"store":"local/demo"})")
        << QString();
    QTest::newRow("a leaf") << QByteArray(R"({"path":"a","type":"string","value":"x"})")
                            << QStringLiteral("the first line is not the export's header");
    QTest::newRow("not JSON") << QByteArray("<html>")
                              << QStringLiteral("the first line is not a JSON object");
    QTest::newRow("no seq") << QByteArray(R"({"_header":true,"entry_count":3})")
                            << QStringLiteral("the header has no store seq");
    QTest::newRow("no count") << QByteArray(R"({"_header":true,"seq":3})")
                              << QStringLiteral("the header has no entry_count");
}

void TestExportStream::parseHeader()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, problem);
    const auto header = exportlines::parseHeader(line);
    if (!problem.isEmpty()) {
        QVERIFY(!header);
        QVERIFY2(header.error().startsWith(problem), qPrintable(header.error()));
        return;
    }
    QVERIFY2(header, header ? "" : qPrintable(header.error()));
    QCOMPARE(header->seq, 7);
    QCOMPARE(header->entryCount, 3);
    QCOMPARE(header->store, QStringLiteral("local/demo"));
    QCOMPARE(header->exportedAt, QStringLiteral("2026-12-06T08:00:00.000Z"));
}

// The network cuts the body anywhere, inside a line or a UTF-8 character: the file is the
// same for every cut.
void TestExportStream::piecesCutAnywhere()
{
    auto write = [this](ExchangeFormat format, qsizetype pieceSize, QString *error) {
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        ExportStreamWriter writer(format, &out, ExportScope(), kStore);
        bool ok = true;
        for (qsizetype at = 0; ok && at < m_serverExport.size(); at += pieceSize)
            ok = writer.feed(QByteArrayView(m_serverExport)
                                 .sliced(at, qMin(pieceSize, m_serverExport.size() - at)));
        ok = ok && writer.finish();
        *error = writer.errorString();
        return ok ? out.data() : QByteArray();
    };
    for (ExchangeFormat format :
         {ExchangeFormat::Ndjson, ExchangeFormat::Nested, ExchangeFormat::Flat}) {
        QString error;
        const QByteArray whole = write(format, m_serverExport.size(), &error);
        QVERIFY2(!whole.isEmpty(), qPrintable(error));
        for (qsizetype size : {1, 2, 3, 7, 64, 333}) {
            QCOMPARE(write(format, size, &error), whole);
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        if (format == ExchangeFormat::Ndjson)
            QCOMPARE(whole, m_serverExport); // exported_at too: it is the server's
    }
}

void TestExportStream::streamedEqualsPaged_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<ExportScope>("scope");
    QTest::addColumn<bool>("streams"); // the whole store but in CSV; an interleaving
                                       // selection in nested and flat JSON
    const QList<std::pair<const char *, ExportScope>> scopes = {
        {"whole", ExportScope()},
        {"subtree", ExportScope(path(QStringLiteral("users")))},
        {"selection",
         ExportScope(QList<Path>{path(QStringLiteral("users/alice")),
                                 path(QStringLiteral("tree/node")), path(QStringLiteral("ctrl"))})},
        {"interleaved selection", ExportScope(QList<Path>{path(QStringLiteral("tree/node")),
                                                          path(QStringLiteral("tree/node-x"))})},
    };
    for (ExchangeFormat format : {ExchangeFormat::Nested, ExchangeFormat::Ndjson,
                                  ExchangeFormat::Flat, ExchangeFormat::Csv}) {
        for (const auto &[name, scope] : scopes) {
            const bool streams =
                format != ExchangeFormat::Csv &&
                (QByteArray(name) == "whole" ||
                 (QByteArray(name) == "interleaved selection" && format != ExchangeFormat::Ndjson));
            QTest::addRow("%s %s", qPrintable(exchangeFormatName(format)), name)
                << int(format) << scope << streams;
        }
    }
}

void TestExportStream::streamedEqualsPaged()
{
    QFETCH(int, format);
    QFETCH(ExportScope, scope);
    QFETCH(bool, streams);
    const Run streamed =
        runExport(*m_http, scope, ExchangeFormat(format), file(QStringLiteral("streamed")));
    QVERIFY2(streamed.ok, qPrintable(streamed.words));
    QCOMPARE(streamed.streamed, streams);
    QCOMPARE(ExportJob::streamsServerExport(scope, ExchangeFormat(format)), streams);
    const Run paged =
        runExport(*m_http, scope, ExchangeFormat(format), file(QStringLiteral("paged")), false);
    QVERIFY2(paged.ok, qPrintable(paged.words));
    QVERIFY(!paged.streamed);
    QVERIFY(!paged.bytes.isEmpty());
    QCOMPARE(withoutExportedAt(streamed.bytes), withoutExportedAt(paged.bytes));
    QCOMPARE(streamed.leaves, paged.leaves);
}

void TestExportStream::ndjsonEqualsServerExport()
{
    const Run run = runExport(*m_http, ExportScope(), ExchangeFormat::Ndjson,
                              file(QStringLiteral("whole.ndjson")));
    QVERIFY2(run.ok, qPrintable(run.words));
    QVERIFY(run.streamed);
    QCOMPARE(withoutExportedAt(run.bytes), withoutExportedAt(m_serverExport));
    // The seq is the header's: the one point the leaves are consistent at.
    const auto header = exportlines::parseHeader(m_serverExport.left(m_serverExport.indexOf('\n')));
    QVERIFY(header);
    QVERIFY(header->seq > 0);
    QCOMPARE(run.seq, header->seq);
    QVERIFY2(run.words.contains(QStringLiteral("17 leaves")) &&
                 run.words.contains(QStringLiteral("as of seq %1").arg(header->seq)),
             qPrintable(run.words));
}

void TestExportStream::refusedExportFallsBack_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("404 without the route")
        << 404 << QByteArray(R"({"errors":{"detail":"Not Found"}})");
    QTest::newRow("405") << 405 << QByteArray();
    QTest::newRow("403") << 403 << QByteArray(R"({"error":"forbidden"})");
}

void TestExportStream::refusedExportFallsBack()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    ExportProxy proxy(m_dustlite.baseUrl());
    proxy.refuseExport(status, body);
    HttpTransport http(proxy.baseUrl(), QStringLiteral("dust_tok_dev"));
    for (ExchangeFormat format : {ExchangeFormat::Ndjson, ExchangeFormat::Nested}) {
        const Run run = runExport(http, ExportScope(), format, file(QStringLiteral("proxied")));
        QVERIFY2(run.ok, qPrintable(run.words));
        QVERIFY(!run.streamed);
        const Run paged =
            runExport(*m_http, ExportScope(), format, file(QStringLiteral("paged")), false);
        QVERIFY2(paged.ok, qPrintable(paged.words));
        QCOMPARE(withoutExportedAt(run.bytes), withoutExportedAt(paged.bytes));
    }
    QCOMPARE(proxy.exportRequests(), 2);
    QVERIFY(proxy.otherRequests() > 0); // the listing pages went through
}

void TestExportStream::cancelMidStream()
{
    // The header and five leaves come, then nothing: the export is mid-stream for good.
    const qsizetype fifth = [this] {
        qsizetype at = 0;
        for (int i = 0; i < 6; ++i)
            at = m_serverExport.indexOf('\n', at) + 1;
        return at;
    }();
    ExportProxy proxy(m_dustlite.baseUrl());
    proxy.holdExport(m_serverExport.left(fifth), m_serverExport.size());
    HttpTransport http(proxy.baseUrl(), QStringLiteral("dust_tok_dev"));

    QTemporaryDir dir;
    const QString target = dir.filePath(QStringLiteral("old.ndjson"));
    {
        QFile old(target);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("the old file\n");
    }
    ExportJob job(kStore, ExportScope(), ExchangeFormat::Ndjson);
    job.setFileName(target);
    QSignalSpy progress(&job, &ExportJob::progress);
    QSignalSpy finished(&job, &ExportJob::finished);
    job.start(&http);
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toLongLong() == 5 &&
                                 progress.last().at(2).toLongLong() == 17,
                             10000);
    QVERIFY(finished.isEmpty());
    job.cancel();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QVERIFY2(finished.first().at(1).toString().contains(QStringLiteral("cancelled")),
             qPrintable(finished.first().at(1).toString()));
    QFile old(target);
    QVERIFY(old.open(QIODevice::ReadOnly));
    QCOMPARE(old.readAll(), QByteArray("the old file\n"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
             QStringList{QStringLiteral("old.ndjson")});
    QTRY_VERIFY_WITH_TIMEOUT(proxy.heldClosed(), 10000); // the request was aborted
    QCOMPARE(finished.size(), 1);
}

void TestExportStream::brokenOffStream()
{
    // The header and five leaves come, then the server goes away.
    const qsizetype fifth = [this] {
        qsizetype at = 0;
        for (int i = 0; i < 6; ++i)
            at = m_serverExport.indexOf('\n', at) + 1;
        return at;
    }();
    ExportProxy proxy(m_dustlite.baseUrl());
    proxy.holdExport(m_serverExport.left(fifth), m_serverExport.size());
    HttpTransport http(proxy.baseUrl(), QStringLiteral("dust_tok_dev"));
    const QString target = file(QStringLiteral("broken.ndjson"));
    ExportJob job(kStore, ExportScope(), ExchangeFormat::Ndjson);
    job.setFileName(target);
    QSignalSpy progress(&job, &ExportJob::progress);
    QSignalSpy finished(&job, &ExportJob::finished);
    job.start(&http);
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toLongLong() == 5, 10000);
    proxy.dropHeld();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    const QString words = finished.first().at(1).toString();
    QVERIFY2(words.startsWith(
                 QStringLiteral("The server's export of local/demo broke off after 5 leaves: ")),
             qPrintable(words));
    QVERIFY(!QFile::exists(target));
    QCOMPARE(proxy.otherRequests(), 0); // not paged instead: part of it was written
}

void TestExportStream::malformedStream_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("words");
    const QByteArray body = m_serverExport;
    QTest::newRow("not JSON") << withLine(body, 3, "garbage")
                              << QStringLiteral("Line 4 of the server's export cannot be read: "
                                                "not a JSON object.");
    QTest::newRow("no value") << withLine(body, 2, R"({"path":"a","type":"string"})")
                              << QStringLiteral("Line 3 of the server's export cannot be read: "
                                                "no \"value\".");
    QTest::newRow("value not JSON")
        << withLine(body, 5, R"({"path":"bad","type":"float","value":1.2.3})")
        << QStringLiteral("Line 6 of the server's export cannot be read: the value of bad is "
                          "not JSON.");
    QTest::newRow("cut inside a line") << body.left(body.indexOf("\"users/bob/name\"") + 8)
                                       << QStringLiteral("Line 18 of the server's export cannot "
                                                         "be read: the line ends early");
    QTest::newRow("a leaf short") << body.left(body.lastIndexOf('\n', body.size() - 2) + 1)
                                  << QStringLiteral("The server's export announced 17 leaves "
                                                    "and sent 16.");
    QTest::newRow("no header") << body.mid(body.indexOf('\n') + 1)
                               << QStringLiteral("The server's export cannot be read: the first "
                                                 "line is not the export's header");
    QTest::newRow("empty") << QByteArray()
                           << QStringLiteral("The server's export was empty: not even its "
                                             "header line came.");
}

void TestExportStream::malformedStream()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, words);
    ExportProxy proxy(m_dustlite.baseUrl());
    proxy.replaceExport(body);
    HttpTransport http(proxy.baseUrl(), QStringLiteral("dust_tok_dev"));
    for (ExchangeFormat format : {ExchangeFormat::Ndjson, ExchangeFormat::Nested}) {
        const QString target =
            file(QString::fromLatin1(QTest::currentDataTag()) + exchangeFormatName(format));
        const Run run = runExport(http, ExportScope(), format, target);
        QVERIFY(!run.ok);
        QVERIFY2(run.words.startsWith(words), qPrintable(run.words));
        QVERIFY(!QFile::exists(target));
    }
    QCOMPARE(proxy.otherRequests(), 0); // no fallback: the server did answer
}

QTEST_MAIN(TestExportStream)
#include "tst_exportstream.moc"
