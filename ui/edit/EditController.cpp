#include "edit/EditController.h"

#include "edit/WriteCommand.h"
#include "edit/WriteErrorText.h"
#include "transport/SdkTransport.h"
#include "transport/Transport.h"

#include <QJsonObject>
#include <QUndoStack>
#include <QWidget>

#include <chrono>

namespace dust {

using Kind = EditRequest::Kind;

// What the person asked for: a save, or a step through the history.
struct EditController::Job
{
    enum class Purpose { Submit, Undo, Redo };
    Purpose purpose = Purpose::Submit;
    EditRequest request;           // Submit: the request; Undo/Redo: the command's
    std::optional<WritePlan> plan; // set for an Overwrite; otherwise made when the job starts
};

// One job under way: its plan, what the checks read, the seq of the last write.
struct EditController::Run
{
    Job job;
    WritePlan plan;
    WriteCommand *command = nullptr;  // Undo/Redo: the command stepped over
    int commandIndex = -1;            // and its index in the stack
    QList<std::optional<Entry>> seen; // per check
    qint64 lastSeq = 0;
};

namespace {

bool needsWebSocket(Kind kind)
{
    switch (kind) {
    case Kind::Merge:
    case Kind::Increment:
    case Kind::AddMember:
    case Kind::RemoveMember:
    case Kind::LeaseRenew:
    case Kind::LeaseRelease:
    case Kind::PutFile:
        return true;
    case Kind::Set:
    case Kind::Delete:
    case Kind::PutTyped: // over REST (the reader)
        break;
    }
    return false;
}

QString tokenReadOnlyText(const QString &store)
{
    return EditController::tr("This token may only read %1: the server granted it no write "
                              "permission (it lacks the entries:write scope or access to this "
                              "store). Connect with a token that may write to edit.")
        .arg(store);
}

} // namespace

EditController::EditController(Transport *transport, const QString &store, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_sdk(qobject_cast<SdkTransport *>(transport))
    , m_store(store)
    , m_stack(new QUndoStack(this))
{
    if (m_sdk) {
        if (const auto permissions = m_sdk->permissions(store); permissions && !permissions->write)
            setTokenReadOnly(true, tokenReadOnlyText(store));
        connect(m_sdk, &SdkTransport::storeJoined, this,
                [this](const QString &joined, const sdk::StorePermissions &permissions) {
                    if (joined == m_store)
                        setTokenReadOnly(!permissions.write, tokenReadOnlyText(m_store));
                });
    } else if (m_transport) {
        // Where the transport answers the status (REST does not), its can_write counts too.
        m_transport->status(store).then(this, [this](const Result<StoreStatus> &status) {
            if (status && !status->canWrite)
                setTokenReadOnly(true, tokenReadOnlyText(m_store));
        });
    }
}

EditController::~EditController() = default;

bool EditController::isBusy() const
{
    return m_running || !m_queue.empty();
}

QString EditController::whyReadOnly() const
{
    if (m_profileReadOnly)
        return m_profileWhy.isEmpty() ? tr("This connection is read-only.") : m_profileWhy;
    if (m_tokenReadOnly)
        return m_tokenWhy;
    return {};
}

void EditController::setReadOnly(bool readOnly, const QString &why)
{
    const bool before = canWrite();
    m_profileReadOnly = readOnly;
    m_profileWhy = why;
    if (before != canWrite())
        emit writableChanged(canWrite());
}

void EditController::setTokenReadOnly(bool readOnly, const QString &why)
{
    const bool before = canWrite();
    m_tokenReadOnly = readOnly;
    m_tokenWhy = readOnly ? why : QString();
    if (before != canWrite())
        emit writableChanged(canWrite());
}

QString EditController::whyUnsupported(Kind kind) const
{
    if (!canWrite())
        return whyReadOnly();
    if (!m_transport)
        return tr("The store is closed.");
    if (!m_sdk && needsWebSocket(kind)) {
        EditRequest probe;
        probe.kind = kind;
        return tr("\"%1\" needs the live (WebSocket) connection, and this profile connects over "
                  "REST only, which has no such operation. Open the store with a realtime "
                  "profile to use it; set and delete work here.")
            .arg(probe.opName());
    }
    return {};
}

void EditController::submit(const EditRequest &request)
{
    if (const QString why = whyUnsupported(request.kind); !why.isEmpty()) {
        emit failed(request, why);
        return;
    }
    Job job;
    job.request = request;
    enqueue(std::move(job));
}

void EditController::setReadTransport(Transport *reader)
{
    m_reader = reader;
}

Transport *EditController::reader() const
{
    return m_reader ? m_reader.data() : m_transport.data();
}

void EditController::undo()
{
    Job job;
    job.purpose = Job::Purpose::Undo;
    enqueue(std::move(job));
}

void EditController::redo()
{
    Job job;
    job.purpose = Job::Purpose::Redo;
    enqueue(std::move(job));
}

void EditController::goTo(int index)
{
    if (index < 0 || index > m_stack->count())
        return;
    m_target = index;
    if (!isBusy())
        stepTowardTarget();
}

void EditController::stepTowardTarget()
{
    if (!m_target)
        return;
    if (*m_target == m_stack->index()) {
        m_target.reset();
        return;
    }
    if (*m_target < m_stack->index())
        undo();
    else
        redo();
}

bool EditController::canUndo() const
{
    return m_stack->canUndo() && canWrite();
}

bool EditController::canRedo() const
{
    return m_stack->canRedo() && canWrite();
}

// ---- the queue ---------------------------------------------------------------------------

void EditController::enqueue(Job job)
{
    const bool wasBusy = isBusy();
    m_queue.push_back(std::move(job));
    if (!wasBusy)
        emit busyChanged(true);
    processNext();
}

void EditController::processNext()
{
    if (m_running || m_queue.empty())
        return;
    Job job = std::move(m_queue.front());
    m_queue.pop_front();
    m_running = true;
    startJob(std::move(job));
}

void EditController::finishJob()
{
    m_running = false;
    if (!m_queue.empty()) {
        processNext();
        return;
    }
    if (m_target) {
        stepTowardTarget();
        if (isBusy())
            return;
    }
    emit busyChanged(false);
}

void EditController::startJob(Job job)
{
    auto run = std::make_shared<Run>();
    if (!m_transport) {
        run->job = std::move(job);
        fail(run, Error(Error::Kind::Cancelled, tr("the store was closed")));
        return;
    }
    if (job.purpose != Job::Purpose::Submit) {
        if (!canWrite()) {
            m_target.reset();
            emit historyStepFailed(whyReadOnly());
            finishJob();
            return;
        }
        const bool back = job.purpose == Job::Purpose::Undo;
        const int index = back ? m_stack->index() - 1 : m_stack->index();
        if (index < 0 || index >= m_stack->count()) {
            m_target.reset();
            finishJob();
            return;
        }
        auto *command =
            dynamic_cast<WriteCommand *>(const_cast<QUndoCommand *>(m_stack->command(index)));
        if (!command) {
            // Another kind of command (create, rename, move …) writes for itself.
            if (back)
                m_stack->undo();
            else
                m_stack->redo();
            finishJob();
            return;
        }
        run->command = command;
        run->commandIndex = index;
        job.request = command->request();
        if (!job.plan)
            job.plan = back ? command->undoPlan() : command->redoPlan();
    } else {
        // The store may have become read-only while this save waited for the one before.
        if (const QString why = whyUnsupported(job.request.kind); !why.isEmpty()) {
            emit failed(job.request, why);
            finishJob();
            return;
        }
        if (!job.plan)
            job.plan = WritePlan::forRequest(job.request);
    }
    run->plan = *job.plan;
    run->job = std::move(job);
    readChecks(run, 0);
}

// ---- performing a plan -------------------------------------------------------------------

void EditController::readChecks(const std::shared_ptr<Run> &run, int index)
{
    if (index >= run->plan.checks.size()) {
        for (qsizetype i = 0; i < run->plan.checks.size(); ++i) {
            if (!WritePlan::satisfied(run->plan.checks[i], run->seen[i])) {
                raiseConflict(run);
                return;
            }
        }
        sendWrites(run, 0);
        return;
    }
    reader()
        ->get(m_store, run->plan.checks[index].path)
        .then(this, [this, run, index](const Result<Entry> &entry) {
            if (entry) {
                run->seen.append(*entry);
            } else if (entry.error().kind() == Error::Kind::NotFound &&
                       entry.error().reason() != QLatin1String("store_archived")) {
                run->seen.append(std::nullopt);
            } else {
                fail(run, entry.error());
                return;
            }
            readChecks(run, index + 1);
        });
}

void EditController::sendWrites(const std::shared_ptr<Run> &run, int index)
{
    if (index >= run->plan.writes.size()) {
        succeed(run);
        return;
    }
    if (!m_transport) {
        fail(run, Error(Error::Kind::Cancelled, tr("the store was closed")));
        return;
    }
    const EditRequest &w = run->plan.writes[index];
    QFuture<Result<WriteResult>> future;
    WriteOptions options;
    options.ifMatch = w.ifMatch;
    options.ifAbsent = w.ifAbsent;
    switch (w.kind) {
    case Kind::Set:
        future = m_transport->put(m_store, w.path, w.value, options);
        break;
    case Kind::Delete:
        options.ifAbsent = false;
        future = m_transport->remove(m_store, w.path, options);
        break;
    case Kind::Merge:
        future = m_transport->merge(m_store, w.path, w.value.toObject());
        break;
    case Kind::Increment:
        future = m_transport->increment(m_store, w.path, w.value.toDouble());
        break;
    case Kind::AddMember:
        future = m_transport->addMember(m_store, w.path, w.value);
        break;
    case Kind::RemoveMember:
        future = m_transport->removeMember(m_store, w.path, w.value);
        break;
    case Kind::LeaseRenew:
    case Kind::LeaseRelease:
    case Kind::PutFile:
        if (!m_sdk) {
            fail(run, Error::notSupported(whyUnsupported(w.kind)));
            return;
        }
        if (w.kind == Kind::LeaseRenew)
            future = m_sdk->renew(m_store, w.path, w.leaseToken,
                                  std::chrono::milliseconds(w.leaseTtlMs));
        else if (w.kind == Kind::LeaseRelease)
            future = m_sdk->release(m_store, w.path, w.leaseToken);
        else
            future = m_sdk->putFile(m_store, w.path, w.fileContent, w.fileName, w.contentType);
        break;
    case Kind::PutTyped:
        future = putTyped(w);
        break;
    }
    future.then(this, [this, run, index](const Result<WriteResult> &result) {
        if (!result) {
            const Error &error = result.error();
            if (error.kind() == Error::Kind::Conflict &&
                (error.reason() == QLatin1String("conflict") ||
                 error.reason() == QLatin1String("exists")))
                raiseConflict(run);
            else
                fail(run, error);
            return;
        }
        if (result->storeSeq > 0)
            run->lastSeq = result->storeSeq;
        sendWrites(run, index + 1);
    });
}

QFuture<Result<WriteResult>> EditController::putTyped(const EditRequest &w)
{
    // One import line keeps the type; the import answers per line, and a refused line is
    // this write's failure, in the server's words.
    const QByteArray line = Transport::importLine(w.path, w.value, w.valueType);
    return reader()
        ->importLines(m_store, line)
        .then([path = w.path](const Result<ImportReply> &reply) {
            if (!reply)
                return Result<WriteResult>::failure(reply.error());
            for (const ImportLineResult &result : reply->lines) {
                if (!result.error.isEmpty())
                    return Result<WriteResult>::failure(
                        Error(Error::Kind::InvalidParams,
                              EditController::tr("%1 could not be put back with its type: %2")
                                  .arg(path.rendered(),
                                       result.detail.isEmpty() ? result.error : result.detail)));
            }
            if (reply->imported < 1)
                return Result<WriteResult>::failure(
                    Error(Error::Kind::Protocol,
                          EditController::tr("the store's import wrote nothing for %1")
                              .arg(path.rendered())));
            WriteResult written;
            written.storeSeq = reply->storeSeq;
            for (const ImportLineResult &result : reply->lines)
                written.storeSeq = std::max(written.storeSeq, result.revision);
            return Result<WriteResult>(written);
        });
}

void EditController::succeed(const std::shared_ptr<Run> &run)
{
    const Job &job = run->job;
    switch (job.purpose) {
    case Job::Purpose::Submit:
        if (WriteCommand::isUndoable(job.request.kind))
            m_stack->push(new WriteCommand(job.request, run->lastSeq));
        emit saved(job.request, run->lastSeq);
        break;
    case Job::Purpose::Undo:
    case Job::Purpose::Redo: {
        const bool back = job.purpose == Job::Purpose::Undo;
        // The stack may have changed meanwhile (a push drops the redo branch): move it only
        // if the command is still where it was.
        const int expected = back ? run->commandIndex + 1 : run->commandIndex;
        if (m_stack->index() != expected || m_stack->command(run->commandIndex) != run->command) {
            m_target.reset();
            emit historyStepFailed(
                tr("The history changed while the step was written; it was written (seq %1) "
                   "but the history was left as it is.")
                    .arg(run->lastSeq));
            break;
        }
        if (back) {
            run->command->noteUndone(run->lastSeq);
            m_stack->undo();
            emit undone(job.request, run->lastSeq);
        } else {
            run->command->noteRedone(run->lastSeq);
            m_stack->redo();
            emit redone(job.request, run->lastSeq);
        }
        handOverRevision(run->commandIndex, back, run->lastSeq);
        break;
    }
    }
    finishJob();
}

void EditController::handOverRevision(int index, bool undone, qint64 seq)
{
    if (seq <= 0)
        return;
    const Path &target = static_cast<const WriteCommand *>(m_stack->command(index))->request().path;
    // An undo put back what the nearest earlier edit of the same path produced, now at `seq`;
    // a redo replaced what the nearest later (undone) edit's undo would expect to find.
    const int step = undone ? -1 : 1;
    for (int i = index + step; i >= 0 && i < m_stack->count(); i += step) {
        auto *other = dynamic_cast<WriteCommand *>(const_cast<QUndoCommand *>(m_stack->command(i)));
        if (!other || other->request().path != target)
            continue;
        if (undone)
            other->noteRedone(seq);
        else
            other->noteUndone(seq);
        return;
    }
}

void EditController::fail(const std::shared_ptr<Run> &run, const Error &error)
{
    if (isWritePermissionError(error))
        setTokenReadOnly(true, tokenReadOnlyText(m_store));
    const QString words = writeErrorText(error);
    if (run->job.purpose == Job::Purpose::Submit) {
        emit failed(run->job.request, words);
    } else {
        m_target.reset();
        emit historyStepFailed(run->job.purpose == Job::Purpose::Undo
                                   ? tr("Could not undo: %1").arg(words)
                                   : tr("Could not redo: %1").arg(words));
    }
    finishJob();
}

// ---- conflicts ---------------------------------------------------------------------------

void EditController::raiseConflict(const std::shared_ptr<Run> &run)
{
    if (!m_transport) {
        fail(run, Error(Error::Kind::Cancelled, tr("the store was closed")));
        return;
    }
    reader()->get(m_store, run->plan.path).then(this, [this, run](const Result<Entry> &entry) {
        std::optional<Entry> theirs;
        if (entry)
            theirs = *entry;
        else if (entry.error().kind() != Error::Kind::NotFound) {
            fail(run, entry.error());
            return;
        }
        if (!m_transport) {
            showConflict(run, theirs, {});
            return;
        }
        // Who changed it: the audit log's last op there, where the transport has one.
        AuditQuery query;
        query.path = run->plan.path.rendered();
        query.limit = 1;
        reader()
            ->auditLog(m_store, query)
            .then(this, [this, run, theirs](const Result<AuditPage> &page) {
                QString device;
                if (page && !page->ops.isEmpty())
                    device = page->ops.first().deviceId;
                showConflict(run, theirs, device);
            });
    });
}

void EditController::showConflict(const std::shared_ptr<Run> &run,
                                  const std::optional<Entry> &theirs, const QString &device)
{
    ConflictDialog::Sides sides;
    sides.path = run->plan.path;
    sides.base = run->plan.base;
    sides.baseRevision = run->plan.baseRevision;
    sides.mine = run->plan.mine;
    if (theirs) {
        sides.theirs = theirs->value;
        sides.theirRevision = theirs->revision;
    }
    sides.theirDevice = device;
    switch (run->job.purpose) {
    case Job::Purpose::Submit:
        sides.action = tr("Save");
        break;
    case Job::Purpose::Undo:
        sides.action = tr("Undo");
        break;
    case Job::Purpose::Redo:
        sides.action = tr("Redo");
        break;
    }
    auto *dialog = new ConflictDialog(sides, m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConflictDialog::chosen, this,
            [this, run, theirs](ConflictDialog::Choice choice) { onChoice(run, theirs, choice); });
    dialog->open();
    emit conflictRaised(dialog);
}

void EditController::onChoice(const std::shared_ptr<Run> &run, const std::optional<Entry> &theirs,
                              ConflictDialog::Choice choice)
{
    const Job &job = run->job;
    const bool submit = job.purpose == Job::Purpose::Submit;
    switch (choice) {
    case ConflictDialog::Choice::Overwrite: {
        Job again = job;
        again.plan = run->plan.conditionalOn(run->seen, theirs);
        if (submit) {
            // What the person has now seen, and what an undo of this save goes back to.
            again.request.baseValue = theirs ? theirs->value : QJsonValue(QJsonValue::Undefined);
            again.request.baseType = theirs ? theirs->type : QString();
            again.request.baseRevision = theirs ? theirs->revision : 0;
            again.request.ifMatch.reset();
            again.request.ifAbsent = false;
            if (job.request.kind == Kind::Set || job.request.kind == Kind::Delete ||
                job.request.kind == Kind::PutFile) {
                if (theirs)
                    again.request.ifMatch = theirs->revision;
                else
                    again.request.ifAbsent = job.request.kind != Kind::Delete;
            }
        }
        // Before anything else waiting, as if the dialog had not interrupted it.
        m_queue.push_front(std::move(again));
        m_running = false;
        processNext();
        return;
    }
    case ConflictDialog::Choice::Reload:
        if (submit)
            emit reloaded(job.request, theirs ? theirs->value : QJsonValue(QJsonValue::Undefined),
                          theirs ? theirs->revision : 0);
        else
            emit historyStepFailed(
                tr("%1 refused: %2 changed since; nothing was written.")
                    .arg(job.purpose == Job::Purpose::Undo ? tr("Undo") : tr("Redo"),
                         run->plan.path.rendered()));
        break;
    case ConflictDialog::Choice::KeepMine:
        if (submit)
            emit keepEditing(job.request);
        else
            emit historyStepFailed(
                tr("%1 refused: %2 changed since; nothing was written.")
                    .arg(job.purpose == Job::Purpose::Undo ? tr("Undo") : tr("Redo"),
                         run->plan.path.rendered()));
        break;
    }
    m_target.reset();
    finishJob();
}

} // namespace dust
