// The real MainWindow, offscreen, on a separate dustlite process seeded with N leaves
// (default 1,000,000) and a 10 MB value:
//   1. from an empty cache: time from start to the first rows painted, to caught up and to
//      the full tree live, the longest event-loop stall meanwhile, the peak RSS;
//   2. 50,000 live events written by ten other clients while the window shows the store:
//      the longest stall while they arrive and the time until the tree has them all;
//   3. in a second process, as after a restart: the window from the cache (first rows, full
//      tree live), then the 10 MB value opened until the inspector shows all of it, and that
//      process's peak RSS.
// Usage: bench_window [leaves] [--dustlite PATH]. DUST_BENCH_LIVE_EVENTS=N changes the
// number of live events. Prints readable lines and "FIGURE key value unit" lines.

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
#include <QEventLoop>
#include <QJsonArray>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeView>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace dust;
using namespace dust::bench;
using namespace std::chrono_literals;

namespace {

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

// Another client writing over its own WebSocket: joined at the store's current seq (no
// catch-up, no mirror, so it costs the window's process next to nothing), then `count`
// pipelined set writes, at most `window` unanswered.
class LeanWriter : public QObject
{
public:
    LeanWriter(const QUrl &ws, QString store, qint64 joinSeq, int index)
        : m_topic(QStringLiteral("store:") + store)
        , m_joinSeq(joinSeq)
        , m_index(index)
    {
        connect(&m_socket, &QWebSocket::connected, this, [this] {
            m_socket.sendTextMessage(
                QStringLiteral("[\"1\",\"1\",\"%1\",\"phx_join\",{\"last_store_seq\":%2}]")
                    .arg(m_topic)
                    .arg(m_joinSeq));
        });
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            if (!text.contains(QLatin1String("\"phx_reply\"")))
                return;
            if (!m_joined) {
                m_joined = true;
                pump();
                return;
            }
            if (text.contains(QLatin1String("\"error\"")))
                ++m_errors;
            ++m_acked;
            --m_inFlight;
            pump();
        });
        QUrl url = ws;
        url.setPath(url.path() + QStringLiteral("/websocket"));
        url.setQuery(QStringLiteral("token=dust_tok_dev&device_id=dev_writer%1&capver=3&vsn=2.0.0")
                         .arg(index));
        m_socket.open(url);
    }
    void write(int count)
    {
        m_toSend += count;
        pump();
    }
    bool joined() const { return m_joined; }
    int acked() const { return m_acked; }
    int errors() const { return m_errors; }

private:
    void pump()
    {
        while (m_joined && m_toSend > 0 && m_inFlight < 64) {
            const int n = m_sent++;
            const QString key = QStringLiteral("k%1").arg(n % 500);
            m_socket.sendTextMessage(
                QStringLiteral("[\"1\",\"%1\",\"%2\",\"write\",{\"op\":\"set\",\"path\":\"live/"
                               "w%3/%4\",\"path_segments\":[\"live\",\"w%3\",\"%4\"],"
                               "\"value\":%5,\"client_op_id\":\"w%3_%1\"}]")
                    .arg(n + 2)
                    .arg(m_topic)
                    .arg(m_index)
                    .arg(key)
                    .arg(n));
            --m_toSend;
            ++m_inFlight;
        }
    }

    QWebSocket m_socket;
    QString m_topic;
    qint64 m_joinSeq;
    int m_index;
    bool m_joined = false;
    int m_toSend = 0;
    int m_sent = 0;
    int m_inFlight = 0;
    int m_acked = 0;
    int m_errors = 0;
};

struct Opened
{
    double firstRowsMs = -1;
    double liveMs = -1;
    double caughtUpMs = -1; // the status said "live" (the tree may still be building)
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
            if (result.caughtUpMs < 0 && tab->connectionText().startsWith(QLatin1String("live")))
                result.caughtUpMs = double(clock.nsecsElapsed()) / 1e6;
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

// The big value the inspector opens: written before any window exists, so the bench's own
// copy of it is gone before the window's memory is measured.
const Path kBigPath = *Path::parse(QStringLiteral("bench/big-value"));

bool writeBigValue(quint16 port, const QString &store)
{
    QJsonArray big;
    for (int i = 0; i < 250000; ++i)
        big.append(
            QStringLiteral("item %1 of the ten megabyte value").arg(i, 6, 10, QLatin1Char('0')));
    HttpTransport rest(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)),
                       QStringLiteral("dust_tok_dev"));
    auto written = rest.put(store, kBigPath, big);
    waitFor([&] { return written.isFinished(); }, 120000);
    if (!written.isFinished() || !written.result()) {
        std::fprintf(stderr, "the 10 MB write failed: %s\n",
                     written.isFinished() ? qPrintable(written.result().error().message())
                                          : "no answer");
        return false;
    }
    return true;
}

