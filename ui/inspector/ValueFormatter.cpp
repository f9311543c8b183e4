#include "inspector/ValueFormatter.h"

#include "protocol/JsonBytes.h"

#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonObject>
#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>

namespace dust {

namespace {

using Piece = ValueFormatter::Piece;

QString scalarText(const QJsonValue &value)
{
    return QString::fromUtf8(jsonbytes::fromJsonValue(value));
}

// Collects text; with a promise, hands it over in chunks and says when to stop.
class ChunkSink
{
public:
    explicit ChunkSink(QPromise<Piece> *promise = nullptr)
        : m_promise(promise)
    {}

    // False once the formatting was cancelled.
    bool append(QStringView text)
    {
        m_buffer += text;
        if (m_promise && m_buffer.size() >= ValueFormatter::kChunkChars)
            return flush();
        return true;
    }
    bool indent(int depth)
    {
        if (m_spaces.size() < 4 * depth)
            m_spaces = QString(4 * depth, QLatin1Char(' '));
        return append(QStringView(m_spaces).left(4 * depth));
    }
    bool flush()
    {
        if (!m_buffer.isEmpty()) {
            m_promise->addResult(Piece{-1, m_buffer});
            m_buffer.clear();
        }
        return !m_promise->isCanceled();
    }
    QString take() { return std::exchange(m_buffer, {}); }

private:
    QPromise<Piece> *m_promise;
    QString m_buffer;
    QString m_spaces;
};

// QJsonDocument's indented writer, one piece at a time so it can stop and hand text over
// as it goes.
bool writeJson(const QJsonValue &value, int depth, ChunkSink &sink)
{
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (!sink.append(u"[\n"))
            return false;
        for (qsizetype i = 0, n = array.size(); i < n; ++i) {
            if (!sink.indent(depth + 1) || !writeJson(array.at(i), depth + 1, sink) ||
                !sink.append(i + 1 < n ? u",\n" : u"\n"))
                return false;
        }
        return sink.indent(depth) && sink.append(u"]");
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        if (!sink.append(u"{\n"))
            return false;
        const auto end = object.constEnd();
        for (auto it = object.constBegin(); it != end; ++it) {
            if (!sink.indent(depth + 1) || !sink.append(scalarText(QJsonValue(it.key()))) ||
                !sink.append(u": ") || !writeJson(it.value(), depth + 1, sink) ||
                !sink.append(it + 1 != end ? u",\n" : u"\n"))
                return false;
        }
        return sink.indent(depth) && sink.append(u"}");
    }
    return sink.append(scalarText(value));
}

bool writeValue(const QJsonValue &value, ValueFormatter::Style style, ChunkSink &sink)
{
    if (style == ValueFormatter::Style::Text && value.isString())
        return sink.append(value.toString());
    if (!writeJson(value, 0, sink))
        return false;
    return !(value.isArray() || value.isObject()) || sink.append(u"\n");
}

// The worker: the size first, then the text in chunks; stops as soon as it is cancelled.
void formatInChunks(QPromise<Piece> &promise, const QJsonValue &value, ValueFormatter::Style style,
                    bool withText)
{
    promise.addResult(Piece{ValueFormatter::jsonSize(value), {}});
    if (promise.isCanceled() || !withText)
        return;
    ChunkSink sink(&promise);
    if (style == ValueFormatter::Style::Text && value.isString()) {
        const QString text = value.toString();
        for (qsizetype at = 0; at < text.size(); at += ValueFormatter::kChunkChars) {
            promise.addResult(Piece{-1, text.mid(at, ValueFormatter::kChunkChars)});
            if (promise.isCanceled())
                return;
        }
        return;
    }
    if (writeValue(value, style, sink))
        sink.flush();
}

void roughWalk(const QJsonValue &value, qint64 limit, qint64 &total)
{
    switch (value.type()) {
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        total += 2 + qMax<qsizetype>(0, array.size() - 1);
        for (qsizetype i = 0; i < array.size() && total <= limit; ++i)
            roughWalk(array.at(i), limit, total);
        return;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        total += 2;
        for (auto it = object.constBegin(); it != object.constEnd() && total <= limit; ++it) {
            total += it.key().size() + 4;
            roughWalk(it.value(), limit, total);
        }
        return;
    }
    case QJsonValue::String:
        total += value.toString().size() + 2;
        return;
    case QJsonValue::Double:
        total += 8;
        return;
    case QJsonValue::Bool:
        total += 5;
        return;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        total += 4;
        return;
    }
}

} // namespace

