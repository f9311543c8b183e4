// The REST error mapping on its own: an HttpResponse (status, body, headers, or why no answer
// came) in, a typed dust::Error out (dust-protocol.md §4.1, §7.4). No server involved.

#include "transport/RestErrors.h"

#include <QTest>
#include <QTimeZone>

using namespace dust;
using namespace std::chrono_literals;

namespace {

const QUrl kDiffUrl(QStringLiteral("http://127.0.0.1:7755/api/stores/acme/site/diff?from_seq=1"));
const QUrl kEntryUrl(QStringLiteral("http://127.0.0.1:7755/api/stores/acme/site/entries/a/b"));
constexpr qint64 kNone = -1;

// "Name: value" lines separated by '\n'.
QList<QNetworkReply::RawHeaderPair> headersFrom(const QByteArray &lines)
{
    QList<QNetworkReply::RawHeaderPair> headers;
    for (const QByteArray &line : lines.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
    }
    return headers;
}

} // namespace

class TestRestErrors : public QObject
{
    Q_OBJECT

private slots:
    void statusMapping_data();
    void statusMapping();
    void transferErrors_data();
    void transferErrors();
    void retryAfter_data();
    void retryAfter();
};

void TestRestErrors::statusMapping_data()
{
    QTest::addColumn<int>("route");
    QTest::addColumn<QByteArray>("verb");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("opIndex");
    QTest::addColumn<qint64>("currentRevision");
    QTest::addColumn<qint64>("retryAfterMs");
    QTest::addColumn<bool>("retryable");

    using K = Error::Kind;
    const int entryRead = int(HttpRequest::Route::EntryRead);
    const int read = int(HttpRequest::Route::Read);
    const int write = int(HttpRequest::Route::Write);
    const QString none;

    QTest::newRow("401 api body") << read << QByteArray("GET") << 401
                                  << QByteArray(R"({"error":"unauthorized","detail":"bad token"})")
                                  << QByteArray() << int(K::Unauthorized)
                                  << QStringLiteral("unauthorized") << QStringLiteral("bad token")
                                  << none << -1 << kNone << qint64(0) << false;
    QTest::newRow("401 text") << read << QByteArray("GET") << 401 << QByteArray("  nope\n")
                              << QByteArray() << int(K::Unauthorized) << QString()
                              << QStringLiteral("nope") << none << -1 << kNone << qint64(0)
                              << false;
    QTest::newRow("403") << write << QByteArray("PUT") << 403
                         << QByteArray(R"({"error":"forbidden","detail":"needs entries:write"})")
                         << QByteArray() << int(K::Forbidden) << QStringLiteral("forbidden")
                         << QStringLiteral("needs entries:write") << none << -1 << kNone
                         << qint64(0) << false;
    QTest::newRow("404 entry read")
        << entryRead << QByteArray("GET") << 404 << QByteArray(R"({"error":"not_found"})")
        << QByteArray() << int(K::NotFound) << QStringLiteral("not_found") << QString()
        << QStringLiteral("a/b") << -1 << kNone << qint64(0) << false;
    QTest::newRow("404 entry read, any body")
        << entryRead << QByteArray("HEAD") << 404 << QByteArray() << QByteArray()
        << int(K::NotFound) << QString() << QString() << QStringLiteral("a/b") << -1 << kNone
        << qint64(0) << false;
    QTest::newRow("404 unknown store")
        << read << QByteArray("GET") << 404 << QByteArray(R"({"error":"not_found"})")
        << QByteArray() << int(K::NotFound) << QStringLiteral("not_found")
        << QStringLiteral("the store acme/site does not exist or is not visible to this token")
        << none << -1 << kNone << qint64(0) << false;
    QTest::newRow("404 phoenix route")
        << read << QByteArray("GET") << 404 << QByteArray(R"({"errors":{"detail":"Not Found"}})")
        << QByteArray() << int(K::NotImplemented) << QString()
        << QStringLiteral("the server has no route for GET "
                          "http://127.0.0.1:7755/api/stores/acme/site/diff (an older deployment?)")
        << none << -1 << kNone << qint64(0) << false;
    QTest::newRow("404 proxy page on a write")
        << write << QByteArray("POST") << 404 << QByteArray("<html>Not here</html>") << QByteArray()
        << int(K::NotImplemented) << QString()
        << QStringLiteral("the server has no route for POST "
                          "http://127.0.0.1:7755/api/stores/acme/site/diff (an older deployment?)")
        << none << -1 << kNone << qint64(0) << false;
    QTest::newRow("405") << entryRead << QByteArray("HEAD") << 405 << QByteArray() << QByteArray()
                         << int(K::NotImplemented) << QString()
                         << QStringLiteral("the server does not allow HEAD "
                                           "http://127.0.0.1:7755/api/stores/acme/site/diff")
                         << none << -1 << kNone << qint64(0) << false;
    QTest::newRow("412 with current revision")
        << write << QByteArray("PUT") << 412
        << QByteArray(R"({"error":"conflict","current_revision":12,"path":"x/y"})") << QByteArray()
        << int(K::Conflict) << QStringLiteral("conflict") << none << QStringLiteral("x/y") << -1
        << qint64(12) << qint64(0) << false;
    QTest::newRow("412 exists") << write << QByteArray("PUT") << 412
                                << QByteArray(R"({"error":"exists"})") << QByteArray()
                                << int(K::Conflict) << QStringLiteral("exists") << none
                                << QStringLiteral("a/b") << -1 << kNone << qint64(0) << false;
    QTest::newRow("412 empty body")
        << write << QByteArray("DELETE") << 412 << QByteArray() << QByteArray() << int(K::Conflict)
        << QStringLiteral("conflict") << none << QStringLiteral("a/b") << -1 << kNone << qint64(0)
        << false;
    QTest::newRow("412 batch op")
        << write << QByteArray("POST") << 412
        << QByteArray(R"({"error":"conflict","op_index":3,"path":"p","current_revision":5})")
        << QByteArray() << int(K::Conflict) << QStringLiteral("conflict") << none
        << QStringLiteral("p") << 3 << qint64(5) << qint64(0) << false;
    QTest::newRow("429 retry-after")
        << read << QByteArray("GET") << 429 << QByteArray(R"({"error":"rate_limited"})")
        << QByteArray("Retry-After: 7") << int(K::RateLimited) << QStringLiteral("rate_limited")
        << none << none << -1 << kNone << qint64(7000) << true;
    QTest::newRow("429 header case")
        << read << QByteArray("GET") << 429 << QByteArray() << QByteArray("retry-after:  2 ")
        << int(K::RateLimited) << QStringLiteral("rate_limited") << none << none << -1 << kNone
        << qint64(2000) << true;
    QTest::newRow("429 no header")
        << read << QByteArray("GET") << 429 << QByteArray() << QByteArray() << int(K::RateLimited)
        << QStringLiteral("rate_limited") << none << none << -1 << kNone << qint64(0) << true;
    QTest::newRow("400 detail") << read << QByteArray("GET") << 400
                                << QByteArray(R"({"error":"invalid_params","detail":"bad x"})")
                                << QByteArray() << int(K::InvalidParams)
                                << QStringLiteral("invalid_params") << QStringLiteral("bad x")
                                << none << -1 << kNone << qint64(0) << false;
    QTest::newRow("400 code only")
        << read << QByteArray("GET") << 400 << QByteArray(R"({"error":"invalid_pattern"})")
        << QByteArray() << int(K::InvalidParams) << QStringLiteral("invalid_pattern")
        << QStringLiteral("invalid_pattern") << none << -1 << kNone << qint64(0) << false;
    QTest::newRow("422 object detail")
        << write << QByteArray("POST") << 422
        << QByteArray(R"({"error":"invalid","detail":{"field":"x"}})") << QByteArray()
        << int(K::InvalidParams) << QStringLiteral("invalid") << QStringLiteral(R"({"field":"x"})")
        << none << -1 << kNone << qint64(0) << false;
    QTest::newRow("400 batch op index")
        << write << QByteArray("POST") << 400
        << QByteArray(R"({"error":"invalid_op","detail":"no path","op_index":2})") << QByteArray()
        << int(K::InvalidParams) << QStringLiteral("invalid_op") << QStringLiteral("no path")
        << none << 2 << kNone << qint64(0) << false;
    QTest::newRow("409 compacted")
        << read << QByteArray("GET") << 409
        << QByteArray(R"({"error":"compacted","earliest_available":7})") << QByteArray()
        << int(K::InvalidParams) << QStringLiteral("compacted")
        << QStringLiteral("the op log starts at seq 7") << none << -1 << kNone << qint64(0)
        << false;
    QTest::newRow("500 phoenix") << read << QByteArray("GET") << 500
                                 << QByteArray(R"({"errors":{"detail":"Internal Server Error"}})")
                                 << QByteArray() << int(K::Http) << QString()
                                 << QStringLiteral("Internal Server Error") << none << -1 << kNone
                                 << qint64(0) << true;
    QTest::newRow("502 html") << read << QByteArray("GET") << 502
                              << QByteArray("<html><body>Bad\n gateway</body></html>")
                              << QByteArray() << int(K::Http) << QString()
                              << QStringLiteral("<html><body>Bad gateway</body></html>") << none
                              << -1 << kNone << qint64(0) << true;
    QTest::newRow("503 long text")
        << read << QByteArray("GET") << 503 << QByteArray(250, 'x') << QByteArray() << int(K::Http)
        << QString() << QString(200, QLatin1Char('x')) + QStringLiteral("…") << none << -1 << kNone
        << qint64(0) << true;
    QTest::newRow("302 location") << read << QByteArray("GET") << 302 << QByteArray()
                                  << QByteArray("Location: https://elsewhere/") << int(K::Http)
                                  << QString() << QStringLiteral("redirected to https://elsewhere/")
                                  << none << -1 << kNone << qint64(0) << false;
    QTest::newRow("301 no location")
        << write << QByteArray("PUT") << 301 << QByteArray() << QByteArray() << int(K::Http)
        << QString() << QStringLiteral("redirected") << none << -1 << kNone << qint64(0) << false;
}

