// The restore flow through TabHistory against a real dustlite, its dialogs driven with QTest:
// the preview's counts and words, Restore gives exactly the earlier state (compared with the
// export at that seq), Undo on the tab's stack gives back the state before it and Redo the
// restored one again; Cancel writes nothing; a second client's write while the preview is
// open stops the restore, names the path and overwrites nothing; a live tab rolls the whole
// store back with the server's rollback and undoes it.

#include "../model/RestoreTestSupport.h"
#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestDialogs.h"
#include "TestSdkOptions.h"
#include "edit/EditController.h"
#include "history/DiffPanel.h"
#include "history/RestoreDialog.h"
#include "history/TabHistory.h"
#include "model/DiffModel.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"
#include "window/StoreTab.h"
#include "window/TabEditing.h"

#include <QInputDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

using namespace dust;
using namespace dust::test;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");

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
    set(db, QStringLiteral("users/bob/name"), QStringLiteral("Bob"));
    set(db, QStringLiteral("config/theme"), QStringLiteral("light"));
    h.target = db.currentSeq();
    h.atTarget = exportLeaves(db);
    set(db, QStringLiteral("users/alice/name"), QStringLiteral("Alicia"));
    del(db, QStringLiteral("users/bob"));
    set(db, QStringLiteral("users/carol/name"), QStringLiteral("Carol"));
    set(db, QStringLiteral("config/theme"), QStringLiteral("dark"));
    h.now = exportLeaves(db);
    return h;
}

std::unique_ptr<StoreTab> openTab(InProcessDustlite &dustlite, bool live)
{
    std::unique_ptr<Transport> transport;
    if (live)
        transport = std::make_unique<SdkTransport>(sdkOptions(dustlite.wsUrl()));
    else
        transport = std::make_unique<HttpTransport>(dustlite.baseUrl(), kToken);
    return std::make_unique<StoreTab>(std::move(transport), kStore,
                                      StoreTab::Options{QStringLiteral("test"), false});
}

// The messages a TabHistory said, and its tab's editing (which follows a restore's undo and
// redo like any structure step), joined.
struct Messages
{
    QStringList said;
    explicit Messages(TabHistory &history)
    {
        const auto note = [this](const QString &text, int) {
            said.append(text);
        };
        QObject::connect(&history, &TabHistory::message, &history, note);
        if (TabEditing *editing = history.tab()->editing())
            QObject::connect(editing, &TabEditing::message, &history, note);
    }
    QString all() const { return said.join(QLatin1Char('\n')); }
};

} // namespace

class TestRestoreFlow : public QObject
{
    Q_OBJECT

private slots:
    void restoreConfirmUndoRedo_data();
    void restoreConfirmUndoRedo();
    void cancelWritesNothing();
    void secondClientWriteWhilePreviewOpen();
    void liveStoreRollbackAndUndo();
    void restOnlyStoreRestoreSaysSo();
    void storeRestoreAsksForSeq();
};

void TestRestoreFlow::restoreConfirmUndoRedo_data()
{
    QTest::addColumn<QString>("node");
    QTest::addColumn<QString>("counts");
    QTest::addColumn<int>("rows"); // the preview's rows
    QTest::newRow("leaf") << QStringLiteral("users/alice/name")
                          << QStringLiteral("1 changed, 0 added back, 0 removed") << 1;
    QTest::newRow("subtree") << QStringLiteral("users")
                             << QStringLiteral("1 changed, 1 added back, 1 removed") << 3;
}

void TestRestoreFlow::restoreConfirmUndoRedo()
{
    QFETCH(QString, node);
    QFETCH(QString, counts);
    QFETCH(int, rows);
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);
    auto tab = openTab(dustlite, false);
    TabHistory history(tab.get());
    Messages messages(history);

    QString shownCounts;
    QString explanation;
    int previewRows = -1;
    whenModal<RestoreDialog>(this, [&](RestoreDialog *dialog) {
        shownCounts = dialog->countsText();
        explanation = dialog->explanationText();
        previewRows = dialog->panel()->model()->rowCount();
        QVERIFY(dialog->restoreButton()->isEnabled());
        QVERIFY(!dialog->restoreButton()->accessibleName().isEmpty());
        QTest::mouseClick(dialog->restoreButton(), Qt::LeftButton);
    });
    history.restore(path(node), h.target);
    const Leaves expected = [&] {
        Leaves out = h.now;
        for (const QString &key : leavesUnder(h.now, node).keys())
            out.remove(key);
        const Leaves back = leavesUnder(h.atTarget, node);
        for (auto it = back.cbegin(); it != back.cend(); ++it)
            out.insert(it.key(), it.value());
        return out;
    }();
    QTRY_COMPARE_WITH_TIMEOUT(exportLeaves(*db), expected, 20000);
    QVERIFY2(shownCounts.contains(counts), qPrintable(shownCounts));
    QVERIFY2(explanation.contains(QStringLiteral("the history stays as it is")),
             qPrintable(explanation));
    QCOMPARE(previewRows, rows);
    QCOMPARE(leavesUnder(exportLeaves(*db), node), leavesUnder(h.atTarget, node));

    // Undo on the tab's stack, like any edit.
    TabEditing *editing = tab->editing();
    QUndoStack *stack = editing->controller()->undoStack();
    QTRY_COMPARE(stack->count(), 1);
    QVERIFY(stack->undoText().contains(node));
    QTRY_VERIFY(editing->canUndo());
    editing->undo();
    // The command says when its write is done (the stack moves at once, the write follows).
    QTRY_VERIFY_WITH_TIMEOUT(messages.all().contains(QStringLiteral("Undo: ")), 20000);
    QCOMPARE(exportLeaves(*db), h.now);
    QVERIFY(editing->canRedo());
    editing->redo();
    QTRY_VERIFY_WITH_TIMEOUT(messages.all().contains(QStringLiteral("Redo: ")), 20000);
    QCOMPARE(exportLeaves(*db), expected);
    QVERIFY2(messages.all().contains(QStringLiteral("Restored")), qPrintable(messages.all()));
}

