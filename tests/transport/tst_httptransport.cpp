// HttpTransport against a real dustlite on 127.0.0.1 (port 0) and, for what dustlite never
// does (missing routes, 405 on HEAD, garbage, silence), a small QTcpServer-based fake.

#include "transport/HttpTransport.h"

#include "DustliteProcess.h"
#include "InProcessDustlite.h"
#include "TestAwait.h"

#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <functional>
#include <memory>

using namespace dust;
using namespace std::chrono_literals;

namespace {

constexpr char kStore[] = "acme/site";
const QString kToken = QStringLiteral("dust_tok_full");
const QString kReadOnlyToken = QStringLiteral("dust_tok_reader");

QString store()
{
    return QString::fromLatin1(kStore);
}

using dust::test::await;
using dust::test::path;
using dust::test::segments;

QString describe(const Error &error)
{
    return Error::kindName(error.kind()) + QStringLiteral(": ") + error.message();
}

// Both evaluate `result` once (it is often the call under test).
#define EXPECT_OK(result)                                                                          \
    do {                                                                                           \
        const auto &checked_ = (result);                                                           \
        if (!checked_)                                                                             \
            QFAIL(qPrintable(QStringLiteral("unexpected error: ") + describe(checked_.error())));  \
    } while (false)

#define EXPECT_ERROR(result, errorKind)                                                            \
    do {                                                                                           \
        const auto &checked_ = (result);                                                           \
        if (checked_)                                                                              \
            QFAIL("expected an error, got a value");                                               \
        if (checked_.error().kind() != (errorKind))                                                \
            QFAIL(qPrintable(QStringLiteral("expected ") + Error::kindName(errorKind) +            \
                             QStringLiteral(", got ") + describe(checked_.error())));              \
    } while (false)

// ---- a fake HTTP server -------------------------------------------------------------------

struct RawRequest
{
    QByteArray method;
    QByteArray target; // as sent, still percent-encoded
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

// A minimal HTTP/1.1 server: parses requests and lets the test's handler answer each one
// (or close the connection, or stay silent).
class FakeHttpServer : public QObject
{
public:
    // How the handler answers: send(bytes) writes a response, close() drops the
    // connection; doing neither leaves the client waiting.
    class Exchange
    {
    public:
        explicit Exchange(QTcpSocket *socket)
            : m_socket(socket)
        {}
        void send(const QByteArray &bytes) const
        {
            if (m_socket)
                m_socket->write(bytes);
        }
        void close() const
        {
            if (m_socket)
                m_socket->abort();
        }

    private:
        QPointer<QTcpSocket> m_socket;
    };
    using Handler = std::function<void(const RawRequest &, const Exchange &)>;

    explicit FakeHttpServer(Handler handler)
        : m_handler(std::move(handler))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                ++m_connections;
                QObject::connect(socket, &QTcpSocket::readyRead, this,
                                 [this, socket] { onReadyRead(socket); });
                QObject::connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                    ++m_disconnects;
                    socket->deleteLater();
                });
            }
        });
        if (!m_server.listen(QHostAddress::LocalHost, 0))
            qFatal("fake server cannot listen");
    }

    QUrl baseUrl() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
    }
    const QList<RawRequest> &requests() const { return m_requests; }
    int connections() const { return m_connections; }
    int disconnects() const { return m_disconnects; }

    static QByteArray response(int status, const QByteArray &body,
                               const QList<std::pair<QByteArray, QByteArray>> &headers = {},
                               const QByteArray &contentType = "application/json",
                               bool head = false)
    {
        QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + " Status\r\n";
        out += "Content-Type: " + contentType + "\r\n";
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        for (const auto &[key, value] : headers)
            out += key + ": " + value + "\r\n";
        out += "\r\n";
        if (!head)
            out += body;
        return out;
    }

private:
    void onReadyRead(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            RawRequest request;
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            request.method = first.value(0);
            request.target = first.value(1);
            qsizetype length = 0;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines.at(i).trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                const QByteArray key = line.left(colon).trimmed();
                const QByteArray value = line.mid(colon + 1).trimmed();
                request.headers.append({key, value});
                if (key.compare("Content-Length", Qt::CaseInsensitive) == 0)
                    length = value.toLongLong();
            }
            if (buffer.size() < end + 4 + length)
                return;
            request.body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            m_requests.append(request);
            m_handler(request, Exchange(socket));
            if (socket->state() != QAbstractSocket::ConnectedState)
                return;
        }
    }

    QTcpServer m_server;
    Handler m_handler;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<RawRequest> m_requests;
    int m_connections = 0;
    int m_disconnects = 0;
};

} // namespace

class TestHttpTransport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void rejectsBadArgumentsUpFront();
    void putGetRoundTripsAwkwardPaths_data();
    void putGetRoundTripsAwkwardPaths();
    void encodesPathsAndQueriesOnTheWire();
    void dotSegmentsRoundTrip();
    void putsEveryValueKind();
    void keepsTheBaseUrlPrefixAndReadsTheEtag();
    void putsTheEmptyObject();
    void getAssemblesSubtrees();
    void getMissingIsNotFound();
    void existsUsesHead();
    void existsFallsBackToListingsOn405();
    void removeDeletesSubtree();
    void conflictsCarryTheCurrentRevision();
    void batchWriteAppliesAllOrNothing();
    void listSelectsKeysAndPrefixes();
    void listRangeMode();
    void listPagesThroughManyEntriesBothWays();
    void listRejectsBadQueries();
    void unauthorizedToken();
    void forbiddenWithoutWriteScope();
    void unknownStore();
    void rateLimited();
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
    void continuationRunsOnContext();
    void webSocketOnlyOperationsAreNotSupported();
    void auditLogUnwrapsValues();
    void diffBetweenSeqs();
    void listStores();

