// RestorePlan against a real dustlite: a restore of a leaf, a subtree and the whole store (by
// conditional batch and by the server's rollback over the WebSocket) gives exactly the earlier
// state, compared with the export at that seq, and leaves everything else as it is; its undo
// gives back the state before the restore; a second client's write between preview and
// restore stops it (naming the path) and nothing is overwritten; an undo is refused the same
// way; a target before the compacted op log is explained with earliest_available; leaves
// that held JSON null at the target come back as null (the wire's diff writes null for "no
// leaf" too), and where the compacted log cannot tell, only the server's rollback restores.

#include "InProcessDustlite.h"
#include "RestoreTestSupport.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"
#include "model/RestorePlan.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace dust;
using namespace dust::test;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");

// The store's history for every case: its state at `target` and at the end differ in
// changed, deleted and added leaves, inside and outside "users".
struct History
{
    qint64 target = 0;
    Leaves atTarget;
    Leaves now;
};

History writeHistory(lite::StoreDb &db)
{
    History h;
    set(db, QStringLiteral("users/alice/name"), QStringLiteral("Alice"));
    set(db, QStringLiteral("users/alice/age"), 30);
    set(db, QStringLiteral("users/bob/name"), QStringLiteral("Bob"));
    set(db, QStringLiteral("config/theme"), QStringLiteral("light"));
    set(db, QStringLiteral("config/tags"), QJsonArray{QStringLiteral("a")});
    h.target = db.currentSeq();
    h.atTarget = exportLeaves(db);
    set(db, QStringLiteral("users/alice/name"), QStringLiteral("Alicia"));
    del(db, QStringLiteral("users/bob"));
    set(db, QStringLiteral("users/carol/name"), QStringLiteral("Carol"));
    set(db, QStringLiteral("config/theme"), QStringLiteral("dark"));
    set(db, QStringLiteral("config/new"), 1);
    h.now = exportLeaves(db);
    return h;
}

// What the store must hold after restoring `node` ("" = the store): the target's leaves
// under it, today's elsewhere.
Leaves expectedAfter(const History &h, const QString &node)
{
    Leaves out = h.now;
    for (const QString &key : leavesUnder(h.now, node).keys())
        out.remove(key);
    const Leaves back = leavesUnder(h.atTarget, node);
    for (auto it = back.cbegin(); it != back.cend(); ++it)
        out.insert(it.key(), it.value());
    return out;
}

bool waitPrepared(RestorePlan &plan, QString *why = nullptr,
                  std::optional<qint64> *earliest = nullptr)
{
    QSignalSpy ok(&plan, &RestorePlan::prepared);
    QSignalSpy failed(&plan, &RestorePlan::prepareFailed);
    plan.prepare();
    if (!QTest::qWaitFor([&] { return !ok.isEmpty() || !failed.isEmpty(); }, 30000))
        return false;
    if (!failed.isEmpty()) {
        if (why)
            *why = failed.first().at(0).toString();
        if (earliest)
            *earliest = failed.first().at(1).value<std::optional<qint64>>();
        return false;
    }
    return true;
}

std::pair<bool, QString> waitApplied(RestorePlan &plan)
{
    QSignalSpy done(&plan, &RestorePlan::finished);
    plan.apply();
    if (done.isEmpty() && !done.wait(30000))
        return {false, QStringLiteral("timeout")};
    return {done.first().at(0).toBool(), done.first().at(1).toString()};
}

std::pair<bool, QString> runBatch(Transport *rest, const QList<RestoreStep> &steps,
                                  RestoreBatch **keep = nullptr)
{
    auto *batch = new RestoreBatch(rest, kStore, steps);
    QSignalSpy done(batch, &RestoreBatch::finished);
    batch->start();
    if (done.isEmpty() && !done.wait(30000))
        return {false, QStringLiteral("timeout")};
    if (keep)
        *keep = batch;
    else
        batch->deleteLater();
    return {done.first().at(0).toBool(), done.first().at(1).toString()};
}

} // namespace

class TestRestorePlan : public QObject
{
    Q_OBJECT

private slots:
    void restoreGivesEarlierStateAndUndoes_data();
    void restoreGivesEarlierStateAndUndoes();
    void secondClientWriteStopsRestore_data();
    void secondClientWriteStopsRestore();
    void undoRefusedWhenChangedSince();
    void compactedTargetNamesEarliest();
    void restOnlyCannotRollBack();
    void restoresLeavesHoldingNull_data();
    void restoresLeavesHoldingNull();
    void unknownNullTakesRollback();
};

