// The window's tools wired to the current store, driven by keyboard offscreen on a live store
// (a real dustlite on 127.0.0.1): the History menu and pane follow the selection and open a
// diff, Ctrl+Shift+F opens the search, Ctrl+K the palette that goes to a path and remembers
// it, Ctrl+D bookmarks the selected path, and Copy as Code is offered on rows.

#include "InProcessDustlite.h"
#include "MainWindow.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"
#include "bookmarks/BookmarksMenu.h"
#include "code/CopyAsCodeMenu.h"
#include "history/DiffDialog.h"
#include "history/DiffPanel.h"
#include "history/HistoryDock.h"
#include "history/TabHistory.h"
#include "palette/CommandPalette.h"
#include "search/SearchDock.h"
#include "transport/SdkTransport.h"
#include "window/StoreTab.h"
#include "window/WindowActions.h"
#include "window/WindowTools.h"

#include <QApplication>
#include <QClipboard>
#include <QLineEdit>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace dust;
using namespace dust::test;

namespace {

const QString kStore = QStringLiteral("local/demo");

QStringList menuTitles(QMenuBar *bar)
{
    QStringList titles;
    for (QAction *a : bar->actions())
        titles.append(a->text().remove(QLatin1Char('&')));
    return titles;
}

QMenu *menuNamed(QMenuBar *bar, const QString &title)
{
    for (QAction *a : bar->actions()) {
        if (a->text().remove(QLatin1Char('&')) == title)
            return a->menu();
    }
    return nullptr;
}

struct Fixture
{
    InProcessDustlite dustlite;
    std::unique_ptr<SdkTransport> live;
    std::unique_ptr<MainWindow> window;
    StoreTab *tab = nullptr;

    bool start()
    {
        if (!dustlite.start())
            return false;
        lite::StoreDb *db = dustlite.store();
        if (db->bulkSet({{path(QStringLiteral("config/mode")), QStringLiteral("fast")},
                         {path(QStringLiteral("users/alice/name")), QStringLiteral("Alice")},
                         {path(QStringLiteral("users/bob/name")), QStringLiteral("Bob")}},
                        QStringLiteral("dev")) <= 0)
            return false;
        live = std::make_unique<SdkTransport>(sdkOptions(dustlite.wsUrl()));
        window = std::make_unique<MainWindow>();
        window->resize(1300, 700);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            return false;
        tab = window->openStore(live.get(), kStore, QStringLiteral("test"));
        QApplication::setActiveWindow(window.get());
        return tab != nullptr;
    }
    void keys(QKeySequence sequence) { QTest::keySequence(window.get(), sequence); }
};

} // namespace

class TestWindowTools : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void menusHoldTheTools();
    void historyFollowsTheSelectionAndDiffs();
    void searchOpensWithItsShortcut();
    void paletteGoesToAPathAndRemembersIt();
    void bookmarkTheSelectedPath();
    void copyAsCodeOnRows();
};

void TestWindowTools::initTestCase()
{
    // Settings of this run only.
    static QTemporaryDir settingsDir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    QSettings::setDefaultFormat(QSettings::NativeFormat);
}

void TestWindowTools::menusHoldTheTools()
{
    Fixture f;
    QVERIFY(f.start());
    const QStringList titles = menuTitles(f.window->menuBar());
    QCOMPARE(titles,
             (QStringList{QStringLiteral("File"), QStringLiteral("Edit"), QStringLiteral("View"),
                          QStringLiteral("History"), QStringLiteral("Go"),
                          QStringLiteral("Bookmarks"), QStringLiteral("Help")}));
    QMenu *history = menuNamed(f.window->menuBar(), QStringLiteral("History"));
    QVERIFY(history);
    QStringList texts;
    for (QAction *a : history->actions())
        if (!a->isSeparator())
            texts.append(a->text().remove(QLatin1Char('&')));
    QCOMPARE(texts,
             (QStringList{QStringLiteral("History Pane"), QStringLiteral("Diff Since Opened"),
                          QStringLiteral("Diff…"), QStringLiteral("Time Travel…"),
                          QStringLiteral("Restore Store to Seq…")}));
    QMenu *edit = menuNamed(f.window->menuBar(), QStringLiteral("Edit"));
    QVERIFY(edit->actions().contains(f.window->tools()->copyAsCodeMenu()->menuAction()));
    QVERIFY(edit->actions().contains(f.window->actions()->searchValues));
    // One tab, one set of history commands.
    QVERIFY(WindowTools::historyOf(f.tab));
}

