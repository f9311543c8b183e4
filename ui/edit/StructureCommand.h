#pragma once

#include <QObject>
#include <QString>
#include <QUndoCommand>

class QUndoStack;

namespace dust {

// The base of the undo commands of structure edits (CreateCommand, MoveCommand,
// DeleteSubtreeCommand): asynchronous writes behind QUndoCommand's synchronous redo()/undo().
//
// How it is honest about time: a command is made from a change that has ALREADY committed
// (the create, move or delete job finished with ok), and QUndoStack::push() calls redo()
// at once — that first redo() does nothing. Every later undo()/redo() starts the writes and
// returns; busyChanged(true) comes at once, and finished(ok, report) with busyChanged(false)
// when the server answered. While a command is busy the lead disables Undo and Redo (the
// stack cannot wait). Every write an undo or redo makes is conditional on what the command
// saw (revisions, absence), so a failed one changes nothing it should not; the report says
// what happened. A failed step asks for the stack's position back (stepFailed()): with
// keepStackOnFailure() the stack returns to where it was, without writing anything, so the
// history still matches the store and trying again is the same Undo or Redo.
class StructureCommand : public QObject, public QUndoCommand
{
    Q_OBJECT
public:
    explicit StructureCommand(const QString &text, QUndoCommand *parent = nullptr);

    void redo() final;
    void undo() final;

    bool isBusy() const { return m_busy; }

    // Connects `command` so that a failed undo (redo) of it moves `stack` forward (back) over
    // it again, without writing: the position matches what the store holds.
    static void keepStackOnFailure(QUndoStack *stack, StructureCommand *command);
    const QString &lastReport() const { return m_lastReport; }

signals:
    void busyChanged(bool busy);
    void finished(bool ok, const QString &report);
    // The undo (`wasUndo`) or redo just reported failed: the stack should step back over this
    // command without it writing (see keepStackOnFailure()).
    void stepFailed(bool wasUndo);

protected:
    virtual void startRedo() = 0;
    virtual void startUndo() = 0;
    // Subclasses call this exactly once per startRedo()/startUndo().
    void done(bool ok, const QString &report);

private:
    void begin();

    bool m_firstRedo = true;
    bool m_lastWasUndo = false;
    bool m_restoring = false; // the next undo()/redo() only puts the stack's position back
    bool m_busy = false;
    QString m_lastReport;
};

} // namespace dust
