// ShortcutPriority: the window's Ctrl+letter commands reach their actions from a text field
// that claims such keys for Emacs-style editing (as QLineEdit does on Linux desktops with
// Ctrl+E, Ctrl+K, Ctrl+D …), while copy, cut, paste, undo, redo and select all stay with the
// field. The field here claims every key, as a Linux desktop's field claims those.

#include "window/ShortcutPriority.h"

#include <QAction>
#include <QDialog>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMainWindow>
#include <QSignalSpy>
#include <QTest>
#include <QVBoxLayout>

using namespace dust;

namespace {

// A field that takes every key as its own, as X11's Emacs bindings make QLineEdit take
// Ctrl+E, Ctrl+K, Ctrl+D, Ctrl+H …
class GreedyField : public QLineEdit
{
public:
    using QLineEdit::QLineEdit;
    int claimed = 0;

protected:
    bool event(QEvent *event) override
    {
        if (event->type() == QEvent::ShortcutOverride) {
            event->accept();
            const int key = static_cast<QKeyEvent *>(event)->key();
            if (key != Qt::Key_Control && key != Qt::Key_Shift && key != Qt::Key_Alt &&
                key != Qt::Key_Meta)
                ++claimed; // the modifiers' own presses are not counted
            return true;
        }
        return QLineEdit::event(event);
    }
};

struct Window
{
    QMainWindow window;
    GreedyField *field = new GreedyField(&window);
    QAction *exportData = add(QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction *palette = add(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    QAction *copyValue = add(QKeySequence::Copy);
    QAction *undo = add(QKeySequence::Undo);
    QAction *bookmark = add(QKeySequence(Qt::CTRL | Qt::Key_D));
    QAction *expand = add(QKeySequence(Qt::CTRL | Qt::Key_Right));

    explicit Window(bool withPriority)
    {
        if (withPriority)
            new ShortcutPriority(&window);
        bookmark->setEnabled(false);
        window.setCentralWidget(field);
        window.show();
    }

    QAction *add(const QKeySequence &keys)
    {
        auto *action = new QAction(&window);
        action->setShortcut(keys);
        window.addAction(action);
        return action;
    }

    bool focus()
    {
        window.activateWindow();
        field->setFocus();
        return QTest::qWaitForWindowActive(&window) &&
               QTest::qWaitFor([this] { return field->hasFocus(); });
    }
};

} // namespace

class TestShortcutPriority : public QObject
{
    Q_OBJECT

private slots:
    void keysFromAField_data();
    void keysFromAField();
    void withoutItTheFieldKeepsThem();
    void aDialogsFieldKeepsItsKeys();
};

void TestShortcutPriority::keysFromAField_data()
{
    QTest::addColumn<QKeySequence>("keys");
    QTest::addColumn<QString>("action"); // the one that runs; empty: the field keeps the key
    QTest::newRow("Ctrl+E: export") << QKeySequence(Qt::CTRL | Qt::Key_E) << u"export"_qs;
    QTest::newRow("Ctrl+Shift+P: palette")
        << QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P) << u"palette"_qs;
    QTest::newRow("Ctrl+C: the field copies") << QKeySequence(QKeySequence::Copy) << QString();
    QTest::newRow("Ctrl+Z: the field undoes") << QKeySequence(QKeySequence::Undo) << QString();
    QTest::newRow("Ctrl+D: its action is disabled")
        << QKeySequence(Qt::CTRL | Qt::Key_D) << QString();
    QTest::newRow("Ctrl+Right: not a letter")
        << QKeySequence(Qt::CTRL | Qt::Key_Right) << QString();
    QTest::newRow("Ctrl+Q: no action") << QKeySequence(Qt::CTRL | Qt::Key_Q) << QString();
}

void TestShortcutPriority::keysFromAField()
{
    QFETCH(QKeySequence, keys);
    QFETCH(QString, action);
    Window w(true);
    QVERIFY(w.focus());
    const QList<std::pair<QString, QAction *>> actions = {
        {u"export"_qs, w.exportData}, {u"palette"_qs, w.palette},   {u"copy"_qs, w.copyValue},
        {u"undo"_qs, w.undo},         {u"bookmark"_qs, w.bookmark}, {u"expand"_qs, w.expand}};
    QList<std::shared_ptr<QSignalSpy>> spies;
    for (const auto &[name, a] : actions)
        spies.append(std::make_shared<QSignalSpy>(a, &QAction::triggered));
    const int claimedBefore = w.field->claimed;
    QTest::keySequence(w.field, keys);
    for (qsizetype i = 0; i < actions.size(); ++i)
        QCOMPARE(spies[i]->count(), actions[i].first == action ? 1 : 0);
    // The field saw the key as its own exactly when no action took it.
    QCOMPARE(w.field->claimed > claimedBefore, action.isEmpty());
}

void TestShortcutPriority::withoutItTheFieldKeepsThem()
{
    Window w(false);
    QVERIFY(w.focus());
    QSignalSpy exported(w.exportData, &QAction::triggered);
    QTest::keySequence(w.field, QKeySequence(Qt::CTRL | Qt::Key_E));
    QCOMPARE(exported.count(), 0);
}

void TestShortcutPriority::aDialogsFieldKeepsItsKeys()
{
    Window w(true);
    QDialog dialog(&w.window);
    auto *field = new GreedyField(&dialog);
    (new QVBoxLayout(&dialog))->addWidget(field);
    auto *inDialog = new QAction(&dialog);
    inDialog->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    dialog.addAction(inDialog);
    dialog.show();
    dialog.activateWindow();
    field->setFocus();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QTRY_VERIFY(field->hasFocus());
    QSignalSpy exported(w.exportData, &QAction::triggered);
    QSignalSpy dialogs(inDialog, &QAction::triggered);
    QTest::keySequence(field, QKeySequence(Qt::CTRL | Qt::Key_E));
    QCOMPARE(exported.count(), 0);
    QCOMPARE(dialogs.count(), 0);
    QVERIFY(field->claimed > 0);
}

QTEST_MAIN(TestShortcutPriority)
#include "tst_shortcutpriority.moc"
