// Export of a big store: a real dustlite child process seeded with N generated leaves
// (default 1,000,000), then
//   1. the server's own GET …/export (NDJSON), read and counted: the REST reference;
//   2. the store caught up into a live mirror (SdkTransport), then ExportJob from the mirror
//      to NDJSON and to nested JSON: MB/s and the RSS added above the mirror (sampled every
//      5 ms while the export runs: the peak minus the RSS before it);
//   3. ExportJob over REST (HttpTransport) to NDJSON and nested JSON: MB/s, RSS added, and
//      the time against the server's /export. A whole store streams the server's /export;
//      the NDJSON must equal the mirror's after exported_at, else the benchmark fails. The
//      same NDJSON by paged listing (what other scopes do, and a server without /export)
//      for comparison.
//   4. Import of the same file into an empty store: the import engineer's part; it goes here
//      (or in bench_import), reading the NDJSON file this bench leaves in DUST_BENCH_KEEP.
// Usage: bench_export [leaves] [--dustlite PATH]. Prints "name: value" lines and, last, one
// "FIGURE key value unit" line per figure for bench/run.sh.

#include "BenchSupport.h"
#include "exchange/ExportJob.h"
#include "sync/Mirror.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace dust;
using namespace dust::bench;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");

struct Figure
{
    QString key;
    double value;
    QString unit;
};

struct Measured
{
    bool ok = false;
    double seconds = 0;
    qint64 bytes = 0;
    double addedRssMb = 0;
    QString words;
};

// The highest RSS seen while it runs, sampled on the GUI thread (which stays free: the
// export writes on the sync thread or a worker).
class RssSampler
{
public:
    RssSampler()
    {
        m_timer.setInterval(5);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer,
                         [this] { m_peak = std::max(m_peak, currentRssKb()); });
    }
    void start()
    {
        m_base = currentRssKb();
        m_peak = m_base;
        m_timer.start();
    }
    double stopAddedMb()
    {
        m_timer.stop();
        m_peak = std::max(m_peak, currentRssKb());
        return mb(double(m_peak - m_base));
    }

private:
    QTimer m_timer;
    long m_base = 0;
    long m_peak = 0;
};

Measured runExport(Transport &transport, ExchangeFormat format, const QString &fileName,
                   bool useServerExport = true)
{
    Measured m;
    RssSampler rss;
    ExportJob job(kStore, ExportScope(), format);
    job.setFileName(fileName);
    job.setUseServerExport(useServerExport);
    QEventLoop loop;
    QObject::connect(&job, &ExportJob::finished, &loop, [&](bool ok, const QString &words) {
        m.ok = ok;
        m.words = words;
        loop.quit();
    });
    rss.start();
    QElapsedTimer clock;
    clock.start();
    job.start(&transport);
    loop.exec();
    m.seconds = double(clock.nsecsElapsed()) / 1e9;
    m.addedRssMb = rss.stopAddedMb();
    m.bytes = QFileInfo(fileName).size();
    return m;
}

// GET …/export read to the end and thrown away: seconds and bytes.
Measured serverExport(quint16 port)
{
    Measured m;
    QNetworkAccessManager nam;
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1/api/stores/local/demo/export").arg(port)));
    request.setRawHeader("Authorization", "Bearer " + kToken.toUtf8());
    QElapsedTimer clock;
    clock.start();
    QNetworkReply *reply = nam.get(request);
    QObject::connect(reply, &QNetworkReply::readyRead, reply,
                     [&] { m.bytes += reply->readAll().size(); });
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    m.bytes += reply->readAll().size();
    m.ok = reply->error() == QNetworkReply::NoError;
    m.words = reply->errorString();
    m.seconds = double(clock.nsecsElapsed()) / 1e9;
    reply->deleteLater();
    return m;
}

// Whether two NDJSON exports hold the same bytes but for the header's exported_at.
bool sameExport(const QString &a, const QString &b)
{
    QFile fa(a);
    QFile fb(b);
    if (!fa.open(QIODevice::ReadOnly) || !fb.open(QIODevice::ReadOnly))
        return false;
    static const QRegularExpression stamp(QStringLiteral("\"exported_at\":\"[^\"]*\""));
    auto header = [](QFile &f) {
        return QString::fromUtf8(f.readLine()).remove(stamp);
    };
    if (header(fa) != header(fb))
        return false;
    while (!fa.atEnd() || !fb.atEnd()) {
        if (fa.read(1 << 20) != fb.read(1 << 20))
            return false;
    }
    return true;
}

double mbPerS(const Measured &m)
{
    return m.seconds > 0 ? double(m.bytes) / 1e6 / m.seconds : 0;
}

