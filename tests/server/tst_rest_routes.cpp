// dustlite's REST routes around the entries API (dust-protocol.md §4.2, §4.7, §3.5, §4.1): the
// store list, audit log, diff, export, file download, realtime stubs, health and unknown
// routes, and HEAD on every GET route.

#include "RestTestFixture.h"

#include <QCryptographicHash>

using namespace resttest;

class TestRestRoutes : public RestSuite
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void listStores();
    void auditLog();
    void auditLogFiltersAndPages();
    void auditLogErrors();
    void diff();
    void diffAfterCompactionIs409();
    void diffErrors();
    void exportJsonl();
    void exportErrors();
    void fileDownload();
    void fileAccess();
    void realtimeStubsAre426();
    void unknownRoutesAre404_data();
    void unknownRoutesAre404();
    void headOnEveryGetRoute_data();
    void headOnEveryGetRoute();

private:
    static QByteArray store(const QByteArray &suffix) { return "/api/stores/local/demo" + suffix; }
};

void TestRestRoutes::init()
{
    startWith(standardConfig());
}

void TestRestRoutes::cleanup()
{
    stop();
}

void TestRestRoutes::listStores()
{
    const HttpResult r = m_http->get("/api/stores");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("org"_L1).toString(), QStringLiteral("local"));
    const QJsonArray stores = r.object().value("stores"_L1).toArray();
    QCOMPARE(stores.size(), 2);
    const QJsonObject demo = stores.at(0).toObject();
    QCOMPARE(demo.value("full_name"_L1).toString(), QStringLiteral("local/demo"));
    QCOMPARE(demo.value("name"_L1).toString(), QStringLiteral("demo"));
    QCOMPARE(demo.value("status"_L1).toString(), QStringLiteral("active"));
    QVERIFY(!demo.value("id"_L1).toString().isEmpty());
    QVERIFY(!demo.value("inserted_at"_L1).toString().isEmpty());
    QVERIFY(demo.contains("expires_at"_L1) && demo.value("expires_at"_L1).isNull());
    QCOMPARE(stores.at(1)["full_name"_L1].toString(), QStringLiteral("local/second"));
    QVERIFY(demo.value("id"_L1) != stores.at(1)["id"_L1]);
}

void TestRestRoutes::auditLog()
{
    QCOMPARE(m_http->put(entry("a"), "1").status, 200);
    QCOMPARE(m_http->put(entry("b"), R"({"c":"x"})").status, 200);
    QCOMPARE(m_http->del(entry("a")).status, 200);
    const HttpResult r = m_http->get(store("/log"));
    QCOMPARE(r.status, 200);
    const QJsonArray ops = r.object().value("ops"_L1).toArray();
    QCOMPARE(ops.size(), 3);
    // Newest first; values in their stored, wrapped form.
    QCOMPARE(ops.at(0)["store_seq"_L1].toInteger(), 3);
    QCOMPARE(ops.at(0)["op"_L1].toString(), QStringLiteral("delete"));
    QCOMPARE(ops.at(2)["store_seq"_L1].toInteger(), 1);
    QCOMPARE(ops.at(2)["path"_L1].toString(), QStringLiteral("a"));
    QCOMPARE(ops.at(2)["value"_L1].toObject(), obj(R"({"_scalar":1})"));
    QVERIFY(!ops.at(2)["inserted_at"_L1].toString().isEmpty());
    QVERIFY(ops.at(2)["device_id"_L1].toString().startsWith("http:"_L1));
    // The fields the hosted server serializes, no more (no client_op_id).
    QCOMPARE(ops.at(2).toObject().keys(),
             strs({"device_id", "inserted_at", "op", "path", "store_seq", "value"}));
    const QJsonObject pagination = r.object().value("pagination"_L1).toObject();
    QCOMPARE(pagination.value("page"_L1).toInt(), 1);
    QCOMPARE(pagination.value("limit"_L1).toInt(), 50);
    QCOMPARE(pagination.value("total"_L1).toInt(), 3);
    QCOMPARE(pagination.value("total_pages"_L1).toInt(), 1);
}

