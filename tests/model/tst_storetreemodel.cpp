// StoreTreeModel fed like the SDK feeds it: snapshots (rebuild) and Mirror change batches
// (applyBatch), checked against a naively built reference tree after every step.

#include "StoreTreeTestUtil.h"
#include "TestSeed.h"

#include "model/StoreTreeModel.h"
#include "sync/Mirror.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace dust;
using namespace dust::test;

class TestStoreTreeModel : public QObject
{
    Q_OBJECT

private slots:
    void emptyModel();
    void buildsFromSnapshot();
    void unsortedSnapshotGivesSameTree();
    void invalidSnapshotPathsAreSkipped();
    void nodeCanBeValueAndFolder();
    void lookupByPath();
    void insertsAtTheSortedRow();
    void removingLastLeafPrunesEmptyFolders();
    void subtreeDeleteIsOneRemoval();
    void valueChangeIsDataChanged();
    void persistentIndexesSurviveUnrelatedUpdates();
    void selectionSurvivesUpdates();
    void burstIsCoalesced();
    void largeBurstIsSplitAcrossFrames();
    void flushTimeBudgetSplitsWork();
    void stalePreviewIsShortened();
    void batchesAtOrBelowSnapshotSeqAreIgnored();
    void asyncRebuildHoldsBatches();
    void supersededRebuildIsDropped();
    void recentlyChangedExpires();
    void mirrorDrivesTheModel();
    void randomSequencesMatchReference_data();
    void randomSequencesMatchReference();
};

namespace {

// Counts the structural signals a view would see.
struct SignalCounter
{
    explicit SignalCounter(QAbstractItemModel *m)
        : resets(m, &QAbstractItemModel::modelAboutToBeReset)
        , layouts(m, &QAbstractItemModel::layoutAboutToBeChanged)
        , inserts(m, &QAbstractItemModel::rowsInserted)
        , removes(m, &QAbstractItemModel::rowsRemoved)
        , changes(m, &QAbstractItemModel::dataChanged)
    {}
    QSignalSpy resets, layouts, inserts, removes, changes;
    void clear()
    {
        resets.clear();
        layouts.clear();
        inserts.clear();
        removes.clear();
        changes.clear();
    }
};

} // namespace

void TestStoreTreeModel::emptyModel()
{
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(StoreTreeModel::ColumnCount));
    QVERIFY(!model.hasChildren());
    QVERIFY(!model.canFetchMore({}));
    QVERIFY(!model.index(mkpath(QStringLiteral("a"))).isValid());
    QCOMPARE(model.headerData(StoreTreeModel::ValueColumn, Qt::Horizontal).toString(),
             QStringLiteral("Value"));
}

void TestStoreTreeModel::buildsFromSnapshot()
{
    RefStore ref;
    ref.set(mkpath(QStringLiteral("users/alice/name")), QStringLiteral("string"),
            QStringLiteral("\"Alice\""));
    ref.set(mkpath(QStringLiteral("users/bob/name")), QStringLiteral("string"),
            QStringLiteral("\"Bob\""));
    ref.set(mkpath(QStringLiteral("users/alice/age")), QStringLiteral("integer"),
            QStringLiteral("42"));
    ref.set(mkpath(QStringList{QStringLiteral("files"), QStringLiteral("image/logo")}),
            QStringLiteral("file"), QStringLiteral("{…}"));
    ref.set(mkpath(QStringLiteral("items/item10")), QStringLiteral("integer"),
            QStringLiteral("10"));
    ref.set(mkpath(QStringLiteral("items/item2")), QStringLiteral("integer"), QStringLiteral("2"));
    ref.set(mkpath(QStringLiteral("items/item1")), QStringLiteral("integer"), QStringLiteral("1"));

    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    model.rebuild(ref.snapshot());
    QVERIFY(model.isRebuilding());
    QVERIFY(rebuilt.wait(10000));
    QVERIFY(!model.isRebuilding());
    QCOMPARE(model.leafCount(), 7);
    QCOMPARE(model.appliedSeq(), ref.seq);
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
    QCOMPARE(childNames(model), (QStringList{QStringLiteral("files"), QStringLiteral("items"),
                                             QStringLiteral("users")}));
    const QModelIndex items = model.index(mkpath(QStringLiteral("items")));
    QCOMPARE(
        childNames(model, items),
        (QStringList{QStringLiteral("item1"), QStringLiteral("item2"), QStringLiteral("item10")}));

    const QModelIndex age = model.index(mkpath(QStringLiteral("users/alice/age")));
    QVERIFY(age.isValid());
    QCOMPARE(age.siblingAtColumn(StoreTreeModel::NameColumn).data().toString(),
             QStringLiteral("age"));
    QCOMPARE(age.siblingAtColumn(StoreTreeModel::TypeColumn).data().toString(),
             QStringLiteral("integer"));
    QCOMPARE(age.siblingAtColumn(StoreTreeModel::ValueColumn).data().toString(),
             QStringLiteral("42"));
    QCOMPARE(age.siblingAtColumn(StoreTreeModel::RevisionColumn).data().toLongLong(), 3);
    QCOMPARE(age.data(StoreTreeModel::PathRole).toString(), QStringLiteral("users/alice/age"));
    QCOMPARE(
        age.data(StoreTreeModel::SegmentsRole).toStringList(),
        (QStringList{QStringLiteral("users"), QStringLiteral("alice"), QStringLiteral("age")}));
    QVERIFY(!age.data(StoreTreeModel::HasChildrenRole).toBool());
    QVERIFY(!age.data(StoreTreeModel::ChangedAtRole).isValid()); // a load is not a change

    const QModelIndex logo =
        model.index(mkpath(QStringList{QStringLiteral("files"), QStringLiteral("image/logo")}));
    QVERIFY(logo.isValid());
    QCOMPARE(logo.data().toString(), QStringLiteral("image/logo"));
    QCOMPARE(logo.data(StoreTreeModel::PathRole).toString(), QStringLiteral("files/image~1logo"));
    QCOMPARE(model.pathOf(logo), mkpath(QStringLiteral("files/image~1logo")));

    const QModelIndex users = model.index(mkpath(QStringLiteral("users")));
    QVERIFY(!users.data(StoreTreeModel::HasValueRole).toBool());
    QVERIFY(users.data(StoreTreeModel::HasChildrenRole).toBool());
    QVERIFY(!users.data(StoreTreeModel::RevisionRole).isValid());
    QCOMPARE(users.siblingAtColumn(StoreTreeModel::TypeColumn).data().toString(), QString());
}

