// DiffDialog driven with QTest: the header names both points, the glob filter field narrows
// the changed paths (and says what is wrong with a bad glob), the selected path's before and
// after are side by side with the differing lines marked; against a real dustlite through
// TabHistory, a compacted start is explained with earliest_available and "Diff from N" reads
// the diff again from there, and "since opened" lists what changed after the tab opened.

#include "../model/RestoreTestSupport.h"
#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "history/DiffDialog.h"
#include "history/DiffPanel.h"
#include "history/DiffSidesView.h"
#include "history/TabHistory.h"
#include "model/DiffModel.h"
#include "transport/HttpTransport.h"
#include "window/StoreTab.h"

#include "TestDialogs.h"

#include <QAbstractItemModelTester>
#include <QInputDialog>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTest>

using namespace dust;
using namespace dust::test;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");

QStringList shownPaths(const DiffPanel *panel)
{
    QStringList out;
    for (int r = 0; r < panel->model()->rowCount(); ++r)
        out.append(panel->model()->index(r, DiffModel::PathColumn).data().toString());
    return out;
}

std::unique_ptr<StoreTab> restTab(InProcessDustlite &dustlite)
{
    return std::make_unique<StoreTab>(std::make_unique<HttpTransport>(dustlite.baseUrl(), kToken),
                                      kStore, StoreTab::Options{QStringLiteral("test"), false});
}

} // namespace

class TestDiffDialog : public QObject
{
    Q_OBJECT

private slots:
    void headerFilterAndSides();
    void compactedOffersEarliest();
    void diffSinceOpened();
    void diffFromTyped_data();
    void diffFromTyped();
};

void TestDiffDialog::headerFilterAndSides()
{
    DiffDialog dialog(kStore);
    QAbstractItemModelTester tester(dialog.panel()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    dialog.show();
    dialog.showLoading(3, 7, QStringLiteral("2026-12-06T10:00:00Z"));
    QVERIFY2(dialog.headerText().contains(QStringLiteral("seq 3 (")),
             qPrintable(dialog.headerText()));
    QVERIFY(dialog.headerText().contains(QStringLiteral("seq 7")));
    const QJsonObject before{{QStringLiteral("a"), 1}, {QStringLiteral("b"), 2}};
    const QJsonObject after{{QStringLiteral("a"), 1}, {QStringLiteral("b"), 3}};
    dialog.showChanges(
        {{QStringLiteral("users/alice/prefs"), before, after},
         {QStringLiteral("users/bob/name"), QJsonValue::Undefined, QStringLiteral("Bob")},
         {QStringLiteral("config/theme"), QStringLiteral("light"), QJsonValue::Undefined}});
    DiffPanel *panel = dialog.panel();
    QCOMPARE(panel->countsText(), QStringLiteral("1 added, 1 changed, 1 removed"));
    QCOMPARE(shownPaths(panel).size(), 3);

    // Typing a glob narrows the list.
    QLineEdit *filter = panel->filterField();
    QVERIFY(!filter->accessibleName().isEmpty());
    filter->setFocus();
    QTest::keyClicks(filter, QStringLiteral("users/**"));
    QCOMPARE(shownPaths(panel),
             (QStringList{QStringLiteral("users/alice/prefs"), QStringLiteral("users/bob/name")}));
    // A bad glob is explained and the list stays as it was.
    QTest::keyClicks(filter, QStringLiteral("/x"));
    QVERIFY2(panel->filterProblem().contains(QStringLiteral("users/**/x")),
             qPrintable(panel->filterProblem()));
    QCOMPARE(shownPaths(panel).size(), 2);
    filter->clear();
    QCOMPARE(panel->filterProblem(), QString());
    QCOMPARE(shownPaths(panel).size(), 3);

    // The selected path side by side: only the "b" line is marked on each side.
    QVERIFY(panel->selectPath(QStringLiteral("users/alice/prefs")));
    DiffSidesView *sides = panel->sides();
    QCOMPARE(sides->markedBefore().size(), 1);
    QCOMPARE(sides->markedAfter().size(), 1);
    const QStringList beforeLines = sides->beforeText().split(QLatin1Char('\n'));
    const QStringList afterLines = sides->afterText().split(QLatin1Char('\n'));
    QVERIFY2(beforeLines.at(sides->markedBefore().first()).startsWith(QStringLiteral("- ")),
             qPrintable(sides->beforeText()));
    QVERIFY(beforeLines.at(sides->markedBefore().first()).contains(QStringLiteral("\"b\": 2")));
    QVERIFY(afterLines.at(sides->markedAfter().first()).contains(QStringLiteral("\"b\": 3")));
    QVERIFY(afterLines.at(sides->markedAfter().first()).startsWith(QStringLiteral("+ ")));
    // A path that did not exist before says so.
    QVERIFY(panel->selectPath(QStringLiteral("users/bob/name")));
    QVERIFY2(sides->beforeText().contains(QStringLiteral("did not exist")),
             qPrintable(sides->beforeText()));

    // A leaf that held null shows null; a side the op log could not tell says so.
    DiffChange unknown{QStringLiteral("u"), QJsonValue::Undefined, 1};
    unknown.beforeUnknown = true;
    dialog.showChanges({{QStringLiteral("n"), QJsonValue::Null, 1}, unknown});
    QCOMPARE(panel->countsText(), QStringLiteral("1 added, 1 changed, 0 removed"));
    QVERIFY(panel->selectPath(QStringLiteral("n")));
    QVERIFY2(sides->beforeText().contains(QStringLiteral("null")), qPrintable(sides->beforeText()));
    QVERIFY(!sides->beforeText().contains(QStringLiteral("did not exist")));
    QVERIFY(panel->selectPath(QStringLiteral("u")));
    QVERIFY2(sides->beforeText().contains(QStringLiteral("compacted")),
             qPrintable(sides->beforeText()));
}

void TestDiffDialog::compactedOffersEarliest()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    QVERIFY(set(*db, QStringLiteral("a"), 1) > 0);
    QVERIFY(set(*db, QStringLiteral("a"), 2) > 0);
    db->compact();
    const qint64 earliest = db->latestSnapshotSeq();
    QVERIFY(set(*db, QStringLiteral("b"), 3) > 0);
    QVERIFY(set(*db, QStringLiteral("a"), 4) > 0);

    auto tab = restTab(dustlite);
    TabHistory history(tab.get());
    history.showDiff(1, -1);
    QPointer<DiffDialog> dialog = history.diffDialog();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->diffFromEarliestButton()->isVisible());
    QVERIFY2(dialog->messageText().contains(QString::number(earliest)),
             qPrintable(dialog->messageText()));
    QVERIFY(dialog->diffFromEarliestButton()->text().contains(QString::number(earliest)));
    QVERIFY(!dialog->diffFromEarliestButton()->accessibleName().isEmpty());

    QTest::mouseClick(dialog->diffFromEarliestButton(), Qt::LeftButton);
    QTRY_COMPARE(shownPaths(dialog->panel()),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(dialog->fromSeq(), earliest);
    QVERIFY(!dialog->diffFromEarliestButton()->isVisible());
    QCOMPARE(dialog->panel()->countsText(), QStringLiteral("1 added, 1 changed, 0 removed"));
    dialog->close();
}

