// HttpTransport and SdkTransport side by side on one dustlite (127.0.0.1, port 0): every
// operation both support gives the same result — the same entries, revisions, pages,
// cursors, conflicts and errors — for paths with '/', '~', spaces, '+', '%', '?', '#' and
// unicode. Where only one supports an operation, the other says NotSupported.
//
// Reads through SdkTransport come from its mirror; after a REST write the mirror learns of
// it through the status poll (REST writes are not pushed), so reads are compared once the
// mirror has reached the server's seq.

#include "SdkTestSupport.h"

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "transport/HttpTransport.h"

#include <limits>

using namespace sdktest;
using dust::test::InProcessDustlite;

namespace {

const QString kStore = QStringLiteral("local/demo");

QList<Path> trickyPaths()
{
    const QList<QStringList> raw{
        {QStringLiteral("plain")},
        {QStringLiteral("files"), QStringLiteral("image/logo")},
        {QStringLiteral("tilde~x"), QStringLiteral("~0~1")},
        {QStringLiteral("with space"), QStringLiteral("title")},
        {QStringLiteral("plus+sign")},
        {QStringLiteral("percent%2Fnot-a-slash")},
        {QStringLiteral("query?a=1&b=2#frag")},
        {QStringLiteral("example.com"), QStringLiteral("@scope")},
        {QStringLiteral("unicodé"), QStringLiteral("日本語")},
        {QStringLiteral("emoji😀")},
        {QStringLiteral("x"), QStringLiteral("*")},
    };
    QList<Path> out;
    for (const QStringList &segments : raw)
        out.append(sdktest::segments(segments));
    return out;
}

QList<QJsonValue> values()
{
    return {QStringLiteral("text"),
            42,
            1.5,
            true,
            QJsonValue::Null,
            QJsonArray{1, QStringLiteral("two"), QJsonObject{{QStringLiteral("k"), 3}}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("Alice")},
                        {QStringLiteral("a/b"), QJsonObject{{QStringLiteral("c~d"), false}}}},
            QJsonObject{{QStringLiteral("_type"), QStringLiteral("file")},
                        {QStringLiteral("hash"), QStringLiteral("sha256:00")}}};
}

QString describeResult(const auto &result)
{
    return result ? QStringLiteral("ok") : describe(result.error());
}

// Same outcome: both succeeded, or both failed with the same kind, reason and revision.
template <typename T> bool sameOutcome(const Result<T> &a, const Result<T> &b, QString *why)
{
    if (bool(a) != bool(b)) {
        *why = QStringLiteral("http: %1 / sdk: %2").arg(describeResult(a), describeResult(b));
        return false;
    }
    if (a)
        return true;
    if (a.error().kind() != b.error().kind() || a.error().reason() != b.error().reason() ||
        a.error().currentRevision().value_or(-1) != b.error().currentRevision().value_or(-1)) {
        *why = QStringLiteral("http: %1 (rev %3) / sdk: %2 (rev %4)")
                   .arg(describe(a.error()), describe(b.error()))
                   .arg(a.error().currentRevision().value_or(-1))
                   .arg(b.error().currentRevision().value_or(-1));
        return false;
    }
    return true;
}

} // namespace

#define EXPECT_SAME(a, b)                                                                          \
    do {                                                                                           \
        QString why_;                                                                              \
        if (!sameOutcome((a), (b), &why_))                                                         \
            QFAIL(qPrintable(why_));                                                               \
    } while (false)

class TstTransportParity : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void writesThenReadsAgree();
    void listingsAgree();
    void conflictsAgree();
    void errorsAgree();
    void whatOnlyOneSupports();

private:
    // Waits until the SDK mirror has every op the server has (REST writes included).
    bool sdkCaughtUp();

    std::unique_ptr<InProcessDustlite> m_server;
    std::unique_ptr<HttpTransport> m_http;
    std::unique_ptr<SdkTransport> m_sdk;
};

void TstTransportParity::init()
{
    m_server = std::make_unique<InProcessDustlite>();
    m_server->config().tokens = {
        {QStringLiteral("dust_tok_dev"), QString(), {}},
        {QStringLiteral("dust_tok_ro"), QString(), {QStringLiteral("entries:read")}},
    };
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_http = std::make_unique<HttpTransport>(m_server->baseUrl(), QStringLiteral("dust_tok_dev"));
    SdkOptions opts = options(m_server->wsUrl());
    opts.statusPollInterval = 50ms;
    m_sdk = std::make_unique<SdkTransport>(opts);
    QVERIFY(waitLive(*m_sdk, kStore));
}

