// The entries REST API of dustlite (dust-protocol.md §4.4–§4.6) over real sockets: single
// entries by URL path and body path, preconditions, batch read and batch write, including the
// hosted server's quirks and bad input. Listing is in tst_rest_list.

#include "RestTestFixture.h"

#include <QSignalSpy>

using namespace resttest;

class TestRest : public RestSuite
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void putThenGetLeafAndSubtree();
    void getMissingIs404();
    void headMatchesGetWithoutBody();
    void putEveryJsonType_data();
    void putEveryJsonType();
    void putRejectsEmptyBodies_data();
    void putRejectsEmptyBodies();
    void putRejectsMalformedJson();
    void putNeedsJsonContentType();
    void ifMatchBareInteger();
    void ifMatchQuotedIs400();
    void ifMatchOnSubtreeNeverMatches();
    void ifMatchWithObjectIsMultiLeaf();
    void ifNoneMatchStar();
    void ifNoneMatchOtherValuesAre400();
    void bothPreconditionsAre400();
    void deleteRemovesSubtreeAndIsIdempotent();
    void deleteWithIfMatch();
    void urlPathDecoding_data();
    void urlPathDecoding();
    void encodedSlashIsRejected();
    void invalidUrlPaths_data();
    void invalidUrlPaths();

    void bodyPathPost();
    void bodyPathPostValidation_data();
    void bodyPathPostValidation();
    void bodyPathDelete();

    void batchRead();
    void batchReadErrors_data();
    void batchReadErrors();
    void batchWriteCommitsAtomically();
    void batchWriteConflictAppliesNothing();
    void batchWriteErrors_data();
    void batchWriteErrors();
    void batchWriteClientOpIds();

    void writesAreReportedToTheRegistry();
};

void TestRest::init()
{
    startWith(standardConfig());
}

void TestRest::cleanup()
{
    stop();
}

void TestRest::putThenGetLeafAndSubtree()
{
    HttpResult r =
        m_http->put(entry("users/alice"), R"({"name":"Alice","prefs":{"theme":"dark"}})");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object(), obj(R"({"revision":1,"store_seq":1})"));

    r = m_http->get(entry("users/alice/name"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object(),
             obj(R"({"path":"users/alice/name","value":"Alice","type":"string","revision":1})"));
    QCOMPARE(r.header("etag"), QByteArray("\"1\""));
    QVERIFY(r.header("content-type").startsWith("application/json"));

    QCOMPARE(put("users/alice/prefs/theme", "\"light\""), 2);
    r = m_http->get(entry("users/alice"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("type"_L1).toString(), QStringLiteral("map"));
    QCOMPARE(r.object().value("revision"_L1).toInteger(), 2);
    QCOMPARE(r.object().value("value"_L1).toObject(),
             obj(R"({"name":"Alice","prefs":{"theme":"light"}})"));
    QCOMPARE(r.header("etag"), QByteArray("\"2\""));
}

void TestRest::getMissingIs404()
{
    const HttpResult r = m_http->get(entry("nothing/here"));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.object(), obj(R"({"error":"not_found"})"));
}

void TestRest::headMatchesGetWithoutBody()
{
    QCOMPARE(put("a/b", "\"value\""), 1);
    const HttpResult got = m_http->get(entry("a/b"));
    const HttpResult head = m_http->head(entry("a/b"));
    QCOMPARE(head.status, 200);
    QVERIFY(head.body.isEmpty());
    QCOMPARE(head.header("etag"), got.header("etag"));
    QCOMPARE(head.header("content-length"), QByteArray::number(got.body.size()));

    const HttpResult missing = m_http->head(entry("a/zzz"));
    QCOMPARE(missing.status, 404);
    QVERIFY(missing.body.isEmpty());

    const HttpResult list = m_http->head(TestHttp::entries());
    QCOMPARE(list.status, 200);
    QVERIFY(list.body.isEmpty());
}

void TestRest::putEveryJsonType_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("type");
    QTest::newRow("string") << QByteArray("\"text\"") << str("string");
    QTest::newRow("integer") << QByteArray("42") << str("integer");
    QTest::newRow("float") << QByteArray("2.5") << str("float");
    QTest::newRow("boolean") << QByteArray("false") << str("boolean");
    QTest::newRow("null") << QByteArray("null") << str("null");
    QTest::newRow("array") << QByteArray("[1,\"two\",null]") << str("string");
    QTest::newRow("whitespace") << QByteArray("  7 \n") << str("integer");
}

