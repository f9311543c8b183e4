#pragma once

#include <QDialog>

class QLabel;
class QPushButton;
class QUndoView;

namespace dust {

class EditController;

// Edit ▸ History: a small non-modal dialog listing the session's edits of one store (a
// QUndoView over EditController::undoStack()), with Undo and Redo buttons and a line saying
// what the last step did or why it was refused. Choosing a row (click, or arrows and Enter)
// asks the controller to step there (EditController::goTo): each step is a conditional write
// and the list's mark moves only when the server committed it, so the view's selection is
// its own and follows the stack instead of driving it directly. Owns only its widgets.
class UndoHistoryView : public QDialog
{
    Q_OBJECT
public:
    explicit UndoHistoryView(EditController *controller, QWidget *parent = nullptr);

    QUndoView *view() const { return m_view; }
    // The last step's outcome as shown.
    QString statusText() const;

private:
    void followStack();

    EditController *m_controller;
    QUndoView *m_view;
    QLabel *m_status;
    QPushButton *m_undo;
    QPushButton *m_redo;
    bool m_following = false;
};

} // namespace dust
