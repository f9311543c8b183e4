// Tests of dust::Mirror's change batches: what each one says about the leaves an event
// changed, that batches and resets alone rebuild the mirror (random runs; the seed is
// printed, DUST_TEST_SEED replays one), and batches crossing threads.

#include "MirrorTestUtil.h"
#include "RandomStore.h"
#include "TestSeed.h"
#include "protocol/Values.h"
#include "sync/Mirror.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <map>

using namespace dust;
using namespace dust::test;

namespace {

// A model of leaves kept only from change batches and resets, like a tree model would.
class BatchModel : public QObject
{
public:
    explicit BatchModel(Mirror &mirror)
        : m_mirror(mirror)
    {
        connect(&mirror, &Mirror::changed, this, &BatchModel::onChanged);
        connect(&mirror, &Mirror::reset, this, &BatchModel::onReset);
        onReset();
    }

    std::map<QByteArray, QString> leaves; // rendered UTF-8 path -> "type @rev preview"
    QStringList problems;
    int batches = 0;
    int resets = 0;

    QStringList rows() const
    {
        QStringList out;
        for (const auto &[path, text] : leaves)
            out.append(QString::fromUtf8(path) + QLatin1Char(' ') + text);
        return out;
    }

    static QStringList mirrorRows(const Mirror &mirror)
    {
        QStringList out;
        mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
            out.append(leaf.renderedPath() + QLatin1Char(' ') +
                       describe(leaf.type.toString(), leaf.revision, leaf.preview()));
        });
        return out;
    }

private:
    static QString describe(const QString &type, qint64 revision, const QString &preview)
    {
        return QStringLiteral("%1 @%2 %3").arg(type).arg(revision).arg(preview);
    }

    void onChanged(const MirrorChangeBatch &batch)
    {
        ++batches;
        QByteArray previous;
        for (const MirrorLeafChange &c : batch.changes()) {
            const QByteArray path = c.path.rendered().toUtf8();
            if (!previous.isNull() && !(previous < path))
                problems.append(QStringLiteral("batch not in path order at ") +
                                QString::fromUtf8(path));
            previous = path;
            if (c.revision != batch.lastSeq())
                problems.append(
                    QStringLiteral("revision %1 in batch %2").arg(c.revision).arg(batch.lastSeq()));
            const bool known = leaves.count(path) > 0;
            switch (c.kind) {
            case MirrorLeafChange::Kind::Added:
                if (known)
                    problems.append(QStringLiteral("added twice: ") + QString::fromUtf8(path));
                leaves[path] = describe(c.type, c.revision, c.preview);
                break;
            case MirrorLeafChange::Kind::Updated:
                if (!known)
                    problems.append(QStringLiteral("updated unknown: ") + QString::fromUtf8(path));
                leaves[path] = describe(c.type, c.revision, c.preview);
                break;
            case MirrorLeafChange::Kind::Removed:
                if (!known)
                    problems.append(QStringLiteral("removed unknown: ") + QString::fromUtf8(path));
                leaves.erase(path);
                break;
            }
        }
    }

    void onReset()
    {
        ++resets;
        leaves.clear();
        m_mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
            leaves[leaf.path.toByteArray()] =
                describe(leaf.type.toString(), leaf.revision, leaf.preview());
        });
    }

    Mirror &m_mirror;
};

class BatchReceiver : public QObject
{
    Q_OBJECT
public:
    void take(const dust::MirrorChangeBatch &batch)
    {
        threadOk = QThread::currentThread() == thread();
        received = batch;
        emit got();
    }
    MirrorChangeBatch received;
    bool threadOk = false;
signals:
    void got();
};

} // namespace

class TestMirrorBatches : public QObject
{
    Q_OBJECT

private slots:
    void batchDescribesEachChange();
    void batchCarriesTheEvent();
    void batchesRebuildTheMirror();
    void batchCrossesThreads();
    void noBatchWithoutReceivers();
};

void TestMirrorBatches::batchDescribesEachChange()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "u", J("{\"keep\":1,\"drop\":2,\"same\":3}")));
    m.apply(ev(2, Op::Set, "u-sibling", J("1")));
    QSignalSpy changed(&m, &Mirror::changed);
    m.apply(ev(3, Op::Set, "u", J("{\"keep\":10,\"new\":\"n\",\"same\":3}")));
    QCOMPARE(changed.count(), 1);
    const auto batch = changed.at(0).at(0).value<MirrorChangeBatch>();
    QCOMPARE(batch.firstSeq(), 3);
    QCOMPARE(batch.lastSeq(), 3);
    using K = MirrorLeafChange::Kind;
    const QList<MirrorLeafChange> expected = {
        {K::Removed, P("u/drop"), QString(), 3, QString()},
        {K::Updated, P("u/keep"), QStringLiteral("integer"), 3, values::preview(J("10"))},
        {K::Added, P("u/new"), QStringLiteral("string"), 3, values::preview(J("\"n\""))},
        {K::Updated, P("u/same"), QStringLiteral("integer"), 3, values::preview(J("3"))},
    };
    QCOMPARE(batch.changes(), expected);

    // A value over a subtree: the leaves under it go, the leaf comes.
    changed.clear();
    m.apply(ev(4, Op::Set, "u", J("true")));
    const auto batch2 = changed.at(0).at(0).value<MirrorChangeBatch>();
    QCOMPARE(batch2.changes(),
             (QList<MirrorLeafChange>{
                 {K::Added, P("u"), QStringLiteral("boolean"), 4, values::preview(J("true"))},
                 {K::Removed, P("u/keep"), QString(), 4, QString()},
                 {K::Removed, P("u/new"), QString(), 4, QString()},
                 {K::Removed, P("u/same"), QString(), 4, QString()}}));
    // An object set that writes nothing new over nothing: an empty batch.
    changed.clear();
    m.apply(ev(5, Op::Set, "zz", J("{}")));
    QVERIFY(changed.at(0).at(0).value<MirrorChangeBatch>().isEmpty());
}

