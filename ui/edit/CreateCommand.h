#pragma once

#include "edit/StructureCommand.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QJsonValue>
#include <QPointer>

namespace dust {

// The undoable record of a create that committed (a Set with ifAbsent, e.g. from
// NewEntryDialog, written by the EditController): undo deletes the leaf on the condition it
// still has the created revision — refused, and said, when it changed or when entries were
// written under it since (a delete would take them too) — and redo writes the value again if
// the path is still absent. Push it after the create succeeded with the revision it got
// (StructureCommand: the first redo does nothing).
class CreateCommand : public StructureCommand
{
    Q_OBJECT
public:
    CreateCommand(Transport *transport, QString store, Path path, QJsonValue value, qint64 revision,
                  QUndoCommand *parent = nullptr);

    qint64 revision() const { return m_revision; }

protected:
    void startRedo() override;
    void startUndo() override;

private:
    QPointer<Transport> m_transport;
    QString m_store;
    Path m_path;
    QJsonValue m_value;
    qint64 m_revision;
};

} // namespace dust
