// The command palette driven by the keyboard alone: it lists the window's commands by name
// (no '&', the shortcut shown, disabled ones left out), filters them fuzzily as you type,
// moves with Up/Down, runs one with Enter and closes with Escape without running anything.
// Then "go to path" on a live store (a real dustlite on 127.0.0.1, an SdkTransport, a
// StoreTab): completion of a typed path, fuzzy matches over the tree's paths, bookmarks and
// recent paths, a typed path that is not listed, and one that is not a path at all.

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"

#include "bookmarks/BookmarkStore.h"
#include "model/NodeTreeModel.h"
#include "model/StoreTreeModel.h"
#include "palette/CommandPalette.h"
#include "palette/PathCollector.h"
#include "transport/SdkTransport.h"
#include "window/StoreTab.h"

#include <QAction>
#include <QLineEdit>
#include <QListWidget>
#include <QMainWindow>
#include <QSignalSpy>
#include <QTest>

using namespace dust;
using namespace dust::test;
using namespace Qt::StringLiterals;

namespace {

const QString kStore = QStringLiteral("local/demo");

QStringList rowTexts(const CommandPalette &palette)
{
    QStringList out;
    for (int i = 0; i < palette.list()->count(); ++i)
        out.append(palette.list()->item(i)->text());
    return out;
}

} // namespace

class TestCommandPalette : public QObject
{
    Q_OBJECT

private slots:
    void runsCommandsByKeyboard();
    void escapeRunsNothing();
    void goesToPathsByKeyboard();
};

void TestCommandPalette::runsCommandsByKeyboard()
{
    QMainWindow window;
    auto *copyPath = new QAction(QStringLiteral("Copy &Path"), &window);
    copyPath->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    auto *copyValue = new QAction(QStringLiteral("Copy &Value"), &window);
    auto *exportData = new QAction(QStringLiteral("&Export…"), &window);
    auto *deleteEntry = new QAction(QStringLiteral("&Delete"), &window);
    deleteEntry->setEnabled(false);
    auto *andAction = new QAction(QStringLiteral("Salt && &Pepper"), &window);
    window.show();

    CommandPalette palette(&window);
    palette.setActions({copyPath, copyValue, exportData, deleteEntry, andAction});
    palette.show();
    QVERIFY(QTest::qWaitForWindowExposed(&palette));
    QTRY_VERIFY(palette.field()->hasFocus());

    // Everything enabled, by name without '&', with its shortcut; Delete is disabled.
    const QStringList all = rowTexts(palette);
    QCOMPARE(all.size(), 4);
    QVERIFY(all.contains(QStringLiteral("Copy Path    ") +
                         copyPath->shortcut().toString(QKeySequence::NativeText)));
    QVERIFY(all.contains(QStringLiteral("Export…")));
    QVERIFY(all.contains(QStringLiteral("Salt & Pepper")));
    QVERIFY(!all.join(QLatin1Char('|')).contains(QStringLiteral("Delete")));

    // Typing filters fuzzily; Down moves; Enter runs the chosen one (after closing).
    QTest::keyClicks(palette.field(), QStringLiteral("cop"));
    QCOMPARE(palette.list()->count(), 2);
    QCOMPARE(palette.list()->currentRow(), 0);
    const bool pathFirst = palette.list()->item(0)->text().startsWith(QStringLiteral("Copy Path"));
    QTest::keyClick(palette.field(), Qt::Key_Down);
    QCOMPARE(palette.list()->currentRow(), 1);
    QTest::keyClick(palette.field(), Qt::Key_Up);
    QTest::keyClick(palette.field(), Qt::Key_Up); // stays on the first
    QCOMPARE(palette.list()->currentRow(), 0);
    QTest::keyClick(palette.field(), Qt::Key_Down);
    QSignalSpy pathRan(copyPath, &QAction::triggered);
    QSignalSpy valueRan(copyValue, &QAction::triggered);
    QTest::keyClick(palette.field(), Qt::Key_Return);
    QVERIFY(!palette.isVisible());
    QSignalSpy &expected = pathFirst ? valueRan : pathRan;
    QVERIFY(expected.count() == 1 || expected.wait(5000));
    QCOMPARE((pathFirst ? pathRan : valueRan).count(), 0);

    // '>' shows commands only; a fuzzy subsequence finds Export.
    palette.show();
    palette.setText(QString());
    QTest::keyClicks(palette.field(), QStringLiteral(">xpt"));
    QCOMPARE(rowTexts(palette), QStringList{QStringLiteral("Export…")});
    QCOMPARE(palette.kindAt(0), CommandPalette::Kind::Command);
    QSignalSpy exported(exportData, &QAction::triggered);
    QTest::keyClick(palette.field(), Qt::Key_Enter);
    QVERIFY(exported.count() == 1 || exported.wait(5000));

    // A disabled command cannot be found.
    palette.show();
    palette.setText(QStringLiteral(">delete"));
    QCOMPARE(palette.list()->count(), 0);
}

void TestCommandPalette::escapeRunsNothing()
{
    QMainWindow window;
    auto *action = new QAction(QStringLiteral("&Refresh"), &window);
    window.show();
    CommandPalette palette(&window);
    palette.setActions({action});
    QSignalSpy ran(action, &QAction::triggered);
    QSignalSpy rejected(&palette, &QDialog::rejected);
    palette.show();
    QVERIFY(QTest::qWaitForWindowExposed(&palette));
    QTest::keyClicks(palette.field(), QStringLiteral("ref"));
    QCOMPARE(palette.list()->count(), 1);
    QTest::keyClick(palette.field(), Qt::Key_Escape);
    QCOMPARE(rejected.count(), 1);
    QVERIFY(!palette.isVisible());
    QCoreApplication::processEvents();
    QCOMPARE(ran.count(), 0);
}