void TestRestErrors::statusMapping()
{
    QFETCH(int, route);
    QFETCH(QByteArray, verb);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, headers);
    QFETCH(int, kind);
    QFETCH(QString, reason);
    QFETCH(QString, detail);
    QFETCH(QString, path);
    QFETCH(int, opIndex);
    QFETCH(qint64, currentRevision);
    QFETCH(qint64, retryAfterMs);
    QFETCH(bool, retryable);

    HttpResponse response;
    response.route = static_cast<HttpRequest::Route>(route);
    response.verb = verb;
    response.url = kDiffUrl;
    response.subject =
        route == int(HttpRequest::Route::EntryRead) || route == int(HttpRequest::Route::Write)
            ? QStringLiteral("a/b")
            : QStringLiteral("acme/site");
    response.status = status;
    response.body = body;
    response.headers = headersFrom(headers);
    if (status >= 400)
        response.networkError = QNetworkReply::ProtocolInvalidOperationError;

    const Error error = resterrors::errorOf(response);
    QCOMPARE(int(error.kind()), kind);
    QCOMPARE(error.httpStatus(), status);
    QCOMPARE(error.reason(), reason);
    if (!detail.isNull())
        QCOMPARE(error.detail(), detail);
    if (!path.isNull())
        QCOMPARE(error.path(), path);
    QCOMPARE(error.opIndex(), opIndex < 0 ? std::nullopt : std::optional<int>(opIndex));
    QCOMPARE(error.currentRevision(),
             currentRevision < 0 ? std::nullopt : std::optional<qint64>(currentRevision));
    QCOMPARE(error.retryAfter(), std::chrono::milliseconds(retryAfterMs));
    QCOMPARE(error.retryable(), retryable);
    // Only a compacted diff names where the op log starts, and as a number a caller can offer.
    QCOMPARE(error.earliestAvailable(), status == 409 ? std::optional<qint64>(7) : std::nullopt);
    QVERIFY(!error.message().isEmpty());
    // The status alone decides: the same answer mapped directly gives the same error.
    const Error direct = resterrors::statusError(response);
    QCOMPARE(int(direct.kind()), kind);
    QCOMPARE(direct.detail(), error.detail());
}

