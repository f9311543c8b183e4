// ChangeLogModel: the live event stream as a bounded table. Appends without resets, one
// removal and one insertion per batch, glob filtering, pause with a counted queue, clear,
// and the model contract checked by QAbstractItemModelTester throughout.

#include "model/ChangeLogModel.h"
#include "protocol/Entry.h"
#include "protocol/Path.h"

#include "TestSeed.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace dust;

namespace {

ChangeEvent makeEvent(qint64 seq, const QString &path, const QJsonValue &value = 1, Op op = Op::Set)
{
    ChangeEvent e;
    e.storeSeq = seq;
    e.op = op;
    e.opText = opName(op);
    auto parsed = Path::parse(path);
    if (!parsed)
        qFatal("bad test path");
    e.path = *parsed;
    e.value = value;
    e.deviceId = QStringLiteral("dev_%1").arg(seq % 3);
    e.clientOpId = QStringLiteral("op_%1").arg(seq);
    return e;
}

QList<ChangeEvent> burst(qint64 firstSeq, int count, const QString &prefix = QStringLiteral("p"))
{
    QList<ChangeEvent> events;
    events.reserve(count);
    for (int i = 0; i < count; ++i)
        events.append(
            makeEvent(firstSeq + i, QStringLiteral("%1/%2").arg(prefix).arg(firstSeq + i)));
    return events;
}

// Records the structural signals of a model in order: "remove a-b", "insert a-b", "reset".
struct StructureLog
{
    explicit StructureLog(QAbstractItemModel *model)
    {
        QObject::connect(model, &QAbstractItemModel::rowsAboutToBeRemoved, model,
                         [this](const QModelIndex &, int a, int b) {
                             log.append(QStringLiteral("remove %1-%2").arg(a).arg(b));
                         });
        QObject::connect(model, &QAbstractItemModel::rowsAboutToBeInserted, model,
                         [this](const QModelIndex &, int a, int b) {
                             log.append(QStringLiteral("insert %1-%2").arg(a).arg(b));
                         });
        QObject::connect(model, &QAbstractItemModel::modelAboutToBeReset, model,
                         [this] { log.append(QStringLiteral("reset")); });
    }
    QStringList log;
};

qint64 seqAt(const ChangeLogModel &model, int row)
{
    return model.data(model.index(row, ChangeLogModel::SeqColumn)).toLongLong();
}

} // namespace

class TestChangeLogModel : public QObject
{
    Q_OBJECT

private slots:
    void columnsAndData();
    void burstIsOneInsert();
    void fullRingRemovesOldestThenInserts();
    void burstLargerThanCapacity();
    void shrinkingCapacity();
    void filterShowsMatchingRows();
    void filterKeepsBoundsWhenRingWraps();
    void invalidFilterIsRejected();
    void pauseQueuesAndCounts();
    void pauseDropsBeyondCapacity();
    void clearEmptiesEverything();
    void randomSequencesMatchReference_data();
    void randomSequencesMatchReference();
};

void TestChangeLogModel::columnsAndData()
{
    ChangeLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.columnCount(), int(ChangeLogModel::ColumnCount));
    QCOMPARE(model.columnCount(), 6);
    QCOMPARE(model.headerData(ChangeLogModel::PathColumn, Qt::Horizontal).toString(),
             QStringLiteral("Path"));
    QCOMPARE(model.capacity(), 10000);

    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    model.appendEvent(makeEvent(7, QStringLiteral("users/alice"),
                                QJsonObject{{QStringLiteral("name"), QStringLiteral("Alice")}}));
    model.appendEvent(makeEvent(8, QStringLiteral("users/bob"), QJsonValue(), Op::Delete));
    model.appendEvent(makeEvent(9, QStringLiteral("stats/views"), 42, Op::Increment));
    QCOMPARE(model.rowCount(), 3);

    auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
        return model.data(model.index(row, column), role);
    };
    QCOMPARE(cell(0, ChangeLogModel::SeqColumn).toLongLong(), 7);
    QCOMPARE(cell(0, ChangeLogModel::OpColumn).toString(), QStringLiteral("set"));
    QCOMPARE(cell(0, ChangeLogModel::PathColumn).toString(), QStringLiteral("users/alice"));
    QVERIFY(cell(0, ChangeLogModel::ValueColumn).toString().contains(QStringLiteral("Alice")));
    QCOMPARE(cell(0, ChangeLogModel::DeviceColumn).toString(), QStringLiteral("dev_1"));
    QCOMPARE(cell(0, ChangeLogModel::TimeColumn).toString().size(), 12); // HH:mm:ss.zzz
    const QDateTime received = cell(0, 0, ChangeLogModel::ReceivedAtRole).toDateTime();
    QVERIFY(received.toMSecsSinceEpoch() >= before);
    QVERIFY(received.toMSecsSinceEpoch() <= QDateTime::currentMSecsSinceEpoch());
    QCOMPARE(cell(1, ChangeLogModel::OpColumn).toString(), QStringLiteral("delete"));
    QCOMPARE(cell(1, ChangeLogModel::ValueColumn).toString(), QString());
    QCOMPARE(cell(2, ChangeLogModel::ValueColumn).toString(), QStringLiteral("42"));
    QCOMPARE(cell(2, 0, ChangeLogModel::StoreSeqRole).toLongLong(), 9);
    QCOMPARE(cell(2, 0, ChangeLogModel::PathSegmentsRole).toStringList(),
             (QStringList{QStringLiteral("stats"), QStringLiteral("views")}));
    QCOMPARE(cell(2, 0, ChangeLogModel::ClientOpIdRole).toString(), QStringLiteral("op_9"));
    QCOMPARE(model.storeSeqAt(1), 8);
    QCOMPARE(model.pathAt(1).rendered(), QStringLiteral("users/bob"));
    QVERIFY(!model.data(model.index(3, 0)).isValid());
    QVERIFY(model.roleNames().contains(ChangeLogModel::PausedEventCountRole));

    // A big value is previewed, not stored whole.
    QJsonArray big;
    for (int i = 0; i < 10000; ++i)
        big.append(i);
    model.appendEvent(makeEvent(10, QStringLiteral("big"), big));
    QVERIFY(cell(3, ChangeLogModel::ValueColumn).toString().size() <= ChangeLogModel::PreviewChars);
}

