#include "edit/DeleteSubtreeCommand.h"

#include "edit/PathListText.h"
#include "edit/SubtreeDelete.h"
#include "edit/SubtreeListing.h"
#include "edit/SubtreeMove.h"

#include <QSet>
#include <QStringList>

#include <algorithm>

namespace dust {

namespace {

constexpr int kMaxBatchOps = 1000;

QString nodesText(const QList<Path> &nodes)
{
    QStringList paths;
    for (const Path &node : nodes)
        paths.append(node.rendered());
    return pathlist::names(paths, 3);
}

} // namespace

DeleteSubtreeCommand::DeleteSubtreeCommand(Transport *transport, QString store,
                                           const SubtreeDelete &deletion, QUndoCommand *parent)
    : StructureCommand(tr("Delete %1").arg(nodesText(deletion.nodes())), parent)
    , m_transport(transport)
    , m_store(std::move(store))
    , m_nodes(deletion.nodes())
    , m_saved(deletion.deletedLeaves())
{
    std::sort(m_saved.begin(), m_saved.end(),
              [](const Entry &a, const Entry &b) { return a.path < b.path; });
}

void DeleteSubtreeCommand::startUndo()
{
    if (!m_transport)
        return done(false, tr("Undo: not connected; nothing was restored."));
    emit progress(0, m_saved.size(), tr("Checking what exists now"));
    SubtreeListing::listAll(m_transport, m_store, m_nodes)
        .then(this, [this](const Result<QList<Entry>> &current) {
            if (!current)
                return done(false, tr("Undo: could not read what is there now, nothing was "
                                      "restored: %1")
                                       .arg(current.error().message()));
            QStringList now;
            for (const Entry &leaf : current.value())
                now.append(leaf.path.rendered());
            std::sort(now.begin(), now.end());
            const QSet<QString> exact(now.cbegin(), now.cend());
            QList<Entry> pending;
            QStringList skipped;
            for (const Entry &leaf : std::as_const(m_saved)) {
                const QString prefix = leaf.path.descendantPrefix();
                const auto below = std::lower_bound(now.cbegin(), now.cend(), prefix);
                const bool occupied = exact.contains(leaf.path.rendered()) ||
                                      (below != now.cend() && below->startsWith(prefix));
                if (occupied)
                    skipped.append(leaf.path.rendered());
                else
                    pending.append(leaf);
            }
            restore(std::move(pending), {}, skipped);
        });
}

void DeleteSubtreeCommand::restore(QList<Entry> pending, QList<Entry> restored,
                                   const QStringList &skipped)
{
    const qint64 total = restored.size() + pending.size();
    emit progress(restored.size(), total, tr("Restoring"));
    const auto report = [this, skipped](const QList<Entry> &written, const QString &failure) {
        QString text = tr("Undo: restored %n leaves.", nullptr, int(written.size()));
        if (!failure.isEmpty())
            text = tr("Undo stopped: %1. %n leaves were restored before that.", nullptr,
                      int(written.size()))
                       .arg(failure);
        if (!skipped.isEmpty())
            text += QLatin1Char(' ') + tr("Skipped because something exists there now (%n): %1.",
                                          nullptr, int(skipped.size()))
                                           .arg(pathlist::names(skipped));
        QStringList retyped;
        for (const Entry &leaf : written) {
            if (!SubtreeMove::setKeepsType(leaf))
                retyped.append(leaf.path.rendered());
        }
        if (!retyped.isEmpty())
            text += QLatin1Char(' ') +
                    tr("Came back as plain values, without their type (counter, set, lease "
                       "...): %1.")
                        .arg(pathlist::names(retyped));
        return text;
    };
    if (pending.isEmpty()) {
        m_restored = restored;
        return done(skipped.isEmpty(), report(restored, {}));
    }
    if (!m_transport)
        return done(false, report(restored, tr("not connected")));
    const QList<Entry> chunk = pending.mid(0, kMaxBatchOps);
    QList<BatchOp> ops;
    for (const Entry &leaf : chunk)
        ops.append(BatchOp{Op::Set, leaf.path, leaf.value, std::nullopt});
    m_transport->batchWrite(m_store, ops)
        .then(this, [this, chunk, pending, restored, skipped,
                     report](const Result<BatchWriteResult> &result) mutable {
            if (!result) {
                m_restored = restored;
                return done(false, report(restored, result.error().message()));
            }
            for (qsizetype i = 0; i < chunk.size(); ++i) {
                Entry leaf = chunk.at(i);
                if (i < result->revisions.size())
                    leaf.revision = result->revisions.at(i);
                restored.append(leaf);
            }
            pending.remove(0, chunk.size());
            restore(std::move(pending), std::move(restored), skipped);
        });
}

void DeleteSubtreeCommand::startRedo()
{
    auto *job = new SubtreeDelete(m_transport, m_store, m_nodes, this);
    job->setLeaves(m_restored);
    connect(job, &SubtreeDelete::progress, this, &DeleteSubtreeCommand::progress);
    connect(job, &SubtreeDelete::finished, this, [this, job](bool ok, const QString &text) {
        const QList<Entry> deleted = job->deletedLeaves();
        if (!deleted.isEmpty()) {
            // What the redo deleted is what the next undo restores (with the types saved
            // the first time, which a set could not keep).
            m_saved = deleted;
            std::sort(m_saved.begin(), m_saved.end(),
                      [](const Entry &a, const Entry &b) { return a.path < b.path; });
        }
        job->deleteLater();
        done(ok, tr("Redo: %1").arg(text));
    });
    job->start();
}

} // namespace dust
