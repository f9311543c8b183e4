#include "RateLimiter.h"

namespace dust::lite {

namespace {
constexpr qint64 kWindowMs = 60 * 1000;
}

RateLimiter::RateLimiter(int readsPerMinute, int writesPerMinute)
    : m_reads(std::max(0, readsPerMinute))
    , m_writes(std::max(0, writesPerMinute))
{
    m_clock.start();
}

RateLimiter::Decision RateLimiter::take(const QString &tokenId, Bucket bucket)
{
    Decision decision;
    const int limit = bucket == Bucket::Read ? m_reads : m_writes;
    decision.limit = limit;
    if (limit <= 0)
        return decision; // unlimited

    const qint64 now = m_clock.elapsed();
    const QString key =
        (bucket == Bucket::Read ? QLatin1String("r:") : QLatin1String("w:")) + tokenId;
    Window &window = m_windows[key];
    if (window.used == 0 || now - window.startMs >= kWindowMs) {
        window.startMs = now;
        window.used = 0;
    }
    if (window.used >= limit) {
        decision.allowed = false;
        decision.remaining = 0;
        const qint64 leftMs = window.startMs + kWindowMs - now;
        decision.retryAfterSeconds = static_cast<int>(std::max<qint64>(1, (leftMs + 999) / 1000));
        return decision;
    }
    ++window.used;
    decision.remaining = limit - window.used;
    return decision;
}

} // namespace dust::lite
