#pragma once

#include <QFuture>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QTimer>

template <typename T> class QFutureWatcher;

namespace dust {

// Turns a value into the text an inspector page shows, and for big values does it off the
// UI thread: start() measures the value (sized(), the bytes of its compact JSON), then
// formats it with QtConcurrent on a pool of its own and delivers the text in order, one
// chunkReady() of about kChunkChars characters per event-loop turn, so the window keeps
// painting and answering while a 10 MB value comes in. cancel() stops it (no chunk after
// that) and a newer start() cancels the one before; both report cancelled(). Small values
// need none of this: format() gives their whole text at once.
//
// The JSON style is exactly QJsonDocument::toJson(Indented) for objects and arrays (four
// spaces, a final newline) and the compact text for scalars; the text style is a string's
// own characters (any other value as JSON).
class ValueFormatter : public QObject
{
    Q_OBJECT
public:
    enum class Style { Text, Json };

    static constexpr qsizetype kChunkChars = 64 * 1024;
    // Values whose rough size stays under this are formatted at once on the caller's thread.
    static constexpr qint64 kInlineLimit = 256 * 1024;

    explicit ValueFormatter(QObject *parent = nullptr);
    // Cancels what runs and waits for the pool's threads.
    ~ValueFormatter() override;

    // A quick bound on the compact JSON size of `value`: exact enough below `limit`, and
    // above it as soon as the walk has seen more than `limit` (it stops there), so it costs
    // at most about `limit` bytes' worth of work however big the value is.
    static qint64 roughSize(const QJsonValue &value, qint64 limit);
    // The exact size in bytes of the value's compact JSON (UTF-8).
    static qint64 jsonSize(const QJsonValue &value);
    // The whole text at once (for small values).
    static QString format(const QJsonValue &value, Style style);

    // Starts formatting `value` on a worker thread (cancelling a formatting still running):
    // sized() comes first, then the chunks, then finished().
    void start(const QJsonValue &value, Style style);
    // Only measures `value` on a worker thread: sized(), then finished() with no chunk.
    void measure(const QJsonValue &value);
    // Stops the running formatting: no chunk is delivered after this; emits cancelled().
    // Nothing happens when none runs.
    void cancel();
    bool isRunning() const { return m_running; }
    // Characters delivered by the running (or last) formatting so far.
    qint64 deliveredChars() const { return m_delivered; }

    // One piece of a worker's output: the size (first), or a chunk of text.
    struct Piece
    {
        qint64 size = -1;
        QString text;
    };

signals:
    void sized(qint64 jsonBytes);
    void chunkReady(const QString &text);
    void finished();
    void cancelled();

private:
    void onResults(int begin, int end);
    void onWorkerFinished();
    void deliverOne();
    void stopWorker();
    void startJob(const QJsonValue &value, Style style, bool withText);

    QThreadPool m_pool; // the workers; they touch nothing of this object
    QFuture<Piece> m_future;
    QPointer<QFutureWatcher<Piece>> m_watcher;
    QStringList m_pending; // chunks received, not delivered yet
    QTimer m_deliver;      // 0 ms: one chunk per event-loop turn
    bool m_running = false;
    bool m_workerDone = false;
    qint64 m_delivered = 0;
};

} // namespace dust
