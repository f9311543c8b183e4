#include "edit/CreateCommand.h"

#include "edit/PathListText.h"
#include "edit/SubtreeListing.h"

#include <QStringList>

namespace dust {

CreateCommand::CreateCommand(Transport *transport, QString store, Path path, QJsonValue value,
                             qint64 revision, QUndoCommand *parent)
    : StructureCommand(tr("Create %1").arg(path.rendered()), parent)
    , m_transport(transport)
    , m_store(std::move(store))
    , m_path(std::move(path))
    , m_value(std::move(value))
    , m_revision(revision)
{}

void CreateCommand::startUndo()
{
    if (!m_transport)
        return done(false, tr("Undo: not connected; %1 was not deleted.").arg(m_path.rendered()));
    // A delete takes the whole subtree: refuse when something was written under the leaf.
    SubtreeListing::list(m_transport, m_store, m_path, 100)
        .then(this, [this](const Result<QList<Entry>> &leaves) {
            if (!leaves)
                return done(false, tr("Undo: could not read %1, nothing was deleted: %2")
                                       .arg(m_path.rendered(), leaves.error().message()));
            QStringList below;
            for (const Entry &leaf : leaves.value()) {
                if (leaf.path != m_path)
                    below.append(leaf.path.rendered());
            }
            if (!below.isEmpty())
                return done(false, tr("Undo: %1 was not deleted because entries were written "
                                      "under it since: %2.")
                                       .arg(m_path.rendered(), pathlist::names(below)));
            if (!m_transport)
                return done(false,
                            tr("Undo: not connected; %1 was not deleted.").arg(m_path.rendered()));
            WriteOptions options;
            options.ifMatch = m_revision;
            m_transport->remove(m_store, m_path, options)
                .then(this, [this](const Result<WriteResult> &removed) {
                    if (removed)
                        return done(true, tr("Undo: deleted %1.").arg(m_path.rendered()));
                    if (removed.error().kind() == Error::Kind::Conflict)
                        return done(false, tr("Undo: %1 changed since it was created (it is "
                                              "not revision %2 any more), so it was kept.")
                                               .arg(m_path.rendered())
                                               .arg(m_revision));
                    done(false, tr("Undo: deleting %1 failed: %2")
                                    .arg(m_path.rendered(), removed.error().message()));
                });
        });
}

void CreateCommand::startRedo()
{
    if (!m_transport)
        return done(false, tr("Redo: not connected; %1 was not created.").arg(m_path.rendered()));
    WriteOptions options;
    options.ifAbsent = true;
    m_transport->put(m_store, m_path, m_value, options)
        .then(this, [this](const Result<WriteResult> &written) {
            if (written) {
                m_revision = written->storeSeq;
                return done(true, tr("Redo: created %1.").arg(m_path.rendered()));
            }
            if (written.error().kind() == Error::Kind::Conflict)
                return done(
                    false,
                    tr("Redo: %1 exists again, so it was not overwritten.").arg(m_path.rendered()));
            done(false, tr("Redo: creating %1 failed: %2")
                            .arg(m_path.rendered(), written.error().message()));
        });
}

} // namespace dust
