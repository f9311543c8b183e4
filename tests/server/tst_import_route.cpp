// dustlite's POST …/import (dust-protocol.md §4.7): JSONL lines written as sets with their
// type kept verbatim, line by line (not atomic), device id system:import, per-line results;
// and GET …/export?format=jsonl read back against it. Each case runs on an in-memory store
// and on a store in a data directory (whose writes go through the ReaderPool's writer).

#include "RestTestFixture.h"
#include "Seeder.h"

#include <QDateTime>
#include <QTemporaryDir>

#include <algorithm>

using namespace resttest;

class TestImportRoute : public RestSuite
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void typedLinesKeepTheirType_data();
    void typedLinesKeepTheirType();
    void badLinesFailAloneWithTheirLine_data();
    void badLinesFailAloneWithTheirLine();
    void recordedAsSystemImport_data();
    void recordedAsSystemImport();
    void exportOfTheDemoReimportsIdentically_data();
    void exportOfTheDemoReimportsIdentically();
    void refusals();
    void exportFollowsTheSpec();

private:
    void startOn(bool onDisk);
    static void storageRows();
    static QByteArray store(const QByteArray &suffix) { return "/api/stores/local/demo" + suffix; }
    HttpResult import(const QByteArray &body, const QByteArray &target = "local/demo")
    {
        return m_http->post("/api/stores/" + target + "/import", body,
                            {{"content-type", "application/x-ndjson"}});
    }
    // The export's leaf lines (without the header), parsed.
    QList<QJsonObject> exportedLeaves(const QByteArray &target)
    {
        const HttpResult r = m_http->get("/api/stores/" + target + "/export?format=jsonl");
        if (r.status != 200)
            return {};
        QList<QJsonObject> leaves;
        for (const QByteArray &line : r.body.trimmed().split('\n')) {
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            if (!object.contains("_header"_L1))
                leaves.append(object);
        }
        return leaves;
    }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestImportRoute::init() {}

void TestImportRoute::cleanup()
{
    stop();
    m_dir.reset();
}

void TestImportRoute::storageRows()
{
    QTest::addColumn<bool>("onDisk");
    QTest::newRow("memory") << false;
    QTest::newRow("file") << true;
}

void TestImportRoute::startOn(bool onDisk)
{
    dust::lite::ServerConfig config = standardConfig();
    if (onDisk) {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        config.inMemory = false;
        config.dataDir = m_dir->path();
    }
    startWith(config);
}

void TestImportRoute::typedLinesKeepTheirType_data()
{
    storageRows();
}