void TestMirrorBatches::batchCarriesTheEvent()
{
    Mirror m;
    QSignalSpy changed(&m, &Mirror::changed);
    m.apply(ev(7, Op::Increment, "stats/views", J("3"), QStringLiteral("op_x")));
    const auto batch = changed.at(0).at(0).value<MirrorChangeBatch>();
    QCOMPARE(batch.events().size(), 1);
    const MirrorEventInfo &info = batch.events().at(0);
    QCOMPARE(info.storeSeq, 7);
    QCOMPARE(info.op, Op::Increment);
    QCOMPARE(info.opText, QStringLiteral("increment"));
    QCOMPARE(info.path, P("stats/views"));
    QCOMPARE(info.deviceId, QStringLiteral("dev_test"));
    QCOMPARE(info.clientOpId, QStringLiteral("op_x"));
    // Copies share the data.
    const MirrorChangeBatch copy = batch;
    QCOMPARE(copy, batch);
    QCOMPARE(copy.changes().constData(), batch.changes().constData());
}

void TestMirrorBatches::batchesRebuildTheMirror()
{
    const quint32 seed = testSeed();
    for (int round = 0; round < 10; ++round) {
        RandomStore r(seed + quint32(round) * 7919u);
        Mirror m;
        BatchModel model(m);
        m.setResetThreshold(20);
        qint64 seq = 0;
        for (int step = 0; step < 600; ++step) {
            const int what = r.below(100);
            if (what < 2) {
                // A snapshot of a few entries.
                QJsonObject entries;
                for (int i = 0; i < 3; ++i)
                    entries.insert(
                        r.path().rendered(),
                        QJsonObject{{QStringLiteral("value"), values::wrapScalar(r.scalar())}});
                m.applySnapshot(seq += 5, entries);
            } else if (what < 5) {
                // A catch-up with live events interleaved and duplicated.
                m.beginCatchUp();
                const int n = 1 + r.below(30);
                QList<ChangeEvent> live;
                for (int i = 0; i < n; ++i) {
                    const ChangeEvent e = r.event(++seq);
                    if (r.chance(30)) {
                        live.append(e);
                        m.apply(e, EventSource::Live);
                    } else {
                        m.apply(e, EventSource::CatchUp);
                    }
                    if (!live.isEmpty() && r.chance(20))
                        m.apply(live.at(r.below(int(live.size()))), EventSource::Live);
                }
                m.endCatchUp(seq);
            } else {
                m.apply(r.event(++seq));
                if (r.chance(10))
                    m.apply(r.event(seq - r.below(3))); // duplicates are ignored
            }
            if (!model.problems.isEmpty())
                QFAIL(qPrintable(model.problems.join(QLatin1Char('\n'))));
            if (model.rows() != BatchModel::mirrorRows(m)) {
                const QStringList a = model.rows();
                const QStringList b = BatchModel::mirrorRows(m);
                for (const QString &row : a)
                    if (!b.contains(row))
                        qWarning() << "model only:" << row;
                for (const QString &row : b)
                    if (!a.contains(row))
                        qWarning() << "mirror only:" << row;
                qWarning() << "after step" << step << "what" << what << "seq" << seq;
                QFAIL("the model built from batches differs from the mirror");
            }
        }
        QCOMPARE(model.rows(), BatchModel::mirrorRows(m));
        QVERIFY(model.batches > 0);
    }
}

void TestMirrorBatches::batchCrossesThreads()
{
    // The mirror lives on a sync thread, the receiver here: a queued connection carries the
    // batch (a registered, implicitly shared metatype).
    QThread syncThread;
    auto *mirror = new Mirror;
    mirror->moveToThread(&syncThread);
    connect(&syncThread, &QThread::finished, mirror, &QObject::deleteLater);
    BatchReceiver receiver;
    connect(mirror, &Mirror::changed, &receiver, &BatchReceiver::take, Qt::QueuedConnection);
    QSignalSpy got(&receiver, &BatchReceiver::got);
    syncThread.start();
    QMetaObject::invokeMethod(
        mirror, [mirror] { mirror->apply(ev(1, Op::Set, "x", J("{\"a\":1,\"b\":2}"))); });
    QTRY_COMPARE(got.count(), 1);
    QVERIFY(receiver.threadOk);
    QCOMPARE(receiver.received.changes().size(), 2);
    QCOMPARE(receiver.received.changes().at(1).path, P("x/b"));
    syncThread.quit();
    QVERIFY(syncThread.wait(5000));
}

void TestMirrorBatches::noBatchWithoutReceivers()
{
    // Nobody listens: the mirror does not build batches, but still counts and resets.
    Mirror m;
    m.apply(ev(1, Op::Set, "a", J("1")));
    QSignalSpy changed(&m, &Mirror::changed);
    m.apply(ev(2, Op::Set, "b", J("1")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m.leafCount(), 2);
}

QTEST_GUILESS_MAIN(TestMirrorBatches)
#include "tst_mirror_batches.moc"