private:
    std::unique_ptr<HttpTransport> transport(const QString &token = kToken) const
    {
        return std::make_unique<HttpTransport>(m_baseUrl, token);
    }

    test::InProcessDustlite m_server;
    QUrl m_baseUrl;
};

namespace {

void configure(test::InProcessDustlite &server)
{
    lite::ServerConfig &config = server.config();
    config.stores = {store()};
    config.tokens = {
        lite::TokenSpec{kToken, QStringLiteral("acme"), {}},
        lite::TokenSpec{kReadOnlyToken, QStringLiteral("acme"), {QStringLiteral("entries:read")}}};
}

} // namespace

void TestHttpTransport::initTestCase()
{
    configure(m_server);
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    m_baseUrl = m_server.baseUrl();
}

void TestHttpTransport::cleanupTestCase()
{
    m_server.stop();
}

// ---- argument checks ----------------------------------------------------------------------

void TestHttpTransport::rejectsBadArgumentsUpFront()
{
    auto http = transport();
    // Malformed store names fail at once, without a request.
    for (const QString &bad : {QStringLiteral("nostore"), QStringLiteral("/x"),
                               QStringLiteral("x/"), QStringLiteral("a/b/c"), QString()}) {
        const auto future = http->get(bad, path(QStringLiteral("a")));
        QVERIFY(future.isFinished());
        const auto result = future.result();
        EXPECT_ERROR(result, Error::Kind::InvalidParams);
    }
    EXPECT_ERROR(http->get(store(), Path()).result(), Error::Kind::InvalidParams);
    WriteOptions both;
    both.ifMatch = 3;
    both.ifAbsent = true;
    EXPECT_ERROR(http->put(store(), path(QStringLiteral("a")), 1, both).result(),
                 Error::Kind::InvalidParams);
    EXPECT_ERROR(
        http->put(store(), path(QStringLiteral("a")), QJsonValue(QJsonValue::Undefined)).result(),
        Error::Kind::InvalidParams);
    EXPECT_ERROR(http->batchWrite(store(), {}).result(), Error::Kind::InvalidParams);
    BatchOp merge;
    merge.op = Op::Merge;
    merge.path = path(QStringLiteral("a"));
    const auto batch = http->batchWrite(store(), {merge}).result();
    EXPECT_ERROR(batch, Error::Kind::InvalidParams);
    QCOMPARE(batch.error().opIndex(), std::optional<int>(0));
}

// ---- round trips ---------------------------------------------------------------------------

void TestHttpTransport::putGetRoundTripsAwkwardPaths_data()
{
    QTest::addColumn<QStringList>("raw");
    QTest::newRow("slash in segment")
        << QStringList{QStringLiteral("rt"), QStringLiteral("image/logo")};
    QTest::newRow("tilde") << QStringList{QStringLiteral("rt"), QStringLiteral("a~b"),
                                          QStringLiteral("~0~1")};
    QTest::newRow("space") << QStringList{QStringLiteral("rt"), QStringLiteral("hello world"),
                                          QStringLiteral(" lead")};
    QTest::newRow("plus") << QStringList{QStringLiteral("rt"), QStringLiteral("a+b"),
                                         QStringLiteral("+")};
    QTest::newRow("percent") << QStringList{QStringLiteral("rt"), QStringLiteral("100%"),
                                            QStringLiteral("%2F"), QStringLiteral("%20")};
    QTest::newRow("question") << QStringList{QStringLiteral("rt"), QStringLiteral("what?"),
                                             QStringLiteral("?x=1&y=2")};
    QTest::newRow("hash") << QStringList{QStringLiteral("rt"), QStringLiteral("#anchor"),
                                         QStringLiteral("a#b")};
    QTest::newRow("unicode") << QStringList{QStringLiteral("rt"), QStringLiteral("héllo"),
                                            QStringLiteral("日本語"), QStringLiteral("😀")};
    QTest::newRow("reserved") << QStringList{QStringLiteral("rt"),
                                             QStringLiteral("a;b,c=d:e@f!$&'()*")};
    QTest::newRow("dots") << QStringList{QStringLiteral("rt"), QStringLiteral("."),
                                         QStringLiteral(".."), QStringLiteral("example.com")};
    QTest::newRow("star") << QStringList{QStringLiteral("rt"), QStringLiteral("*"),
                                         QStringLiteral("**")};
    QTest::newRow("backslash quote")
        << QStringList{QStringLiteral("rt"), QStringLiteral("a\\b\"c")};
}

void TestHttpTransport::putGetRoundTripsAwkwardPaths()
{
    QFETCH(QStringList, raw);
    auto http = transport();
    const Path where = segments(raw);
    const QJsonObject value{{QStringLiteral("segments"), QJsonArray::fromStringList(raw)}};
    const QJsonValue leaf = QJsonValue(where.rendered());

    const auto put = await(http->put(store(), where, leaf));
    EXPECT_OK(put);
    QVERIFY(put->storeSeq > 0);

    const auto got = await(http->get(store(), where));
    EXPECT_OK(got);
    QCOMPARE(got->path, where);
    QCOMPARE(got->path.segments(), raw);
    QCOMPARE(got->value, leaf);
    QCOMPARE(got->type, QStringLiteral("string"));
    QCOMPARE(got->revision, put->storeSeq);

    const auto exists = await(http->exists(store(), where));
    EXPECT_OK(exists);
    QVERIFY(*exists);

    // The listing of the parent's subtree carries the same path back.
    ListOptions options;
    options.limit = 1000;
    QString pattern;
    const Path parent = where.parent();
    for (const QString &segment : parent.segments())
        pattern += Path::escapeSegment(segment) + QLatin1Char('/');
    pattern.replace(QStringLiteral("*"),
                    QStringLiteral("\\*")); // literal '*' segments in the parent, if any
    pattern += QStringLiteral("**");
    if (!parent.segments().contains(QStringLiteral("**"))) {
        const auto listed = await(http->list(store(), pattern, options));
        EXPECT_OK(listed);
        bool found = false;
        for (const Entry &entry : listed->entries)
            found = found || (entry.path == where && entry.value == leaf);
        QVERIFY2(found, qPrintable(pattern));
    }

    // A range listing over exactly this path finds it too.
    ListOptions range;
    range.from = where;
    range.to = path(where.rendered() + QLatin1Char('0'));
    range.select = ListOptions::Select::Keys;
    const auto keys = await(http->list(store(), QString(), range));
    EXPECT_OK(keys);
    QVERIFY(keys->paths.contains(where.rendered()));
}