void TestImportRoute::typedLinesKeepTheirType()
{
    QFETCH(bool, onDisk);
    startOn(onDisk);
    const QByteArray fileRef =
        R"({"_type":"file","hash":"sha256:)" + QByteArray(64, 'a') +
        R"(","size":3,"content_type":"text/plain","filename":"a.txt","uploaded_at":"2026-01-01T00:00:00Z"})";
    const QByteArray body =
        R"({"_header":true,"store":"local/other","seq":9,"entry_count":9,"path_schema_version":3})"
        "\n"
        R"({"path":"c/counter","value":42,"type":"counter"})"
        "\n"
        R"({"path":"c/set","value":["b","a"],"type":"set"})"
        "\n"
        R"({"path":"c/file","value":)" +
        fileRef +
        R"(,"type":"file"})"
        "\n"
        R"({"path":"c/lease","value":{"_type":"lease","holder":"n","token":3,"expires_at":1},"type":"lease"})"
        "\n"
        R"({"path":"c/null","value":null,"type":"null"})"
        "\n"
        R"({"path":"c/float","value":2.0,"type":"float"})"
        "\n"
        R"({"path":"c/int","value":2,"type":"integer"})"
        "\n"
        R"({"path":"c/array","value":[1,{"x":2}],"type":"string"})"
        "\n"
        R"({"path":"c/odd","value":"v","type":"list"})"
        "\n"
        R"({"path":"c/slash~1seg","value":"s"})"
        "\n";
    const HttpResult r = import(body);
    QCOMPARE(r.status, 200);
    const QJsonObject answer = r.object();
    QCOMPARE(answer.value("imported"_L1).toInt(), 10);
    QCOMPARE(answer.value("failed"_L1).toInt(), 0);
    QCOMPARE(answer.value("skipped"_L1).toInt(), 1);
    const QJsonArray results = answer.value("results"_L1).toArray();
    QCOMPARE(results.size(), 11);
    QCOMPARE(results.at(0).toObject(), obj(R"({"line":1,"skipped":"header"})"));
    QCOMPARE(results.at(1).toObject().value("line"_L1).toInt(), 2);
    QCOMPARE(results.at(1).toObject().value("path"_L1).toString(), u"c/counter"_s);
    QVERIFY(results.at(1).toObject().value("revision"_L1).toInteger() > 0);
    QCOMPARE(answer.value("store_seq"_L1).toInteger(),
             results.at(10).toObject().value("revision"_L1).toInteger());

    const auto typeOf = [this](const QByteArray &path) {
        return m_http->get(entry(path)).object().value("type"_L1).toString();
    };
    QCOMPARE(typeOf("c/counter"), u"counter"_s);
    QCOMPARE(typeOf("c/set"), u"set"_s);
    QCOMPARE(typeOf("c/file"), u"file"_s);
    QCOMPARE(typeOf("c/lease"), u"lease"_s);
    QCOMPARE(typeOf("c/null"), u"null"_s);
    QCOMPARE(typeOf("c/float"), u"float"_s);
    QCOMPARE(typeOf("c/int"), u"integer"_s);
    QCOMPARE(typeOf("c/array"), u"string"_s);
    QCOMPARE(typeOf("c/odd"), u"list"_s);
    QCOMPARE(typeOf("c/slash~1seg"), u"string"_s);
    QCOMPARE(m_http->get(entry("c/set")).object().value("value"_L1), js(R"(["b","a"])"));
    QCOMPARE(m_http->get(entry("c/file")).object().value("value"_L1),
             QJsonDocument::fromJson(fileRef).object());

    // The export reads back what was imported, line for line (in path order).
    const QList<QJsonObject> leaves = exportedLeaves("local/demo");
    QCOMPARE(leaves.size(), 10);
    QCOMPARE(leaves.at(0), obj(R"({"path":"c/array","value":[1,{"x":2}],"type":"string"})"));
    QCOMPARE(leaves.at(1), obj(R"({"path":"c/counter","value":42,"type":"counter"})"));
    // A counter imported stays one: increments add to it (over the WebSocket only, so the
    // type is what GET shows; the float stays a float although 2.0 is integral).
    QCOMPARE(leaves.at(3).value("type"_L1).toString(), u"float"_s);
}

void TestImportRoute::badLinesFailAloneWithTheirLine_data()
{
    storageRows();
}

void TestImportRoute::badLinesFailAloneWithTheirLine()
{
    QFETCH(bool, onDisk);
    startOn(onDisk);
    const QByteArray body = R"({"path":"a","value":1,"type":"integer"})"
                            "\n"
                            R"({"path":"b","value":tru})"
                            "\n"
                            R"({"path":"c//d","value":1})"
                            "\n"
                            "\n"
                            R"({"path":"e"})"
                            "\n"
                            R"([1,2])"
                            "\n"
                            R"({"path":"f","value":"ok","type":7})"
                            "\r\n"
                            R"({"path":"g","value":"last"})";
    const HttpResult r = import(body);
    QCOMPARE(r.status, 200);
    const QJsonObject answer = r.object();
    QCOMPARE(answer.value("imported"_L1).toInt(), 2);
    QCOMPARE(answer.value("failed"_L1).toInt(), 5);
    const QJsonArray results = answer.value("results"_L1).toArray();
    QCOMPARE(results.size(), 7);
    const auto result = [&](int i) {
        return results.at(i).toObject();
    };
    QCOMPARE(result(0).value("revision"_L1).toInteger(), 1);
    QCOMPARE(result(1).value("line"_L1).toInt(), 2);
    QCOMPARE(result(1).value("error"_L1).toString(), u"invalid_json"_s);
    QVERIFY2(result(1).value("detail"_L1).toString().startsWith("column "_L1),
             qPrintable(result(1).value("detail"_L1).toString()));
    QCOMPARE(result(2).value("line"_L1).toInt(), 3);
    QCOMPARE(result(2).value("error"_L1).toString(), u"invalid_path"_s);
    QCOMPARE(result(3).value("line"_L1).toInt(), 5); // the blank line 4 is skipped silently
    QCOMPARE(result(3).value("error"_L1).toString(), u"invalid_line"_s);
    QCOMPARE(result(4).value("line"_L1).toInt(), 6);
    QCOMPARE(result(5).value("line"_L1).toInt(), 7);
    QCOMPARE(result(5).value("error"_L1).toString(), u"invalid_line"_s);
    QCOMPARE(result(6).value("line"_L1).toInt(), 8);
    QCOMPARE(result(6).value("revision"_L1).toInteger(), 2);
    QCOMPARE(m_http->get(entry("a")).status, 200);
    QCOMPARE(m_http->get(entry("b")).status, 404);
    QCOMPARE(m_http->get(entry("g")).object().value("value"_L1).toString(), u"last"_s);
}

