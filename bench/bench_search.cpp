// Search inside values on a million leaves: a separate dustlite process seeded with N
// generated leaves (default 1,000,000), its store caught up into an SdkTransport's mirror,
// then the real SearchDock (offscreen, its results view painted) runs searches over every
// value: a substring (case-insensitive, the dock's default), a substring with an accent
// (Qt's case folding instead of the ASCII fast path), and a regular expression. For each:
// the time from Search to the first result shown and to the end of the scan, the matches,
// the longest UI stall (the longest gap between the ticks of a 5 ms timer on the GUI thread
// while the search runs), and the longest wait for the sync thread (a trivial withMirror()
// call sent every 10 ms: how long live events would wait behind the search's reads).
// Usage: bench_search [leaves] [--dustlite PATH]. Prints readable lines and "FIGURE key value
// unit" lines.

#include "BenchSupport.h"
#include "search/SearchDock.h"
#include "search/SearchResultsModel.h"
#include "search/ValueSearch.h"
#include "sync/Mirror.h"
#include "transport/SdkTransport.h"

#include <QApplication>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLineEdit>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <memory>

using namespace dust;
using namespace dust::bench;
using namespace std::chrono_literals;

namespace {

// Sends a trivial read to the sync thread every 10 ms and notes the longest answer time.
class SyncProbe : public QObject
{
public:
    SyncProbe(SdkTransport *live, QString store)
        : m_live(live)
        , m_store(std::move(store))
    {
        m_timer.setInterval(10);
        connect(&m_timer, &QTimer::timeout, this, &SyncProbe::probe);
    }
    void start()
    {
        m_longest = 0;
        m_timer.start();
    }
    double stopMs()
    {
        m_timer.stop();
        return double(m_longest) / 1e6;
    }

private:
    void probe()
    {
        if (m_waiting)
            return;
        m_waiting = true;
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        m_live->withMirror(m_store, [](const Mirror &mirror) { return mirror.lastSeq(); })
            .then(this, [this, clock](const Result<qint64> &) {
                m_longest = std::max(m_longest, clock->nsecsElapsed());
                m_waiting = false;
            });
    }

    SdkTransport *m_live;
    QString m_store;
    QTimer m_timer;
    bool m_waiting = false;
    qint64 m_longest = 0;
};

struct Measured
{
    double firstMs = -1;
    double lastMs = -1;
    double stallMs = -1;
    double syncWaitMs = -1;
    qint64 matches = 0;
    qint64 searched = 0;
};

Measured measure(SearchDock &dock, SdkTransport &live, const QString &store, const QString &text,
                 bool regex)
{
    Measured m;
    dock.queryEdit()->setText(text);
    dock.regexBox()->setChecked(regex);
    QElapsedTimer clock;
    StallMeter lag(5ms); // a 5 ms timer: the gaps the GUI thread was kept from its events
    SyncProbe probe(&live, store);
    QMetaObject::Connection first =
        QObject::connect(dock.results(), &QAbstractItemModel::rowsInserted, dock.results(), [&] {
            if (m.firstMs < 0)
                m.firstMs = double(clock.nsecsElapsed()) / 1e6;
        });
    lag.start();
    probe.start();
    clock.start();
    dock.startSearch();
    const bool done =
        waitFor([&] { return dock.search()->state() != ValueSearch::State::Running; }, 600000);
    m.lastMs = done ? double(clock.nsecsElapsed()) / 1e6 : -1;
    // Let the view paint the last rows before the meters stop.
    waitFor([] { return false; }, 100);
    m.stallMs = lag.stop();
    m.syncWaitMs = probe.stopMs();
    QObject::disconnect(first);
    m.matches = dock.search()->matchCount();
    m.searched = dock.search()->valuesSearched();
    return m;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QString store = QStringLiteral("local/demo");
    const QStringList args = app.arguments();
    qsizetype leaves = 1000000;
    QString dustlite = QStringLiteral(DUSTLITE_EXECUTABLE);
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--dustlite") && i + 1 < args.size())
            dustlite = args[++i];
        else if (args[i].toLongLong() > 0)
            leaves = args[i].toLongLong();
    }
    std::printf("bench_search: %lld leaves\n", qlonglong(leaves));
    std::fflush(stdout);

    QTemporaryDir dataDir;
    QProcess server;
    const quint16 port = startSeededDustlite(server, dustlite, dataDir.path(), leaves);
    if (port == 0)
        return 1;
    SdkOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/sync").arg(port));
    options.token = QStringLiteral("dust_tok_dev");
    options.readTimeout = 600s;
    SdkTransport live(options);
    QElapsedTimer catchUp;
    catchUp.start();
    auto count = live.withMirror(store, [](const Mirror &mirror) { return mirror.leafCount(); });
    if (!waitFor([&] { return count.isFinished(); }, 900000) || !count.result()) {
        std::fprintf(stderr, "the store never went live\n");
        return 1;
    }
    std::printf("caught up: %lld leaves in %.1f s\n", qlonglong(*count.result()),
                double(catchUp.elapsed()) / 1000);

    SearchDock dock;
    dock.resize(800, 700);
    dock.setSource(&live, store);
    dock.show();
    waitFor([] { return false; }, 200);

    Figures figures;
    const auto report = [&](const QByteArray &key, const QString &what, const Measured &m,
                            const char *targets) {
        std::printf("%s: %lld matches in %lld values\n", qPrintable(what), qlonglong(m.matches),
                    qlonglong(m.searched));
        figures.add(
            key + "_first_ms", m.firstMs, "ms",
            QStringLiteral("%1: first result shown%2")
                .arg(what, targets[0] == 'y' ? QStringLiteral(" (target <= 50)") : QString()));
        figures.add(
            key + "_last_ms", m.lastMs, "ms",
            QStringLiteral("%1: whole scan%2")
                .arg(what, targets[1] == 'y' ? QStringLiteral(" (target <= 1000)") : QString()));
        figures.add(key + "_stall_ms", m.stallMs, "ms",
                    QStringLiteral("%1: longest gap between 5 ms ticks (target <= 50)").arg(what));
        figures.add(key + "_sync_wait_ms", m.syncWaitMs, "ms",
                    QStringLiteral("%1: longest wait for the sync thread").arg(what));
        figures.add(key + "_matches", double(m.matches), "values",
                    QStringLiteral("%1: matches").arg(what));
    };
    report("search_substring", QStringLiteral("substring \"refunded\""),
           measure(dock, live, store, QStringLiteral("refunded"), false), "yy");
    report("search_substring_rare", QStringLiteral("substring \"request 4242\""),
           measure(dock, live, store, QStringLiteral("request 4242"), false), "ny");
    report("search_folded", QString::fromUtf8("substring \"MÜLLER\" (case folding)"),
           measure(dock, live, store, QString::fromUtf8("MÜLLER"), false), "yn");
    report("search_regex", QStringLiteral("regex \"served in 9\\d\\d ms\""),
           measure(dock, live, store, QStringLiteral("served in 9\\d\\d ms"), true), "yn");
    figures.add("search_peak_rss_mb", mb(double(peakRssKb())), "MB",
                QStringLiteral("client peak RSS"));
    figures.print();
    server.terminate();
    server.waitForFinished(30000);
    return 0;
}