void TestHttpTransport::encodesPathsAndQueriesOnTheWire()
{
    FakeHttpServer fake([](const RawRequest &request, const FakeHttpServer::Exchange &exchange) {
        if (request.method == "GET" && request.target.contains("/entries?"))
            exchange.send(FakeHttpServer::response(200, R"({"items":[],"next_cursor":null})"));
        else
            exchange.send(FakeHttpServer::response(200, R"({"revision":5,"store_seq":5})"));
    });
    HttpTransport http(fake.baseUrl(), kToken);
    const Path where =
        segments({QStringLiteral("a b"), QStringLiteral("c+d"), QStringLiteral("e/f"),
                  QStringLiteral("g~h"), QStringLiteral("50%"), QStringLiteral("?#"),
                  QStringLiteral("é"), QStringLiteral("x&y=z"), QStringLiteral("@:!$'()*,;")});
    EXPECT_OK(await(http.put(store(), where, 1)));
    ListOptions options;
    options.after = QStringLiteral("k+1 2&x=y#z%");
    EXPECT_OK(await(http.list(store(), QStringLiteral("p+q r/**"), options)));
    ListOptions range;
    range.from = path(QStringLiteral("a+b"));
    range.to = path(QStringLiteral("a c"));
    EXPECT_OK(await(http.list(store(), QString(), range)));
    // "." and ".." segments would be removed from a URL path: they go in a JSON body.
    WriteOptions ifMatch;
    ifMatch.ifMatch = 4;
    EXPECT_OK(await(http.put(store(), segments({QStringLiteral(".."), QStringLiteral("x y")}),
                             QJsonArray{1}, ifMatch)));
    EXPECT_OK(await(http.remove(store(), path(QStringLiteral("a/./b")), ifMatch)));

    QCOMPARE(fake.requests().size(), 5);
    const RawRequest &dotPut = fake.requests().at(3);
    QCOMPARE(dotPut.method, QByteArray("POST"));
    QCOMPARE(dotPut.target, QByteArray("/api/stores/acme/site/entries"));
    QCOMPARE(QJsonDocument::fromJson(dotPut.body).object(),
             (QJsonObject{{QStringLiteral("path"), QStringLiteral("../x y")},
                          {QStringLiteral("value"), QJsonArray{1}},
                          {QStringLiteral("if_match"), 4}}));
    const RawRequest &dotDelete = fake.requests().at(4);
    QCOMPARE(dotDelete.method, QByteArray("DELETE"));
    QCOMPARE(dotDelete.target, QByteArray("/api/stores/acme/site/entries"));
    QCOMPARE(QJsonDocument::fromJson(dotDelete.body).object(),
             (QJsonObject{{QStringLiteral("path"), QStringLiteral("a/./b")},
                          {QStringLiteral("if_match"), 4}}));
    const RawRequest &put = fake.requests().at(0);
    QCOMPARE(put.method, QByteArray("PUT"));
    QCOMPARE(put.target, QByteArray("/api/stores/acme/site/entries/a%20b/c%2Bd/e~1f/g~0h/50%25/"
                                    "%3F%23/%C3%A9/x&y=z/@:!$'()*,;"));
    QCOMPARE(put.header("Authorization"), QByteArray("Bearer dust_tok_full"));
    QCOMPARE(put.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(put.body, QByteArray("1"));
    QVERIFY(put.header("X-Request-Id").size() >= 20);

    const RawRequest &list = fake.requests().at(1);
    QCOMPARE(list.target, QByteArray("/api/stores/acme/site/entries?pattern=p%2Bq%20r/**&limit=50"
                                     "&order=asc&select=entries&after=k%2B1%202%26x%3Dy%23z%25"));
    const RawRequest &rangeList = fake.requests().at(2);
    QCOMPARE(rangeList.target, QByteArray("/api/stores/acme/site/entries?from=a%2Bb&to=a%20c"
                                          "&limit=50&order=asc&select=entries"));
}

// "." and ".." segments cannot travel in a URL path; reads, writes and conditions on them
// must still reach exactly that path.
void TestHttpTransport::dotSegmentsRoundTrip()
{
    auto http = transport();
    const Path dot = segments({QStringLiteral("dots"), QStringLiteral(".")});
    const Path dotdot = segments({QStringLiteral("dots"), QStringLiteral("..")});
    // Neighbours that sort inside [r, r + "0") but are not under r.
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("dots/.-x")), 1)));
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("dots/x")), QStringLiteral("x"))));

    const QJsonObject record{{QStringLiteral("a"), 1},
                             {QStringLiteral(".."), QJsonObject{{QStringLiteral("."), true}}}};
    const auto put = await(http->put(store(), dot, record));
    EXPECT_OK(put);
    const auto subtree = await(http->get(store(), dot));
    EXPECT_OK(subtree);
    QCOMPARE(subtree->path, dot);
    QCOMPARE(subtree->type, QStringLiteral("map"));
    QCOMPARE(subtree->value.toObject(), record);
    QCOMPARE(subtree->revision, put->storeSeq);
    const auto inner = await(http->get(store(), path(QStringLiteral("dots/./../."))));
    EXPECT_OK(inner);
    QCOMPARE(inner->value, QJsonValue(true));
    QVERIFY(*await(http->exists(store(), dot)));
    QVERIFY(!*await(http->exists(store(), dotdot)));
    EXPECT_ERROR(await(http->get(store(), dotdot)), Error::Kind::NotFound);
    // Nothing landed where a normalised URL would have pointed.
    const auto x = await(http->get(store(), path(QStringLiteral("dots/x"))));
    EXPECT_OK(x);
    QCOMPARE(x->value, QJsonValue(QStringLiteral("x")));

    WriteOptions absent;
    absent.ifAbsent = true;
    const auto created = await(http->put(store(), dotdot, 5, absent));
    EXPECT_OK(created);
    const auto leaf = await(http->get(store(), dotdot));
    EXPECT_OK(leaf);
    QCOMPARE(leaf->value, QJsonValue(5));
    QCOMPARE(leaf->type, QStringLiteral("integer"));
    QCOMPARE(leaf->revision, created->storeSeq);
    const auto again = await(http->put(store(), dotdot, 6, absent));
    EXPECT_ERROR(again, Error::Kind::Conflict);
    QCOMPARE(again.error().reason(), QStringLiteral("exists"));
    WriteOptions stale;
    stale.ifMatch = created->storeSeq - 1;
    const auto staleDelete = await(http->remove(store(), dotdot, stale));
    EXPECT_ERROR(staleDelete, Error::Kind::Conflict);
    QCOMPARE(staleDelete.error().currentRevision(), std::optional<qint64>(created->storeSeq));
    WriteOptions current;
    current.ifMatch = created->storeSeq;
    EXPECT_OK(await(http->remove(store(), dotdot, current)));
    EXPECT_ERROR(await(http->get(store(), dotdot)), Error::Kind::NotFound);
    EXPECT_OK(await(http->remove(store(), dot)));
    EXPECT_ERROR(await(http->get(store(), dot)), Error::Kind::NotFound);
    EXPECT_OK(await(http->get(store(), path(QStringLiteral("dots/.-x")))));
}

