#include "history/RestoreCommand.h"

#include "model/RestoreBatch.h"

namespace dust {

RestoreCommand::RestoreCommand(Transport *rest, QString store, const RestorePlan &plan,
                               QUndoCommand *parent)
    : StructureCommand(
          plan.node().isValid()
              ? tr("Restore %1 to seq %2").arg(plan.node().rendered()).arg(plan.targetSeq())
              : tr("Restore the store to seq %1").arg(plan.targetSeq()),
          parent)
    , m_rest(rest)
    , m_store(std::move(store))
    , m_leaves(plan.leaves())
    , m_targetSeq(plan.targetSeq())
{}

void RestoreCommand::startRedo()
{
    run(true);
}

void RestoreCommand::startUndo()
{
    run(false);
}

void RestoreCommand::cancel()
{
    if (m_batch)
        m_batch->cancel();
}

// Both directions write the other side's values, conditional on what the last step wrote
// (restoredRevision holds the revision each leaf has after the last committed step).
void RestoreCommand::run(bool toRestored)
{
    QList<RestoreStep> steps;
    steps.reserve(m_leaves.size());
    for (const RestoreLeaf &leaf : m_leaves)
        steps.append(RestoreStep{leaf.path, toRestored ? leaf.restored : leaf.current,
                                 leaf.restoredRevision});
    if (!m_rest) {
        done(false, tr("The connection was closed; nothing was written."));
        return;
    }
    m_batch = new RestoreBatch(m_rest, m_store, steps, this);
    connect(m_batch, &RestoreBatch::progress, this, &RestoreCommand::progress);
    connect(m_batch, &RestoreBatch::finished, this,
            [this, toRestored](bool ok, const QString &report) {
                RestoreBatch *batch = m_batch;
                if (ok) {
                    for (qsizetype i = 0; i < m_leaves.size(); ++i)
                        m_leaves[i].restoredRevision = batch->revisions().at(i);
                }
                batch->deleteLater();
                const QString what =
                    toRestored ? tr("Redo: %1").arg(text()) : tr("Undo: %1").arg(text());
                done(ok, ok ? tr("%1 — %2").arg(what, report)
                            : tr("%1 was refused, nothing overwritten: %2").arg(what, report));
            });
    m_batch->start();
}

} // namespace dust
