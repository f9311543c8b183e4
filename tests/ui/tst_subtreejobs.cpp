// SubtreeMove, SubtreeDelete and their undo commands against a real dustlite over REST:
// an atomic rename (and a conflicting write making nothing move), refusals, a move larger
// than one batch copied, verified and only then deleted, the same move with the server
// stopped half way or cancelled (nothing lost), bulk delete of a selection, a leaf changed
// after counting kept, and undo/redo of moves and deletes.

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "StoreRegistry.h"
#include "StoreWrite.h"
#include "TestAwait.h"
#include "TestHttp.h"
#include "edit/DeleteConfirmDialog.h"
#include "edit/DeleteSubtreeCommand.h"
#include "edit/JobProgressDialog.h"
#include "edit/MoveCommand.h"
#include "edit/SubtreeDelete.h"
#include "edit/SubtreeListing.h"
#include "edit/SubtreeMove.h"
#include "transport/HttpTransport.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace dust;
using namespace dust::test;
using namespace Qt::StringLiterals;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");

std::optional<Entry> leafAt(lite::StoreDb *db, const QString &rendered)
{
    return db->getLeaf(path(rendered));
}

// The value of the leaf, or undefined when there is none (a failed check, not a crash).
QJsonValue valueAt(lite::StoreDb *db, const QString &rendered)
{
    const auto leaf = leafAt(db, rendered);
    return leaf ? leaf->value : QJsonValue(QJsonValue::Undefined);
}

QList<std::pair<Path, QJsonValue>> manyLeaves(const QString &base, int count)
{
    QList<std::pair<Path, QJsonValue>> leaves;
    for (int i = 0; i < count; ++i)
        leaves.append({path(QStringLiteral("%1/g%2/k%3").arg(base).arg(i % 7).arg(i)),
                       QJsonValue(QStringLiteral("v%1").arg(i))});
    return leaves;
}

// Runs `job` (a SubtreeMove or SubtreeDelete) to its end; returns (ok, report).
template <typename Job> std::pair<bool, QString> run(Job &job, int timeoutMs = 60000)
{
    QSignalSpy finished(&job, &Job::finished);
    job.start();
    if (finished.isEmpty() && !finished.wait(timeoutMs))
        return {false, QStringLiteral("timed out")};
    return {finished.first().at(0).toBool(), finished.first().at(1).toString()};
}

} // namespace

class TestSubtreeJobs : public QObject
{
    Q_OBJECT

private slots:
    void atomicRenameAndUndo();
    void atomicRenameRefusedWhenASourceChanged();
    void moveRefusals_data();
    void moveRefusals();
    void largeMoveCopiesVerifiesThenDeletes();
    void largeMoveAsksFirst_data();
    void largeMoveAsksFirst();
    void largeMoveLosesNothingWhenServerDies_data();
    void largeMoveLosesNothingWhenServerDies();
    void largeMoveCancelledHalfWay_data();
    void largeMoveCancelledHalfWay();
    void progressDialogCancelsWithEscape();
    void bulkDeleteSelectionAndUndo();
    void deleteKeepsALeafChangedAfterCounting();
};