void TestHttpTransport::keepsTheBaseUrlPrefixAndReadsTheEtag()
{
    FakeHttpServer fake([](const RawRequest &, const FakeHttpServer::Exchange &exchange) {
        // No revision in the body: the ETag carries it.
        exchange.send(FakeHttpServer::response(200, R"({"path":"a b","value":[1],"type":"string"})",
                                               {{"ETag", "\"42\""}}));
    });
    QUrl base = fake.baseUrl();
    base.setPath(QStringLiteral("/dust/"));
    HttpTransport http(base, kToken);
    QCOMPARE(http.baseUrl(), base);
    const auto got = await(http.get(store(), path(QStringLiteral("a b"))));
    EXPECT_OK(got);
    QCOMPARE(got->revision, 42);
    QCOMPARE(got->value, QJsonValue(QJsonArray{1}));
    QCOMPARE(fake.requests().at(0).target, QByteArray("/dust/api/stores/acme/site/entries/a%20b"));
}

void TestHttpTransport::putsEveryValueKind()
{
    auto http = transport();
    struct Case
    {
        QJsonValue value;
        QString type;
    };
    const QList<Case> cases{
        {QJsonValue(QJsonValue::Null), QStringLiteral("null")},
        {QJsonValue(42), QStringLiteral("integer")},
        {QJsonValue(2.5), QStringLiteral("float")},
        {QJsonValue(true), QStringLiteral("boolean")},
        {QJsonValue(QStringLiteral("text \"quoted\"\n")), QStringLiteral("string")},
        {QJsonValue(QJsonArray{1, QStringLiteral("two"), QJsonValue::Null}),
         QStringLiteral("string")}, // §3.3 quirk
    };
    int i = 0;
    for (const Case &c : cases) {
        const Path where = path(QStringLiteral("kinds/v%1").arg(i++));
        EXPECT_OK(await(http->put(store(), where, c.value)));
        const auto got = await(http->get(store(), where));
        EXPECT_OK(got);
        QCOMPARE(got->value, c.value);
        QCOMPARE(got->type, c.type);
    }
}

void TestHttpTransport::putsTheEmptyObject()
{
    auto http = transport();
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("empty/x/a")), 1)));
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("empty/x/b")), 2)));
    // `{}` clears the subtree (a set that leaves nothing).
    const auto cleared = await(http->put(store(), path(QStringLiteral("empty/x")), QJsonObject()));
    EXPECT_OK(cleared);
    QVERIFY(cleared->storeSeq > 0);
    EXPECT_ERROR(await(http->get(store(), path(QStringLiteral("empty/x")))), Error::Kind::NotFound);
}

void TestHttpTransport::getAssemblesSubtrees()
{
    auto http = transport();
    const QJsonObject record{
        {QStringLiteral("name"), QStringLiteral("Alice")},
        {QStringLiteral("prefs"), QJsonObject{{QStringLiteral("theme"), QStringLiteral("dark")}}}};
    const auto put = await(http->put(store(), path(QStringLiteral("users/alice")), record));
    EXPECT_OK(put);
    const auto got = await(http->get(store(), path(QStringLiteral("users/alice"))));
    EXPECT_OK(got);
    QCOMPARE(got->type, QStringLiteral("map"));
    QCOMPARE(got->value.toObject(), record);
    QCOMPARE(got->revision, put->storeSeq);
    const auto leaf = await(http->get(store(), path(QStringLiteral("users/alice/prefs/theme"))));
    EXPECT_OK(leaf);
    QCOMPARE(leaf->value, QJsonValue(QStringLiteral("dark")));
    QCOMPARE(leaf->revision, put->storeSeq);
}