void TestRest::putEveryJsonType()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, type);
    QCOMPARE(m_http->put(entry("v"), body).status, 200);
    const HttpResult r = m_http->get(entry("v"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("type"_L1).toString(), type);
    QCOMPARE(r.object().value("value"_L1), js(body.trimmed().constData()));
}

void TestRest::putRejectsEmptyBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("blank") << QByteArray("  \n");
    QTest::newRow("empty object") << QByteArray("{}");
}

void TestRest::putRejectsEmptyBodies()
{
    QFETCH(QByteArray, body);
    const HttpResult r = m_http->put(entry("x"), body);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error(), QStringLiteral("invalid_params"));
    QVERIFY2(r.detail().startsWith("request body is empty"_L1), r.body.constData());
    QCOMPARE(m_http->get(entry("x")).status, 404);
}

void TestRest::putRejectsMalformedJson()
{
    for (const QByteArray &body : {QByteArray("{bad"), QByteArray("1,2"), QByteArray("[1"),
                                   QByteArray("\"unterminated"), QByteArray("nul")}) {
        const HttpResult r = m_http->put(entry("x"), body);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.error(), QStringLiteral("invalid_params"));
    }
    QCOMPARE(m_http->get(entry("x")).status, 404);
    QCOMPARE(m_http->get("/healthz").status, 200);
}

