#include "ChangeCoalescer.h"

#include <QElapsedTimer>

#include <algorithm>

namespace dust {

ChangeCoalescer::ChangeCoalescer(Apply apply, QObject *parent)
    : QObject(parent)
    , m_apply(std::move(apply))
    , m_timer(this)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(16);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ChangeCoalescer::onTimer);
}

void ChangeCoalescer::add(const MirrorChangeBatch &batch)
{
    if (batch.isEmpty())
        return;
    m_queue.push_back(batch);
    m_queuedChanges += batch.changes().size();
    schedule();
}

void ChangeCoalescer::clear()
{
    m_timer.stop();
    m_pending.clear();
    m_queue.clear();
    m_queuedChanges = 0;
    m_frontOffset = 0;
}

void ChangeCoalescer::flushAll()
{
    m_timer.stop();
    while (!isEmpty() && !m_held)
        flush(INT_MAX, -1);
    schedule();
}

void ChangeCoalescer::setHeld(bool held)
{
    m_held = held;
    if (!held)
        schedule();
}

void ChangeCoalescer::setInterval(int ms)
{
    m_timer.setInterval(std::max(0, ms));
}

void ChangeCoalescer::setBudget(int ms)
{
    m_budgetMs = std::max(0, ms);
}

void ChangeCoalescer::setMaxPerFlush(int changes)
{
    m_maxPerFlush = std::max(1, changes);
}

void ChangeCoalescer::schedule()
{
    if (!isEmpty() && !m_timer.isActive())
        m_timer.start();
}

void ChangeCoalescer::onTimer()
{
    if (m_held)
        return; // resumed by setHeld(false)
    flush(m_maxPerFlush, qint64(m_budgetMs) * 1000000);
    schedule();
}

void ChangeCoalescer::drain(qsizetype atMost)
{
    while (atMost > 0 && !m_queue.empty()) {
        const QList<MirrorLeafChange> &changes = m_queue.front().changes();
        const qsizetype end = std::min(changes.size(), m_frontOffset + atMost);
        for (qsizetype i = m_frontOffset; i < end; ++i) {
            const MirrorLeafChange &c = changes.at(i);
            if (c.path.isValid())
                m_pending.insert(c.path.rendered(), c);
        }
        atMost -= end - m_frontOffset;
        m_queuedChanges -= end - m_frontOffset;
        m_frontOffset = end;
        if (m_frontOffset == changes.size()) {
            m_queue.pop_front();
            m_frontOffset = 0;
        }
    }
}

void ChangeCoalescer::flush(int maxChanges, qint64 budgetNs)
{
    if (isEmpty())
        return;
    QElapsedTimer timer;
    timer.start();
    int applied = 0;
    while (applied < maxChanges) {
        if (m_pending.size() < chunkSize())
            drain(chunkSize() - m_pending.size());
        if (m_pending.isEmpty())
            break;
        const int want = std::min(chunkSize(), maxChanges - applied);
        std::vector<MirrorLeafChange> changes;
        changes.reserve(size_t(std::min<qsizetype>(m_pending.size(), want)));
        auto it = m_pending.begin();
        while (it != m_pending.end() && changes.size() < size_t(want)) {
            changes.push_back(std::move(it.value()));
            it = m_pending.erase(it);
        }
        applied += int(changes.size());
        m_apply(std::move(changes));
        if (budgetNs >= 0 && timer.nsecsElapsed() >= budgetNs)
            break;
    }
    ++m_flushCount;
    emit flushed(applied, timer.nsecsElapsed());
}

} // namespace dust