void report(const char *name, const Measured &m, std::vector<Figure> &figures, const QString &key)
{
    std::printf("%s: %s, %.2f s, %.1f MB, %.1f MB/s, RSS added %.1f MB\n", name,
                m.ok ? "ok" : qPrintable(m.words), m.seconds, double(m.bytes) / 1e6, mbPerS(m),
                m.addedRssMb);
    std::fflush(stdout);
    figures.push_back({key + QStringLiteral("_mb_s"), mbPerS(m), QStringLiteral("MB/s")});
    figures.push_back({key + QStringLiteral("_rss_added"), m.addedRssMb, QStringLiteral("MB")});
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    qint64 leaves = 1000000;
    QString dustlite = QStringLiteral(DUSTLITE_EXECUTABLE);
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--dustlite") && i + 1 < args.size())
            dustlite = args[++i];
        else
            leaves = args[i].toLongLong();
    }
    std::printf("bench_export: %lld leaves\n", qlonglong(leaves));
    std::fflush(stdout);

    QTemporaryDir dataDir;
    QTemporaryDir outDir;
    QProcess server;
    const quint16 port = startSeededDustlite(server, dustlite, dataDir.path(), leaves);
    if (port == 0)
        return 1;
    std::vector<Figure> figures;
    const QUrl base(QStringLiteral("http://127.0.0.1:%1").arg(port));

    // 1. The server's own export.
    const Measured reference = serverExport(port);
    std::printf("server /export: %s, %.2f s, %.1f MB, %.1f MB/s\n",
                reference.ok ? "ok" : qPrintable(reference.words), reference.seconds,
                double(reference.bytes) / 1e6, mbPerS(reference));
    figures.push_back({QStringLiteral("server_export_s"), reference.seconds, QStringLiteral("s")});

    // 2. From the mirror.
    SdkOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/sync").arg(port));
    options.token = kToken;
    options.readTimeout = std::chrono::minutes(30);
    SdkTransport sdk(options);
    {
        QElapsedTimer clock;
        clock.start();
        QFutureWatcher<Result<qsizetype>> watcher;
        QEventLoop loop;
        QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        watcher.setFuture(
            sdk.withMirror(kStore, [](const Mirror &mirror) { return mirror.leafCount(); }));
        loop.exec();
        const auto count = watcher.result();
        std::printf("mirror caught up: %lld leaves in %.1f s, RSS %.0f MB\n",
                    count ? qlonglong(*count) : -1LL, double(clock.elapsed()) / 1000,
                    mb(double(currentRssKb())));
        std::fflush(stdout);
    }
    const QString ndjsonFile = outDir.filePath(QStringLiteral("mirror.ndjson"));
    const Measured mirrorNdjson = runExport(sdk, ExchangeFormat::Ndjson, ndjsonFile);
    report("mirror ndjson", mirrorNdjson, figures, QStringLiteral("mirror_ndjson"));
    const Measured mirrorNested =
        runExport(sdk, ExchangeFormat::Nested, outDir.filePath(QStringLiteral("mirror.json")));
    report("mirror nested", mirrorNested, figures, QStringLiteral("mirror_nested"));

    // 3. Over REST: the server's /export stream, then paged listing.
    HttpTransport http(base, kToken);
    const QString restFile = outDir.filePath(QStringLiteral("rest.ndjson"));
    const Measured restNdjson = runExport(http, ExchangeFormat::Ndjson, restFile);
    report("rest ndjson", restNdjson, figures, QStringLiteral("rest_ndjson"));
    const bool same = sameExport(restFile, ndjsonFile);
    std::printf("rest ndjson equals the mirror's after exported_at: %s\n", same ? "yes" : "NO");
    const Measured restNested =
        runExport(http, ExchangeFormat::Nested, outDir.filePath(QStringLiteral("rest.json")));
    report("rest nested", restNested, figures, QStringLiteral("rest_nested"));
    const double ratio = reference.seconds > 0 ? restNdjson.seconds / reference.seconds : 0;
    std::printf("rest ndjson / server /export time: %.2f\n", ratio);
    figures.push_back({QStringLiteral("rest_vs_server_export"), ratio, QStringLiteral("x")});
    const Measured pagedNdjson = runExport(http, ExchangeFormat::Ndjson,
                                           outDir.filePath(QStringLiteral("paged.ndjson")), false);
    report("rest ndjson paged", pagedNdjson, figures, QStringLiteral("rest_paged_ndjson"));

    // 4. Import: see the header comment. The NDJSON file is kept when asked.
    const QString keep = qEnvironmentVariable("DUST_BENCH_KEEP");
    if (!keep.isEmpty())
        QFile::copy(ndjsonFile, keep);

    server.terminate();
    server.waitForFinished(10000);
    for (const Figure &f : figures)
        std::printf("FIGURE %s %.2f %s\n", qPrintable(f.key), f.value, qPrintable(f.unit));
    const bool ok = reference.ok && mirrorNdjson.ok && mirrorNested.ok && restNdjson.ok &&
                    restNested.ok && same && pagedNdjson.ok;
    return ok ? 0 : 1;
}
