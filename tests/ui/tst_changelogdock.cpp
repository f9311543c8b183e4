// The change-log dock and its feed on a live store, driven with QTest offscreen: a real
// dustlite on 127.0.0.1, an SdkTransport followed by a ChangeFeed into a ChangeLogModel
// (under QAbstractItemModelTester), and a second client writing. Rows appear, the glob
// filter narrows them (an invalid one says why and keeps the filter), pause holds and
// counts, resume appends, clear empties, a click or Enter on a row names its path, new rows
// stay in view unless the user scrolled up, and a flood arrives in a few batches while the
// feed says it is coalescing.

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"

#include "live/ChangeFeed.h"
#include "live/ChangeLogDock.h"
#include "model/ChangeLogModel.h"
#include "sync/Mirror.h"
#include "transport/SdkTransport.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QLineEdit>
#include <QMainWindow>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <memory>

using namespace dust;
using namespace dust::test;
using namespace std::chrono_literals;

namespace {

const QString kStore = QStringLiteral("local/demo");

QList<std::pair<Path, QJsonValue>> numbered(const QString &prefix, int count)
{
    QList<std::pair<Path, QJsonValue>> leaves;
    for (int i = 0; i < count; ++i)
        leaves.append({path(QStringLiteral("%1/%2").arg(prefix).arg(i)), QJsonValue(i)});
    return leaves;
}

// A dustlite, the watching transport with its feed, model and dock, and a second client.
struct LiveLog
{
    InProcessDustlite dustlite;
    ChangeLogModel model;
    std::unique_ptr<SdkTransport> live;
    std::unique_ptr<SdkTransport> writer;
    std::unique_ptr<QAbstractItemModelTester> tester;
    std::unique_ptr<ChangeFeed> feed;
    QMainWindow window;
    ChangeLogDock *dock = nullptr; // the window's

    bool start()
    {
        if (!dustlite.start()) {
            qWarning("%s", qPrintable(dustlite.errorString()));
            return false;
        }
        // One leaf before the transport joins: a catch-up into an empty mirror is reloaded
        // whole (no events), into a filled one it is delivered event by event.
        if (dustlite.store()->bulkSet({{path(QStringLiteral("seed")), 0}}, QStringLiteral("dev")) <=
            0)
            return false;
        tester = std::make_unique<QAbstractItemModelTester>(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SdkOptions o = sdkOptions(dustlite.wsUrl());
        o.statusPollInterval = 100ms; // REST-seeded floods are caught up quickly
        live = std::make_unique<SdkTransport>(o);
        writer = std::make_unique<SdkTransport>(sdkOptions(dustlite.wsUrl()));
        feed = std::make_unique<ChangeFeed>(live.get(), kStore, &model);
        dock = new ChangeLogDock(&model, &window);
        window.setCentralWidget(new QWidget(&window));
        window.addDockWidget(Qt::BottomDockWidgetArea, dock);
        window.resize(900, 500);
        window.show();
        if (!QTest::qWaitForWindowExposed(&window))
            return false;
        // Live, with the feed's subscription taken in (a round trip through the sync thread).
        return bool(await(live->withMirror(kStore, [](const Mirror &) { return true; })));
    }

    // Written by the second client; its store_seq (0 on failure).
    qint64 put(const QString &at, const QJsonValue &value)
    {
        const auto written = await(writer->put(kStore, path(at), value));
        return written ? written->storeSeq : 0;
    }

    int rows() const { return model.rowCount(); }
    QString pathAt(int row) const
    {
        return model.index(row, ChangeLogModel::PathColumn)
            .data(ChangeLogModel::PathRole)
            .toString();
    }
};

// Whether the last row of `view` is inside its viewport.
bool lastRowVisible(QTableView *view)
{
    const int rows = view->model()->rowCount();
    if (rows == 0)
        return true;
    const QRect rect = view->visualRect(view->model()->index(rows - 1, 0));
    return rect.isValid() && view->viewport()->rect().intersects(rect);
}

} // namespace

class TestChangeLogDock : public QObject
{
    Q_OBJECT

private slots:
    void writeBySecondClientAppears();
    void filterByGlob_data();
    void filterByGlob();
    void invalidGlobSaysWhyAndKeepsTheFilter();
    void pauseHoldsAndResumeAppends();
    void clearEmptiesTheLog();
    void activatingARowNamesItsPath();
    void newestRowsStayInViewUnlessScrolledUp();
    void floodArrivesInFewBatchesAndCoalesces();
    void reloadSaysChangesAreMissing();
};

void TestChangeLogDock::writeBySecondClientAppears()
{
    LiveLog log;
    QVERIFY(log.start());
    QCOMPARE(log.dock->objectName(), QStringLiteral("changeLogDock"));
    QCOMPARE(log.rows(), 0);

    const qint64 seq = log.put(QStringLiteral("users/alice/age"), 31);
    QVERIFY(seq > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.rows(), 1, 20000);
    const QModelIndex row = log.model.index(0, 0);
    QCOMPARE(row.data(ChangeLogModel::PathRole).toString(), QStringLiteral("users/alice/age"));
    QCOMPARE(row.data(ChangeLogModel::StoreSeqRole).toLongLong(), seq);
    QCOMPARE(row.data(ChangeLogModel::OpRole).toString(), QStringLiteral("set"));
    QCOMPARE(row.data(ChangeLogModel::ValuePreviewRole).toString(), QStringLiteral("31"));
    QCOMPARE(row.data(ChangeLogModel::DeviceRole).toString(), log.writer->deviceId());
    QCOMPARE(log.feed->receivedCount(), 1);
    QCOMPARE(log.feed->batchCount(), 1);
    QVERIFY(log.feed->errorString().isEmpty());
}

void TestChangeLogDock::filterByGlob_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QStringList>("shown");