void TestHttpTransport::getMissingIsNotFound()
{
    auto http = transport();
    const auto got = await(http->get(store(), path(QStringLiteral("nowhere/at/all"))));
    EXPECT_ERROR(got, Error::Kind::NotFound);
    QCOMPARE(got.error().httpStatus(), 404);
    QCOMPARE(got.error().path(), QStringLiteral("nowhere/at/all"));
    QVERIFY(!got.error().retryable());
}

void TestHttpTransport::existsUsesHead()
{
    auto http = transport();
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("ex/leaf")), 1)));
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("ex/tree/deep/er")), 1)));
    for (const QString &yes : {QStringLiteral("ex/leaf"), QStringLiteral("ex/tree"),
                               QStringLiteral("ex/tree/deep"), QStringLiteral("ex")}) {
        const auto found = await(http->exists(store(), path(yes)));
        EXPECT_OK(found);
        QVERIFY2(*found, qPrintable(yes));
    }
    for (const QString &no : {QStringLiteral("ex/le"), QStringLiteral("ex/leaf/x"),
                              QStringLiteral("ex/tre"), QStringLiteral("nope")}) {
        const auto found = await(http->exists(store(), path(no)));
        EXPECT_OK(found);
        QVERIFY2(!*found, qPrintable(no));
    }
}

// A proxy in front of dustlite that answers HEAD with 405 (as old deployments did) and
// forwards everything else, so the fallback's listings run against the real server.
void TestHttpTransport::existsFallsBackToListingsOn405()
{
    QNetworkAccessManager forwarder;
    const QUrl upstream = m_baseUrl;
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

void TestHttpTransport::removeDeletesSubtree()
{
    auto http = transport();
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("rm/t/a")), 1)));
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("rm/t/b/c")), 2)));
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("rm/t2")), 3)));
    const auto removed = await(http->remove(store(), path(QStringLiteral("rm/t"))));
    EXPECT_OK(removed);
    QVERIFY(removed->storeSeq > 0);
    EXPECT_ERROR(await(http->get(store(), path(QStringLiteral("rm/t/b/c")))),
                 Error::Kind::NotFound);
    EXPECT_OK(await(http->get(store(), path(QStringLiteral("rm/t2")))));
    // Idempotent: deleting nothing still succeeds.
    EXPECT_OK(await(http->remove(store(), path(QStringLiteral("rm/t")))));
}

void TestHttpTransport::conflictsCarryTheCurrentRevision()
{
    auto http = transport();
    const Path where = path(QStringLiteral("cas/doc"));
    const auto first = await(http->put(store(), where, 1));
    EXPECT_OK(first);
    const auto second = await(http->put(store(), where, 2));
    EXPECT_OK(second);

    WriteOptions stale;
    stale.ifMatch = first->storeSeq;
    const auto conflict = await(http->put(store(), where, 3, stale));
    EXPECT_ERROR(conflict, Error::Kind::Conflict);
    QCOMPARE(conflict.error().reason(), QStringLiteral("conflict"));
    QCOMPARE(conflict.error().currentRevision(), std::optional<qint64>(second->storeSeq));
    QCOMPARE(conflict.error().httpStatus(), 412);
    QVERIFY(!conflict.error().retryable());

    WriteOptions fresh;
    fresh.ifMatch = second->storeSeq;
    const auto third = await(http->put(store(), where, 3, fresh));
    EXPECT_OK(third);

    // If-Match on a path with no leaf: conflict, current revision unknown (null).
    const auto missing = await(http->put(store(), path(QStringLiteral("cas/none")), 1, fresh));
    EXPECT_ERROR(missing, Error::Kind::Conflict);
    QCOMPARE(missing.error().currentRevision(), std::optional<qint64>());

    WriteOptions absent;
    absent.ifAbsent = true;
    const auto exists = await(http->put(store(), where, 4, absent));
    EXPECT_ERROR(exists, Error::Kind::Conflict);
    QCOMPARE(exists.error().reason(), QStringLiteral("exists"));
    QCOMPARE(exists.error().currentRevision(), std::optional<qint64>(third->storeSeq));
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("cas/new")), 1, absent)));

    const auto staleDelete = await(http->remove(store(), where, stale));
    EXPECT_ERROR(staleDelete, Error::Kind::Conflict);
    QCOMPARE(staleDelete.error().currentRevision(), std::optional<qint64>(third->storeSeq));
    const auto got = await(http->get(store(), where));
    EXPECT_OK(got);
    QCOMPARE(got->value, QJsonValue(3));
    WriteOptions current;
    current.ifMatch = third->storeSeq;
    EXPECT_OK(await(http->remove(store(), where, current)));
}

