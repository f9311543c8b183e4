// Who may call what on dustlite's REST API (dust-protocol.md §1.2, §1.3, §4.1, §7.2): tokens,
// scopes, orgs, the common headers, rate limits and request size limits.

#include "RestTestFixture.h"

#include <QTcpSocket>

using namespace resttest;

class TestRestAccess : public RestSuite
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void missingOrInvalidTokenIs401_data();
    void missingOrInvalidTokenIs401();
    void scopes_data();
    void scopes();
    void otherOrgIs404();
    void unknownStoreIs404();
    void publicRoutesNeedNoToken();
    void requestIdIsEchoedOrGenerated();
    void rateLimitHeadersOnlyWhenLimited();
    void readAndWriteRateLimits();
    void oversizedBodyIs413AndServerLives();
    void oversizedChunkedBodyIs413();
    void bodyJustUnderTheLimitIsAccepted();
    void expectContinueIsAnswered();
    void oversizedHeadersAre431();
    void garbageRequestsDoNotHurt();
};

void TestRestAccess::init()
{
    startWith(standardConfig());
}

void TestRestAccess::cleanup()
{
    stop();
}

void TestRestAccess::missingOrInvalidTokenIs401_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::newRow("missing") << QByteArray();
    QTest::newRow("no prefix") << QByteArray("Bearer abc");
    QTest::newRow("unknown") << QByteArray("Bearer dust_tok_unknown");
    QTest::newRow("prefix only") << QByteArray("Bearer dust_tok_");
    QTest::newRow("near miss") << QByteArray("Bearer dust_tok_deV");
    QTest::newRow("longer") << QByteArray("Bearer dust_tok_dev2");
    QTest::newRow("not bearer") << QByteArray("Basic dust_tok_dev");
    QTest::newRow("bare token") << QByteArray("dust_tok_dev");
}

void TestRestAccess::missingOrInvalidTokenIs401()
{
    QFETCH(QByteArray, authorization);
    m_http->setToken(QString());
    TestHttp::Headers headers;
    if (!authorization.isEmpty())
        headers.append({"Authorization", authorization});
    for (const QByteArray &path :
         {TestHttp::entries(), entry("a"), QByteArray("/api/stores"),
          QByteArray("/api/stores/local/demo/log"), QByteArray("/api/files/sha256:00")}) {
        const HttpResult r = m_http->get(path, headers);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.object(), obj(R"({"error":"unauthorized"})"));
    }
    QCOMPARE(m_http->put(entry("a"), "1", headers).status, 401);
    QCOMPARE(m_server->store()->currentSeq(), 0);
    // The case of the scheme does not matter.
    QCOMPARE(m_http->get(entry("a"), {{"Authorization", "bearer dust_tok_dev"}}).status, 404);
}

