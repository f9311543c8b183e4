// HttpTransport against a real dustlite on 127.0.0.1 (port 0): reads and writes of every
// kind, paths that are awkward in URLs, conditions, batches and the other store routes; and,
// through a small fake server, exactly what goes on the wire.

#include "HttpTestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

using namespace httptest;
using namespace std::chrono_literals;

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
    void removeDeletesSubtree();
    void conflictsCarryTheCurrentRevision();
    void batchWriteAppliesAllOrNothing();
    void continuationRunsOnContext();
    void webSocketOnlyOperationsAreNotSupported();
    void auditLogUnwrapsValues();
    void diffBetweenSeqs();
    void listStores();

private:
    std::unique_ptr<HttpTransport> transport(const QString &token = kToken) const
    {
        return m_server.transport(token);
    }

    TestServer m_server;
};

void TestHttpTransport::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestHttpTransport::cleanupTestCase()
{
    m_server.stop();
}

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
    ListQuery options;
    options.limit = 1000;
    QString pattern;
    const Path parent = where.parent();
    for (const QString &segment : parent.segments())
        pattern += Path::escapeSegment(segment) + QLatin1Char('/');
    pattern.replace(QStringLiteral("*"),
                    QStringLiteral("\\*")); // literal '*' segments in the parent, if any
    pattern += QStringLiteral("**");
    if (!parent.segments().contains(QStringLiteral("**"))) {
        const auto listed = await(http->list(store(), options.matching(pattern)));
        EXPECT_OK(listed);
        bool found = false;
        for (const Entry &entry : listed->entries)
            found = found || (entry.path == where && entry.value == leaf);
        QVERIFY2(found, qPrintable(pattern));
    }

    // A range listing over exactly this path finds it too.
    ListQuery range;
    range.from = where;
    range.to = path(where.rendered() + QLatin1Char('0'));
    range.select = ListQuery::Select::Keys;
    const auto keys = await(http->list(store(), range));
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
    ListQuery options;
    options.after = QStringLiteral("k+1 2&x=y#z%");
    EXPECT_OK(await(http.list(store(), options.matching(QStringLiteral("p+q r/**")))));
    ListQuery range;
    range.from = path(QStringLiteral("a+b"));
    range.to = path(QStringLiteral("a c"));
    EXPECT_OK(await(http.list(store(), range)));
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
