// HttpTransport's errors: the classes dustlite answers with (401, 403, unknown store, 429),
// and, through a small fake server, what dustlite never does: missing routes and methods,
// odd statuses, garbage bodies, dead, killed and silent servers, oversized answers, cancels.

#include "DustliteProcess.h"
#include "HttpTestSupport.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

using namespace httptest;
using namespace std::chrono_literals;

class TestHttpTransportErrors : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void unauthorizedToken();
    void forbiddenWithoutWriteScope();
    void unknownStore();
    void rateLimited();
    void existsFallsBackToListingsOn405();
    void missingWriteRouteIsNotImplemented();
    void statusMapping_data();
    void statusMapping();
    void malformedBodiesAreProtocolErrors_data();
    void malformedBodiesAreProtocolErrors();
    void deadServerIsNetworkError();
    void killedServerIsNetworkError();
    void silentServerTimesOut();
    void writesAreNeverResent();
    void oversizedResponseIsCutOff();
    void cancellingAbortsTheRequest();
    void destroyingFinishesPendingCalls();

private:
    std::unique_ptr<HttpTransport> transport(const QString &token = kToken) const
    {
        return m_server.transport(token);
    }

    TestServer m_server;
};

void TestHttpTransportErrors::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestHttpTransportErrors::cleanupTestCase()
{
    m_server.stop();
}

void TestHttpTransportErrors::unauthorizedToken()
{
    for (const QString &token : {QStringLiteral("dust_tok_wrong"), QStringLiteral("not_a_token")}) {
        auto http = transport(token);
        const auto got = await(http->get(store(), path(QStringLiteral("a"))));
        EXPECT_ERROR(got, Error::Kind::Unauthorized);
        QCOMPARE(got.error().httpStatus(), 401);
        EXPECT_ERROR(await(http->put(store(), path(QStringLiteral("a")), 1)),
                     Error::Kind::Unauthorized);
        EXPECT_ERROR(await(http->list(store(), {})), Error::Kind::Unauthorized);
        EXPECT_ERROR(await(http->exists(store(), path(QStringLiteral("a")))),
                     Error::Kind::Unauthorized);
    }
}

void TestHttpTransportErrors::forbiddenWithoutWriteScope()
{
    auto writer = transport();
    EXPECT_OK(await(writer->put(store(), path(QStringLiteral("ro/x")), 1)));
    auto reader = transport(kReadOnlyToken);
    EXPECT_OK(await(reader->get(store(), path(QStringLiteral("ro/x")))));
    const auto put = await(reader->put(store(), path(QStringLiteral("ro/x")), 2));
    EXPECT_ERROR(put, Error::Kind::Forbidden);
    QCOMPARE(put.error().httpStatus(), 403);
    EXPECT_ERROR(await(reader->remove(store(), path(QStringLiteral("ro/x")))),
                 Error::Kind::Forbidden);
    EXPECT_ERROR(
        await(reader->batchWrite(
            store(), {BatchOp{Op::Delete, path(QStringLiteral("ro/x")), {}, std::nullopt}})),
        Error::Kind::Forbidden);
    const auto still = await(writer->get(store(), path(QStringLiteral("ro/x"))));
    EXPECT_OK(still);
    QCOMPARE(still->value, QJsonValue(1));
}

void TestHttpTransportErrors::unknownStore()
{
    auto http = transport();
    // The write route exists, the store does not: the API's own 404 body → NotFound.
    const auto put =
        await(http->put(QStringLiteral("acme/nosuchstore"), path(QStringLiteral("a")), 1));
    EXPECT_ERROR(put, Error::Kind::NotFound);
    EXPECT_ERROR(await(http->get(QStringLiteral("acme/nosuchstore"), path(QStringLiteral("a")))),
                 Error::Kind::NotFound);
    EXPECT_ERROR(await(http->list(QStringLiteral("otherorg/site"), {})), Error::Kind::NotFound);
}