void TestRestAccess::scopes_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    const QString ro = kReadOnly;
    const QString wo = kWriteOnly;
    QTest::newRow("ro get") << ro << QByteArray("GET") << entry("seeded") << QByteArray() << 200;
    QTest::newRow("ro head") << ro << QByteArray("HEAD") << entry("seeded") << QByteArray() << 200;
    QTest::newRow("ro list") << ro << QByteArray("GET") << TestHttp::entries() << QByteArray()
                             << 200;
    QTest::newRow("ro batch read") << ro << QByteArray("POST") << TestHttp::entries("/batch")
                                   << QByteArray(R"({"paths":["seeded"]})") << 200;
    QTest::newRow("ro diff") << ro << QByteArray("GET")
                             << QByteArray("/api/stores/local/demo/diff?from_seq=0") << QByteArray()
                             << 200;
    QTest::newRow("ro export") << ro << QByteArray("GET")
                               << QByteArray("/api/stores/local/demo/export") << QByteArray()
                               << 200;
    QTest::newRow("ro put") << ro << QByteArray("PUT") << entry("x") << QByteArray("1") << 403;
    QTest::newRow("ro delete") << ro << QByteArray("DELETE") << entry("seeded") << QByteArray()
                               << 403;
    QTest::newRow("ro post") << ro << QByteArray("POST") << TestHttp::entries()
                             << QByteArray(R"({"path":"x","value":1})") << 403;
    QTest::newRow("ro body delete") << ro << QByteArray("DELETE") << TestHttp::entries()
                                    << QByteArray(R"({"path":"seeded"})") << 403;
    QTest::newRow("ro batch write")
        << ro << QByteArray("POST") << TestHttp::entries("/batch_write")
        << QByteArray(R"({"ops":[{"op":"delete","path":"seeded"}]})") << 403;
    QTest::newRow("ro log") << ro << QByteArray("GET") << QByteArray("/api/stores/local/demo/log")
                            << QByteArray() << 403;
    QTest::newRow("ro stores") << ro << QByteArray("GET") << QByteArray("/api/stores")
                               << QByteArray() << 403;
    QTest::newRow("ro files") << ro << QByteArray("GET") << QByteArray("/api/files/sha256:00")
                              << QByteArray() << 403;
    QTest::newRow("wo get") << wo << QByteArray("GET") << entry("seeded") << QByteArray() << 403;
    QTest::newRow("wo list") << wo << QByteArray("GET") << TestHttp::entries() << QByteArray()
                             << 403;
    QTest::newRow("wo put") << wo << QByteArray("PUT") << entry("x") << QByteArray("1") << 200;
}

void TestRestAccess::scopes()
{
    QFETCH(QString, token);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QCOMPARE(m_http->put(entry("seeded"), "1").status, 200);
    m_http->setToken(token);
    const HttpResult r = m_http->send(method, path, body, {}, !body.isEmpty());
    QCOMPARE(r.status, status);
    if (status == 403 && method != "HEAD")
        QCOMPARE(r.object(), obj(R"({"error":"forbidden"})"));
    if (status == 403)
        QCOMPARE(m_server->store()->currentSeq(), 1); // nothing was written
}

void TestRestAccess::otherOrgIs404()
{
    QCOMPARE(m_http->put(entry("a"), "1").status, 200);
    m_http->setToken(kOtherOrg);
    HttpResult r = m_http->get(entry("a"));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.object(), obj(R"({"error":"not_found"})"));
    QCOMPARE(m_http->put(entry("a"), "2").status, 404);
    QCOMPARE(m_http->get(TestHttp::entries()).status, 404);
    QCOMPARE(m_http->get("/api/stores/local/demo/log").status, 404);

    // Its own store works, and the list of stores shows only its org.
    QCOMPARE(m_http->put(TestHttp::entries("/a", "acme/site"), "3").status, 200);
    r = m_http->get("/api/stores");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("org"_L1).toString(), QStringLiteral("acme"));
    const QJsonArray stores = r.object().value("stores"_L1).toArray();
    QCOMPARE(stores.size(), 1);
    QCOMPARE(stores.at(0)["full_name"_L1].toString(), QStringLiteral("acme/site"));

    m_http->setToken(kFull);
    QCOMPARE(m_http->get(TestHttp::entries("/a", "acme/site")).status, 404);
}

void TestRestAccess::unknownStoreIs404()
{
    for (const QByteArray &path : {QByteArray("/api/stores/local/nope/entries/a"),
                                   QByteArray("/api/stores/local/nope/entries"),
                                   QByteArray("/api/stores/local/Bad%20Name/entries"),
                                   QByteArray("/api/stores/local/nope/log")}) {
        const HttpResult r = m_http->get(path);
        QCOMPARE(r.status, 404);
        QCOMPARE(r.object(), obj(R"({"error":"not_found"})"));
    }
    // REST never creates stores.
    QCOMPARE(m_http->put("/api/stores/local/nope/entries/a", "1").status, 404);
    QCOMPARE(m_http->get("/api/stores/local/nope/entries/a").status, 404);
}

