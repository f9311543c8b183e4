// Exact text on the client side, against a real dustlite on 127.0.0.1: a path or value that
// starts with U+FEFF ("\ufeffbom/x") is a different path from "bom/x", and every read keeps
// them apart — HttpTransport get and list, and SdkTransport's mirror after live events, after
// a catch-up (events and snapshot) and after a load from its on-disk cache. Qt's
// QJsonDocument::fromJson and QString::fromUtf8 drop a leading U+FEFF as if it were a
// byte-order mark; the client reads through jsonbytes::parseDocument / textFromUtf8 instead.

#include "SdkTestSupport.h"

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "transport/HttpTransport.h"

#include "sync/MirrorCache.h"

#include <QTemporaryDir>

using namespace sdktest;
using dust::test::InProcessDustlite;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kBom = QStringLiteral("\ufeff");

Path markedPath()
{
    return sdktest::segments({kBom + QStringLiteral("bom"), QStringLiteral("x")});
}
Path plainPath()
{
    return sdktest::segments({QStringLiteral("bom"), QStringLiteral("x")});
}
QString markedValue()
{
    return kBom + QStringLiteral("marked");
}
const QString kPlainValue = QStringLiteral("plain");

QString describeResult(const auto &result)
{
    return result ? QStringLiteral("ok") : describe(result.error());
}

} // namespace

#define EXPECT_OK_RESULT(result)                                                                   \
    do {                                                                                           \
        if (!(result))                                                                             \
            QFAIL(qPrintable(QStringLiteral("unexpected error: ") + describeResult(result)));      \
    } while (false)

class TstTransportExact : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void httpReadsKeepLeadingFeff();
    void mirrorKeepsLeadingFeffFromLiveEvents();
    void mirrorKeepsLeadingFeffAfterCatchUp_data();
    void mirrorKeepsLeadingFeffAfterCatchUp();
    void mirrorKeepsLeadingFeffFromItsCache();

private:
    // Writes "bom/x" = "plain" and "\ufeffbom/x" = "\ufeffmarked" over `transport`.
    void writeBoth(Transport &transport);
    // Every read `transport` offers tells the two paths apart and keeps both values.
    void checkReads(Transport &transport);
    // Waits until `sdk`'s mirror has every op the server has.
    bool caughtUp(SdkTransport &sdk);

    std::unique_ptr<InProcessDustlite> m_server;
    std::unique_ptr<HttpTransport> m_http;
};

void TstTransportExact::init()
{
    m_server = std::make_unique<InProcessDustlite>();
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_http = std::make_unique<HttpTransport>(m_server->baseUrl(), QStringLiteral("dust_tok_dev"));
}

void TstTransportExact::cleanup()
{
    m_http.reset();
    m_server.reset();
}

void TstTransportExact::writeBoth(Transport &transport)
{
    EXPECT_OK_RESULT(await(transport.put(kStore, plainPath(), kPlainValue)));
    EXPECT_OK_RESULT(await(transport.put(kStore, markedPath(), markedValue())));
    QCOMPARE(m_server->store()->entryCount(), 2);
}

bool TstTransportExact::caughtUp(SdkTransport &sdk)
{
    const qint64 serverSeq = m_server->store()->currentSeq();
    return QTest::qWaitFor(
        [&] {
            if (!sdk.isLive(kStore))
                return false;
            const auto seq = await(
                sdk.withMirror(kStore, [](const Mirror &mirror) { return mirror.lastSeq(); }));
            return seq && *seq == serverSeq;
        },
        20000);
}

void TstTransportExact::checkReads(Transport &transport)
{
    // get, leaf by leaf
    const auto marked = await(transport.get(kStore, markedPath()));
    EXPECT_OK_RESULT(marked);
    QCOMPARE(marked->path, markedPath());
    QCOMPARE(marked->value.toString(), markedValue());
    const auto plain = await(transport.get(kStore, plainPath()));
    EXPECT_OK_RESULT(plain);
    QCOMPARE(plain->path, plainPath());
    QCOMPARE(plain->value.toString(), kPlainValue);

    // get of the interior path: the subtree under "\ufeffbom" only
    const auto subtree =
        await(transport.get(kStore, sdktest::segments({kBom + QStringLiteral("bom")})));
    EXPECT_OK_RESULT(subtree);
    QCOMPARE(subtree->value.toObject(), (QJsonObject{{QStringLiteral("x"), markedValue()}}));

    // list: entries, keys, and a pattern that starts with U+FEFF
    ListQuery all;
    all.limit = 10;
    const auto entries = await(transport.list(kStore, all));
    EXPECT_OK_RESULT(entries);
    QStringList listed;
    for (const Entry &e : entries->entries)
        listed.append(e.path.rendered() + QLatin1Char('=') + e.value.toString());
    listed.sort();
    QCOMPARE(listed, (QStringList{QStringLiteral("bom/x=plain"),
                                  kBom + QStringLiteral("bom/x=") + markedValue()}));

    ListQuery keys = all;
    keys.select = ListQuery::Select::Keys;
    const auto keyPage = await(transport.list(kStore, keys));
    EXPECT_OK_RESULT(keyPage);
    QStringList keyPaths = keyPage->paths;
    keyPaths.sort();
    QCOMPARE(keyPaths, (QStringList{QStringLiteral("bom/x"), kBom + QStringLiteral("bom/x")}));

    // a page of one: the cursor names the first path exactly, and the next page is the other
    ListQuery first = all;
    first.limit = 1;
    const auto page1 = await(transport.list(kStore, first));
    EXPECT_OK_RESULT(page1);
    QCOMPARE(page1->entries.size(), 1);
    QVERIFY(!page1->nextCursor.isEmpty());
    QCOMPARE(page1->nextCursor, page1->entries.first().path.rendered());
    first.after = page1->nextCursor;
    const auto page2 = await(transport.list(kStore, first));
    EXPECT_OK_RESULT(page2);
    QCOMPARE(page2->entries.size(), 1);
    QVERIFY(page2->entries.first().path != page1->entries.first().path);

    const auto bomOnly =
        await(transport.list(kStore, all.matching(kBom + QStringLiteral("bom/*"))));
    EXPECT_OK_RESULT(bomOnly);
    QCOMPARE(bomOnly->entries.size(), 1);
    QCOMPARE(bomOnly->entries.first().path, markedPath());
    QCOMPARE(bomOnly->entries.first().value.toString(), markedValue());
}