void TestWindowTools::historyFollowsTheSelectionAndDiffs()
{
    Fixture f;
    QVERIFY(f.start());
    HistoryDock *dock = f.window->tools()->historyDock();
    QVERIFY(!dock->isVisible());
    f.keys(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
    QTRY_VERIFY(dock->isVisible());

    f.tab->goToPath(path(QStringLiteral("users/alice/name")));
    QTRY_COMPARE(f.tab->currentPath(), path(QStringLiteral("users/alice/name")));
    QTRY_COMPARE(dock->node(), path(QStringLiteral("users/alice/name")));

    // The pane asks for a diff; the tab's history shows it.
    TabHistory *history = WindowTools::historyOf(f.tab);
    QVERIFY(!history->diffDialog());
    emit dock->diffRequested(0, HistoryDock::Now);
    QTRY_VERIFY(history->diffDialog() && history->diffDialog()->isVisible());
    // It opens on the node whose history asked for it.
    QCOMPARE(history->diffDialog()->panel()->filterField()->text(),
             QStringLiteral("users/alice/name"));
}

void TestWindowTools::searchOpensWithItsShortcut()
{
    Fixture f;
    QVERIFY(f.start());
    SearchDock *search = f.window->tools()->searchDock();
    QVERIFY(!search->isVisible());
    f.keys(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    QTRY_VERIFY(search->isVisible());
    QTRY_VERIFY(search->isAncestorOf(QApplication::focusWidget()));
    // A result's activation selects its path in the tab.
    emit search->pathActivated(path(QStringLiteral("users/bob/name")));
    QTRY_COMPARE(f.tab->currentPath(), path(QStringLiteral("users/bob/name")));
}

void TestWindowTools::paletteGoesToAPathAndRemembersIt()
{
    Fixture f;
    QVERIFY(f.start());
    QTRY_VERIFY(f.live->isLive(kStore));
    f.keys(QKeySequence(Qt::CTRL | Qt::Key_K));
    CommandPalette *palette = nullptr;
    QTRY_VERIFY((palette = f.window->findChild<CommandPalette *>()) && palette->isVisible());
    QTest::keyClicks(palette->field(), QStringLiteral("/config/mode"));
    QTest::keyClick(palette->field(), Qt::Key_Return);
    QTRY_COMPARE(f.tab->currentPath(), path(QStringLiteral("config/mode")));
    // The path is among the recent ones of this store now.
    BookmarksMenu *menu = f.window->tools()->bookmarksMenu();
    emit menu->aboutToShow();
    QStringList recent;
    for (QAction *a : menu->recentMenu()->actions())
        recent.append(a->text());
    QVERIFY2(recent.join(QLatin1Char('|')).contains(QStringLiteral("config/mode")),
             qPrintable(recent.join(QLatin1Char('|'))));
}

void TestWindowTools::bookmarkTheSelectedPath()
{
    Fixture f;
    QVERIFY(f.start());
    f.tab->goToPath(path(QStringLiteral("users/alice/name")));
    QTRY_COMPARE(f.tab->currentPath(), path(QStringLiteral("users/alice/name")));
    BookmarksMenu *menu = f.window->tools()->bookmarksMenu();
    QTRY_VERIFY(menu->bookmarkThisAction()->isEnabled());
    f.keys(QKeySequence(Qt::CTRL | Qt::Key_D));
    emit menu->aboutToShow();
    QStringList entries;
    for (QAction *a : menu->actions())
        entries.append(a->text());
    QVERIFY2(entries.join(QLatin1Char('|')).contains(QStringLiteral("users/alice/name")),
             qPrintable(entries.join(QLatin1Char('|'))));
}

void TestWindowTools::copyAsCodeOnRows()
{
    Fixture f;
    QVERIFY(f.start());
    f.tab->goToPath(path(QStringLiteral("users/alice/name")));
    QTRY_COMPARE(f.tab->currentPath(), path(QStringLiteral("users/alice/name")));
    CopyAsCodeMenu *menu = f.window->tools()->copyAsCodeMenu();
    QVERIFY(menu->copy(SnippetLanguage::Curl));
    const QString copied = QApplication::clipboard()->text();
    QVERIFY2(copied.contains(QStringLiteral("users/alice/name")), qPrintable(copied));
    QVERIFY2(copied.contains(QStringLiteral("$DUST_TOKEN")), qPrintable(copied));
    QVERIFY(!copied.contains(QStringLiteral("dust_tok_")));
}

QTEST_MAIN(TestWindowTools)
#include "tst_windowtools.moc"
