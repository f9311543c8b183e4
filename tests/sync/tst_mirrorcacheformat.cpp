// The pieces of the mirror cache's file format on their own, without SQLite: the chunk
// byte format and its reader's bounds checks, the checksum, and the header's meta rows.

#include "sync/CacheChunk.h"
#include "sync/MirrorCacheHeader.h"

#include <QTest>

using namespace dust;

namespace {

const QString kServer = QStringLiteral("wss://dust.example.com/ws/sync");
const QString kStore = QStringLiteral("acme/site");

QByteArray twoLeaves()
{
    QByteArray data;
    cachechunk::appendLeaf(data, "a/b", "1", 1, 7);
    cachechunk::appendLeaf(data, "a/c", R"({"_type":"file"})", 8, 9);
    return data;
}

MirrorCacheHeader sampleHeader()
{
    MirrorCacheHeader header;
    header.server = kServer;
    header.store = kStore;
    header.lastSeq = 42;
    header.leafCount = 3;
    header.types = {QStringLiteral("string"), QStringLiteral("integer")};
    header.checksum = 0x8000000000000001ULL;
    return header;
}

QHash<QString, QVariant> metaOf(const MirrorCacheHeader &header)
{
    QHash<QString, QVariant> meta;
    for (const auto &[key, value] : header.metaRows())
        meta.insert(key, value);
    return meta;
}

} // namespace

class TestMirrorCacheFormat : public QObject
{
    Q_OBJECT

private slots:
    void readerChecksBounds_data();
    void readerChecksBounds();
    void checksumSeesEveryByte();
    void headerRoundTrips();
    void headerRejectsDamage_data();
    void headerRejectsDamage();
};

void TestMirrorCacheFormat::readerChecksBounds_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QStringList>("leaves"); // "path=value:type@revision" read in order
    QTest::addColumn<bool>("atEnd");

    const QByteArray whole = twoLeaves();
    const QStringList both{QStringLiteral("a/b=1:1@7"),
                           QStringLiteral(R"(a/c={"_type":"file"}:8@9)")};
    QTest::newRow("whole") << whole << both << true;
    QTest::newRow("empty") << QByteArray() << QStringList() << true;
    QTest::newRow("cut in the second body")
        << whole.chopped(3) << QStringList{both.first()} << false;
    QTest::newRow("cut in the second header")
        << whole.left(cachechunk::LeafHeader + 4 + cachechunk::LeafHeader - 1)
        << QStringList{both.first()} << false;
    QTest::newRow("trailing bytes") << whole + QByteArray("xy") << both << false;
    QByteArray huge = whole;
    huge[0] = char(0xff); // the first path claims 255 bytes more than there are
    huge[1] = char(0xff);
    QTest::newRow("length past the end") << huge << QStringList() << false;
}

void TestMirrorCacheFormat::readerChecksBounds()
{
    QFETCH(QByteArray, data);
    QFETCH(QStringList, leaves);
    QFETCH(bool, atEnd);
    cachechunk::Reader reader(data);
    QStringList read;
    MirrorRestoredLeaf leaf;
    while (reader.next(leaf))
        read.append(QStringLiteral("%1=%2:%3@%4")
                        .arg(QString::fromUtf8(leaf.path), QString::fromUtf8(leaf.value))
                        .arg(leaf.typeIndex)
                        .arg(leaf.revision));
    QCOMPARE(read, leaves);
    QCOMPARE(reader.atEnd(), atEnd);
}

void TestMirrorCacheFormat::checksumSeesEveryByte()
{
    const QByteArray data = twoLeaves();
    const quint64 sum = cachechunk::checksum(data);
    QCOMPARE(cachechunk::checksum(data), sum);
    for (qsizetype i = 0; i < data.size(); ++i) {
        QByteArray flipped = data;
        flipped[i] = char(flipped[i] ^ 0x01);
        QVERIFY2(cachechunk::checksum(flipped) != sum, qPrintable(QString::number(i)));
    }
    QVERIFY(cachechunk::checksum(data.chopped(1)) != sum);
    QVERIFY(cachechunk::checksum(data, 1) != sum);
}

void TestMirrorCacheFormat::headerRoundTrips()
{
    const MirrorCacheHeader header = sampleHeader();
    const auto parsed = MirrorCacheHeader::fromMeta(metaOf(header), kServer, kStore);
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    QCOMPARE(parsed->lastSeq, header.lastSeq);
    QCOMPARE(parsed->leafCount, header.leafCount);
    QCOMPARE(parsed->types, header.types);
    QCOMPARE(parsed->checksum, header.checksum);

    // The whole-file checksum covers the header fields and every chunk's entry.
    cachechunk::Index chunks;
    chunks.emplace(QByteArray("a"), cachechunk::Info{1, 2, 99});
    const quint64 sum = header.checksumWith(chunks);
    QCOMPARE(parsed->checksumWith(chunks), sum);
    MirrorCacheHeader other = header;
    other.lastSeq = 43;
    QVERIFY(other.checksumWith(chunks) != sum);
    other = header;
    other.types.append(QStringLiteral("map"));
    QVERIFY(other.checksumWith(chunks) != sum);
    other = header;
    other.checksum = 0; // not part of its own checksum
    QCOMPARE(other.checksumWith(chunks), sum);
    cachechunk::Index moreChunks = chunks;
    moreChunks.emplace(QByteArray("b"), cachechunk::Info{2, 1, 5});
    QVERIFY(header.checksumWith(moreChunks) != sum);
}

void TestMirrorCacheFormat::headerRejectsDamage_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QVariant>("value"); // invalid = the row is missing
    QTest::addColumn<QString>("problem");

    QTest::newRow("old format") << QStringLiteral("format") << QVariant(0)
                                << QStringLiteral("format version 0, expected 1");
    QTest::newRow("no format") << QStringLiteral("format") << QVariant()
                               << QStringLiteral("format version , expected 1");
    QTest::newRow("other server") << QStringLiteral("server")
                                  << QVariant(QStringLiteral("wss://elsewhere/ws/sync"))
                                  << QStringLiteral("the cache belongs to another server");
    QTest::newRow("other store") << QStringLiteral("store")
                                 << QVariant(QStringLiteral("acme/other"))
                                 << QStringLiteral("the cache belongs to another store");
    QTest::newRow("negative seq") << QStringLiteral("last_store_seq") << QVariant(-1)
                                  << QStringLiteral("damaged header");
    QTest::newRow("text count") << QStringLiteral("leaf_count") << QVariant(QStringLiteral("x"))
                                << QStringLiteral("damaged header");
    QTest::newRow("no checksum") << QStringLiteral("checksum") << QVariant()
                                 << QStringLiteral("damaged header");
    QTest::newRow("types not a list")
        << QStringLiteral("types") << QVariant(QStringLiteral(R"({"a":1})"))
        << QStringLiteral("damaged type list");
    QTest::newRow("empty type name")
        << QStringLiteral("types") << QVariant(QStringLiteral(R"(["string",""])"))
        << QStringLiteral("damaged type list");
}

void TestMirrorCacheFormat::headerRejectsDamage()
{
    QFETCH(QString, key);
    QFETCH(QVariant, value);
    QFETCH(QString, problem);
    QHash<QString, QVariant> meta = metaOf(sampleHeader());
    QVERIFY(meta.contains(key));
    if (value.isValid())
        meta.insert(key, value);
    else
        meta.remove(key);
    const auto parsed = MirrorCacheHeader::fromMeta(meta, kServer, kStore);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error(), problem);
}

QTEST_GUILESS_MAIN(TestMirrorCacheFormat)
#include "tst_mirrorcacheformat.moc"