void TestRest::putNeedsJsonContentType()
{
    HttpResult r = m_http->put(entry("x"), "1", {{"Content-Type", "text/plain"}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error(), QStringLiteral("invalid_params"));
    r = m_http->put(entry("x"), "1", {{"Content-Type", "application/json; charset=utf-8"}});
    QCOMPARE(r.status, 200);
}

void TestRest::ifMatchBareInteger()
{
    QCOMPARE(put("doc", "\"v1\""), 1);
    QCOMPARE(put("other", "1"), 2);
    HttpResult r = m_http->put(entry("doc"), "\"v2\"", {{"If-Match", "1"}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("revision"_L1).toInteger(), 3);

    r = m_http->put(entry("doc"), "\"stale\"", {{"If-Match", "1"}});
    QCOMPARE(r.status, 412);
    QCOMPARE(r.object(), obj(R"({"error":"conflict","current_revision":3})"));
    QCOMPARE(m_http->get(entry("doc")).object().value("value"_L1).toString(), QStringLiteral("v2"));

    r = m_http->put(entry("missing"), "1", {{"If-Match", "3"}});
    QCOMPARE(r.status, 412);
    QVERIFY(r.object().value("current_revision"_L1).isNull());
}

void TestRest::ifMatchQuotedIs400()
{
    QCOMPARE(put("doc", "1"), 1);
    for (const QByteArray &value : {QByteArray("\"1\""), QByteArray("W/\"1\""), QByteArray("0"),
                                    QByteArray("-1"), QByteArray("abc"), QByteArray("")}) {
        const HttpResult r = m_http->put(entry("doc"), "2", {{"If-Match", value}});
        QCOMPARE(r.status, 400);
        QCOMPARE(r.detail(), QStringLiteral("If-Match must be a positive integer"));
    }
}

void TestRest::ifMatchOnSubtreeNeverMatches()
{
    QCOMPARE(put("tree", R"({"a":1,"b":2})"), 1);
    const HttpResult r = m_http->del(entry("tree"), {{"If-Match", "1"}});
    QCOMPARE(r.status, 412);
    QCOMPARE(r.error(), QStringLiteral("conflict"));
    QCOMPARE(m_http->get(entry("tree/a")).status, 200);
}

void TestRest::ifMatchWithObjectIsMultiLeaf()
{
    QCOMPARE(put("doc", "1"), 1);
    const HttpResult r = m_http->put(entry("doc"), R"({"x":1})", {{"If-Match", "1"}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error(), QStringLiteral("if_match_multi_leaf"));
}

void TestRest::ifNoneMatchStar()
{
    HttpResult r = m_http->put(entry("once"), "1", {{"If-None-Match", "*"}});
    QCOMPARE(r.status, 200);
    r = m_http->put(entry("once"), "2", {{"If-None-Match", "*"}});
    QCOMPARE(r.status, 412);
    QCOMPARE(r.object(), obj(R"({"error":"exists","current_revision":1})"));
    r = m_http->put(entry("obj"), R"({"a":1})", {{"If-None-Match", "*"}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error(), QStringLiteral("if_absent_multi_leaf"));
}

void TestRest::ifNoneMatchOtherValuesAre400()
{
    const HttpResult r = m_http->put(entry("x"), "1", {{"If-None-Match", "\"3\""}});
    QCOMPARE(r.status, 400);
    QCOMPARE(m_http->get(entry("x")).status, 404);
}

void TestRest::bothPreconditionsAre400()
{
    // REST refuses the pair itself, as invalid_params; invalid_precondition is the WebSocket's.
    HttpResult r = m_http->put(entry("x"), "1", {{"If-None-Match", "*"}, {"If-Match", "1"}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.object(), obj(R"({"error":"invalid_params",
                                 "detail":"If-Match and If-None-Match are mutually exclusive"})"));
    r = m_http->post(TestHttp::entries(),
                     R"({"path":"x","value":1,"if_match":1,"if_absent":true})");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.object(), obj(R"({"error":"invalid_params",
                                 "detail":"if_match and if_absent are mutually exclusive"})"));
    QCOMPARE(m_http->get(entry("x")).status, 404);
}

void TestRest::deleteRemovesSubtreeAndIsIdempotent()
{
    QCOMPARE(put("t", R"({"a":1,"b":{"c":2}})"), 1);
    QCOMPARE(put("tail", "3"), 2);
    HttpResult r = m_http->del(entry("t"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object(), obj(R"({"revision":3,"store_seq":3})"));
    QCOMPARE(m_http->get(entry("t")).status, 404);
    QCOMPARE(m_http->get(entry("t/b/c")).status, 404);
    QCOMPARE(m_http->get(entry("tail")).status, 200); // "tail" is not under "t"

    r = m_http->del(entry("t"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("store_seq"_L1).toInteger(), 4);
}

void TestRest::deleteWithIfMatch()
{
    QCOMPARE(put("d", "1"), 1);
    QCOMPARE(put("d", "2"), 2);
    HttpResult r = m_http->del(entry("d"), {{"If-Match", "1"}});
    QCOMPARE(r.status, 412);
    QCOMPARE(r.object().value("current_revision"_L1).toInteger(), 2);
    r = m_http->del(entry("d"), {{"If-Match", "\"2\""}});
    QCOMPARE(r.status, 400);
    r = m_http->del(entry("d"), {{"If-Match", "2"}});
    QCOMPARE(r.status, 200);
    QCOMPARE(m_http->get(entry("d")).status, 404);
}

void TestRest::urlPathDecoding_data()
{
    QTest::addColumn<QByteArray>("encoded");
    QTest::addColumn<QStringList>("segments");
    QTest::addColumn<QString>("rendered");
    QTest::newRow("space") << QByteArray("hello%20world/title") << strs({"hello world", "title"})
                           << str("hello world/title");
    QTest::newRow("encoded plus") << QByteArray("a%2Bb") << strs({"a+b"}) << str("a+b");
    QTest::newRow("literal plus") << QByteArray("c+d") << strs({"c+d"}) << str("c+d");
    QTest::newRow("escaped slash") << QByteArray("files/image~1logo")
                                   << strs({"files", "image/logo"}) << str("files/image~1logo");
    QTest::newRow("escaped tilde") << QByteArray("files/image~0logo")
                                   << strs({"files", "image~logo"}) << str("files/image~0logo");
    QTest::newRow("percent tilde") << QByteArray("p/x%7E1y") << strs({"p", "x/y"}) << str("p/x~1y");
    QTest::newRow("unicode") << QByteArray("caf%C3%A9/%E6%97%A5%E6%9C%AC")
                             << QStringList{QStringLiteral("café"), QStringLiteral("日本")}
                             << QStringLiteral("café/日本");
    QTest::newRow("dots") << QByteArray("example.com/a.b") << strs({"example.com", "a.b"})
                          << str("example.com/a.b");
    QTest::newRow("sub-delims") << QByteArray("@scope/!$&'()*,;=:")
                                << strs({"@scope", "!$&'()*,;=:"}) << str("@scope/!$&'()*,;=:");
    QTest::newRow("percent sign") << QByteArray("100%25") << strs({"100%"}) << str("100%");
}

void TestRest::urlPathDecoding()
{
    QFETCH(QByteArray, encoded);
    QFETCH(QStringList, segments);
    QFETCH(QString, rendered);
    QCOMPARE(m_http->put(entry(encoded), "\"x\"").status, 200);
    const HttpResult r = m_http->get(entry(encoded));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("path"_L1).toString(), rendered);
    // The same entry through the body-path form and the listing.
    const HttpResult batch =
        m_http->post(TestHttp::entries("/batch"),
                     TestHttp::json(QJsonObject{{"paths"_L1, QJsonArray{rendered}}}));
    QCOMPARE(batch.status, 200);
    QVERIFY(batch.object().value("entries"_L1).toObject().contains(rendered));
    const auto path = dust::Path::fromSegments(segments);
    QVERIFY(path);
    QCOMPARE(path->rendered(), rendered);
}

void TestRest::encodedSlashIsRejected()
{
    for (const QByteArray &encoded : {QByteArray("a%2Fb"), QByteArray("a%2fb")}) {
        const HttpResult r = m_http->put(entry(encoded), "1");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.error(), QStringLiteral("invalid_params"));
        QVERIFY(r.detail().contains("~1"_L1));
        QCOMPARE(m_http->get(entry(encoded)).status, 400);
    }
    QCOMPARE(m_http->get(entry("a")).status, 404);
    QCOMPARE(m_http->get(entry("a/b")).status, 404);
}

void TestRest::invalidUrlPaths_data()
{
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("double slash") << QByteArray("a//b");
    QTest::newRow("trailing slash") << QByteArray("a/b/");
    QTest::newRow("bare tilde") << QByteArray("a~");
    QTest::newRow("bad escape") << QByteArray("a~2b");
    QTest::newRow("encoded bad escape") << QByteArray("a%7E");
}

void TestRest::invalidUrlPaths()
{
    QFETCH(QByteArray, encoded);
    HttpResult r = m_http->put(entry(encoded), "1");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error(), QStringLiteral("invalid_params"));
    QVERIFY(!r.detail().isEmpty());
    r = m_http->get(entry(encoded));
    QCOMPARE(r.status, 400);
    r = m_http->del(entry(encoded));
    QCOMPARE(r.status, 400);
}

void TestRest::bodyPathPost()
{
    HttpResult r =
        m_http->post(TestHttp::entries(), R"({"path":"links/foo","value":{"title":"Foo","n":1}})");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object(), obj(R"({"revision":1,"store_seq":1})"));
    QCOMPARE(m_http->get(entry("links/foo/title")).object().value("value"_L1).toString(),
             QStringLiteral("Foo"));

    // The body-path form can write {} (which clears the subtree) and null.
    r = m_http->post(TestHttp::entries(), R"({"path":"links/foo","value":{}})");
    QCOMPARE(r.status, 200);
    QCOMPARE(m_http->get(entry("links/foo")).status, 404);
    r = m_http->post(TestHttp::entries(), R"({"path":"n","value":null})");
    QCOMPARE(r.status, 200);
    QCOMPARE(m_http->get(entry("n")).object().value("type"_L1).toString(), QStringLiteral("null"));

    // Paths with '/' inside a segment travel rendered, no URL encoding involved.
    r = m_http->post(TestHttp::entries(), R"({"path":"files/a~1b c","value":1,"if_absent":true})");
    QCOMPARE(r.status, 200);
    QCOMPARE(m_http->get(entry("files/a~1b%20c")).status, 200);
    r = m_http->post(TestHttp::entries(), R"({"path":"files/a~1b c","value":2,"if_absent":true})");
    QCOMPARE(r.status, 412);
    QCOMPARE(r.error(), QStringLiteral("exists"));
    const qint64 revision = r.object().value("current_revision"_L1).toInteger();
    r = m_http->post(TestHttp::entries(), TestHttp::json(QJsonObject{{"path"_L1, "files/a~1b c"_L1},
                                                                     {"value"_L1, 3},
                                                                     {"if_match"_L1, revision}}));
    QCOMPARE(r.status, 200);
    r = m_http->post(TestHttp::entries(), TestHttp::json(QJsonObject{{"path"_L1, "files/a~1b c"_L1},
                                                                     {"value"_L1, 4},
                                                                     {"if_match"_L1, revision}}));
    QCOMPARE(r.status, 412);
    QCOMPARE(r.error(), QStringLiteral("conflict"));
}

void TestRest::bodyPathPostValidation_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");
    QTest::newRow("malformed") << QByteArray("{\"path\":") << str("invalid_params");
    QTest::newRow("not an object") << QByteArray("[1]") << str("invalid_params");
    QTest::newRow("no path") << QByteArray(R"({"value":1})") << str("invalid_params");
    QTest::newRow("path not string")
        << QByteArray(R"({"path":["a"],"value":1})") << str("invalid_params");
    QTest::newRow("bad path") << QByteArray(R"({"path":"a//b","value":1})")
                              << str("invalid_params");
    QTest::newRow("no value") << QByteArray(R"({"path":"a"})") << str("invalid_params");
    QTest::newRow("if_match string")
        << QByteArray(R"({"path":"a","value":1,"if_match":"1"})") << str("invalid_params");
    QTest::newRow("if_match zero")
        << QByteArray(R"({"path":"a","value":1,"if_match":0})") << str("invalid_params");
    QTest::newRow("if_match fraction")
        << QByteArray(R"({"path":"a","value":1,"if_match":1.5})") << str("invalid_params");
    QTest::newRow("both preconditions")
        << QByteArray(R"({"path":"a","value":1,"if_match":1,"if_absent":true})")
        << str("invalid_params");
}

void TestRest::bodyPathPostValidation()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    const HttpResult r = m_http->post(TestHttp::entries(), body);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error(), error);
    QVERIFY(!r.detail().isEmpty());
    QCOMPARE(m_http->get(entry("a")).status, 404);
}