    const QStringList all{QStringLiteral("users/alice/name"), QStringLiteral("users/bob/name"),
                          QStringLiteral("users/bob/age"), QStringLiteral("config")};
    QTest::newRow("empty shows every change") << QString() << all;
    QTest::newRow("a subtree") << QStringLiteral("users/**") << all.mid(0, 3);
    QTest::newRow("one segment wildcard")
        << QStringLiteral("users/*/name") << QStringList{all.at(0), all.at(1)};
    QTest::newRow("an exact path") << QStringLiteral("config") << QStringList{all.at(3)};
    QTest::newRow("nothing matches") << QStringLiteral("orders/**") << QStringList();
}

void TestChangeLogDock::filterByGlob()
{
    QFETCH(QString, pattern);
    QFETCH(QStringList, shown);
    LiveLog log;
    QVERIFY(log.start());
    for (const QString &at : {QStringLiteral("users/alice/name"), QStringLiteral("users/bob/name"),
                              QStringLiteral("users/bob/age"), QStringLiteral("config")})
        QVERIFY(log.put(at, at) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.model.totalCount(), 4, 20000);

    log.dock->filterEdit()->setFocus();
    QTest::keyClicks(log.dock->filterEdit(), pattern);
    QCOMPARE(log.dock->filterEdit()->text(), pattern);
    QCOMPARE(log.dock->filterProblem(), QString());
    QCOMPARE(log.model.filter(), pattern);
    QStringList paths;
    for (int r = 0; r < log.rows(); ++r)
        paths.append(log.pathAt(r));
    QCOMPARE(paths, shown);

    // New changes are filtered as they arrive.
    QVERIFY(log.put(QStringLiteral("users/carol/name"), 1) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.model.totalCount(), 5, 20000);
    const auto glob = Glob::compile(pattern.isEmpty() ? QStringLiteral("**") : pattern);
    QVERIFY(glob);
    const bool carolShown = glob->matches(path(QStringLiteral("users/carol/name")));
    QCOMPARE(log.rows(), int(shown.size()) + (carolShown ? 1 : 0));
}

void TestChangeLogDock::invalidGlobSaysWhyAndKeepsTheFilter()
{
    LiveLog log;
    QVERIFY(log.start());
    for (const QString &at :
         {QStringLiteral("users/a"), QStringLiteral("users/b"), QStringLiteral("config")})
        QVERIFY(log.put(at, 1) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.rows(), 3, 20000);
    log.dock->filterEdit()->setText(QStringLiteral("users/**"));
    QCOMPARE(log.rows(), 2);

    // "**" in the middle: the filter stays "users/**", the text stays as typed, a red hint
    // says why.
    log.dock->filterEdit()->setText(QStringLiteral("users/**/x"));
    QCOMPARE(log.dock->filterEdit()->text(), QStringLiteral("users/**/x"));
    QCOMPARE(log.model.filter(), QStringLiteral("users/**"));
    QCOMPARE(log.rows(), 2);
    QVERIFY(log.dock->filterProblem().contains(QStringLiteral("** may only be the last segment")));
    QVERIFY(log.dock->filterProblem().contains(QStringLiteral("users/**")));
    QVERIFY(log.dock->filterEdit()->accessibleDescription().contains(
        QStringLiteral("** may only be the last segment")));

    log.dock->filterEdit()->setText(QStringLiteral("users//a"));
    QVERIFY(log.dock->filterProblem().contains(QStringLiteral("segment is empty")));

    // Corrected: the hint goes.
    log.dock->filterEdit()->setText(QStringLiteral("config"));
    QCOMPARE(log.dock->filterProblem(), QString());
    QCOMPARE(log.rows(), 1);
}