void TestStoreTreeModel::unsortedSnapshotGivesSameTree()
{
    RefStore ref;
    QRandomGenerator rng(99);
    for (int i = 0; i < 400; ++i) {
        const QStringList segs = {QStringLiteral("g%1").arg(rng.bounded(5)),
                                  QStringLiteral("n%1").arg(rng.bounded(40)),
                                  rng.bounded(2) ? QStringLiteral("x") : QStringLiteral("x.y")};
        ref.set(mkpath(segs.mid(0, 1 + int(rng.bounded(3)))), QStringLiteral("string"),
                QString::number(i));
    }
    StoreTreeModel sorted;
    sorted.rebuildNow(ref.snapshot());
    StoreTreeModel shuffled;
    shuffled.rebuildNow(ref.snapshot(true));
    QCOMPARE(diffModels(sorted, {}, shuffled, {}), QString());
    QCOMPARE(diffTree(sorted, {}, *expectedTree(ref)), QString());
}

void TestStoreTreeModel::invalidSnapshotPathsAreSkipped()
{
    StoreTreeSnapshot s;
    s.append(QStringLiteral("ok/a"), u"string", QStringLiteral("1"), 1);
    s.append(QStringLiteral("bad//path"), u"string", QStringLiteral("2"), 2);
    s.append(QStringLiteral("/lead"), u"string", QStringLiteral("3"), 3);
    s.append(QStringLiteral("tilde~2"), u"string", QStringLiteral("4"), 4);
    s.append(QString(), u"string", QStringLiteral("5"), 5);
    s.append(QStringLiteral("ok/b"), u"string", QStringLiteral("6"), 6);
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(s);
    QCOMPARE(model.leafCount(), 2);
    QCOMPARE(childNames(model), QStringList{QStringLiteral("ok")});
}