void TestDiffDialog::diffSinceOpened()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    QVERIFY(set(*db, QStringLiteral("before/open"), 1) > 0);
    const qint64 opened = db->currentSeq();

    auto tab = restTab(dustlite);
    TabHistory history(tab.get());
    QTRY_COMPARE(history.openedSeq(), opened);
    QVERIFY(set(*db, QStringLiteral("after/open"), 2) > 0);
    QVERIFY(set(*db, QStringLiteral("before/open"), 5) > 0);

    history.diffSinceOpened();
    QPointer<DiffDialog> dialog = history.diffDialog();
    QVERIFY(dialog);
    QTRY_COMPARE(shownPaths(dialog->panel()),
                 (QStringList{QStringLiteral("after/open"), QStringLiteral("before/open")}));
    QCOMPARE(dialog->fromSeq(), opened);
    QCOMPARE(dialog->toSeq(), db->currentSeq());
    // Both points have their time: when the tab opened, and when "now" was read.
    QCOMPARE(dialog->headerText().count(QLatin1Char('(')), 2);
    dialog->close();
}

void TestDiffDialog::diffFromTyped_data()
{
    QTest::addColumn<QString>("typed"); // "@time" = the time of the second op, from the log
    QTest::addColumn<bool>("opens");
    QTest::newRow("seq") << QStringLiteral("2") << true;
    QTest::newRow("time") << QStringLiteral("@time") << true;
    QTest::newRow("neither") << QStringLiteral("yesterday") << false;
}

void TestDiffDialog::diffFromTyped()
{
    QFETCH(QString, typed);
    QFETCH(bool, opens);
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    for (int i = 1; i <= 4; ++i)
        QVERIFY(set(*db, QStringLiteral("k%1").arg(i), i) > 0);

    // The seq a time stands for: just before the oldest op at or after it.
    qint64 expectedFrom = typed.toLongLong();
    if (typed == QLatin1String("@time")) {
        HttpTransport http(dustlite.baseUrl(), kToken);
        AuditQuery all;
        all.limit = 100;
        const auto log = await(http.auditLog(kStore, all));
        QVERIFY(log && log->ops.size() == 4);
        typed = log->ops.at(2).insertedAt; // newest first: the second op
        expectedFrom = log->ops.at(2).storeSeq - 1;
        for (const AuditOp &op : log->ops) {
            if (op.insertedAt >= typed)
                expectedFrom = std::min(expectedFrom, op.storeSeq - 1);
        }
    }

    auto tab = restTab(dustlite);
    TabHistory history(tab.get());
    QStringList said;
    connect(&history, &TabHistory::message, this,
            [&said](const QString &text, int) { said.append(text); });
    whenModal<QInputDialog>(this, [typed](QInputDialog *dialog) {
        QVERIFY(!dialog->labelText().isEmpty());
        dialog->setTextValue(typed);
        dialog->accept();
    });
    history.diffFromTyped();
    if (!opens) {
        QTRY_VERIFY(!said.isEmpty());
        QVERIFY2(said.last().contains(QStringLiteral("neither")), qPrintable(said.last()));
        QVERIFY(!history.diffDialog());
        return;
    }
    QTRY_VERIFY(history.diffDialog());
    QPointer<DiffDialog> dialog = history.diffDialog();
    QTRY_COMPARE(dialog->toSeq(), db->currentSeq());
    QCOMPARE(dialog->fromSeq(), expectedFrom);
    QTRY_COMPARE(dialog->panel()->model()->rowCount(), int(db->currentSeq() - expectedFrom));
    dialog->close();
}

QTEST_MAIN(TestDiffDialog)
#include "tst_diffdialog.moc"