void TestRestRoutes::auditLogFiltersAndPages()
{
    for (int i = 0; i < 5; ++i)
        QCOMPARE(m_http->put(entry("x/" + QByteArray::number(i)), "1").status, 200);
    QCOMPARE(m_http->put(entry("y"), "1").status, 200);
    HttpResult r = m_http->get(store("/log?path=x/*&limit=2&page=2"));
    QCOMPARE(r.status, 200);
    QJsonArray ops = r.object().value("ops"_L1).toArray();
    QCOMPARE(ops.size(), 2);
    QCOMPARE(ops.at(0)["path"_L1].toString(), QStringLiteral("x/2"));
    QCOMPARE(r.object().value("pagination"_L1)["total"_L1].toInt(), 5);
    QCOMPARE(r.object().value("pagination"_L1)["total_pages"_L1].toInt(), 3);
    r = m_http->get(store("/log?path=y"));
    QCOMPARE(r.object().value("ops"_L1).toArray().size(), 1);
    r = m_http->get(store("/log?op=delete"));
    QCOMPARE(r.object().value("ops"_L1).toArray().size(), 0);
}

void TestRestRoutes::auditLogErrors()
{
    for (const QByteArray &query : {QByteArray("?limit=0"), QByteArray("?limit=x"),
                                    QByteArray("?page=0"), QByteArray("?path=a//b")}) {
        const HttpResult r = m_http->get(store("/log" + query));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.error(), QStringLiteral("invalid_params"));
    }
}