void TestSubtreeJobs::atomicRenameAndUndo()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet({{path(QStringLiteral("from")), QStringLiteral("node value")},
                         {path(QStringLiteral("from/a")), 1},
                         {path(QStringLiteral("from/b~1c/d")), QJsonValue(true)},
                         {path(QStringLiteral("from-sibling")), 2},
                         {path(QStringLiteral("other/x")), 3}},
                        QStringLiteral("dev")) > 0);
    HttpTransport transport(dustlite.baseUrl(), kToken);

    SubtreeMove move(&transport, kStore, path(QStringLiteral("from")), path(QStringLiteral("to")));
    QSignalSpy progress(&move, &SubtreeMove::progress);
    const auto [ok, report] = run(move);
    QVERIFY2(ok, qPrintable(report));
    QVERIFY(report.contains(QStringLiteral("one atomic write")));
    QVERIFY(!progress.isEmpty());
    QCOMPARE(move.movedLeaves().size(), 3);
    QCOMPARE(valueAt(db, QStringLiteral("to")).toString(), QStringLiteral("node value"));
    QCOMPARE(valueAt(db, QStringLiteral("to/a")).toInt(), 1);
    QCOMPARE(valueAt(db, QStringLiteral("to/b~1c/d")).toBool(), true);
    QVERIFY(!db->get(path(QStringLiteral("from"))));
    QCOMPARE(valueAt(db, QStringLiteral("from-sibling")).toInt(), 2);
    QCOMPARE(valueAt(db, QStringLiteral("other/x")).toInt(), 3);

    // Undo moves it back, redo moves it again; values read back from the server.
    QUndoStack stack;
    auto *command = new MoveCommand(&transport, kStore, move);
    QSignalSpy finished(command, &StructureCommand::finished);
    stack.push(command);
    QCOMPARE(finished.count(), 0);
    QVERIFY(leafAt(db, QStringLiteral("to/a"))); // the push wrote nothing
    stack.undo();
    QVERIFY(finished.wait(10000));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    QCOMPARE(valueAt(db, QStringLiteral("from")).toString(), QStringLiteral("node value"));
    QCOMPARE(valueAt(db, QStringLiteral("from/a")).toInt(), 1);
    QCOMPARE(valueAt(db, QStringLiteral("from/b~1c/d")).toBool(), true);
    QVERIFY(!db->get(path(QStringLiteral("to"))));
    stack.redo();
    QVERIFY(finished.wait(10000));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    QCOMPARE(valueAt(db, QStringLiteral("to/a")).toInt(), 1);
    QVERIFY(!db->get(path(QStringLiteral("from"))));
    // A change at the destination makes the undo refuse as a whole.
    QVERIFY(db->bulkSet({{path(QStringLiteral("to/a")), 99}}, QStringLiteral("other")) > 0);
    stack.undo();
    QVERIFY(finished.wait(10000));
    QVERIFY(!finished.last().at(0).toBool());
    QVERIFY2(finished.last().at(1).toString().contains(QStringLiteral("to/a")),
             qPrintable(finished.last().at(1).toString()));
    QCOMPARE(valueAt(db, QStringLiteral("to/a")).toInt(), 99);
    QVERIFY(leafAt(db, QStringLiteral("to")));
    QVERIFY(!db->get(path(QStringLiteral("from"))));
}

void TestSubtreeJobs::atomicRenameRefusedWhenASourceChanged()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet(manyLeaves(QStringLiteral("src"), 40), QStringLiteral("dev")) > 0);
    HttpTransport transport(dustlite.baseUrl(), kToken);

    SubtreeMove move(&transport, kStore, path(QStringLiteral("src")), path(QStringLiteral("dst")));
    const QString changed = QStringLiteral("src/g3/k17");
    bool wrote = false;
    // After the listing, right before the batch: a second client changes one source leaf.
    connect(&move, &SubtreeMove::progress, this, [&] {
        if (move.phase() == SubtreeMove::Phase::Moving && !wrote) {
            wrote = true;
            QVERIFY(db->bulkSet({{path(changed), QStringLiteral("theirs")}},
                                QStringLiteral("other")) > 0);
        }
    });
    const auto [ok, report] = run(move);
    QVERIFY(wrote);
    QVERIFY(!ok);
    QVERIFY2(report.contains(changed), qPrintable(report));
    QVERIFY(report.contains(QStringLiteral("Nothing was moved")));
    // Nothing moved, nothing deleted.
    QVERIFY(!db->get(path(QStringLiteral("dst"))));
    for (const auto &[leaf, value] : manyLeaves(QStringLiteral("src"), 40)) {
        const auto entry = db->getLeaf(leaf);
        QVERIFY2(entry, qPrintable(leaf.rendered()));
        QCOMPARE(entry->value, leaf.rendered() == changed ? QJsonValue(u"theirs"_s) : value);
    }
}