void TestImportRoute::recordedAsSystemImport_data()
{
    storageRows();
}

void TestImportRoute::recordedAsSystemImport()
{
    QFETCH(bool, onDisk);
    startOn(onDisk);
    QCOMPARE(import(R"({"path":"x","value":5,"type":"counter"})").status, 200);
    const HttpResult log = m_http->get(store("/log"));
    QCOMPARE(log.status, 200);
    const QJsonArray ops = log.object().value("ops"_L1).toArray();
    QCOMPARE(ops.size(), 1);
    QCOMPARE(ops.at(0).toObject().value("device_id"_L1).toString(), u"system:import"_s);
    QCOMPARE(ops.at(0).toObject().value("op"_L1).toString(), u"set"_s);
}

void TestImportRoute::exportOfTheDemoReimportsIdentically_data()
{
    storageRows();
}

void TestImportRoute::exportOfTheDemoReimportsIdentically()
{
    QFETCH(bool, onDisk);
    startOn(onDisk);
    QVERIFY(dust::lite::seedDemo(*m_server->store(u"local/demo"_s)) > 0);
    const HttpResult exported = m_http->get(store("/export?format=jsonl"));
    QCOMPARE(exported.status, 200);
    const HttpResult r = import(exported.body, "local/second");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("failed"_L1).toInt(), 0);
    const QList<QJsonObject> source = exportedLeaves("local/demo");
    QVERIFY(source.size() > 10);
    QCOMPARE(exportedLeaves("local/second"), source);
}

void TestImportRoute::refusals()
{
    startOn(false);
    QCOMPARE(import("").status, 400);
    QCOMPARE(import(" \n\n").error(), u"invalid_params"_s);
    const TestHttp reader(m_server->baseUrl(), kReadOnly);
    QCOMPARE(
        const_cast<TestHttp &>(reader).post(store("/import"), R"({"path":"a","value":1})").status,
        403);
    QCOMPARE(m_http->get(store("/import")).status, 404);
    QCOMPARE(import(R"({"path":"a","value":1})", "local/nope").status, 404);
    QCOMPARE(m_http->get(entry("a")).status, 404);
}

// §4.7: the header's fields, one leaf per line in byte order of the rendered paths (the
// order of the escaped rendering: "a-b" < "a/b" < "a0"), and format=sqlite refused in words.
void TestImportRoute::exportFollowsTheSpec()
{
    startOn(true);
    for (const QByteArray &path : {QByteArray("a0"), QByteArray("a/b"), QByteArray("a-b"),
                                   QByteArray("%C3%A9"), QByteArray("Z"), QByteArray("a~1x")})
        QCOMPARE(m_http->put(entry(path), "1").status, 200);
    const HttpResult r = m_http->get(store("/export?format=jsonl"));
    QCOMPARE(r.status, 200);
    const QList<QByteArray> lines = r.body.trimmed().split('\n');
    const QJsonObject header = js(lines.first().constData()).toObject();
    QCOMPARE(header.value("_header"_L1).toBool(), true);
    QCOMPARE(header.value("store"_L1).toString(), u"local/demo"_s);
    QCOMPARE(header.value("seq"_L1).toInteger(), 6);
    QCOMPARE(header.value("entry_count"_L1).toInteger(), 6);
    QCOMPARE(header.value("path_schema_version"_L1).toInt(), 3);
    QVERIFY(QDateTime::fromString(header.value("exported_at"_L1).toString(), Qt::ISODateWithMs)
                .isValid());
    QList<QByteArray> paths;
    for (qsizetype i = 1; i < lines.size(); ++i)
        paths.append(js(lines.at(i).constData()).toObject().value("path"_L1).toString().toUtf8());
    QList<QByteArray> sorted = paths;
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(paths, sorted);
    QCOMPARE(paths, (QList<QByteArray>{"Z", "a-b", "a/b", "a0", "a~1x", "\xC3\xA9"}));
    const HttpResult sqlite = m_http->get(store("/export?format=sqlite"));
    QCOMPARE(sqlite.status, 400);
    QVERIFY(sqlite.body.contains("format=sqlite is not available from dustlite"));
}

QTEST_GUILESS_MAIN(TestImportRoute)
#include "tst_import_route.moc"