void TestCommandPalette::goesToPathsByKeyboard()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet({{path(QStringLiteral("users/alice/email")), u"a@x"_s},
                                       {path(QStringLiteral("users/alice/age")), 30},
                                       {path(QStringLiteral("users/bob/age")), 40},
                                       {segments({u"files"_s, u"image/logo"_s}), u"png"_s},
                                       {path(QStringLiteral("config")), u"v1"_s}},
                                      QStringLiteral("dev")) > 0);
    SdkTransport live(sdkOptions(dustlite.wsUrl()));
    StoreTab tab(&live, kStore, {QStringLiteral("test"), false});
    tab.resize(1000, 600);
    tab.show();
    QTRY_COMPARE_WITH_TIMEOUT(tab.model()->leafCount(), 5, 20000);

    CommandPalette palette(&tab);
    palette.setPathCompletions([&tab](const QString &typed) { return tab.completions(typed); });
    palette.setPaths(PathCollector::collect(tab.model(), NodeTreeModel::PathRole));
    palette.setBookmarks({{path(QStringLiteral("users/bob/age")), QStringLiteral("Bob's age")}});
    palette.setRecentPaths({path(QStringLiteral("config"))});
    connect(&palette, &CommandPalette::pathChosen, &tab, &StoreTab::goToPath);
    QSignalSpy chosen(&palette, &CommandPalette::pathChosen);

    // Nothing typed: the bookmark and the recent path, first.
    palette.show();
    QVERIFY(QTest::qWaitForWindowExposed(&palette));
    QCOMPARE(palette.kindAt(0), CommandPalette::Kind::Bookmark);
    QCOMPARE(palette.kindAt(1), CommandPalette::Kind::Recent);

    // '/' and a typed path: the tree completes it; Enter goes there.
    QTest::keyClicks(palette.field(), QStringLiteral("/users/al"));
    QVERIFY(rowTexts(palette).contains(QStringLiteral("users/alice")));
    for (int i = 0; i < palette.list()->count() &&
                    palette.list()->currentItem()->text() != QLatin1String("users/alice");
         ++i)
        QTest::keyClick(palette.field(), Qt::Key_Down);
    QCOMPARE(palette.list()->currentItem()->text(), QStringLiteral("users/alice"));
    QTest::keyClick(palette.field(), Qt::Key_Return);
    QCOMPARE(chosen.count(), 1);
    QTRY_COMPARE(tab.currentPath().rendered(), QStringLiteral("users/alice"));

    // Fuzzy over the tree's paths, no prefix: "bobag" finds users/bob/age (the bookmark's
    // path, listed once, as the bookmark).
    palette.show();
    palette.setText(QString());
    QTest::keyClicks(palette.field(), QStringLiteral("alicemail"));
    QVERIFY(palette.list()->count() > 0);
    QCOMPARE(palette.list()->item(0)->text(), QStringLiteral("users/alice/email"));
    QCOMPARE(palette.kindAt(0), CommandPalette::Kind::Path);
    QTest::keyClick(palette.field(), Qt::Key_Return);
    QTRY_COMPARE(tab.currentPath().rendered(), QStringLiteral("users/alice/email"));

    palette.show();
    palette.setText(QString());
    QTest::keyClicks(palette.field(), QStringLiteral("bobs"));
    QCOMPARE(palette.kindAt(0), CommandPalette::Kind::Bookmark);
    QCOMPARE(rowTexts(palette).filter(QStringLiteral("users/bob/age")).size(), 1);
    QTest::keyClick(palette.field(), Qt::Key_Return);
    QTRY_COMPARE(tab.currentPath().rendered(), QStringLiteral("users/bob/age"));

    // An escaped segment is matched as rendered.
    palette.show();
    palette.setText(QString());
    QTest::keyClicks(palette.field(), QStringLiteral("/files/image~1"));
    QVERIFY(rowTexts(palette).contains(QStringLiteral("files/image~1logo")));

    // A typed path that is not listed is offered all the same.
    palette.show();
    palette.setText(QString());
    QTest::keyClicks(palette.field(), QStringLiteral("/nowhere/x"));
    QCOMPARE(palette.kindAt(0), CommandPalette::Kind::TypedPath);
    chosen.clear();
    QTest::keyClick(palette.field(), Qt::Key_Return);
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.takeFirst().at(0).value<Path>(), path(QStringLiteral("nowhere/x")));

    // Not a path: nothing to go to, and the palette says why.
    palette.show();
    palette.setText(QString());
    QTest::keyClicks(palette.field(), QStringLiteral("/a//b"));
    QCOMPARE(palette.list()->count(), 0);
    QTest::keyClick(palette.field(), Qt::Key_Return);
    QVERIFY(palette.isVisible());
    QCOMPARE(chosen.count(), 0);
    QVERIFY2(palette.problem().contains(QStringLiteral("not a path")),
             qPrintable(palette.problem()));
}

QTEST_MAIN(TestCommandPalette)
#include "tst_commandpalette.moc"