void TestRestoreFlow::cancelWritesNothing()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);
    auto tab = openTab(dustlite, false);
    TabHistory history(tab.get());
    Messages messages(history);
    bool shown = false;
    whenModal<RestoreDialog>(this, [&](RestoreDialog *dialog) {
        shown = true;
        QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
    });
    history.restore(path(QStringLiteral("users")), h.target);
    QTRY_VERIFY(messages.all().contains(QStringLiteral("Nothing was restored.")));
    QVERIFY(shown);
    QCOMPARE(exportLeaves(*db), h.now);
    QCOMPARE(tab->editing()->controller()->undoStack()->count(), 0);
}

void TestRestoreFlow::secondClientWriteWhilePreviewOpen()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);
    auto tab = openTab(dustlite, false);
    TabHistory history(tab.get());
    Messages messages(history);
    Leaves afterTheirs;
    whenModal<RestoreDialog>(this, [&](RestoreDialog *dialog) {
        // Someone else writes while the person reads the preview.
        HttpTransport other(dustlite.baseUrl(), kToken);
        QVERIFY(await(other.put(kStore, path(QStringLiteral("users/carol/name")),
                                QStringLiteral("Caroline"))));
        afterTheirs = exportLeaves(*db);
        QTest::mouseClick(dialog->restoreButton(), Qt::LeftButton);
    });
    history.restore(path(QStringLiteral("users")), h.target);
    QTRY_VERIFY_WITH_TIMEOUT(messages.all().contains(QStringLiteral("The restore stopped")), 20000);
    QVERIFY2(messages.all().contains(QStringLiteral("users/carol/name")),
             qPrintable(messages.all()));
    QCOMPARE(exportLeaves(*db), afterTheirs);
    QCOMPARE(afterTheirs.value(QStringLiteral("users/carol/name")),
             QJsonValue(QStringLiteral("Caroline")));
    QCOMPARE(tab->editing()->controller()->undoStack()->count(), 0);
}

void TestRestoreFlow::liveStoreRollbackAndUndo()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);
    auto tab = openTab(dustlite, true);
    TabHistory history(tab.get());
    Messages messages(history);
    QString explanation;
    whenModal<RestoreDialog>(this, [&](RestoreDialog *dialog) {
        explanation = dialog->explanationText();
        QTest::mouseClick(dialog->restoreButton(), Qt::LeftButton);
    });
    history.rollbackStore(h.target);
    QTRY_COMPARE_WITH_TIMEOUT(exportLeaves(*db), h.atTarget, 20000);
    QVERIFY2(explanation.contains(QStringLiteral("server's rollback")), qPrintable(explanation));
    QTRY_VERIFY_WITH_TIMEOUT(messages.all().contains(QStringLiteral("with the server's rollback")),
                             20000);
    TabEditing *editing = tab->editing();
    QTRY_VERIFY(editing->canUndo());
    editing->undo();
    QTRY_VERIFY_WITH_TIMEOUT(messages.all().contains(QStringLiteral("Undo: ")), 20000);
    QCOMPARE(exportLeaves(*db), h.now);
}

void TestRestoreFlow::restOnlyStoreRestoreSaysSo()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);
    auto tab = openTab(dustlite, false);
    TabHistory history(tab.get());
    QString explanation;
    whenModal<RestoreDialog>(this, [&](RestoreDialog *dialog) {
        explanation = dialog->explanationText();
        QTest::mouseClick(dialog->restoreButton(), Qt::LeftButton);
    });
    history.rollbackStore(h.target);
    QTRY_COMPARE_WITH_TIMEOUT(exportLeaves(*db), h.atTarget, 20000);
    QVERIFY2(explanation.contains(QStringLiteral("REST only")), qPrintable(explanation));
    QVERIFY2(explanation.contains(QStringLiteral("one conditional batch")),
             qPrintable(explanation));
}

void TestRestoreFlow::storeRestoreAsksForSeq()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    const History h = writeHistory(*db);
    auto tab = openTab(dustlite, false);
    TabHistory history(tab.get());
    int maximum = -1;
    whenModal<QInputDialog>(this, [&](QInputDialog *dialog) {
        maximum = dialog->intMaximum();
        dialog->setIntValue(int(h.target));
        dialog->accept();
        whenModal<RestoreDialog>(this, [](RestoreDialog *restore) {
            QTest::mouseClick(restore->restoreButton(), Qt::LeftButton);
        });
    });
    const qint64 before = db->currentSeq();
    history.rollbackStoreTyped();
    QTRY_COMPARE_WITH_TIMEOUT(exportLeaves(*db), h.atTarget, 20000);
    QCOMPARE(qint64(maximum), before); // up to the store's seq when asked
}

QTEST_MAIN(TestRestoreFlow)
#include "tst_restoreflow.moc"
