#include "model/RestoreBatch.h"

#include <QHash>

#include <algorithm>

namespace dust {

RestoreBatch::RestoreBatch(Transport *rest, QString store, QList<RestoreStep> steps,
                           QObject *parent)
    : QObject(parent)
    , m_rest(rest)
    , m_store(std::move(store))
    , m_steps(std::move(steps))
{
    m_revisions = QList<qint64>(m_steps.size(), 0);
    for (qsizetype i = 0; i < m_steps.size(); ++i) {
        const RestoreStep &step = m_steps.at(i);
        if (!step.value && step.expectRevision == 0)
            continue; // a delete of what is expected absent: nothing to do
        m_order.append(i);
    }
    // Deletes first, then sets in path order: a set of a parent clears its descendants, so
    // the leaves below it must come after it.
    std::stable_sort(m_order.begin(), m_order.end(), [this](qsizetype a, qsizetype b) {
        const RestoreStep &x = m_steps.at(a);
        const RestoreStep &y = m_steps.at(b);
        if (x.value.has_value() != y.value.has_value())
            return !x.value.has_value();
        return x.path < y.path;
    });
}

void RestoreBatch::start()
{
    if (m_running)
        return;
    m_running = true;
    next();
}

void RestoreBatch::cancel()
{
    m_cancelled = true;
}

QString RestoreBatch::soFar() const
{
    if (m_written == 0)
        return tr("Nothing was written.");
    return tr("%n write(s) of earlier batches are in the store.", nullptr,
              static_cast<int>(m_written));
}

void RestoreBatch::fail(const QString &report)
{
    m_running = false;
    emit finished(false, report + QLatin1Char(' ') + soFar());
}

void RestoreBatch::next()
{
    const qsizetype total = m_order.size();
    if (m_next >= total) {
        m_running = false;
        emit progress(total, total, tr("Done"));
        emit finished(true,
                      total == 1 ? tr("One leaf written.") : tr("%1 leaves written.").arg(total));
        return;
    }
    if (m_cancelled)
        return fail(tr("Cancelled."));
    if (!m_rest)
        return fail(tr("The connection was closed."));
    const qsizetype begin = m_next;
    const qsizetype end = std::min(total, begin + kMaxOps);
    m_next = end;
    emit progress(begin, total, tr("Writing %1 to %2 of %3").arg(begin + 1).arg(end).arg(total));
    check(begin, end);
}

// The steps that expect no leaf: batches cannot say if_absent, so they are read first.
void RestoreBatch::check(qsizetype begin, qsizetype end)
{
    QList<Path> absent;
    for (qsizetype i = begin; i < end; ++i) {
        const RestoreStep &step = m_steps.at(m_order.at(i));
        if (step.expectRevision == 0)
            absent.append(step.path);
    }
    if (absent.isEmpty())
        return write(begin, end);
    m_rest->getLeaves(m_store, absent)
        .then(this, [this, begin, end](const Result<QList<Entry>> &found) {
            if (!found)
                return fail(
                    tr("Reading the store before writing failed: %1").arg(found.error().message()));
            if (!found->isEmpty()) {
                const Entry &there = found->first();
                m_conflictPath = there.path.rendered();
                return fail(tr("%1 was written by someone else since the preview (now revision "
                               "%2), so nothing of this batch was written.")
                                .arg(m_conflictPath)
                                .arg(there.revision));
            }
            write(begin, end);
        });
}

void RestoreBatch::write(qsizetype begin, qsizetype end)
{
    if (!m_rest)
        return fail(tr("The connection was closed."));
    QList<BatchOp> ops;
    ops.reserve(end - begin);
    for (qsizetype i = begin; i < end; ++i) {
        const RestoreStep &step = m_steps.at(m_order.at(i));
        BatchOp op;
        op.op = step.value ? Op::Set : Op::Delete;
        op.path = step.path;
        if (step.value)
            op.value = *step.value;
        if (step.expectRevision > 0)
            op.ifMatch = step.expectRevision;
        ops.append(std::move(op));
    }
    m_rest->batchWrite(m_store, ops)
        .then(this, [this, begin, end](const Result<BatchWriteResult> &result) {
            if (!result) {
                const Error &error = result.error();
                if (error.kind() == Error::Kind::Conflict) {
                    QString path = error.path();
                    if (const auto index = error.opIndex();
                        index && *index >= 0 && begin + *index < end)
                        path = m_steps.at(m_order.at(begin + *index)).path.rendered();
                    m_conflictPath = path;
                    const QString now = error.currentRevision()
                                            ? tr("now revision %1").arg(*error.currentRevision())
                                            : tr("now absent");
                    return fail(tr("%1 changed since the preview (%2), so the server refused "
                                   "this batch and wrote none of it.")
                                    .arg(path, now));
                }
                return fail(tr("Writing failed: %1").arg(error.message()));
            }
            for (qsizetype i = begin; i < end; ++i) {
                const qsizetype step = m_order.at(i);
                const qsizetype at = i - begin;
                m_revisions[step] = m_steps.at(step).value && at < result->revisions.size()
                                        ? result->revisions.at(at)
                                        : 0;
            }
            m_written += end - begin;
            m_lastSeq = result->storeSeq;
            next();
        });
}

} // namespace dust
