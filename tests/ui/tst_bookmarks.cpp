// Bookmarks and recent paths in a QSettings INI file of the test's own: kept per profile (or
// server) and store, in order, renamed, moved and removed, and read back by new objects over
// a new QSettings (a restart). The Bookmarks menu (Ctrl+D, its entries, Recent Paths) and
// the Manage Bookmarks dialog, driven from the keyboard.

#include "TestAwait.h"

#include "bookmarks/BookmarkStore.h"
#include "bookmarks/BookmarksMenu.h"
#include "bookmarks/ManageBookmarksDialog.h"
#include "bookmarks/RecentPaths.h"

#include <QApplication>
#include <QListWidget>
#include <QMainWindow>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace dust;
using namespace dust::test;
using namespace Qt::StringLiterals;

namespace {

QStringList rendered(const QList<BookmarkStore::Bookmark> &bookmarks)
{
    QStringList out;
    for (const auto &b : bookmarks)
        out.append(b.path.rendered());
    return out;
}

} // namespace

class TestBookmarks : public QObject
{
    Q_OBJECT

    QString iniFile() const { return m_dir.filePath(QStringLiteral("settings.ini")); }

    QTemporaryDir m_dir;

private slots:
    void bookmarksSurviveARestart();
    void keptPerProfileAndStore();
    void recentPathsMostRecentFirstAndBounded();
    void menuBookmarksWithCtrlD();
    void manageDialogByKeyboard();
};

void TestBookmarks::bookmarksSurviveARestart()
{
    const QString scope = BookmarkStore::scopeFor(QStringLiteral("work"), QUrl());
    const Path odd = segments({u"files"_s, u"image/logo"_s, u"a~b c"_s});
    {
        QSettings settings(iniFile(), QSettings::IniFormat);
        BookmarkStore store(settings, scope, QStringLiteral("acme/site"));
        QSignalSpy changed(&store, &BookmarkStore::changed);
        QVERIFY(store.add(path(u"users/alice"_s)).isEmpty());
        QVERIFY(store.add(odd, QStringLiteral("Logo")).isEmpty());
        QVERIFY(store.add(path(u"config"_s)).isEmpty());
        QVERIFY(store.add(path(u"users/alice"_s)).isEmpty()); // already there: no change
        QCOMPARE(store.bookmarks().size(), 3);
        QVERIFY(store.rename(path(u"config"_s), QStringLiteral("Settings & more")).isEmpty());
        QVERIFY(store.move(path(u"config"_s), 0).isEmpty());
        QVERIFY(store.remove(path(u"users/alice"_s)).isEmpty());
        QCOMPARE(changed.count(), 6);
    }
    // A restart: new settings object, new store object.
    QSettings settings(iniFile(), QSettings::IniFormat);
    BookmarkStore again(settings, scope, QStringLiteral("acme/site"));
    QCOMPARE(rendered(again.bookmarks()), (QStringList{u"config"_s, odd.rendered()}));
    QCOMPARE(again.bookmarks().at(0).label(), QStringLiteral("Settings & more"));
    QCOMPARE(again.bookmarks().at(1).label(), QStringLiteral("Logo"));
    QCOMPARE(again.bookmarks().at(1).path.segments(), odd.segments());
    // Renaming back to nothing shows the path.
    QVERIFY(again.rename(odd, QString()).isEmpty());
    QCOMPARE(again.bookmarks().at(1).label(), odd.rendered());
}

void TestBookmarks::keptPerProfileAndStore()
{
    QSettings settings(iniFile(), QSettings::IniFormat);
    const QString work = BookmarkStore::scopeFor(QStringLiteral("work/eu"), QUrl());
    const QString embedded = BookmarkStore::scopeFor(QString(), QUrl(u"http://127.0.0.1:7755/"_s));
    QCOMPARE(embedded, QStringLiteral("server:http://127.0.0.1:7755"));
    BookmarkStore a(settings, work, QStringLiteral("acme/one"));
    BookmarkStore b(settings, work, QStringLiteral("acme/two"));
    BookmarkStore c(settings, embedded, QStringLiteral("acme/one"));
    QVERIFY(a.add(path(u"only/in/one"_s)).isEmpty());
    QVERIFY(c.add(path(u"only/embedded"_s)).isEmpty());
    QSettings reread(iniFile(), QSettings::IniFormat);
    QCOMPARE(rendered(BookmarkStore(reread, work, QStringLiteral("acme/one")).bookmarks()),
             QStringList{u"only/in/one"_s});
    QVERIFY(BookmarkStore(reread, work, QStringLiteral("acme/two")).bookmarks().isEmpty());
    QCOMPARE(rendered(BookmarkStore(reread, embedded, QStringLiteral("acme/one")).bookmarks()),
             QStringList{u"only/embedded"_s});
    QVERIFY(b.bookmarks().isEmpty());
}