void TestHttpTransport::batchWriteAppliesAllOrNothing()
{
    auto http = transport();
    const auto seeded =
        await(http->put(store(), path(QStringLiteral("batch/owner")), QStringLiteral("alice")));
    EXPECT_OK(seeded);
    QList<BatchOp> ops;
    ops.append(BatchOp{Op::Set, path(QStringLiteral("batch/title")), QStringLiteral("Alpha"),
                       std::nullopt});
    ops.append(BatchOp{Op::Set, path(QStringLiteral("batch/owner")), QStringLiteral("bob"),
                       seeded->storeSeq});
    ops.append(BatchOp{Op::Delete, path(QStringLiteral("batch/legacy")), {}, std::nullopt});
    const auto done = await(http->batchWrite(store(), ops));
    EXPECT_OK(done);
    QCOMPARE(done->revisions.size(), 3);
    QCOMPARE(done->revisions.at(1), done->revisions.at(0) + 1);
    QCOMPARE(done->storeSeq, done->revisions.at(2));

    // A stale op: nothing is applied; the error names the op.
    QList<BatchOp> conflicting;
    conflicting.append(BatchOp{Op::Set, path(QStringLiteral("batch/title")), QStringLiteral("Beta"),
                               std::nullopt});
    conflicting.append(BatchOp{Op::Set, path(QStringLiteral("batch/owner")),
                               QStringLiteral("carol"), seeded->storeSeq});
    const auto failed = await(http->batchWrite(store(), conflicting));
    EXPECT_ERROR(failed, Error::Kind::Conflict);
    QCOMPARE(failed.error().opIndex(), std::optional<int>(1));
    QCOMPARE(failed.error().path(), QStringLiteral("batch/owner"));
    QCOMPARE(failed.error().currentRevision(), std::optional<qint64>(done->revisions.at(1)));
    const auto title = await(http->get(store(), path(QStringLiteral("batch/title"))));
    EXPECT_OK(title);
    QCOMPARE(title->value, QJsonValue(QStringLiteral("Alpha")));
}

void TestHttpTransport::listSelectsKeysAndPrefixes()
{
    auto http = transport();
    QList<BatchOp> ops;
    for (const QString &p :
         {QStringLiteral("ls/users/alice/name"), QStringLiteral("ls/users/alice/age"),
          QStringLiteral("ls/users/bob/name"), QStringLiteral("ls/users/carol"),
          QStringLiteral("ls/posts/1")})
        ops.append(BatchOp{Op::Set, path(p), p, std::nullopt});
    EXPECT_OK(await(http->batchWrite(store(), ops)));

    ListOptions options;
    options.limit = 100;
    const auto entries = await(http->list(store(), QStringLiteral("ls/users/*/name"), options));
    EXPECT_OK(entries);
    QCOMPARE(entries->entries.size(), 2);
    QCOMPARE(entries->entries.at(0).path.rendered(), QStringLiteral("ls/users/alice/name"));
    QCOMPARE(entries->entries.at(0).value, QJsonValue(QStringLiteral("ls/users/alice/name")));
    QVERIFY(entries->entries.at(0).revision > 0);
    QVERIFY(entries->nextCursor.isEmpty());

    options.select = ListOptions::Select::Keys;
    const auto keys = await(http->list(store(), QStringLiteral("ls/**"), options));
    EXPECT_OK(keys);
    QCOMPARE(keys->paths,
             (QStringList{QStringLiteral("ls/posts/1"), QStringLiteral("ls/users/alice/age"),
                          QStringLiteral("ls/users/alice/name"),
                          QStringLiteral("ls/users/bob/name"), QStringLiteral("ls/users/carol")}));
    QVERIFY(keys->entries.isEmpty());

    // Prefixes are de-duplicated within a page only; across pages that is the caller's job.
    options.select = ListOptions::Select::Prefixes;
    options.limit = 2;
    QStringList seen;
    QString cursor;
    int pages = 0;
    do {
        options.after = cursor;
        const auto page = await(http->list(store(), QStringLiteral("ls/users/**"), options));
        EXPECT_OK(page);
        for (const QString &prefix : page->paths) {
            if (!seen.contains(prefix))
                seen.append(prefix);
        }
        cursor = page->nextCursor;
        QVERIFY(++pages < 10);
    } while (!cursor.isEmpty());
    QCOMPARE(seen, (QStringList{QStringLiteral("ls/users/alice"), QStringLiteral("ls/users/bob"),
                                QStringLiteral("ls/users/carol")}));
}

void TestHttpTransport::listRangeMode()
{
    auto http = transport();
    QList<BatchOp> ops;
    for (const QString &p :
         {QStringLiteral("rg/a"), QStringLiteral("rg/b"), QStringLiteral("rg/b/x"),
          QStringLiteral("rg/c"), QStringLiteral("rg/d")})
        ops.append(BatchOp{Op::Set, path(p), 1, std::nullopt});
    EXPECT_OK(await(http->batchWrite(store(), ops)));
    ListOptions options;
    options.from = path(QStringLiteral("rg/b"));
    options.to = path(QStringLiteral("rg/d"));
    options.select = ListOptions::Select::Keys;
    const auto asc = await(http->list(store(), QString(), options));
    EXPECT_OK(asc);
    QCOMPARE(asc->paths, (QStringList{QStringLiteral("rg/b"), QStringLiteral("rg/b/x"),
                                      QStringLiteral("rg/c")}));
    options.order = ListOptions::Order::Desc;
    const auto desc = await(http->list(store(), QString(), options));
    EXPECT_OK(desc);
    QCOMPARE(desc->paths, (QStringList{QStringLiteral("rg/c"), QStringLiteral("rg/b/x"),
                                       QStringLiteral("rg/b")}));
}

void TestHttpTransport::listPagesThroughManyEntriesBothWays()
{
    auto http = transport();
    constexpr int total = 2500;
    for (int start = 0; start < total; start += 1000) {
        QList<BatchOp> ops;
        for (int i = start; i < qMin(total, start + 1000); ++i)
            ops.append(BatchOp{Op::Set,
                               path(QStringLiteral("many/k%1").arg(i, 5, 10, QLatin1Char('0'))), i,
                               std::nullopt});
        EXPECT_OK(await(http->batchWrite(store(), ops)));
    }
    for (const auto order : {ListOptions::Order::Asc, ListOptions::Order::Desc}) {
        ListOptions options;
        options.limit = 1000;
        options.order = order;
        QList<Entry> all;
        int pages = 0;
        do {
            const auto page = await(http->list(store(), QStringLiteral("many/*"), options));
            EXPECT_OK(page);
            all += page->entries;
            options.after = page->nextCursor;
            ++pages;
            QVERIFY(pages <= 4);
        } while (!options.after.isEmpty());
        QCOMPARE(all.size(), total);
        QCOMPARE(pages, 3);
        for (int i = 0; i < total; ++i) {
            const int expected = order == ListOptions::Order::Asc ? i : total - 1 - i;
            QCOMPARE(all.at(i).value.toInt(), expected);
        }
    }
}