void TestHttpTransportErrors::rateLimited()
{
    test::InProcessDustlite limited;
    TestServer::configure(limited);
    limited.config().writesPerMinute = 2;
    QVERIFY2(limited.start(), qPrintable(limited.errorString()));
    HttpTransport http(limited.baseUrl(), kToken);
    EXPECT_OK(await(http.put(store(), path(QStringLiteral("rl/1")), 1)));
    EXPECT_OK(await(http.put(store(), path(QStringLiteral("rl/2")), 2)));
    const auto third = await(http.put(store(), path(QStringLiteral("rl/3")), 3));
    EXPECT_ERROR(third, Error::Kind::RateLimited);
    QVERIFY(third.error().retryAfter() > 0ms);
    QVERIFY(third.error().retryAfter() <= 60s);
    QVERIFY(third.error().retryable());
    // Reads have their own bucket.
    EXPECT_OK(await(http.get(store(), path(QStringLiteral("rl/1")))));
}

// A proxy in front of dustlite that answers HEAD with 405 (as old deployments did) and
// forwards everything else, so the fallback's listings run against the real server.
void TestHttpTransportErrors::existsFallsBackToListingsOn405()
{
    QNetworkAccessManager forwarder;
    const QUrl upstream = m_server.baseUrl();
    FakeHttpServer proxy([&forwarder, upstream](const RawRequest &request,
                                                const FakeHttpServer::Exchange &exchange) {
        if (request.method == "HEAD") {
            exchange.send(FakeHttpServer::response(405, {}, {}, "text/plain", true));
            return;
        }
        QNetworkRequest forward(QUrl::fromEncoded(upstream.toEncoded() + request.target));
        forward.setRawHeader("Authorization", request.header("Authorization"));
        QNetworkReply *reply = forwarder.sendCustomRequest(forward, request.method);
        QObject::connect(reply, &QNetworkReply::finished, reply, [reply, exchange] {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            exchange.send(FakeHttpServer::response(status, reply->readAll()));
            reply->deleteLater();
        });
    });

    auto direct = transport();
    // Siblings that sort between "fb/a" and "fb/a/…": "fb/a-x", "fb/a.x", "fb/a x".
    EXPECT_OK(await(direct->put(store(), path(QStringLiteral("fb/a-x")), 1)));
    EXPECT_OK(await(direct->put(store(), path(QStringLiteral("fb/a.x")), 1)));
    EXPECT_OK(await(direct->put(store(), path(QStringLiteral("fb/leaf")), 1)));
    EXPECT_OK(await(direct->put(store(), path(QStringLiteral("fb/leaf-sibling")), 1)));
    EXPECT_OK(await(direct->put(store(), path(QStringLiteral("fb/a/child")), 1)));
    EXPECT_OK(await(direct->put(store(), path(QStringLiteral("fb/b-x")), 1)));

    HttpTransport http(proxy.baseUrl(), kToken);
    const QList<std::pair<QString, bool>> cases{
        {QStringLiteral("fb/a"), true},    // descendants only, siblings sort first
        {QStringLiteral("fb/leaf"), true}, // a leaf with a sibling after it
        {QStringLiteral("fb/b"), false},   // only a sibling in range
        {QStringLiteral("fb/c"), false},   // nothing at all
        {QStringLiteral("fb"), true},      {QStringLiteral("fb/a/child"), true},
    };
    for (const auto &[where, expected] : cases) {
        const int before = proxy.requests().size();
        const auto found = await(http.exists(store(), path(where)));
        EXPECT_OK(found);
        QVERIFY2(*found == expected, qPrintable(where));
        QVERIFY(proxy.requests().size() - before >= 2); // HEAD, then listings
        QCOMPARE(proxy.requests().at(before).method, QByteArray("HEAD"));
        for (qsizetype i = before + 1; i < proxy.requests().size(); ++i) {
            QVERIFY(proxy.requests().at(i).target.contains("select=keys"));
            QVERIFY(proxy.requests().at(i).target.contains("limit=1&"));
        }
    }
    // An unknown store reads as absent, as the 404 of HEAD does.
    const auto unknown =
        await(http.exists(QStringLiteral("acme/nosuchstore"), path(QStringLiteral("x"))));
    EXPECT_OK(unknown);
    QVERIFY(!*unknown);
}

