#pragma once

// Small helpers every suite that calls the core needs: test paths that must parse, and
// waiting for a QFuture<Result<T>> while the event loop runs.

#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QSignalSpy>
#include <QStringList>

namespace dust::test {

// A path the test wrote by hand; a typo stops the test run at once.
inline Path path(const QString &rendered)
{
    auto parsed = Path::parse(rendered);
    if (!parsed)
        qFatal("bad test path %s", qPrintable(rendered));
    return parsed.value();
}

inline Path segments(const QStringList &raw)
{
    auto built = Path::fromSegments(raw);
    if (!built)
        qFatal("bad test segments");
    return built.value();
}

// Runs the event loop until `future` finishes. A future that does not finish in time, or
// finishes without a result, reads as a Cancelled error, so the test fails where it waited.
template <typename T> Result<T> await(const QFuture<Result<T>> &future, int timeoutMs = 30000)
{
    if (!future.isFinished()) {
        QFutureWatcher<Result<T>> watcher;
        QSignalSpy finished(&watcher, &QFutureWatcherBase::finished);
        watcher.setFuture(future);
        if (!future.isFinished() && finished.isEmpty())
            finished.wait(timeoutMs);
    }
    if (!future.isFinished())
        return Result<T>::failure(Error(Error::Kind::Cancelled, QStringLiteral("test timeout")));
    if (future.resultCount() == 0)
        return Result<T>::failure(
            Error(Error::Kind::Cancelled, QStringLiteral("finished without a result")));
    return future.result();
}

} // namespace dust::test
