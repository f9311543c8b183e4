#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QString>

namespace dust::lite {

// Per-token fixed 60-second windows (dust-protocol.md §7.2): one bucket for reads (REST
// GET/HEAD) and one for writes (every other REST method plus WS write/put_file).
class RateLimiter
{
public:
    enum class Bucket { Read, Write };
    struct Decision
    {
        bool allowed = true;
        int limit = 0;
        int remaining = 0;
        int retryAfterSeconds = 0;
    };

    RateLimiter(int readsPerMinute, int writesPerMinute);
    // Counts one request; a limit of 0 means unlimited.
    Decision take(const QString &tokenId, Bucket bucket);

private:
    struct Window
    {
        qint64 startMs = 0;
        int used = 0;
    };
    int m_reads;
    int m_writes;
    QElapsedTimer m_clock;
    QHash<QString, Window> m_windows;
};

} // namespace dust::lite
