#include "edit/SubtreeDelete.h"

#include "edit/LeafDeleter.h"
#include "edit/PathListText.h"
#include "edit/SubtreeListing.h"

#include <QStringList>

namespace dust {

namespace {

QStringList renderedPaths(const QList<Path> &paths)
{
    QStringList rendered;
    for (const Path &path : paths)
        rendered.append(path.rendered());
    return rendered;
}

QStringList renderedPaths(const QList<Entry> &entries)
{
    QStringList rendered;
    for (const Entry &entry : entries)
        rendered.append(entry.path.rendered());
    return rendered;
}

} // namespace

SubtreeDelete::SubtreeDelete(Transport *transport, QString store, QList<Path> nodes,
                             QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(std::move(store))
    , m_nodes(SubtreeListing::topmost(std::move(nodes)))
{}

SubtreeDelete::~SubtreeDelete() = default;

void SubtreeDelete::setLeaves(QList<Entry> leaves)
{
    QList<Entry> kept;
    for (Entry &leaf : leaves) {
        for (const Path &node : std::as_const(m_nodes)) {
            if (node.isSelfOrAncestorOf(leaf.path)) {
                kept.append(std::move(leaf));
                break;
            }
        }
    }
    m_leaves = std::move(kept);
    m_counted = true;
}

void SubtreeDelete::countLeaves()
{
    if (m_counting || m_done)
        return;
    if (m_counted) {
        emit counted(m_leaves.size());
        return;
    }
    if (!m_transport) {
        emit countFailed(tr("Not connected."));
        return;
    }
    m_counting = true;
    emit progress(0, 0, tr("Counting"));
    SubtreeListing::listAll(m_transport, m_store, m_nodes)
        .then(this, [this](const Result<QList<Entry>> &leaves) {
            m_counting = false;
            if (!leaves) {
                const QString reason =
                    tr("Counting what is under %1 failed, nothing was "
                       "deleted: %2")
                        .arg(pathlist::names(renderedPaths(m_nodes), 3), leaves.error().message());
                emit countFailed(reason);
                if (m_startAfterCount)
                    finish(false, reason);
                return;
            }
            m_leaves = leaves.value();
            m_counted = true;
            emit counted(m_leaves.size());
            if (m_startAfterCount)
                deleteCounted();
        });
}

void SubtreeDelete::start()
{
    if (m_done || m_deleter)
        return;
    if (m_cancelRequested)
        return finish(false, tr("Cancelled: nothing was deleted."));
    if (!m_counted) {
        m_startAfterCount = true;
        countLeaves();
        return;
    }
    deleteCounted();
}

void SubtreeDelete::cancel()
{
    m_cancelRequested = true;
    if (m_deleter)
        m_deleter->cancel();
    else if (!m_counting)
        finish(false, tr("Cancelled: nothing was deleted."));
}

void SubtreeDelete::deleteCounted()
{
    if (m_cancelRequested)
        return finish(false, tr("Cancelled: nothing was deleted."));
    if (m_leaves.isEmpty())
        return finish(true, tr("There was nothing to delete under %1.")
                                .arg(pathlist::names(renderedPaths(m_nodes), 3)));
    const QString phase = tr("Deleting");
    m_deleter = new LeafDeleter(m_transport, m_store, m_leaves, this);
    connect(m_deleter, &LeafDeleter::progress, this,
            [this, phase](qint64 done, qint64 total) { emit progress(done, total, phase); });
    connect(m_deleter, &LeafDeleter::finished, this, [this](bool ok) {
        const qint64 total = m_leaves.size();
        const qint64 deleted = m_deleter->deleted().size();
        const QList<Entry> &changed = m_deleter->changed();
        const QString what = pathlist::names(renderedPaths(m_nodes), 3);
        QString text;
        if (ok) {
            text = tr("Deleted %n leaves under %1.", nullptr, int(deleted)).arg(what);
        } else if (m_deleter->wasCancelled()) {
            text = tr("Cancelled: %1 of %2 leaves were deleted; the others are still there.")
                       .arg(deleted)
                       .arg(total);
        } else {
            text = tr("Deleting failed: %1. %2 of %3 leaves were deleted; the others are still "
                      "there.")
                       .arg(m_deleter->error() ? m_deleter->error()->message() : QString())
                       .arg(deleted)
                       .arg(total);
        }
        if (!changed.isEmpty())
            text += QLatin1Char(' ') +
                    tr("%n leaves changed after they were counted and were kept: %1.", nullptr,
                       int(changed.size()))
                        .arg(pathlist::names(renderedPaths(changed)));
        finish(ok && changed.isEmpty(), text);
    });
    m_deleter->start();
}

QList<Entry> SubtreeDelete::deletedLeaves() const
{
    return m_deleter ? m_deleter->deleted() : QList<Entry>();
}

QList<Entry> SubtreeDelete::changedLeaves() const
{
    return m_deleter ? m_deleter->changed() : QList<Entry>();
}

void SubtreeDelete::finish(bool ok, const QString &report)
{
    if (m_done)
        return;
    m_done = true;
    m_report = report;
    emit finished(ok, report);
}

} // namespace dust