void TestHttpTransport::listRejectsBadQueries()
{
    auto http = transport();
    ListOptions options;
    const auto badGlob = http->list(store(), QStringLiteral("a/**/b"), options).result();
    EXPECT_ERROR(badGlob, Error::Kind::InvalidParams);
    QCOMPARE(badGlob.error().reason(), QStringLiteral("wildcard_many_not_tail"));
    EXPECT_ERROR(http->list(store(), QStringLiteral("a//b"), options).result(),
                 Error::Kind::InvalidParams);
    options.limit = 1001;
    EXPECT_ERROR(http->list(store(), QString(), options).result(), Error::Kind::InvalidParams);
    ListOptions half;
    half.from = path(QStringLiteral("a"));
    EXPECT_ERROR(http->list(store(), QString(), half).result(), Error::Kind::InvalidParams);
    half.to = path(QStringLiteral("b"));
    EXPECT_ERROR(http->list(store(), QStringLiteral("**"), half).result(),
                 Error::Kind::InvalidParams);

    // The server's own refusals come back as InvalidParams with its code.
    ListOptions prefixesInRange = half;
    prefixesInRange.select = ListOptions::Select::Prefixes;
    const auto unsupported = await(http->list(store(), QString(), prefixesInRange));
    EXPECT_ERROR(unsupported, Error::Kind::InvalidParams);
    QCOMPARE(unsupported.error().reason(), QStringLiteral("unsupported_select"));
    QCOMPARE(unsupported.error().httpStatus(), 400);
    ListOptions prefixes;
    prefixes.select = ListOptions::Select::Prefixes;
    const auto badPrefixes = await(http->list(store(), QStringLiteral("a/*"), prefixes));
    EXPECT_ERROR(badPrefixes, Error::Kind::InvalidParams);
    QCOMPARE(badPrefixes.error().reason(), QStringLiteral("invalid_pattern_for_prefixes"));
}

// ---- error classes ---------------------------------------------------------------------

void TestHttpTransport::unauthorizedToken()
{
    for (const QString &token : {QStringLiteral("dust_tok_wrong"), QStringLiteral("not_a_token")}) {
        auto http = transport(token);
        const auto got = await(http->get(store(), path(QStringLiteral("a"))));
        EXPECT_ERROR(got, Error::Kind::Unauthorized);
        QCOMPARE(got.error().httpStatus(), 401);
        EXPECT_ERROR(await(http->put(store(), path(QStringLiteral("a")), 1)),
                     Error::Kind::Unauthorized);
        EXPECT_ERROR(await(http->list(store(), QString(), {})), Error::Kind::Unauthorized);
        EXPECT_ERROR(await(http->exists(store(), path(QStringLiteral("a")))),
                     Error::Kind::Unauthorized);
    }
}

void TestHttpTransport::forbiddenWithoutWriteScope()
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

void TestHttpTransport::unknownStore()
{
    auto http = transport();
    // The write route exists, the store does not: the API's own 404 body → NotFound.
    const auto put =
        await(http->put(QStringLiteral("acme/nosuchstore"), path(QStringLiteral("a")), 1));
    EXPECT_ERROR(put, Error::Kind::NotFound);
    EXPECT_ERROR(await(http->get(QStringLiteral("acme/nosuchstore"), path(QStringLiteral("a")))),
                 Error::Kind::NotFound);
    EXPECT_ERROR(await(http->list(QStringLiteral("otherorg/site"), QString(), {})),
                 Error::Kind::NotFound);
}

void TestHttpTransport::rateLimited()
{
    test::InProcessDustlite limited;
    configure(limited);
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

void TestHttpTransport::missingWriteRouteIsNotImplemented()
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

void TestHttpTransport::statusMapping_data()
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

void TestHttpTransport::statusMapping()
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

void TestHttpTransport::malformedBodiesAreProtocolErrors_data()
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

void TestHttpTransport::malformedBodiesAreProtocolErrors()
{
    QFETCH(QByteArray, body);
    FakeHttpServer fake([&](const RawRequest &, const FakeHttpServer::Exchange &exchange) {
        exchange.send(FakeHttpServer::response(200, body));
    });
    HttpTransport http(fake.baseUrl(), kToken);
    const auto listed = await(http.list(store(), QString(), {}));
    EXPECT_ERROR(listed, Error::Kind::Protocol);
    QVERIFY(!listed.error().retryable());
    EXPECT_ERROR(await(http.get(store(), path(QStringLiteral("a")))), Error::Kind::Protocol);
    EXPECT_ERROR(await(http.put(store(), path(QStringLiteral("a")), 1)), Error::Kind::Protocol);
}

void TestHttpTransport::deadServerIsNetworkError()
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

void TestHttpTransport::killedServerIsNetworkError()
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

void TestHttpTransport::silentServerTimesOut()
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

void TestHttpTransport::writesAreNeverResent()
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

void TestHttpTransport::oversizedResponseIsCutOff()
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
    ListOptions keys;
    keys.select = ListOptions::Select::Keys;
    const auto listed = await(http.list(store(), QString(), keys));
    EXPECT_ERROR(listed, Error::Kind::Protocol);
    QVERIFY2(listed.error().message().contains(QStringLiteral("larger than")),
             qPrintable(listed.error().message()));
    // An error body beyond what any error needs is dropped; the status still maps.
    const auto log = await(http.auditLog(store(), {}));
    EXPECT_ERROR(log, Error::Kind::InvalidParams);
    QCOMPARE(log.error().httpStatus(), 400);
    http.setMaxResponseBytes(HttpTransport::kDefaultMaxResponseBytes);
    const auto whole = await(http.list(store(), QString(), keys));
    EXPECT_OK(whole);
    QCOMPARE(whole->paths.value(0).size(), 64 * 1024);
}