void TestRest::bodyPathDelete()
{
    QCOMPARE(put("links/foo", R"({"a":1,"b":2})"), 1);
    QCOMPARE(put("links/bar", "1"), 2);
    HttpResult r = m_http->delWithBody(TestHttp::entries(), R"({"path":"links/bar","if_match":1})");
    QCOMPARE(r.status, 412);
    r = m_http->delWithBody(TestHttp::entries(), R"({"path":"links/foo"})");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("store_seq"_L1).toInteger(), 3);
    QCOMPARE(m_http->get(entry("links/foo/a")).status, 404);
    QCOMPARE(m_http->get(entry("links/bar")).status, 200);
    r = m_http->delWithBody(TestHttp::entries(), R"({"nopath":1})");
    QCOMPARE(r.status, 400);
}

void TestRest::batchRead()
{
    QCOMPARE(put("projects/alpha", R"({"title":"Alpha","owner":"ann"})"), 1);
    const HttpResult r = m_http->post(
        TestHttp::entries("/batch"),
        R"({"paths":["projects/alpha/title","projects/alpha","projects/beta","projects/alpha/title"]})");
    QCOMPARE(r.status, 200);
    const QJsonObject entries = r.object().value("entries"_L1).toObject();
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.value("projects/alpha/title"_L1).toObject(),
             obj(R"({"value":"Alpha","type":"string","revision":1})"));
    // Exact leaves only: an interior path is missing, not assembled.
    QCOMPARE(r.object().value("missing"_L1).toArray(),
             arr(R"(["projects/alpha","projects/beta"])"));
}