void TestHttpTransportErrors::missingWriteRouteIsNotImplemented()
{
    FakeHttpServer fake([](const RawRequest &request, const FakeHttpServer::Exchange &exchange) {
        if (request.target.contains("/nosuchstore/"))
            exchange.send(FakeHttpServer::response(404, R"({"error":"not_found"})"));
        else
            exchange.send(FakeHttpServer::response(404, R"({"errors":{"detail":"Not Found"}})"));
    });
    HttpTransport http(fake.baseUrl(), kToken);
    const auto put = await(http.put(store(), path(QStringLiteral("a")), 1));
    EXPECT_ERROR(put, Error::Kind::NotImplemented);
    QCOMPARE(put.error().httpStatus(), 404);
    QVERIFY(!put.error().retryable());
    EXPECT_ERROR(await(http.remove(store(), path(QStringLiteral("a")))),
                 Error::Kind::NotImplemented);
    EXPECT_ERROR(await(http.batchWrite(
                     store(), {BatchOp{Op::Delete, path(QStringLiteral("a")), {}, std::nullopt}})),
                 Error::Kind::NotImplemented);
    EXPECT_ERROR(await(http.auditLog(store(), {})), Error::Kind::NotImplemented);
    // The same 404 on reading an entry is NotFound, and the API's own body on a write route is
    // NotFound too (the store is unknown, the route is there).
    EXPECT_ERROR(await(http.get(store(), path(QStringLiteral("a")))), Error::Kind::NotFound);
    EXPECT_ERROR(await(http.put(QStringLiteral("acme/nosuchstore"), path(QStringLiteral("a")), 1)),
                 Error::Kind::NotFound);
}

void TestHttpTransportErrors::statusMapping_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("extraHeader");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<bool>("retryable");
    using K = Error::Kind;
    QTest::newRow("400") << 400 << QByteArray(R"({"error":"invalid_params","detail":"bad x"})")
                         << QByteArray() << int(K::InvalidParams)
                         << QStringLiteral("invalid_params") << false;
    QTest::newRow("409 compacted")
        << 409 << QByteArray(R"({"error":"compacted","earliest_available":7})") << QByteArray()
        << int(K::InvalidParams) << QStringLiteral("compacted") << false;
    QTest::newRow("405") << 405 << QByteArray() << QByteArray() << int(K::NotImplemented)
                         << QString() << false;
    QTest::newRow("429") << 429 << QByteArray(R"({"error":"rate_limited"})")
                         << QByteArray("Retry-After: 7") << int(K::RateLimited)
                         << QStringLiteral("rate_limited") << true;
    QTest::newRow("500 phoenix") << 500
                                 << QByteArray(R"({"errors":{"detail":"Internal Server Error"}})")
                                 << QByteArray() << int(K::Http) << QString() << true;
    QTest::newRow("502 html") << 502 << QByteArray("<html><body>Bad gateway</body></html>")
                              << QByteArray() << int(K::Http) << QString() << true;
    QTest::newRow("401 text") << 401 << QByteArray("nope") << QByteArray() << int(K::Unauthorized)
                              << QString() << false;
    QTest::newRow("302") << 302 << QByteArray() << QByteArray("Location: https://elsewhere/")
                         << int(K::Http) << QString() << false;
}

void TestHttpTransportErrors::statusMapping()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, extraHeader);
    QFETCH(int, kind);
    QFETCH(QString, reason);
    QFETCH(bool, retryable);
    QList<std::pair<QByteArray, QByteArray>> headers;
    if (!extraHeader.isEmpty()) {
        const qsizetype colon = extraHeader.indexOf(':');
        headers.append({extraHeader.left(colon), extraHeader.mid(colon + 1).trimmed()});
    }
    FakeHttpServer fake([&](const RawRequest &, const FakeHttpServer::Exchange &exchange) {
        exchange.send(FakeHttpServer::response(
            status, body, headers, body.startsWith('<') ? "text/html" : "application/json"));
    });
    HttpTransport http(fake.baseUrl(), kToken);
    const auto result = await(http.diff(store(), 1, 2));
    EXPECT_ERROR(result, static_cast<Error::Kind>(kind));
    QCOMPARE(result.error().httpStatus(), status);
    QCOMPARE(result.error().reason(), reason);
    QCOMPARE(result.error().retryable(), retryable);
    QVERIFY(!result.error().message().isEmpty());
    if (status == 429)
        QCOMPARE(result.error().retryAfter(), 7000ms);
    if (status == 400)
        QCOMPARE(result.error().detail(), QStringLiteral("bad x"));
    if (status == 409)
        QVERIFY(result.error().detail().contains(QStringLiteral("7")));
    if (status == 502)
        QVERIFY(result.error().message().contains(QStringLiteral("Bad gateway")));
    QCOMPARE(fake.requests().size(), 1); // never retried
}