// The second half, in a process of its own as after a restart: the window from the cache,
// then the 10 MB value opened; its figures and its own peak RSS.
int fromCache(const QUrl &ws, const QString &store, const QString &cacheDir, qsizetype leaves)
{
    Figures figures;
    auto window = std::make_unique<MainWindow>();
    window->resize(1200, 760);
    window->show();
    const Opened warm = openAndMeasure(*window, ws, store, cacheDir, leaves);
    figures.add("window_cached_first_rows_ms", warm.firstRowsMs, "ms",
                "first rows painted, from the cache (target <= 1000)");
    figures.add("window_cached_live_s", warm.liveMs / 1000, "s",
                "full tree live, from the cache (target <= 1.5)");
    figures.add("window_cached_stall_ms", warm.stallMs, "ms",
                "longest UI stall opening from the cache");
    {
        StoreTab *tab = window->currentTab();
        ValueFormatter *formatter = tab->inspector()->formatter();
        bool done = false;
        QObject::connect(formatter, &ValueFormatter::finished, formatter, [&] { done = true; });
        StallMeter stall;
        QElapsedTimer clock;
        clock.start();
        stall.start();
        tab->goToPath(kBigPath);
        const bool opened = waitFor([&] { return done; }, 120000);
        const double stallMs = stall.stop();
        figures.add("window_open_10mb_s", opened ? double(clock.nsecsElapsed()) / 1e9 : -1, "s",
                    "open a 10 MB value (its tree shown, its size measured)");
        figures.add("window_open_10mb_stall_ms", stallMs, "ms",
                    "longest UI stall opening it (target <= 50)");
    }
    figures.add("window_cached_peak_rss_mb", mb(double(peakRssKb())), "MB",
                "client peak RSS, from the cache and the 10 MB value (target <= 450)");
    window.reset();
    figures.print();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Dust Browser bench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_window"));
    const QString store = QStringLiteral("local/demo");
    const QStringList args = app.arguments();
    if (args.size() == 5 && args[1] == QLatin1String("--from-cache")) {
        QTemporaryDir settingsDir;
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
        return fromCache(QUrl(args[2]), store, args[3], args[4].toLongLong());
    }
    qsizetype leaves = 1000000;
    QString dustlite = QStringLiteral(DUSTLITE_EXECUTABLE);
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
    // The 10 MB value goes in over REST.
    const quint16 port =
        startSeededDustlite(server, dustlite, dataDir.path(), leaves,
                            {QStringLiteral("--max-body"), QString::number(32 * 1024 * 1024)});
    if (port == 0)
        return 1;
    const QUrl ws(QStringLiteral("ws://127.0.0.1:%1/ws/sync").arg(port));
    if (!writeBigValue(port, store))
        return 1;
    const qsizetype storeLeaves = leaves + 1;
    Figures figures;
    // 1. From an empty cache.
    auto window = std::make_unique<MainWindow>();
    window->resize(1200, 760);
    window->show();
    const Opened cold = openAndMeasure(*window, ws, store, cacheDir.path(), storeLeaves);
    if (cold.liveMs < 0) {
        std::fprintf(stderr, "the store never went live\n");
        return 1;
    }
    figures.add("window_first_rows_ms", cold.firstRowsMs, "ms", "first rows painted, empty cache");
    figures.add("window_caught_up_s", cold.caughtUpMs / 1000, "s",
                "caught up (the status says live), empty cache");
    figures.add("window_live_s", cold.liveMs / 1000, "s",
                "full tree live, empty cache (target <= 5)");
    figures.add("window_cold_peak_rss_mb", mb(double(peakRssKb())), "MB",
                "client peak RSS after opening from an empty cache");
    figures.add("window_catchup_stall_ms", cold.stallMs, "ms",
                "longest UI stall during the catch-up (target <= 50)");

    // 2. Live events from other clients while the window shows the store.
    {
        StoreTab *tab = window->currentTab();
        constexpr int kWriters = 10;
        const qint64 seqBefore = tab->model()->appliedSeq();
        std::vector<std::unique_ptr<LeanWriter>> writers;
        for (int w = 0; w < kWriters; ++w)
            writers.push_back(std::make_unique<LeanWriter>(ws, store, seqBefore, w));
        waitFor(
            [&] {
                return std::all_of(writers.begin(), writers.end(),
                                   [](const auto &w) { return w->joined(); });
            },
            60000);
        StallMeter stall;
        QElapsedTimer clock;
        clock.start();
        stall.start();
        for (int w = 0; w < kWriters; ++w)
            writers[size_t(w)]->write(liveEvents / kWriters + (w < liveEvents % kWriters ? 1 : 0));
        const bool applied =
            waitFor([&] { return tab->model()->appliedSeq() >= seqBefore + liveEvents; }, 600000);
        const double stallMs = stall.stop();
        figures.add("window_live_events_s", applied ? double(clock.nsecsElapsed()) / 1e9 : -1, "s",
                    "the live events written (10 clients) and shown");
        figures.add("window_live_stall_ms", stallMs, "ms",
                    "longest UI stall during the live events (target <= 50)");
    }
    figures.add("window_peak_rss_mb", mb(double(peakRssKb())), "MB",
                "client peak RSS, empty cache and live events (target <= 450)");
    const qsizetype leavesNow = window->currentTab()->model()->leafCount();
    window.reset(); // closes the tab: the transport saves the cache
    figures.print();

    // 3. and 4. From the cache, in a new process as after a restart.
    QProcess second;
    second.setProcessChannelMode(QProcess::ForwardedChannels);
    second.start(QCoreApplication::applicationFilePath(),
                 {QStringLiteral("--from-cache"), ws.toString(), cacheDir.path(),
                  QString::number(leavesNow)});
    second.waitForFinished(-1);
    server.terminate();
    server.waitForFinished(30000);
    return second.exitCode();
}