void TestRestorePlan::restoreGivesEarlierStateAndUndoes_data()
{
    QTest::addColumn<QString>("node"); // "" = the whole store
    QTest::addColumn<bool>("rollback");
    QTest::addColumn<QString>("counts");
    QTest::newRow("leaf") << QStringLiteral("users/alice/name") << false
                          << QStringLiteral("1 changed, 0 added back, 0 removed");
    QTest::newRow("subtree") << QStringLiteral("users") << false
                             << QStringLiteral("1 changed, 1 added back, 1 removed");
    QTest::newRow("whole store, batch")
        << QString() << false << QStringLiteral("2 changed, 1 added back, 2 removed");
    QTest::newRow("whole store, rollback")
        << QString() << true << QStringLiteral("2 changed, 1 added back, 2 removed");
    QTest::newRow("subtree, rollback")
        << QStringLiteral("users") << true << QStringLiteral("1 changed, 1 added back, 1 removed");
}

void TestRestorePlan::restoreGivesEarlierStateAndUndoes()
{
    QFETCH(QString, node);
    QFETCH(bool, rollback);
    QFETCH(QString, counts);
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);

    HttpTransport http(dustlite.baseUrl(), kToken);
    std::unique_ptr<SdkTransport> sdk;
    if (rollback) {
        sdk = std::make_unique<SdkTransport>(sdkOptions(dustlite.wsUrl()));
        sdk->open(kStore);
    }
    RestorePlan plan(DiffSource(&http, sdk.get(), kStore), node.isEmpty() ? Path() : path(node),
                     h.target);
    plan.setPreferRollback(rollback);
    QString why;
    QVERIFY2(waitPrepared(plan, &why), qPrintable(why));
    QCOMPARE(plan.countsText(), counts);
    QCOMPARE(plan.method(), rollback ? RestorePlan::Method::Rollback : RestorePlan::Method::Batch);
    QVERIFY2(plan.canApply(), qPrintable(plan.whyNot()));
    // The preview did not write.
    QCOMPARE(exportLeaves(*db), h.now);

    const auto [ok, report] = waitApplied(plan);
    QVERIFY2(ok, qPrintable(report));
    const Leaves restored = exportLeaves(*db);
    QCOMPARE(leavesUnder(restored, node), leavesUnder(h.atTarget, node));
    QCOMPARE(restored, expectedAfter(h, node));
    for (const RestoreLeaf &leaf : plan.leaves())
        QCOMPARE(leaf.restoredRevision > 0, leaf.restored.has_value());

    // Undo: the state before the restore, exactly.
    const auto [undone, undoReport] = runBatch(&http, RestorePlan::undoSteps(plan.leaves()));
    QVERIFY2(undone, qPrintable(undoReport));
    QCOMPARE(exportLeaves(*db), h.now);
}

void TestRestorePlan::secondClientWriteStopsRestore_data()
{
    QTest::addColumn<QString>("node");
    QTest::addColumn<QString>("theirs"); // the path the second client writes
    QTest::addColumn<bool>("rollback");
    // A leaf the restore would change (if_match refuses it).
    QTest::newRow("changed leaf") << QStringLiteral("users") << QStringLiteral("users/alice/name")
                                  << false;
    // A leaf the restore would delete (if_match on the delete).
    QTest::newRow("leaf to delete")
        << QStringLiteral("users") << QStringLiteral("users/carol/name") << false;
    // A leaf the restore would create again (read just before: batches have no if_absent).
    QTest::newRow("leaf to add back")
        << QStringLiteral("users") << QStringLiteral("users/bob/name") << false;
    // The server's rollback is preceded by a fresh diff under the node.
    QTest::newRow("rollback") << QString() << QStringLiteral("config/theme") << true;
}

void TestRestorePlan::secondClientWriteStopsRestore()
{
    QFETCH(QString, node);
    QFETCH(QString, theirs);
    QFETCH(bool, rollback);
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);

    HttpTransport http(dustlite.baseUrl(), kToken);
    std::unique_ptr<SdkTransport> sdk;
    if (rollback) {
        sdk = std::make_unique<SdkTransport>(sdkOptions(dustlite.wsUrl()));
        sdk->open(kStore);
    }
    RestorePlan plan(DiffSource(&http, sdk.get(), kStore), node.isEmpty() ? Path() : path(node),
                     h.target);
    plan.setPreferRollback(rollback);
    QString why;
    QVERIFY2(waitPrepared(plan, &why), qPrintable(why));

    // Another client writes between the preview and the restore.
    HttpTransport other(dustlite.baseUrl(), kToken);
    const auto written = await(other.put(kStore, path(theirs), QStringLiteral("theirs")));
    QVERIFY2(written, written ? "" : qPrintable(written.error().message()));
    const Leaves before = exportLeaves(*db);

    const auto [ok, report] = waitApplied(plan);
    QVERIFY(!ok);
    QVERIFY2(report.contains(theirs), qPrintable(report));
    QCOMPARE(plan.conflictPath(), theirs);
    QCOMPARE(exportLeaves(*db), before);
    QCOMPARE(exportLeaves(*db).value(theirs), QJsonValue(QStringLiteral("theirs")));
}

