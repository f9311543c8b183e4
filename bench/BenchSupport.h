#pragma once

// What every benchmark measures besides its own subject: the process's memory (resident set
// now, and its peak) and CPU time by clock.

#include <sys/resource.h>
#include <unistd.h>

#include <QtGlobal>

#include <ctime>
#include <fstream>

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

} // namespace dust::bench
