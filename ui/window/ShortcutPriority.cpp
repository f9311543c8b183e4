#include "window/ShortcutPriority.h"

#include <QAction>
#include <QApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QWidget>

namespace dust {

ShortcutPriority::ShortcutPriority(QWidget *window)
    : QObject(window)
    , m_window(window)
{
    qApp->installEventFilter(this);
}

bool ShortcutPriority::windowWins(const QKeyEvent &event) const
{
    const Qt::KeyboardModifiers modifiers = event.modifiers();
    if (!(modifiers & Qt::ControlModifier) || event.key() < Qt::Key_A || event.key() > Qt::Key_Z)
        return false;
    for (const auto editing : {QKeySequence::Copy, QKeySequence::Cut, QKeySequence::Paste,
                               QKeySequence::Undo, QKeySequence::Redo, QKeySequence::SelectAll}) {
        if (event.matches(editing))
            return false;
    }
    const QKeySequence pressed(event.keyCombination());
    const auto actions = m_window->findChildren<QAction *>();
    for (const QAction *action : actions) {
        if (!action->isEnabled() || action->shortcutContext() == Qt::WidgetShortcut ||
            action->shortcutContext() == Qt::WidgetWithChildrenShortcut)
            continue;
        if (action->shortcuts().contains(pressed))
            return true;
    }
    return false;
}

bool ShortcutPriority::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::ShortcutOverride)
        return false;
    const auto *field = qobject_cast<QLineEdit *>(watched);
    if (!field || field->window() != m_window)
        return false;
    // Not seen by the field, the override stays unaccepted and the shortcut runs.
    return windowWins(*static_cast<QKeyEvent *>(event));
}

} // namespace dust