void TestRestRoutes::diff()
{
    QCOMPARE(m_http->put(entry("a"), "1").status, 200);
    QCOMPARE(m_http->put(entry("a"), "2").status, 200);
    QCOMPARE(m_http->put(entry("b"), "3").status, 200);
    HttpResult r = m_http->get(store("/diff?from_seq=1&to_seq=3"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("from_seq"_L1).toInteger(), 1);
    QCOMPARE(r.object().value("to_seq"_L1).toInteger(), 3);
    const QJsonArray changes = r.object().value("changes"_L1).toArray();
    QCOMPARE(changes.size(), 2);
    QCOMPARE(changes.at(0).toObject(), obj(R"({"path":"a","before":1,"after":2})"));
    QCOMPARE(changes.at(1).toObject(), obj(R"({"path":"b","before":null,"after":3})"));
    // to_seq defaults to the current seq.
    r = m_http->get(store("/diff?from_seq=2"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("to_seq"_L1).toInteger(), 3);
}

void TestRestRoutes::diffAfterCompactionIs409()
{
    dust::lite::ServerConfig config = standardConfig();
    config.compactAfter = 5;
    startWith(config);
    for (int i = 0; i < 6; ++i)
        QCOMPARE(m_http->put(entry("k"), QByteArray::number(i)).status, 200);
    QVERIFY(m_server->store()->latestSnapshotSeq() >= 5);
    const HttpResult r = m_http->get(store("/diff?from_seq=1&to_seq=6"));
    QCOMPARE(r.status, 409);
    QCOMPARE(r.error(), QStringLiteral("compacted"));
    QVERIFY(r.object().value("earliest_available"_L1).toInteger() >= 5);
    // Writes go on after compaction, with the seq continuing.
    const HttpResult w = m_http->put(entry("k"), "99");
    QCOMPARE(w.object().value("store_seq"_L1).toInteger(), 7);
}

void TestRestRoutes::diffErrors()
{
    for (const QByteArray &query :
         {QByteArray(""), QByteArray("?from_seq=x"), QByteArray("?from_seq=-1"),
          QByteArray("?from_seq=3&to_seq=2"), QByteArray("?from_seq=1&to_seq=y")}) {
        const HttpResult r = m_http->get(store("/diff" + query));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.error(), QStringLiteral("invalid_params"));
    }
}

void TestRestRoutes::exportJsonl()
{
    QCOMPARE(m_http->put(entry("b"), R"({"x":1,"y":"two"})").status, 200);
    QCOMPARE(m_http->put(entry("a"), "[1,2]").status, 200);
    const HttpResult r = m_http->get(store("/export?format=jsonl"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("content-type").startsWith("application/x-ndjson"));
    QVERIFY(r.body.endsWith('\n'));
    const QList<QByteArray> lines = r.body.trimmed().split('\n');
    QCOMPARE(lines.size(), 4);
    const QJsonObject header = js(lines.at(0).constData()).toObject();
    QCOMPARE(header.value("_header"_L1).toBool(), true);
    QCOMPARE(header.value("store"_L1).toString(), QStringLiteral("local/demo"));
    QCOMPARE(header.value("seq"_L1).toInteger(), 2);
    QCOMPARE(header.value("entry_count"_L1).toInteger(), 3);
    QCOMPARE(header.value("path_schema_version"_L1).toInt(), 3);
    QCOMPARE(js(lines.at(1).constData()).toObject(),
             obj(R"({"path":"a","value":[1,2],"type":"string"})"));
    QCOMPARE(js(lines.at(3).constData()).toObject(),
             obj(R"({"path":"b/y","value":"two","type":"string"})"));
    // jsonl is the default format (the header's exported_at differs between calls).
    const QByteArray again = m_http->get(store("/export")).body;
    QCOMPARE(again.mid(again.indexOf('\n')), r.body.mid(r.body.indexOf('\n')));
}

void TestRestRoutes::exportErrors()
{
    for (const QByteArray &format : {QByteArray("sqlite"), QByteArray("csv")}) {
        const HttpResult r = m_http->get(store("/export?format=" + format));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.error(), QStringLiteral("invalid_params"));
    }
}

void TestRestRoutes::fileDownload()
{
    const QByteArray content("\x89PNG binary \x00\x01\x02 bytes", 22);
    auto path = dust::Path::parse(QStringLiteral("files/logo"));
    QVERIFY(path);
    const auto written = m_server->store()->putFile(
        *path, content, QStringLiteral("logo \"1\".png"), QStringLiteral("image/png"),
        QStringLiteral("dev_test"), QStringLiteral("op_test"));
    QVERIFY2(written.ok, qPrintable(written.reason));
    const QByteArray hash =
        "sha256:" + QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex();

    HttpResult r = m_http->get("/api/files/" + hash);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, content);
    QCOMPARE(r.header("content-type"), QByteArray("image/png"));
    // RFC 6266: quotes are not escaped in filename="…" (clients disagree on '\\'); the
    // exact name travels in filename*.
    const QByteArray disposition =
        "inline; filename=\"logo _1_.png\"; filename*=UTF-8''logo%20%221%22.png";
    QCOMPARE(r.header("content-disposition"), disposition);
    // The colon may travel percent-encoded.
    r = m_http->get("/api/files/" + QByteArray(hash).replace(":", "%3A"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, content);
    // The entry itself is a file reference.
    r = m_http->get(entry("files/logo"));
    QCOMPARE(r.object().value("type"_L1).toString(), QStringLiteral("file"));
    QCOMPARE(r.object().value("value"_L1)["hash"_L1].toString(), QString::fromLatin1(hash));
}

void TestRestRoutes::fileAccess()
{
    const QByteArray content("secret");
    auto path = dust::Path::parse(QStringLiteral("f"));
    QVERIFY(path);
    QVERIFY(m_server->store()
                ->putFile(*path, content, {}, QStringLiteral("text/plain"),
                          QStringLiteral("dev_test"), QStringLiteral("op_test"))
                .ok);
    const QByteArray hash = "/api/files/sha256:" +
                            QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex();
    QCOMPARE(m_http->get(hash).status, 200);
    QVERIFY(!m_http->get(hash).hasHeader("content-disposition"));

    HttpResult r = m_http->get("/api/files/sha256:" + QByteArray(64, '0'));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.object(), obj(R"({"error":"not_found"})"));
    QCOMPARE(m_http->get("/api/files/nonsense").status, 404);

    m_http->setToken(kOtherOrg); // its org's stores do not reference the hash
    QCOMPARE(m_http->get(hash).status, 404);
    m_http->setToken(kReadOnly); // no files:read
    r = m_http->get(hash);
    QCOMPARE(r.status, 403);
    QCOMPARE(r.object(), obj(R"({"error":"forbidden"})"));
}

