#pragma once

#include "edit/StructureCommand.h"
#include "model/RestorePlan.h"

#include <QList>
#include <QPointer>
#include <QString>

namespace dust {

class RestoreBatch;
class Transport;

// The undoable record of a restore that committed (RestorePlan finished with ok): undo puts
// every leaf back to the value the preview showed as "now", redo to the restored value, each
// as a conditional RestoreBatch on the revisions the last step wrote — a leaf someone changed
// since refuses the step (the report names it) and nothing is forced. Push it on the tab's
// EditController stack after the restore committed, with StructureCommand::
// keepStackOnFailure() like the other structure commands (the first redo does nothing).
class RestoreCommand : public StructureCommand
{
    Q_OBJECT
public:
    // `rest` writes the batches (REST); the leaves are the plan's after it was applied.
    RestoreCommand(Transport *rest, QString store, const RestorePlan &plan,
                   QUndoCommand *parent = nullptr);

    const QList<RestoreLeaf> &leaves() const { return m_leaves; }
    // Cancels a running undo or redo between batches.
    void cancel();

signals:
    void progress(qint64 done, qint64 total, const QString &phase);

protected:
    void startRedo() override;
    void startUndo() override;

private:
    void run(bool toRestored);

    QPointer<Transport> m_rest;
    QString m_store;
    QList<RestoreLeaf> m_leaves;
    qint64 m_targetSeq = 0;
    QPointer<RestoreBatch> m_batch;
};

} // namespace dust
