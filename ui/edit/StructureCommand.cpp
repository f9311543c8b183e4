#include "edit/StructureCommand.h"

#include <QUndoStack>

namespace dust {

StructureCommand::StructureCommand(const QString &text, QUndoCommand *parent)
    : QUndoCommand(text, parent)
{}

void StructureCommand::begin()
{
    m_busy = true;
    emit busyChanged(true);
}

void StructureCommand::keepStackOnFailure(QUndoStack *stack, StructureCommand *command)
{
    QObject::connect(
        command, &StructureCommand::stepFailed, command, [stack, command](bool wasUndo) {
            command->m_restoring = true;
            if (wasUndo)
                stack->redo(); // back over the command: its redo() sees m_restoring and returns
            else
                stack->undo();
            command->m_restoring = false;
        });
}

void StructureCommand::redo()
{
    if (m_restoring)
        return;
    if (m_firstRedo) {
        // Pushed after the change committed: nothing to do the first time.
        m_firstRedo = false;
        return;
    }
    if (m_busy) {
        emit finished(false,
                      tr("The previous undo or redo of \"%1\" is still running.").arg(text()));
        return;
    }
    m_lastWasUndo = false;
    begin();
    startRedo();
}

void StructureCommand::undo()
{
    if (m_restoring)
        return;
    if (m_busy) {
        emit finished(false,
                      tr("The previous undo or redo of \"%1\" is still running.").arg(text()));
        return;
    }
    m_lastWasUndo = true;
    begin();
    startUndo();
}

void StructureCommand::done(bool ok, const QString &report)
{
    m_lastReport = report;
    // The position goes back before anyone can take another step (Undo and Redo wait for
    // busyChanged(false)).
    if (!ok)
        emit stepFailed(m_lastWasUndo);
    m_busy = false;
    emit busyChanged(false);
    emit finished(ok, report);
}

} // namespace dust