void TestChangeLogModel::burstIsOneInsert()
{
    ChangeLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    StructureLog structure(&model);
    model.appendEvents(burst(1, 5000));
    QCOMPARE(structure.log, QStringList{QStringLiteral("insert 0-4999")});
    model.appendEvents(burst(5001, 5000));
    QCOMPARE(structure.log,
             (QStringList{QStringLiteral("insert 0-4999"), QStringLiteral("insert 5000-9999")}));
    QCOMPARE(model.rowCount(), 10000);
    QCOMPARE(seqAt(model, 0), 1);
    QCOMPARE(seqAt(model, 9999), 10000);
}

void TestChangeLogModel::fullRingRemovesOldestThenInserts()
{
    ChangeLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendEvents(burst(1, 10000));
    StructureLog structure(&model);
    model.appendEvents(burst(10001, 5000));
    QCOMPARE(structure.log,
             (QStringList{QStringLiteral("remove 0-4999"), QStringLiteral("insert 5000-9999")}));
    QCOMPARE(model.rowCount(), 10000);
    QCOMPARE(seqAt(model, 0), 5001);
    QCOMPARE(seqAt(model, 9999), 15000);
    structure.log.clear();
    model.appendEvent(makeEvent(15001, QStringLiteral("one")));
    QCOMPARE(structure.log,
             (QStringList{QStringLiteral("remove 0-0"), QStringLiteral("insert 9999-9999")}));
    QCOMPARE(seqAt(model, 0), 5002);
    QCOMPARE(model.totalCount(), 10000);
}

void TestChangeLogModel::burstLargerThanCapacity()
{
    ChangeLogModel model;
    model.setCapacity(1000);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendEvents(burst(1, 300));
    StructureLog structure(&model);
    model.appendEvents(burst(301, 2500));
    QCOMPARE(structure.log,
             (QStringList{QStringLiteral("remove 0-299"), QStringLiteral("insert 0-999")}));
    QCOMPARE(model.rowCount(), 1000);
    QCOMPARE(seqAt(model, 0), 1801);
    QCOMPARE(seqAt(model, 999), 2800);
}