void TestSubtreeJobs::moveRefusals_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("reason");
    QTest::newRow("into itself") << u"a"_s << u"a/b/c"_s << u"into itself"_s;
    QTest::newRow("onto itself") << u"a"_s << u"a"_s << u"already there"_s;
    QTest::newRow("target exists") << u"a"_s << u"b"_s << u"already exists"_s;
    QTest::newRow("set inside") << u"e"_s << u"f"_s << u"e/members"_s;
    QTest::newRow("counter inside") << u"c"_s << u"d"_s << u"c/count"_s;
    QTest::newRow("nothing there") << u"none"_s << u"z"_s << u"nothing at none"_s;
}

void TestSubtreeJobs::moveRefusals()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, reason);

    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet({{path(QStringLiteral("a/x")), 1},
                         {path(QStringLiteral("b/y")), 2},
                         {path(QStringLiteral("c/plain")), 3}},
                        QStringLiteral("dev")) > 0);
    HttpTransport transport(dustlite.baseUrl(), kToken);
    lite::WriteRequest increment;
    increment.op = Op::Increment;
    increment.path = path(QStringLiteral("c/count"));
    increment.value = 5;
    increment.deviceId = QStringLiteral("dev");
    increment.clientOpId = QStringLiteral("op-1");
    QVERIFY(db->write(increment).ok);
    lite::WriteRequest add = increment;
    add.op = Op::Add;
    add.path = path(QStringLiteral("e/members"));
    add.value = QStringLiteral("m");
    add.clientOpId = QStringLiteral("op-2");
    QVERIFY(db->write(add).ok);

    SubtreeMove move(&transport, kStore, path(from), path(to));
    const auto [ok, report] = run(move);
    QVERIFY(!ok);
    QVERIFY2(report.contains(reason), qPrintable(report));
    QCOMPARE(valueAt(db, QStringLiteral("a/x")).toInt(), 1);
    QCOMPARE(valueAt(db, QStringLiteral("b/y")).toInt(), 2);
    QCOMPARE(valueAt(db, QStringLiteral("c/plain")).toInt(), 3);
    QVERIFY(!db->get(path(QStringLiteral("d"))));
    QVERIFY(!db->get(path(QStringLiteral("f"))));
    QVERIFY(!db->get(path(QStringLiteral("z"))));
    QCOMPARE(leafAt(db, QStringLiteral("c/count"))->type, QStringLiteral("counter"));
    QCOMPARE(leafAt(db, QStringLiteral("e/members"))->type, QStringLiteral("set"));
}

