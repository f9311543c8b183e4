#include "edit/LeafDeleter.h"

#include <QTimer>

#include <algorithm>
#include <chrono>

namespace dust {

namespace {
constexpr int kMaxBatchOps = 1000;
}

LeafDeleter::LeafDeleter(Transport *transport, QString store, QList<Entry> leaves, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(std::move(store))
    , m_pending(std::move(leaves))
{
    // Descending byte order of rendered paths: "a/b" before "a", so descendants go first.
    std::sort(m_pending.begin(), m_pending.end(),
              [](const Entry &a, const Entry &b) { return b.path < a.path; });
    m_total = m_pending.size();
}

void LeafDeleter::start()
{
    if (m_running)
        return;
    m_running = true;
    emit progress(0, m_total);
    sendNext();
}

void LeafDeleter::cancel()
{
    m_cancelled = true;
    if (!m_running)
        return;
    if (m_batch.isEmpty())
        done(false);
}

void LeafDeleter::sendNext()
{
    if (m_cancelled)
        return done(false);
    if (m_batch.isEmpty()) {
        if (m_pending.isEmpty())
            return done(true);
        m_batch = m_pending.mid(0, kMaxBatchOps);
        m_pending.remove(0, m_batch.size());
    }
    if (!m_transport) {
        m_error = Error(Error::Kind::Cancelled);
        return done(false);
    }
    QList<BatchOp> ops;
    ops.reserve(m_batch.size());
    for (const Entry &leaf : std::as_const(m_batch))
        ops.append(BatchOp{Op::Delete, leaf.path, QJsonValue(), leaf.revision});
    m_transport->batchWrite(m_store, ops)
        .then(this, [this](const Result<BatchWriteResult> &result) {
            if (result) {
                m_deleted += m_batch;
                m_batch.clear();
                emit progress(m_deleted.size() + m_changed.size(), m_total);
                return sendNext();
            }
            const Error &error = result.error();
            const auto index = error.opIndex();
            if (error.kind() == Error::Kind::Conflict && index && *index >= 0 &&
                *index < m_batch.size()) {
                // That leaf changed since it was listed: keep it, send the others again.
                m_changed.append(m_batch.takeAt(*index));
                emit progress(m_deleted.size() + m_changed.size(), m_total);
                return sendNext();
            }
            if (error.kind() == Error::Kind::RateLimited && !m_cancelled) {
                const auto wait = std::max(error.retryAfter(), std::chrono::milliseconds(1000));
                QTimer::singleShot(wait, this, &LeafDeleter::sendNext);
                return;
            }
            m_error = error;
            m_pending = m_batch + m_pending;
            m_batch.clear();
            done(false);
        });
}

void LeafDeleter::done(bool ok)
{
    if (!m_running)
        return;
    m_running = false;
    if (!m_batch.isEmpty()) {
        m_pending = m_batch + m_pending;
        m_batch.clear();
    }
    emit finished(ok);
}

} // namespace dust
