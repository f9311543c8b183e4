#pragma once

// What every benchmark measures besides its own subject: the process's memory (resident set
// now, and its peak) and CPU time by clock.

#include <sys/resource.h>
#include <unistd.h>

#include <QByteArray>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QTimer>
#include <QtGlobal>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>

namespace dust::bench {

// The largest resident set the process has had, in KiB (getrusage reports KiB on Linux).
inline long peakRssKb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

// The resident set now, in KiB: /proc/self/statm counts pages of the system's page size.
inline long currentRssKb()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * sysconf(_SC_PAGESIZE) / 1024;
}

inline double mb(double kb)
{
    return kb / 1024.0;
}

// The time of `clock` (CLOCK_THREAD_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID, ...) in ns.
inline qint64 cpuNs(clockid_t clock)
{
    timespec ts{};
    clock_gettime(clock, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Measures how long the event loop is kept from running: a 1 ms timer notes the longest gap
// between its ticks.
class StallMeter : public QObject
{
public:
    explicit StallMeter(std::chrono::milliseconds interval = std::chrono::milliseconds(1))
    {
        m_timer.setInterval(interval);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_longest = std::max(m_longest, now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_longest = 0;
        m_timer.start();
    }
    double stop()
    {
        m_timer.stop();
        const qint64 now = m_clock.nsecsElapsed();
        m_longest = std::max(m_longest, now - m_last);
        return double(m_longest) / 1e6;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_longest = 0;
};

// Readable lines as the figures come, and the machine-readable "FIGURE key value unit"
// lines at the end (what bench/run.sh records).
class Figures
{
public:
    void add(const QByteArray &key, double value, const char *unit, const QString &label)
    {
        std::printf("%-64s %10.3f %s\n", qPrintable(label), value, unit);
        std::fflush(stdout);
        m_lines.append("FIGURE " + key + ' ' + QByteArray::number(value, 'f', 3) + ' ' + unit);
    }
    void add(const char *key, double value, const char *unit, const char *label)
    {
        add(QByteArray(key), value, unit, QString::fromUtf8(label));
    }
    void add(const QString &key, double value, const QString &unit, const QString &label)
    {
        add(key.toUtf8(), value, unit.toUtf8().constData(), label);
    }
    void print() const
    {
        for (const QByteArray &line : m_lines)
            std::printf("%s\n", line.constData());
    }

private:
    QList<QByteArray> m_lines;
};

// Runs the event loop (without spinning: the measured threads need the cores) until `done`
// or the timeout; checked every 5 ms.
inline bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QElapsedTimer t;
    t.start();
    QEventLoop loop;
    QTimer tick;
    tick.setInterval(5);
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (done() || t.elapsed() > timeoutMs)
            loop.quit();
    });
    tick.start();
    loop.exec();
    return done();
}

// Starts a dustlite process and waits for its ready line; the port it listens on, or 0.
inline quint16 startDustlite(QProcess &process, const QString &program, const QStringList &args,
                             QProcess::ProcessChannelMode channels, int timeoutMs = 600000)
{
    process.setProgram(program);
    process.setArguments(args);
    process.setProcessChannelMode(channels);
    process.start();
    if (!process.waitForStarted(10000))
        return 0;
    const QRegularExpression ready(QStringLiteral("listening on http://[^:]+:(\\d+)"));
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (!process.waitForReadyRead(1000)) {
            if (process.state() != QProcess::Running)
                return 0;
            continue;
        }
        out += process.readAllStandardOutput();
        const auto m = ready.match(QString::fromUtf8(out));
        if (m.hasMatch())
            return quint16(m.captured(1).toUInt());
    }
    return 0;
}

// A dustlite child on a free port with its data in `dataDir`, the token dust_tok_dev, seeded
// with `leaves` generated leaves (none for 0) and given `extra` arguments. Seeding a million
// leaves takes a while: it waits up to an hour. Its port, or 0 after saying on stderr why.
inline quint16 startSeededDustlite(QProcess &process, const QString &program,
                                   const QString &dataDir, qsizetype leaves,
                                   const QStringList &extra = {})
{
    QStringList args{QStringLiteral("--port"),  QStringLiteral("0"),
                     QStringLiteral("--data"),  dataDir,
                     QStringLiteral("--token"), QStringLiteral("dust_tok_dev")};
    if (leaves > 0)
        args << QStringLiteral("--seed") << QString::number(leaves);
    const quint16 port =
        startDustlite(process, program, args + extra, QProcess::SeparateChannels, 3600 * 1000);
    if (port == 0)
        std::fprintf(stderr, "dustlite did not start: %s\n",
                     process.readAllStandardError().constData());
    return port;
}

} // namespace dust::bench
