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
        return text;
    };
    if (pending.isEmpty()) {
        m_restored = restored;
        return done(skipped.isEmpty(), report(restored, {}));
    }
    if (!m_transport)
        return done(false, report(restored, tr("not connected")));
    // A counter, set, lease or imported type comes back with its type, as one import of
    // those leaves (the store's import keeps each line's type); the rest in one batch.
    const qsizetype take = std::min<qsizetype>(pending.size(), kMaxBatchOps);
    QList<Entry> plain;
    QList<Entry> typed;
    for (qsizetype i = 0; i < take; ++i)
        (SubtreeMove::setKeepsType(pending.at(i)) ? plain : typed).append(pending.at(i));
    pending.remove(0, take);
    const auto next = [this, skipped, report](QList<Entry> pending, QList<Entry> restored,
                                              const QString &failure) {
        if (!failure.isEmpty()) {
            m_restored = restored;
            return done(false, report(restored, failure));
        }
        restore(std::move(pending), std::move(restored), skipped);
    };
    if (plain.isEmpty())
        return restoreTyped(typed, std::move(restored),
                            [next, pending](QList<Entry> restored, const QString &failure) {
                                next(pending, std::move(restored), failure);
                            });
    QList<BatchOp> ops;
    for (const Entry &leaf : std::as_const(plain))
        ops.append(BatchOp{Op::Set, leaf.path, leaf.value, std::nullopt});
    m_transport->batchWrite(m_store, ops)
        .then(this, [this, plain, typed, pending, restored,
                     next](const Result<BatchWriteResult> &result) mutable {
            if (!result)
                return next(pending, restored, result.error().message());
            for (qsizetype i = 0; i < plain.size(); ++i) {
                Entry leaf = plain.at(i);
                if (i < result->revisions.size())
                    leaf.revision = result->revisions.at(i);
                restored.append(leaf);
            }
            restoreTyped(typed, std::move(restored),
                         [next, pending](QList<Entry> restored, const QString &failure) {
                             next(pending, std::move(restored), failure);
                         });
        });
}

void DeleteSubtreeCommand::restoreTyped(
    const QList<Entry> &typed, QList<Entry> restored,
    const std::function<void(QList<Entry>, const QString &)> &then)
{
    if (typed.isEmpty())
        return then(std::move(restored), {});
    QByteArray lines;
    for (const Entry &leaf : typed)
        lines += Transport::importLine(leaf.path, leaf.value, leaf.type);
    m_transport->importLines(m_store, lines)
        .then(this, [typed, restored, then](const Result<ImportReply> &reply) mutable {
            if (!reply)
                return then(std::move(restored), reply.error().message());
            QStringList refused;
            for (const ImportLineResult &line : reply->lines) {
                const qsizetype i = line.line - 1;
                if (i < 0 || i >= typed.size())
                    continue;
                if (!line.error.isEmpty()) {
                    refused.append(typed.at(i).path.rendered() + QStringLiteral(" (") +
                                   (line.detail.isEmpty() ? line.error : line.detail) +
                                   QLatin1Char(')'));
                    continue;
                }
                Entry leaf = typed.at(i);
                leaf.revision = line.revision;
                restored.append(leaf);
            }
            then(std::move(restored), refused.isEmpty()
                                          ? QString()
                                          : tr("the store refused to put back %1")
                                                .arg(refused.join(QStringLiteral(", "))));
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
