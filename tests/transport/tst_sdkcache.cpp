// SdkTransport with an on-disk mirror cache (SdkOptions::cacheDirectory) against a real
// dustlite on 127.0.0.1: reopening loads the cache and only the delta travels; a corrupt
// cache is reported and rebuilt; a server behind the cache wins; live changes reach the file.

#include "SdkTestSupport.h"

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "sync/Mirror.h"
#include "sync/MirrorCache.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace sdktest;
using dust::test::InProcessDustlite;

namespace {

const QString kStore = QStringLiteral("local/demo");

QList<std::pair<Path, QJsonValue>> numberedLeaves(const QString &prefix, int count)
{
    QList<std::pair<Path, QJsonValue>> leaves;
    for (int i = 0; i < count; ++i)
        leaves.append({path(QStringLiteral("%1/%2").arg(prefix).arg(i)), QJsonValue(i)});
    return leaves;
}

// The cache files in `dir`.
QStringList cacheFiles(const QTemporaryDir &dir)
{
    return QDir(dir.path()).entryList({QStringLiteral("mirror-*.sqlite")}, QDir::Files);
}

// What the cache file in `dir` holds for the server at `wsUrl`, loaded into a new Mirror.
struct CachedState
{
    MirrorCacheLoad load;
    Leaves leaves;
};

CachedState readCache(const QTemporaryDir &dir, const QUrl &wsUrl)
{
    CachedState out;
    Mirror mirror;
    MirrorCache cache(sdk::socketUrl(wsUrl, QString(), QString()).adjusted(QUrl::RemoveQuery),
                      kStore, dir.path());
    out.load = cache.load(mirror);
    mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
        out.leaves.insert(leaf.renderedPath(), {leaf.jsonValue(), leaf.type.toString()});
    });
    return out;
}

// The order in which a transport's store signals arrive.
struct SignalLog
{
    explicit SignalLog(SdkTransport &t)
    {
        QObject::connect(&t, &SdkTransport::storeReset, &t,
                         [this] { order.append(QStringLiteral("reset")); });
        QObject::connect(&t, &SdkTransport::storeJoined, &t,
                         [this] { order.append(QStringLiteral("joined")); });
        QObject::connect(&t, &SdkTransport::storeLive, &t,
                         [this] { order.append(QStringLiteral("live")); });
        QObject::connect(&t, &SdkTransport::storeChanged, &t,
                         [this](const QString &, const MirrorChangeBatch &batch) {
                             for (const MirrorLeafChange &change : batch.changes())
                                 changedPaths.insert(change.path.rendered());
                         });
        QObject::connect(
            &t, &SdkTransport::cacheProblem, &t,
            [this](const QString &, const QString &problem) { problems.append(problem); });
    }
    QStringList order;
    QSet<QString> changedPaths;
    QStringList problems;
};

} // namespace

class TstSdkCache : public QObject
{
    Q_OBJECT

private slots:
    void reopenCatchesUpOnlyTheDelta();
    void corruptCacheIsRebuilt();
    void serverBehindTheCacheWins();
    void liveChangesReachTheFile();
    void noCacheWithoutDirectory();
};

void TstSdkCache::reopenCatchesUpOnlyTheDelta()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet(numberedLeaves(QStringLiteral("items"), 500), QStringLiteral("dev")) > 0);
    QTemporaryDir dir;
    SdkOptions o = options(dustlite.wsUrl());
    o.cacheDirectory = dir.path();
    {
        SdkTransport first(o);
        QVERIFY(waitLive(first, kStore));
        QCOMPARE(mirrorLeaves(first, kStore), serverLeaves(db));
    }
    const QStringList files = cacheFiles(dir);
    QCOMPARE(files.size(), 1);
    QFile file(QDir(dir.path()).filePath(files.first()));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY2(!file.readAll().contains("dust_tok_dev"), "the token must never reach the cache");
    file.close();
    const qint64 cachedSeq = db->currentSeq();
    QCOMPARE(readCache(dir, dustlite.wsUrl()).load.lastSeq, cachedSeq);

    // While the browser was closed: the server compacted (a join from 0 would now get a
    // snapshot of everything) and five leaves changed.
    db->compact();
    QVERIFY(db->bulkSet({{path(QStringLiteral("items/3")), QStringLiteral("three")},
                         {path(QStringLiteral("new/a")), true},
                         {path(QStringLiteral("new/b")), 2.5},
                         {path(QStringLiteral("new/c")), QJsonArray{1, 2}},
                         {path(QStringLiteral("new/d")), QJsonValue::Null}},
                        QStringLiteral("dev")) > 0);

    SdkTransport second(o);
    SignalLog log(second);
    QVERIFY(waitLive(second, kStore));
    QCOMPARE(mirrorLeaves(second, kStore), serverLeaves(db));
    // The cached state came first, as one reset before the join; the join then carried the
    // cached seq, so only the delta arrived, leaf by leaf.
    QCOMPARE(log.order.value(0), QStringLiteral("reset"));
    QCOMPARE(log.order.count(QStringLiteral("reset")), 1);
    QVERIFY(log.order.indexOf(QStringLiteral("joined")) > 0);
    QTRY_COMPARE(
        log.changedPaths,
        (QSet<QString>{QStringLiteral("items/3"), QStringLiteral("new/a"), QStringLiteral("new/b"),
                       QStringLiteral("new/c"), QStringLiteral("new/d")}));
    QVERIFY(log.problems.isEmpty());
}

