// StoreTreeModel following a LiveStoreSource without any server: a source made of a
// reference store answers snapshots (at once, later, or with an error) and emits the
// batches and resets, under QAbstractItemModelTester.

#include "StoreTreeTestUtil.h"

#include "model/LiveStoreSource.h"
#include "model/StoreTreeModel.h"

#include <QAbstractItemModelTester>
#include <QPromise>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <optional>
#include <vector>

using namespace dust;
using namespace dust::test;

namespace {

using SnapshotResult = Expected<StoreTreeSnapshot, Error>;

// A store kept in a RefStore. Snapshots are answered at once unless `deferred`, then when
// answerAll() is called; with `failure` set they fail. A snapshot stands at the `epoch` of
// the moment it is read: when answered, or when asked with `readWhenAsked`.
class RefSource : public LiveStoreSource
{
public:
    RefStore ref;
    bool deferred = false;
    bool readWhenAsked = false;
    quint64 epoch = 0;
    std::optional<Error> failure;
    int snapshotsAsked = 0;

    QFuture<SnapshotResult> snapshot() override
    {
        ++snapshotsAsked;
        auto promise = std::make_shared<QPromise<SnapshotResult>>();
        promise->start();
        m_pending.push_back({promise, readWhenAsked ? std::optional(read()) : std::nullopt});
        if (!deferred)
            answerAll();
        return promise->future();
    }

    void answerAll()
    {
        for (auto &[promise, read] : std::exchange(m_pending, {})) {
            promise->addResult(failure ? SnapshotResult::failure(*failure)
                                       : SnapshotResult(read ? *read : this->read()));
            promise->finish();
        }
    }

    void write(const QString &rendered, const QString &preview)
    {
        emit changed(ref.set(mkpath(rendered), QStringLiteral("string"), preview));
    }

private:
    StoreTreeSnapshot read() const
    {
        StoreTreeSnapshot snapshot = ref.snapshot();
        snapshot.setResetEpoch(epoch);
        return snapshot;
    }

    struct Pending
    {
        std::shared_ptr<QPromise<SnapshotResult>> promise;
        std::optional<StoreTreeSnapshot> read;
    };
    std::vector<Pending> m_pending;
};

} // namespace

class TestStoreTreeModelLive : public QObject
{
    Q_OBJECT

private slots:
    void buildsFromTheSnapshotThenFollowsBatches();
    void resetTakesANewSnapshot();
    void resetEpochs_data();
    void resetEpochs();
    void unreadableSourceShowsError();
    void staleSnapshotIsDropped();
    void sourceGoingAwayKeepsTheTree();
};

