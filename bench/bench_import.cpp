// Importing a big export: a real dustlite child process seeded with N generated leaves
// (default 1,000,000), its NDJSON export (GET …/export?format=jsonl) saved to a file, then
// that file imported into an empty store of a second dustlite child process the way
// `dust-browser import` does it:
//   1. ImportReader reads and checks the whole file;
//   2. ImportPlan lists the (empty) target and compares;
//   3. ImportJob writes it over REST: batch_writes of 1,000 leaves, each preceded by a batch
//      read of the leaves it creates (typed leaves would go through POST …/import).
// Wall time of each step, leaves per second, and the peak RSS of this process (dustlite is
// a separate process and not counted). The target is checked leaf count by leaf count.
// Usage: bench_import [leaves] [--dustlite PATH]. Prints "name: value" lines and, last, one
// "FIGURE key value unit" line per figure for bench/run.sh.

#include "BenchSupport.h"
#include "exchange/ImportJob.h"
#include "exchange/ImportPlan.h"
#include "exchange/ImportReader.h"
#include "transport/BlockingWait.h"
#include "transport/HttpTransport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>

using namespace dust;
using namespace dust::bench;

namespace {

struct Figure
{
    QString key;
    double value;
    QString unit;
};

void figure(QList<Figure> &figures, const QString &key, double value, const QString &unit,
            const QString &label)
{
    figures.append({key, value, unit});
    std::printf("%-52s %12.3f %s\n", qPrintable(label + QLatin1Char(':')), value, qPrintable(unit));
    std::fflush(stdout);
}

double seconds(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e9;
}

// GET `url` with the token into `file`, streamed; false on an error.
bool download(QNetworkAccessManager &nam, const QUrl &url, QFile &file)
{
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer dust_tok_dev");
    request.setTransferTimeout(0);
    QNetworkReply *reply = nam.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::readyRead, reply,
                     [&] { file.write(reply->readAll()); });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    file.write(reply->readAll());
    const bool ok = reply->error() == QNetworkReply::NoError;
    if (!ok)
        std::fprintf(stderr, "export failed: %s\n", qPrintable(reply->errorString()));
    reply->deleteLater();
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    qint64 leaves = 1000000;
    QString dustlite = QStringLiteral(DUSTLITE_EXECUTABLE);
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--dustlite") && i + 1 < args.size())
            dustlite = args.at(++i);
        else if (args.at(i).toLongLong() > 0)
            leaves = args.at(i).toLongLong();
    }
    std::printf("bench_import: %lld leaves, dustlite %s\n", static_cast<long long>(leaves),
                qPrintable(dustlite));
    QList<Figure> figures;

    QTemporaryDir sourceDir;
    QTemporaryDir targetDir;
    QProcess source;
    QProcess target;
    QElapsedTimer timer;
    timer.start();
    const quint16 sourcePort = startSeededDustlite(source, dustlite, sourceDir.path(), leaves);
    const quint16 targetPort = startSeededDustlite(target, dustlite, targetDir.path(), 0);
    if (sourcePort == 0 || targetPort == 0)
        return 1;
    figure(figures, QStringLiteral("seed_s"), seconds(timer), QStringLiteral("s"),
           QStringLiteral("dustlite seeding + start (wall)"));

    // The export, as a file.
    QNetworkAccessManager nam;
    QFile file(sourceDir.filePath(QStringLiteral("export.ndjson")));
    if (!file.open(QIODevice::WriteOnly))
        return 1;
    timer.restart();
    if (!download(
            nam,
            QUrl(QStringLiteral("http://127.0.0.1:%1/api/stores/local/demo/export?format=jsonl")
                     .arg(sourcePort)),
            file))
        return 1;
    file.close();
    figure(figures, QStringLiteral("export_s"), seconds(timer), QStringLiteral("s"),
           QStringLiteral("export over REST to a file"));
    figure(figures, QStringLiteral("file_mb"), double(file.size()) / 1048576.0,
           QStringLiteral("MB"), QStringLiteral("export file size"));
    const long rssBefore = currentRssKb();

    // 1. Read.
    QElapsedTimer total;
    total.start();
    timer.restart();
    if (!file.open(QIODevice::ReadOnly))
        return 1;
    auto data = ImportReader::read(file);
    file.close();
    if (!data) {
        std::fprintf(stderr, "read failed: %s\n", qPrintable(data.error().text()));
        return 1;
    }
    const qsizetype count = data->leaves.size();
    figure(figures, QStringLiteral("read_s"), seconds(timer), QStringLiteral("s"),
           QStringLiteral("read + check the file (ImportReader)"));

    // 2. Preview against the empty target.
    HttpTransport transport(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(targetPort)),
                            QStringLiteral("dust_tok_dev"));
    transport.setTransferTimeout(std::chrono::minutes(10));
    timer.restart();
    QObject context;
    auto plan =
        blockingWait(ImportPlan::build(&transport, QStringLiteral("local/demo"), {},
                                       std::move(data->leaves), ImportMode::Merge, &context));
    data = decltype(data)(ImportData());
    if (!plan) {
        std::fprintf(stderr, "preview failed: %s\n", qPrintable(plan.error().message()));
        return 1;
    }
    figure(figures, QStringLiteral("plan_s"), seconds(timer), QStringLiteral("s"),
           QStringLiteral("preview (list the target, compare)"));

    // 3. Write.
    timer.restart();
    ImportJob job(&transport, QStringLiteral("local/demo"), std::move(*plan));
    bool ok = false;
    QString words;
    QEventLoop loop;
    QObject::connect(&job, &ImportJob::finished, &loop, [&](bool success, const QString &w) {
        ok = success;
        words = w;
        loop.quit();
    });
    job.start();
    if (job.isRunning())
        loop.exec();
    const double writeS = seconds(timer);
    const double totalS = seconds(total);
    if (!ok) {
        std::fprintf(stderr, "import failed: %s\n", qPrintable(words));
        return 1;
    }
    figure(figures, QStringLiteral("write_s"), writeS, QStringLiteral("s"),
           QStringLiteral("write (batch reads + batch_writes)"));
    figure(figures, QStringLiteral("import_total_s"), totalS, QStringLiteral("s"),
           QStringLiteral("import total: read + preview + write"));
    figure(figures, QStringLiteral("leaves_per_s"), double(count) / totalS,
           QStringLiteral("leaves/s"), QStringLiteral("leaves imported per second"));
    figure(figures, QStringLiteral("peak_rss_mb"), mb(double(peakRssKb())), QStringLiteral("MB"),
           QStringLiteral("peak RSS of this process"));
    figure(figures, QStringLiteral("rss_growth_mb"), mb(double(peakRssKb() - rssBefore)),
           QStringLiteral("MB"), QStringLiteral("peak RSS growth during the import"));

    // The target's own export is the source's, leaf by leaf (all but the header line).
    QFile back(targetDir.filePath(QStringLiteral("back.ndjson")));
    if (!back.open(QIODevice::WriteOnly) ||
        !download(
            nam,
            QUrl(QStringLiteral("http://127.0.0.1:%1/api/stores/local/demo/export?format=jsonl")
                     .arg(targetPort)),
            back))
        return 1;
    back.close();
    const auto leafLines = [](QFile &f) {
        f.open(QIODevice::ReadOnly);
        f.readLine(); // the header
        return f.readAll();
    };
    const bool identical = leafLines(file) == leafLines(back);
    std::printf("target export identical leaf by leaf (path, value, type): %s (%lld leaves)\n",
                identical ? "yes" : "NO", static_cast<long long>(count));
    for (const Figure &f : figures)
        std::printf("FIGURE %s %.3f %s\n", qPrintable(f.key), f.value, qPrintable(f.unit));
    source.terminate();
    target.terminate();
    source.waitForFinished(10000);
    target.waitForFinished(10000);
    return identical ? 0 : 1;
}