void TestRestRoutes::realtimeStubsAre426()
{
    for (const QByteArray &route : {QByteArray("/subscribe"), QByteArray("/watch")}) {
        const HttpResult r = m_http->get(store(route));
        QCOMPARE(r.status, 426);
        QCOMPARE(r.error(), QStringLiteral("upgrade_required"));
        QVERIFY(!r.detail().isEmpty());
        QCOMPARE(r.object().value("ws_url"_L1).toString(),
                 QStringLiteral("ws://127.0.0.1:%1/ws/sync").arg(m_server->port()));
    }
    m_http->setToken(QString());
    QCOMPARE(m_http->get(store("/subscribe")).status, 401);
}

void TestRestRoutes::unknownRoutesAre404_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::newRow("root") << QByteArray("GET") << QByteArray("/");
    QTest::newRow("api root") << QByteArray("GET") << QByteArray("/api");
    QTest::newRow("unknown api") << QByteArray("GET") << QByteArray("/api/things");
    QTest::newRow("store root") << QByteArray("GET") << QByteArray("/api/stores/local/demo");
    QTest::newRow("unknown action")
        << QByteArray("GET") << QByteArray("/api/stores/local/demo/nothing");
    QTest::newRow("post entry path")
        << QByteArray("POST") << QByteArray("/api/stores/local/demo/entries/a");
    QTest::newRow("put entries") << QByteArray("PUT")
                                 << QByteArray("/api/stores/local/demo/entries");
    QTest::newRow("delete log") << QByteArray("DELETE") << QByteArray("/api/stores/local/demo/log");
    QTest::newRow("post stores") << QByteArray("POST") << QByteArray("/api/stores");
    QTest::newRow("options") << QByteArray("OPTIONS") << QByteArray("/api/stores");
    QTest::newRow("ws without upgrade") << QByteArray("GET") << QByteArray("/ws/sync/websocket");
}

void TestRestRoutes::unknownRoutesAre404()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    const HttpResult r =
        m_http->send(method, path, method == "GET" ? QByteArray() : "{}", {}, method != "GET");
    QCOMPARE(r.status, 404);
    QCOMPARE(r.object(), obj(R"({"errors":{"detail":"Not Found"}})"));
}

void TestRestRoutes::headOnEveryGetRoute_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::newRow("healthz") << QByteArray("/healthz");
    QTest::newRow("readyz") << QByteArray("/readyz");
    QTest::newRow("stores") << QByteArray("/api/stores");
    QTest::newRow("list") << TestHttp::entries("?select=keys");
    QTest::newRow("entry") << entry("h");
    QTest::newRow("log") << store("/log");
    QTest::newRow("diff") << store("/diff?from_seq=0");
    QTest::newRow("export") << store("/export");
}

void TestRestRoutes::headOnEveryGetRoute()
{
    QFETCH(QByteArray, path);
    QCOMPARE(m_http->put(entry("h"), "1").status, 200);
    const HttpResult got = m_http->get(path);
    const HttpResult head = m_http->head(path);
    QCOMPARE(got.status, 200);
    QCOMPARE(head.status, 200);
    QVERIFY(head.body.isEmpty());
    QVERIFY(!got.body.isEmpty());
    QCOMPARE(head.header("content-type"), got.header("content-type"));
    if (got.hasHeader("content-length"))
        QCOMPARE(head.header("content-length"), got.header("content-length"));
}

QTEST_GUILESS_MAIN(TestRestRoutes)
#include "tst_rest_routes.moc"
