// MirrorCache: the Mirror's on-disk SQLite cache. Round trips (full and incremental saves),
// every kind of damaged or foreign file being detected and rebuilt, token hygiene, the
// discard on a reset to 0, and a round trip of a real store caught up from dustlite.

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestSeed.h"
#include "protocol/Entry.h"
#include "protocol/Path.h"
#include "sync/Mirror.h"
#include "sync/MirrorCache.h"
#include "transport/SdkTransport.h"

#include <QDir>
#include <QFile>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <tuple>
#include <vector>

using namespace dust;

namespace {

using LeafTuple = std::tuple<QByteArray, QByteArray, QString, qint64>;

std::vector<LeafTuple> leavesOf(const Mirror &mirror)
{
    std::vector<LeafTuple> out;
    mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
        out.emplace_back(leaf.path.toByteArray(), leaf.value.toByteArray(), leaf.type.toString(),
                         leaf.revision);
    });
    return out;
}

Path p(const QString &rendered)
{
    auto parsed = Path::parse(rendered);
    if (!parsed)
        qFatal("bad test path %s", qPrintable(rendered));
    return *parsed;
}

ChangeEvent makeEvent(qint64 seq, Op op, const QString &path, const QJsonValue &value = {})
{
    ChangeEvent e;
    e.storeSeq = seq;
    e.op = op;
    e.opText = opName(op);
    e.path = p(path);
    e.value = value;
    e.deviceId = QStringLiteral("dev_test");
    e.clientOpId = QStringLiteral("op_%1").arg(seq);
    return e;
}

// A mirror with varied content: flattened objects, scalars of every kind, arrays, typed
// envelopes, escaped and unicode segments, a node that is both a value and a folder,
// increments, deletes of leaves and subtrees.
void fill(Mirror &mirror, int users = 300)
{
    qint64 seq = mirror.lastSeq();
    for (int i = 0; i < users; ++i) {
        QJsonObject profile{{QStringLiteral("name"), QStringLiteral("User %1").arg(i)},
                            {QStringLiteral("age"), 20 + i % 50},
                            {QStringLiteral("score"), i * 0.5},
                            {QStringLiteral("active"), i % 2 == 0},
                            {QStringLiteral("tags"), QJsonArray{QStringLiteral("a"), i}},
                            {QStringLiteral("nothing"), QJsonValue::Null},
                            {QStringLiteral("address"),
                             QJsonObject{{QStringLiteral("city"), QStringLiteral("Zürich")},
                                         {QStringLiteral("zip"), QString::number(8000 + i)}}}};
        mirror.apply(makeEvent(++seq, Op::Set, QStringLiteral("users/u%1").arg(i), profile));
    }
    mirror.apply(makeEvent(++seq, Op::Set, QStringLiteral("files/logo~1main"),
                           QJsonObject{{QStringLiteral("_type"), QStringLiteral("file")},
                                       {QStringLiteral("hash"), QStringLiteral("sha256:00")},
                                       {QStringLiteral("size"), 12}}));
    mirror.apply(makeEvent(++seq, Op::Set, QStringLiteral("odd/with space/é~0tilde"), 1));
    mirror.apply(makeEvent(++seq, Op::Set, QStringLiteral("both"), QStringLiteral("value")));
    mirror.apply(makeEvent(++seq, Op::Set, QStringLiteral("both/child"), true));
    mirror.apply(makeEvent(++seq, Op::Increment, QStringLiteral("stats/views"), 42));
    mirror.apply(makeEvent(++seq, Op::Delete, QStringLiteral("users/u1/age")));
    mirror.apply(makeEvent(++seq, Op::Delete, QStringLiteral("users/u2")));
}