void TestRestAccess::publicRoutesNeedNoToken()
{
    m_http->setToken(QString());
    HttpResult r = m_http->get("/healthz");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object(), obj(R"({"status":"ok"})"));
    r = m_http->get("/readyz");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("status"_L1).toString(), QStringLiteral("ok"));
    QVERIFY(r.object().value("checks"_L1).isObject());
    r = m_http->head("/healthz");
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.isEmpty());
}

void TestRestAccess::requestIdIsEchoedOrGenerated()
{
    HttpResult r = m_http->get(entry("a"), {{"X-Request-Id", "my-request-id-0123456789"}});
    QCOMPARE(r.header("x-request-id"), QByteArray("my-request-id-0123456789"));
    r = m_http->get(entry("a"));
    const QByteArray first = r.header("x-request-id");
    QVERIFY(!first.isEmpty());
    r = m_http->get(entry("a"));
    QVERIFY(r.header("x-request-id") != first);
    // Also on errors and unknown routes.
    m_http->setToken(QString());
    QVERIFY(!m_http->get(entry("a")).header("x-request-id").isEmpty());
    QVERIFY(!m_http->get("/nowhere").header("x-request-id").isEmpty());
}

void TestRestAccess::rateLimitHeadersOnlyWhenLimited()
{
    const HttpResult r = m_http->get(entry("a"));
    QVERIFY(!r.hasHeader("x-ratelimit-limit"));
    QVERIFY(!r.hasHeader("x-ratelimit-remaining"));
}

void TestRestAccess::readAndWriteRateLimits()
{
    dust::lite::ServerConfig config = standardConfig();
    config.readsPerMinute = 4;
    config.writesPerMinute = 2;
    startWith(config);

    HttpResult r = m_http->put(entry("a"), "1");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("x-ratelimit-limit"), QByteArray("2"));
    QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray("1"));
    QCOMPARE(r.header("x-ratelimit-reset"), QByteArray("60"));
    // A POST batch read counts as a write.
    r = m_http->post(TestHttp::entries("/batch"), R"({"paths":["a"]})");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray("0"));
    r = m_http->put(entry("b"), "1");
    QCOMPARE(r.status, 429);
    QCOMPARE(r.object(), obj(R"({"error":"rate_limited"})"));
    QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray("0"));
    bool ok = false;
    const int retryAfter = r.header("retry-after").toInt(&ok);
    QVERIFY(ok);
    QVERIFY(retryAfter >= 1 && retryAfter <= 60);
    QCOMPARE(m_http->get(entry("b")).status, 404); // the limited write did not happen

    // Reads have their own bucket (the GET above was the first read).
    for (int i = 0; i < 3; ++i)
        QCOMPARE(m_http->get(entry("a")).status, 200);
    r = m_http->head(entry("a"));
    QCOMPARE(r.status, 429);
    QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray("0"));

    // Limits are per token.
    m_http->setToken(kReadOnly);
    QCOMPARE(m_http->get(entry("a")).status, 200);
    // Public routes are never limited.
    QCOMPARE(m_http->get("/healthz").status, 200);
}

void TestRestAccess::oversizedBodyIs413AndServerLives()
{
    dust::lite::ServerConfig config = standardConfig();
    config.maxBodyBytes = 64 * 1024;
    startWith(config);
    const QByteArray big = '"' + QByteArray(300 * 1024, 'x') + '"';
    HttpResult r = m_http->put(entry("big"), big);
    QCOMPARE(r.status, 413);
    QCOMPARE(r.error(), QStringLiteral("payload_too_large"));
    QVERIFY(!r.detail().isEmpty());
    r = m_http->post(TestHttp::entries("/batch_write"), big);
    QCOMPARE(r.status, 413);
    QCOMPARE(m_http->get("/healthz").status, 200);
    QCOMPARE(m_http->put(entry("small"), "1").status, 200);
    QCOMPARE(m_http->get(entry("big")).status, 404);
}

