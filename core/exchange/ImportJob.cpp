#include "exchange/ImportJob.h"

#include "protocol/JsonBytes.h"
#include "transport/Transport.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace dust {

namespace {

constexpr qsizetype kMaxImportBody = 4 * 1024 * 1024; // well inside the server's body limit

QByteArray jsonlLine(const PlannedLeaf &leaf)
{
    return Transport::importLine(leaf.path, leaf.value, leaf.type);
}

QString errorWords(const Error &error)
{
    return error.detail().isEmpty() ? error.reason() : error.detail();
}

} // namespace

ImportJob::ImportJob(Transport *transport, QString store, ImportPlan plan, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(std::move(store))
    , m_plan(std::move(plan))
{
    m_total = m_plan.writeCount();
    m_summary = m_plan.summary();
    // Removals first, in batches.
    for (qsizetype i = 0; i < m_plan.removed.size(); i += kMaxStep)
        m_steps.append(Step{Step::Kind::Remove, m_plan.removed.mid(i, kMaxStep)});
    // Then the writes in path order, in runs of one kind.
    QList<PlannedLeaf> writes = std::move(m_plan.created);
    writes += std::move(m_plan.changed);
    std::sort(writes.begin(), writes.end(), [](const PlannedLeaf &a, const PlannedLeaf &b) {
        return a.path.rendered() < b.path.rendered();
    });
    qsizetype bodyBytes = 0;
    for (PlannedLeaf &leaf : writes) {
        const Step::Kind kind = leaf.typed ? Step::Kind::Import : Step::Kind::Batch;
        const qsizetype bytes = kind == Step::Kind::Import ? jsonlLine(leaf).size() : 0;
        if (m_steps.isEmpty() || m_steps.constLast().kind != kind ||
            m_steps.constLast().leaves.size() >= kMaxStep ||
            (kind == Step::Kind::Import && bodyBytes + bytes > kMaxImportBody &&
             !m_steps.constLast().leaves.isEmpty())) {
            m_steps.append(Step{kind, {}});
            bodyBytes = 0;
        }
        bodyBytes += bytes;
        m_steps.last().leaves.append(std::move(leaf));
    }
    // The steps hold the leaves now; the plan's lists would only double the memory.
    m_plan.created.clear();
    m_plan.changed.clear();
    m_plan.removed.clear();
    m_plan.unchanged.clear();
}

ImportJob::~ImportJob() = default;

void ImportJob::start()
{
    if (m_running)
        return;
    m_running = true;
    m_cancelled = false;
    m_next = 0;
    m_written = 0;
    emit progress(0, m_total);
    runNext();
}

void ImportJob::cancel()
{
    m_cancelled = true;
}

void ImportJob::runNext()
{
    if (!m_running)
        return;
    if (m_next >= m_steps.size()) {
        m_running = false;
        QString words = tr("Imported: %1.").arg(m_summary);
        emit finished(true, words);
        return;
    }
    if (m_cancelled) {
        return fail(tr("Cancelled after %1 of %2 writes: those are in the store, the rest were "
                       "not written.")
                        .arg(m_written)
                        .arg(m_total));
    }
    if (!m_transport)
        return fail(
            tr("The connection was closed after %1 of %2 writes.").arg(m_written).arg(m_total));
    checkThenWrite(m_next++);
}

// Reads back the leaves a step writes without a precondition: created ones (batches have
// no if_absent) and every leaf of an import (no preconditions at all).
void ImportJob::checkThenWrite(qsizetype index)
{
    const Step &step = m_steps.at(index);
    QList<Path> paths;
    for (const PlannedLeaf &leaf : step.leaves) {
        if (step.kind == Step::Kind::Import ||
            (step.kind == Step::Kind::Batch && leaf.revision == 0))
            paths.append(leaf.path);
    }
    if (paths.isEmpty())
        return write(index);
    m_transport->getLeaves(m_store, paths)
        .then(this, [this, index](const Result<QList<Entry>> &now) {
            if (!m_running)
                return;
            if (!now)
                return fail(tr("Reading back before writing failed after %1 of %2 writes: %3")
                                .arg(m_written)
                                .arg(m_total)
                                .arg(errorWords(now.error())));
            QHash<QString, qint64> revisions;
            for (const Entry &entry : *now)
                revisions.insert(entry.path.rendered(), entry.revision);
            for (const PlannedLeaf &leaf : m_steps.at(index).leaves) {
                const auto found = revisions.constFind(leaf.path.rendered());
                if (leaf.revision == 0 && found != revisions.cend())
                    return conflict(leaf.path.rendered(), tr("it was created after the preview"));
                if (leaf.revision != 0 && m_steps.at(index).kind == Step::Kind::Import) {
                    if (found == revisions.cend())
                        return conflict(leaf.path.rendered(),
                                        tr("it was removed after the preview"));
                    if (*found != leaf.revision)
                        return conflict(
                            leaf.path.rendered(),
                            tr("it changed after the preview (revision %1, previewed %2)")
                                .arg(*found)
                                .arg(leaf.revision));
                }
            }
            write(index);
        });
}

void ImportJob::write(qsizetype index)
{
    const Step &step = m_steps.at(index);
    const qsizetype count = step.leaves.size();
    if (step.kind == Step::Kind::Import) {
        QByteArray body;
        for (const PlannedLeaf &leaf : step.leaves)
            body += jsonlLine(leaf);
        m_transport->importLines(m_store, body)
            .then(this, [this, index, count](const Result<ImportReply> &reply) {
                if (!m_running)
                    return;
                if (!reply)
                    return fail(tr("Writing failed after %1 of %2 writes: %3")
                                    .arg(m_written)
                                    .arg(m_total)
                                    .arg(errorWords(reply.error())));
                for (const ImportLineResult &line : reply->lines) {
                    if (line.error.isEmpty())
                        continue;
                    const QList<PlannedLeaf> &leaves = m_steps.at(index).leaves;
                    const QString path =
                        line.path.isEmpty() && line.line > 0 && line.line <= leaves.size()
                            ? leaves.at(line.line - 1).path.rendered()
                            : line.path;
                    return fail(
                        tr("Writing %1 failed (%2): %3 of %4 writes were done, some of this "
                           "step's may be too.")
                            .arg(path, line.detail.isEmpty() ? line.error : line.detail)
                            .arg(m_written)
                            .arg(m_total));
                }
                stepDone(count);
            });
        return;
    }
    QList<BatchOp> ops;
    ops.reserve(count);
    for (const PlannedLeaf &leaf : step.leaves) {
        BatchOp op;
        op.op = step.kind == Step::Kind::Remove ? Op::Delete : Op::Set;
        op.path = leaf.path;
        if (op.op == Op::Set)
            op.value = leaf.value;
        if (leaf.revision > 0)
            op.ifMatch = leaf.revision;
        ops.append(std::move(op));
    }
    m_transport->batchWrite(m_store, ops)
        .then(this, [this, count](const Result<BatchWriteResult> &result) {
            if (!m_running)
                return;
            if (!result) {
                const Error &error = result.error();
                if (error.kind() == Error::Kind::Conflict)
                    return conflict(error.path(),
                                    error.currentRevision()
                                        ? tr("it changed after the preview (now revision %1)")
                                              .arg(*error.currentRevision())
                                        : tr("it was removed after the preview"));
                return fail(tr("Writing failed after %1 of %2 writes: %3")
                                .arg(m_written)
                                .arg(m_total)
                                .arg(errorWords(error)));
            }
            stepDone(count);
        });
}

void ImportJob::stepDone(qsizetype count)
{
    m_written += count;
    emit progress(m_written, m_total);
    runNext();
}

void ImportJob::fail(const QString &words)
{
    m_running = false;
    emit finished(false, words);
}

void ImportJob::conflict(const QString &path, const QString &why)
{
    m_conflictPath = path;
    fail(tr("Stopped: %1 conflicts, %2. %3 of %4 writes were done before it; the rest were not "
            "written.")
             .arg(path, why)
             .arg(m_written)
             .arg(m_total));
}

} // namespace dust
