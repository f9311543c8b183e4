// The history dock on a live store, driven with QTest offscreen: a real dustlite on
// 127.0.0.1, its log read over REST (HttpTransport) and live ops from an SdkTransport's
// ChangeFeed, a second client writing as another device. Rows and the status line; the
// filters typed in; two rows selected with Ctrl-click and Ctrl+Shift+D ask for a diff between
// their seqs; the context menu asks to diff with now and to restore a row's version;
// Enter on a row names its path; live rows appear; "Show deleted" lists deleted paths
// greyed with their last values; a token without audit:read is told so; no store shows a
// placeholder.

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"

#include "history/HistoryDock.h"
#include "history/HistoryFilterBar.h"
#include "live/ChangeFeed.h"
#include "model/ChangeLogModel.h"
#include "model/DeletedPathsModel.h"
#include "model/HistoryModel.h"
#include "sync/Mirror.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace dust;
using namespace dust::test;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kStore = u"local/demo"_s;

using Seqs = QList<qint64>;

// A dustlite, the tab's pieces (REST transport, live transport, feed) and the dock in a
// window, and a second client writing as dev_writer.
struct Fixture
{
    InProcessDustlite dustlite;
    std::unique_ptr<HttpTransport> rest;
    std::unique_ptr<SdkTransport> live;
    std::unique_ptr<SdkTransport> writer;
    ChangeLogModel changeLog;
    std::unique_ptr<ChangeFeed> feed;
    QMainWindow window;
    HistoryDock *dock = nullptr;
    std::unique_ptr<QAbstractItemModelTester> tester;

    bool start()
    {
        dustlite.config().tokens = {{u"dust_tok_dev"_s, {}, {}},
                                    {u"dust_tok_noaudit"_s, {}, {u"entries:read"_s}}};
        if (!dustlite.start()) {
            qWarning("%s", qPrintable(dustlite.errorString()));
            return false;
        }
        rest = std::make_unique<HttpTransport>(dustlite.baseUrl(), u"dust_tok_dev"_s);
        live = std::make_unique<SdkTransport>(sdkOptions(dustlite.wsUrl()));
        SdkOptions o = sdkOptions(dustlite.wsUrl());
        o.deviceId = u"dev_writer"_s;
        writer = std::make_unique<SdkTransport>(o);
        feed = std::make_unique<ChangeFeed>(live.get(), kStore, &changeLog);
        dock = new HistoryDock(&window);
        tester = std::make_unique<QAbstractItemModelTester>(
            dock->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.setCentralWidget(new QWidget(&window));
        window.addDockWidget(Qt::BottomDockWidgetArea, dock);
        window.resize(1000, 600);
        window.show();
        if (!QTest::qWaitForWindowExposed(&window))
            return false;
        return bool(await(live->withMirror(kStore, [](const Mirror &) { return true; })));
    }

    qint64 put(const QString &at, const QJsonValue &value)
    {
        const auto written = await(writer->put(kStore, path(at), value));
        return written ? written->storeSeq : 0;
    }

    // Seqs 1..4: a/x, a/y, a/c (+5), b.
    bool script()
    {
        return put(u"a/x"_s, 1) == 1 && put(u"a/y"_s, 2) == 2 &&
               await(writer->increment(kStore, path(u"a/c"_s), 5))->storeSeq == 3 &&
               put(u"b"_s, true) == 4;
    }

    // Shows `node` (empty = the whole store) and waits for the first page.
    bool show(const QString &node)
    {
        QSignalSpy page(dock->model(), &HistoryModel::pageLoaded);
        dock->setNode(node.isEmpty() ? Path() : path(node));
        dock->setSource(rest.get(), feed.get(), kStore);
        return page.count() > 0 || page.wait(30000);
    }

    Seqs seqs() const
    {
        Seqs out;
        for (int row = 0; row < dock->model()->rowCount(); ++row)
            out.append(dock->model()->opAt(row).storeSeq);
        return out;
    }

    QPoint rowCenter(int row) const
    {
        return dock->view()->visualRect(dock->model()->index(row, 0)).center();
    }
};

// With DUST_SCREENSHOT_DIR set, saves the window there as <name>.png (for docs; the suite
// checks nothing about it).
void screenshot(QWidget &window, const QString &name)
{
    const QString dir = qEnvironmentVariable("DUST_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        window.grab().save(dir + u'/' + name + u".png"_s);
}

// Runs `pick` on the context menu that the next event loop turn shows, then closes it.
void onNextMenu(const std::function<void(QMenu *)> &pick)
{
    QTimer::singleShot(0, [pick] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu) {
            qWarning("no context menu");
            return;
        }
        pick(menu);
        menu->close();
    });
}

