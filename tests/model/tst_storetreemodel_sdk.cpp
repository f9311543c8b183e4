// StoreTreeModel's SDK source end to end: a real dustlite on 127.0.0.1, an SdkTransport
// mirroring the store, and the model following it (an SdkStoreSource) under
// QAbstractItemModelTester. Writes by another client arrive as row insertions, removals and
// dataChanged; a snapshot catch-up rebuilds the tree; a store that cannot be read says so.

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"

#include "model/SdkStoreSource.h"
#include "model/StoreTreeModel.h"
#include "protocol/Values.h"
#include "sync/Mirror.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <map>

using namespace dust;
using namespace dust::test;
using namespace std::chrono_literals;

namespace {

const QString kStore = QStringLiteral("local/demo");

using Leaves = std::map<QString, QString>; // rendered path -> value preview

// Every value the model shows, by walking the whole tree.
Leaves modelLeaves(const QAbstractItemModel &model)
{
    Leaves out;
    QList<QModelIndex> stack{QModelIndex()};
    while (!stack.isEmpty()) {
        const QModelIndex parent = stack.takeLast();
        for (int r = 0; r < model.rowCount(parent); ++r) {
            const QModelIndex index = model.index(r, 0, parent);
            if (index.data(StoreTreeModel::HasValueRole).toBool())
                out[index.data(StoreTreeModel::PathRole).toString()] =
                    index.data(StoreTreeModel::PreviewRole).toString();
            stack.append(index);
        }
    }
    return out;
}

// Every leaf of the server, straight from its database, previewed the same way.
Leaves serverLeaves(lite::StoreDb *db)
{
    Leaves out;
    ListQuery query;
    query.pattern = QStringLiteral("**");
    query.limit = 1000;
    for (;;) {
        const ListPage page = db->list(query);
        for (const Entry &e : page.entries)
            out[e.path.rendered()] = values::preview(e.value, 80);
        if (page.nextCursor.isEmpty())
            break;
        query.after = page.nextCursor;
    }
    return out;
}

SdkOptions fastOptions(const QUrl &url)
{
    SdkOptions o = sdkOptions(url);
    o.statusPollInterval = 50ms; // REST writes are noticed quickly
    return o;
}

} // namespace

class TestStoreTreeModelSdk : public QObject
{
    Q_OBJECT

private slots:
    void followsTheStoreLive();
    void snapshotCatchUpRebuilds();
    void unreadableStoreShowsError();
    void switchingSourceDropsAPendingSnapshot();
};

void TestStoreTreeModelSdk::followsTheStoreLive()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QList<std::pair<Path, QJsonValue>> seed;
    for (int i = 0; i < 300; ++i)
        seed.append({path(QStringLiteral("users/u%1/age").arg(i)), QJsonValue(20 + i % 50)});
    seed.append({path(QStringLiteral("config")), QStringLiteral("v1")});
    QVERIFY(db->bulkSet(seed, QStringLiteral("dev_seed")) > 0);

    SdkTransport viewer(fastOptions(dustlite.wsUrl()));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    SdkStoreSource source(&viewer, kStore);
    model.setLiveSource(&source);
    QVERIFY(rebuilt.wait(20000));
    QCOMPARE(modelLeaves(model), serverLeaves(db));
    QCOMPARE(model.leafCount(), 301);

    // Another client writes; the viewer's tree follows row by row, never with a reset.
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    SdkTransport writer(fastOptions(dustlite.wsUrl()));
    QVERIFY(await(writer.put(kStore, path(QStringLiteral("config")), QStringLiteral("v2"))));
    QVERIFY(
        await(writer.put(kStore, path(QStringLiteral("users/u7/name")), QStringLiteral("Ann"))));
    QVERIFY(await(writer.put(
        kStore, path(QStringLiteral("teams/blue")),
        QJsonObject{{QStringLiteral("size"), 3}, {QStringLiteral("tags"), QJsonArray{1, 2}}})));
    QVERIFY(await(writer.remove(kStore, path(QStringLiteral("users/u1")))));
    QVERIFY(await(writer.merge(kStore, path(QStringLiteral("users/u2")),
                               QJsonObject{{QStringLiteral("city"), QStringLiteral("Oslo")}})));
    QTRY_COMPARE_WITH_TIMEOUT(modelLeaves(model), serverLeaves(db), 20000);
    QCOMPARE(resets.size(), 0);
    QVERIFY(inserted.size() > 0);
    QVERIFY(removed.size() > 0);
    QCOMPARE(rebuilt.size(), 1);

    // The changed row carries its change time, for highlighting.
    const QModelIndex config = model.index(path(QStringLiteral("config")));
    QVERIFY(config.isValid());
    QCOMPARE(config.data(StoreTreeModel::PreviewRole).toString(), QStringLiteral("v2"));
    QVERIFY(config.data(StoreTreeModel::ChangedAtRole).toLongLong() > 0);
}