void TestSubtreeJobs::largeMoveCopiesVerifiesThenDeletes()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    const auto leaves = manyLeaves(QStringLiteral("big"), 2500);
    QVERIFY(db->bulkSet(leaves, QStringLiteral("dev")) > 0);
    QVERIFY(db->bulkSet({{path(QStringLiteral("bigger")), 1}}, QStringLiteral("dev")) > 0);
    HttpTransport transport(dustlite.baseUrl(), kToken);

    SubtreeMove move(&transport, kStore, path(QStringLiteral("big")),
                     path(QStringLiteral("moved")));
    QList<SubtreeMove::Phase> phases;
    connect(&move, &SubtreeMove::progress, this, [&](qint64 done, qint64 total, const QString &) {
        QVERIFY(done <= total || total == 0);
        if (phases.isEmpty() || phases.last() != move.phase())
            phases.append(move.phase());
    });
    const auto [ok, report] = run(move);
    QVERIFY2(ok, qPrintable(report));
    QVERIFY2(report.contains(QStringLiteral("verified")), qPrintable(report));
    using P = SubtreeMove::Phase;
    QCOMPARE(phases, (QList<P>{P::Listing, P::Checking, P::Copying, P::Verifying, P::Deleting}));
    QCOMPARE(move.movedLeaves().size(), 2500);
    for (const auto &[leaf, value] : leaves) {
        QVERIFY(!db->getLeaf(leaf));
        const auto copy = db->getLeaf(SubtreeMove::destination(
            path(QStringLiteral("big")), path(QStringLiteral("moved")), leaf));
        QVERIFY2(copy, qPrintable(leaf.rendered()));
        QCOMPARE(copy->value, value);
    }
    QVERIFY(leafAt(db, QStringLiteral("bigger")));

    // Undo of a big move is a big move back.
    QUndoStack stack;
    auto *command = new MoveCommand(&transport, kStore, move);
    QSignalSpy finished(command, &StructureCommand::finished);
    stack.push(command);
    stack.undo();
    QVERIFY(finished.wait(60000));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    for (const auto &[leaf, value] : leaves)
        QCOMPARE(valueAt(db, leaf.rendered()), value);
    QVERIFY(!db->get(path(QStringLiteral("moved"))));
}

void TestSubtreeJobs::largeMoveAsksFirst_data()
{
    QTest::addColumn<bool>("proceed");
    QTest::newRow("proceed") << true;
    QTest::newRow("cancel") << false;
}

void TestSubtreeJobs::largeMoveAsksFirst()
{
    QFETCH(bool, proceed);
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    const auto leaves = manyLeaves(QStringLiteral("big"), 600);
    QVERIFY(db->bulkSet(leaves, QStringLiteral("dev")) > 0);
    HttpTransport transport(dustlite.baseUrl(), kToken);

    SubtreeMove move(&transport, kStore, path(QStringLiteral("big")),
                     path(QStringLiteral("moved")));
    move.setConfirmNonAtomic(true);
    QString question;
    connect(&move, &SubtreeMove::needsConfirmation, this, [&](qint64 count, const QString &text) {
        QCOMPARE(count, 600);
        question = text;
        QVERIFY(!db->get(path(QStringLiteral("moved")))); // nothing written yet
        if (proceed)
            move.proceed();
        else
            move.cancel();
    });
    const auto [ok, report] = run(move);
    QVERIFY2(question.contains(QStringLiteral("600 leaves")) &&
                 question.contains(QStringLiteral("more than one atomic write")),
             qPrintable(question));
    QCOMPARE(ok, proceed);
    if (proceed) {
        QVERIFY(!db->get(path(QStringLiteral("big"))));
        QCOMPARE(valueAt(db, QStringLiteral("moved/g0/k0")), QJsonValue(u"v0"_s));
    } else {
        QVERIFY2(report.contains(QStringLiteral("before anything was written")),
                 qPrintable(report));
        QVERIFY(!db->get(path(QStringLiteral("moved"))));
        QCOMPARE(valueAt(db, QStringLiteral("big/g0/k0")), QJsonValue(u"v0"_s));
    }
}

void TestSubtreeJobs::largeMoveLosesNothingWhenServerDies_data()
{
    QTest::addColumn<int>("stopIn");
    QTest::newRow("while copying") << int(SubtreeMove::Phase::Copying);
    QTest::newRow("while deleting") << int(SubtreeMove::Phase::Deleting);
}