void TestHttpTransport::cancellingAbortsTheRequest()
{
    FakeHttpServer fake([](const RawRequest &, const FakeHttpServer::Exchange &) {});
    HttpTransport http(fake.baseUrl(), kToken);
    auto future = http.get(store(), path(QStringLiteral("a")));
    QTRY_COMPARE(fake.requests().size(), 1);
    future.cancel();
    QTRY_COMPARE(fake.disconnects(), 1);
    QVERIFY(future.isCanceled());
}

void TestHttpTransport::destroyingFinishesPendingCalls()
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

void TestHttpTransport::continuationRunsOnContext()
{
    auto http = transport();
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("then/x")), 7)));
    QObject context;
    int value = 0;
    bool done = false;
    http->get(store(), path(QStringLiteral("then/x")))
        .then(&context, [&](const Result<Entry> &entry) {
            QCOMPARE(QThread::currentThread(), context.thread());
            value = entry ? entry->value.toInt() : -1;
            done = true;
        });
    QVERIFY(!done); // never synchronous
    QTRY_VERIFY(done);
    QCOMPARE(value, 7);
}

void TestHttpTransport::webSocketOnlyOperationsAreNotSupported()
{
    auto http = transport();
    const Path where = path(QStringLiteral("ws/only"));
    const auto check = [](const Result<WriteResult> &result) {
        return !result && result.error().kind() == Error::Kind::NotSupported &&
               result.error().message().contains(QStringLiteral("WebSocket"));
    };
    QVERIFY(check(http->merge(store(), where, QJsonObject{{QStringLiteral("a"), 1}}).result()));
    QVERIFY(check(http->increment(store(), where, 1).result()));
    QVERIFY(check(http->addMember(store(), where, 1).result()));
    QVERIFY(check(http->removeMember(store(), where, 1).result()));
    QVERIFY(check(http->rollback(store(), where, 1).result()));
    EXPECT_ERROR(http->status(store()).result(), Error::Kind::NotSupported);
    const auto subscription = http->subscribe(store(), QStringLiteral("**"));
    EXPECT_ERROR(subscription, Error::Kind::NotSupported);
    http->unsubscribe(nullptr);
    // Nothing was written.
    EXPECT_ERROR(await(http->get(store(), where)), Error::Kind::NotFound);
}

void TestHttpTransport::auditLogUnwrapsValues()
{
    auto http = transport();
    const auto first = await(http->put(store(), path(QStringLiteral("audit/x")), 1));
    EXPECT_OK(first);
    const auto second =
        await(http->put(store(), path(QStringLiteral("audit/x")), QStringLiteral("two")));
    EXPECT_OK(second);
    AuditQuery query;
    query.path = QStringLiteral("audit/x");
    const auto log = await(http->auditLog(store(), query));
    EXPECT_OK(log);
    QCOMPARE(log->ops.size(), 2);
    QCOMPARE(log->ops.at(0).storeSeq, second->storeSeq); // newest first
    QCOMPARE(log->ops.at(0).value, QJsonValue(QStringLiteral("two")));
    QCOMPARE(log->ops.at(0).op, QStringLiteral("set"));
    QCOMPARE(log->ops.at(0).path, QStringLiteral("audit/x"));
    QCOMPARE(log->ops.at(1).value, QJsonValue(1));
    QCOMPARE(log->total, 2);
    QCOMPARE(log->page, 1);
    QVERIFY(!log->ops.at(0).deviceId.isEmpty());
    query.limit = 1;
    query.page = 2;
    const auto paged = await(http->auditLog(store(), query));
    EXPECT_OK(paged);
    QCOMPARE(paged->ops.size(), 1);
    QCOMPARE(paged->ops.at(0).storeSeq, first->storeSeq);
    QCOMPARE(paged->totalPages, 2);
}

void TestHttpTransport::diffBetweenSeqs()
{
    auto http = transport();
    const auto before = await(http->put(store(), path(QStringLiteral("diff/a")), 1));
    EXPECT_OK(before);
    const auto after = await(http->put(store(), path(QStringLiteral("diff/a")), 2));
    EXPECT_OK(after);
    EXPECT_OK(await(http->put(store(), path(QStringLiteral("diff/b")), 3)));
    const auto changes = await(http->diff(store(), before->storeSeq, after->storeSeq));
    EXPECT_OK(changes);
    bool sawA = false;
    for (const DiffChange &change : *changes) {
        QVERIFY(change.path != QStringLiteral("diff/b"));
        if (change.path == QStringLiteral("diff/a")) {
            sawA = true;
            QCOMPARE(change.before, QJsonValue(1));
            QCOMPARE(change.after, QJsonValue(2));
        }
    }
    QVERIFY(sawA);
}

void TestHttpTransport::listStores()
{
    auto http = transport();
    const auto stores = await(http->listStores());
    EXPECT_OK(stores);
    QStringList names;
    for (const StoreInfo &info : *stores)
        names.append(info.fullName);
    QVERIFY2(names.contains(store()), qPrintable(names.join(QStringLiteral(", "))));
    for (const StoreInfo &info : *stores) {
        if (info.fullName == store()) {
            QCOMPARE(info.name, QStringLiteral("site"));
            QVERIFY(!info.id.isEmpty());
        }
    }
}

QTEST_GUILESS_MAIN(TestHttpTransport)
#include "tst_httptransport.moc"