void TstTransportParity::cleanup()
{
    m_sdk.reset();
    m_http.reset();
    m_server.reset();
}

bool TstTransportParity::sdkCaughtUp()
{
    const qint64 serverSeq = m_server->store()->currentSeq();
    return QTest::qWaitFor(
        [&] {
            if (!m_sdk->isLive(kStore))
                return false;
            const auto seq = await(
                m_sdk->withMirror(kStore, [](const Mirror &mirror) { return mirror.lastSeq(); }));
            return seq && *seq == serverSeq;
        },
        20000);
}

void TstTransportParity::writesThenReadsAgree()
{
    const QList<Path> paths = trickyPaths();
    const QList<QJsonValue> vals = values();
    int round = 0;
    for (const Path &base : paths) {
        const QJsonValue value = vals.at(round++ % vals.size());
        const Path viaHttp =
            sdktest::segments(QStringList{QStringLiteral("http")} + base.segments());
        const Path viaSdk = sdktest::segments(QStringList{QStringLiteral("sdk")} + base.segments());

        const auto h = await(m_http->put(kStore, viaHttp, value));
        const auto s = await(m_sdk->put(kStore, viaSdk, value));
        EXPECT_SAME(h, s);
        QVERIFY(h->storeSeq > 0 && s->storeSeq > 0);
    }
    QVERIFY(sdkCaughtUp());

    for (const Path &base : paths) {
        for (const QString &root : {QStringLiteral("http"), QStringLiteral("sdk")}) {
            const Path p = sdktest::segments(QStringList{root} + base.segments());
            const auto h = await(m_http->get(kStore, p));
            const auto s = await(m_sdk->get(kStore, p));
            EXPECT_SAME(h, s);
            QCOMPARE(s->path, p);
            QCOMPARE(s->value, h->value);
            QCOMPARE(s->type, h->type);
            QCOMPARE(s->revision, h->revision);
            QCOMPARE(*await(m_sdk->exists(kStore, p)), *await(m_http->exists(kStore, p)));
        }
        // The same value written either way reads back the same (revisions aside).
        const auto viaHttp = await(m_sdk->get(
            kStore, sdktest::segments(QStringList{QStringLiteral("http")} + base.segments())));
        const auto viaSdk = await(m_http->get(
            kStore, sdktest::segments(QStringList{QStringLiteral("sdk")} + base.segments())));
        QCOMPARE(viaHttp->value, viaSdk->value);
        QCOMPARE(viaHttp->type, viaSdk->type);
    }

    // Interior paths (assembled subtrees), a missing path, the whole of each side.
    for (const QString &rendered :
         {QStringLiteral("http"), QStringLiteral("sdk"), QStringLiteral("http/with space"),
          QStringLiteral("sdk/files"), QStringLiteral("missing/path")}) {
        const auto h = await(m_http->get(kStore, path(rendered)));
        const auto s = await(m_sdk->get(kStore, path(rendered)));
        EXPECT_SAME(h, s);
        if (h) {
            QCOMPARE(s->value, h->value);
            QCOMPARE(s->type, h->type);
            QCOMPARE(s->revision, h->revision);
        }
        QCOMPARE(*await(m_sdk->exists(kStore, path(rendered))),
                 *await(m_http->exists(kStore, path(rendered))));
    }

    // Removal, both ways.
    const Path gone = sdktest::segments({QStringLiteral("http"), QStringLiteral("with space")});
    const auto rh = await(m_http->remove(kStore, gone));
    const auto rs = await(m_sdk->remove(
        kStore, sdktest::segments({QStringLiteral("sdk"), QStringLiteral("with space")})));
    EXPECT_SAME(rh, rs);
    QVERIFY(sdkCaughtUp());
    for (const QString &root : {QStringLiteral("http"), QStringLiteral("sdk")}) {
        const Path p =
            sdktest::segments({root, QStringLiteral("with space"), QStringLiteral("title")});
        EXPECT_SAME(await(m_http->get(kStore, p)), await(m_sdk->get(kStore, p)));
        SDK_EXPECT_ERROR(await(m_sdk->get(kStore, p)), Error::Kind::NotFound);
    }
}