void TestBookmarks::recentPathsMostRecentFirstAndBounded()
{
    const QString scope = BookmarkStore::scopeFor(QStringLiteral("p"), QUrl());
    {
        QSettings settings(iniFile(), QSettings::IniFormat);
        RecentPaths recent(settings, scope, QStringLiteral("acme/site"));
        for (int i = 0; i < 25; ++i)
            recent.note(path(QStringLiteral("item/%1").arg(i)));
        recent.note(path(u"item/10"_s)); // again: to the front, once
        QCOMPARE(recent.paths().size(), RecentPaths::limit());
        QCOMPARE(recent.paths().first().rendered(), QStringLiteral("item/10"));
        QCOMPARE(recent.paths().at(1).rendered(), QStringLiteral("item/24"));
        QCOMPARE(recent.paths().count(path(u"item/10"_s)), 1);
        QVERIFY(!recent.paths().contains(path(u"item/4"_s))); // the oldest dropped off
        settings.sync();
    }
    QSettings settings(iniFile(), QSettings::IniFormat);
    RecentPaths again(settings, scope, QStringLiteral("acme/site"));
    QCOMPARE(again.paths().size(), RecentPaths::limit());
    QCOMPARE(again.paths().first().rendered(), QStringLiteral("item/10"));
    QVERIFY(RecentPaths(settings, scope, QStringLiteral("acme/other")).paths().isEmpty());
    again.clear();
    QVERIFY(RecentPaths(settings, scope, QStringLiteral("acme/site")).paths().isEmpty());
}

void TestBookmarks::menuBookmarksWithCtrlD()
{
    QSettings settings(iniFile(), QSettings::IniFormat);
    const QString scope = BookmarkStore::scopeFor(QStringLiteral("menu"), QUrl());
    BookmarkStore store(settings, scope, QStringLiteral("acme/site"));
    RecentPaths recent(settings, scope, QStringLiteral("acme/site"));
    recent.note(path(u"seen/before"_s));

    QMainWindow window;
    auto *menu = new BookmarksMenu(&window);
    window.menuBar()->addMenu(menu);
    window.setCentralWidget(new QWidget(&window));
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(!menu->bookmarkThisAction()->isEnabled()); // no store yet
    menu->setStores(&store, &recent);
    QVERIFY(!menu->bookmarkThisAction()->isEnabled()); // no path yet
    menu->setCurrentPath(path(u"users/alice"_s));
    QVERIFY(menu->bookmarkThisAction()->isEnabled());

    QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier);
    QCOMPARE(rendered(store.bookmarks()), QStringList{u"users/alice"_s});
    QCOMPARE(menu->bookmarkThisAction()->text(), QStringLiteral("Remove &Bookmark"));
    menu->setCurrentPath(path(u"config"_s));
    QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier);
    QCOMPARE(rendered(store.bookmarks()), (QStringList{u"users/alice"_s, u"config"_s}));
    QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier); // again: removed
    QCOMPARE(rendered(store.bookmarks()), QStringList{u"users/alice"_s});

    // The menu lists the bookmark; choosing it says where to go.
    QSignalSpy chosen(menu, &BookmarksMenu::pathChosen);
    emit menu->aboutToShow();
    QAction *entry = nullptr;
    for (QAction *action : menu->actions())
        if (action->text() == QLatin1String("users/alice"))
            entry = action;
    QVERIFY(entry);
    entry->trigger();
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.takeFirst().at(0).value<Path>(), path(u"users/alice"_s));
    // Recent Paths lists what was visited.
    QAction *seen = nullptr;
    for (QAction *action : menu->recentMenu()->actions())
        if (action->text() == QLatin1String("seen/before"))
            seen = action;
    QVERIFY(seen);
    seen->trigger();
    QCOMPARE(chosen.takeFirst().at(0).value<Path>(), path(u"seen/before"_s));
}

void TestBookmarks::manageDialogByKeyboard()
{
    QSettings settings(iniFile(), QSettings::IniFormat);
    BookmarkStore store(settings, BookmarkStore::scopeFor(QStringLiteral("manage"), QUrl()),
                        QStringLiteral("acme/site"));
    for (const QString &p : {u"a"_s, u"b"_s, u"c"_s})
        QVERIFY(store.add(path(p)).isEmpty());

    ManageBookmarksDialog dialog(&store);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QListWidget *list = dialog.list();
    list->setFocus();
    QTRY_VERIFY(list->hasFocus());
    QCOMPARE(list->currentRow(), 0);
    QVERIFY(!dialog.upButton()->isEnabled());

    QTest::keyClick(list, Qt::Key_Down, Qt::AltModifier); // a moves below b
    QCOMPARE(rendered(store.bookmarks()), (QStringList{u"b"_s, u"a"_s, u"c"_s}));
    QCOMPARE(list->currentRow(), 1);
    QTest::keyClick(list, Qt::Key_Delete); // a goes
    QCOMPARE(rendered(store.bookmarks()), (QStringList{u"b"_s, u"c"_s}));

    // F2 renames in place.
    list->setCurrentRow(0);
    QTest::keyClick(list, Qt::Key_F2);
    QWidget *editor = QApplication::focusWidget();
    QVERIFY(editor && editor != list);
    QTest::keyClick(editor, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(editor, QStringLiteral("Bee"));
    QTest::keyClick(editor, Qt::Key_Return);
    QTRY_COMPARE(store.bookmarks().at(0).label(), QStringLiteral("Bee"));

    // Enter goes there.
    QSignalSpy chosen(&dialog, &ManageBookmarksDialog::pathChosen);
    list->setFocus();
    list->setCurrentRow(1);
    QTest::keyClick(list, Qt::Key_Return);
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.takeFirst().at(0).value<Path>(), path(u"c"_s));
    QVERIFY(!dialog.isVisible());

    QSettings reread(iniFile(), QSettings::IniFormat);
    BookmarkStore again(reread, BookmarkStore::scopeFor(QStringLiteral("manage"), QUrl()),
                        QStringLiteral("acme/site"));
    QCOMPARE(again.bookmarks().at(0).label(), QStringLiteral("Bee"));
}

QTEST_MAIN(TestBookmarks)
#include "tst_bookmarks.moc"
