// ChangeCoalescer on its own: batches gathered between flushes, the latest change of each
// path handed on, chunked and budgeted flushes, holding, clearing.

#include "StoreTreeTestUtil.h"

#include "model/ChangeCoalescer.h"

#include <QSignalSpy>
#include <QTest>

#include <map>
#include <vector>

using namespace dust;
using namespace dust::test;

namespace {

MirrorLeafChange written(const QString &rendered, const QString &preview, qint64 revision)
{
    MirrorLeafChange c;
    c.kind = MirrorLeafChange::Kind::Updated;
    c.path = mkpath(rendered);
    c.type = QStringLiteral("string");
    c.preview = preview;
    c.revision = revision;
    return c;
}

MirrorLeafChange removed(const QString &rendered)
{
    MirrorLeafChange c;
    c.kind = MirrorLeafChange::Kind::Removed;
    c.path = mkpath(rendered);
    return c;
}

MirrorChangeBatch batchOf(qint64 seq, QList<MirrorLeafChange> changes)
{
    return MirrorChangeBatch(seq, seq, std::move(changes));
}

// Records every chunk the coalescer applies.
struct Sink
{
    std::vector<std::vector<MirrorLeafChange>> chunks;

    ChangeCoalescer::Apply apply()
    {
        return [this](std::vector<MirrorLeafChange> changes) {
            chunks.push_back(std::move(changes));
        };
    }
    qsizetype total() const
    {
        qsizetype n = 0;
        for (const auto &chunk : chunks)
            n += qsizetype(chunk.size());
        return n;
    }
    // The last change applied for each path, over every chunk.
    std::map<QString, MirrorLeafChange> latest() const
    {
        std::map<QString, MirrorLeafChange> out;
        for (const auto &chunk : chunks) {
            for (const MirrorLeafChange &c : chunk)
                out[c.path.rendered()] = c;
        }
        return out;
    }
};

} // namespace

class TestChangeCoalescer : public QObject
{
    Q_OBJECT

private slots:
    void latestChangePerPathWins();
    void flushesOncePerInterval();
    void chunksAreAtMostChunkSize();
    void bigBatchIsTakenInParts();
    void maxPerFlushSplitsAcrossFlushes();
    void heldChangesWaitForRelease();
    void clearDropsEverything();
    void emptyBatchesAndInvalidPathsAreSkipped();
    void settingsAreClamped();
};

void TestChangeCoalescer::latestChangePerPathWins()
{
    Sink sink;
    ChangeCoalescer coalescer(sink.apply());
    coalescer.add(batchOf(1, {written(QStringLiteral("a"), QStringLiteral("1"), 1),
                              written(QStringLiteral("b"), QStringLiteral("1"), 1)}));
    coalescer.add(batchOf(2, {written(QStringLiteral("a"), QStringLiteral("2"), 2)}));
    coalescer.add(batchOf(3, {removed(QStringLiteral("b"))}));
    coalescer.add(batchOf(4, {written(QStringLiteral("c"), QStringLiteral("4"), 4)}));
    QCOMPARE(coalescer.pendingCount(), 5);
    QVERIFY(!coalescer.isEmpty());
    QVERIFY(sink.chunks.empty()); // nothing is applied on add

    coalescer.flushAll();
    QCOMPARE(coalescer.pendingCount(), 0);
    QVERIFY(coalescer.isEmpty());
    QCOMPARE(sink.chunks.size(), size_t(1));
    QCOMPARE(sink.chunks.front().size(), size_t(3)); // each path once
    const auto latest = sink.latest();
    QCOMPARE(latest.at(QStringLiteral("a")).preview, QStringLiteral("2"));
    QCOMPARE(latest.at(QStringLiteral("a")).revision, 2);
    QCOMPARE(latest.at(QStringLiteral("b")).kind, MirrorLeafChange::Kind::Removed);
    QCOMPARE(latest.at(QStringLiteral("c")).revision, 4);
    QCOMPARE(coalescer.flushCount(), 1);
}

void TestChangeCoalescer::flushesOncePerInterval()
{
    Sink sink;
    ChangeCoalescer coalescer(sink.apply());
    coalescer.setInterval(20);
    coalescer.setBudget(10000); // about the interval, not the budget
    QCOMPARE(coalescer.interval(), 20);
    QSignalSpy flushed(&coalescer, &ChangeCoalescer::flushed);
    for (int i = 0; i < 500; ++i)
        coalescer.add(batchOf(
            i + 1, {written(QStringLiteral("k%1").arg(i % 50), QString::number(i), i + 1)}));
    QVERIFY(flushed.wait(5000));
    QCOMPARE(flushed.count(), 1);
    QCOMPARE(flushed.at(0).at(0).toInt(), 50);
    QVERIFY(flushed.at(0).at(1).toLongLong() >= 0);
    QCOMPARE(coalescer.flushCount(), 1);
    QCOMPARE(coalescer.pendingCount(), 0);
    QCOMPARE(sink.total(), 50);
    for (const auto &[path, change] : sink.latest())
        QVERIFY2(change.revision > 450, qPrintable(path)); // the last write of each path
}

void TestChangeCoalescer::chunksAreAtMostChunkSize()
{
    Sink sink;
    ChangeCoalescer coalescer(sink.apply());
    const int count = 2 * ChangeCoalescer::chunkSize() + 100;
    for (int i = 0; i < count; ++i)
        coalescer.add(batchOf(i + 1, {written(QStringLiteral("n%1").arg(i), QString(), i + 1)}));
    coalescer.flushAll();
    QCOMPARE(sink.chunks.size(), size_t(3));
    for (const auto &chunk : sink.chunks)
        QVERIFY(chunk.size() <= size_t(ChangeCoalescer::chunkSize()));
    QCOMPARE(sink.total(), count);
    QCOMPARE(qsizetype(sink.latest().size()), qsizetype(count));
}