QAction *actionNamed(QMenu *menu, const QString &prefix)
{
    for (QAction *action : menu->actions()) {
        if (action->text().remove(u'&').startsWith(prefix))
            return action;
    }
    return nullptr;
}

} // namespace

class TestHistoryDock : public QObject
{
    Q_OBJECT

private slots:
    void placeholderWithoutAStore();
    void rowsAndStatus();
    void filtersTypedIn_data();
    void filtersTypedIn();
    void sinceNotUnderstoodSaysWhy();
    void parseSince_data();
    void parseSince();
    void twoSelectedRowsRequestADiff();
    void contextMenuDiffsWithNowAndRestores();
    void enterOnARowNamesItsPath();
    void liveRowsFromTheFeed();
    void hiddenPaneFollowsNothing();
    void showDeletedListsGreyedPaths();
    void showDeletedListsLeavesOfDeletedAncestor();
    void withoutAuditReadSaysSo();
};

void TestHistoryDock::placeholderWithoutAStore()
{
    HistoryDock dock;
    QVERIFY(dock.isShowingPlaceholder());
    dock.setSource(nullptr, nullptr, kStore);
    QVERIFY(dock.isShowingPlaceholder());
    QCOMPARE(dock.model()->rowCount(), 0);
    QVERIFY(!dock.diffAction()->isEnabled());
    QVERIFY(!dock.restoreAction()->isEnabled());
    QVERIFY(!dock.view()->accessibleName().isEmpty());
    QVERIFY(!dock.filterBar()->sinceEdit()->accessibleName().isEmpty());
    QVERIFY(!dock.showDeletedBox()->accessibleName().isEmpty());
}

void TestHistoryDock::rowsAndStatus()
{
    Fixture f;
    QVERIFY(f.start());
    QVERIFY(f.script());
    QVERIFY(f.show(u"a"_s));
    QVERIFY(!f.dock->isShowingPlaceholder());
    QCOMPARE(f.seqs(), (Seqs{3, 2, 1}));
    QCOMPARE(f.dock->model()->index(0, HistoryModel::ValueColumn).data().toString(), u"+5"_s);
    QCOMPARE(f.dock->model()->index(0, HistoryModel::DeviceColumn).data().toString(),
             u"dev_writer"_s);
    QTRY_COMPARE(f.dock->statusText(), u"3 ops, 1 page loaded"_s);
    screenshot(f.window, u"history-dock"_s);
    // Another node: the whole store.
    QVERIFY(f.show(QString()));
    QCOMPARE(f.seqs(), (Seqs{4, 3, 2, 1}));
}

void TestHistoryDock::filtersTypedIn_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<QString>("device");
    QTest::addColumn<QString>("since");
    QTest::addColumn<Seqs>("seqs");
    QTest::newRow("op") << u"increment"_s << QString() << QString() << Seqs{3};
    QTest::newRow("device") << QString() << u"dev_writer"_s << QString() << Seqs{3, 2, 1};
    QTest::newRow("another device") << QString() << u"dev_other"_s << QString() << Seqs{};
    QTest::newRow("since a day ago") << QString() << QString() << u"1d"_s << Seqs{3, 2, 1};
    QTest::newRow("since tomorrow")
        << QString() << QString()
        << QDateTime::currentDateTimeUtc().addDays(1).toString(Qt::ISODate) << Seqs{};
}

void TestHistoryDock::filtersTypedIn()
{
    QFETCH(QString, op);
    QFETCH(QString, device);
    QFETCH(QString, since);
    QFETCH(Seqs, seqs);
    Fixture f;
    QVERIFY(f.start());
    QVERIFY(f.script());
    QVERIFY(f.show(u"a"_s));
    HistoryFilterBar *bar = f.dock->filterBar();
    QSignalSpy page(f.dock->model(), &HistoryModel::pageLoaded);
    if (!op.isEmpty()) {
        bar->opBox()->setFocus();
        const int index = bar->opBox()->findData(op);
        QVERIFY(index > 0);
        for (int i = 0; i < index; ++i)
            QTest::keyClick(bar->opBox(), Qt::Key_Down);
    }
    if (!device.isEmpty()) {
        QTest::keyClicks(bar->deviceEdit(), device);
        QTest::keyClick(bar->deviceEdit(), Qt::Key_Return);
    }
    if (!since.isEmpty()) {
        QTest::keyClicks(bar->sinceEdit(), since);
        QTest::keyClick(bar->sinceEdit(), Qt::Key_Return);
    }
    QVERIFY(page.count() > 0 || page.wait(30000));
    QTRY_VERIFY(!f.dock->model()->isLoading());
    QCOMPARE(f.seqs(), seqs);
    QCOMPARE(f.dock->model()->filter().op, op);
    QCOMPARE(f.dock->model()->filter().deviceId, device);
    QCOMPARE(f.dock->model()->filter().since.isValid(), !since.isEmpty());
}