void TstTransportParity::listingsAgree()
{
    // A corpus written half over REST, half over the WebSocket.
    const QList<Path> paths = trickyPaths();
    for (int i = 0; i < paths.size(); ++i) {
        const Path p =
            sdktest::segments(QStringList{QStringLiteral("list")} + paths.at(i).segments());
        SDK_EXPECT_OK(i % 2 ? await(m_sdk->put(kStore, p, i)) : await(m_http->put(kStore, p, i)));
    }
    for (int i = 0; i < 40; ++i) {
        const Path p = path(QStringLiteral("list/n/%1/v").arg(i, 2, 10, QLatin1Char('0')));
        SDK_EXPECT_OK(i % 2 ? await(m_sdk->put(kStore, p, i)) : await(m_http->put(kStore, p, i)));
    }
    QVERIFY(sdkCaughtUp());

    struct Case
    {
        QString pattern;
        ListQuery options;
    };
    QList<Case> cases;
    const auto add = [&](const QString &pattern, auto configure) {
        ListQuery o;
        configure(o);
        cases.append({pattern, o});
    };
    add(QStringLiteral("**"), [](ListQuery &o) { o.limit = 1000; });
    add(QStringLiteral("list/**"), [](ListQuery &o) { o.limit = 7; });
    add(QStringLiteral("list/**"), [](ListQuery &o) {
        o.limit = 7;
        o.order = ListQuery::Order::Desc;
    });
    add(QStringLiteral("list/n/*/v"), [](ListQuery &o) { o.limit = 9; });
    add(QStringLiteral("list/*"), [](ListQuery &o) { o.limit = 100; });
    add(QStringLiteral("list/**"), [](ListQuery &o) {
        o.limit = 11;
        o.select = ListQuery::Select::Keys;
    });
    add(QString(), [](ListQuery &o) {
        o.limit = 5;
        o.from = path(QStringLiteral("list/n/10"));
        o.to = path(QStringLiteral("list/n/30"));
    });
    add(QString(), [](ListQuery &o) {
        o.limit = 4;
        o.order = ListQuery::Order::Desc;
        o.select = ListQuery::Select::Keys;
        o.from = path(QStringLiteral("list/a"));
        o.to = path(QStringLiteral("list/z"));
    });

    for (const Case &c : cases) {
        // Page through both with each one's cursors; every page must agree.
        ListQuery httpOptions = c.options;
        ListQuery sdkOptions = c.options;
        int pages = 0;
        for (;;) {
            const auto h = await(m_http->list(kStore, httpOptions.matching(c.pattern)));
            const auto s = await(m_sdk->list(kStore, sdkOptions.matching(c.pattern)));
            EXPECT_SAME(h, s);
            QCOMPARE(s->entries, h->entries);
            QCOMPARE(s->paths, h->paths);
            QCOMPARE(s->nextCursor, h->nextCursor);
            ++pages;
            if (h->nextCursor.isEmpty())
                break;
            httpOptions.after = h->nextCursor;
            sdkOptions.after = s->nextCursor;
            QVERIFY(pages < 100);
        }
        QVERIFY(pages >= 1);
    }

    // Bad parameters fail the same way.
    // (HttpTransport refuses these before sending, without the server's reason code; the
    // mirror answers as the server would, with "invalid_params": same kind, same message.)
    ListQuery bad;
    bad.limit = 5000;
    SDK_EXPECT_ERROR(await(m_http->list(kStore, bad.matching(QStringLiteral("**")))),
                     Error::Kind::InvalidParams);
    SDK_EXPECT_ERROR(await(m_sdk->list(kStore, bad.matching(QStringLiteral("**")))),
                     Error::Kind::InvalidParams);
    ListQuery mixed;
    mixed.from = path(QStringLiteral("a"));
    mixed.to = path(QStringLiteral("b"));
    const auto h = await(m_http->list(kStore, mixed.matching(QStringLiteral("**"))));
    const auto s = await(m_sdk->list(kStore, mixed.matching(QStringLiteral("**"))));
    SDK_EXPECT_ERROR(h, Error::Kind::InvalidParams);
    SDK_EXPECT_ERROR(s, Error::Kind::InvalidParams);
}