void TestChangeLogDock::pauseHoldsAndResumeAppends()
{
    LiveLog log;
    QVERIFY(log.start());
    QVERIFY(log.put(QStringLiteral("a"), 1) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.rows(), 1, 20000);

    QAction *pause = log.dock->pauseAction();
    QVERIFY(pause->isCheckable());
    QCOMPARE(pause->text(), QStringLiteral("&Pause"));
    QCOMPARE(log.dock->pausedText(), QString());
    pause->trigger();
    QVERIFY(log.model.isPaused());
    QCOMPARE(pause->text(), QStringLiteral("&Resume"));
    QCOMPARE(log.dock->pausedText(), QStringLiteral("Paused — 0 new change(s) held"));

    for (int i = 0; i < 3; ++i)
        QVERIFY(log.put(QStringLiteral("held/%1").arg(i), i) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.model.pausedEventCount(), 3, 20000);
    QCOMPARE(log.dock->pausedText(), QStringLiteral("Paused — 3 new change(s) held"));
    QCOMPARE(log.rows(), 1);

    pause->trigger();
    QVERIFY(!log.model.isPaused());
    QCOMPARE(pause->text(), QStringLiteral("&Pause"));
    QCOMPARE(log.dock->pausedText(), QString());
    QCOMPARE(log.rows(), 4);
    QCOMPARE(log.pathAt(3), QStringLiteral("held/2"));

    // Pausing through the model (another menu) shows in the action too.
    log.model.setPaused(true);
    QVERIFY(pause->isChecked());
    log.model.setPaused(false);
    QVERIFY(!pause->isChecked());
}

void TestChangeLogDock::clearEmptiesTheLog()
{
    LiveLog log;
    QVERIFY(log.start());
    for (int i = 0; i < 3; ++i)
        QVERIFY(log.put(QStringLiteral("c/%1").arg(i), i) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.rows(), 3, 20000);
    log.dock->pauseAction()->trigger();
    QVERIFY(log.put(QStringLiteral("c/held"), 1) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.model.pausedEventCount(), 1, 20000);

    log.dock->clearAction()->trigger();
    QCOMPARE(log.rows(), 0);
    QCOMPARE(log.model.totalCount(), 0);
    QCOMPARE(log.model.pausedEventCount(), 0);
    log.dock->pauseAction()->trigger(); // nothing held any more
    QCOMPARE(log.rows(), 0);

    // The log goes on after a clear.
    QVERIFY(log.put(QStringLiteral("c/after"), 1) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.rows(), 1, 20000);
    QCOMPARE(log.pathAt(0), QStringLiteral("c/after"));
}

void TestChangeLogDock::activatingARowNamesItsPath()
{
    LiveLog log;
    QVERIFY(log.start());
    QVERIFY(log.put(QStringLiteral("users/alice/name"), QStringLiteral("Alice")) > 0);
    QVERIFY(log.put(QStringLiteral("config/theme"), 1) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.rows(), 2, 20000);
    QSignalSpy activated(log.dock, &ChangeLogDock::pathActivated);

    QTableView *view = log.dock->view();
    const QModelIndex first = log.model.index(0, ChangeLogModel::ValueColumn);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(first).center());
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.first().at(0).value<Path>(), path(QStringLiteral("users/alice/name")));

    view->setFocus();
    view->setCurrentIndex(log.model.index(1, 0));
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(activated.size(), 2);
    QCOMPARE(activated.at(1).at(0).value<Path>(), log.model.pathAt(1));
    QCOMPARE(log.model.pathAt(1), path(QStringLiteral("config/theme")));
    QTest::keyClick(view, Qt::Key_Enter);
    QCOMPARE(activated.size(), 3);
}