void TestRestErrors::transferErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("networkError");
    QTest::addColumn<QString>("errorString");
    QTest::addColumn<bool>("tooLarge");
    QTest::addColumn<bool>("cancelled");
    QTest::addColumn<bool>("closing");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("detail");

    using K = Error::Kind;
    using N = QNetworkReply::NetworkError;
    const QString url =
        QStringLiteral("GET http://127.0.0.1:7755/api/stores/acme/site/entries/a/b");
    const QString server = QStringLiteral("http://127.0.0.1:7755");

    QTest::newRow("closing") << 0 << int(N::OperationCanceledError) << QString() << false << false
                             << true << int(K::Cancelled)
                             << QStringLiteral("the connection to %1 was closed").arg(server);
    QTest::newRow("closing beats a status")
        << 500 << int(N::OperationCanceledError) << QString() << false << false << true
        << int(K::Cancelled) << QStringLiteral("the connection to %1 was closed").arg(server);
    QTest::newRow("cancelled") << 0 << int(N::OperationCanceledError) << QString() << false << true
                               << false << int(K::Cancelled)
                               << QStringLiteral("%1 was cancelled").arg(url);
    QTest::newRow("too large")
        << 200 << int(N::OperationCanceledError) << QString() << true << false << false
        << int(K::Protocol)
        << QStringLiteral("the answer to %1 is larger than 1024 bytes").arg(url);
    QTest::newRow("refused")
        << 0 << int(N::ConnectionRefusedError) << QString() << false << false << false
        << int(K::Network)
        << QStringLiteral("%1 refused the connection (is the server running?)").arg(server);
    QTest::newRow("host not found")
        << 0 << int(N::HostNotFoundError) << QString() << false << false << false << int(K::Network)
        << QStringLiteral("host not found: 127.0.0.1");
    QTest::newRow("write not re-sent")
        << 0 << int(N::ContentReSendError) << QString() << false << false << false
        << int(K::Network)
        << QStringLiteral("%1 closed the connection before answering %2; the write was not sent "
                          "again and may or may not have been applied")
               .arg(server, url);
    QTest::newRow("closed early")
        << 0 << int(N::RemoteHostClosedError) << QString() << false << false << false
        << int(K::Network)
        << QStringLiteral("%1 closed the connection before answering %2").arg(server, url);
    QTest::newRow("cut off mid-body")
        << 200 << int(N::RemoteHostClosedError) << QString() << false << false << false
        << int(K::Network)
        << QStringLiteral("%1 closed the connection before answering %2").arg(server, url);
    QTest::newRow("timeout")
        << 0 << int(N::OperationCanceledError) << QString() << false << false << false
        << int(K::Network)
        << QStringLiteral("%1 timed out: nothing came from %2 for 250 ms").arg(url, server);
    QTest::newRow("timeout error")
        << 0 << int(N::TimeoutError) << QString() << false << false << false << int(K::Network)
        << QStringLiteral("%1 timed out: nothing came from %2 for 250 ms").arg(url, server);
    QTest::newRow("other") << 0 << int(N::SslHandshakeFailedError) << QStringLiteral("bad cert")
                           << false << false << false << int(K::Network)
                           << QStringLiteral("%1 to %2 failed: bad cert").arg(url, server);
}

