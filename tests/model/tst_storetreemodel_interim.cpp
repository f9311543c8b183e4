// StoreTreeModel following a live source that has not caught up yet, with an interim REST
// transport: the top folders are listed over REST at once (a big store shows something
// while it catches up), and the first snapshot replaces them with the live tree.

#include "StoreTreeTestUtil.h"

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "model/LiveStoreSource.h"
#include "model/StoreTreeModel.h"
#include "transport/HttpTransport.h"

#include <QAbstractItemModelTester>
#include <QPromise>
#include <QSignalSpy>
#include <QTest>

using namespace dust;
using namespace dust::test;

namespace {

// A source whose snapshot is given when the test says so (the store catching up).
class GatedSource : public LiveStoreSource
{
public:
    QFuture<Expected<StoreTreeSnapshot, Error>> snapshot() override
    {
        m_promise = std::make_unique<QPromise<Expected<StoreTreeSnapshot, Error>>>();
        m_promise->start();
        ++asked;
        return m_promise->future();
    }
    void give(const StoreTreeSnapshot &snapshot)
    {
        m_promise->addResult(Expected<StoreTreeSnapshot, Error>(snapshot));
        m_promise->finish();
    }
    int asked = 0;

private:
    std::unique_ptr<QPromise<Expected<StoreTreeSnapshot, Error>>> m_promise;
};

} // namespace

class TestStoreTreeModelInterim : public QObject
{
    Q_OBJECT

private slots:
    void listsOverRestUntilTheSnapshot();
};

void TestStoreTreeModelInterim::listsOverRestUntilTheSnapshot()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet(
                {{path(QStringLiteral("a/x")), 1}, {path(QStringLiteral("b/y")), 2}},
                QStringLiteral("dev")) > 0);
    HttpTransport http(dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
    GatedSource source;
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setLiveSource(&source, &http, QStringLiteral("local/demo"));
    QCOMPARE(source.asked, 1);
    QCOMPARE(model.source(), StoreTreeModel::Source::Http);

    // Before the snapshot: the top folders come from REST.
    // (the tester may have asked for it already)
    model.fetchMore(QModelIndex());
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2, 10000);
    QCOMPARE(model.index(0, 0).data(StoreTreeModel::NameRole).toString(), QStringLiteral("a"));

    // The snapshot (the live store, which has moved on) replaces them.
    RefStore ref;
    ref.set(mkpath(QStringLiteral("a/x")), QStringLiteral("integer"), QStringLiteral("1"));
    ref.set(mkpath(QStringLiteral("b/y")), QStringLiteral("integer"), QStringLiteral("2"));
    ref.set(mkpath(QStringLiteral("c/z")), QStringLiteral("integer"), QStringLiteral("3"));
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    source.give(ref.snapshot());
    QVERIFY(rebuilt.wait(10000));
    QCOMPARE(model.source(), StoreTreeModel::Source::Mirror);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.leafCount(), 3);
    QVERIFY(!model.canFetchMore(QModelIndex()));

    // From now on batches apply.
    model.applyBatch(
        ref.set(mkpath(QStringLiteral("d/w")), QStringLiteral("integer"), QStringLiteral("4")));
    model.flushPendingChanges();
    QCOMPARE(model.rowCount(), 4);
}

QTEST_MAIN(TestStoreTreeModelInterim)
#include "tst_storetreemodel_interim.moc"