void TestHistoryDock::sinceNotUnderstoodSaysWhy()
{
    HistoryDock dock;
    HistoryFilterBar *bar = dock.filterBar();
    QSignalSpy changed(bar, &HistoryFilterBar::filterChanged);
    QTest::keyClicks(bar->sinceEdit(), u"yesterday"_s);
    QTest::keyClick(bar->sinceEdit(), Qt::Key_Return);
    QVERIFY(bar->problem().contains(u"yesterday"_s));
    QCOMPARE(changed.count(), 0);
    bar->sinceEdit()->clear();
    QTest::keyClicks(bar->sinceEdit(), u"2h"_s);
    QTest::keyClick(bar->sinceEdit(), Qt::Key_Return);
    QVERIFY(bar->problem().isEmpty());
    QCOMPARE(changed.count(), 1);
}

void TestHistoryDock::parseSince_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected"); // invalid = no limit
    QTest::addColumn<bool>("understood");
    const QDateTime now(QDate(2026, 12, 6), QTime(10, 0), Qt::UTC);
    QTest::newRow("empty") << QString() << QDateTime() << true;
    QTest::newRow("minutes") << u"30m"_s << now.addSecs(-1800) << true;
    QTest::newRow("hours") << u" 1h "_s << now.addSecs(-3600) << true;
    QTest::newRow("days") << u"2d"_s << now.addDays(-2) << true;
    QTest::newRow("weeks") << u"1w"_s << now.addDays(-7) << true;
    QTest::newRow("iso with offset")
        << u"2026-12-01T09:00:00Z"_s << QDateTime(QDate(2026, 12, 1), QTime(9, 0), Qt::UTC) << true;
    QTest::newRow("a date") << u"2026-12-01"_s << QDate(2026, 12, 1).startOfDay() << true;
    QTest::newRow("words") << u"yesterday"_s << QDateTime() << false;
    QTest::newRow("no unit") << u"5"_s << QDateTime() << false;
}

void TestHistoryDock::parseSince()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    QFETCH(bool, understood);
    const QDateTime now(QDate(2026, 12, 6), QTime(10, 0), Qt::UTC);
    const auto parsed = HistoryFilterBar::parseSince(text, now);
    QCOMPARE(parsed.has_value(), understood);
    if (parsed)
        QCOMPARE(*parsed, expected);
}

void TestHistoryDock::twoSelectedRowsRequestADiff()
{
    Fixture f;
    QVERIFY(f.start());
    QVERIFY(f.script());
    QVERIFY(f.show(QString()));
    QCOMPARE(f.seqs(), (Seqs{4, 3, 2, 1}));
    QSignalSpy diff(f.dock, &HistoryDock::diffRequested);
    QTableView *view = f.dock->view();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, f.rowCenter(0));
    QVERIFY(!f.dock->diffAction()->isEnabled()); // one row
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, f.rowCenter(2));
    QCOMPARE(view->selectionModel()->selectedRows().size(), 2);
    QVERIFY(f.dock->diffAction()->isEnabled());
    QTest::keyClick(view, Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(diff.count(), 1);
    QCOMPARE(diff.at(0).at(0).toLongLong(), 2); // the older of the two, first
    QCOMPARE(diff.at(0).at(1).toLongLong(), 4);
    // A third row: no diff.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, f.rowCenter(3));
    QVERIFY(!f.dock->diffAction()->isEnabled());
    QTest::keyClick(view, Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(diff.count(), 1);
}

void TestHistoryDock::contextMenuDiffsWithNowAndRestores()
{
    Fixture f;
    QVERIFY(f.start());
    QVERIFY(f.script());
    QVERIFY(f.show(u"a"_s));
    QCOMPARE(f.seqs(), (Seqs{3, 2, 1}));
    QSignalSpy restore(f.dock, &HistoryDock::restoreRequested);
    QSignalSpy diff(f.dock, &HistoryDock::diffRequested);
    QTableView *view = f.dock->view();

    onNextMenu([](QMenu *menu) {
        QAction *action = actionNamed(menu, u"Restore this version"_s);
        QVERIFY(action && action->isEnabled());
        action->trigger();
    });
    QContextMenuEvent onRow1(QContextMenuEvent::Mouse, f.rowCenter(1),
                             view->viewport()->mapToGlobal(f.rowCenter(1)));
    QApplication::sendEvent(view->viewport(), &onRow1);
    QTRY_COMPARE(restore.count(), 1);
    QCOMPARE(restore.at(0).at(0).value<Path>(), path(u"a/y"_s));
    QCOMPARE(restore.at(0).at(1).toLongLong(), 2);

    onNextMenu([](QMenu *menu) {
        QAction *action = actionNamed(menu, u"Diff with now"_s);
        QVERIFY(action && action->isEnabled());
        action->trigger();
    });
    QContextMenuEvent onRow2(QContextMenuEvent::Mouse, f.rowCenter(2),
                             view->viewport()->mapToGlobal(f.rowCenter(2)));
    QApplication::sendEvent(view->viewport(), &onRow2);
    QTRY_COMPARE(diff.count(), 1);
    QCOMPARE(diff.at(0).at(0).toLongLong(), 1);
    QCOMPARE(diff.at(0).at(1).toLongLong(), HistoryDock::Now);
    QCOMPARE(restore.count(), 1);
}

void TestHistoryDock::enterOnARowNamesItsPath()
{
    Fixture f;
    QVERIFY(f.start());
    QVERIFY(f.script());
    QVERIFY(f.show(QString()));
    QSignalSpy activated(f.dock, &HistoryDock::pathActivated);
    QTableView *view = f.dock->view();
    view->setFocus();
    view->setCurrentIndex(f.dock->model()->index(1, 0)); // seq 3, a/c
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).value<Path>(), path(u"a/c"_s));
}

