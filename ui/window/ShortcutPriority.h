#pragma once

#include <QObject>

class QKeyEvent;
class QWidget;

namespace dust {

// Lets the window's own commands win over a text field's Emacs-style keys. On Linux desktops
// a QLineEdit claims Ctrl+E (end of line), Ctrl+K (delete to the end of the line), Ctrl+D
// (delete), Ctrl+F, Ctrl+H … as editing keys, so Export, the command palette, Bookmark,
// Filter and Edit ▸ History did nothing while the filter field or any other field had focus.
//
// Installed on the application, it watches the ShortcutOverride of a line edit in `window`:
// a Ctrl+letter sequence that is the shortcut of one of the window's enabled actions goes to
// the action. The keys of real text editing stay with the field: copy, cut, paste, undo,
// redo and select all, and every key without Ctrl or that is not a letter.
class ShortcutPriority : public QObject
{
    Q_OBJECT
public:
    // Watches `window` (also its parent, so it goes with it); installs itself on qApp.
    explicit ShortcutPriority(QWidget *window);

    // Whether `event` (a ShortcutOverride for a line edit) should go to a window action.
    bool windowWins(const QKeyEvent &event) const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QWidget *m_window;
};

} // namespace dust