void TstTransportParity::conflictsAgree()
{
    const Path hp = path(QStringLiteral("c/http"));
    const Path sp = path(QStringLiteral("c/sdk"));
    const auto h0 = await(m_http->put(kStore, hp, 1));
    const auto s0 = await(m_sdk->put(kStore, sp, 1));
    SDK_EXPECT_OK(h0);
    SDK_EXPECT_OK(s0);
    QVERIFY(sdkCaughtUp());

    // The same precondition against each path's own revision.
    const auto check = [&](auto httpCall, auto sdkCall, Error::Kind kind, const QString &reason,
                           bool expectRevision) {
        const auto h = await(httpCall());
        const auto s = await(sdkCall());
        SDK_EXPECT_ERROR(h, kind);
        SDK_EXPECT_ERROR(s, kind);
        QCOMPARE(h.error().reason(), reason);
        QCOMPARE(s.error().reason(), reason);
        QCOMPARE(h.error().currentRevision().has_value(), expectRevision);
        QCOMPARE(s.error().currentRevision().has_value(), expectRevision);
        if (expectRevision) {
            QCOMPARE(*h.error().currentRevision(), h0->storeSeq);
            QCOMPARE(*s.error().currentRevision(), s0->storeSeq);
        }
    };
    WriteOptions stale;
    stale.ifMatch = 999;
    WriteOptions absent;
    absent.ifAbsent = true;
    check([&] { return m_http->put(kStore, hp, 2, stale); },
          [&] { return m_sdk->put(kStore, sp, 2, stale); }, Error::Kind::Conflict,
          QStringLiteral("conflict"), true);
    check([&] { return m_http->put(kStore, hp, 2, absent); },
          [&] { return m_sdk->put(kStore, sp, 2, absent); }, Error::Kind::Conflict,
          QStringLiteral("exists"), true);
    check([&] { return m_http->remove(kStore, hp, stale); },
          [&] { return m_sdk->remove(kStore, sp, stale); }, Error::Kind::Conflict,
          QStringLiteral("conflict"), true);
    check([&] { return m_http->put(kStore, path(QStringLiteral("c/none")), 2, stale); },
          [&] { return m_sdk->put(kStore, path(QStringLiteral("c/none")), 2, stale); },
          Error::Kind::Conflict, QStringLiteral("conflict"), false);

    // Matching preconditions pass on both.
    WriteOptions current;
    current.ifMatch = h0->storeSeq;
    SDK_EXPECT_OK(await(m_http->put(kStore, hp, 3, current)));
    current.ifMatch = s0->storeSeq;
    SDK_EXPECT_OK(await(m_sdk->put(kStore, sp, 3, current)));
    SDK_EXPECT_OK(await(m_http->put(kStore, path(QStringLiteral("c/new-http")), 1, absent)));
    SDK_EXPECT_OK(await(m_sdk->put(kStore, path(QStringLiteral("c/new-sdk")), 1, absent)));
}