void TestRest::batchReadErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("detail"); // empty: any detail
    QTest::newRow("malformed") << QByteArray("{\"paths\":[") << QString();
    QTest::newRow("no paths") << QByteArray("{}") << str("paths required");
    QTest::newRow("null paths") << QByteArray(R"({"paths":null})") << str("paths required");
    QTest::newRow("not a list") << QByteArray(R"({"paths":"a"})") << str("paths required");
    QTest::newRow("not strings") << QByteArray(R"({"paths":[1]})") << str("paths must be strings");
    QTest::newRow("one not a string")
        << QByteArray(R"({"paths":["a",["b"]]})") << str("paths must be strings");
    QTest::newRow("invalid path") << QByteArray(R"({"paths":["a//b"]})")
                                  << str("invalid path: a//b");
    QJsonArray many;
    for (int i = 0; i < 1001; ++i)
        many.append(QStringLiteral("p%1").arg(i));
    QTest::newRow("1001 paths") << TestHttp::json(QJsonObject{{"paths"_L1, many}})
                                << str("maximum 1000 paths per batch");
}

void TestRest::batchReadErrors()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, detail);
    const HttpResult r = m_http->post(TestHttp::entries("/batch"), body);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error(), QStringLiteral("invalid_params"));
    if (detail.isEmpty())
        QVERIFY(!r.detail().isEmpty());
    else
        QCOMPARE(r.detail(), detail);
}