void TestStoreTreeModel::nodeCanBeValueAndFolder()
{
    RefStore ref;
    ref.set(mkpath(QStringLiteral("a")), QStringLiteral("integer"), QStringLiteral("1"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    // A leaf gains a child (the server keeps the leaf: no ancestor cleanup).
    model.applyBatch(
        ref.set(mkpath(QStringLiteral("a/b")), QStringLiteral("string"), QStringLiteral("x")));
    model.flushPendingChanges();
    const QModelIndex a = model.index(mkpath(QStringLiteral("a")));
    QVERIFY(a.data(StoreTreeModel::HasValueRole).toBool());
    QCOMPARE(model.rowCount(a), 1);
    QCOMPARE(QModelIndex(a).siblingAtColumn(StoreTreeModel::ValueColumn).data().toString(),
             QStringLiteral("1"));
    // The leaf at "a" goes, the folder stays.
    QList<MirrorLeafChange> only;
    MirrorLeafChange gone;
    gone.kind = MirrorLeafChange::Kind::Removed;
    gone.path = mkpath(QStringLiteral("a"));
    only.append(gone);
    ref.leaves.erase(QStringLiteral("a"));
    ++ref.seq;
    model.applyBatch(MirrorChangeBatch(ref.seq, ref.seq, only));
    model.flushPendingChanges();
    QVERIFY(model.index(mkpath(QStringLiteral("a"))).isValid());
    QVERIFY(!model.index(mkpath(QStringLiteral("a"))).data(StoreTreeModel::HasValueRole).toBool());
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
    // The child goes: "a" has neither value nor children and disappears.
    model.applyBatch(ref.remove(mkpath(QStringLiteral("a/b"))));
    model.flushPendingChanges();
    QCOMPARE(model.rowCount(), 0);
}

void TestStoreTreeModel::lookupByPath()
{
    RefStore ref;
    for (int i = 0; i < 300; ++i) // a wide folder (hash lookup) and a narrow one
        ref.set(mkpath(QStringLiteral("wide/k%1").arg(i)), QStringLiteral("integer"),
                QString::number(i));
    ref.set(mkpath(QStringLiteral("narrow/x")), QStringLiteral("integer"), QStringLiteral("0"));
    StoreTreeModel model;
    model.rebuildNow(ref.snapshot());
    for (int i = 0; i < 300; i += 7) {
        const QModelIndex idx = model.index(mkpath(QStringLiteral("wide/k%1").arg(i)), 2);
        QVERIFY(idx.isValid());
        QCOMPARE(idx.column(), 2);
        QCOMPARE(idx.data().toString(), QString::number(i));
        QCOMPARE(idx.row(), i); // natural order: k0, k1, ..., k299
    }
    QVERIFY(model.index(mkpath(QStringLiteral("narrow/x"))).isValid());
    QVERIFY(!model.index(mkpath(QStringLiteral("narrow/y"))).isValid());
    QVERIFY(!model.index(mkpath(QStringLiteral("wide/k300"))).isValid());
    QVERIFY(!model.index(Path()).isValid());
    // The index survives live inserts into the wide folder (the name index is kept).
    model.applyBatch(ref.set(mkpath(QStringLiteral("wide/k150a")), QStringLiteral("integer"),
                             QStringLiteral("x")));
    model.flushPendingChanges();
    QCOMPARE(model.index(mkpath(QStringLiteral("wide/k150a"))).row(), 151);
    QCOMPARE(model.index(mkpath(QStringLiteral("wide/k299"))).row(), 300);
}

void TestStoreTreeModel::insertsAtTheSortedRow()
{
    RefStore ref;
    for (int i : {1, 3, 5, 7, 9})
        ref.set(mkpath(QStringLiteral("f/item%1").arg(i)), QStringLiteral("integer"),
                QString::number(i));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    SignalCounter counter(&model);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    // item2 and item4 are not adjacent: two insertions; item10, item11 adjacent: one.
    for (int i : {2, 4, 10, 11})
        model.applyBatch(ref.set(mkpath(QStringLiteral("f/item%1").arg(i)),
                                 QStringLiteral("integer"), QString::number(i)));
    model.flushPendingChanges();
    QCOMPARE(counter.resets.count(), 0);
    QCOMPARE(counter.layouts.count(), 0);
    QCOMPARE(inserted.count(), 3);
    QCOMPARE(inserted.at(0).at(1).toInt(), 1); // item2 at row 1
    QCOMPARE(inserted.at(0).at(2).toInt(), 1);
    QCOMPARE(inserted.at(1).at(1).toInt(), 3); // item4 at row 3 (after item2 went in)
    QCOMPARE(inserted.at(2).at(1).toInt(), 7); // item10, item11 at rows 7..8
    QCOMPARE(inserted.at(2).at(2).toInt(), 8);
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());

    // A new folder chain is one insertion at its top.
    inserted.clear();
    model.applyBatch(ref.set(mkpath(QStringLiteral("g/h/i/j")), QStringLiteral("string"),
                             QStringLiteral("deep")));
    model.flushPendingChanges();
    QCOMPARE(inserted.count(), 1);
    QVERIFY(!inserted.at(0).at(0).value<QModelIndex>().isValid());
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
}

void TestStoreTreeModel::removingLastLeafPrunesEmptyFolders()
{
    RefStore ref;
    ref.set(mkpath(QStringLiteral("a/b/c/d")), QStringLiteral("string"), QStringLiteral("1"));
    ref.set(mkpath(QStringLiteral("a/x")), QStringLiteral("string"), QStringLiteral("2"));
    ref.set(mkpath(QStringLiteral("keep/b/c")), QStringLiteral("string"), QStringLiteral("3"));
    ref.set(mkpath(QStringLiteral("keep")), QStringLiteral("string"), QStringLiteral("4"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    model.applyBatch(ref.remove(mkpath(QStringLiteral("a/b/c/d"))));
    model.flushPendingChanges();
    // a/b/c/d went, and with it the empty a/b/c and a/b: one removal of "b" under "a".
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(0).value<QModelIndex>(), model.index(mkpath(QStringLiteral("a"))));
    QVERIFY(!model.index(mkpath(QStringLiteral("a/b"))).isValid());
    QVERIFY(model.index(mkpath(QStringLiteral("a/x"))).isValid());

    removed.clear();
    model.applyBatch(ref.remove(mkpath(QStringLiteral("keep/b/c"))));
    model.flushPendingChanges();
    // "keep" holds a value: it stays, without children.
    const QModelIndex keep = model.index(mkpath(QStringLiteral("keep")));
    QVERIFY(keep.isValid());
    QCOMPARE(model.rowCount(keep), 0);
    QVERIFY(!keep.data(StoreTreeModel::HasChildrenRole).toBool());
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());

    model.applyBatch(ref.remove(mkpath(QStringLiteral("a/x"))));
    model.flushPendingChanges();
    QCOMPARE(childNames(model), QStringList{QStringLiteral("keep")});
    QCOMPARE(model.nodeCount(), 1);
    QCOMPARE(model.leafCount(), 1);
}

void TestStoreTreeModel::subtreeDeleteIsOneRemoval()
{
    RefStore ref;
    for (int i = 0; i < 200; ++i)
        ref.set(mkpath(QStringLiteral("big/n%1/v").arg(i)), QStringLiteral("integer"),
                QString::number(i));
    ref.set(mkpath(QStringLiteral("other")), QStringLiteral("integer"), QStringLiteral("1"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    SignalCounter counter(&model);
    model.applyBatch(ref.remove(mkpath(QStringLiteral("big"))));
    model.flushPendingChanges();
    QCOMPARE(counter.removes.count(), 1);
    QCOMPARE(counter.resets.count(), 0);
    QCOMPARE(childNames(model), QStringList{QStringLiteral("other")});
    QCOMPARE(model.nodeCount(), 1);
}

void TestStoreTreeModel::valueChangeIsDataChanged()
{
    RefStore ref;
    for (int i = 0; i < 10; ++i)
        ref.set(mkpath(QStringLiteral("f/k%1").arg(i)), QStringLiteral("integer"),
                QString::number(i));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    SignalCounter counter(&model);
    model.applyBatch(ref.set(mkpath(QStringLiteral("f/k3")), QStringLiteral("string"),
                             QStringLiteral("changed")));
    model.applyBatch(ref.set(mkpath(QStringLiteral("f/k5")), QStringLiteral("string"),
                             QStringLiteral("changed")));
    model.flushPendingChanges();
    QCOMPARE(counter.inserts.count(), 0);
    QCOMPARE(counter.removes.count(), 0);
    QCOMPARE(counter.resets.count(), 0);
    // One signal for the parent, spanning rows 3..5 and all columns.
    QCOMPARE(counter.changes.count(), 1);
    const auto tl = counter.changes.at(0).at(0).value<QModelIndex>();
    const auto br = counter.changes.at(0).at(1).value<QModelIndex>();
    QCOMPARE(tl.row(), 3);
    QCOMPARE(br.row(), 5);
    QCOMPARE(br.column(), int(StoreTreeModel::ColumnCount) - 1);
    const QModelIndex k3 = model.index(mkpath(QStringLiteral("f/k3")));
    QCOMPARE(k3.data(StoreTreeModel::TypeRole).toString(), QStringLiteral("string"));
    QCOMPARE(k3.data(StoreTreeModel::RevisionRole).toLongLong(), ref.seq - 1);
}

void TestStoreTreeModel::persistentIndexesSurviveUnrelatedUpdates()
{
    RefStore ref;
    for (int i = 0; i < 100; i += 2)
        ref.set(mkpath(QStringLiteral("list/item%1/v").arg(i)), QStringLiteral("integer"),
                QString::number(i));
    ref.set(mkpath(QStringLiteral("zeta/deep/leaf")), QStringLiteral("string"),
            QStringLiteral("z"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());

    const QStringList watched = {QStringLiteral("list/item50/v"),  QStringLiteral("list/item50"),
                                 QStringLiteral("list/item98"),    QStringLiteral("list"),
                                 QStringLiteral("zeta/deep/leaf"), QStringLiteral("list/item0/v")};
    QList<QPersistentModelIndex> persistent;
    for (const QString &p : watched) {
        persistent.append(QPersistentModelIndex(model.index(mkpath(p), 1)));
        QVERIFY(persistent.last().isValid());
    }
    SignalCounter counter(&model);
    QRandomGenerator rng(7);
    for (int round = 0; round < 30; ++round) {
        // Siblings before and after the watched rows come and go; other subtrees change.
        const int odd = 2 * int(rng.bounded(50)) + 1;
        model.applyBatch(ref.set(mkpath(QStringLiteral("list/item%1/v").arg(odd)),
                                 QStringLiteral("integer"), QStringLiteral("n")));
        if (round % 3 == 2)
            model.applyBatch(ref.remove(
                mkpath(QStringLiteral("list/item%1").arg(2 * int(rng.bounded(50)) + 1))));
        model.applyBatch(ref.set(mkpath(QStringLiteral("aaa/r%1").arg(round)),
                                 QStringLiteral("integer"), QStringLiteral("n")));
        model.applyBatch(ref.set(mkpath(QStringLiteral("list/item50/w%1").arg(round)),
                                 QStringLiteral("integer"), QStringLiteral("n")));
        if (round % 2)
            model.flushPendingChanges();
        else
            QTRY_COMPARE(model.pendingChangeCount(), 0);
        for (qsizetype i = 0; i < watched.size(); ++i) {
            const QPersistentModelIndex &pi = persistent.at(i);
            QVERIFY2(pi.isValid(), qPrintable(watched.at(i)));
            QCOMPARE(pi.data(StoreTreeModel::PathRole).toString(), watched.at(i));
            QCOMPARE(pi.column(), 1);
            QCOMPARE(QModelIndex(pi), model.index(mkpath(watched.at(i)), 1));
        }
    }
    QCOMPARE(counter.resets.count(), 0);
    QCOMPARE(counter.layouts.count(), 0);
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
    // A persistent index on a removed row becomes invalid.
    model.applyBatch(ref.remove(mkpath(QStringLiteral("zeta"))));
    model.flushPendingChanges();
    QVERIFY(!persistent.at(4).isValid());
}

void TestStoreTreeModel::selectionSurvivesUpdates()
{
    RefStore ref;
    for (int i = 0; i < 20; ++i)
        ref.set(mkpath(QStringLiteral("s/k%1").arg(i)), QStringLiteral("integer"),
                QString::number(i));
    StoreTreeModel model;
    model.rebuildNow(ref.snapshot());
    QItemSelectionModel selection(&model);
    const QModelIndex k5 = model.index(mkpath(QStringLiteral("s/k5")));
    const QModelIndex k6 = model.index(mkpath(QStringLiteral("s/k6")));
    selection.select(QItemSelection(k5, k6),
                     QItemSelectionModel::Select | QItemSelectionModel::Rows);
    selection.setCurrentIndex(k6, QItemSelectionModel::NoUpdate);
    for (int i = 100; i < 110; ++i)
        model.applyBatch(ref.set(mkpath(QStringLiteral("s/k%1").arg(i - 100) + QStringLiteral("a")),
                                 QStringLiteral("integer"), QString::number(i)));
    model.applyBatch(ref.remove(mkpath(QStringLiteral("s/k1"))));
    model.flushPendingChanges();
    QStringList selected;
    for (const QModelIndex &i : selection.selectedRows())
        selected.append(i.data(StoreTreeModel::PathRole).toString());
    selected.sort();
    QCOMPARE(selected, (QStringList{QStringLiteral("s/k5"), QStringLiteral("s/k6")}));
    QCOMPARE(selection.currentIndex().data(StoreTreeModel::PathRole).toString(),
             QStringLiteral("s/k6"));
}

void TestStoreTreeModel::burstIsCoalesced()
{
    RefStore ref;
    ref.set(mkpath(QStringLiteral("seed")), QStringLiteral("integer"), QStringLiteral("0"));
    StoreTreeModel model;        // (no tester: it walks the whole tree after every signal)
    model.setFlushBudget(10000); // about coalescing, not about the time budget
    model.rebuildNow(ref.snapshot());
    SignalCounter counter(&model);
    QSignalSpy flushed(&model, &StoreTreeModel::flushed);
    // 10,000 changes as they come from a busy store: one batch each, mixing new leaves,
    // updates of the same leaves and removals.
    QRandomGenerator rng(1234);
    for (int i = 0; i < 10000; ++i) {
        const QString p =
            QStringLiteral("burst/g%1/item%2").arg(rng.bounded(20)).arg(rng.bounded(400));
        if (rng.bounded(10) == 0)
            model.applyBatch(ref.remove(mkpath(p)));
        else
            model.applyBatch(ref.set(mkpath(p), QStringLiteral("integer"), QString::number(i)));
    }
    QVERIFY(model.pendingChangeCount() > 0);
    QTRY_COMPARE(model.pendingChangeCount(), 0);
    QVERIFY2(model.flushCount() <= 2, qPrintable(QString::number(model.flushCount())));
    QCOMPARE(flushed.count(), model.flushCount());
    QCOMPARE(counter.resets.count(), 0);
    QCOMPARE(counter.layouts.count(), 0);
    QVERIFY(counter.inserts.count() > 0);
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
}

void TestStoreTreeModel::largeBurstIsSplitAcrossFrames()
{
    RefStore ref;
    StoreTreeModel model;
    model.rebuildNow(ref.snapshot());
    model.setMaxChangesPerFlush(1000);
    QSignalSpy flushed(&model, &StoreTreeModel::flushed);
    for (int i = 0; i < 3500; ++i)
        model.applyBatch(ref.set(mkpath(QStringLiteral("x/n%1").arg(i)), QStringLiteral("integer"),
                                 QString::number(i)));
    QTRY_COMPARE(model.pendingChangeCount(), 0);
    QCOMPARE(flushed.count(), 4);
    for (const auto &args : flushed)
        QVERIFY(args.at(0).toInt() <= 1000);
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
}

void TestStoreTreeModel::flushTimeBudgetSplitsWork()
{
    RefStore ref;
    StoreTreeModel model;
    model.rebuildNow(ref.snapshot());
    model.setFlushBudget(0); // one chunk (1024 changes) per frame
    QCOMPARE(model.flushBudget(), 0);
    QSignalSpy flushed(&model, &StoreTreeModel::flushed);
    for (int i = 0; i < 3500; ++i)
        model.applyBatch(ref.set(mkpath(QStringLiteral("y/n%1").arg(i)), QStringLiteral("integer"),
                                 QString::number(i)));
    QTRY_COMPARE(model.pendingChangeCount(), 0);
    QCOMPARE(flushed.count(), 4);
    QCOMPARE(flushed.at(0).at(0).toInt(), 1024);
    QCOMPARE(flushed.at(3).at(0).toInt(), 3500 - 3 * 1024);
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());

    // One huge batch (a subtree delete) is taken in parts too.
    flushed.clear();
    const MirrorChangeBatch big = ref.remove(mkpath(QStringLiteral("y")));
    QCOMPARE(big.changes().size(), 3500);
    model.applyBatch(big);
    QCOMPARE(model.pendingChangeCount(), 3500);
    QVERIFY(flushed.wait(5000));
    QCOMPARE(flushed.at(0).at(0).toInt(), 1024);
    QCOMPARE(model.pendingChangeCount(), 3500 - 1024);
    QTRY_COMPARE(model.pendingChangeCount(), 0);
    QCOMPARE(flushed.count(), 4);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.nodeCount(), 0);
}

void TestStoreTreeModel::stalePreviewIsShortened()
{
    StoreTreeModel model;
    model.rebuildNow(StoreTreeSnapshot());
    QList<MirrorLeafChange> changes;
    MirrorLeafChange c;
    c.kind = MirrorLeafChange::Kind::Added;
    c.path = mkpath(QStringLiteral("big"));
    c.type = QStringLiteral("string");
    c.preview = QString(100000, QLatin1Char('x'));
    c.revision = 1;
    changes.append(c);
    model.applyBatch(MirrorChangeBatch(1, 1, changes));
    model.flushPendingChanges();
    const QString shown = model.index(mkpath(QStringLiteral("big")), 2).data().toString();
    QVERIFY(shown.size() <= 80);
    QVERIFY(shown.endsWith(QChar(0x2026)));
}

void TestStoreTreeModel::batchesAtOrBelowSnapshotSeqAreIgnored()
{
    RefStore ref;
    const MirrorChangeBatch early =
        ref.set(mkpath(QStringLiteral("a")), QStringLiteral("integer"), QStringLiteral("1"));
    ref.set(mkpath(QStringLiteral("b")), QStringLiteral("integer"), QStringLiteral("2"));
    StoreTreeModel model;
    model.rebuildNow(ref.snapshot());
    QCOMPARE(model.appliedSeq(), 2);
    // Replaying an old batch (a removal of "a" claiming seq 1) changes nothing.
    QList<MirrorLeafChange> changes;
    MirrorLeafChange c;
    c.kind = MirrorLeafChange::Kind::Removed;
    c.path = mkpath(QStringLiteral("a"));
    changes.append(c);
    model.applyBatch(MirrorChangeBatch(1, 1, changes));
    model.flushPendingChanges();
    QVERIFY(model.index(mkpath(QStringLiteral("a"))).isValid());
    Q_UNUSED(early);
}

void TestStoreTreeModel::asyncRebuildHoldsBatches()
{
    RefStore ref;
    for (int i = 0; i < 5000; ++i)
        ref.set(mkpath(QStringLiteral("r/k%1").arg(i)), QStringLiteral("integer"),
                QString::number(i));
    const StoreTreeSnapshot snapshot = ref.snapshot();
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(StoreTreeSnapshot());
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    model.rebuild(snapshot);
    // While the tree builds: a batch already in the snapshot and one after it.
    QList<MirrorLeafChange> old;
    MirrorLeafChange c;
    c.kind = MirrorLeafChange::Kind::Removed;
    c.path = mkpath(QStringLiteral("r/k1"));
    old.append(c);
    model.applyBatch(MirrorChangeBatch(ref.seq, ref.seq, old));
    const MirrorChangeBatch newer =
        ref.set(mkpath(QStringLiteral("r/new")), QStringLiteral("string"), QStringLiteral("n"));
    model.applyBatch(newer);
    QVERIFY(rebuilt.wait(20000));
    QCOMPARE(resets.count(), 1); // exactly one reset for the swap
    model.flushPendingChanges();
    QCOMPARE(model.appliedSeq(), ref.seq);
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
}

void TestStoreTreeModel::supersededRebuildIsDropped()
{
    RefStore first;
    for (int i = 0; i < 20000; ++i)
        first.set(mkpath(QStringLiteral("old/k%1").arg(i)), QStringLiteral("integer"),
                  QString::number(i));
    RefStore second;
    second.set(mkpath(QStringLiteral("new/only")), QStringLiteral("integer"), QStringLiteral("1"));
    StoreTreeModel model;
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    model.rebuild(first.snapshot());
    model.rebuild(second.snapshot());
    QVERIFY(rebuilt.wait(20000));
    QTest::qWait(0);
    QCOMPARE(rebuilt.count(), 1);
    QCOMPARE(diffTree(model, {}, *expectedTree(second)), QString());
}

void TestStoreTreeModel::recentlyChangedExpires()
{
    RefStore ref;
    ref.set(mkpath(QStringLiteral("a/x")), QStringLiteral("integer"), QStringLiteral("1"));
    ref.set(mkpath(QStringLiteral("a/y")), QStringLiteral("integer"), QStringLiteral("1"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRecentWindow(150);
    model.rebuildNow(ref.snapshot());
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    model.applyBatch(
        ref.set(mkpath(QStringLiteral("a/x")), QStringLiteral("integer"), QStringLiteral("2")));
    model.applyBatch(
        ref.set(mkpath(QStringLiteral("a/z")), QStringLiteral("integer"), QStringLiteral("3")));
    model.flushPendingChanges();
    const QPersistentModelIndex x(model.index(mkpath(QStringLiteral("a/x"))));
    const QPersistentModelIndex z(model.index(mkpath(QStringLiteral("a/z"))));
    const QPersistentModelIndex y(model.index(mkpath(QStringLiteral("a/y"))));
    QVERIFY(x.data(StoreTreeModel::ChangedAtRole).isValid());
    QVERIFY(x.data(StoreTreeModel::ChangedAtRole).toLongLong() >= before);
    QVERIFY(z.data(StoreTreeModel::ChangedAtRole).isValid());
    QVERIFY(!y.data(StoreTreeModel::ChangedAtRole).isValid());
    QCOMPARE(model.recentCount(), 2);
    // The folder above them carries the mark too, so a collapsed "a" can show it.
    const QPersistentModelIndex a(model.index(mkpath(QStringLiteral("a"))));
    QVERIFY(!a.data(StoreTreeModel::ChangedAtRole).isValid());
    QVERIFY(a.data(StoreTreeModel::ChangedBelowRole).toLongLong() >= before);
    QVERIFY(!x.data(StoreTreeModel::ChangedBelowRole).isValid());
    QCOMPARE(a.data(StoreTreeModel::ChildCountRole).toInt(), 3);
    QCOMPARE(QModelIndex(a).siblingAtColumn(StoreTreeModel::ValueColumn).data().toString(),
             QStringLiteral("3 items"));

    SignalCounter counter(&model);
    QTRY_VERIFY(!x.data(StoreTreeModel::ChangedAtRole).isValid());
    QTRY_VERIFY(!z.data(StoreTreeModel::ChangedAtRole).isValid());
    QTRY_VERIFY(!a.data(StoreTreeModel::ChangedBelowRole).isValid());
    QCOMPARE(model.recentCount(), 0);
    QCOMPARE(counter.resets.count(), 0);
    QCOMPARE(counter.layouts.count(), 0);
    QVERIFY(counter.changes.count() >= 1);
    // Batched: the expired rows share their parent, and their folder is one more.
    QVERIFY(counter.changes.count() <= 3);
    const QList<int> roles = counter.changes.at(0).at(2).value<QList<int>>();
    QVERIFY(roles.contains(StoreTreeModel::ChangedAtRole));

    // A removed row leaves no dangling entry behind.
    model.applyBatch(ref.set(mkpath(QStringLiteral("gone/soon")), QStringLiteral("integer"),
                             QStringLiteral("1")));
    model.flushPendingChanges();
    model.applyBatch(ref.remove(mkpath(QStringLiteral("gone"))));
    model.flushPendingChanges();
    QCOMPARE(model.recentCount(), 0);
}

void TestStoreTreeModel::mirrorDrivesTheModel()
{
    // The real pipeline: Mirror events -> change batches -> model; reset -> snapshot.
    Mirror mirror;
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    connect(&mirror, &Mirror::changed, &model, &StoreTreeModel::applyBatch);
    connect(&mirror, &Mirror::reset, &model,
            [&] { model.rebuildNow(StoreTreeSnapshot::fromMirror(mirror)); });
    model.rebuildNow(StoreTreeSnapshot::fromMirror(mirror));

    qint64 seq = 0;
    auto event = [&](Op op, const QString &path, const QJsonValue &value) {
        ChangeEvent e;
        e.storeSeq = ++seq;
        e.op = op;
        e.opText = opName(op);
        e.path = mkpath(path);
        e.value = value;
        e.deviceId = QStringLiteral("dev_test");
        e.clientOpId = QStringLiteral("op%1").arg(seq);
        QCOMPARE(mirror.apply(e), ApplyStatus::Applied);
    };
    event(Op::Set, QStringLiteral("users/alice"),
          QJsonObject{{QStringLiteral("name"), QStringLiteral("Alice")},
                      {QStringLiteral("prefs"),
                       QJsonObject{{QStringLiteral("theme"), QStringLiteral("dark")}}}});
    event(Op::Set, QStringLiteral("users/bob/name"), QStringLiteral("Bob"));
    event(Op::Set, QStringLiteral("count"), 3);
    event(Op::Merge, QStringLiteral("users/bob"), QJsonObject{{QStringLiteral("age"), 7}});
    event(Op::Set, QStringLiteral("users/alice"),
          QJsonObject{{QStringLiteral("name"), QStringLiteral("A.")}});
    event(Op::Delete, QStringLiteral("count"), QJsonValue());
    model.flushPendingChanges();

    StoreTreeModel fresh;
    fresh.rebuildNow(StoreTreeSnapshot::fromMirror(mirror));
    QCOMPARE(diffModels(model, {}, fresh, {}), QString());
    QVERIFY(!model.index(mkpath(QStringLiteral("users/alice/prefs"))).isValid());
    QCOMPARE(model.index(mkpath(QStringLiteral("users/alice/name")), 2).data().toString(),
             QStringLiteral("A."));
    QCOMPARE(model.appliedSeq(), mirror.lastSeq());

    mirror.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestStoreTreeModel::randomSequencesMatchReference_data()
{
    QTest::addColumn<quint32>("seed");
    QTest::addColumn<int>("steps");
    QTest::newRow("seed-1") << 1u << 400;
    QTest::newRow("seed-2") << 2u << 400;
    QTest::newRow("seed-3") << 3u << 400;
    QTest::newRow("random seed") << testSeed() << 400;
}

void TestStoreTreeModel::randomSequencesMatchReference()
{
    QFETCH(quint32, seed);
    QFETCH(int, steps);
    qInfo("seed %u", seed);
    QRandomGenerator rng(seed);
    const QStringList vocabulary = {
        QStringLiteral("a"),      QStringLiteral("b"),      QStringLiteral("item1"),
        QStringLiteral("item2"),  QStringLiteral("item10"), QStringLiteral("Item2"),
        QStringLiteral("item02"), QStringLiteral("x~y"),    QStringLiteral("s/l"),
        QStringLiteral("7"),      QStringLiteral("07"),     QStringLiteral("\u00df"),
        QStringLiteral("a.b"),    QStringLiteral("a-b"),
    };
    auto randomPath = [&] {
        QStringList segs;
        const int depth = 1 + int(rng.bounded(4));
        for (int d = 0; d < depth; ++d)
            segs.append(vocabulary.at(rng.bounded(vocabulary.size())));
        return mkpath(segs);
    };
    const QStringList types = {QStringLiteral("string"), QStringLiteral("integer"),
                               QStringLiteral("float"), QStringLiteral("boolean")};
    QList<TreeFilter> filters = {TreeFilter(), TreeFilter::substring(QStringLiteral("item")),
                                 TreeFilter::substring(QStringLiteral("A")),
                                 TreeFilter::substring(QStringLiteral("~"))};
    for (const QString &g :
         {QStringLiteral("a/*"), QStringLiteral("**"), QStringLiteral("*/item1/**"),
          QStringLiteral("b/**"), QStringLiteral("*/*"), QStringLiteral("a/item1")})
        filters.append(TreeFilter::glob(g).value());

    RefStore ref;
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    SignalCounter counter(&model);
    QSignalSpy filterApplied(&model, &StoreTreeModel::filterApplied);
    TreeFilter filter;

    for (int step = 0; step < steps; ++step) {
        const quint32 kind = rng.bounded(100);
        bool structuralStep = false; // a reset or a layout change is allowed in this step
        if (kind < 45) {
            model.applyBatch(ref.set(randomPath(), types.at(rng.bounded(types.size())),
                                     QStringLiteral("v%1").arg(ref.seq + 1)));
        } else if (kind < 55) {
            const Path base = randomPath();
            QList<std::pair<QStringList, QString>> kids;
            const int n = 1 + int(rng.bounded(4));
            for (int k = 0; k < n; ++k) {
                QStringList tail{vocabulary.at(rng.bounded(vocabulary.size()))};
                if (rng.bounded(2))
                    tail.append(vocabulary.at(rng.bounded(vocabulary.size())));
                kids.append({tail, QStringLiteral("o%1").arg(k)});
            }
            if (rng.bounded(2))
                model.applyBatch(ref.setObject(base, kids));
            else
                model.applyBatch(ref.merge(base, kids));
        } else if (kind < 80) {
            // Delete an existing leaf or subtree (or something absent).
            Path target = randomPath();
            if (!ref.leaves.empty() && rng.bounded(3) != 0) {
                auto it = ref.leaves.begin();
                std::advance(it, rng.bounded(int(ref.leaves.size())));
                QStringList segs = it->second.segments;
                segs = segs.mid(0, 1 + int(rng.bounded(int(segs.size()))));
                target = mkpath(segs);
            }
            model.applyBatch(ref.remove(target));
        } else if (kind < 85) {
            // A burst of several batches in one frame.
            for (int k = 0; k < 8; ++k) {
                if (rng.bounded(3) == 0)
                    model.applyBatch(ref.remove(randomPath()));
                else
                    model.applyBatch(ref.set(randomPath(), QStringLiteral("string"),
                                             QStringLiteral("b%1").arg(ref.seq + 1)));
            }
        } else if (kind < 92) {
            structuralStep = true;
            if (rng.bounded(2)) {
                model.rebuildNow(ref.snapshot());
            } else {
                QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
                model.rebuild(ref.snapshot(rng.bounded(4) == 0));
                QVERIFY(rebuilt.wait(10000));
            }
        } else {
            structuralStep = true;
            filter = filters.at(rng.bounded(filters.size()));
            filterApplied.clear();
            model.setFilter(filter);
            if (filterApplied.isEmpty())
                QVERIFY(filterApplied.wait(10000));
            QCOMPARE(model.isFiltered(), filter.isActive());
        }
        if (rng.bounded(4) == 0)
            QTRY_COMPARE(model.pendingChangeCount(), 0); // the frame timer's flush
        else
            model.flushPendingChanges();

        if (!structuralStep) {
            QCOMPARE(counter.resets.count(), 0);
            QCOMPARE(counter.layouts.count(), 0);
        }
        counter.clear();

        auto expected = expectedTree(ref);
        if (filter.isActive())
            pruneForFilter(*expected, {}, filter);
        const QString diff = diffTree(model, {}, *expected);
        if (!diff.isEmpty())
            QFAIL(qPrintable(QStringLiteral("step %1: %2").arg(step).arg(diff)));

        // And the same as a model built afresh from the same leaves with the same filter.
        if (step % 10 == 0) {
            StoreTreeModel fresh;
            fresh.setFilter(filter);
            fresh.rebuildNow(ref.snapshot());
            const QString d = diffModels(model, {}, fresh, {});
            if (!d.isEmpty())
                QFAIL(qPrintable(QStringLiteral("step %1 vs fresh: %2").arg(step).arg(d)));
            QCOMPARE(model.leafCount(), fresh.leafCount());
            QCOMPARE(model.nodeCount(), fresh.nodeCount());
        }
        QCOMPARE(model.leafCount(), qsizetype(ref.leaves.size()));
    }
}

QTEST_GUILESS_MAIN(TestStoreTreeModel)
#include "tst_storetreemodel.moc"
