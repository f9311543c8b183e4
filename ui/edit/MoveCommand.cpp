#include "edit/MoveCommand.h"

#include "edit/SubtreeMove.h"

namespace dust {

MoveCommand::MoveCommand(Transport *transport, QString store, const SubtreeMove &move,
                         QUndoCommand *parent)
    : StructureCommand(tr("Move %1 to %2").arg(move.from().rendered(), move.to().rendered()),
                       parent)
    , m_transport(transport)
    , m_store(std::move(store))
    , m_from(move.from())
    , m_to(move.to())
    , m_atSource(move.sources())
    , m_atDestination(move.movedLeaves())
{}

void MoveCommand::startRedo()
{
    run(m_from, m_to, m_atSource, true);
}

void MoveCommand::startUndo()
{
    run(m_to, m_from, m_atDestination, false);
}

void MoveCommand::run(const Path &from, const Path &to, const QList<Entry> &leaves, bool forward)
{
    auto *job = new SubtreeMove(m_transport, m_store, from, to, this);
    job->setLeaves(leaves);
    connect(job, &SubtreeMove::progress, this, &MoveCommand::progress);
    connect(job, &SubtreeMove::finished, this,
            [this, job, forward](bool ok, const QString &report) {
                if (ok) {
                    if (forward)
                        m_atDestination = job->movedLeaves();
                    else
                        m_atSource = job->movedLeaves();
                }
                job->deleteLater();
                done(ok, forward ? tr("Redo: %1").arg(report) : tr("Undo: %1").arg(report));
            });
    job->start();
}

} // namespace dust
