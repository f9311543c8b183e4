#include "ReconnectBackoff.h"

#include <QRandomGenerator>
#include <QtGlobal>

#include <algorithm>

namespace dust {

using std::chrono::milliseconds;

ReconnectBackoff::ReconnectBackoff(milliseconds first, milliseconds cap)
    : m_first(std::max(first, milliseconds(1)))
    , m_cap(std::max(m_first, cap))
{}

milliseconds ReconnectBackoff::ceiling(int attempt) const
{
    qint64 delay = m_first.count();
    for (int i = 0; i < attempt && delay < m_cap.count(); ++i)
        delay *= 2;
    return std::min(milliseconds(delay), m_cap);
}

milliseconds ReconnectBackoff::delay(int attempt, QRandomGenerator &random) const
{
    const qint64 top = ceiling(attempt).count();
    const qint64 half = top / 2;
    return milliseconds(half + qint64(random.bounded(double(top - half + 1))));
}

milliseconds ReconnectBackoff::next()
{
    const milliseconds wait = delay(m_attempt, *QRandomGenerator::global());
    if (m_attempt < kMaxAttempt)
        ++m_attempt;
    return wait;
}

} // namespace dust