void TstSdkCache::corruptCacheIsRebuilt()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet(numberedLeaves(QStringLiteral("x"), 3000), QStringLiteral("dev")) > 0);
    QTemporaryDir dir;
    SdkOptions o = options(dustlite.wsUrl());
    o.cacheDirectory = dir.path();
    {
        SdkTransport first(o);
        QVERIFY(waitLive(first, kStore));
    }
    QCOMPARE(cacheFiles(dir).size(), 1);
    const QString filePath = QDir(dir.path()).filePath(cacheFiles(dir).first());

    // One byte of a leaf's path changed inside its chunk: the file is still a sound SQLite
    // database, only the chunk's checksum can tell.
    QFile file(filePath);
    QVERIFY(file.open(QIODevice::ReadWrite));
    const qint64 at = file.readAll().indexOf("x/1500");
    QVERIFY(at > 0);
    QVERIFY(file.seek(at + 3));
    QCOMPARE(file.write("9"), 1);
    file.close();

    SdkTransport second(o);
    SignalLog log(second);
    QVERIFY(waitLive(second, kStore));
    QCOMPARE(mirrorLeaves(second, kStore), serverLeaves(db));
    QCOMPARE(log.problems.size(), 1);
    QVERIFY2(log.problems.first().contains(QStringLiteral("rebuilt")),
             qPrintable(log.problems.first()));
    // Nothing came from the broken file: the whole store arrived after the join.
    QVERIFY(log.order.indexOf(QStringLiteral("reset")) >
            log.order.indexOf(QStringLiteral("joined")));
    // The new file is whole again.
    const CachedState cached = readCache(dir, dustlite.wsUrl());
    QCOMPARE(cached.load.status, MirrorCacheLoad::Status::Loaded);
    QCOMPARE(cached.load.lastSeq, db->currentSeq());
    QCOMPARE(cached.leaves, serverLeaves(db));
}

void TstSdkCache::serverBehindTheCacheWins()
{
    QTemporaryDir dir;
    quint16 port = 0;
    QUrl wsUrl;
    {
        InProcessDustlite before;
        QVERIFY2(before.start(), qPrintable(before.errorString()));
        QVERIFY(before.store()->bulkSet(numberedLeaves(QStringLiteral("old"), 50),
                                        QStringLiteral("dev")) > 0);
        port = before.port();
        wsUrl = before.wsUrl();
        SdkOptions o = options(wsUrl);
        o.cacheDirectory = dir.path();
        SdkTransport t(o);
        QVERIFY(waitLive(t, kStore));
    }
    QCOMPARE(readCache(dir, wsUrl).leaves.size(), 50);

    // The same address now serves a store that was reset: it is behind the cache.
    InProcessDustlite after;
    after.config().port = port;
    QVERIFY2(after.start(), qPrintable(after.errorString()));
    QCOMPARE(after.wsUrl(), wsUrl);
    QVERIFY(after.store()->bulkSet({{path(QStringLiteral("fresh")), 1}}, QStringLiteral("dev")) >
            0);
    QVERIFY(after.store()->currentSeq() < 50);

    SdkOptions o = options(wsUrl);
    o.cacheDirectory = dir.path();
    SdkTransport t(o);
    QVERIFY(waitLive(t, kStore));
    QCOMPARE(mirrorLeaves(t, kStore), serverLeaves(after.store()));
    const CachedState cached = readCache(dir, wsUrl);
    QCOMPARE(cached.load.lastSeq, after.store()->currentSeq());
    QCOMPARE(cached.leaves, serverLeaves(after.store()));
}

void TstSdkCache::liveChangesReachTheFile()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet(numberedLeaves(QStringLiteral("a"), 100), QStringLiteral("dev")) > 0);
    QTemporaryDir dir;
    SdkOptions o = options(dustlite.wsUrl());
    o.cacheDirectory = dir.path();
    o.cacheSaveInterval = 100ms;
    SdkTransport t(o);
    QVERIFY(waitLive(t, kStore));
    QTRY_COMPARE(readCache(dir, dustlite.wsUrl()).load.lastSeq, db->currentSeq());

    for (int i = 0; i < 3; ++i) {
        const auto written =
            await(t.put(kStore, path(QStringLiteral("a/%1").arg(i)), QStringLiteral("v%1").arg(i)));
        SDK_EXPECT_OK(written);
    }
    SDK_EXPECT_OK(await(t.remove(kStore, path(QStringLiteral("a/99")))));
    // Written while the transport runs (no close needed), and equal to the server.
    QTRY_COMPARE(readCache(dir, dustlite.wsUrl()).load.lastSeq, db->currentSeq());
    QCOMPARE(readCache(dir, dustlite.wsUrl()).leaves, serverLeaves(db));
}

void TstSdkCache::noCacheWithoutDirectory()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet(numberedLeaves(QStringLiteral("a"), 10),
                                      QStringLiteral("dev")) > 0);
    QTemporaryDir home;
    qputenv("XDG_CACHE_HOME", home.path().toUtf8());
    {
        SdkTransport t(options(dustlite.wsUrl()));
        QVERIFY(waitLive(t, kStore));
    }
    QDir dir(home.path());
    QVERIFY2(dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty(),
             "without cacheDirectory nothing is written");
}

QTEST_GUILESS_MAIN(TstSdkCache)
#include "tst_sdkcache.moc"