void TestRestAccess::oversizedChunkedBodyIs413()
{
    dust::lite::ServerConfig config = standardConfig();
    config.maxBodyBytes = 16 * 1024;
    startWith(config);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    QVERIFY(socket.waitForConnected(10000));
    QByteArray request = "PUT /api/stores/local/demo/entries/big HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Authorization: Bearer dust_tok_dev\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n";
    const QByteArray chunk(32 * 1024, 'x');
    for (int i = 0; i < 8; ++i)
        request += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
    socket.write(request);
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n"), 10000);
    QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.left(200).constData());
    QCOMPARE(m_http->get("/healthz").status, 200);
    QCOMPARE(m_http->get(entry("big")).status, 404);
}

void TestRestAccess::bodyJustUnderTheLimitIsAccepted()
{
    dust::lite::ServerConfig config = standardConfig();
    config.maxBodyBytes = 64 * 1024;
    startWith(config);
    const QByteArray body = '"' + QByteArray(64 * 1024 - 2, 'y') + '"';
    QCOMPARE(body.size(), 64 * 1024);
    QCOMPARE(m_http->put(entry("fits"), body).status, 200);
    QCOMPARE(m_http->get(entry("fits")).object().value("value"_L1).toString().size(),
             64 * 1024 - 2);
    QCOMPARE(m_http->put(entry("fits"), body + ' ').status, 413);
}

void TestRestAccess::expectContinueIsAnswered()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    QVERIFY(socket.waitForConnected(10000));
    const QByteArray body = "\"waited\"";
    socket.write("PUT /api/stores/local/demo/entries/e HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Authorization: Bearer dust_tok_dev\r\nContent-Type: application/json\r\n"
                 "Expect: 100-continue\r\nContent-Length: " +
                 QByteArray::number(body.size()) + "\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n"), 10000);
    QVERIFY2(answer.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), answer.constData());
    answer.clear();
    socket.write(body);
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("store_seq"), 10000);
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
    QCOMPARE(m_http->get(entry("e")).object().value("value"_L1).toString(),
             QStringLiteral("waited"));
}

void TestRestAccess::oversizedHeadersAre431()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    QVERIFY(socket.waitForConnected(10000));
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + QByteArray(200 * 1024, 'f') +
                 "\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n"), 10000);
    QVERIFY2(answer.startsWith("HTTP/1.1 431"), answer.left(200).constData());
    QCOMPARE(m_http->get("/healthz").status, 200);
}

void TestRestAccess::garbageRequestsDoNotHurt()
{
    for (const QByteArray &garbage :
         {QByteArray("GARBAGE\r\n\r\n"), QByteArray("\x00\x01\x02\r\n\r\n", 7),
          QByteArray("GET / HTTP/9.9\r\n\r\n"),
          QByteArray("POST /api/stores HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
          QByteArray("GET /api/stores/local/demo/entries/a HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer \xff\xfe\r\n\r\n")}) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket.waitForConnected(10000));
        socket.write(garbage);
        socket.flush();
        // Whatever happens to that connection, the server goes on serving others.
        QCOMPARE(m_http->get("/healthz").status, 200);
    }

    // Undecodable percent escapes in the store part or the path are answered, not fatal.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    QVERIFY(socket.waitForConnected(10000));
    socket.write("GET /api/stores/%ZZ/x/entries/%ZZ%C3 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Authorization: Bearer dust_tok_dev\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n"), 10000);
    QVERIFY2(answer.startsWith("HTTP/1.1 4"), answer.constData());

    // Methods the API does not have get the framework's 404 envelope.
    const HttpResult r = m_http->send("PATCH", entry("a"), "1");
    QCOMPARE(r.status, 404);
    QCOMPARE(r.object(), obj(R"({"errors":{"detail":"Not Found"}})"));
}

QTEST_GUILESS_MAIN(TestRestAccess)
#include "tst_rest_access.moc"
