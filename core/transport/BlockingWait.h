#pragma once

#include <QEventLoop>
#include <QFuture>
#include <QFutureWatcher>

namespace dust {

// Waits for `future` in a local event loop and gives its result: for headless callers (the
// command line, benchmarks) that have a QCoreApplication but nothing else to do meanwhile.
// Never on the GUI thread of the window (it would re-enter its event handling).
template <typename T> T blockingWait(const QFuture<T> &future)
{
    if (!future.isFinished()) {
        QFutureWatcher<T> watcher;
        QEventLoop loop;
        QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        watcher.setFuture(future);
        if (!future.isFinished())
            loop.exec();
    }
    return future.result();
}

} // namespace dust