void TestHistoryDock::liveRowsFromTheFeed()
{
    Fixture f;
    QVERIFY(f.start());
    QVERIFY(f.script());
    QVERIFY(f.show(u"a"_s));
    QSignalSpy resets(f.dock->model(), &QAbstractItemModel::modelReset);
    QSignalSpy confirmed(f.dock->model(), &HistoryModel::liveRowsConfirmed);
    QCOMPARE(await(f.writer->increment(kStore, path(u"a/c"_s), -7))->storeSeq, 5);
    QCOMPARE(f.put(u"elsewhere"_s, 1), 6); // not under the node
    QTRY_COMPARE_WITH_TIMEOUT(f.seqs(), (Seqs{5, 3, 2, 1}), 10000);
    QVERIFY(confirmed.count() > 0 || confirmed.wait(10000));
    QCOMPARE(f.dock->model()->index(0, HistoryModel::ValueColumn).data().toString(),
             QString(QChar(0x2212)) + u"7"_s);
    QCOMPARE(resets.count(), 0);
    QTRY_COMPARE(f.dock->statusText(), u"4 ops, 1 page loaded"_s);
}

// A hidden pane reads no log and takes no live rows (a flood at the whole store would
// otherwise become rows nobody sees); shown again it reads what happened meanwhile.
void TestHistoryDock::hiddenPaneFollowsNothing()
{
    Fixture f;
    QVERIFY(f.start());
    QVERIFY(f.script());
    QVERIFY(f.show(QString()));
    QCOMPARE(f.seqs(), (Seqs{4, 3, 2, 1}));

    f.dock->hide();
    QCOMPARE(f.dock->model()->transport(), nullptr);
    QCOMPARE(f.dock->model()->rowCount(), 0);
    QSignalSpy pages(f.dock->model(), &HistoryModel::pageLoaded);
    QSignalSpy inserted(f.dock->model(), &QAbstractItemModel::rowsInserted);
    QSignalSpy flushed(f.feed.get(), &ChangeFeed::eventsFlushed);
    QCOMPARE(f.put(u"a/x"_s, 10), 5);
    // The feed delivers the event while the pane is hidden.
    QVERIFY(flushed.count() > 0 || flushed.wait(10000));
    f.dock->setNode(path(u"a"_s));
    QCOMPARE(pages.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(f.dock->model()->rowCount(), 0);

    f.dock->show();
    QTRY_COMPARE_WITH_TIMEOUT(f.seqs(), (Seqs{5, 3, 2, 1}), 10000);
    QCOMPARE(f.dock->model()->node(), path(u"a"_s));
}

// "a" deleted in one op: the pane at a/x lists a/x (removed with the delete of a); at "a", a
// row cap is said in the status text.
void TestHistoryDock::showDeletedListsLeavesOfDeletedAncestor()
{
    Fixture f;
    QVERIFY(f.start());
    QVERIFY(f.script());
    QCOMPARE(await(f.writer->remove(kStore, path(u"a"_s)))->storeSeq, 5);
    QVERIFY(f.show(u"a/x"_s));
    DeletedPathsModel *deleted = f.dock->deletedModel();
    QSignalSpy values(deleted, &DeletedPathsModel::valuesLoaded);
    f.dock->showDeletedBox()->setFocus();
    QTest::keyClick(f.dock->showDeletedBox(), Qt::Key_Space);
    QVERIFY(values.count() > 0 || values.wait(30000));
    QCOMPARE(deleted->rowCount(), 1);
    QCOMPARE(deleted->index(0, DeletedPathsModel::PathColumn).data().toString(), u"a/x"_s);
    QCOMPARE(deleted->index(0, DeletedPathsModel::LastValueColumn).data().toString(), u"1"_s);
    QCOMPARE(deleted->index(0, DeletedPathsModel::SeqColumn).data().toLongLong(), 5);
    QCOMPARE(deleted->index(0, DeletedPathsModel::DeletedByColumn).data().toString(), u"a"_s);
    QTRY_COMPARE(f.dock->statusText(), u"1 deleted path"_s);

    // At "a": the subtree and its three leaves, capped at two rows, which the status says.
    deleted->setMaxRows(2);
    values.clear();
    f.dock->setNode(path(u"a"_s));
    QVERIFY(values.count() > 0 || values.wait(30000));
    QCOMPARE(deleted->rowCount(), 2);
    QTRY_VERIFY2(f.dock->statusText().startsWith(u"2 deleted paths. "_s) &&
                     f.dock->statusText().contains(deleted->limitText()),
                 qPrintable(f.dock->statusText()));
    QVERIFY(!deleted->limitText().isEmpty());
}

void TestHistoryDock::showDeletedListsGreyedPaths()
{
    Fixture f;
    QVERIFY(f.start());
    QVERIFY(f.script());
    QCOMPARE(await(f.writer->remove(kStore, path(u"a/y"_s)))->storeSeq, 5);
    QVERIFY(f.show(u"a"_s));
    QSignalSpy values(f.dock->deletedModel(), &DeletedPathsModel::valuesLoaded);
    f.dock->showDeletedBox()->setFocus();
    QTest::keyClick(f.dock->showDeletedBox(), Qt::Key_Space);
    QVERIFY(f.dock->isShowingDeleted());
    QVERIFY(values.count() > 0 || values.wait(30000));
    const DeletedPathsModel *deleted = f.dock->deletedModel();
    QCOMPARE(deleted->rowCount(), 1);
    const QModelIndex row = deleted->index(0, DeletedPathsModel::PathColumn);
    QCOMPARE(row.data().toString(), u"a/y"_s);
    QCOMPARE(deleted->index(0, DeletedPathsModel::LastValueColumn).data().toString(), u"2"_s);
    QCOMPARE(deleted->index(0, DeletedPathsModel::SeqColumn).data().toLongLong(), 5);
    QCOMPARE(row.data(Qt::ForegroundRole).value<QBrush>(),
             f.dock->palette().brush(QPalette::Disabled, QPalette::Text));
    QTRY_COMPARE(f.dock->statusText(), u"1 deleted path"_s);
    screenshot(f.window, u"history-dock-deleted"_s);

    QSignalSpy activated(f.dock, &HistoryDock::pathActivated);
    QTableView *view = f.dock->deletedView();
    view->setFocus();
    view->setCurrentIndex(deleted->index(0, 0));
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).value<Path>(), path(u"a/y"_s));

    // Back to the history.
    QTest::keyClick(f.dock->showDeletedBox(), Qt::Key_Space);
    QVERIFY(!f.dock->isShowingDeleted());
    QCOMPARE(f.seqs(), (Seqs{5, 3, 2, 1}));
}

void TestHistoryDock::withoutAuditReadSaysSo()
{
    Fixture f;
    QVERIFY(f.start());
    HttpTransport noAudit(f.dustlite.baseUrl(), u"dust_tok_noaudit"_s);
    QSignalSpy failed(f.dock->model(), &HistoryModel::loadFailed);
    f.dock->setSource(&noAudit, nullptr, kStore);
    QVERIFY(failed.count() > 0 || failed.wait(30000));
    QVERIFY2(f.dock->statusText().contains(u"audit:read"_s), qPrintable(f.dock->statusText()));
    f.dock->setSource(nullptr, nullptr, QString());
    QVERIFY(f.dock->isShowingPlaceholder());
}

QTEST_MAIN(TestHistoryDock)
#include "tst_historydock.moc"
