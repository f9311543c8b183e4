#pragma once

#include <chrono>

class QRandomGenerator;

namespace dust {

// Capped exponential backoff with jitter, for reconnecting a socket and for re-joining a
// channel: the n-th wait in a row (n = 0, 1, …) is at most first · 2ⁿ, never more than the
// cap, and is drawn from [ceiling/2, ceiling] so that clients dropped together do not return
// together. A success resets the count.
class ReconnectBackoff
{
public:
    // `first` is at least 1 ms; a cap below `first` is `first`.
    ReconnectBackoff(std::chrono::milliseconds first, std::chrono::milliseconds cap);

    // The longest wait before retry number `attempt` (0 = the first).
    std::chrono::milliseconds ceiling(int attempt) const;
    // A wait for retry number `attempt`, jittered with `random`.
    std::chrono::milliseconds delay(int attempt, QRandomGenerator &random) const;

    // The wait before the next retry (jittered with the global generator); counts it.
    std::chrono::milliseconds next();
    void reset() { m_attempt = 0; }
    int attempt() const { return m_attempt; }

    // The count stops growing here (the ceiling reached the cap long before).
    static constexpr int kMaxAttempt = 30;

private:
    std::chrono::milliseconds m_first;
    std::chrono::milliseconds m_cap;
    int m_attempt = 0;
};

} // namespace dust