void TestStoreTreeModelSdk::snapshotCatchUpRebuilds()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet({{path(QStringLiteral("a/1")), 1}}, QStringLiteral("dev")) > 0);

    SdkTransport viewer(fastOptions(dustlite.wsUrl()));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    SdkStoreSource source(&viewer, kStore);
    model.setLiveSource(&source);
    QVERIFY(rebuilt.wait(20000));
    QCOMPARE(modelLeaves(model), serverLeaves(db));

    // Writes the socket never pushes (REST), then a compaction: the status poll notices the
    // server moved on, the rejoin gets a snapshot, and the tree is rebuilt from it.
    QList<std::pair<Path, QJsonValue>> more;
    for (int i = 0; i < 50; ++i)
        more.append({path(QStringLiteral("b/%1").arg(i)), QStringLiteral("x%1").arg(i)});
    QVERIFY(db->bulkSet(more, QStringLiteral("dev_rest")) > 0);
    db->compact();
    QTRY_VERIFY_WITH_TIMEOUT(rebuilt.size() >= 2, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(modelLeaves(model), serverLeaves(db), 20000);
    QCOMPARE(model.leafCount(), 51);
}

void TestStoreTreeModelSdk::unreadableStoreShowsError()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkTransport viewer(fastOptions(dustlite.wsUrl()));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failed(&model, &StoreTreeModel::loadFailed);
    SdkStoreSource source(&viewer, QStringLiteral("local/missing"));
    model.setLiveSource(&source);
    QVERIFY(failed.wait(20000));
    QVERIFY(!model.errorText().isEmpty());
    QCOMPARE(failed.first().at(1).toString(), model.errorText());
    QCOMPARE(model.rowCount(), 0);
}

void TestStoreTreeModelSdk::switchingSourceDropsAPendingSnapshot()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet(
                {{path(QStringLiteral("sdk/only")), 1}, {path(QStringLiteral("top")), 2}},
                QStringLiteral("dev")) > 0);
    SdkTransport live(fastOptions(dustlite.wsUrl()));
    HttpTransport http(dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);

    // The SDK snapshot is asked for, then the window moves to the REST source before it
    // arrives: the snapshot must not replace the lazy tree.
    SdkStoreSource source(&live, kStore);
    model.setLiveSource(&source);
    model.setHttpSource(&http, kStore);
    if (model.canFetchMore(QModelIndex())) // the tester may have asked already
        model.fetchMore(QModelIndex());
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2, 20000);
    QVERIFY(await(live.withMirror(kStore, [](const Mirror &) { return true; })));
    QCoreApplication::processEvents(); // the snapshot's answer, had it been taken
    QCOMPARE(rebuilt.size(), 0);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, 0).data(StoreTreeModel::NameRole).toString(), QStringLiteral("sdk"));
}

QTEST_MAIN(TestStoreTreeModelSdk)
#include "tst_storetreemodel_sdk.moc"
