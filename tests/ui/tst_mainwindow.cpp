// MainWindow on a live store, driven with QTest offscreen: a real dustlite on 127.0.0.1,
// an SdkTransport, and another client writing. The tree follows, the changed row is painted
// highlighted and fades, the inspector shows the selected entry's new value and the status
// bar the seq the store stands at.

#include "InProcessDustlite.h"
#include "MainWindow.h"
#include "RecentChangeDelegate.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"
#include "live/ChangeLogDock.h"
#include "model/ChangeLogModel.h"

#include "model/StoreTreeModel.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QApplication>
#include <QImage>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTreeView>

using namespace dust;
using namespace dust::test;
using namespace std::chrono_literals;

namespace {

const QString kStore = QStringLiteral("local/demo");

SdkOptions liveOptions(const QUrl &url)
{
    SdkOptions o = sdkOptions(url);
    o.statusPollInterval = 100ms;
    return o;
}

// The background the view paints near the right end of the value cell of `index`'s row
// (past any short preview text).
QColor paintedAt(QTreeView *view, const QModelIndex &index)
{
    const QImage image = view->viewport()->grab().toImage();
    const QRect rect = view->visualRect(index.siblingAtColumn(StoreTreeModel::ValueColumn))
                           .intersected(QRect(QPoint(0, 0), image.size()));
    if (rect.isEmpty())
        return {};
    return image.pixelColor(rect.right() - 4, rect.top() + 2);
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void liveChangesAreShownAndHighlighted();
    void highlightFades();
    void lazyRestSourceStillWorks();
};

void TestMainWindow::liveChangesAreShownAndHighlighted()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet({{path(QStringLiteral("config")), QStringLiteral("v1")},
                         {path(QStringLiteral("users/alice/age")), 30},
                         {path(QStringLiteral("users/bob/age")), 40}},
                        QStringLiteral("dev")) > 0);

    SdkTransport live(liveOptions(dustlite.wsUrl()));
    MainWindow window;
    window.resize(1400, 600);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openStore(&live, kStore, QStringLiteral("test"));
    QTRY_VERIFY(window.treeView()->viewport()->width() > 700);
    StoreTreeModel *model = window.treeModel();
    QTRY_COMPARE_WITH_TIMEOUT(model->leafCount(), 3, 20000);
    QTRY_VERIFY(window.connectionText().startsWith(QStringLiteral("live")));
    const QString liveAt = window.connectionText();

    // Select config: the inspector shows it.
    const QModelIndex config = model->index(path(QStringLiteral("config")));
    QVERIFY(config.isValid());
    const QColor configBefore = paintedAt(window.treeView(), config);
    window.treeView()->setCurrentIndex(config);
    QTRY_COMPARE(window.entryValueText(), QStringLiteral("v1"));
    const QModelIndex users = model->index(path(QStringLiteral("users")));
    const QColor before = paintedAt(window.treeView(), users);

    // Another client changes config: the row, its highlight, the inspector and the seq in
    // the status bar follow.
    SdkTransport writer(liveOptions(dustlite.wsUrl()));
    const auto written =
        await(writer.put(kStore, path(QStringLiteral("config")), QStringLiteral("v2")));
    QVERIFY(written);
    QTRY_COMPARE_WITH_TIMEOUT(config.data(StoreTreeModel::PreviewRole).toString(),
                              QStringLiteral("v2"), 20000);
    QTRY_COMPARE(window.connectionText(), QStringLiteral("live · seq %1").arg(written->storeSeq));
    QVERIFY(window.connectionText() != liveAt);
    QTRY_COMPARE(window.entryValueText(), QStringLiteral("v2"));
    // The change log dock shows the write; activating it selects the path.
    ChangeLogModel *log = window.changeLogDock()->model();
    QVERIFY(log);
    QTRY_VERIFY(log->rowCount() >= 1);
    const int last = log->rowCount() - 1;
    QCOMPARE(log->index(last, 0).data(ChangeLogModel::PathRole).toString(),
             QStringLiteral("config"));
    QCOMPARE(log->index(last, 0).data(ChangeLogModel::StoreSeqRole).toLongLong(),
             written->storeSeq);
    window.treeView()->setCurrentIndex(model->index(path(QStringLiteral("users"))));
    QSignalSpy activated(window.changeLogDock(), &ChangeLogDock::pathActivated);
    QTest::mouseClick(window.changeLogDock()->view()->viewport(), Qt::LeftButton, {},
                      window.changeLogDock()->view()->visualRect(log->index(last, 0)).center());
    QCOMPARE(activated.count(), 1);
    QTRY_COMPARE(window.currentTab()->currentPath().rendered(), QStringLiteral("config"));
    QVERIFY(config.data(StoreTreeModel::ChangedAtRole).toLongLong() > 0);
    window.treeView()->clearSelection();
    window.treeView()->setCurrentIndex(QModelIndex());
    const QColor changed = paintedAt(window.treeView(), config);
    const QColor unchanged = paintedAt(window.treeView(), users);
    QCOMPARE(unchanged, before);
    QVERIFY2(changed != configBefore,
             qPrintable(changed.name() + QLatin1Char(' ') + configBefore.name()));
    QVERIFY(changed.red() > changed.blue()); // the warm highlight
    QCOMPARE(configBefore.red(), configBefore.blue());

    // A new leaf from the other client appears as a new row, highlighted too.
    const auto added = await(writer.put(kStore, path(QStringLiteral("users/carol/age")), 25));
    QVERIFY(added);
    QTRY_VERIFY_WITH_TIMEOUT(model->index(path(QStringLiteral("users/carol/age"))).isValid(),
                             20000);
    QTRY_COMPARE(window.connectionText(), QStringLiteral("live · seq %1").arg(added->storeSeq));

    // The server goes away: the status bar says so, and the tree keeps what it showed.
    dustlite.stop();
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("reconnecting")),
                             20000);
    QCOMPARE(model->leafCount(), 4);
}

void TestMainWindow::highlightFades()
{
    RecentChangeDelegate delegate;
    delegate.setWindow(3000);
    QCOMPARE(delegate.strength(10000, 10000), 1.0);
    QCOMPARE(delegate.strength(10000, 11500), 0.5);
    QCOMPARE(delegate.strength(10000, 13000), 0.0);
    QCOMPARE(delegate.strength(10000, 20000), 0.0);
    QCOMPARE(delegate.strength(0, 20000), 0.0); // never changed
}

void TestMainWindow::lazyRestSourceStillWorks()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet({{path(QStringLiteral("a/b")), 1}}, QStringLiteral("dev")) >
            0);
    HttpTransport http(dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
    MainWindow window;
    window.show();
    window.openStore(&http, kStore, QStringLiteral("test"));
    QTRY_COMPARE_WITH_TIMEOUT(window.treeModel()->rowCount(), 1, 20000);
    // No live connection to speak of.
    QVERIFY(window.connectionText().startsWith(QStringLiteral("REST")));
    QCOMPARE(window.treeModel()->index(0, 0).data(StoreTreeModel::NameRole).toString(),
             QStringLiteral("a"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
