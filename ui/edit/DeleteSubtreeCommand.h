#pragma once

#include "edit/StructureCommand.h"
#include "protocol/Entry.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QList>
#include <QPointer>

#include <functional>

namespace dust {

class SubtreeDelete;

// The undoable record of a delete that succeeded (SubtreeDelete finished). Undo re-creates
// the deleted leaves from the values saved before deleting, only where nothing exists now:
// it lists the nodes first and skips every leaf whose path, or anything under it, was
// written since (a set there would replace it), and says what it skipped. The rest is set
// in batch_writes of up to 1,000, in path order; counters, sets, leases and imported types,
// which a set cannot give their type, come back through the store's import, which keeps it
// (the import is not conditional: they were read as absent just before). Redo deletes
// the re-created leaves again, each on its revision (SubtreeDelete). Push it after the delete
// finished with ok (StructureCommand: the first redo does nothing).
class DeleteSubtreeCommand : public StructureCommand
{
    Q_OBJECT
public:
    DeleteSubtreeCommand(Transport *transport, QString store, const SubtreeDelete &deletion,
                         QUndoCommand *parent = nullptr);

    const QList<Entry> &savedLeaves() const { return m_saved; }

signals:
    void progress(qint64 done, qint64 total, const QString &phase);

protected:
    void startRedo() override;
    void startUndo() override;

private:
    void restore(QList<Entry> pending, QList<Entry> restored, const QStringList &skipped);
    // Puts `typed` back with their types (one import), adds them to `restored`, then calls
    // `then` with it and a failure in words (empty when all went back).
    void restoreTyped(const QList<Entry> &typed, QList<Entry> restored,
                      const std::function<void(QList<Entry>, const QString &)> &then);

    QPointer<Transport> m_transport;
    QString m_store;
    QList<Path> m_nodes;
    QList<Entry> m_saved;    // what was deleted: values, types, revisions then
    QList<Entry> m_restored; // what the last undo wrote, with its revisions
};

} // namespace dust
