#pragma once

#include "exchange/ExchangeFormat.h"
#include "exchange/ExportOutcome.h"
#include "exchange/ExportScope.h"
#include "protocol/Error.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include <memory>

class QIODevice;

namespace dust {

class HttpTransport;
class RestExportReader;
class RestExportStream;
class SdkTransport;
class Transport;
struct ExportProgress;
struct RestExportState;

// One export of a store's subtree, selection or whole content to a file or a device, in one
// of the ExchangeFormats, written off the GUI thread (the mirror's sync thread, or a worker
// for REST pages), with progress, cancel and a final word.
//
//     auto *job = new ExportJob(QStringLiteral("acme/config"), ExportScope(path),
//                               ExchangeFormat::Ndjson, this);
//     job->setFileName(fileName);              // written atomically (QSaveFile)
//     connect(job, &ExportJob::finished, this, [](bool ok, const QString &words) { ... });
//     job->start(transport);                   // the mirror if live, else REST listing
//
// Over REST, the whole store (and a selection whose subtrees interleave, which paging reads
// whole anyway) is read from the server's own `GET …/export?format=jsonl` stream
// (streamsServerExport()), parsed as it arrives and written in any format but CSV (the
// stream has no revisions). Its header gives the seq and the entry_count at one consistent
// point of the store: better than paging, whose seq comes from the audit log (and needs
// audit:read), whose NDJSON count is a pass of its own, and whose pages each see the store
// as it is then. A server without the route (404, 405) or refusing it falls back to paging.
// Any other scope is paged (GET …/entries, 1,000 a page, read ahead): a subtree cannot be
// judged large against its store without counting it first, and an NDJSON header must say
// its own count before its first leaf.
//
// A file target is written through QSaveFile: a failed or cancelled export leaves no file
// and whatever was at the target untouched. finished() comes exactly once, never from inside
// start() or cancel().
class ExportJob : public QObject
{
    Q_OBJECT

public:
    ExportJob(QString store, ExportScope scope, ExchangeFormat format, QObject *parent = nullptr);
    ~ExportJob() override;

    // The target: a file, replaced atomically on success...
    void setFileName(const QString &fileName);
    // ...or a device open for writing that outlives the job (stdout); not closed here.
    void setDevice(QIODevice *device);
    // A name for messages when the target is a device ("standard output").
    void setTargetName(const QString &name) { m_targetName = name; }

    // From the live mirror when `transport` is an SdkTransport, else by paged REST listing.
    void start(Transport *transport);
    void startFromMirror(SdkTransport *transport);
    void startFromRest(Transport *transport);
    void cancel();

    // Whether a REST export may read the server's /export stream when it covers the scope
    // (default true); false pages the listing, as for other scopes (for comparisons).
    void setUseServerExport(bool use) { m_useServerExport = use; }
    // Whether a REST export of `scope` in `format` reads the server's /export stream.
    static bool streamsServerExport(const ExportScope &scope, ExchangeFormat format);

    bool isRunning() const { return m_running; }
    // How it ended (valid after finished()).
    const ExportOutcome &outcome() const { return m_outcome; }

    // Describes `error` as met while exporting `store` (unreachable server, refused token,
    // missing store...). `server` is the server's URL, for the unreachable case.
    static QString describeError(const Error &error, const QString &store, const QString &server);

signals:
    // Leaves and bytes written so far; `total` leaves expected (0 when not known yet).
    void progress(qint64 leaves, qint64 bytes, qint64 total);
    void finished(bool ok, const QString &words);

private:
    bool openTarget();
    void fail(const Error &error, const QString &words);
    void complete(ExportOutcome outcome);
    void reportProgress();
    QString successWords(const ExportOutcome &outcome) const;
    QString targetName() const;

    void restStream(HttpTransport *transport);
    void restSeqBefore(Transport *transport);
    void restCount(Transport *transport);
    void restWrite(Transport *transport);
    void restFinish(Transport *transport);
    void restWriteEnd();

    QString m_store;
    ExportScope m_scope;
    ExchangeFormat m_format;
    QString m_fileName;
    QString m_targetName;
    QIODevice *m_device = nullptr;
    std::shared_ptr<QIODevice> m_file; // the QSaveFile, shared with the writing thread
    std::shared_ptr<ExportProgress> m_progress;
    std::shared_ptr<RestExportState> m_rest;
    QPointer<RestExportReader> m_reader;
    QPointer<RestExportStream> m_stream;
    QString m_server;
    QThreadPool m_pool; // one thread: REST pages are written in order
    QTimer m_ticker;
    ExportOutcome m_outcome;
    bool m_running = false;
    bool m_useServerExport = true;
    bool m_done = false;
};

} // namespace dust
