// The main window's commands against a real dustlite on 127.0.0.1, driven with QTest
// offscreen: the filter (Ctrl+F), go to path (and its completion), copy path, delete,
// read-only disabling every write action, a REST write that is never pushed still showing,
// a change inside a closed folder making the folder glow, tabs of several stores, and a walk
// of the accessibility tree finding no unnamed control.

#include "InProcessDustlite.h"
#include "MainWindow.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "TestDialogs.h"
#include "TestSdkOptions.h"

#include "edit/DeleteConfirmDialog.h"
#include "model/StoreTreeModel.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"
#include "window/GoToPathDialog.h"
#include "window/PathBreadcrumb.h"
#include "window/TreeFilterBar.h"
#include "window/WindowActions.h"

#include <QAbstractButton>
#include <QAccessible>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QImage>
#include <QJsonValue>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using namespace dust;
using namespace dust::test;
using namespace std::chrono_literals;

namespace {

const QString kStore = QStringLiteral("local/demo");

std::unique_ptr<Transport> liveTransport(const QUrl &url,
                                         const QString &token = QStringLiteral("dust_tok_dev"))
{
    SdkOptions o = sdkOptions(url, token);
    o.statusPollInterval = 200ms;
    return std::make_unique<SdkTransport>(o);
}

// The background painted near the right end of the value cell of `index`'s row.
QColor paintedAt(QTreeView *view, const QModelIndex &index)
{
    const QImage image = view->viewport()->grab().toImage();
    const QRect rect = view->visualRect(index.siblingAtColumn(StoreTreeModel::ValueColumn))
                           .intersected(QRect(QPoint(0, 0), image.size()));
    if (rect.isEmpty())
        return {};
    return image.pixelColor(rect.right() - 4, rect.top() + 2);
}

struct Fixture
{
    InProcessDustlite dustlite;
    bool start()
    {
        if (!dustlite.start())
            return false;
        return dustlite.store()->bulkSet(
                   {{path(QStringLiteral("config/theme")), QStringLiteral("dark")},
                    {path(QStringLiteral("users/alice/age")), 30},
                    {path(QStringLiteral("users/alice/email")), QStringLiteral("a@x")},
                    {path(QStringLiteral("users/bob/age")), 40},
                    {path(QStringLiteral("files/a~1b")), 1}},
                   QStringLiteral("dev")) > 0;
    }
};

// Waits for a tab's tree to hold `leaves` leaves.
bool waitForLeaves(StoreTab *tab, int leaves)
{
    return QTest::qWaitFor([&] { return tab->model()->leafCount() == leaves; }, 20000);
}

} // namespace

class TestWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void filterFindsByTextAndGlob();
    void goToPathSelectsAndCompletes();
    void goToPathDialogRefusesNonPaths_data();
    void goToPathDialogRefusesNonPaths();
    void copyPathAndDelete();
    void readOnlyDisablesEveryWriteAction();
    void restWriteShowsWithoutAPush();
    void closedFolderGlowsWhenSomethingBelowChanges();
    void tabsOfSeveralStores();
    void bigFolderIsNotAssembled();
    void everyControlHasAName();
};

void TestWindow::initTestCase()
{
    // Settings of this run only.
    static QTemporaryDir settingsDir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    QSettings::setDefaultFormat(QSettings::NativeFormat);
}