void TestSubtreeJobs::largeMoveLosesNothingWhenServerDies()
{
    QFETCH(int, stopIn);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto leaves = manyLeaves(QStringLiteral("big"), 2500);
    const Path from = path(QStringLiteral("big"));
    const Path to = path(QStringLiteral("moved"));
    QString report;
    {
        InProcessDustlite dustlite;
        dustlite.config().inMemory = false;
        dustlite.config().dataDir = dir.path();
        QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
        QVERIFY(dustlite.store());
        QVERIFY(dustlite.store()->bulkSet(leaves, QStringLiteral("dev")) > 0);
        HttpTransport transport(dustlite.baseUrl(), kToken);
        transport.setTransferTimeout(std::chrono::milliseconds(5000));

        SubtreeMove move(&transport, kStore, from, to);
        bool stopped = false;
        connect(&move, &SubtreeMove::progress, this,
                [&](qint64 done, qint64 total, const QString &) {
                    if (!stopped && int(move.phase()) == stopIn && done > 0 && done < total) {
                        stopped = true;
                        dustlite.stop(); // half way: the next batch finds no server
                    }
                });
        bool ok = false;
        std::tie(ok, report) = run(move);
        QVERIFY(stopped);
        QVERIFY(!ok);
        QVERIFY2(report.contains(QStringLiteral("still at big")), qPrintable(report));
    }
    // The server comes back with what it had stored: every source leaf is still at its
    // place, or its copy is there with the same value (it was verified before the delete).
    InProcessDustlite again;
    again.config().inMemory = false;
    again.config().dataDir = dir.path();
    QVERIFY2(again.start(), qPrintable(again.errorString()));
    lite::StoreDb *db = again.store();
    if (!db)
        db = again.server().registry()->openOrCreate(kStore).value();
    int atSource = 0;
    int onlyCopied = 0;
    for (const auto &[leaf, value] : leaves) {
        const auto source = db->getLeaf(leaf);
        const auto copy = db->getLeaf(SubtreeMove::destination(from, to, leaf));
        if (source) {
            QCOMPARE(source->value, value);
            ++atSource;
        } else {
            QVERIFY2(copy, qPrintable(leaf.rendered()));
            QCOMPARE(copy->value, value);
            ++onlyCopied;
        }
    }
    if (stopIn == int(SubtreeMove::Phase::Copying)) {
        QCOMPARE(atSource, 2500);
        QVERIFY2(report.contains(QStringLiteral("Nothing was deleted")), qPrintable(report));
    } else {
        QVERIFY2(onlyCopied > 0 && atSource > 0, qPrintable(report));
    }
}

void TestSubtreeJobs::largeMoveCancelledHalfWay_data()
{
    QTest::addColumn<int>("cancelIn");
    QTest::newRow("while copying") << int(SubtreeMove::Phase::Copying);
    QTest::newRow("while deleting") << int(SubtreeMove::Phase::Deleting);
}

void TestSubtreeJobs::largeMoveCancelledHalfWay()
{
    QFETCH(int, cancelIn);
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    const auto leaves = manyLeaves(QStringLiteral("big"), 2500);
    QVERIFY(db->bulkSet(leaves, QStringLiteral("dev")) > 0);
    HttpTransport transport(dustlite.baseUrl(), kToken);
    const Path from = path(QStringLiteral("big"));
    const Path to = path(QStringLiteral("moved"));

    SubtreeMove move(&transport, kStore, from, to);
    bool cancelled = false;
    connect(&move, &SubtreeMove::progress, this, [&](qint64 done, qint64 total, const QString &) {
        if (!cancelled && int(move.phase()) == cancelIn && done > 0 && done < total) {
            cancelled = true;
            move.cancel();
        }
    });
    const auto [ok, report] = run(move);
    QVERIFY(cancelled);
    QVERIFY(!ok);
    QVERIFY2(report.contains(QStringLiteral("cancelled")), qPrintable(report));
    int atSource = 0;
    for (const auto &[leaf, value] : leaves) {
        const auto source = db->getLeaf(leaf);
        if (source) {
            QCOMPARE(source->value, value);
            ++atSource;
        } else {
            const auto copy = db->getLeaf(SubtreeMove::destination(from, to, leaf));
            QVERIFY2(copy, qPrintable(leaf.rendered()));
            QCOMPARE(copy->value, value);
        }
    }
    if (cancelIn == int(SubtreeMove::Phase::Copying)) {
        QCOMPARE(atSource, 2500);
        QVERIFY2(report.contains(QStringLiteral("remain")), qPrintable(report));
    } else {
        QVERIFY(atSource > 0 && atSource < 2500);
    }
}

