#pragma once

#include "edit/StructureCommand.h"
#include "protocol/Entry.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QList>
#include <QPointer>

namespace dust {

class SubtreeMove;

// The undoable record of a move that succeeded: undo moves the leaves back, redo moves them
// again, each as a SubtreeMove given the leaves it wrote last with their revisions — so
// every delete is conditional (a leaf changed since stays put and is named) and the move is
// refused when its target exists again. Push it after `move` finished with ok (see
// StructureCommand for why the first redo does nothing).
class MoveCommand : public StructureCommand
{
    Q_OBJECT
public:
    MoveCommand(Transport *transport, QString store, const SubtreeMove &move,
                QUndoCommand *parent = nullptr);

    const Path &from() const { return m_from; }
    const Path &to() const { return m_to; }

signals:
    void progress(qint64 done, qint64 total, const QString &phase);

protected:
    void startRedo() override;
    void startUndo() override;

private:
    void run(const Path &from, const Path &to, const QList<Entry> &leaves, bool forward);

    QPointer<Transport> m_transport;
    QString m_store;
    Path m_from;
    Path m_to;
    QList<Entry> m_atSource;      // what a redo moves (as last written at `from`)
    QList<Entry> m_atDestination; // what an undo moves back (as last written at `to`)
};

} // namespace dust