void TstTransportParity::errorsAgree()
{
    WriteOptions both;
    both.ifMatch = 1;
    both.ifAbsent = true;
    EXPECT_SAME(await(m_http->put(kStore, path(QStringLiteral("e")), 1, both)),
                await(m_sdk->put(kStore, path(QStringLiteral("e")), 1, both)));
    WriteOptions ifMatch;
    ifMatch.ifMatch = 1;
    const QJsonObject object{{QStringLiteral("a"), 1}};
    const auto h = await(m_http->put(kStore, path(QStringLiteral("e")), object, ifMatch));
    const auto s = await(m_sdk->put(kStore, path(QStringLiteral("e")), object, ifMatch));
    SDK_EXPECT_ERROR(h, Error::Kind::InvalidParams);
    SDK_EXPECT_ERROR(s, Error::Kind::InvalidParams);
    QCOMPARE(s.error().reason(), h.error().reason());
    // Values neither transport sends: both refuse them the same way before any request.
    const QList<QJsonValue> unwritable = {
        QJsonValue(QJsonValue::Undefined), QJsonValue(std::numeric_limits<double>::infinity()),
        QJsonObject{{QString(), 1}},
        QJsonObject{{QStringLiteral("a"), QJsonObject{{QString(), 2}}}}};
    for (const QJsonValue &value : unwritable) {
        EXPECT_SAME(await(m_http->put(kStore, path(QStringLiteral("u")), value)),
                    await(m_sdk->put(kStore, path(QStringLiteral("u")), value)));
        SDK_EXPECT_ERROR(await(m_http->put(kStore, path(QStringLiteral("u")), value)),
                         Error::Kind::InvalidParams);
    }
    WriteOptions zero;
    zero.ifMatch = 0;
    EXPECT_SAME(await(m_http->remove(kStore, path(QStringLiteral("u")), zero)),
                await(m_sdk->remove(kStore, path(QStringLiteral("u")), zero)));
    WriteOptions absent;
    absent.ifAbsent = true;
    EXPECT_SAME(await(m_http->remove(kStore, path(QStringLiteral("u")), absent)),
                await(m_sdk->remove(kStore, path(QStringLiteral("u")), absent)));
    QVERIFY(!m_server->store()->get(path(QStringLiteral("u"))));
    EXPECT_SAME(await(m_http->get(kStore, path(QStringLiteral("nothing/here")))),
                await(m_sdk->get(kStore, path(QStringLiteral("nothing/here")))));
    EXPECT_SAME(await(m_http->get(QStringLiteral("bad"), path(QStringLiteral("x")))),
                await(m_sdk->get(QStringLiteral("bad"), path(QStringLiteral("x")))));

    // A read-only token: reads work, writes are Forbidden on both.
    HttpTransport http(m_server->baseUrl(), QStringLiteral("dust_tok_ro"));
    SdkTransport sdk(options(m_server->wsUrl(), QStringLiteral("dust_tok_ro")));
    QVERIFY(waitLive(sdk, kStore));
    const auto hw = await(http.put(kStore, path(QStringLiteral("ro")), 1));
    const auto sw = await(sdk.put(kStore, path(QStringLiteral("ro")), 1));
    SDK_EXPECT_ERROR(hw, Error::Kind::Forbidden);
    SDK_EXPECT_ERROR(sw, Error::Kind::Forbidden);
    EXPECT_SAME(await(http.exists(kStore, path(QStringLiteral("ro")))),
                await(sdk.exists(kStore, path(QStringLiteral("ro")))));

    // An unknown token: Unauthorized on both.
    HttpTransport badHttp(m_server->baseUrl(), QStringLiteral("dust_tok_unknown"));
    SdkTransport badSdk(options(m_server->wsUrl(), QStringLiteral("dust_tok_unknown")));
    EXPECT_SAME(await(badHttp.get(kStore, path(QStringLiteral("x")))),
                await(badSdk.get(kStore, path(QStringLiteral("x")))));
    SDK_EXPECT_ERROR(await(badSdk.get(kStore, path(QStringLiteral("x")))),
                     Error::Kind::Unauthorized);
}

void TstTransportParity::whatOnlyOneSupports()
{
    BatchOp op;
    op.path = path(QStringLiteral("b/x"));
    op.value = 1;
    SDK_EXPECT_OK(await(m_http->batchWrite(kStore, {op})));
    SDK_EXPECT_ERROR(await(m_sdk->batchWrite(kStore, {op})), Error::Kind::NotSupported);

    SDK_EXPECT_OK(await(m_sdk->increment(kStore, path(QStringLiteral("b/n")), 2)));
    SDK_EXPECT_ERROR(await(m_http->increment(kStore, path(QStringLiteral("b/n")), 2)),
                     Error::Kind::NotSupported);
    SDK_EXPECT_OK(await(
        m_sdk->merge(kStore, path(QStringLiteral("b/m")), QJsonObject{{QStringLiteral("k"), 1}})));
    SDK_EXPECT_ERROR(await(m_http->merge(kStore, path(QStringLiteral("b/m")),
                                         QJsonObject{{QStringLiteral("k"), 1}})),
                     Error::Kind::NotSupported);
    QVERIFY(m_sdk->subscribe(kStore, QStringLiteral("**")));
    QCOMPARE(m_http->subscribe(kStore, QStringLiteral("**")).error().kind(),
             Error::Kind::NotSupported);

    // What one transport wrote, the other reads identically.
    QVERIFY(sdkCaughtUp());
    for (const QString &rendered : {QStringLiteral("b/x"), QStringLiteral("b/n"),
                                    QStringLiteral("b/m"), QStringLiteral("b")}) {
        const auto h = await(m_http->get(kStore, path(rendered)));
        const auto s = await(m_sdk->get(kStore, path(rendered)));
        SDK_EXPECT_OK(h);
        SDK_EXPECT_OK(s);
        QCOMPARE(s->value, h->value);
        QCOMPARE(s->type, h->type);
        QCOMPARE(s->revision, h->revision);
    }
}

QTEST_MAIN(TstTransportParity)
#include "tst_transport_parity.moc"