void TestHttpTransportErrors::malformedBodiesAreProtocolErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("garbage") << QByteArray("{\"items\": [1, 2,");
    QTest::newRow("not json") << QByteArray("<html>hello</html>");
    QTest::newRow("array") << QByteArray("[1,2,3]");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("no items") << QByteArray(R"({"next_cursor":null})");
    QTest::newRow("bad item") << QByteArray(R"({"items":[{"path":"a//b","revision":1}]})");
    QTest::newRow("no revision") << QByteArray(R"({"items":[{"path":"a","value":1}]})");
    QTest::newRow("bad cursor") << QByteArray(R"({"items":[],"next_cursor":5})");
}

void TestHttpTransportErrors::malformedBodiesAreProtocolErrors()
{
    QFETCH(QByteArray, body);
    FakeHttpServer fake([&](const RawRequest &, const FakeHttpServer::Exchange &exchange) {
        exchange.send(FakeHttpServer::response(200, body));
    });
    HttpTransport http(fake.baseUrl(), kToken);
    const auto listed = await(http.list(store(), {}));
    EXPECT_ERROR(listed, Error::Kind::Protocol);
    QVERIFY(!listed.error().retryable());
    EXPECT_ERROR(await(http.get(store(), path(QStringLiteral("a")))), Error::Kind::Protocol);
    EXPECT_ERROR(await(http.put(store(), path(QStringLiteral("a")), 1)), Error::Kind::Protocol);
}

void TestHttpTransportErrors::deadServerIsNetworkError()
{
    // A port that was just free: nothing listens there.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    HttpTransport http(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), kToken);
    const auto got = await(http.get(store(), path(QStringLiteral("a"))));
    EXPECT_ERROR(got, Error::Kind::Network);
    QVERIFY2(got.error().message().contains(QStringLiteral("refused")),
             qPrintable(got.error().message()));
    QVERIFY(got.error().retryable());
    EXPECT_ERROR(await(http.put(store(), path(QStringLiteral("a")), 1)), Error::Kind::Network);
}

void TestHttpTransportErrors::killedServerIsNetworkError()
{
    test::DustliteProcess killable;
    QVERIFY2(killable.start({QStringLiteral("--store"), store(), QStringLiteral("--token"),
                             kToken + QStringLiteral("@acme")}),
             qPrintable(killable.errorString()));
    HttpTransport http(killable.baseUrl(), kToken);
    EXPECT_OK(await(http.put(store(), path(QStringLiteral("k/a")), 1)));
    EXPECT_OK(await(http.get(store(), path(QStringLiteral("k/a")))));
    killable.kill();
    const auto got = await(http.get(store(), path(QStringLiteral("k/a"))));
    EXPECT_ERROR(got, Error::Kind::Network);
    EXPECT_ERROR(await(http.put(store(), path(QStringLiteral("k/b")), 1)), Error::Kind::Network);
}

void TestHttpTransportErrors::silentServerTimesOut()
{
    FakeHttpServer fake([](const RawRequest &, const FakeHttpServer::Exchange &) {});
    HttpTransport http(fake.baseUrl(), kToken);
    http.setTransferTimeout(300ms);
    QCOMPARE(http.transferTimeout(), 300ms);
    const auto got = await(http.get(store(), path(QStringLiteral("a"))));
    EXPECT_ERROR(got, Error::Kind::Network);
    QVERIFY2(got.error().message().contains(QStringLiteral("300 ms")),
             qPrintable(got.error().message()));
    const auto put = await(http.put(store(), path(QStringLiteral("a")), 1));
    EXPECT_ERROR(put, Error::Kind::Network);
    QCOMPARE(fake.requests().size(), 2);
}