void TestRestErrors::transferErrors()
{
    QFETCH(int, status);
    QFETCH(int, networkError);
    QFETCH(QString, errorString);
    QFETCH(bool, tooLarge);
    QFETCH(bool, cancelled);
    QFETCH(bool, closing);
    QFETCH(int, kind);
    QFETCH(QString, detail);

    HttpResponse response;
    response.route = HttpRequest::Route::EntryRead;
    response.verb = "GET";
    response.url = kEntryUrl;
    response.subject = QStringLiteral("a/b");
    response.timeout = 250ms;
    response.maxBytes = 1024;
    response.status = status;
    response.networkError = static_cast<QNetworkReply::NetworkError>(networkError);
    response.errorString = errorString;
    response.tooLarge = tooLarge;
    response.cancelled = cancelled;
    response.closing = closing;
    QVERIFY(!response.succeeded());

    const Error error = resterrors::errorOf(response);
    QCOMPARE(int(error.kind()), kind);
    QCOMPARE(error.detail(), detail);
    QCOMPARE(error.retryable(), kind == int(Error::Kind::Network));
}

void TestRestErrors::retryAfter_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("ms");

    QTest::newRow("seconds") << QByteArray("7") << qint64(7000);
    QTest::newRow("spaces") << QByteArray(" 12 ") << qint64(12000);
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("negative") << QByteArray("-3") << qint64(0);
    QTest::newRow("absent") << QByteArray() << qint64(0);
    QTest::newRow("garbage") << QByteArray("soon") << qint64(0);
    QTest::newRow("date ahead") << QByteArray("Mon, 01 Jan 2024 12:00:30 +0000") << qint64(30000);
    QTest::newRow("date behind") << QByteArray("Mon, 01 Jan 2024 11:59:00 +0000") << qint64(0);
}

void TestRestErrors::retryAfter()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, ms);
    const QDateTime now(QDate(2024, 1, 1), QTime(12, 0), QTimeZone::utc());
    QCOMPARE(resterrors::retryAfter(header, now), std::chrono::milliseconds(ms));
}

QTEST_GUILESS_MAIN(TestRestErrors)
#include "tst_resterrors.moc"