void TestWindow::filterFindsByTextAndGlob()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *tab =
        window.addStore(liveTransport(f.dustlite.wsUrl()), kStore, {QStringLiteral("test")});
    QVERIFY(waitForLeaves(tab, 5));

    // Ctrl+F puts the focus in the filter.
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(tab->filterBar()->field()->hasFocus());
    QSignalSpy applied(tab->model(), &StoreTreeModel::filterApplied);
    QTest::keyClicks(tab->filterBar()->field(), QStringLiteral("age"));
    QTest::keyClick(tab->filterBar()->field(), Qt::Key_Return);
    QVERIFY(applied.wait(10000));
    QCOMPARE(applied.last().at(0).value<qsizetype>(), 2);
    QVERIFY(tab->model()->index(path(QStringLiteral("users/bob/age"))).isValid());
    QVERIFY(!tab->model()->index(path(QStringLiteral("config/theme"))).isValid());

    // A glob: the whole path matches.
    tab->filterBar()->setMode(TreeFilterBar::Mode::Glob);
    tab->filterBar()->setText(QStringLiteral("users/*/email"));
    QTRY_VERIFY(!tab->model()->index(path(QStringLiteral("users/bob/age"))).isValid());
    QVERIFY(tab->model()->index(path(QStringLiteral("users/alice/email"))).isValid());

    // A broken glob says why and leaves the rows as they were.
    tab->filterBar()->setText(QStringLiteral("users/**/x"));
    QVERIFY(tab->filterBar()->problem().contains(QStringLiteral("**")));
    QVERIFY(tab->model()->index(path(QStringLiteral("users/alice/email"))).isValid());

    // Escape clears it: everything is back.
    tab->filterBar()->field()->setFocus();
    QTest::keyClick(tab->filterBar()->field(), Qt::Key_Escape);
    QTRY_VERIFY(tab->model()->index(path(QStringLiteral("config/theme"))).isValid());
    QVERIFY(tab->filterBar()->problem().isEmpty());
}

void TestWindow::goToPathSelectsAndCompletes()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *tab =
        window.addStore(liveTransport(f.dustlite.wsUrl()), kStore, {QStringLiteral("test")});
    QVERIFY(waitForLeaves(tab, 5));

    // Completion offers the children of the typed folder, escaped as paths are written.
    QCOMPARE(tab->completions(QStringLiteral("users/")),
             (QStringList{QStringLiteral("users/alice"), QStringLiteral("users/bob")}));
    QCOMPARE(tab->completions(QStringLiteral("users/B")), QStringList{QStringLiteral("users/bob")});
    QCOMPARE(tab->completions(QStringLiteral("files/a")),
             QStringList{QStringLiteral("files/a~1b")});
    QCOMPARE(tab->completions(QStringLiteral("nothing/")), QStringList());

    // Ctrl+L opens the dialog; the typed path is selected, its folders opened.
    QTimer::singleShot(0, this, [] {
        auto *dialog = qobject_cast<GoToPathDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        dialog->field()->clear();
        QTest::keyClicks(dialog->field(), QStringLiteral("users/bob/age"));
        QTest::keyClick(dialog->field(), Qt::Key_Return);
    });
    QTest::keyClick(&window, Qt::Key_L, Qt::ControlModifier);
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("users/bob/age"));
    QVERIFY(tab->treeView()->isExpanded(tab->model()->index(path(QStringLiteral("users/bob")))));
    QCOMPARE(tab->breadcrumb()->text(), QStringLiteral("local/demo / users / bob / age"));

    // A path hidden by the filter: the filter goes, the row is selected.
    tab->filterBar()->setText(QStringLiteral("theme"));
    QTRY_VERIFY(tab->model()->isFiltered());
    tab->goToPath(path(QStringLiteral("users/alice/email")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("users/alice/email"));
    QVERIFY(!tab->model()->isFiltered());

    // A path that is not in the store says so and selects what exists on the way.
    QSignalSpy messages(tab, &StoreTab::message);
    tab->goToPath(path(QStringLiteral("users/zed/age")));
    QTRY_VERIFY(!messages.isEmpty());
    QVERIFY(messages.last().at(0).toString().contains(QStringLiteral("users/zed/age")));
    QCOMPARE(tab->currentPath().rendered(), QStringLiteral("users"));
}

void TestWindow::goToPathDialogRefusesNonPaths_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("rendered");
    QTest::newRow("plain") << "a/b" << true << "a/b";
    QTest::newRow("trailing slash") << "a/b/" << true << "a/b";
    QTest::newRow("escaped slash") << "files/a~1b" << true << "files/a~1b";
    QTest::newRow("empty") << "" << false << "";
    QTest::newRow("doubled slash") << "a//b" << false << "";
    QTest::newRow("stray tilde") << "a/~x" << false << "";
}

void TestWindow::goToPathDialogRefusesNonPaths()
{
    QFETCH(QString, typed);
    QFETCH(bool, accepted);
    QFETCH(QString, rendered);
    GoToPathDialog dialog(nullptr);
    dialog.setText(typed);
    QSignalSpy done(&dialog, &QDialog::accepted);
    dialog.accept();
    QCOMPARE(done.count(), accepted ? 1 : 0);
    if (accepted)
        QCOMPARE(dialog.path().rendered(), rendered);
    else
        QVERIFY(dialog.problem().startsWith(QStringLiteral("Not a path")));
}