void TestHttpTransportErrors::writesAreNeverResent()
{
    // Reads are answered and keep their connection alive; the server drops the connection
    // upon reading each write, without answering. Qt re-sends a request by itself when a
    // kept-alive connection turns out closed: a write must still reach the server once.
    FakeHttpServer fake([](const RawRequest &request, const FakeHttpServer::Exchange &exchange) {
        if (request.method == "GET")
            exchange.send(FakeHttpServer::response(
                200, R"({"path":"a","value":1,"type":"integer","revision":1})"));
        else
            exchange.close();
    });
    HttpTransport http(fake.baseUrl(), kToken);
    const auto countOf = [&fake](const QByteArray &method) {
        int n = 0;
        for (const RawRequest &request : fake.requests())
            n += request.method == method;
        return n;
    };
    for (int round = 0; round < 2; ++round) {
        EXPECT_OK(await(http.get(store(), path(QStringLiteral("a")))));
        EXPECT_ERROR(await(http.put(store(), path(QStringLiteral("a")), 2)), Error::Kind::Network);
        EXPECT_OK(await(http.get(store(), path(QStringLiteral("a")))));
        EXPECT_ERROR(await(http.remove(store(), path(QStringLiteral("a")))), Error::Kind::Network);
        EXPECT_ERROR(
            await(http.batchWrite(
                store(), {BatchOp{Op::Delete, path(QStringLiteral("a")), {}, std::nullopt}})),
            Error::Kind::Network);
        EXPECT_ERROR(await(http.put(store(), path(QStringLiteral("a/./b")), 2)),
                     Error::Kind::Network);
    }
    QCOMPARE(countOf("PUT"), 2);
    QCOMPARE(countOf("DELETE"), 2);
    QCOMPARE(countOf("POST"), 4);
    for (const RawRequest &request : fake.requests()) {
        if (request.method != "GET")
            QCOMPARE(request.header("Connection"), QByteArray("close"));
    }
}

void TestHttpTransportErrors::oversizedResponseIsCutOff()
{
    const QByteArray big = "{\"items\":[\"" + QByteArray(64 * 1024, 'x') + "\"]}";
    FakeHttpServer fake([&](const RawRequest &request, const FakeHttpServer::Exchange &exchange) {
        if (request.target.contains("/log"))
            exchange.send(FakeHttpServer::response(400, big)); // a huge error body
        else
            exchange.send(FakeHttpServer::response(200, big));
    });
    HttpTransport http(fake.baseUrl(), kToken);
    http.setMaxResponseBytes(16 * 1024);
    ListQuery keys;
    keys.select = ListQuery::Select::Keys;
    const auto listed = await(http.list(store(), keys));
    EXPECT_ERROR(listed, Error::Kind::Protocol);
    QVERIFY2(listed.error().message().contains(QStringLiteral("larger than")),
             qPrintable(listed.error().message()));
    // An error body beyond what any error needs is dropped; the status still maps.
    const auto log = await(http.auditLog(store(), {}));
    EXPECT_ERROR(log, Error::Kind::InvalidParams);
    QCOMPARE(log.error().httpStatus(), 400);
    http.setMaxResponseBytes(HttpTransport::kDefaultMaxResponseBytes);
    const auto whole = await(http.list(store(), keys));
    EXPECT_OK(whole);
    QCOMPARE(whole->paths.value(0).size(), 64 * 1024);
}

void TestHttpTransportErrors::cancellingAbortsTheRequest()
{
    FakeHttpServer fake([](const RawRequest &, const FakeHttpServer::Exchange &) {});
    HttpTransport http(fake.baseUrl(), kToken);
    auto future = http.get(store(), path(QStringLiteral("a")));
    QTRY_COMPARE(fake.requests().size(), 1);
    future.cancel();
    QTRY_COMPARE(fake.disconnects(), 1);
    QVERIFY(future.isCanceled());
}

void TestHttpTransportErrors::destroyingFinishesPendingCalls()
{
    FakeHttpServer fake([](const RawRequest &, const FakeHttpServer::Exchange &) {});
    auto http = std::make_unique<HttpTransport>(fake.baseUrl(), kToken);
    auto future = http->get(store(), path(QStringLiteral("a")));
    auto existence = http->exists(store(), path(QStringLiteral("a")));
    QTRY_COMPARE(fake.requests().size(), 2);
    http.reset();
    QVERIFY(future.isFinished());
    const auto result = future.result();
    EXPECT_ERROR(result, Error::Kind::Cancelled);
    QVERIFY(existence.isFinished());
    EXPECT_ERROR(existence.result(), Error::Kind::Cancelled);
}

QTEST_GUILESS_MAIN(TestHttpTransportErrors)
#include "tst_httptransport_errors.moc"