ValueFormatter::ValueFormatter(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(2); // one cancelled run may still be finishing a step
    m_deliver.setSingleShot(true);
    m_deliver.setInterval(0);
    connect(&m_deliver, &QTimer::timeout, this, &ValueFormatter::deliverOne);
}

ValueFormatter::~ValueFormatter()
{
    stopWorker();
    m_pool.waitForDone();
}

qint64 ValueFormatter::roughSize(const QJsonValue &value, qint64 limit)
{
    qint64 total = 0;
    roughWalk(value, limit, total);
    return total;
}

qint64 ValueFormatter::jsonSize(const QJsonValue &value)
{
    return jsonbytes::fromJsonValue(value).size();
}

QString ValueFormatter::format(const QJsonValue &value, Style style)
{
    ChunkSink sink;
    writeValue(value, style, sink);
    return sink.take();
}

void ValueFormatter::start(const QJsonValue &value, Style style)
{
    startJob(value, style, true);
}

void ValueFormatter::measure(const QJsonValue &value)
{
    startJob(value, Style::Json, false);
}

void ValueFormatter::startJob(const QJsonValue &value, Style style, bool withText)
{
    cancel();
    m_running = true;
    m_workerDone = false;
    m_delivered = 0;
    m_future = QtConcurrent::run(&m_pool, formatInChunks, value, style, withText);
    auto *watcher = new QFutureWatcher<Piece>(this);
    m_watcher = watcher;
    connect(watcher, &QFutureWatcherBase::resultsReadyAt, this, &ValueFormatter::onResults);
    connect(watcher, &QFutureWatcherBase::finished, this, &ValueFormatter::onWorkerFinished);
    watcher->setFuture(m_future);
}

void ValueFormatter::cancel()
{
    if (!m_running)
        return;
    stopWorker();
    emit cancelled();
}

void ValueFormatter::stopWorker()
{
    m_running = false;
    m_deliver.stop();
    m_pending.clear();
    if (m_watcher) {
        m_watcher->disconnect(this);
        m_watcher->deleteLater();
        m_watcher = nullptr;
    }
    if (m_future.isValid()) {
        m_future.cancel();
        m_future = {};
    }
}

void ValueFormatter::onResults(int begin, int end)
{
    for (int i = begin; i < end; ++i) {
        const Piece piece = m_future.resultAt(i);
        if (piece.size >= 0)
            emit sized(piece.size);
        else
            m_pending.append(piece.text);
        if (!m_running)
            return; // a slot cancelled
    }
    if (!m_pending.isEmpty() && !m_deliver.isActive())
        m_deliver.start();
}

void ValueFormatter::onWorkerFinished()
{
    m_workerDone = true;
    if (!m_deliver.isActive())
        deliverOne();
}

void ValueFormatter::deliverOne()
{
    if (!m_running)
        return;
    if (!m_pending.isEmpty()) {
        const QString text = m_pending.takeFirst();
        m_delivered += text.size();
        emit chunkReady(text);
        if (!m_running)
            return; // a slot cancelled or started anew
        if (!m_pending.isEmpty() || !m_workerDone) {
            if (!m_pending.isEmpty())
                m_deliver.start();
            return;
        }
    }
    if (m_workerDone && m_pending.isEmpty()) {
        m_running = false;
        if (m_watcher) {
            m_watcher->disconnect(this);
            m_watcher->deleteLater();
            m_watcher = nullptr;
        }
        m_future = {}; // frees the pieces it holds
        emit finished();
    }
}

} // namespace dust
