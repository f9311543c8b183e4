#include "edit/WriteCommand.h"

namespace dust {

WriteCommand::WriteCommand(const EditRequest &request, qint64 doneSeq, QUndoCommand *parent)
    : QUndoCommand(request.summary(), parent)
    , m_request(request)
    , m_doneSeq(doneSeq)
{}

bool WriteCommand::isUndoable(EditRequest::Kind kind)
{
    return kind != EditRequest::Kind::LeaseRenew && kind != EditRequest::Kind::LeaseRelease &&
           kind != EditRequest::Kind::PutTyped; // only ever an undo's write
}

void WriteCommand::undo()
{
    // The controller wrote the undo and recorded its revision before moving the stack.
    m_undone = true;
}

void WriteCommand::redo()
{
    // The first call comes from QUndoStack::push for a write already committed; later ones
    // follow a redo the controller wrote.
    m_undone = false;
}

} // namespace dust
