#include "edit/UndoHistoryView.h"

#include "edit/EditController.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QUndoStack>
#include <QUndoView>
#include <QVBoxLayout>

namespace dust {

UndoHistoryView::UndoHistoryView(EditController *controller, QWidget *parent)
    : QDialog(parent)
    , m_controller(controller)
    , m_view(new QUndoView(controller->undoStack(), this))
    , m_status(new QLabel(this))
    , m_undo(new QPushButton(tr("&Undo"), this))
    , m_redo(new QPushButton(tr("&Redo"), this))
{
    setWindowTitle(tr("History of %1").arg(controller->store()));
    setModal(false);

    m_view->setEmptyLabel(tr("<as loaded>"));
    m_view->setAccessibleName(tr("Edit history"));
    m_view->setAccessibleDescription(
        tr("Your changes to this store in this session, oldest first. Choosing one undoes or "
           "redoes the changes after it, each as a conditional write."));
    // The view's own selection: the stack moves only through the controller, after the
    // server committed the step, and the mark follows it.
    m_view->setSelectionModel(new QItemSelectionModel(m_view->model(), m_view));
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (!m_following && current.isValid())
                    m_controller->goTo(current.row());
            });
    QUndoStack *stack = controller->undoStack();
    connect(stack, &QUndoStack::indexChanged, this, &UndoHistoryView::followStack);
    connect(m_view->model(), &QAbstractItemModel::rowsInserted, this,
            &UndoHistoryView::followStack);
    connect(m_view->model(), &QAbstractItemModel::modelReset, this, &UndoHistoryView::followStack);

    auto *label = new QLabel(tr("&Changes in this session:"), this);
    label->setBuddy(m_view);
    m_status->setWordWrap(true);
    m_status->setAccessibleName(tr("Last step"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);

    m_undo->setAccessibleName(tr("Undo"));
    m_undo->setAccessibleDescription(tr("Undo the change above the mark"));
    m_redo->setAccessibleName(tr("Redo"));
    m_redo->setAccessibleDescription(tr("Redo the change below the mark"));
    connect(m_undo, &QPushButton::clicked, controller, &EditController::undo);
    connect(m_redo, &QPushButton::clicked, controller, &EditController::redo);
    const auto updateButtons = [this, stack] {
        m_undo->setEnabled(stack->canUndo() && m_controller->canWrite());
        m_redo->setEnabled(stack->canRedo() && m_controller->canWrite());
    };
    connect(stack, &QUndoStack::indexChanged, this, updateButtons);
    connect(controller, &EditController::writableChanged, this, updateButtons);

    connect(controller, &EditController::historyStepFailed, this, [this](const QString &words) {
        m_status->setText(words);
        followStack();
    });
    connect(controller, &EditController::undone, this,
            [this](const EditRequest &request, qint64 seq) {
                m_status->setText(tr("Undid %1 (seq %2)").arg(request.summary(60)).arg(seq));
            });
    connect(controller, &EditController::redone, this,
            [this](const EditRequest &request, qint64 seq) {
                m_status->setText(tr("Redid %1 (seq %2)").arg(request.summary(60)).arg(seq));
            });

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto *row = new QHBoxLayout;
    row->addWidget(m_undo);
    row->addWidget(m_redo);
    row->addStretch(1);
    row->addWidget(buttons);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    layout->addLayout(row);
    setTabOrder(m_view, m_undo);
    setTabOrder(m_undo, m_redo);
    resize(420, 360);
    updateButtons();
    followStack();
}

QString UndoHistoryView::statusText() const
{
    return m_status->text();
}

void UndoHistoryView::followStack()
{
    const QModelIndex current = m_view->model()->index(m_controller->undoStack()->index(), 0);
    m_following = true;
    m_view->selectionModel()->setCurrentIndex(current, QItemSelectionModel::ClearAndSelect);
    m_following = false;
}

} // namespace dust
