// Editing through the main window, as a person does it: the inspector's form saves through
// the tab's edit controller (conditional on the revision shown), the window's Undo/Redo take
// it back and forth, a change by another client while typing is noted in the form, and the
// Edit menu's New Entry, Rename and Delete (of a selection) go through their dialogs — all
// against a real dustlite over real sockets, read back over REST.
#include "InProcessDustlite.h"
#include "MainWindow.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "TestDialogs.h"
#include "TestSdkOptions.h"

#include "edit/ConflictDialog.h"
#include "edit/DeleteConfirmDialog.h"
#include "edit/EditController.h"
#include "edit/MoveDialog.h"
#include "edit/NewEntryDialog.h"
#include "edit/PathField.h"
#include "inspector/EntryEditor.h"
#include "inspector/InspectorPanel.h"
#include "inspector/ScalarForm.h"
#include "model/StoreTreeModel.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"
#include "window/StoreTab.h"
#include "window/TabEditing.h"
#include "window/WindowActions.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

using namespace dust;
using namespace dust::test;
using namespace std::chrono_literals;

namespace {

const QString kStore = QStringLiteral("local/demo");

// `poll`: how often the server's status is asked (REST writes are not pushed to sockets).
std::unique_ptr<SdkTransport> liveTransport(const QUrl &url, std::chrono::milliseconds poll = 200ms)
{
    SdkOptions o = sdkOptions(url, QStringLiteral("dust_tok_dev"));
    o.statusPollInterval = poll;
    return std::make_unique<SdkTransport>(o);
}

struct Fixture
{
    InProcessDustlite dustlite;
    std::unique_ptr<HttpTransport> rest;

    bool start()
    {
        if (!dustlite.start())
            return false;
        rest = std::make_unique<HttpTransport>(dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
        return dustlite.store()->bulkSet(
                   {{path(QStringLiteral("config/theme")), QStringLiteral("dark")},
                    {path(QStringLiteral("users/alice/age")), 30},
                    {path(QStringLiteral("users/alice/email")), QStringLiteral("a@x")},
                    {path(QStringLiteral("users/bob/age")), 40}},
                   QStringLiteral("dev")) > 0;
    }
    // The value on the server now (undefined when there is none).
    QJsonValue valueOf(const QString &rendered)
    {
        const auto entry = await(rest->get(kStore, path(rendered)));
        return entry ? entry->value : QJsonValue(QJsonValue::Undefined);
    }
};

StoreTab *openLive(MainWindow &window, Fixture &f, std::chrono::milliseconds poll = 200ms)
{
    StoreTab *tab = window.addStore(liveTransport(f.dustlite.wsUrl(), poll), kStore,
                                    {QStringLiteral("test"), false});
    if (!QTest::qWaitFor([tab] { return tab->model()->leafCount() == 4; }, 20000))
        qWarning("the store did not load");
    return tab;
}

// Selects `rendered` and waits until the inspector's form holds its value.
bool showInForm(StoreTab *tab, const QString &rendered, const QString &text)
{
    tab->goToPath(path(rendered));
    return QTest::qWaitFor(
        [&] {
            return tab->currentPath().rendered() == rendered &&
                   tab->inspector()->editor()->scalarForm()->lineEdit()->text() == text &&
                   tab->inspector()->editor()->scalarForm()->lineEdit()->isVisible();
        },
        20000);
}

void retype(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(edit, text);
}

} // namespace

class TestWindowEditing : public QObject
{
    Q_OBJECT
private slots:
    void formSavesAndWindowUndoes();
    void liveChangeWhileTypingIsNoted();
    void saveOverAnotherChangeAsksFirst();
    void movingOnAsksBeforeDroppingAnEdit();
    void newEntryAndUndo();
    void renameFromTheWindow();
    void deleteSelectionAndUndo();
};

void TestWindowEditing::formSavesAndWindowUndoes()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *tab = openLive(window, f);
    QVERIFY(showInForm(tab, QStringLiteral("config/theme"), QStringLiteral("dark")));
    QVERIFY(!window.actions()->undo->isEnabled());

    QLineEdit *line = tab->inspector()->editor()->scalarForm()->lineEdit();
    retype(line, QStringLiteral("light"));
    QVERIFY2(tab->inspector()->editor()->previewText().contains(QStringLiteral("if revision")),
             qPrintable(tab->inspector()->editor()->previewText()));
    QTest::keyClick(line, Qt::Key_Return, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(f.valueOf(QStringLiteral("config/theme")),
                              QJsonValue(QStringLiteral("light")), 20000);

    // The window's Undo writes the old value back; Redo the new one.
    QTRY_VERIFY(window.actions()->undo->isEnabled());
    QVERIFY2(window.actions()->undo->text().contains(QStringLiteral("config/theme")),
             qPrintable(window.actions()->undo->text()));
    window.actions()->undo->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(f.valueOf(QStringLiteral("config/theme")),
                              QJsonValue(QStringLiteral("dark")), 20000);
    QTRY_VERIFY(window.actions()->redo->isEnabled());
    window.actions()->redo->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(f.valueOf(QStringLiteral("config/theme")),
                              QJsonValue(QStringLiteral("light")), 20000);
}

void TestWindowEditing::liveChangeWhileTypingIsNoted()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *tab = openLive(window, f);
    QVERIFY(showInForm(tab, QStringLiteral("config/theme"), QStringLiteral("dark")));
    QLineEdit *line = tab->inspector()->editor()->scalarForm()->lineEdit();
    retype(line, QStringLiteral("mine"));

