#pragma once

#include <QtGlobal>

#include <atomic>

namespace dust {

// Shared between an ExportJob (GUI thread) and the thread that writes: the counts the job
// reports as progress, and the cancel request the writer checks between leaves.
struct ExportProgress
{
    std::atomic<qint64> leaves{0};
    std::atomic<qint64> bytes{0};
    std::atomic<qint64> total{0}; // leaves expected, 0 when not known
    std::atomic<bool> cancelled{false};
};

} // namespace dust