void TestSubtreeJobs::progressDialogCancelsWithEscape()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    const auto leaves = manyLeaves(QStringLiteral("big"), 2500);
    QVERIFY(db->bulkSet(leaves, QStringLiteral("dev")) > 0);
    HttpTransport transport(dustlite.baseUrl(), kToken);

    SubtreeMove move(&transport, kStore, path(QStringLiteral("big")),
                     path(QStringLiteral("moved")));
    JobProgressDialog dialog(QStringLiteral("Moving"));
    dialog.follow(&move);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    bool pressed = false;
    connect(&move, &SubtreeMove::progress, this, [&](qint64 done, qint64, const QString &) {
        if (!pressed && move.phase() == SubtreeMove::Phase::Copying && done > 0) {
            pressed = true;
            QVERIFY(dialog.phaseText().startsWith(QStringLiteral("Copying")));
            QTest::keyClick(&dialog, Qt::Key_Escape); // Cancel
            QVERIFY(dialog.isVisible());              // waits for the job's report
        }
    });
    const auto [ok, report] = run(move);
    QVERIFY(pressed);
    QVERIFY(!ok);
    QVERIFY(dialog.isFinished());
    QCOMPARE(dialog.reportText(), report);
    QVERIFY2(report.contains(QStringLiteral("Nothing was deleted")), qPrintable(report));
    for (const auto &[leaf, value] : leaves)
        QCOMPARE(valueAt(db, leaf.rendered()), value);
    QTest::keyClick(&dialog, Qt::Key_Escape); // Close
    QVERIFY(!dialog.isVisible());
}