void TestRestorePlan::undoRefusedWhenChangedSince()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);
    HttpTransport http(dustlite.baseUrl(), kToken);
    RestorePlan plan(DiffSource(&http, nullptr, kStore), path(QStringLiteral("users")), h.target);
    QVERIFY(waitPrepared(plan));
    QVERIFY(waitApplied(plan).first);

    // Someone edits a restored leaf; the undo must not overwrite it.
    QVERIFY(set(*db, QStringLiteral("users/bob/name"), QStringLiteral("Robert")) > 0);
    const Leaves before = exportLeaves(*db);
    RestoreBatch *batch = nullptr;
    const auto [ok, report] = runBatch(&http, RestorePlan::undoSteps(plan.leaves()), &batch);
    QVERIFY(!ok);
    QVERIFY2(report.contains(QStringLiteral("users/bob/name")), qPrintable(report));
    QCOMPARE(batch->conflictPath(), QStringLiteral("users/bob/name"));
    delete batch;
    QCOMPARE(exportLeaves(*db), before);
}

void TestRestorePlan::compactedTargetNamesEarliest()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);
    db->compact();
    const qint64 snapshot = db->latestSnapshotSeq();
    QVERIFY(snapshot > h.target);
    QVERIFY(set(*db, QStringLiteral("after/compaction"), 1) > 0);

    HttpTransport http(dustlite.baseUrl(), kToken);
    RestorePlan plan(DiffSource(&http, nullptr, kStore), Path(), h.target);
    QString why;
    std::optional<qint64> earliest;
    QVERIFY(!waitPrepared(plan, &why, &earliest));
    QCOMPARE(earliest, std::optional<qint64>(snapshot));
    QVERIFY2(why.contains(QString::number(snapshot)), qPrintable(why));

    // From the earliest seq it works.
    RestorePlan fromEarliest(DiffSource(&http, nullptr, kStore), Path(), *earliest);
    QVERIFY2(waitPrepared(fromEarliest, &why), qPrintable(why));
    QCOMPARE(fromEarliest.countsText(), QStringLiteral("0 changed, 0 added back, 1 removed"));
}

void TestRestorePlan::restOnlyCannotRollBack()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);
    HttpTransport http(dustlite.baseUrl(), kToken);
    RestorePlan plan(DiffSource(&http, nullptr, kStore), Path(), h.target);
    plan.setPreferRollback(true);
    QVERIFY(waitPrepared(plan));
    QVERIFY(!plan.canApply());
    QVERIFY2(plan.whyNot().contains(QStringLiteral("WebSocket")), qPrintable(plan.whyNot()));
    const auto [ok, report] = waitApplied(plan);
    QVERIFY(!ok);
    QCOMPARE(exportLeaves(*db), h.now);
}

void TestRestorePlan::restoresLeavesHoldingNull_data()
{
    QTest::addColumn<bool>("rollback");
    QTest::newRow("batch") << false;
    QTest::newRow("rollback") << true;
}