    // Another client changes the entry over its own socket.
    auto other = liveTransport(f.dustlite.wsUrl());
    QVERIFY(
        await(other->put(kStore, path(QStringLiteral("config/theme")), QStringLiteral("theirs"))));
    QTRY_VERIFY_WITH_TIMEOUT(tab->inspector()->editor()->bannerText().contains(other->deviceId()),
                             20000);
    QCOMPARE(line->text(), QStringLiteral("mine")); // the input is kept
}

void TestWindowEditing::saveOverAnotherChangeAsksFirst()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *tab = openLive(window, f, std::chrono::hours(1)); // no status poll
    QVERIFY(showInForm(tab, QStringLiteral("config/theme"), QStringLiteral("dark")));
    // Another client changes it over REST (not pushed to sockets): the form does not know.
    QVERIFY(
        await(f.rest->put(kStore, path(QStringLiteral("config/theme")), QStringLiteral("theirs"))));

    QSignalSpy conflicts(tab->editing()->controller(), &EditController::conflictRaised);
    QLineEdit *line = tab->inspector()->editor()->scalarForm()->lineEdit();
    retype(line, QStringLiteral("mine"));
    QTest::keyClick(line, Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(conflicts.wait(20000));
    auto *dialog = conflicts.first().first().value<ConflictDialog *>();
    QVERIFY(dialog);
    // Theirs is what the server holds now (the live mirror has not seen the REST write yet).
    QVERIFY2(dialog->theirsText().contains(QStringLiteral("theirs")),
             qPrintable(dialog->theirsText()));
    QVERIFY2(dialog->mineText().contains(QStringLiteral("mine")), qPrintable(dialog->mineText()));
    // Keep mine writes nothing: theirs stays on the server, my text stays in the form.
    dialog->button(ConflictDialog::Choice::KeepMine)->click();
    QTRY_COMPARE(line->text(), QStringLiteral("mine"));
    QCOMPARE(f.valueOf(QStringLiteral("config/theme")), QJsonValue(QStringLiteral("theirs")));

    // Save again: still behind the server, asked again; Overwrite writes mine on their
    // revision, and the form says it is saved (it was sent with another precondition).
    QTest::keyClick(line, Qt::Key_Return, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(conflicts.size(), 2, 20000);
    dialog = conflicts.last().first().value<ConflictDialog *>();
    QVERIFY(dialog);
    dialog->button(ConflictDialog::Choice::Overwrite)->click();
    QTRY_COMPARE_WITH_TIMEOUT(f.valueOf(QStringLiteral("config/theme")),
                              QJsonValue(QStringLiteral("mine")), 20000);
    QTRY_VERIFY2(tab->inspector()->editor()->statusText().startsWith(QStringLiteral("Saved")),
                 qPrintable(tab->inspector()->editor()->statusText()));
    QVERIFY(!tab->inspector()->editor()->isSaving());
}

void TestWindowEditing::movingOnAsksBeforeDroppingAnEdit()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *tab = openLive(window, f);
    QVERIFY(showInForm(tab, QStringLiteral("config/theme"), QStringLiteral("dark")));
    QLineEdit *line = tab->inspector()->editor()->scalarForm()->lineEdit();
    retype(line, QStringLiteral("typed"));

    // Keep Editing: the selection goes back and the typed text is still there.
    QString question;
    whenModal<QMessageBox>(this, [&](QMessageBox *box) {
        question = box->text();
        box->escapeButton()->click();
    });
    tab->goToPath(path(QStringLiteral("users/bob/age")));
    QTRY_VERIFY(!question.isEmpty());
    QVERIFY2(question.contains(QStringLiteral("config/theme")), qPrintable(question));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("config/theme"));
    QCOMPARE(line->text(), QStringLiteral("typed"));
    QVERIFY(tab->inspector()->hasUnsavedEdit());

    // Discard: the selection moves on and the edit is gone (nothing was written).
    whenModal<QMessageBox>(this, [&](QMessageBox *box) {
        for (QAbstractButton *button : box->buttons()) {
            if (box->buttonRole(button) == QMessageBox::DestructiveRole)
                button->click();
        }
    });
    tab->goToPath(path(QStringLiteral("users/bob/age")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("users/bob/age"));
    QTRY_VERIFY(!tab->inspector()->hasUnsavedEdit());
    QCOMPARE(f.valueOf(QStringLiteral("config/theme")), QJsonValue(QStringLiteral("dark")));
}