void TestStoreTreeModelLive::buildsFromTheSnapshotThenFollowsBatches()
{
    RefSource source;
    source.ref.set(mkpath(QStringLiteral("users/alice")), QStringLiteral("string"),
                   QStringLiteral("a"));
    source.ref.set(mkpath(QStringLiteral("users/bob")), QStringLiteral("string"),
                   QStringLiteral("b"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    model.setLiveSource(&source);
    QVERIFY(rebuilt.wait(5000));
    QCOMPARE(source.snapshotsAsked, 1);
    QCOMPARE(model.appliedSeq(), source.ref.seq);
    QCOMPARE(diffTree(model, {}, *expectedTree(source.ref)), QString());

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    source.write(QStringLiteral("users/carol"), QStringLiteral("c"));
    source.write(QStringLiteral("users/alice"), QStringLiteral("a2"));
    emit source.changed(source.ref.remove(mkpath(QStringLiteral("users/bob"))));
    QTRY_COMPARE(model.pendingChangeCount(), 0);
    QCOMPARE(diffTree(model, {}, *expectedTree(source.ref)), QString());
    QCOMPARE(model.appliedSeq(), source.ref.seq);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(rebuilt.count(), 1);
}

void TestStoreTreeModelLive::resetTakesANewSnapshot()
{
    RefSource source;
    source.ref.set(mkpath(QStringLiteral("a")), QStringLiteral("string"), QStringLiteral("1"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    model.setLiveSource(&source);
    QVERIFY(rebuilt.wait(5000));

    // The store's state is replaced behind the model's back; a reset says so.
    source.ref = RefStore();
    source.ref.set(mkpath(QStringLiteral("b/c")), QStringLiteral("string"), QStringLiteral("2"));
    source.ref.set(mkpath(QStringLiteral("b/d")), QStringLiteral("string"), QStringLiteral("3"));
    emit source.reset();
    QVERIFY(rebuilt.wait(5000));
    QCOMPARE(source.snapshotsAsked, 2);
    QCOMPARE(model.leafCount(), 2);
    QCOMPARE(diffTree(model, {}, *expectedTree(source.ref)), QString());
}

// A reset announced with an epoch costs a snapshot only when the snapshot shown, or the one
// on its way, was read before it.
void TestStoreTreeModelLive::resetEpochs_data()
{
    QTest::addColumn<bool>("readWhenAsked");
    QTest::addColumn<quint64>("resetEpoch"); // announced while the first snapshot is on its way
    QTest::addColumn<int>("snapshots");
    // The first snapshot is read after the reset (when answered, at epoch 5): it covers it.
    QTest::newRow("read after the reset") << false << quint64(5) << 1;
    // Read when asked (epoch 0), before the reset: it is asked for again.
    QTest::newRow("read before the reset") << true << quint64(5) << 2;
    // A reset without an epoch is never known to be covered.
    QTest::newRow("no epoch") << false << quint64(0) << 2;
}

void TestStoreTreeModelLive::resetEpochs()
{
    QFETCH(bool, readWhenAsked);
    QFETCH(quint64, resetEpoch);
    QFETCH(int, snapshots);
    RefSource source;
    source.deferred = true;
    source.readWhenAsked = readWhenAsked;
    source.ref.set(mkpath(QStringLiteral("a")), QStringLiteral("string"), QStringLiteral("1"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    model.setLiveSource(&source);
    QCOMPARE(source.snapshotsAsked, 1);

    // The store is replaced while the snapshot is on its way.
    source.ref = RefStore();
    source.ref.set(mkpath(QStringLiteral("b/c")), QStringLiteral("string"), QStringLiteral("2"));
    source.epoch = 5;
    emit source.reset(resetEpoch);
    source.readWhenAsked = false;
    source.answerAll();
    QTRY_COMPARE(source.snapshotsAsked, snapshots);
    source.answerAll();
    QTRY_VERIFY(!model.isRebuilding() && rebuilt.count() > 0);
    QCOMPARE(source.snapshotsAsked, snapshots);
    QCOMPARE(diffTree(model, {}, *expectedTree(source.ref)), QString());

    // Shown at epoch 5: a reset at 5 or before is covered, a later one is read.
    emit source.reset(5);
    emit source.reset(3);
    QCoreApplication::processEvents();
    QCOMPARE(source.snapshotsAsked, snapshots);
    source.ref.set(mkpath(QStringLiteral("d")), QStringLiteral("string"), QStringLiteral("3"));
    source.epoch = 6;
    emit source.reset(6);
    QCOMPARE(source.snapshotsAsked, snapshots + 1);
    source.answerAll();
    QTRY_COMPARE(model.leafCount(), 2);
    QCOMPARE(diffTree(model, {}, *expectedTree(source.ref)), QString());
}

void TestStoreTreeModelLive::unreadableSourceShowsError()
{
    RefSource source;
    source.failure = Error(Error::Kind::Forbidden, QStringLiteral("not yours"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failed(&model, &StoreTreeModel::loadFailed);
    model.setLiveSource(&source);
    QVERIFY(!failed.isEmpty() || failed.wait(5000)); // the answer may be there at once
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.first().at(1).toString(), model.errorText());
    QVERIFY(model.errorText().contains(QStringLiteral("not yours")));
    QCOMPARE(model.rowCount(), 0);
}

void TestStoreTreeModelLive::staleSnapshotIsDropped()
{
    RefSource first;
    first.deferred = true;
    first.ref.set(mkpath(QStringLiteral("old")), QStringLiteral("string"), QStringLiteral("1"));
    RefSource second;
    second.ref.set(mkpath(QStringLiteral("new")), QStringLiteral("string"), QStringLiteral("2"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    model.setLiveSource(&first); // its snapshot is still on its way …
    model.setLiveSource(&second);
    QVERIFY(rebuilt.wait(5000));
    first.answerAll();                                         // … and arrives too late
    first.write(QStringLiteral("older"), QStringLiteral("x")); // no longer followed
    QCoreApplication::processEvents();
    model.flushPendingChanges();
    QCOMPARE(rebuilt.count(), 1);
    QCOMPARE(diffTree(model, {}, *expectedTree(second.ref)), QString());
}

void TestStoreTreeModelLive::sourceGoingAwayKeepsTheTree()
{
    auto source = std::make_unique<RefSource>();
    source->ref.set(mkpath(QStringLiteral("k")), QStringLiteral("string"), QStringLiteral("1"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    model.setLiveSource(source.get());
    QVERIFY(rebuilt.wait(5000));
    source.reset();
    model.resync(); // nothing to ask any more
    QCOMPARE(model.leafCount(), 1);
    QCOMPARE(model.rowCount(), 1);
}

QTEST_MAIN(TestStoreTreeModelLive)
#include "tst_storetreemodel_live.moc"
