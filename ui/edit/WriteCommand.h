#pragma once

#include "edit/EditRequest.h"
#include "edit/WritePlan.h"

#include <QUndoCommand>

namespace dust {

// One committed edit of the person's in the undo history (Edit ▸ History), its text the
// request's summary().
//
// Why the command does not write in undo()/redo(). QUndoStack calls them synchronously and
// moves its index at once, while a write is asynchronous and may be refused (an undo whose
// entry someone changed since must be refused and leave the index where it is). So the
// command only says what its undo and redo write (undoPlan(), redoPlan(), each conditional
// on the revision the last step produced) and EditController performs them: it sends the
// plan, and only when the server committed it does it record the new revision here
// (noteUndone / noteRedone) and move the stack (QUndoStack::undo()/redo(), which land in
// undo()/redo() below: bookkeeping only). A refused step shows the conflict dialog and the
// index does not move. Drive a stack holding these through EditController::undo()/redo()/
// goTo() (its actions and UndoHistoryView do), never through QUndoStack::undo() directly.
//
// Undo per kind: set, delete, put_file and merge write the base value back (a delete when
// nothing was there), conditional on the revision the redo produced; an increment is undone
// by the opposite increment, an added member by removing it (unless it was there before),
// a removed member by adding it back (set order may differ). Lease renew and release are not
// put on the stack (they cannot be undone: a released lease cannot be given back its token).
// A put_file's undo puts the previous file reference back (the uploaded blob stays stored).
class WriteCommand : public QUndoCommand
{
public:
    // `request` committed at `doneSeq` (the first redo(), from QUndoStack::push, is skipped).
    WriteCommand(const EditRequest &request, qint64 doneSeq, QUndoCommand *parent = nullptr);

    const EditRequest &request() const { return m_request; }
    bool isUndone() const { return m_undone; }
    qint64 doneSeq() const { return m_doneSeq; }
    qint64 undoneSeq() const { return m_undoneSeq; }

    WritePlan undoPlan() const { return WritePlan::undoOf(m_request, m_doneSeq); }
    WritePlan redoPlan() const { return WritePlan::redoOf(m_request, m_undoneSeq); }

    // The undo (redo) plan committed at `seq` (0 when it wrote nothing).
    void noteUndone(qint64 seq) { m_undoneSeq = seq; }
    void noteRedone(qint64 seq) { m_doneSeq = seq; }

    // Whether the kind belongs on the undo stack at all (not lease renew / release).
    static bool isUndoable(EditRequest::Kind kind);

    void undo() override;
    void redo() override;

private:
    EditRequest m_request;
    qint64 m_doneSeq = 0;
    qint64 m_undoneSeq = 0;
    bool m_undone = false;
};

} // namespace dust