void TestChangeLogDock::newestRowsStayInViewUnlessScrolledUp()
{
    LiveLog log;
    QVERIFY(log.start());
    QVERIFY(log.dustlite.store()->bulkSet(numbered(QStringLiteral("n"), 300),
                                          QStringLiteral("dev")) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.rows(), 300, 20000);
    QTableView *view = log.dock->view();
    QVERIFY(view->verticalScrollBar()->maximum() > 0);
    QTRY_VERIFY(lastRowVisible(view));
    QVERIFY(log.dock->isFollowingNewest());

    // The user scrolls up: new rows do not pull the view down.
    view->verticalScrollBar()->setValue(0);
    QVERIFY(!log.dock->isFollowingNewest());
    QVERIFY(log.put(QStringLiteral("later"), 1) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.rows(), 301, 20000);
    QCoreApplication::processEvents();
    QCOMPARE(view->verticalScrollBar()->value(), 0);
    QVERIFY(!lastRowVisible(view));

    // Back at the end: it follows again.
    view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum());
    QVERIFY(log.dock->isFollowingNewest());
    QVERIFY(log.put(QStringLiteral("latest"), 1) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.rows(), 302, 20000);
    QTRY_VERIFY(lastRowVisible(view));
}

void TestChangeLogDock::floodArrivesInFewBatchesAndCoalesces()
{
    constexpr int kFlood = 3000; // below Mirror's reset threshold, so each event is delivered
    LiveLog log;
    QVERIFY(log.start());
    QSignalSpy inserted(&log.model, &QAbstractItemModel::rowsInserted);
    QSignalSpy flushed(log.feed.get(), &ChangeFeed::flushed);
    QSignalSpy rate(log.feed.get(), &ChangeFeed::rateChanged);

    // Written behind the socket's back (REST-like): the status poll catches them up, and
    // they arrive at once.
    QVERIFY(log.dustlite.store()->bulkSet(numbered(QStringLiteral("flood"), kFlood),
                                          QStringLiteral("dev")) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(log.rows(), kFlood, 30000);
    QCOMPARE(log.feed->receivedCount(), kFlood);
    QCOMPARE(log.pathAt(kFlood - 1), QStringLiteral("flood/%1").arg(kFlood - 1));

    // Batches, not events: one row insertion per batch, many events in each.
    QCOMPARE(inserted.size(), flushed.size());
    QCOMPARE(log.feed->batchCount(), int(flushed.size()));
    QVERIFY2(flushed.size() * 10 <= kFlood, qPrintable(QString::number(flushed.size())));

    bool coalesced = false;
    double peak = 0;
    for (const QList<QVariant> &args : std::as_const(rate)) {
        peak = std::max(peak, args.at(0).toDouble());
        coalesced = coalesced || args.at(1).toBool();
    }
    QVERIFY2(coalesced, qPrintable(QString::number(peak)));
    QVERIFY(peak > ChangeFeed::DefaultCoalescingThreshold);

    // Once the flood is over, the rate falls back to 0 and coalescing ends.
    QTRY_VERIFY_WITH_TIMEOUT(!log.feed->isCoalescing() && log.feed->eventsPerSecond() == 0, 20000);
    QCOMPARE(rate.last().at(0).toDouble(), 0.0);
    QCOMPARE(rate.last().at(1).toBool(), false);
}

void TestChangeLogDock::reloadSaysChangesAreMissing()
{
    LiveLog log;
    QVERIFY(log.start());
    QObject::connect(log.feed.get(), &ChangeFeed::eventsSkipped, log.dock,
                     &ChangeLogDock::noteEventsSkipped);
    QSignalSpy skipped(log.feed.get(), &ChangeFeed::eventsSkipped);
    QCOMPARE(log.dock->skippedText(), QString());

    // More ops behind the socket's back than a catch-up delivers one by one: the mirror is
    // reloaded, and the log says what it lacks.
    QVERIFY(log.dustlite.store()->bulkSet(numbered(QStringLiteral("big"), 5000),
                                          QStringLiteral("dev")) > 0);
    QVERIFY(skipped.wait(30000));
    QVERIFY(log.dock->skippedText().startsWith(QStringLiteral("Some changes are not listed")));
    QVERIFY(log.rows() < 5000); // those delivered before the catch-up turned into a reload

    log.dock->clearAction()->trigger();
    QCOMPARE(log.dock->skippedText(), QString());
}

QTEST_MAIN(TestChangeLogDock)
#include "tst_changelogdock.moc"