void TstTransportExact::httpReadsKeepLeadingFeff()
{
    writeBoth(*m_http);
    checkReads(*m_http);
}

void TstTransportExact::mirrorKeepsLeadingFeffFromLiveEvents()
{
    // The reader is live before the writes: it learns of them from the events the server
    // pushes for another client's writes.
    SdkTransport reader(options(m_server->wsUrl()));
    QVERIFY(waitLive(reader, kStore));
    const auto subscription = watch(reader, kStore, QStringLiteral("**"));
    Recorder recorder(subscription);
    SdkTransport writer(options(m_server->wsUrl()));
    QVERIFY(waitLive(writer, kStore));
    writeBoth(writer);
    QVERIFY(caughtUp(reader));
    QTRY_COMPARE(recorder.events.size(), 2);
    QStringList eventPaths;
    for (const ChangeEvent &event : std::as_const(recorder.events))
        eventPaths.append(event.path.rendered() + QLatin1Char('=') + event.value.toString());
    QCOMPARE(eventPaths, (QStringList{QStringLiteral("bom/x=plain"),
                                      kBom + QStringLiteral("bom/x=") + markedValue()}));
    checkReads(reader);
    const Leaves leaves = mirrorLeaves(reader, kStore);
    QCOMPARE(leaves.keys(), (QStringList{QStringLiteral("bom/x"), kBom + QStringLiteral("bom/x")}));
}

void TstTransportExact::mirrorKeepsLeadingFeffAfterCatchUp_data()
{
    QTest::addColumn<bool>("compacted");
    QTest::newRow("events") << false;  // the join replays the ops
    QTest::newRow("snapshot") << true; // after compaction the join sends a snapshot
}

void TstTransportExact::mirrorKeepsLeadingFeffAfterCatchUp()
{
    QFETCH(bool, compacted);
    writeBoth(*m_http);
    if (compacted)
        m_server->store()->compact();
    SdkTransport sdk(options(m_server->wsUrl()));
    QVERIFY(waitLive(sdk, kStore));
    QVERIFY(caughtUp(sdk));
    checkReads(sdk);
}

void TstTransportExact::mirrorKeepsLeadingFeffFromItsCache()
{
    writeBoth(*m_http);
    QTemporaryDir dir;
    SdkOptions o = options(m_server->wsUrl());
    o.cacheDirectory = dir.path();
    {
        SdkTransport first(o);
        QVERIFY(waitLive(first, kStore));
        QVERIFY(caughtUp(first));
    }
    // What the cache file holds, loaded into a new Mirror.
    Mirror cached;
    MirrorCache cache(
        sdk::socketUrl(m_server->wsUrl(), QString(), QString()).adjusted(QUrl::RemoveQuery), kStore,
        dir.path());
    const MirrorCacheLoad load = cache.load(cached);
    QCOMPARE(load.lastSeq, m_server->store()->currentSeq());
    QStringList leaves;
    cached.forEachLeaf([&](const MirrorLeafView &leaf) {
        leaves.append(leaf.renderedPath() + QLatin1Char('=') + leaf.jsonValue().toString());
    });
    leaves.sort();
    QCOMPARE(leaves, (QStringList{QStringLiteral("bom/x=plain"),
                                  kBom + QStringLiteral("bom/x=") + markedValue()}));

    // A transport that starts from the cache (nothing new to catch up) reads the same.
    SdkTransport second(o);
    QVERIFY(waitLive(second, kStore));
    checkReads(second);
}

QTEST_MAIN(TstTransportExact)
#include "tst_transport_exact.moc"
