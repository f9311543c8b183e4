#pragma once

#include "edit/ConflictDialog.h"
#include "edit/EditRequest.h"
#include "edit/WritePlan.h"
#include "protocol/Entry.h"
#include "protocol/Error.h"
#include "transport/Transport.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <list>
#include <memory>
#include <optional>

class QUndoStack;
class QWidget;

namespace dust {

class SdkTransport;
class Transport;
class WriteCommand;

// The one place an open store's edits are written (one per open store). Forms make
// EditRequests and submit() them here; the controller writes them conditionally as they say
// (WritePlan), keeps them on its undo stack, explains refusals in words, and runs the
// conflict flow. It never writes a value the person did not see: a save carries if_match with
// the revision shown (if_absent for a create), an object or interior path is read and
// compared just before it is written (see WritePlan for the window that leaves), and a merge
// checks each changed child the same way. Increments and set add/remove commute and are sent
// unconditionally.
//
// Conflicts. A refused write (the server's conflict, or a check that found the entry moved
// on) reads "theirs" with Transport::get (and who changed it from the audit log when the
// transport has one) and opens a ConflictDialog (non-blocking, parented to
// setDialogParent()): Reload emits reloaded() with theirs (nothing written), Overwrite writes
// the same change again conditional on their revision (a further conflict brings the dialog
// back), Keep mine emits keepEditing() (nothing written).
//
// Undo/redo. undoStack() holds a WriteCommand per committed edit (other engineers' commands
// may be pushed onto it too: those undo themselves). undo()/redo()/goTo() write the step as a
// conditional write and move the stack only once the server committed it; a step whose entry
// changed since is refused with the conflict dialog and the index stays. Steps, saves and
// dialogs run one at a time, in the order asked.
//
// Permissions. canWrite() is false while setReadOnly(true) (a read-only profile or
// --read-only), and once the server said the token may not write: the join reply's
// permissions over the WebSocket (SdkTransport::permissions / storeJoined), the status
// event's can_write where a transport answers it, or a write refused with Forbidden (403). A
// REST-only transport (anything but SdkTransport) cannot merge, increment, add/remove set
// members, renew or release leases or upload files: whyUnsupported() says so and submit()
// refuses them with that reason.
class EditController : public QObject
{
    Q_OBJECT
public:
    EditController(Transport *transport, const QString &store, QObject *parent = nullptr);
    ~EditController() override;

    const QString &store() const { return m_store; }
    // The session's edits (the window's Undo and Redo call undo() and redo()).
    QUndoStack *undoStack() const { return m_stack; }

    // Whether edits may be offered at all; if not, why in words (empty when writable).
    bool canWrite() const { return !m_profileReadOnly && !m_tokenReadOnly; }
    QString whyReadOnly() const;
    // The profile (or --read-only) forbids writing; `why` is shown as whyReadOnly().
    void setReadOnly(bool readOnly, const QString &why);

    // Empty when `kind` can be submitted now; otherwise the reason in words: whyReadOnly(), or
    // for the WebSocket-only kinds over a REST-only transport, that this connection lacks them.
    QString whyUnsupported(EditRequest::Kind kind) const;

    // Writes `request` (after those before it): saved() when committed, failed() with words
    // when refused (the form keeps the input), the conflict flow on a conflict.
    void submit(const EditRequest &request);

    // One step back / forward in undoStack(), written to the server first (see above).
    void undo();
    void redo();
    // Steps until the stack's index is `index` (a row of the history view); stops at the
    // first refused step.
    void goTo(int index);

    // Whether a save, a step or a conflict dialog is under way.
    bool isBusy() const;

    // Whether undo() / redo() would take a step now (something to take, and the store is
    // writable). The window's Undo and Redo actions follow these.
    bool canUndo() const;
    bool canRedo() const;

    // Where conflict dialogs are parented (the main window); nullptr = top-level.
    void setDialogParent(QWidget *parent) { m_dialogParent = parent; }
    // Where the checks before a write, "theirs" of a conflict and who changed it are read
    // (not owned; default: the writing transport). A live store's mirror has not seen another
    // client's REST write until its next status poll (dust-protocol.md §5.10), so the window
    // gives its REST transport: a conflict then shows what the server holds now.
    void setReadTransport(Transport *reader);

signals:
    void writableChanged(bool writable);
    void saved(const dust::EditRequest &request, qint64 storeSeq);
    void failed(const dust::EditRequest &request, const QString &words);
    // Keep mine: nothing was written; the form keeps (or gets back) the request's value.
    void keepEditing(const dust::EditRequest &request);
    // Reload: nothing was written; show `theirs` (Undefined when the entry is gone) at
    // `theirRevision` instead of the person's edit.
    void reloaded(const dust::EditRequest &request, const QJsonValue &theirs, qint64 theirRevision);
    // An undo or redo committed (storeSeq 0 when it had nothing to write).
    void undone(const dust::EditRequest &request, qint64 storeSeq);
    void redone(const dust::EditRequest &request, qint64 storeSeq);
    // An undo or redo was refused or failed, in words; the stack did not move.
    void historyStepFailed(const QString &words);
    // A conflict dialog was opened (for the window's status, and for tests to drive it).
    void conflictRaised(dust::ConflictDialog *dialog);
    void busyChanged(bool busy);

private:
    // A PutTyped write: one import line over the reader.
    QFuture<Result<WriteResult>> putTyped(const EditRequest &write);
    struct Job;
    struct Run;

    void enqueue(Job job);
    void processNext();
    void startJob(Job job);
    void readChecks(const std::shared_ptr<Run> &run, int index);
    void sendWrites(const std::shared_ptr<Run> &run, int index);
    void raiseConflict(const std::shared_ptr<Run> &run);
    void showConflict(const std::shared_ptr<Run> &run, const std::optional<Entry> &theirs,
                      const QString &device);
    void onChoice(const std::shared_ptr<Run> &run, const std::optional<Entry> &theirs,
                  ConflictDialog::Choice choice);
    void succeed(const std::shared_ptr<Run> &run);
    void fail(const std::shared_ptr<Run> &run, const Error &error);
    // After the command at `index` was undone (redone) at `seq`: the neighbouring edit of the
    // same path now stands at that revision, so its own step stays conditional on the truth.
    void handOverRevision(int index, bool undone, qint64 seq);
    void finishJob();
    void setTokenReadOnly(bool readOnly, const QString &why);
    void stepTowardTarget();

    QPointer<Transport> m_transport;
    QPointer<Transport> m_reader;
    Transport *reader() const;
    QPointer<SdkTransport> m_sdk; // the same transport when it is the WebSocket one
    QString m_store;
    QUndoStack *m_stack;
    QPointer<QWidget> m_dialogParent;
    bool m_profileReadOnly = false;
    QString m_profileWhy;
    bool m_tokenReadOnly = false;
    QString m_tokenWhy;
    std::list<Job> m_queue; // waiting, in order
    bool m_running = false;
    std::optional<int> m_target; // goTo()'s index
};

} // namespace dust