void TestRest::batchWriteCommitsAtomically()
{
    QCOMPARE(put("projects/legacy/x", "1"), 1);
    const HttpResult r = m_http->post(TestHttp::entries("/batch_write"), R"({"ops":[
        {"op":"set","path":"projects/alpha/title","value":"Alpha"},
        {"op":"set","path":"projects/alpha/owner","value":"alice","if_match":1},
        {"op":"delete","path":"projects/legacy"}]})");
    // if_match 1 on a missing leaf fails: nothing is applied.
    QCOMPARE(r.status, 412);
    QCOMPARE(r.object(), obj(R"({"error":"conflict","op_index":1,"path":"projects/alpha/owner",
                         "current_revision":null})"));
    QCOMPARE(m_http->get(entry("projects/alpha/title")).status, 404);

    const HttpResult ok = m_http->post(TestHttp::entries("/batch_write"), R"({"ops":[
        {"op":"set","path":"projects/alpha/title","value":"Alpha"},
        {"op":"set","path":"projects/legacy/x","value":2,"if_match":1},
        {"op":"delete","path":"projects/legacy"}]})");
    QCOMPARE(ok.status, 200);
    QCOMPARE(ok.object(), obj(R"({"ops":[{"path":"projects/alpha/title","revision":2,"store_seq":2},
                                {"path":"projects/legacy/x","revision":3,"store_seq":3},
                                {"path":"projects/legacy","revision":4,"store_seq":4}],
                         "store_seq":4})"));
    QCOMPARE(m_http->get(entry("projects/legacy/x")).status, 404);
}

void TestRest::batchWriteConflictAppliesNothing()
{
    QCOMPARE(put("c", "1"), 1);
    QCOMPARE(put("c", "2"), 2);
    const HttpResult r = m_http->post(TestHttp::entries("/batch_write"),
                                      R"({"ops":[{"op":"set","path":"new","value":1},
                                                 {"op":"delete","path":"c","if_match":1}]})");
    QCOMPARE(r.status, 412);
    QCOMPARE(r.object().value("current_revision"_L1).toInteger(), 2);
    QCOMPARE(r.object().value("op_index"_L1).toInt(), 1);
    QCOMPARE(m_http->get(entry("new")).status, 404);
    QCOMPARE(put("after", "1"), 3); // no seq was consumed
}

void TestRest::batchWriteErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("detail");
    const QString invalid = QStringLiteral("invalid_params");
    QTest::newRow("merge")
        << QByteArray(
               R"({"ops":[{"op":"set","path":"a","value":1},{"op":"merge","path":"b","value":{}}]})")
        << 400 << invalid << str(R"(op 1: unknown op "merge")");
    QTest::newRow("increment") << QByteArray(R"({"ops":[{"op":"increment","path":"b","value":1}]})")
                               << 400 << invalid << str(R"(op 0: unknown op "increment")");
    QTest::newRow("no ops") << QByteArray(R"({"ops":[]})") << 400 << invalid << QString();
    QTest::newRow("ops missing") << QByteArray(R"({})") << 400 << invalid << QString();
    QTest::newRow("malformed") << QByteArray(R"({"ops":[{)") << 400 << invalid << QString();
    QTest::newRow("set without value")
        << QByteArray(R"({"ops":[{"op":"set","path":"a"}]})") << 400 << invalid << QString();
    QTest::newRow("bad path") << QByteArray(R"({"ops":[{"op":"set","path":"/a","value":1}]})")
                              << 400 << invalid << QString();
    QTest::newRow("op not object") << QByteArray(R"({"ops":[1]})") << 400 << invalid << QString();
    QTest::newRow("if_match quoted")
        << QByteArray(R"({"ops":[{"op":"set","path":"a","value":1,"if_match":"1"}]})") << 400
        << invalid << QString();
    QTest::newRow("multi leaf")
        << QByteArray(R"({"ops":[{"op":"set","path":"a","value":{"x":1},"if_match":1}]})") << 400
        << str("if_match_multi_leaf") << QString();
    QJsonArray many;
    for (int i = 0; i < 1001; ++i)
        many.append(QJsonObject{{"op"_L1, "delete"_L1}, {"path"_L1, QStringLiteral("p%1").arg(i)}});
    QTest::newRow("1001 ops") << TestHttp::json(QJsonObject{{"ops"_L1, many}}) << 400 << invalid
                              << QString();
}

