#include "window/TabEditing.h"

#include "StoreTab.h"
#include "edit/DeleteConfirmDialog.h"
#include "edit/DeleteSubtreeCommand.h"
#include "edit/EditController.h"
#include "edit/JobProgressDialog.h"
#include "edit/MoveCommand.h"
#include "edit/MoveDialog.h"
#include "edit/NewEntryDialog.h"
#include "edit/PasteSubtreeDialog.h"
#include "edit/SubtreeDelete.h"
#include "edit/SubtreeMove.h"
#include "edit/UndoHistoryView.h"
#include "inspector/InspectorPanel.h"
#include "model/StoreTreeModel.h"
#include "transport/SdkTransport.h"

#include <QApplication>
#include <QClipboard>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeView>
#include <QUndoStack>

namespace dust {

TabEditing::TabEditing(StoreTab *tab, Transport *writes, Transport *rest, bool readOnly,
                       const QString &readOnlyWhy)
    : QObject(tab)
    , m_tab(tab)
    , m_rest(rest)
    , m_controller(new EditController(writes, tab->store(), this))
{
    m_controller->setDialogParent(tab);
    if (rest)
        m_controller->setReadTransport(rest);
    if (readOnly)
        m_controller->setReadOnly(true, readOnlyWhy);
    wireInspector();

    QUndoStack *stack = m_controller->undoStack();
    connect(stack, &QUndoStack::indexChanged, this, &TabEditing::stateChanged);
    connect(stack, &QUndoStack::canUndoChanged, this, &TabEditing::stateChanged);
    connect(stack, &QUndoStack::canRedoChanged, this, &TabEditing::stateChanged);
    connect(m_controller, &EditController::busyChanged, this, &TabEditing::stateChanged);
    connect(m_controller, &EditController::writableChanged, this, [this] {
        applyWritePolicy();
        emit stateChanged();
    });
    connect(m_controller, &EditController::saved, this,
            [this](const EditRequest &request, qint64 seq) {
                emit message(tr("Saved: %1 (seq %2)").arg(request.summary(80)).arg(seq), 5000);
                if (!m_tab->liveTransport())
                    m_tab->refresh();
            });
    connect(m_controller, &EditController::failed, this,
            [this](const EditRequest &, const QString &words) { emit message(words, 10000); });
    connect(m_controller, &EditController::historyStepFailed, this,
            [this](const QString &words) { emit message(words, 10000); });
    const auto stepped = [this](const QString &words) {
        emit message(words, 5000);
        if (!m_tab->liveTransport())
            m_tab->refresh();
    };
    connect(m_controller, &EditController::undone, this,
            [stepped](const EditRequest &request, qint64 seq) {
                stepped(tr("Undone: %1 (seq %2)").arg(request.summary(80)).arg(seq));
            });
    connect(m_controller, &EditController::redone, this,
            [stepped](const EditRequest &request, qint64 seq) {
                stepped(tr("Redone: %1 (seq %2)").arg(request.summary(80)).arg(seq));
            });
}

TabEditing::~TabEditing() = default;

QWidget *TabEditing::window() const
{
    return m_tab->window();
}

bool TabEditing::canWrite() const
{
    return m_controller->canWrite();
}

bool TabEditing::canUndo() const
{
    return m_controller->canUndo() && m_busyCommands == 0;
}

bool TabEditing::canRedo() const
{
    return m_controller->canRedo() && m_busyCommands == 0;
}

QString TabEditing::undoText() const
{
    return m_controller->undoStack()->undoText();
}

QString TabEditing::redoText() const
{
    return m_controller->undoStack()->redoText();
}

// ---- the inspector's forms ---------------------------------------------------------------

void TabEditing::wireInspector()
{
    InspectorPanel *inspector = m_tab->inspector();
    applyWritePolicy();
    connect(inspector, &InspectorPanel::editRequested, m_controller, &EditController::submit);
    connect(m_controller, &EditController::saved, inspector,
            [inspector](const EditRequest &request) { inspector->editSucceeded(request); });
    connect(m_controller, &EditController::failed, inspector, &InspectorPanel::editFailed);
    connect(m_controller, &EditController::keepEditing, inspector, &InspectorPanel::keepEditing);
    // Reload after a conflict: their value is shown (the person's input is dropped on purpose).
    connect(m_controller, &EditController::reloaded, this,
            [this](const EditRequest &request) { m_tab->reshow(request.path); });
}

void TabEditing::applyWritePolicy()
{
    QPointer<EditController> controller = m_controller;
    m_tab->inspector()->setWritePolicy([controller](EditRequest::Kind kind) {
        return controller ? controller->whyUnsupported(kind) : QString();
    });
}

// ---- structure commands -----------------------------------------------------------------

void TabEditing::newEntry()
{
    if (!canWrite()) {
        emit message(m_controller->whyReadOnly(), 5000);
        return;
    }
    // Under the selected folder (or beside the selected leaf).
    Path parent = m_tab->currentPath();
    const QModelIndex current = m_tab->treeView()->currentIndex();
    if (parent.isValid() && current.isValid() &&
        current.data(StoreTreeModel::ChildCountRole).toInt() == 0)
        parent = parent.parent();
    NewEntryDialog dialog(parent, window());
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (const auto request = dialog.request())
        m_controller->submit(*request);
}

void TabEditing::pasteJson()
{
    const Path node = m_tab->currentPath();
    if (!node.isValid()) {
        emit message(tr("Select the node to paste into first."), 5000);
        return;
    }
    if (!canWrite()) {
        emit message(m_controller->whyReadOnly(), 5000);
        return;
    }
    const QModelIndex current = m_tab->treeView()->currentIndex().siblingAtColumn(0);
    const qint64 leavesNow = m_tab->leavesBelow(current);
    PasteSubtreeDialog dialog(node, QApplication::clipboard()->text(), leavesNow, window());
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (const auto request = dialog.request())
        m_controller->submit(*request);
}

void TabEditing::rename()
{
    const Path from = m_tab->currentPath();
    if (!from.isValid())
        return;
    MoveDialog dialog(MoveDialog::Mode::Rename, from, window());
    if (dialog.exec() == QDialog::Accepted)
        startMove(from, dialog.destination());
}

void TabEditing::move()
{
    const Path from = m_tab->currentPath();
    if (!from.isValid())
        return;
    MoveDialog dialog(MoveDialog::Mode::Move, from, window());
    if (dialog.exec() == QDialog::Accepted)
        startMove(from, dialog.destination());
}

void TabEditing::startMove(const Path &from, const Path &to)
{
    if (!canWrite() || !m_rest) {
        emit message(canWrite() ? tr("Moving needs the server's REST API, which this "
                                     "connection does not have.")
                                : m_controller->whyReadOnly(),
                     5000);
        return;
    }
    auto *job = new SubtreeMove(m_rest, m_tab->store(), from, to, this);
    job->setConfirmNonAtomic(true);
    auto *dialog = new JobProgressDialog(tr("Moving %1").arg(from.rendered()), window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->follow(job);
    connect(job, &SubtreeMove::needsConfirmation, this, [this, job](qint64, const QString &text) {
        const auto answer =
            QMessageBox::question(window(), tr("Move"), text,
                                  QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer == QMessageBox::Yes)
            job->proceed();
        else
            job->cancel();
    });
    connect(job, &SubtreeMove::finished, this, [this, job](bool ok, const QString &report) {
        emit message(report, ok ? 8000 : 0);
        if (ok) {
            auto *command = new MoveCommand(m_rest, m_tab->store(), *job);
            track(command);
            m_controller->undoStack()->push(command);
        }
        storeChangedOverRest();
        job->deleteLater();
    });
    dialog->open();
    job->start();
}

void TabEditing::deleteSelection()
{
    const QList<Path> nodes = m_tab->selectedPaths();
    if (nodes.isEmpty())
        return;
    if (!canWrite() || !m_rest) {
        emit message(canWrite() ? tr("Deleting needs the server's REST API, which this "
                                     "connection does not have.")
                                : m_controller->whyReadOnly(),
                     5000);
        return;
    }
    startDelete(nodes);
}

void TabEditing::startDelete(const QList<Path> &nodes)
{
    auto *job = new SubtreeDelete(m_rest, m_tab->store(), nodes, this);
    emit message(tr("Counting what the delete removes…"), 0);
    connect(job, &SubtreeDelete::countFailed, this, [this, job](const QString &reason) {
        emit message(tr("Nothing was deleted: %1").arg(reason), 0);
        job->deleteLater();
    });
    connect(job, &SubtreeDelete::counted, this, [this, job](qint64 leaves) {
        emit message(QString(), 1);
        DeleteConfirmDialog confirm(job->nodes(), leaves, window());
        if (confirm.exec() != QDialog::Accepted) {
            job->deleteLater();
            return;
        }
        auto *dialog = new JobProgressDialog(tr("Deleting"), window());
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->follow(job);
        connect(job, &SubtreeDelete::finished, this, [this, job](bool ok, const QString &report) {
            emit message(report, ok ? 8000 : 0);
            if (!job->deletedLeaves().isEmpty()) {
                auto *command = new DeleteSubtreeCommand(m_rest, m_tab->store(), *job);
                track(command);
                m_controller->undoStack()->push(command);
            }
            storeChangedOverRest();
            job->deleteLater();
        });
        dialog->open();
        job->start();
    });
    job->countLeaves();
}

void TabEditing::track(StructureCommand *command)
{
    StructureCommand::keepStackOnFailure(m_controller->undoStack(), command);
    // The command's own undo/redo run asynchronously: Undo and Redo wait for it, its
    // progress shows in the status bar and its outcome is said.
    connect(command, &StructureCommand::busyChanged, this, [this](bool busy) {
        m_busyCommands += busy ? 1 : -1;
        emit stateChanged();
    });
    connect(command, &StructureCommand::finished, this, [this](bool ok, const QString &report) {
        emit message(report, ok ? 8000 : 0);
        storeChangedOverRest();
    });
}

void TabEditing::storeChangedOverRest()
{
    m_tab->catchUpAfterRest();
}

void TabEditing::undo()
{
    if (canUndo())
        m_controller->undo();
}

void TabEditing::redo()
{
    if (canRedo())
        m_controller->redo();
}

bool TabEditing::askToDiscard(const Path &path)
{
    QMessageBox box(
        QMessageBox::Question, tr("Unsaved change"),
        tr("You changed %1 and did not save it. Discard the change?").arg(path.rendered()),
        QMessageBox::NoButton, window());
    QPushButton *discard = box.addButton(tr("&Discard Change"), QMessageBox::DestructiveRole);
    QPushButton *keep = box.addButton(tr("&Keep Editing"), QMessageBox::RejectRole);
    box.setDefaultButton(keep);
    box.setEscapeButton(keep);
    box.exec();
    return box.clickedButton() == discard;
}

void TabEditing::showHistory()
{
    if (!m_history) {
        m_history = new UndoHistoryView(m_controller, window());
        m_history->setAttribute(Qt::WA_DeleteOnClose);
        m_history->setWindowTitle(tr("History of %1").arg(m_tab->store()));
    }
    m_history->show();
    m_history->raise();
    m_history->activateWindow();
}

} // namespace dust
