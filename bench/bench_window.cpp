// The real MainWindow, offscreen, on a separate dustlite process seeded with N leaves
// (default 1,000,000):
//   1. from an empty cache: time from start to the first rows painted and to the full tree
//      live, the longest event-loop stall meanwhile;
//   2. 50,000 live events written by other clients while the window shows the store: the
//      longest stall while they arrive and the time until the tree has them all;
//   3. from the cache (a second window, as after a restart): first rows and full tree live;
//   4. a 10 MB value written over REST, then opened: until all of it is shown, and the
//      longest stall meanwhile;
//   5. the client's peak RSS over all of it.
// Usage: bench_window [leaves] [--dustlite PATH]. DUST_BENCH_LIVE_EVENTS=N changes the
// number of live events. Prints readable lines and, last, "FIGURE key value unit" lines.

#include "BenchSupport.h"
#include "MainWindow.h"
#include "inspector/InspectorPanel.h"
#include "inspector/ValueFormatter.h"
#include "model/StoreTreeModel.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"
#include "window/StoreTab.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QJsonArray>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeView>

#include <cstdio>
#include <memory>

using namespace dust;
using namespace dust::bench;
using namespace std::chrono_literals;

namespace {

// The longest gap between the ticks of a 1 ms timer: how long the event loop was kept busy.
class StallMeter : public QObject
{
public:
    StallMeter()
    {
        m_timer.setInterval(1);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_longest = std::max(m_longest, now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_longest = 0;
        m_timer.start();
    }
    double stop()
    {
        m_timer.stop();
        m_longest = std::max(m_longest, m_clock.nsecsElapsed() - m_last);
        return double(m_longest) / 1e6;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_longest = 0;
};

// Notes when the tree's viewport first paints with rows in the model.
class FirstRowsPaint : public QObject
{
public:
    FirstRowsPaint(QTreeView *view, const QElapsedTimer *clock)
        : m_view(view)
        , m_clock(clock)
    {
        view->viewport()->installEventFilter(this);
    }
    double ms() const { return m_ms; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (m_ms < 0 && event->type() == QEvent::Paint && m_view->model() &&
            m_view->model()->rowCount() > 0)
            m_ms = double(m_clock->nsecsElapsed()) / 1e6;
        return QObject::eventFilter(watched, event);
    }

private:
    QTreeView *m_view;
    const QElapsedTimer *m_clock;
    double m_ms = -1;
};

// Readable lines as the figures come, and the machine-readable "FIGURE" lines at the end.
class Figures
{
public:
    void add(const char *key, double value, const char *unit, const char *label)
    {
        std::printf("%-60s %10.3f %s\n", label, value, unit);
        std::fflush(stdout);
        m_lines.append(QByteArray("FIGURE ") + key + ' ' + QByteArray::number(value, 'f', 3) + ' ' +
                       unit);
    }
    void print() const
    {
        for (const QByteArray &line : m_lines)
            std::printf("%s\n", line.constData());
    }

private:
    QList<QByteArray> m_lines;
};

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

struct Opened
{
    double firstRowsMs = -1;
    double liveMs = -1;
    double stallMs = -1;
};

// Opens `store` in `window` through a live transport caching in `cacheDir`, and measures.
Opened openAndMeasure(MainWindow &window, const QUrl &ws, const QString &store,
                      const QString &cacheDir, qsizetype leaves)
{
    SdkOptions options;
    options.url = ws;
    options.token = QStringLiteral("dust_tok_dev");
    options.cacheDirectory = cacheDir;
    Opened result;
    StallMeter stall;
    QElapsedTimer clock;
    clock.start();
    stall.start();
    StoreTab *tab =
        window.addStore(std::make_unique<SdkTransport>(options), store, {QStringLiteral("bench")});
    FirstRowsPaint paint(tab->treeView(), &clock);
    const bool live = waitFor(
        [&] {
            return tab->connectionText().startsWith(QLatin1String("live")) &&
                   tab->model()->leafCount() >= leaves && !tab->model()->isRebuilding();
        },
        600000);
    result.liveMs = live ? double(clock.nsecsElapsed()) / 1e6 : -1;
    waitFor([&] { return paint.ms() >= 0; }, 5000);
    result.stallMs = stall.stop();
    result.firstRowsMs = paint.ms();
    return result;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Dust Browser bench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_window"));
    qsizetype leaves = 1000000;
    QString dustlite = QStringLiteral(DUSTLITE_EXECUTABLE);
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--dustlite") && i + 1 < args.size())
            dustlite = args[++i];
        else if (args[i].toLongLong() > 0)
            leaves = args[i].toLongLong();
    }
    const int liveEvents = qEnvironmentVariableIsSet("DUST_BENCH_LIVE_EVENTS")
                               ? qEnvironmentVariableIntValue("DUST_BENCH_LIVE_EVENTS")
                               : 50000;
    std::printf("bench_window: %lld leaves, %d live events\n", qlonglong(leaves), liveEvents);
    std::fflush(stdout);

    QTemporaryDir dataDir;
    QTemporaryDir cacheDir;
    QTemporaryDir settingsDir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    QProcess server;
    const quint16 port =
        startDustlite(server, dustlite,
                      {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data"),
                       dataDir.path(), QStringLiteral("--seed"), QString::number(leaves),
                       QStringLiteral("--token"), QStringLiteral("dust_tok_dev")},
                      QProcess::SeparateChannels, 3600 * 1000);
    if (port == 0) {
        std::fprintf(stderr, "dustlite did not start: %s\n",
                     server.readAllStandardError().constData());
        return 1;
    }
    const QUrl ws(QStringLiteral("ws://127.0.0.1:%1/ws/sync").arg(port));
    const QString store = QStringLiteral("local/demo");
    Figures figures;

    // 1. From an empty cache.
    auto window = std::make_unique<MainWindow>();
    window->resize(1200, 760);
    window->show();
    const Opened cold = openAndMeasure(*window, ws, store, cacheDir.path(), leaves);
    if (cold.liveMs < 0) {
        std::fprintf(stderr, "the store never went live\n");
        return 1;
    }
    figures.add("window_first_rows_ms", cold.firstRowsMs, "ms", "first rows painted, empty cache");
    figures.add("window_live_s", cold.liveMs / 1000, "s",
                "full tree live, empty cache (target <= 5)");
    figures.add("window_catchup_stall_ms", cold.stallMs, "ms",
                "longest UI stall during the catch-up (target <= 50)");

    // 2. Live events from other clients while the window shows the store.
    {
        StoreTab *tab = window->currentTab();
        const qint64 seqBefore = tab->model()->appliedSeq();
        SdkOptions options;
        options.url = ws;
        options.token = QStringLiteral("dust_tok_dev");
        std::vector<std::unique_ptr<SdkTransport>> writers;
        for (int w = 0; w < 4; ++w)
            writers.push_back(std::make_unique<SdkTransport>(options));
        StallMeter stall;
        QElapsedTimer clock;
        clock.start();
        stall.start();
        QList<QFuture<Result<WriteResult>>> pending;
        for (int i = 0; i < liveEvents; ++i) {
            const Path p =
                *Path::fromSegments({QStringLiteral("live"), QStringLiteral("w%1").arg(i % 4),
                                     QStringLiteral("k%1").arg(i % 5000)});
            pending.append(writers[size_t(i % 4)]->put(store, p, i));
            if (pending.size() >= 2000) {
                waitFor([&] { return pending.first().isFinished(); }, 600000);
                pending.removeFirst();
            }
        }
        const bool applied =
            waitFor([&] { return tab->model()->appliedSeq() >= seqBefore + liveEvents; }, 600000);
        const double stallMs = stall.stop();
        figures.add("window_live_events_s", applied ? double(clock.nsecsElapsed()) / 1e9 : -1, "s",
                    "50,000 live events written and shown");
        figures.add("window_live_stall_ms", stallMs, "ms",
                    "longest UI stall during the live events (target <= 50)");
    }
    window.reset(); // closes the tab: the transport saves the cache

    // 3. From the cache.
    window = std::make_unique<MainWindow>();
    window->resize(1200, 760);
    window->show();
    const Opened warm = openAndMeasure(*window, ws, store, cacheDir.path(),
                                       leaves + qsizetype(std::min(liveEvents, 20000)));
    figures.add("window_cached_first_rows_ms", warm.firstRowsMs, "ms",
                "first rows painted, from the cache (target <= 1000)");
    figures.add("window_cached_live_s", warm.liveMs / 1000, "s",
                "full tree live, from the cache (target <= 1.5)");
    figures.add("window_cached_stall_ms", warm.stallMs, "ms",
                "longest UI stall opening from the cache");
    window.reset();

    figures.add("window_peak_rss_mb", mb(double(peakRssKb())), "MB",
                "client peak RSS (target <= 450)");
    server.terminate();
    server.waitForFinished(30000);
    figures.print();
    return 0;
}
