#include "edit/SubtreeMove.h"

#include "edit/LeafDeleter.h"
#include "edit/PathListText.h"
#include "edit/SubtreeListing.h"
#include "protocol/Values.h"

#include <QHash>
#include <QStringList>
#include <QTimer>

#include <algorithm>
#include <chrono>

namespace dust {

namespace {

constexpr int kMaxBatchOps = 1000;

QStringList renderedPaths(const QList<Entry> &entries)
{
    QStringList paths;
    paths.reserve(entries.size());
    for (const Entry &entry : entries)
        paths.append(entry.path.rendered());
    return paths;
}

} // namespace

SubtreeMove::SubtreeMove(Transport *transport, QString store, Path from, Path to, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(std::move(store))
    , m_from(std::move(from))
    , m_to(std::move(to))
{}

SubtreeMove::~SubtreeMove() = default;

void SubtreeMove::setLeaves(QList<Entry> leaves)
{
    m_given = std::move(leaves);
}

bool SubtreeMove::setKeepsType(const Entry &leaf)
{
    if (leaf.type == QLatin1String("lease"))
        return false; // a lease guards its own path: at another path it guards nothing
    const QString written = values::detectType(leaf.value);
    if (written == leaf.type)
        return true;
    const auto isNumber = [](const QString &type) {
        return type == QLatin1String("integer") || type == QLatin1String("float");
    };
    // 2.0 travels as 2: a float that is whole may come back as an integer, same number.
    return isNumber(written) && isNumber(leaf.type);
}

Path SubtreeMove::destination(const Path &from, const Path &to, const Path &source)
{
    if (!from.isSelfOrAncestorOf(source))
        return {};
    QStringList segments = to.segments();
    segments += source.segments().mid(from.depth());
    auto built = Path::fromSegments(segments);
    return built ? built.value() : Path();
}

QString SubtreeMove::phaseName() const
{
    switch (m_phase) {
    case Phase::Listing:
        return tr("Listing %1").arg(m_from.rendered());
    case Phase::Checking:
        return tr("Checking %1").arg(m_to.rendered());
    case Phase::Moving:
        return tr("Moving");
    case Phase::Copying:
        return tr("Copying");
    case Phase::Verifying:
        return tr("Verifying the copies");
    case Phase::Deleting:
        return tr("Deleting the sources");
    case Phase::Idle:
    case Phase::Done:
        break;
    }
    return {};
}

void SubtreeMove::setPhase(Phase phase, qint64 done, qint64 total)
{
    m_phase = phase;
    emit progress(done, total, phaseName());
}

void SubtreeMove::start()
{
    if (m_phase != Phase::Idle)
        return;
    if (!m_from.isValid() || !m_to.isValid())
        return finish(false, tr("A move needs a path to move and a new path."));
    if (m_from == m_to)
        return finish(
            false, tr("%1 is already there: choose another name or place.").arg(m_from.rendered()));
    if (m_from.isAncestorOf(m_to))
        return finish(false, tr("Cannot move %1 into itself (%2 lies under it).")
                                 .arg(m_from.rendered(), m_to.rendered()));
    if (!m_transport)
        return finish(false, tr("Not connected: nothing was moved."));
    if (m_given) {
        m_phase = Phase::Listing;
        QList<Entry> leaves = *std::move(m_given);
        return listed(std::move(leaves));
    }
    setPhase(Phase::Listing, 0, 0);
    SubtreeListing::list(m_transport, m_store, m_from)
        .then(this, [this](const Result<QList<Entry>> &leaves) {
            if (!leaves)
                return finish(false, tr("Listing %1 failed, nothing was moved: %2")
                                         .arg(m_from.rendered(), leaves.error().message()));
            listed(leaves.value());
        });
}

void SubtreeMove::proceed()
{
    if (!m_waitingForConfirmation)
        return;
    m_waitingForConfirmation = false;
    copyNext();
}

void SubtreeMove::cancel()
{
    m_cancelRequested = true;
    if (m_waitingForConfirmation) {
        m_waitingForConfirmation = false;
        return finish(false, tr("Cancelled before anything was written."));
    }
    if (m_phase == Phase::Idle)
        return finish(false, tr("Cancelled before anything was written."));
    if (m_deleter)
        m_deleter->cancel();
}

void SubtreeMove::listed(QList<Entry> leaves)
{
    if (m_cancelRequested)
        return finish(false, tr("Cancelled before anything was written."));
    std::sort(leaves.begin(), leaves.end(),
              [](const Entry &a, const Entry &b) { return a.path < b.path; });
    leaves.erase(
        std::remove_if(leaves.begin(), leaves.end(),
                       [this](const Entry &e) { return !m_from.isSelfOrAncestorOf(e.path); }),
        leaves.end());
    if (leaves.isEmpty())
        return finish(false, tr("There is nothing at %1 to move.").arg(m_from.rendered()));
    QList<Entry> typed;
    for (const Entry &leaf : std::as_const(leaves)) {
        if (!setKeepsType(leaf))
            typed.append(leaf);
    }
    if (!typed.isEmpty())
        return finish(
            false, tr("Nothing was moved: %n leaves have a type a move cannot re-create (a counter "
                      "would become a plain number, a set a list, a lease would stop guarding its "
                      "path, an imported type a plain value): %1. Move or convert them first.",
                      nullptr, int(typed.size()))
                       .arg(pathlist::names(renderedPaths(typed))));
    m_sources = std::move(leaves);
    checkDestination();
}

void SubtreeMove::checkDestination()
{
    setPhase(Phase::Checking, 0, m_sources.size());
    m_transport->exists(m_store, m_to).then(this, [this](const Result<bool> &exists) {
        if (m_cancelRequested)
            return finish(false, tr("Cancelled before anything was written."));
        if (!exists)
            return finish(false, tr("Could not check whether %1 exists, nothing was moved: %2")
                                     .arg(m_to.rendered(), exists.error().message()));
        if (exists.value())
            return finish(false, tr("%1 already exists, nothing was moved: a move never "
                                    "overwrites. Choose another name or delete %1 first.")
                                     .arg(m_to.rendered()));
        if (m_sources.size() <= m_maxAtomic)
            return moveAtomically();
        if (m_confirmNonAtomic) {
            m_waitingForConfirmation = true;
            emit needsConfirmation(
                m_sources.size(),
                tr("%1 holds %2 leaves: more than one atomic write can move (%3). The move "
                   "will copy them in batches, read every copy back, and only then delete the "
                   "sources; if it stops half way, nothing is lost, but copies may remain "
                   "under %4.")
                    .arg(m_from.rendered())
                    .arg(m_sources.size())
                    .arg(m_maxAtomic)
                    .arg(m_to.rendered()));
            return;
        }
        copyNext();
    });
}

void SubtreeMove::sendBatch(const QList<BatchOp> &ops,
                            std::function<void(const Result<BatchWriteResult> &)> done)
{
    if (!m_transport)
        return done(Result<BatchWriteResult>::failure(
            Error(Error::Kind::Cancelled, tr("the connection was closed"))));
    m_transport->batchWrite(m_store, ops)
        .then(this, [this, ops, done](const Result<BatchWriteResult> &result) {
            if (!result && result.error().kind() == Error::Kind::RateLimited &&
                !m_cancelRequested) {
                const auto wait =
                    std::max(result.error().retryAfter(), std::chrono::milliseconds(1000));
                QTimer::singleShot(wait, this, [this, ops, done] { sendBatch(ops, done); });
                return;
            }
            done(result);
        });
}

void SubtreeMove::moveAtomically()
{
    const qint64 total = m_sources.size();
    setPhase(Phase::Moving, 0, total);
    if (m_cancelRequested)
        return finish(false, tr("Cancelled before anything was written."));
    QList<BatchOp> ops;
    ops.reserve(m_sources.size() * 2);
    QList<Entry> copies;
    for (const Entry &leaf : std::as_const(m_sources)) {
        Entry copy = leaf;
        copy.path = destination(m_from, m_to, leaf.path);
        ops.append(BatchOp{Op::Set, copy.path, leaf.value, std::nullopt});
        copies.append(copy);
    }
    // Deepest first: a delete removes descendants, and a conditional delete of a leaf that
    // is already gone would fail the whole batch.
    for (auto it = m_sources.crbegin(); it != m_sources.crend(); ++it)
        ops.append(BatchOp{Op::Delete, it->path, QJsonValue(), it->revision});
    sendBatch(ops, [this, copies, total](const Result<BatchWriteResult> &result) mutable {
        if (!result) {
            const Error &error = result.error();
            if (error.kind() == Error::Kind::Conflict) {
                const QString changed = error.path().isEmpty() ? tr("a leaf") : error.path();
                return finish(false, tr("Nothing was moved: %1 changed after it was listed, so "
                                        "the whole move was refused and nothing was written or "
                                        "deleted. Look at it and try again.")
                                         .arg(changed));
            }
            return finish(false, tr("Moving %1 to %2 failed: %3. The move is one atomic write: "
                                    "if the server did not apply it, nothing moved; if it did, "
                                    "everything did.")
                                     .arg(m_from.rendered(), m_to.rendered(), error.message()));
        }
        for (qsizetype i = 0; i < copies.size() && i < result->revisions.size(); ++i)
            copies[i].revision = result->revisions.at(i);
        m_copies = copies;
        emit progress(total, total, phaseName());
        finish(true, tr("Moved %n leaves from %1 to %2 in one atomic write.", nullptr, int(total))
                         .arg(m_from.rendered(), m_to.rendered()));
    });
}

QString SubtreeMove::stoppedWhileCopying(const QString &why) const
{
    QString text =
        why + QLatin1Char(' ') +
        tr("Nothing was deleted: all %n leaves are still at %1.", nullptr, int(m_sources.size()))
            .arg(m_from.rendered());
    if (m_copied > 0)
        text += QLatin1Char(' ') +
                tr("Up to %n copies were written under %1 and may remain there; delete %1 if "
                   "you do not want them.",
                   nullptr, int(m_copied))
                    .arg(m_to.rendered());
    return text;
}

void SubtreeMove::copyNext()
{
    const qint64 total = m_sources.size();
    setPhase(Phase::Copying, m_copied, total);
    if (m_cancelRequested)
        return finish(false, stoppedWhileCopying(tr("Move cancelled.")));
    if (m_copied >= total)
        return verify();
    const QList<Entry> chunk = m_sources.mid(m_copied, kMaxBatchOps);
    QList<BatchOp> ops;
    QList<Entry> copies;
    ops.reserve(chunk.size());
    for (const Entry &leaf : chunk) {
        Entry copy = leaf;
        copy.path = destination(m_from, m_to, leaf.path);
        ops.append(BatchOp{Op::Set, copy.path, leaf.value, std::nullopt});
        copies.append(copy);
    }
    sendBatch(ops, [this, copies](const Result<BatchWriteResult> &result) mutable {
        if (!result) {
            // A batch that got no answer may have been applied: say the copies "may" remain.
            if (result.error().kind() == Error::Kind::Network)
                m_copied += copies.size();
            return finish(false, stoppedWhileCopying(
                                     tr("Copying failed: %1.").arg(result.error().message())));
        }
        for (qsizetype i = 0; i < copies.size() && i < result->revisions.size(); ++i)
            copies[i].revision = result->revisions.at(i);
        m_copies += copies;
        m_copied += copies.size();
        copyNext();
    });
}

void SubtreeMove::verify()
{
    const qint64 total = m_sources.size();
    setPhase(Phase::Verifying, 0, total);
    SubtreeListing::list(m_transport, m_store, m_to)
        .then(this, [this, total](const Result<QList<Entry>> &copies) {
            if (m_cancelRequested)
                return finish(false, stoppedWhileCopying(tr("Move cancelled.")));
            if (!copies)
                return finish(
                    false,
                    stoppedWhileCopying(
                        tr("Reading the copies back failed: %1.").arg(copies.error().message())));
            QHash<QString, Entry> byPath;
            for (const Entry &copy : copies.value())
                byPath.insert(copy.path.rendered(), copy);
            QStringList wrong;
            for (const Entry &source : std::as_const(m_sources)) {
                const Path target = destination(m_from, m_to, source.path);
                const auto copy = byPath.constFind(target.rendered());
                if (copy == byPath.cend() || copy->value != source.value ||
                    copy->type != source.type)
                    wrong.append(target.rendered());
            }
            emit progress(total, total, phaseName());
            if (!wrong.isEmpty())
                return finish(false,
                              stoppedWhileCopying(tr("%n copies do not match their source: %1.",
                                                     nullptr, int(wrong.size()))
                                                      .arg(pathlist::names(wrong))));
            deleteSources();
        });
}

void SubtreeMove::deleteSources()
{
    const qint64 total = m_sources.size();
    setPhase(Phase::Deleting, 0, total);
    if (m_cancelRequested)
        return finish(false, stoppedWhileCopying(tr("Move cancelled.")));
    m_deleter = new LeafDeleter(m_transport, m_store, m_sources, this);
    connect(m_deleter, &LeafDeleter::progress, this,
            [this](qint64 done, qint64 all) { emit progress(done, all, phaseName()); });
    connect(m_deleter, &LeafDeleter::finished, this, [this, total](bool ok) {
        m_changed = m_deleter->changed();
        const qint64 deleted = m_deleter->deleted().size();
        QString text;
        if (ok && m_changed.isEmpty()) {
            return finish(true, tr("Moved %n leaves from %1 to %2: copied, verified, then "
                                   "deleted at the source.",
                                   nullptr, int(total))
                                    .arg(m_from.rendered(), m_to.rendered()));
        }
        if (ok) {
            text = tr("Moved %1 of %2 leaves to %3. %n leaves changed during the move and were "
                      "left at their source: %4. Their copies under %3 hold the values from "
                      "before the change.",
                      nullptr, int(m_changed.size()))
                       .arg(deleted)
                       .arg(total)
                       .arg(m_to.rendered(), pathlist::names(renderedPaths(m_changed)));
            return finish(false, text);
        }
        const QString why = m_deleter->wasCancelled()
                                ? tr("Move cancelled while deleting the sources.")
                                : tr("Deleting the sources failed: %1.")
                                      .arg(m_deleter->error() ? m_deleter->error()->message()
                                                              : tr("unknown error"));
        text = why + QLatin1Char(' ') +
               tr("All %1 leaves were copied to %2 and verified before any source was deleted; "
                  "%3 sources were deleted (and maybe those of a batch that got no answer), the "
                  "other %4 are still at %5.")
                   .arg(total)
                   .arg(m_to.rendered())
                   .arg(deleted)
                   .arg(total - deleted)
                   .arg(m_from.rendered());
        if (!m_changed.isEmpty())
            text += QLatin1Char(' ') + tr("Changed during the move and kept: %1.")
                                           .arg(pathlist::names(renderedPaths(m_changed)));
        finish(false, text);
    });
    m_deleter->start();
}

void SubtreeMove::finish(bool ok, const QString &report)
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    m_report = report;
    emit finished(ok, report);
}

} // namespace dust
