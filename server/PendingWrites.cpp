#include "PendingWrites.h"

#include <algorithm>

namespace dust::lite {

void PendingWrites::push(Write write)
{
    const std::lock_guard held(m_lock);
    m_writes.push_back(std::move(write));
}

QList<PendingWrites::Write> PendingWrites::take(qsizetype max)
{
    const std::lock_guard held(m_lock);
    const auto n = std::min(qsizetype(m_writes.size()), max);
    QList<Write> taken;
    taken.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        taken.append(std::move(m_writes.front()));
        m_writes.pop_front();
    }
    return taken;
}

qsizetype PendingWrites::size() const
{
    const std::lock_guard held(m_lock);
    return qsizetype(m_writes.size());
}

} // namespace dust::lite