void TestRest::batchWriteErrors()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, error);
    QFETCH(QString, detail);
    const HttpResult r = m_http->post(TestHttp::entries("/batch_write"), body);
    QCOMPARE(r.status, status);
    QCOMPARE(r.error(), error);
    if (!detail.isEmpty())
        QCOMPARE(r.detail(), detail);
    QCOMPARE(m_http->get(entry("a")).status, 404);
    QCOMPARE(put("probe", "1"), 1); // nothing was committed before
}

void TestRest::batchWriteClientOpIds()
{
    HttpResult r = m_http->post(TestHttp::entries("/batch_write"),
                                R"({"ops":[{"op":"set","path":"a","value":1},
                                           {"op":"set","path":"b","value":2}]})",
                                {{"X-Request-Id", "batch-request-0123456789"}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("x-request-id"), QByteArray("batch-request-0123456789"));
    r = m_http->put(entry("c"), "3", {{"X-Request-Id", "single-request-0123456789"}});
    QCOMPARE(r.status, 200);
    r = m_http->put(entry("d"), "4");
    QCOMPARE(r.status, 200);
    const QByteArray generated = r.header("x-request-id");
    QVERIFY(!generated.isEmpty());

    r = m_http->get(TestHttp::entries().replace("/entries", "/log"));
    QCOMPARE(r.status, 200);
    const QJsonArray ops = r.object().value("ops"_L1).toArray();
    QCOMPARE(ops.size(), 4);
    for (const QJsonValue &op : ops) {
        QVERIFY(op["device_id"_L1].toString().startsWith("http:"_L1));
        QVERIFY(op["device_id"_L1].toString().size() > 5);
    }
    // The audit log has the hosted server's fields only; the ids are in the op log, and
    // catch-up events carry them (dust-protocol.md §5.9).
    QHash<QString, QString> ids;
    for (const dust::ChangeEvent &event : m_server->store()->eventsSince(0, 100))
        ids.insert(event.path.rendered(), event.clientOpId);
    QCOMPARE(ids.value("a"_L1), QStringLiteral("batch-request-0123456789:0"));
    QCOMPARE(ids.value("b"_L1), QStringLiteral("batch-request-0123456789:1"));
    QCOMPARE(ids.value("c"_L1), QStringLiteral("single-request-0123456789"));
    QCOMPARE(ids.value("d"_L1), QString::fromLatin1(generated));
}

void TestRest::writesAreReportedToTheRegistry()
{
    QSignalSpy committed(m_server->server().registry(), &dust::lite::StoreRegistry::committed);
    QCOMPARE(put("x", "1"), 1);
    QCOMPARE(committed.size(), 1);
    QCOMPARE(committed.at(0).at(0).toString(), QStringLiteral("local/demo"));
    const auto event = committed.at(0).at(1).value<dust::ChangeEvent>();
    QCOMPARE(event.storeSeq, 1);
    QCOMPARE(event.path.rendered(), QStringLiteral("x"));
    QVERIFY(event.deviceId.startsWith("http:"_L1));
    QCOMPARE(committed.at(0).at(2).toBool(), false);

    QCOMPARE(m_http->del(entry("x")).status, 200);
    QCOMPARE(m_http->post(TestHttp::entries(), R"({"path":"y","value":1})").status, 200);
    QCOMPARE(m_http->delWithBody(TestHttp::entries(), R"({"path":"y"})").status, 200);
    const QByteArray ops =
        R"({"ops":[{"op":"set","path":"a","value":1},{"op":"delete","path":"b"}]})";
    QCOMPARE(m_http->post(TestHttp::entries("/batch_write"), ops).status, 200);
    QCOMPARE(committed.size(), 6);
    QCOMPARE(committed.at(5).at(1).value<dust::ChangeEvent>().storeSeq, 6);

    // Failed writes report nothing.
    QCOMPARE(m_http->put(entry("a"), "2", {{"If-Match", "99"}}).status, 412);
    QCOMPARE(committed.size(), 6);
}

QTEST_GUILESS_MAIN(TestRest)
#include "tst_rest.moc"
