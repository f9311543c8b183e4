#include "edit/StructureCommand.h"

namespace dust {

StructureCommand::StructureCommand(const QString &text, QUndoCommand *parent)
    : QUndoCommand(text, parent)
{}

void StructureCommand::begin()
{
    m_busy = true;
    emit busyChanged(true);
}

void StructureCommand::redo()
{
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
    begin();
    startRedo();
}

void StructureCommand::undo()
{
    if (m_busy) {
        emit finished(false,
                      tr("The previous undo or redo of \"%1\" is still running.").arg(text()));
        return;
    }
    begin();
    startUndo();
}

void StructureCommand::done(bool ok, const QString &report)
{
    m_lastReport = report;
    m_busy = false;
    emit busyChanged(false);
    emit finished(ok, report);
}

} // namespace dust
