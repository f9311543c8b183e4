#include "exchange/ExportJob.h"

#include "exchange/ExportProgress.h"
#include "exchange/ExportStreamWriter.h"
#include "exchange/ExportWriter.h"
#include "exchange/MirrorExport.h"
#include "exchange/RestExportReader.h"
#include "exchange/RestExportStream.h"
#include "protocol/JsonBytes.h"
#include "transport/HttpStream.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QLocale>
#include <QPromise>
#include <QSaveFile>

namespace dust {

// What the pool thread writing REST pages keeps between pages.
struct RestExportState
{
    std::unique_ptr<ExportWriter> writer;         // paging
    std::unique_ptr<ExportStreamWriter> streamed; // the server's /export stream
    std::shared_ptr<QIODevice> file;              // keeps the target alive while pages are written
    QIODevice *device = nullptr;
    bool ok = true;
};

namespace {

// Runs `f` on `pool` and gives its result as a future (continue it with .then(context, …)).
template <typename F> auto runOn(QThreadPool &pool, F f) -> QFuture<std::invoke_result_t<F &>>
{
    using R = std::invoke_result_t<F &>;
    auto promise = std::make_shared<QPromise<R>>();
    QFuture<R> future = promise->future();
    promise->start();
    pool.start([promise, f = std::move(f)]() mutable {
        if constexpr (std::is_void_v<R>) {
            f();
        } else {
            promise->addResult(f());
        }
        promise->finish();
    });
    return future;
}

constexpr int kTickMs = 100;

} // namespace

ExportJob::ExportJob(QString store, ExportScope scope, ExchangeFormat format, QObject *parent)
    : QObject(parent)
    , m_store(std::move(store))
    , m_scope(std::move(scope))
    , m_format(format)
    , m_progress(std::make_shared<ExportProgress>())
{
    m_pool.setMaxThreadCount(1);
    m_ticker.setInterval(kTickMs);
    connect(&m_ticker, &QTimer::timeout, this, &ExportJob::reportProgress);
}

ExportJob::~ExportJob()
{
    m_progress->cancelled = true;
    if (m_reader)
        m_reader->cancel();
    if (m_stream)
        m_stream->cancel();
    m_pool.waitForDone();
    // A QSaveFile still open is discarded, not committed, when the last owner lets go.
}

void ExportJob::setFileName(const QString &fileName)
{
    m_fileName = fileName;
    m_device = nullptr;
}

void ExportJob::setDevice(QIODevice *device)
{
    m_device = device;
    m_fileName.clear();
}

QString ExportJob::targetName() const
{
    if (!m_fileName.isEmpty())
        return m_fileName;
    return m_targetName.isEmpty() ? tr("the output") : m_targetName;
}

bool ExportJob::openTarget()
{
    if (m_device)
        return true;
    if (m_fileName.isEmpty()) {
        fail(Error::invalidParams(QStringLiteral("no target")), tr("No file to export to."));
        return false;
    }
    auto file = std::make_shared<QSaveFile>(m_fileName);
    if (!file->open(QIODevice::WriteOnly)) {
        fail(Error::invalidParams(file->errorString()),
             tr("Cannot write %1: %2").arg(m_fileName, file->errorString()));
        return false;
    }
    m_file = std::move(file);
    return true;
}

void ExportJob::start(Transport *transport)
{
    if (auto *sdk = qobject_cast<SdkTransport *>(transport))
        startFromMirror(sdk);
    else
        startFromRest(transport);
}

void ExportJob::startFromMirror(SdkTransport *transport)
{
    if (m_running || m_done)
        return;
    m_running = true;
    if (!openTarget())
        return;
    m_ticker.start();
    QIODevice *device = m_file ? m_file.get() : m_device;
    auto progress = m_progress;
    auto file = m_file; // the sync thread may outlive this job
    transport
        ->withMirror(m_store,
                     [store = m_store, scope = m_scope, format = m_format, device, progress,
                      file](const Mirror &mirror) {
                         return MirrorExport::run(mirror, store, scope, format, device, *progress);
                     })
        .then(this, [this](const Result<ExportOutcome> &result) {
            if (!result) {
                fail(result.error(), describeError(result.error(), m_store, QString()));
                return;
            }
            complete(result.value());
        });
}

void ExportJob::startFromRest(Transport *transport)
{
    if (m_running || m_done)
        return;
    m_running = true;
    auto *http = qobject_cast<HttpTransport *>(transport);
    if (http)
        m_server = http->baseUrl().toString();
    if (!openTarget())
        return;
    m_ticker.start();
    m_rest = std::make_shared<RestExportState>();
    m_rest->file = m_file;
    m_rest->device = m_file ? m_file.get() : m_device;
    if (http && m_useServerExport && streamsServerExport(m_scope, m_format))
        restStream(http);
    else
        restSeqBefore(transport);
}

bool ExportJob::streamsServerExport(const ExportScope &scope, ExchangeFormat format)
{
    if (format == ExchangeFormat::Csv)
        return false; // its revision column is not in the stream
    if (scope.isWholeStore())
        return true;
    // Paged as "**" and filtered anyway; NDJSON would need the selection's count first.
    return scope.interleaves() && format != ExchangeFormat::Ndjson;
}

// GET …/export?format=jsonl, its pieces parsed and written on the pool thread as they come.
void ExportJob::restStream(HttpTransport *transport)
{
    std::unique_ptr<HttpStream> request = transport->exportStream(m_store);
    if (!request) {
        restSeqBefore(transport); // not a store name: the listing says why
        return;
    }
    auto *stream = new RestExportStream(std::move(request), this);
    m_stream = stream;
    auto state = m_rest;
    auto progress = m_progress;
    runOn(m_pool, [state, format = m_format, scope = m_scope, store = m_store] {
        state->streamed = std::make_unique<ExportStreamWriter>(format, state->device, scope, store);
    });
    connect(stream, &RestExportStream::piece, this,
            [this, stream, state, progress](const QByteArray &bytes) {
                QPointer<RestExportStream> guard(stream);
                runOn(m_pool, [state, progress, bytes, whole = m_scope.isWholeStore()] {
                    if (!state->ok || progress->cancelled)
                        return QString();
                    ExportStreamWriter &streamed = *state->streamed;
                    state->ok = streamed.feed(bytes);
                    if (const ExportWriter *writer = streamed.writer()) {
                        if (whole)
                            progress->total = streamed.announced();
                        progress->leaves = writer->leafCount();
                        progress->bytes = writer->bytesWritten();
                    }
                    return state->ok ? QString() : streamed.errorString();
                }).then(this, [this, guard](const QString &error) {
                    if (!error.isEmpty()) {
                        fail(Error::protocol(error), error);
                        return;
                    }
                    if (guard)
                        guard->pieceConsumed();
                });
            });
    QPointer<Transport> fallback(transport);
    connect(stream, &RestExportStream::refused, this, [this, stream, fallback](const Error &) {
        // No such route, or a refusal: page as before, with a writer of its own.
        stream->deleteLater();
        auto state = m_rest;
        runOn(m_pool, [state] { state->streamed.reset(); });
        if (m_done || m_progress->cancelled)
            return;
        if (!fallback) {
            fail(Error(Error::Kind::Cancelled), tr("The connection was closed."));
            return;
        }
        restSeqBefore(fallback);
    });
    connect(stream, &RestExportStream::failed, this, [this, stream](const Error &error) {
        stream->deleteLater();
        if (stream->bytesRead() == 0 || error.kind() == Error::Kind::Cancelled) {
            fail(error, describeError(error, m_store, m_server));
            return;
        }
        const qint64 leaves = m_progress->leaves;
        fail(error,
             tr("The server's export of %1 broke off after %n leaves: %2", nullptr, int(leaves))
                 .arg(m_store, error.message()));
    });
    connect(stream, &RestExportStream::done, this, [this, stream] {
        stream->deleteLater();
        restWriteEnd();
    });
}

// The newest op of the audit log gives the store_seq (REST has no status call). A token
// without audit:read exports all the same, with seq 0 ("not known") in the header.
void ExportJob::restSeqBefore(Transport *transport)
{
    AuditQuery query;
    query.limit = 1;
    QPointer<Transport> guard(transport);
    transport->auditLog(m_store, query).then(this, [this, guard](const Result<AuditPage> &page) {
        if (m_done || m_progress->cancelled)
            return;
        if (page) {
            m_outcome.seq = page->ops.isEmpty() ? 0 : page->ops.first().storeSeq;
        } else if (page.error().kind() != Error::Kind::Forbidden &&
                   page.error().kind() != Error::Kind::NotSupported &&
                   page.error().kind() != Error::Kind::NotImplemented) {
            fail(page.error(), describeError(page.error(), m_store, m_server));
            return;
        } else {
            m_outcome.seq = -1;
        }
        if (!guard) {
            fail(Error(Error::Kind::Cancelled), tr("The connection was closed."));
            return;
        }
        if (m_format == ExchangeFormat::Ndjson)
            restCount(guard);
        else
            restWrite(guard);
    });
}

// The NDJSON header says how many leaves follow: count them first (keys only).
void ExportJob::restCount(Transport *transport)
{
    auto *reader = new RestExportReader(transport, m_store, m_scope, ListQuery::Select::Keys, this);
    m_reader = reader;
    QPointer<Transport> guard(transport);
    connect(reader, &RestExportReader::page, this,
            [this, reader](const QList<Entry> &, const QStringList &paths) {
                m_progress->total += paths.size();
                reader->pageConsumed();
            });
    connect(reader, &RestExportReader::failed, this, [this, reader](const Error &error) {
        reader->deleteLater();
        fail(error, describeError(error, m_store, m_server));
    });
    connect(reader, &RestExportReader::done, this, [this, reader, guard] {
        reader->deleteLater();
        if (m_done || m_progress->cancelled)
            return;
        if (m_progress->total == 0 && !m_scope.isWholeStore()) {
            fail(Error::notFound(m_scope.describe()),
                 tr("Nothing is stored at %1.").arg(m_scope.describe()));
            return;
        }
        if (!guard) {
            fail(Error(Error::Kind::Cancelled), tr("The connection was closed."));
            return;
        }
        restWrite(guard);
    });
    reader->start();
}

void ExportJob::restWrite(Transport *transport)
{
    ExportHeader header;
    header.store = m_store;
    header.path = m_scope.basePath();
    header.seq = std::max<qint64>(m_outcome.seq, 0);
    header.entryCount = m_progress->total;
    auto state = m_rest;
    auto progress = m_progress;
    runOn(m_pool, [state, header, format = m_format, base = m_scope.basePath()] {
        state->writer = std::make_unique<ExportWriter>(format, state->device, base);
        state->ok = state->writer->begin(header);
    });

    auto *reader =
        new RestExportReader(transport, m_store, m_scope, ListQuery::Select::Entries, this);
    m_reader = reader;
    QPointer<Transport> guard(transport);
    connect(reader, &RestExportReader::page, this,
            [this, reader, state, progress](const QList<Entry> &entries, const QStringList &) {
                QPointer<RestExportReader> readerGuard(reader);
                runOn(m_pool, [state, progress, entries] {
                    for (const Entry &entry : entries) {
                        if (!state->ok || progress->cancelled)
                            return;
                        const QByteArray path = entry.path.rendered().toUtf8();
                        const QByteArray value = jsonbytes::fromJsonValue(entry.value);
                        state->ok =
                            state->writer->addLeaf(jsonbytes::view(path), jsonbytes::view(value),
                                                   entry.type, entry.revision);
                    }
                    progress->leaves = state->writer->leafCount();
                    progress->bytes = state->writer->bytesWritten();
                }).then(this, [readerGuard] {
                    if (readerGuard)
                        readerGuard->pageConsumed();
                });
            });
    connect(reader, &RestExportReader::failed, this, [this, reader](const Error &error) {
        reader->deleteLater();
        fail(error, describeError(error, m_store, m_server));
    });
    connect(reader, &RestExportReader::done, this, [this, reader, guard] {
        reader->deleteLater();
        restFinish(guard);
    });
    reader->start();
}

void ExportJob::restFinish(Transport *transport)
{
    if (!transport || m_outcome.seq < 0 || m_progress->cancelled) {
        restWriteEnd();
        return;
    }
    AuditQuery query;
    query.limit = 1;
    transport->auditLog(m_store, query).then(this, [this](const Result<AuditPage> &page) {
        if (page) {
            const qint64 after = page->ops.isEmpty() ? 0 : page->ops.first().storeSeq;
            if (after != m_outcome.seq)
                m_outcome.warning =
                    tr("The store changed while it was read (seq %1 to %2): the export "
                       "may hold some of those changes and not others.")
                        .arg(m_outcome.seq)
                        .arg(after);
        }
        restWriteEnd();
    });
}

// The writer closes the file's structure on the pool thread, after every page or piece.
void ExportJob::restWriteEnd()
{
    auto state = m_rest;
    auto progress = m_progress;
    const qint64 seq = m_outcome.seq;
    runOn(m_pool, [state, progress, seq] {
        ExportOutcome outcome;
        outcome.seq = seq;
        if (progress->cancelled) {
            outcome.cancelled = true;
            return outcome;
        }
        const ExportWriter *writer = state->writer.get();
        if (state->streamed) {
            ExportStreamWriter &streamed = *state->streamed;
            outcome.ok = state->ok && streamed.finish();
            outcome.streamed = true;
            outcome.seq = streamed.seq();
            if (!outcome.ok)
                outcome.error = streamed.errorString();
            writer = streamed.writer();
        } else {
            outcome.ok = state->ok && state->writer->finish();
            if (!outcome.ok)
                outcome.error = tr("Writing failed: %1").arg(writer->errorString());
        }
        if (!writer)
            return outcome;
        outcome.leaves = writer->leafCount();
        outcome.bytes = writer->bytesWritten();
        outcome.droppedValues = writer->droppedValues();
        outcome.droppedDescendants = writer->droppedDescendants();
        progress->leaves = outcome.leaves;
        progress->bytes = outcome.bytes;
        return outcome;
    }).then(this, [this](ExportOutcome outcome) {
        if (outcome.ok && outcome.leaves == 0 && !m_scope.isWholeStore()) {
            fail(Error::notFound(m_scope.describe()),
                 tr("Nothing is stored at %1.").arg(m_scope.describe()));
            return;
        }
        outcome.warning = m_outcome.warning;
        complete(std::move(outcome));
    });
}

void ExportJob::cancel()
{
    if (!m_running || m_done)
        return;
    m_progress->cancelled = true;
    if (!m_rest)
        return; // the mirror's thread sees the flag and reports the cancel
    if (m_reader) {
        m_reader->cancel();
        m_reader->deleteLater();
    }
    if (m_stream) {
        m_stream->cancel();
        m_stream->deleteLater();
    }
    // The pages already queued see the flag; the finish task reports the cancel.
    restWriteEnd();
}

void ExportJob::reportProgress()
{
    emit progress(m_progress->leaves, m_progress->bytes, m_progress->total);
}

void ExportJob::fail(const Error &error, const QString &words)
{
    if (m_done)
        return;
    ExportOutcome outcome;
    outcome.error = words;
    outcome.cancelled = error.kind() == Error::Kind::Cancelled;
    complete(std::move(outcome));
}

void ExportJob::complete(ExportOutcome outcome)
{
    if (m_done)
        return;
    m_done = true;
    m_running = false;
    m_ticker.stop();
    // Nothing may still be writing when the file is committed or discarded.
    if (!outcome.ok)
        m_progress->cancelled = true;
    m_pool.waitForDone();
    if (m_reader)
        m_reader->cancel();
    if (m_stream)
        m_stream->cancel();
    if (outcome.ok && m_file) {
        auto *file = static_cast<QSaveFile *>(m_file.get());
        if (!file->commit()) {
            outcome.ok = false;
            outcome.error = tr("Cannot save %1: %2").arg(m_fileName, file->errorString());
        }
    } else if (m_file) {
        static_cast<QSaveFile *>(m_file.get())->cancelWriting();
    }
    m_file.reset();
    if (m_rest)
        m_rest->file.reset();
    QString words;
    if (outcome.cancelled) {
        words = m_fileName.isEmpty() ? tr("Export cancelled.")
                                     : tr("Export cancelled; %1 was not written.").arg(m_fileName);
    } else if (!outcome.ok) {
        words = outcome.error;
    } else {
        words = successWords(outcome);
    }
    m_outcome = outcome;
    // Never from inside start() (a mirror export can end before start() returns): the
    // caller gets its words on the next turn of the event loop.
    QMetaObject::invokeMethod(
        this,
        [this, ok = outcome.ok, words] {
            emit progress(m_outcome.leaves, m_outcome.bytes, m_progress->total);
            emit finished(ok, words);
        },
        Qt::QueuedConnection);
}

QString ExportJob::successWords(const ExportOutcome &outcome) const
{
    QString words = tr("Exported %n leaves (%1) to %2", nullptr, int(outcome.leaves))
                        .arg(QLocale().formattedDataSize(outcome.bytes), targetName());
    if (outcome.seq > 0)
        words += tr(", as of seq %1.").arg(outcome.seq);
    else
        words += QLatin1Char('.');
    if (outcome.droppedDescendants > 0)
        words += QLatin1Char(' ') +
                 tr("%1 holds a value, so the nested file is that value; the %n leaves below it "
                    "are not in it (use NDJSON or flat JSON to keep them).",
                    nullptr, int(outcome.droppedDescendants))
                     .arg(m_scope.describe());
    if (outcome.droppedValues > 0)
        words += QLatin1Char(' ') +
                 tr("%n values of nodes that are also folders are not in the nested file (as "
                    "when the server assembles them).",
                    nullptr, int(outcome.droppedValues));
    if (!outcome.warning.isEmpty())
        words += QLatin1Char(' ') + outcome.warning;
    return words;
}

QString ExportJob::describeError(const Error &error, const QString &store, const QString &server)
{
    switch (error.kind()) {
    case Error::Kind::Network:
        return server.isEmpty() ? tr("Cannot reach the server: %1").arg(error.detail())
                                : tr("Cannot reach %1: %2").arg(server, error.detail());
    case Error::Kind::Unauthorized:
        return tr("The server refused the token (401 Unauthorized).");
    case Error::Kind::Forbidden:
        return tr("The token may not read %1 (403 Forbidden).").arg(store);
    case Error::Kind::NotFound:
        return tr("The store %1 was not found (404): check its name and the token's access.")
            .arg(store);
    case Error::Kind::Cancelled:
        return tr("Export cancelled.");
    default:
        return tr("Export of %1 failed: %2").arg(store, error.message());
    }
}

} // namespace dust