void TestWindow::copyPathAndDelete()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *tab =
        window.addStore(liveTransport(f.dustlite.wsUrl()), kStore, {QStringLiteral("test")});
    QVERIFY(waitForLeaves(tab, 5));
    tab->goToPath(path(QStringLiteral("users/alice")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("users/alice"));

    QTest::keyClick(tab->treeView(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("users/alice"));
    // Copy as JSON: the folder assembled, written out off the UI thread.
    window.actions()->copyAsJson->trigger();
    QTRY_VERIFY2(QApplication::clipboard()->text().contains(QStringLiteral("\"email\": \"a@x\"")),
                 qPrintable(QApplication::clipboard()->text()));
    // Copy Value of a string: the text itself.
    tab->goToPath(path(QStringLiteral("users/alice/email")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("users/alice/email"));
    window.actions()->copyValue->trigger();
    QTRY_COMPARE(QApplication::clipboard()->text(), QStringLiteral("a@x"));
    tab->goToPath(path(QStringLiteral("users/alice")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("users/alice"));

    // Delete counts what goes and asks first, naming it; Cancel keeps everything.
    bool asked = false;
    QString question;
    test::whenModal<DeleteConfirmDialog>(this, [&](DeleteConfirmDialog *dialog) {
        asked = true;
        question = dialog->messageText();
        dialog->cancelButton()->click();
    });
    window.actions()->deleteEntry->trigger();
    QTRY_VERIFY(asked);
    QVERIFY2(question.contains(QStringLiteral("users/alice")), qPrintable(question));
    QVERIFY2(question.contains(QStringLiteral("2")), qPrintable(question)); // its two leaves
    QCOMPARE(tab->model()->leafCount(), 5);

    // Delete deletes the folder and everything below; the tree follows.
    asked = false;
    test::whenModal<DeleteConfirmDialog>(this, [&](DeleteConfirmDialog *dialog) {
        asked = true;
        dialog->deleteButton()->click();
    });
    window.actions()->deleteEntry->trigger();
    QTRY_VERIFY(asked);
    QTRY_COMPARE_WITH_TIMEOUT(tab->model()->leafCount(), 3, 20000);
    QVERIFY(!tab->model()->index(path(QStringLiteral("users/alice"))).isValid());
}

void TestWindow::readOnlyDisablesEveryWriteAction()
{
    Fixture f;
    f.dustlite.config().tokens = {
        {QStringLiteral("dust_tok_dev"), {}, {}},
        {QStringLiteral("dust_tok_reader"), {}, {QStringLiteral("entries:read")}}};
    QVERIFY(f.start());
    MainWindow window;
    window.show();

    // Chosen read-only (a profile, --read-only).
    StoreTab *chosen =
        window.addStore(liveTransport(f.dustlite.wsUrl()), kStore, {QStringLiteral("test"), true});
    QVERIFY(waitForLeaves(chosen, 5));
    chosen->goToPath(path(QStringLiteral("config/theme")));
    QTRY_VERIFY(chosen->currentPath().isValid());
    QVERIFY(window.actions()->copyPath->isEnabled());
    for (QAction *a : window.actions()->writeActions())
        QVERIFY2(!a->isEnabled(), qPrintable(a->text()));

    // A token without write: the join reply says so.
    StoreTab *granted =
        window.addStore(liveTransport(f.dustlite.wsUrl(), QStringLiteral("dust_tok_reader")),
                        kStore, {QStringLiteral("reader")});
    QVERIFY(waitForLeaves(granted, 5));
    QTRY_VERIFY(granted->isReadOnly());
    granted->goToPath(path(QStringLiteral("config/theme")));
    QTRY_VERIFY(granted->currentPath().isValid());
    QVERIFY(window.actions()->copyPath->isEnabled());
    for (QAction *a : window.actions()->writeActions())
        QVERIFY2(!a->isEnabled(), qPrintable(a->text()));

    // A writable tab enables them again.
    StoreTab *writable =
        window.addStore(liveTransport(f.dustlite.wsUrl()), kStore, {QStringLiteral("w")});
    QVERIFY(waitForLeaves(writable, 5));
    writable->goToPath(path(QStringLiteral("config/theme")));
    QTRY_VERIFY(writable->currentPath().isValid());
    for (QAction *a : window.actions()->writeActions())
        QVERIFY2(a->isEnabled(), qPrintable(a->text()));
}

void TestWindow::restWriteShowsWithoutAPush()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *tab =
        window.addStore(liveTransport(f.dustlite.wsUrl()), kStore, {QStringLiteral("test")});
    QVERIFY(waitForLeaves(tab, 5));
    QTRY_VERIFY(tab->connectionText().startsWith(QStringLiteral("live")));

    // A REST write is not pushed to sockets (dust-protocol.md §5.10); the window notices the
    // store moved on and catches up.
    HttpTransport rest(f.dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
    const auto written =
        await(rest.put(kStore, path(QStringLiteral("config/mode")), QStringLiteral("rest")));
    QVERIFY(written);
    QTRY_VERIFY_WITH_TIMEOUT(tab->model()->index(path(QStringLiteral("config/mode"))).isValid(),
                             10000);
    QTRY_COMPARE(tab->connectionText(), QStringLiteral("live · seq %1").arg(written->storeSeq));
}

void TestWindow::closedFolderGlowsWhenSomethingBelowChanges()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.resize(1300, 600);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    StoreTab *tab =
        window.addStore(liveTransport(f.dustlite.wsUrl()), kStore, {QStringLiteral("test")});
    QVERIFY(waitForLeaves(tab, 5));
    QTRY_VERIFY(tab->connectionText().startsWith(QStringLiteral("live")));
    const QPersistentModelIndex users(tab->model()->index(path(QStringLiteral("users"))));
    const QPersistentModelIndex config(tab->model()->index(path(QStringLiteral("config"))));
    QVERIFY(!tab->treeView()->isExpanded(users));
    const QColor before = paintedAt(tab->treeView(), users);
    QCOMPARE(before.red(), before.blue()); // a neutral background

    SdkTransport writer(sdkOptions(f.dustlite.wsUrl()));
    QVERIFY(await(writer.put(kStore, path(QStringLiteral("users/bob/age")), 41)));
    QTRY_VERIFY_WITH_TIMEOUT(users.data(StoreTreeModel::ChangedBelowRole).isValid(), 20000);
    const QColor glowing = paintedAt(tab->treeView(), users);
    QVERIFY2(glowing.red() > glowing.blue(), qPrintable(glowing.name()));
    const QColor other = paintedAt(tab->treeView(), config);
    QCOMPARE(other.red(), other.blue()); // nothing changed there

    // Open, the folder does not glow: the changed row itself does.
    tab->treeView()->expand(users);
    const QColor open = paintedAt(tab->treeView(), users);
    QCOMPARE(open.red(), open.blue());
}

void TestWindow::tabsOfSeveralStores()
{
    Fixture f;
    f.dustlite.config().stores = {kStore, QStringLiteral("local/other")};
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *first =
        window.addStore(liveTransport(f.dustlite.wsUrl()), kStore, {QStringLiteral("a")});
    StoreTab *second = window.addStore(
        std::make_unique<HttpTransport>(f.dustlite.baseUrl(), QStringLiteral("dust_tok_dev")),
        QStringLiteral("local/other"), {QStringLiteral("b")});
    QCOMPARE(window.tabs()->count(), 2);
    QCOMPARE(window.currentTab(), second);
    QCOMPARE(window.windowTitle(), QStringLiteral("local/other — Dust Browser"));
    window.actions()->nextTab->trigger();
    QCOMPARE(window.currentTab(), first);
    QVERIFY(waitForLeaves(first, 5));
    QTRY_COMPARE(window.connectionText(), first->connectionText());
    window.actions()->closeTab->trigger();
    QCOMPARE(window.tabs()->count(), 1);
    QCOMPARE(window.currentTab(), second);
    window.actions()->closeTab->trigger();
    QCOMPARE(window.tabs()->count(), 0);
    QVERIFY(window.emptyText().contains(QStringLiteral("Open Connection")));
    QVERIFY(!window.actions()->refresh->isEnabled());
}

void TestWindow::bigFolderIsNotAssembled()
{
    Fixture f;
    QVERIFY(f.start());
    QList<std::pair<Path, QJsonValue>> leaves;
    for (int i = 0; i < 20001; ++i)
        leaves.append({path(QStringLiteral("big/k%1").arg(i)), i});
    QVERIFY(f.dustlite.store()->bulkSet(leaves, QStringLiteral("dev")) > 0);
    MainWindow window;
    window.show();
    StoreTab *tab =
        window.addStore(liveTransport(f.dustlite.wsUrl()), kStore, {QStringLiteral("test")});
    QVERIFY(waitForLeaves(tab, 5 + 20001));

    // A folder with more than 20,000 paths below: a summary, not one assembled value.
    tab->goToPath(path(QStringLiteral("big")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("big"));
    QTRY_VERIFY2(tab->entryValueText().contains(QStringLiteral("more than 20,000 paths")),
                 qPrintable(tab->entryValueText()));
    QVERIFY(tab->entryValueText().contains(QStringLiteral("20,001 items")));
    // Nor is it copied: the window says why.
    QApplication::clipboard()->setText(QStringLiteral("before"));
    QSignalSpy messages(tab, &StoreTab::message);
    window.actions()->copyAsJson->trigger();
    QCOMPARE(messages.count(), 1);
    QVERIFY(messages.at(0).at(0).toString().contains(QStringLiteral("too big to copy")));
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("before"));

    // A small folder is shown whole.
    tab->goToPath(path(QStringLiteral("users/alice")));
    QTRY_VERIFY2(tab->entryValueText().contains(QStringLiteral("a@x")),
                 qPrintable(tab->entryValueText()));
}

namespace {

bool interactive(QAccessible::Role role)
{
    switch (role) {
    case QAccessible::PushButton:
    case QAccessible::CheckBox:
    case QAccessible::RadioButton:
    case QAccessible::ComboBox:
    case QAccessible::EditableText:
    case QAccessible::SpinBox:
    case QAccessible::Slider:
    case QAccessible::ButtonMenu:
    case QAccessible::ButtonDropDown:
    case QAccessible::PageTab:
    case QAccessible::Tree:
    case QAccessible::Table:
    case QAccessible::List:
    case QAccessible::MenuItem:
        return true;
    default:
        return false;
    }
}

void walk(QAccessibleInterface *node, QStringList *unnamed, int *seen, int depth = 0)
{
    if (!node || depth > 40)
        return;
    if (node->state().invisible)
        return;
    // Rows and cells of item views are described by the model (checked elsewhere).
    const QAccessible::Role role = node->role();
    if (role == QAccessible::Row || role == QAccessible::Cell || role == QAccessible::TreeItem ||
        role == QAccessible::ColumnHeader || role == QAccessible::RowHeader)
        return;
    if (interactive(role))
        ++*seen;
    if (interactive(role) && node->text(QAccessible::Name).trimmed().isEmpty()) {
        QObject *o = node->object();
        unnamed->append(QStringLiteral("%1 (%2)").arg(
            o ? QString::fromLatin1(o->metaObject()->className()) : QStringLiteral("?"),
            o ? o->objectName() : QString()));
    }
    for (int i = 0; i < node->childCount(); ++i)
        walk(node->child(i), unnamed, seen, depth + 1);
}

} // namespace

void TestWindow::everyControlHasAName()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    StoreTab *tab =
        window.addStore(liveTransport(f.dustlite.wsUrl()), kStore, {QStringLiteral("test")});
    QVERIFY(waitForLeaves(tab, 5));
    tab->goToPath(path(QStringLiteral("users/alice/age")));
    QTRY_VERIFY(tab->currentPath().isValid());

    QStringList unnamed;
    int seen = 0;
    walk(QAccessible::queryAccessibleInterface(&window), &unnamed, &seen);
    QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
    QVERIFY2(seen >= 15, qPrintable(QString::number(seen))); // menus, toolbar, filter, tree …

    // A row tells its path, type and value.
    const QModelIndex age = tab->model()->index(path(QStringLiteral("users/alice/age")));
    const QString description = age.data(Qt::AccessibleDescriptionRole).toString();
    QVERIFY(description.contains(QStringLiteral("users/alice/age")));
    QVERIFY(description.contains(QStringLiteral("integer")));
    QVERIFY(description.contains(QStringLiteral("30")));
}

QTEST_MAIN(TestWindow)
#include "tst_window.moc"