void TestSubtreeJobs::bulkDeleteSelectionAndUndo()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet({{path(QStringLiteral("a/1")), 1},
                         {path(QStringLiteral("a/2")), 2},
                         {path(QStringLiteral("a-b")), 3},
                         {path(QStringLiteral("b/x/y")), 4},
                         {path(QStringLiteral("b/other")), 5},
                         {path(QStringLiteral("c")), 6},
                         {path(QStringLiteral("d/keep")), 7}},
                        QStringLiteral("dev")) > 0);
    lite::WriteRequest increment;
    increment.op = Op::Increment;
    increment.path = path(QStringLiteral("a/count"));
    increment.value = 5;
    increment.deviceId = QStringLiteral("dev");
    increment.clientOpId = QStringLiteral("op-1");
    QVERIFY(db->write(increment).ok);
    HttpTransport transport(dustlite.baseUrl(), kToken);

    // A selection of 3 nodes (and one under a selected node, counted once).
    SubtreeDelete job(&transport, kStore,
                      {path(QStringLiteral("a")), path(QStringLiteral("b/x")),
                       path(QStringLiteral("c")), path(QStringLiteral("a/1"))});
    QCOMPARE(job.nodes().size(), 3);
    QSignalSpy counted(&job, &SubtreeDelete::counted);
    job.countLeaves();
    QVERIFY(counted.wait(10000));
    QCOMPARE(counted.first().at(0).toLongLong(), 5);
    DeleteConfirmDialog confirm(job.nodes(), counted.first().at(0).toLongLong());
    QVERIFY2(confirm.messageText().contains(QStringLiteral("a, b/x, c")),
             qPrintable(confirm.messageText()));
    QVERIFY(confirm.messageText().contains(QStringLiteral("5 leaves")));

    const auto [ok, report] = run(job);
    QVERIFY2(ok, qPrintable(report));
    QVERIFY2(report.contains(QStringLiteral("5 leaves")), qPrintable(report));
    QVERIFY(!db->get(path(QStringLiteral("a"))));
    QVERIFY(!db->get(path(QStringLiteral("b/x"))));
    QVERIFY(!db->get(path(QStringLiteral("c"))));
    QCOMPARE(valueAt(db, QStringLiteral("a-b")).toInt(), 3);
    QCOMPARE(valueAt(db, QStringLiteral("b/other")).toInt(), 5);
    QCOMPARE(valueAt(db, QStringLiteral("d/keep")).toInt(), 7);

    // Undo re-creates what was deleted, except where something exists now (c), and says so.
    QUndoStack stack;
    auto *command = new DeleteSubtreeCommand(&transport, kStore, job);
    QSignalSpy finished(command, &StructureCommand::finished);
    stack.push(command);
    QVERIFY(!db->get(path(QStringLiteral("a"))));
    QVERIFY(db->bulkSet({{path(QStringLiteral("c")), QStringLiteral("new")}}, QStringLiteral("x")) >
            0);
    stack.undo();
    QVERIFY(finished.wait(10000));
    const QString undone = finished.last().at(1).toString();
    QVERIFY2(undone.contains(QStringLiteral("restored 4 leaves")), qPrintable(undone));
    QVERIFY2(undone.contains(QStringLiteral("Skipped")) && undone.contains(QStringLiteral(": c")),
             qPrintable(undone));
    // The counter comes back with its type (the store's import keeps it).
    QCOMPARE(valueAt(db, QStringLiteral("a/count")).toInt(), 5);
    QCOMPARE(db->get(path(QStringLiteral("a/count")))->type, QStringLiteral("counter"));
    QCOMPARE(valueAt(db, QStringLiteral("a/1")).toInt(), 1);
    QCOMPARE(valueAt(db, QStringLiteral("a/2")).toInt(), 2);
    QCOMPARE(valueAt(db, QStringLiteral("b/x/y")).toInt(), 4);
    QCOMPARE(valueAt(db, QStringLiteral("c")).toString(), QStringLiteral("new"));
    // Redo deletes the restored leaves again, and not the new c.
    stack.redo();
    QVERIFY(finished.wait(10000));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    QVERIFY(!db->get(path(QStringLiteral("a"))));
    QVERIFY(!db->get(path(QStringLiteral("b/x"))));
    QCOMPARE(valueAt(db, QStringLiteral("c")).toString(), QStringLiteral("new"));
}

void TestSubtreeJobs::deleteKeepsALeafChangedAfterCounting()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet(manyLeaves(QStringLiteral("t"), 1500), QStringLiteral("dev")) > 0);
    HttpTransport transport(dustlite.baseUrl(), kToken);

    SubtreeDelete job(&transport, kStore, {path(QStringLiteral("t"))});
    QSignalSpy counted(&job, &SubtreeDelete::counted);
    job.countLeaves();
    QVERIFY(counted.wait(10000));
    QCOMPARE(counted.first().at(0).toLongLong(), 1500);
    // Someone changes one leaf and adds another after the count was shown.
    QVERIFY(db->bulkSet({{path(QStringLiteral("t/g1/k8")), QStringLiteral("theirs")},
                         {path(QStringLiteral("t/new")), QStringLiteral("added")}},
                        QStringLiteral("other")) > 0);
    const auto [ok, report] = run(job);
    QVERIFY(!ok);
    QVERIFY2(report.contains(QStringLiteral("t/g1/k8")), qPrintable(report));
    QCOMPARE(job.deletedLeaves().size(), 1499);
    QCOMPARE(valueAt(db, QStringLiteral("t/g1/k8")).toString(), QStringLiteral("theirs"));
    QCOMPARE(valueAt(db, QStringLiteral("t/new")).toString(), QStringLiteral("added"));
    QVERIFY(!leafAt(db, QStringLiteral("t/g0/k0")));
}

QTEST_MAIN(TestSubtreeJobs)
#include "tst_subtreejobs.moc"