void TestRestorePlan::restoresLeavesHoldingNull()
{
    QFETCH(bool, rollback);
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const QJsonValue null(QJsonValue::Null);
    QVERIFY(set(*db, QStringLiteral("n/changed"), null) > 0);
    QVERIFY(set(*db, QStringLiteral("n/deleted"), null) > 0);
    QVERIFY(set(*db, QStringLiteral("n/kept"), null) > 0);
    const qint64 target = db->currentSeq();
    const Leaves atTarget = exportLeaves(*db);
    QVERIFY(set(*db, QStringLiteral("n/changed"), 1) > 0);
    QVERIFY(del(*db, QStringLiteral("n/deleted")) > 0);
    QVERIFY(set(*db, QStringLiteral("n/added"), null) > 0);

    HttpTransport http(dustlite.baseUrl(), kToken);
    std::unique_ptr<SdkTransport> sdk;
    if (rollback) {
        sdk = std::make_unique<SdkTransport>(sdkOptions(dustlite.wsUrl()));
        sdk->open(kStore);
    }
    RestorePlan plan(DiffSource(&http, sdk.get(), kStore), path(QStringLiteral("n")), target);
    plan.setPreferRollback(rollback);
    QString why;
    QVERIFY2(waitPrepared(plan, &why), qPrintable(why));
    // n/changed back to null (not deleted), n/deleted back as null, n/added removed.
    QCOMPARE(plan.countsText(), QStringLiteral("1 changed, 1 added back, 1 removed"));
    QCOMPARE(plan.unknownCount(), 0);
    for (const RestoreLeaf &leaf : plan.leaves()) {
        if (leaf.path.rendered() == QLatin1String("n/added"))
            QVERIFY(!leaf.restored.has_value());
        else
            QCOMPARE(leaf.restored, std::optional<QJsonValue>(null));
    }
    const auto [ok, report] = waitApplied(plan);
    QVERIFY2(ok, qPrintable(report));
    QCOMPARE(leavesUnder(exportLeaves(*db), QStringLiteral("n")), atTarget);

    // Read back over REST: leaves that exist and hold null.
    for (const QString &leaf : {QStringLiteral("n/changed"), QStringLiteral("n/deleted")}) {
        const auto entry = await(http.get(kStore, path(leaf)));
        QVERIFY2(entry, entry ? "" : qPrintable(entry.error().message()));
        QVERIFY(entry->value.isNull());
        QCOMPARE(entry->type, QStringLiteral("null"));
    }
    const auto gone = await(http.exists(kStore, path(QStringLiteral("n/added"))));
    QVERIFY(gone);
    QVERIFY(!*gone);
}

// The null was written before the log was compacted: the store's state at the target (a
// diff from 0, answered from dustlite's snapshot) tells it, and the batch puts null back.
// Where that read is refused (as by the hosted server), the batch, which would have to
// guess, gives way to the server's rollback; REST only, it says why it cannot.
void TestRestorePlan::unknownNullTakesRollback()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    QVERIFY(set(*db, QStringLiteral("n/x"), QJsonValue::Null) > 0);
    QVERIFY(set(*db, QStringLiteral("other"), 1) > 0);
    QVERIFY(set(*db, QStringLiteral("other"), 2) > 0);
    db->retainOps(1);
    const qint64 target = db->currentSeq();
    QVERIFY(db->latestSnapshotSeq() >= 2);
    QVERIFY(set(*db, QStringLiteral("n/x"), 1) > 0);
    QString why;

    HostedDiffTransport hosted(dustlite.baseUrl(), kToken, *db);
    RestorePlan restOnly(DiffSource(&hosted, nullptr, kStore), path(QStringLiteral("n")), target);
    QVERIFY2(waitPrepared(restOnly, &why), qPrintable(why));
    QCOMPARE(restOnly.unknownCount(), 1);
    QCOMPARE(restOnly.method(), RestorePlan::Method::Rollback);
    QVERIFY(!restOnly.canApply());
    QVERIFY2(restOnly.whyNot().contains(QStringLiteral("compacted")),
             qPrintable(restOnly.whyNot()));

    SdkTransport sdk(sdkOptions(dustlite.wsUrl()));
    sdk.open(kStore);
    RestorePlan plan(DiffSource(&hosted, &sdk, kStore), path(QStringLiteral("n")), target);
    QVERIFY2(waitPrepared(plan, &why), qPrintable(why));
    QCOMPARE(plan.method(), RestorePlan::Method::Rollback);
    const auto [ok, report] = waitApplied(plan);
    QVERIFY2(ok, qPrintable(report));
    QVERIFY2(!report.contains(QStringLiteral("differ")), qPrintable(report));
    QCOMPARE(plan.leaves().first().restored, std::optional<QJsonValue>(QJsonValue()));
    HttpTransport http(dustlite.baseUrl(), kToken);
    const auto entry = await(http.get(kStore, path(QStringLiteral("n/x"))));
    QVERIFY2(entry, entry ? "" : qPrintable(entry.error().message()));
    QVERIFY(entry->value.isNull());

    // dustlite answers the state read: the batch restores null exactly.
    QVERIFY(set(*db, QStringLiteral("n/x"), 2) > 0);
    RestorePlan batch(DiffSource(&http, nullptr, kStore), path(QStringLiteral("n")), target);
    QVERIFY2(waitPrepared(batch, &why), qPrintable(why));
    QCOMPARE(batch.unknownCount(), 0);
    QCOMPARE(batch.method(), RestorePlan::Method::Batch);
    QCOMPARE(batch.countsText(), QStringLiteral("1 changed, 0 added back, 0 removed"));
    QVERIFY2(waitApplied(batch).first, "batch restore");
    const auto again = await(http.get(kStore, path(QStringLiteral("n/x"))));
    QVERIFY(again && again->value.isNull());
}

QTEST_GUILESS_MAIN(TestRestorePlan)
#include "tst_restoreplan.moc"