void TestChangeLogModel::shrinkingCapacity()
{
    ChangeLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendEvents(burst(1, 100));
    StructureLog structure(&model);
    model.setCapacity(30);
    QCOMPARE(structure.log, QStringList{QStringLiteral("remove 0-69")});
    QCOMPARE(model.rowCount(), 30);
    QCOMPARE(seqAt(model, 0), 71);
    model.setCapacity(0); // clamped to 1
    QCOMPARE(model.capacity(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(seqAt(model, 0), 100);
}

void TestChangeLogModel::filterShowsMatchingRows()
{
    ChangeLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendEvent(makeEvent(1, QStringLiteral("users/alice/name")));
    model.appendEvent(makeEvent(2, QStringLiteral("users/alice/email")));
    model.appendEvent(makeEvent(3, QStringLiteral("users/bob/name")));
    model.appendEvent(makeEvent(4, QStringLiteral("settings/theme")));
    QSignalSpy filterChanged(&model, &ChangeLogModel::filterChanged);

    QVERIFY(!model.setFilter(QStringLiteral("users/*/name")));
    QCOMPARE(model.filter(), QStringLiteral("users/*/name"));
    QCOMPARE(filterChanged.size(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(seqAt(model, 0), 1);
    QCOMPARE(seqAt(model, 1), 3);
    QCOMPARE(model.totalCount(), 4);

    StructureLog structure(&model);
    model.appendEvents({makeEvent(5, QStringLiteral("users/carol/name")),
                        makeEvent(6, QStringLiteral("other")),
                        makeEvent(7, QStringLiteral("users/dave/name"))});
    QCOMPARE(structure.log, QStringList{QStringLiteral("insert 2-3")});
    QCOMPARE(seqAt(model, 3), 7);
    structure.log.clear();
    model.appendEvent(makeEvent(8, QStringLiteral("nothing/matches")));
    QVERIFY(structure.log.isEmpty());

    QVERIFY(!model.setFilter(QStringLiteral("users/**")));
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(!model.setFilter(QString()));
    QCOMPARE(model.rowCount(), 8);
    QCOMPARE(model.filter(), QString());
}

void TestChangeLogModel::filterKeepsBoundsWhenRingWraps()
{
    ChangeLogModel model;
    model.setCapacity(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(!model.setFilter(QStringLiteral("even/*")));
    // Alternate matching and non-matching events through several wraps of the ring.
    qint64 seq = 0;
    for (int round = 0; round < 7; ++round) {
        QList<ChangeEvent> events;
        for (int i = 0; i < 60; ++i) {
            ++seq;
            events.append(makeEvent(
                seq, QStringLiteral("%1/%2")
                         .arg(seq % 2 == 0 ? QStringLiteral("even") : QStringLiteral("odd"))
                         .arg(seq)));
        }
        model.appendEvents(events);
        QVERIFY(model.totalCount() <= 100);
    }
    QCOMPARE(model.totalCount(), 100);
    QCOMPARE(model.rowCount(), 50);
    QCOMPARE(seqAt(model, 0), seq - 98);
    QCOMPARE(seqAt(model, 49), seq);
    StructureLog structure(&model);
    model.appendEvents(
        {makeEvent(seq + 1, QStringLiteral("odd/x")), makeEvent(seq + 2, QStringLiteral("odd/y"))});
    // Two rows leave the ring (one of them visible), none of the new ones match.
    QCOMPARE(structure.log, QStringList{QStringLiteral("remove 0-0")});
    QCOMPARE(model.rowCount(), 49);
}

void TestChangeLogModel::invalidFilterIsRejected()
{
    ChangeLogModel model;
    model.appendEvents(burst(1, 5));
    QVERIFY(!model.setFilter(QStringLiteral("p/*")));
    const auto error = model.setFilter(QStringLiteral("a/**/b"));
    QVERIFY(error);
    QCOMPARE(*error, GlobError::WildcardManyNotTail);
    QCOMPARE(model.filter(), QStringLiteral("p/*"));
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(model.setFilter(QStringLiteral("a//b")));
}

void TestChangeLogModel::pauseQueuesAndCounts()
{
    ChangeLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendEvents(burst(1, 10));
    QSignalSpy counts(&model, &ChangeLogModel::pausedEventCountChanged);
    StructureLog structure(&model);
    model.setPaused(true);
    QVERIFY(model.isPaused());
    model.appendEvents(burst(11, 5));
    model.appendEvent(makeEvent(16, QStringLiteral("x")));
    QCOMPARE(model.rowCount(), 10);
    QVERIFY(structure.log.isEmpty());
    QCOMPARE(model.pausedEventCount(), 6);
    QCOMPARE(model.property("pausedEventCount").toInt(), 6);
    QCOMPARE(model.data(model.index(0, 0), ChangeLogModel::PausedEventCountRole).toInt(), 6);
    QCOMPARE(counts.size(), 2);
    QCOMPARE(counts.last().at(0).toInt(), 6);

    model.setPaused(false);
    QCOMPARE(structure.log, QStringList{QStringLiteral("insert 10-15")});
    QCOMPARE(model.rowCount(), 16);
    QCOMPARE(seqAt(model, 15), 16);
    QCOMPARE(model.pausedEventCount(), 0);
    QCOMPARE(counts.last().at(0).toInt(), 0);
}

void TestChangeLogModel::pauseDropsBeyondCapacity()
{
    ChangeLogModel model;
    model.setCapacity(50);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendEvents(burst(1, 50));
    model.setPaused(true);
    model.appendEvents(burst(51, 30));
    model.appendEvents(burst(81, 100));
    QCOMPARE(model.pausedEventCount(), 130);
    QCOMPARE(model.droppedWhilePaused(), 80);
    StructureLog structure(&model);
    model.setPaused(false);
    QCOMPARE(structure.log,
             (QStringList{QStringLiteral("remove 0-49"), QStringLiteral("insert 0-49")}));
    QCOMPARE(seqAt(model, 0), 131);
    QCOMPARE(seqAt(model, 49), 180);
}

void TestChangeLogModel::clearEmptiesEverything()
{
    ChangeLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendEvents(burst(1, 20));
    QVERIFY(!model.setFilter(QStringLiteral("p/*")));
    model.setPaused(true);
    model.appendEvents(burst(21, 5));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.totalCount(), 0);
    QCOMPARE(model.pausedEventCount(), 0);
    model.setPaused(false);
    QCOMPARE(model.rowCount(), 0);
    model.appendEvents(burst(30, 3));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(seqAt(model, 0), 30);
}

void TestChangeLogModel::randomSequencesMatchReference_data()
{
    QTest::addColumn<quint32>("seed");
    QTest::newRow("seed-1") << 1u;
    QTest::newRow("seed-2") << 2u;
    QTest::newRow("random seed") << dust::test::testSeed();
}

// Long random runs of bursts, capacity changes, filter changes, pauses and clears, checked
// after every step against a naive reference: a plain list of every event kept, the last
// `capacity` of them, filtered by re-matching the glob. Structural signals must be inserts
// and removals only, except for filter changes and clear.
void TestChangeLogModel::randomSequencesMatchReference()
{
    QFETCH(quint32, seed);
    qInfo("seed %u", seed);
    QRandomGenerator rng(seed);
    const QStringList names = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("users"),
                               QStringLiteral("item7"), QStringLiteral("x.y")};
    const QStringList patterns = {QString(),
                                  QStringLiteral("a/**"),
                                  QStringLiteral("*/b"),
                                  QStringLiteral("users/*"),
                                  QStringLiteral("*/*/item7"),
                                  QStringLiteral("x.y/**")};

    ChangeLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    StructureLog structure(&model);

    QList<ChangeEvent> ring;   // what the model keeps, oldest first
    QList<ChangeEvent> queued; // held while paused
    int capacity = 1 + int(rng.bounded(60));
    model.setCapacity(capacity);
    bool paused = false;
    QString pattern;
    qint64 seq = 0;

    auto keepLast = [](QList<ChangeEvent> &list, int n) {
        if (list.size() > n)
            list.remove(0, list.size() - n);
    };
    for (int step = 0; step < 600; ++step) {
        structure.log.clear();
        const quint32 kind = rng.bounded(100);
        bool resetAllowed = false;
        if (kind < 60) {
            QList<ChangeEvent> events;
            const int n = 1 + int(rng.bounded(rng.bounded(5) == 0 ? 150 : 6));
            for (int i = 0; i < n; ++i) {
                QStringList segs;
                for (int d = 0, depth = 1 + int(rng.bounded(3)); d < depth; ++d)
                    segs.append(names.at(rng.bounded(names.size())));
                events.append(makeEvent(++seq, segs.join(QLatin1Char('/'))));
            }
            if (events.size() == 1 && rng.bounded(2))
                model.appendEvent(events.first());
            else
                model.appendEvents(events);
            if (paused) {
                queued.append(events);
                keepLast(queued, capacity);
            } else {
                ring.append(events);
                keepLast(ring, capacity);
            }
        } else if (kind < 70) {
            capacity = 1 + int(rng.bounded(60));
            model.setCapacity(capacity);
            keepLast(ring, capacity);
            keepLast(queued, capacity);
        } else if (kind < 80) {
            resetAllowed = true;
            pattern = patterns.at(rng.bounded(patterns.size()));
            QVERIFY(!model.setFilter(pattern));
        } else if (kind < 95) {
            paused = !paused;
            model.setPaused(paused);
            if (!paused) {
                ring.append(queued);
                queued.clear();
                keepLast(ring, capacity);
            }
        } else {
            resetAllowed = true;
            model.clear();
            ring.clear();
            queued.clear();
        }
        if (!resetAllowed)
            QVERIFY2(!structure.log.contains(QStringLiteral("reset")),
                     qPrintable(structure.log.join(u", ")));

        const Glob glob = Glob::compile(pattern.isEmpty() ? QStringLiteral("**") : pattern).value();
        QList<qint64> expected;
        for (const ChangeEvent &e : std::as_const(ring)) {
            if (pattern.isEmpty() || glob.matches(e.path))
                expected.append(e.storeSeq);
        }
        QList<qint64> actual;
        for (int row = 0; row < model.rowCount(); ++row) {
            actual.append(seqAt(model, row));
            QCOMPARE(model.data(model.index(row, ChangeLogModel::PathColumn)).toString(),
                     model.pathAt(row).rendered());
        }
        QCOMPARE(actual, expected);
        QCOMPARE(model.totalCount(), int(ring.size()));
        QCOMPARE(model.isPaused(), paused);
    }
}

QTEST_GUILESS_MAIN(TestChangeLogModel)
#include "tst_changelogmodel.moc"