void TestChangeCoalescer::bigBatchIsTakenInParts()
{
    Sink sink;
    ChangeCoalescer coalescer(sink.apply());
    coalescer.setBudget(0); // one chunk per flush
    QCOMPARE(coalescer.budget(), 0);
    QList<MirrorLeafChange> changes;
    for (int i = 0; i < 3000; ++i)
        changes.append(removed(QStringLiteral("big/n%1").arg(i)));
    QSignalSpy flushed(&coalescer, &ChangeCoalescer::flushed);
    coalescer.add(batchOf(1, changes));
    QCOMPARE(coalescer.pendingCount(), 3000);
    QVERIFY(flushed.wait(5000));
    QCOMPARE(flushed.at(0).at(0).toInt(), ChangeCoalescer::chunkSize());
    QCOMPARE(coalescer.pendingCount(), 3000 - ChangeCoalescer::chunkSize());
    QTRY_COMPARE(coalescer.pendingCount(), 0);
    QCOMPARE(flushed.count(), 3);
    QCOMPARE(flushed.at(2).at(0).toInt(), 3000 - 2 * ChangeCoalescer::chunkSize());
    QCOMPARE(sink.total(), 3000);
}

void TestChangeCoalescer::maxPerFlushSplitsAcrossFlushes()
{
    Sink sink;
    ChangeCoalescer coalescer(sink.apply());
    coalescer.setMaxPerFlush(1000);
    QCOMPARE(coalescer.maxPerFlush(), 1000);
    QSignalSpy flushed(&coalescer, &ChangeCoalescer::flushed);
    for (int i = 0; i < 3500; ++i)
        coalescer.add(batchOf(i + 1, {written(QStringLiteral("x/n%1").arg(i), QString(), i + 1)}));
    QTRY_COMPARE(coalescer.pendingCount(), 0);
    QCOMPARE(flushed.count(), 4);
    for (const auto &args : flushed)
        QVERIFY(args.at(0).toInt() <= 1000);
    QCOMPARE(sink.total(), 3500);
}

void TestChangeCoalescer::heldChangesWaitForRelease()
{
    Sink sink;
    ChangeCoalescer coalescer(sink.apply());
    coalescer.setInterval(0);
    coalescer.setHeld(true);
    QVERIFY(coalescer.isHeld());
    coalescer.add(batchOf(1, {written(QStringLiteral("a"), QStringLiteral("1"), 1)}));
    coalescer.flushAll();
    QVERIFY(sink.chunks.empty());
    QCOMPARE(coalescer.pendingCount(), 1);
    QCOMPARE(coalescer.flushCount(), 0);

    // Released: the next interval applies what was gathered meanwhile.
    QSignalSpy flushed(&coalescer, &ChangeCoalescer::flushed);
    coalescer.add(batchOf(2, {written(QStringLiteral("b"), QStringLiteral("2"), 2)}));
    coalescer.setHeld(false);
    QVERIFY(flushed.wait(5000));
    QCOMPARE(sink.total(), 2);
    QCOMPARE(coalescer.pendingCount(), 0);
}

void TestChangeCoalescer::clearDropsEverything()
{
    Sink sink;
    ChangeCoalescer coalescer(sink.apply());
    QList<MirrorLeafChange> changes;
    for (int i = 0; i < 2000; ++i)
        changes.append(written(QStringLiteral("c/n%1").arg(i), QString(), 1));
    coalescer.add(batchOf(1, changes));
    coalescer.setBudget(0);
    coalescer.setMaxPerFlush(10); // leaves most of the batch queued after one flush
    QSignalSpy flushed(&coalescer, &ChangeCoalescer::flushed);
    QVERIFY(flushed.wait(5000));
    QVERIFY(coalescer.pendingCount() > 0);
    coalescer.clear();
    QCOMPARE(coalescer.pendingCount(), 0);
    QVERIFY(coalescer.isEmpty());
    const qsizetype applied = sink.total();
    coalescer.flushAll();
    QCOMPARE(sink.total(), applied);

    // Gathering starts over cleanly.
    coalescer.add(batchOf(2, {written(QStringLiteral("d"), QString(), 2)}));
    coalescer.flushAll();
    QCOMPARE(sink.total(), applied + 1);
}

void TestChangeCoalescer::emptyBatchesAndInvalidPathsAreSkipped()
{
    Sink sink;
    ChangeCoalescer coalescer(sink.apply());
    coalescer.add(MirrorChangeBatch());
    coalescer.add(batchOf(1, {}));
    QVERIFY(coalescer.isEmpty());
    QCOMPARE(coalescer.pendingCount(), 0);
    MirrorLeafChange invalid;
    invalid.kind = MirrorLeafChange::Kind::Added;
    coalescer.add(batchOf(2, {invalid, written(QStringLiteral("ok"), QString(), 2)}));
    coalescer.flushAll();
    QCOMPARE(sink.total(), 1);
    QCOMPARE(sink.chunks.front().front().path.rendered(), QStringLiteral("ok"));
}

void TestChangeCoalescer::settingsAreClamped()
{
    Sink sink;
    ChangeCoalescer coalescer(sink.apply());
    QCOMPARE(coalescer.interval(), 16);
    QCOMPARE(coalescer.budget(), 10);
    coalescer.setInterval(-5);
    coalescer.setBudget(-1);
    coalescer.setMaxPerFlush(0);
    QCOMPARE(coalescer.interval(), 0);
    QCOMPARE(coalescer.budget(), 0);
    QCOMPARE(coalescer.maxPerFlush(), 1);
}

QTEST_MAIN(TestChangeCoalescer)
#include "tst_changecoalescer.moc"