void writeBytes(const QString &file, const QByteArray &bytes)
{
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

QByteArray readBytes(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Runs `sql` on a cache file directly (to damage it on purpose).
bool tamper(const QString &file, const QString &sql)
{
    bool ok = false;
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(file);
        if (db.open()) {
            QSqlQuery q(db);
            ok = q.exec(sql);
            if (!ok)
                qWarning() << q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
    return ok;
}

using dust::test::await;

const QUrl Server(QStringLiteral("https://dust.example.com:8443/"));
const QString Store = QStringLiteral("acme/site");

} // namespace

class TestMirrorCache : public QObject
{
    Q_OBJECT

private slots:
    void init();

    void fileNameIsAHashWithoutToken();
    void missingFileLoadsNothing();
    void reloadEqualsLiveState();
    void emptyMirrorRoundTrip();
    void manyChunksRoundTrip();
    void incrementalSaveRewritesOnlyChangedChunks();
    void incrementalSaveSplitsGrowingChunks();
    void resetMeansFullSave();
    void resetToZeroDiscardsTheFile();
    void corruptFilesAreRebuilt_data();
    void corruptFilesAreRebuilt();
    void truncatedFilesAreRebuilt();
    void flippedBytesAreNeverTrusted();
    void saveReplacesAtomically();
    void liveStoreRoundTrip();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestMirrorCache::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestMirrorCache::fileNameIsAHashWithoutToken()
{
    const QString token = QStringLiteral("dust_tok_SECRET123");
    QUrl withToken(QStringLiteral("wss://user:dust_tok_SECRET123@dust.example.com:8443/ws/sync"
                                  "?token=dust_tok_SECRET123#frag"));
    MirrorCache cache(withToken, Store, m_dir->path());
    QVERIFY(!cache.filePath().contains(token));
    QVERIFY(!cache.serverUrl().toString().contains(token));
    QVERIFY(cache.fileNameFor(withToken, Store).startsWith(QStringLiteral("mirror-")));
    // Same server and store, different credentials: same file.
    QCOMPARE(MirrorCache::fileNameFor(withToken, Store),
             MirrorCache::fileNameFor(QUrl(QStringLiteral("wss://dust.example.com:8443/ws/sync/")),
                                      Store));
    // Another store or server: another file.
    QVERIFY(MirrorCache::fileNameFor(withToken, Store) !=
            MirrorCache::fileNameFor(withToken, QStringLiteral("acme/other")));
    QVERIFY(
        MirrorCache::fileNameFor(withToken, Store) !=
        MirrorCache::fileNameFor(QUrl(QStringLiteral("wss://other.example.com/ws/sync")), Store));
    QVERIFY(MirrorCache::defaultDirectory().endsWith(QStringLiteral("/mirrors")));

    Mirror mirror;
    fill(mirror, 20);
    mirror.apply(
        makeEvent(mirror.lastSeq() + 1, Op::Set, QStringLiteral("note"), QStringLiteral("hello")));
    QVERIFY(cache.save(mirror));
    const QByteArray bytes = readBytes(cache.filePath());
    QVERIFY(!bytes.isEmpty());
    QVERIFY(!bytes.contains(token.toUtf8()));
    QVERIFY(!bytes.contains("SECRET123"));
    QVERIFY(bytes.contains("dust.example.com"));
    for (const QString &name : QDir(m_dir->path()).entryList(QDir::Files))
        QVERIFY2(!name.contains(QStringLiteral("SECRET")), qPrintable(name));
}

void TestMirrorCache::missingFileLoadsNothing()
{
    MirrorCache cache(Server, Store, m_dir->path());
    Mirror mirror;
    const MirrorCacheLoad loaded = cache.load(mirror);
    QCOMPARE(loaded.status, MirrorCacheLoad::Status::Missing);
    QCOMPARE(mirror.lastSeq(), 0);
    QCOMPARE(mirror.leafCount(), 0);
}

void TestMirrorCache::reloadEqualsLiveState()
{
    Mirror live;
    fill(live);
    QVERIFY(live.leafCount() > 1500);
    MirrorCache cache(Server, Store, m_dir->path());
    const auto saved = cache.save(live);
    QVERIFY2(saved, qPrintable(saved ? QString() : saved.error()));
    QVERIFY(!saved->incremental);
    QCOMPARE(saved->leafCount, live.leafCount());
    QVERIFY(saved->chunksWritten >= 2);

    MirrorCache again(Server, Store, m_dir->path());
    Mirror reloaded;
    QSignalSpy resets(&reloaded, &Mirror::reset);
    const MirrorCacheLoad loaded = again.load(reloaded);
    QCOMPARE(loaded.status, MirrorCacheLoad::Status::Loaded);
    QCOMPARE(loaded.lastSeq, live.lastSeq());
    QCOMPARE(loaded.leafCount, live.leafCount());
    QCOMPARE(reloaded.lastSeq(), live.lastSeq());
    QVERIFY(leavesOf(reloaded) == leavesOf(live));
    QCOMPARE(resets.size(), 1);
    // The reloaded mirror behaves like the live one: reads and further events.
    QCOMPARE(reloaded.get(p(QStringLiteral("users/u7/address/city")))->value.toString(),
             QStringLiteral("Zürich"));
    QCOMPARE(reloaded.get(p(QStringLiteral("files/logo~1main")))->type, QStringLiteral("file"));
    QCOMPARE(reloaded.get(p(QStringLiteral("stats/views")))->type, QStringLiteral("counter"));
    const qint64 next = live.lastSeq() + 1;
    QCOMPARE(reloaded.apply(makeEvent(next, Op::Set, QStringLiteral("users/u3/name"), 5)),
             ApplyStatus::Applied);
    QCOMPARE(live.apply(makeEvent(next, Op::Set, QStringLiteral("users/u3/name"), 5)),
             ApplyStatus::Applied);
    QVERIFY(leavesOf(reloaded) == leavesOf(live));
    QCOMPARE(reloaded.apply(makeEvent(next, Op::Set, QStringLiteral("x"), 1)),
             ApplyStatus::Duplicate);
}

void TestMirrorCache::emptyMirrorRoundTrip()
{
    Mirror empty;
    MirrorCache cache(Server, Store, m_dir->path());
    QVERIFY(cache.save(empty));
    Mirror reloaded;
    const auto loaded = cache.load(reloaded);
    QCOMPARE(loaded.status, MirrorCacheLoad::Status::Loaded);
    QCOMPARE(reloaded.leafCount(), 0);
    QCOMPARE(reloaded.lastSeq(), 0);
}

void TestMirrorCache::manyChunksRoundTrip()
{
    Mirror live;
    qint64 seq = 0;
    for (int i = 0; i < 30000; ++i)
        live.apply(makeEvent(++seq, Op::Set,
                             QStringLiteral("logs/%1/entry").arg(i, 6, 10, QLatin1Char('0')),
                             QStringLiteral("line %1").arg(i)));
    MirrorCache cache(Server, Store, m_dir->path());
    const auto saved = cache.save(live);
    QVERIFY(saved);
    QCOMPARE(saved->chunksWritten,
             (30000 + MirrorCache::ChunkLeaves - 1) / MirrorCache::ChunkLeaves);
    Mirror reloaded;
    QCOMPARE(cache.load(reloaded).status, MirrorCacheLoad::Status::Loaded);
    QVERIFY(leavesOf(reloaded) == leavesOf(live));
}

void TestMirrorCache::incrementalSaveRewritesOnlyChangedChunks()
{
    {
        Mirror first;
        fill(first, 500);
        MirrorCache cache(Server, Store, m_dir->path());
        QVERIFY(cache.save(first));
    }
    // A new session: load, follow the mirror, apply a few events, save.
    Mirror mirror;
    MirrorCache cache(Server, Store, m_dir->path());
    cache.track(&mirror);
    QCOMPARE(cache.load(mirror).status, MirrorCacheLoad::Status::Loaded);
    qint64 seq = mirror.lastSeq();
    mirror.apply(
        makeEvent(++seq, Op::Set, QStringLiteral("users/u10/name"), QStringLiteral("Ten")));
    mirror.apply(makeEvent(++seq, Op::Delete, QStringLiteral("users/u11")));
    mirror.apply(makeEvent(++seq, Op::Set, QStringLiteral("aaa/first"), 1)); // before every chunk
    mirror.apply(makeEvent(++seq, Op::Set, QStringLiteral("zzz/last"), 2));  // after every chunk
    const auto saved = cache.save(mirror);
    QVERIFY2(saved, qPrintable(saved ? QString() : saved.error()));
    QVERIFY(saved->incremental);
    QVERIFY(saved->chunksWritten >= 1);
    QVERIFY(saved->chunksWritten <= 4);
    QCOMPARE(saved->leafCount, mirror.leafCount());

    Mirror reloaded;
    MirrorCache reader(Server, Store, m_dir->path());
    QCOMPARE(reader.load(reloaded).status, MirrorCacheLoad::Status::Loaded);
    QCOMPARE(reloaded.lastSeq(), mirror.lastSeq());
    QVERIFY(leavesOf(reloaded) == leavesOf(mirror));

    // Nothing changed: an incremental save that writes no chunk.
    const auto again = cache.save(mirror);
    QVERIFY(again);
    QVERIFY(again->incremental);
    QCOMPARE(again->chunksWritten, 0);

    // Deleting everything through events, incrementally.
    const std::vector<LeafTuple> all = leavesOf(mirror);
    cache.setIncrementalLimit(1.0);
    for (const char *top : {"users", "files", "odd", "both", "stats", "aaa", "zzz"})
        mirror.apply(makeEvent(++seq, Op::Delete, QString::fromLatin1(top)));
    QCOMPARE(mirror.leafCount(), 0);
    const auto emptied = cache.save(mirror);
    QVERIFY(emptied);
    Mirror none;
    QCOMPARE(reader.load(none).status, MirrorCacheLoad::Status::Loaded);
    QCOMPARE(none.leafCount(), 0);
    QCOMPARE(none.lastSeq(), seq);
}

void TestMirrorCache::incrementalSaveSplitsGrowingChunks()
{
    Mirror mirror;
    MirrorCache cache(Server, Store, m_dir->path());
    cache.track(&mirror);
    qint64 seq = 0;
    for (int i = 0; i < 100; ++i)
        mirror.apply(
            makeEvent(++seq, Op::Set, QStringLiteral("k/%1").arg(i, 5, 10, QLatin1Char('0')), i));
    QVERIFY(cache.save(mirror)); // the first save is a full one
    cache.setIncrementalLimit(1.0);
    // 5,000 new leaves land in the same single chunk: it must be split.
    for (int i = 100; i < 5100; ++i)
        mirror.apply(
            makeEvent(++seq, Op::Set, QStringLiteral("k/%1").arg(i, 5, 10, QLatin1Char('0')), i));
    const auto saved = cache.save(mirror);
    QVERIFY(saved);
    QVERIFY(saved->incremental);
    QVERIFY(saved->chunksWritten >= 4);
    Mirror reloaded;
    MirrorCache reader(Server, Store, m_dir->path());
    QCOMPARE(reader.load(reloaded).status, MirrorCacheLoad::Status::Loaded);
    QVERIFY(leavesOf(reloaded) == leavesOf(mirror));
}

void TestMirrorCache::resetMeansFullSave()
{
    Mirror mirror;
    MirrorCache cache(Server, Store, m_dir->path());
    cache.track(&mirror);
    fill(mirror, 50);
    QVERIFY(cache.save(mirror));
    mirror.apply(makeEvent(mirror.lastSeq() + 1, Op::Set, QStringLiteral("a"), 1));
    QVERIFY(cache.save(mirror)->incremental);
    // A snapshot replaces the state: the next save writes a new file.
    mirror.beginCatchUp();
    mirror.applySnapshot(
        mirror.lastSeq() + 10,
        QJsonObject{
            {QStringLiteral("only/leaf"),
             QJsonObject{{QStringLiteral("value"), QJsonObject{{QStringLiteral("_scalar"), 3}}},
                         {QStringLiteral("type"), QStringLiteral("integer")}}}});
    mirror.endCatchUp(mirror.lastSeq());
    const auto saved = cache.save(mirror);
    QVERIFY(saved);
    QVERIFY(!saved->incremental);
    Mirror reloaded;
    QCOMPARE(cache.load(reloaded).status, MirrorCacheLoad::Status::Loaded);
    QVERIFY(leavesOf(reloaded) == leavesOf(mirror));
    QCOMPARE(reloaded.leafCount(), 1);
}

void TestMirrorCache::resetToZeroDiscardsTheFile()
{
    {
        Mirror first;
        fill(first, 20);
        MirrorCache cache(Server, Store, m_dir->path());
        QVERIFY(cache.save(first));
    }
    Mirror mirror;
    MirrorCache cache(Server, Store, m_dir->path());
    cache.track(&mirror);
    QCOMPARE(cache.load(mirror).status, MirrorCacheLoad::Status::Loaded);
    QVERIFY(cache.exists());
    // The server turned out to be behind the cache: the session drops its state.
    mirror.clear();
    QVERIFY(!cache.exists());
    QVERIFY(!QFile::exists(cache.filePath()));
    // The explicit form as well.
    QVERIFY(cache.save(mirror));
    QVERIFY(cache.exists());
    QVERIFY(cache.discard());
    QVERIFY(!cache.exists());
}

void TestMirrorCache::corruptFilesAreRebuilt_data()
{
    QTest::addColumn<QString>("damage");
    QTest::newRow("random bytes") << QStringLiteral("random");
    QTest::newRow("empty file") << QStringLiteral("empty");
    QTest::newRow("text file") << QStringLiteral("text");
    QTest::newRow("other sqlite database") << QStringLiteral("foreign");
    QTest::newRow("wrong version") << QStringLiteral("version");
    QTest::newRow("no header") << QStringLiteral("nometa");
    QTest::newRow("wrong store") << QStringLiteral("store");
    QTest::newRow("wrong server") << QStringLiteral("server");
    QTest::newRow("header seq changed") << QStringLiteral("seq");
    QTest::newRow("header count changed") << QStringLiteral("count");
    QTest::newRow("chunk data changed") << QStringLiteral("chunkdata");
    QTest::newRow("chunk checksum changed") << QStringLiteral("chunksum");
    QTest::newRow("chunk removed") << QStringLiteral("chunkgone");
    QTest::newRow("chunk key changed") << QStringLiteral("chunkkey");
    QTest::newRow("chunk count changed") << QStringLiteral("chunkcount");
    QTest::newRow("bad type list") << QStringLiteral("types");
    QTest::newRow("value bytes changed") << QStringLiteral("badvalue");
}

void TestMirrorCache::corruptFilesAreRebuilt()
{
    QFETCH(QString, damage);
    Mirror live;
    fill(live, 200);
    MirrorCache cache(Server, Store, m_dir->path());
    QVERIFY(cache.save(live));
    const QString file = cache.filePath();

    if (damage == QLatin1String("random")) {
        QByteArray bytes(200000, Qt::Uninitialized);
        QRandomGenerator rng(dust::test::testSeed());
        for (char &c : bytes)
            c = char(rng.bounded(256));
        writeBytes(file, bytes);
    } else if (damage == QLatin1String("empty")) {
        writeBytes(file, {});
    } else if (damage == QLatin1String("text")) {
        writeBytes(file, QByteArray("SQLite format 3\0 but not really", 32));
    } else if (damage == QLatin1String("foreign")) {
        QFile::remove(file);
        QVERIFY(tamper(file, QStringLiteral("CREATE TABLE t(x)")));
    } else if (damage == QLatin1String("version")) {
        QVERIFY(tamper(file, QStringLiteral("UPDATE meta SET value = 99 WHERE key = 'format'")));
    } else if (damage == QLatin1String("nometa")) {
        QVERIFY(tamper(file, QStringLiteral("DROP TABLE meta")));
    } else if (damage == QLatin1String("store") || damage == QLatin1String("server")) {
        // A valid cache of another store/server placed under this one's name.
        Mirror other;
        fill(other, 10);
        MirrorCache foreign(
            damage == QLatin1String("store") ? Server : QUrl(QStringLiteral("https://x.example")),
            damage == QLatin1String("store") ? QStringLiteral("acme/other") : Store, m_dir->path());
        QVERIFY(foreign.save(other));
        QFile::remove(file);
        QVERIFY(QFile::rename(foreign.filePath(), file));
    } else if (damage == QLatin1String("seq")) {
        QVERIFY(tamper(file, QStringLiteral("UPDATE meta SET value = value + 1 WHERE key = "
                                            "'last_store_seq'")));
    } else if (damage == QLatin1String("count")) {
        QVERIFY(tamper(file, QStringLiteral("UPDATE meta SET value = value - 1 WHERE key = "
                                            "'leaf_count'")));
    } else if (damage == QLatin1String("chunkdata")) {
        QVERIFY(tamper(file, QStringLiteral("UPDATE chunks SET data = substr(data, 1, 100) || "
                                            "x'00' || substr(data, 102) WHERE id = 1")));
    } else if (damage == QLatin1String("chunksum")) {
        QVERIFY(
            tamper(file, QStringLiteral("UPDATE chunks SET checksum = checksum + 1 WHERE id = 2")));
    } else if (damage == QLatin1String("chunkgone")) {
        QVERIFY(tamper(file, QStringLiteral("DELETE FROM chunks WHERE id = 2")));
    } else if (damage == QLatin1String("chunkkey")) {
        QVERIFY(tamper(file, QStringLiteral("UPDATE chunks SET first_path = x'00' WHERE id = 2")));
    } else if (damage == QLatin1String("chunkcount")) {
        QVERIFY(tamper(
            file, QStringLiteral("UPDATE chunks SET leaf_count = leaf_count + 1 WHERE id = 1")));
    } else if (damage == QLatin1String("types")) {
        QVERIFY(tamper(
            file, QStringLiteral("UPDATE meta SET value = '[\"string\"' WHERE key = 'types'")));
    } else if (damage == QLatin1String("badvalue")) {
        // One value's bytes changed in place (the value is no longer valid JSON).
        QVERIFY(tamper(file, QStringLiteral("UPDATE chunks SET data = replace(data, "
                                            "CAST('\"User 1\"' AS BLOB), CAST('\"User 1 ' AS "
                                            "BLOB)) WHERE id = 1")));
    }

    MirrorCache reader(Server, Store, m_dir->path());
    QSignalSpy rebuilt(&reader, &MirrorCache::rebuilt);
    Mirror mirror;
    mirror.apply(makeEvent(1, Op::Set, QStringLiteral("before/load"), 1));
    const std::vector<LeafTuple> before = leavesOf(mirror);
    const MirrorCacheLoad loaded = reader.load(mirror);
    QCOMPARE(loaded.status, MirrorCacheLoad::Status::Rebuilt);
    QVERIFY(!loaded.problem.isEmpty());
    qInfo("%s: %s", qPrintable(damage), qPrintable(loaded.problem));
    QCOMPARE(rebuilt.size(), 1);
    QVERIFY2(!QFile::exists(file), qPrintable(loaded.problem));
    // The mirror was not touched.
    QCOMPARE(mirror.lastSeq(), 1);
    QVERIFY(leavesOf(mirror) == before);
    // And the cache works again from scratch.
    QVERIFY(reader.save(live));
    Mirror again;
    QCOMPARE(reader.load(again).status, MirrorCacheLoad::Status::Loaded);
    QVERIFY(leavesOf(again) == leavesOf(live));
}

void TestMirrorCache::truncatedFilesAreRebuilt()
{
    Mirror live;
    fill(live, 300);
    MirrorCache cache(Server, Store, m_dir->path());
    QVERIFY(cache.save(live));
    const QByteArray whole = readBytes(cache.filePath());
    QVERIFY(whole.size() > 100000);
    for (qsizetype length :
         {qsizetype(0), qsizetype(50), qsizetype(100), qsizetype(4096), qsizetype(65536),
          whole.size() / 3, whole.size() / 2, whole.size() - 65536, whole.size() - 1}) {
        writeBytes(cache.filePath(), whole.left(length));
        Mirror mirror;
        const MirrorCacheLoad loaded = cache.load(mirror);
        QVERIFY2(loaded.status == MirrorCacheLoad::Status::Rebuilt,
                 qPrintable(QStringLiteral("length %1").arg(length)));
        QCOMPARE(mirror.leafCount(), 0);
        QVERIFY(!cache.exists());
    }
}

void TestMirrorCache::flippedBytesAreNeverTrusted()
{
    Mirror live;
    fill(live, 300);
    MirrorCache cache(Server, Store, m_dir->path());
    QVERIFY(cache.save(live));
    const QByteArray whole = readBytes(cache.filePath());
    const std::vector<LeafTuple> expected = leavesOf(live);
    QRandomGenerator rng(20260701);
    int rebuilt = 0;
    for (int round = 0; round < 40; ++round) {
        QByteArray damaged = whole;
        for (int i = 0; i < 4; ++i) {
            const auto at = qsizetype(rng.bounded(quint32(damaged.size())));
            damaged[at] = char(damaged[at] ^ char(1 + rng.bounded(255)));
        }
        writeBytes(cache.filePath(), damaged);
        Mirror mirror;
        const MirrorCacheLoad loaded = cache.load(mirror);
        // Either the damage hit bytes that hold nothing (free space) and the content is
        // exactly right, or the file is rejected.
        if (loaded.status == MirrorCacheLoad::Status::Loaded) {
            QVERIFY(leavesOf(mirror) == expected);
            QCOMPARE(mirror.lastSeq(), live.lastSeq());
        } else {
            QCOMPARE(loaded.status, MirrorCacheLoad::Status::Rebuilt);
            QCOMPARE(mirror.leafCount(), 0);
            ++rebuilt;
        }
    }
    QVERIFY(rebuilt > 0);
}

void TestMirrorCache::saveReplacesAtomically()
{
    Mirror live;
    fill(live, 50);
    MirrorCache cache(Server, Store, m_dir->path());
    QVERIFY(cache.save(live));
    // A second full save replaces the file; no temporary file is left behind.
    Mirror other;
    fill(other, 10);
    QVERIFY(cache.save(other));
    const QStringList files = QDir(m_dir->path()).entryList(QDir::Files);
    QCOMPARE(files, QStringList{MirrorCache::fileNameFor(Server, Store)});
    Mirror reloaded;
    QCOMPARE(cache.load(reloaded).status, MirrorCacheLoad::Status::Loaded);
    QVERIFY(leavesOf(reloaded) == leavesOf(other));
    // A directory that cannot be created gives an error, not a crash.
    writeBytes(m_dir->filePath(QStringLiteral("blocker")), "x");
    MirrorCache blocked(Server, Store, m_dir->filePath(QStringLiteral("blocker/sub")));
    const auto failed = blocked.save(live);
    QVERIFY(!failed);
    QVERIFY(!failed.error().isEmpty());
}

void TestMirrorCache::liveStoreRoundTrip()
{
    test::InProcessDustlite dustlite;
    dustlite.config().seed = QStringLiteral("demo");
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkOptions options;
    options.url = dustlite.wsUrl();
    options.token = QStringLiteral("dust_tok_dev");
    SdkTransport transport(options);
    const QString store = QStringLiteral("local/demo");
    const QString dir = m_dir->path();
    // Save on the sync thread, where the mirror lives, and take its leaves there too.
    auto result = await(
        transport.withMirror(store, [dir, url = dustlite.baseUrl(), store](const Mirror &mirror) {
            MirrorCache cache(url, store, dir);
            const auto saved = cache.save(mirror);
            return std::make_tuple(bool(saved), leavesOf(mirror), mirror.lastSeq());
        }));
    QVERIFY2(result, "the store did not catch up");
    const auto &[saved, leaves, lastSeq] = *result;
    QVERIFY(saved);
    QVERIFY(lastSeq > 0);
    QVERIFY(leaves.size() > 10);

    MirrorCache cache(dustlite.baseUrl(), store, dir);
    Mirror reloaded;
    QCOMPARE(cache.load(reloaded).status, MirrorCacheLoad::Status::Loaded);
    QCOMPARE(reloaded.lastSeq(), lastSeq);
    QVERIFY(leavesOf(reloaded) == leaves);
}

QTEST_GUILESS_MAIN(TestMirrorCache)
#include "tst_mirrorcache.moc"