void TestWindowEditing::newEntryAndUndo()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *tab = openLive(window, f);
    tab->goToPath(path(QStringLiteral("users/bob")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("users/bob"));

    // "a/b" is one segment: written as a~1b.
    bool shown = false;
    whenModal<NewEntryDialog>(this, [&](NewEntryDialog *dialog) {
        shown = true;
        QCOMPARE(dialog->parentField()->lineEdit()->text(), QStringLiteral("users/bob"));
        dialog->nameField()->lineEdit()->setText(QStringLiteral("nick/name"));
        dialog->setValueType(NewEntryDialog::ValueType::String);
        dialog->valueEdit()->setPlainText(QStringLiteral("bobby"));
        dialog->accept();
    });
    window.actions()->newEntry->trigger();
    QTRY_VERIFY(shown);
    QTRY_COMPARE_WITH_TIMEOUT(f.valueOf(QStringLiteral("users/bob/nick~1name")),
                              QJsonValue(QStringLiteral("bobby")), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(
        tab->model()->index(path(QStringLiteral("users/bob/nick~1name"))).isValid(), 20000);

    QTRY_VERIFY(window.actions()->undo->isEnabled());
    window.actions()->undo->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(f.valueOf(QStringLiteral("users/bob/nick~1name")).isUndefined(),
                             20000);
}

void TestWindowEditing::renameFromTheWindow()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    // No status poll within the test: the move (REST, not pushed) must be asked for at once.
    StoreTab *tab = openLive(window, f, std::chrono::hours(1));
    tab->goToPath(path(QStringLiteral("users/alice")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("users/alice"));

    bool shown = false;
    whenModal<MoveDialog>(this, [&](MoveDialog *dialog) {
        shown = true;
        dialog->field()->lineEdit()->setText(QStringLiteral("carol"));
        dialog->accept();
    });
    window.actions()->rename->trigger();
    QTRY_VERIFY(shown);
    // Moved in one batch over REST; the live tree learns of it without waiting for a poll.
    QTRY_COMPARE_WITH_TIMEOUT(f.valueOf(QStringLiteral("users/carol/age")), QJsonValue(30), 20000);
    QVERIFY(f.valueOf(QStringLiteral("users/alice/age")).isUndefined());
    QTRY_VERIFY_WITH_TIMEOUT(
        tab->model()->index(path(QStringLiteral("users/carol/email"))).isValid(), 20000);

    // Undo moves it back.
    QTRY_VERIFY(window.actions()->undo->isEnabled());
    window.actions()->undo->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(f.valueOf(QStringLiteral("users/alice/email")),
                              QJsonValue(QStringLiteral("a@x")), 20000);
    QVERIFY(f.valueOf(QStringLiteral("users/carol/age")).isUndefined());
}

void TestWindowEditing::deleteSelectionAndUndo()
{
    Fixture f;
    QVERIFY(f.start());
    MainWindow window;
    window.show();
    StoreTab *tab = openLive(window, f);
    // Two rows selected (the second with Ctrl, as a person does).
    tab->goToPath(path(QStringLiteral("users/alice")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("users/alice"));
    const QModelIndex theme = tab->model()->index(path(QStringLiteral("config/theme")));
    QVERIFY(theme.isValid());
    tab->treeView()->expand(theme.parent());
    tab->treeView()->selectionModel()->select(theme, QItemSelectionModel::Select |
                                                         QItemSelectionModel::Rows);
    QCOMPARE(tab->selectedPaths(), (QList<Path>{path(QStringLiteral("config/theme")),
                                                path(QStringLiteral("users/alice"))}));

    QString question;
    whenModal<DeleteConfirmDialog>(this, [&](DeleteConfirmDialog *dialog) {
        question = dialog->messageText();
        dialog->deleteButton()->click();
    });
    window.actions()->deleteEntry->trigger();
    QTRY_VERIFY(!question.isEmpty());
    QVERIFY2(question.contains(QStringLiteral("config/theme")) &&
                 question.contains(QStringLiteral("users/alice")) &&
                 question.contains(QStringLiteral("3")),
             qPrintable(question));
    QTRY_VERIFY_WITH_TIMEOUT(f.valueOf(QStringLiteral("config/theme")).isUndefined(), 20000);
    QVERIFY(f.valueOf(QStringLiteral("users/alice/age")).isUndefined());
    QCOMPARE(f.valueOf(QStringLiteral("users/bob/age")), QJsonValue(40));
    QTRY_COMPARE_WITH_TIMEOUT(tab->model()->leafCount(), 1, 20000);

    // Undo puts the three leaves back.
    QTRY_VERIFY(window.actions()->undo->isEnabled());
    window.actions()->undo->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(f.valueOf(QStringLiteral("users/alice/email")),
                              QJsonValue(QStringLiteral("a@x")), 20000);
    QCOMPARE(f.valueOf(QStringLiteral("config/theme")), QJsonValue(QStringLiteral("dark")));
    QTRY_COMPARE_WITH_TIMEOUT(tab->model()->leafCount(), 4, 20000);
}

QTEST_MAIN(TestWindowEditing)
#include "tst_windowediting.moc"
