// Opening a big store end to end: a real dustlite child process seeded with N generated
// leaves (default 1,000,000; one `set` op each), then
//   1. catch-up from an empty cache over a real WebSocket (a lean client: QWebSocket +
//      EventFrameDecoder + Mirror) and the tree built from it (StoreTreeModel): wall time,
//      CPU time and peak RSS;
//   2. the mirror saved to the on-disk cache (MirrorCache);
//   3. reopening: the cache loaded into a new Mirror, the tree built, and the delta caught up
//      (a few writes made in between);
//   4. the same catch-up frames captured and processed offline: bare simdjson parse (the
//      fields the decoder reads) against decode + Mirror apply, as a ratio.
// Usage: bench_catchup [leaves] [--dustlite PATH]. Prints "name: value" lines and, last, one
// "FIGURE key value unit" line per figure for bench/run.sh.

#include "BenchSupport.h"
#include "model/StoreTreeModel.h"
#include "model/StoreTreeSnapshot.h"
#include "sync/EventFrameDecoder.h"
#include "sync/Mirror.h"
#include "sync/MirrorCache.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>

#include <cstdio>
#include <string>
#include <vector>

#ifdef DUST_HAVE_SIMDJSON
#include <simdjson.h>
#endif

using namespace dust;
using namespace dust::bench;

namespace {

constexpr qsizetype Padding = 64; // simdjson's required padding after the input

// Wall time and CPU time of the process (every thread of the benchmark; dustlite is a
// separate process and not counted).
class Stopwatch
{
public:
    Stopwatch() { restart(); }
    void restart()
    {
        m_wall.start();
        m_cpu = cpuNs(CLOCK_PROCESS_CPUTIME_ID);
    }
    double wallS() const { return double(m_wall.nsecsElapsed()) / 1e9; }
    double cpuS() const { return double(cpuNs(CLOCK_PROCESS_CPUTIME_ID) - m_cpu) / 1e9; }

private:
    QElapsedTimer m_wall;
    qint64 m_cpu = 0;
};

// A lean WebSocket client for one store: join with a seq, feed the catch-up into a Mirror
// (or only capture the frames), stop at catch_up_complete.
class CatchUpClient : public QObject
{
public:
    CatchUpClient(QUrl wsBase, QString store)
        : m_url(std::move(wsBase))
        , m_topic(QStringLiteral("store:") + store)
    {
        connect(&m_socket, &QWebSocket::connected, this, &CatchUpClient::onConnected);
        connect(&m_socket, &QWebSocket::textMessageReceived, this, &CatchUpClient::onText);
        connect(&m_socket, &QWebSocket::disconnected, this, [this] {
            if (!m_done)
                finish(QStringLiteral("disconnected: %1").arg(m_socket.errorString()));
        });
        connect(&m_heartbeat, &QTimer::timeout, this, [this] {
            m_socket.sendTextMessage(
                QStringLiteral("[null,\"hb%1\",\"phoenix\",\"heartbeat\",{}]").arg(++m_ref));
        });
        m_heartbeat.setInterval(20000);
    }

    // Catches `mirror` up from its lastSeq(); with `capture`, only collects the frames.
    QString run(Mirror *mirror, std::vector<QByteArray> *capture = nullptr)
    {
        m_mirror = mirror;
        m_capture = capture;
        m_done = false;
        m_error.clear();
        m_events = 0;
        QUrl url = m_url;
        url.setPath(url.path() + QStringLiteral("/websocket"));
        url.setQuery(QStringLiteral("token=dust_tok_dev&device_id=dev_bench&capver=3&vsn=2.0.0"));
        m_socket.open(url);
        m_heartbeat.start();
        m_loop.exec();
        m_heartbeat.stop();
        m_socket.close();
        return m_error;
    }
    qint64 events() const { return m_events; }
    qint64 frameBytes() const { return m_bytes; }

private:
    void onConnected()
    {
        const qint64 seq = m_mirror ? m_mirror->lastSeq() : 0;
        m_socket.sendTextMessage(
            QStringLiteral("[\"1\",\"1\",\"%1\",\"phx_join\",{\"last_store_seq\":%2}]")
                .arg(m_topic)
                .arg(seq));
        if (m_mirror && !m_capture)
            m_mirror->beginCatchUp();
    }

    void onText(const QString &text)
    {
        if (m_capture) {
            QByteArray bytes = text.toUtf8();
            bytes.reserve(bytes.size() + Padding);
            m_bytes += bytes.size();
            const bool end = text.contains(QLatin1String("\"catch_up_complete\""));
            if (!end && text.contains(QLatin1String("\"event\"")))
                ++m_events;
            m_capture->push_back(std::move(bytes));
            if (end)
                finish({});
            return;
        }
        m_bytes += text.size();
        auto decoded = m_decoder.decode(QStringView(text));
        if (!decoded) {
            finish(QStringLiteral("bad frame: %1").arg(decoded.error()));
            return;
        }
        const DecodedFrame &frame = *decoded;
        switch (frame.kind) {
        case DecodedFrame::Kind::Event:
            ++m_events;
            m_mirror->apply(frame.change, EventSource::CatchUp);
            break;
        case DecodedFrame::Kind::Snapshot:
            m_mirror->applySnapshot(frame.snapshot);
            break;
        case DecodedFrame::Kind::CatchUpComplete:
            m_mirror->endCatchUp(frame.throughSeq);
            finish({});
            break;
        case DecodedFrame::Kind::Reply:
            if (frame.replyStatus != QByteArrayView("ok"))
                finish(QStringLiteral("join refused: %1").arg(QString::fromUtf8(frame.payload)));
            break;
        case DecodedFrame::Kind::Other:
            break;
        }
    }

    void finish(const QString &error)
    {
        m_done = true;
        m_error = error;
        m_loop.quit();
    }

    QUrl m_url;
    QString m_topic;
    QWebSocket m_socket;
    QTimer m_heartbeat;
    QEventLoop m_loop;
    EventFrameDecoder m_decoder;
    Mirror *m_mirror = nullptr;
    std::vector<QByteArray> *m_capture = nullptr;
    bool m_done = false;
    QString m_error;
    qint64 m_events = 0;
    qint64 m_bytes = 0;
    int m_ref = 0;
};

#ifdef DUST_HAVE_SIMDJSON
// The bare parse: every field the frame decoder reads, nothing stored.
qint64 bareParse(const std::vector<QByteArray> &frames, size_t &fieldsSeen)
{
    simdjson::ondemand::parser parser;
    size_t seen = 0;
    const qint64 start = cpuNs(CLOCK_THREAD_CPUTIME_ID);
    for (const QByteArray &frame : frames) {
        simdjson::padded_string_view input(frame.constData(), size_t(frame.size()),
                                           size_t(frame.capacity()));
        auto doc = parser.iterate(input);
        if (doc.error())
            continue;
        auto array = doc.get_array();
        if (array.error())
            continue;
        int i = 0;
        for (auto element : array) {
            if (i == 2 || i == 3) {
                std::string_view s;
                if (!element.get_string().get(s))
                    seen += s.size();
            } else if (i == 4) {
                simdjson::ondemand::object payload;
                if (element.get_object().get(payload))
                    break;
                for (auto field : payload) {
                    std::string_view key;
                    if (field.unescaped_key().get(key))
                        break;
                    auto value = field.value();
                    if (key == "store_seq") {
                        int64_t n = 0;
                        if (!value.get_int64().get(n))
                            seen += size_t(n & 1);
                    } else if (key == "path_segments") {
                        simdjson::ondemand::array segments;
                        if (!value.get_array().get(segments))
                            for (auto segment : segments) {
                                std::string_view s;
                                if (!segment.get_string().get(s))
                                    seen += s.size();
                            }
                    } else if (key == "value") {
                        // Scalars: their token; objects and arrays are skipped structurally
                        // when the next field is read.
                        simdjson::ondemand::json_type type;
                        if (!value.type().get(type) &&
                            type != simdjson::ondemand::json_type::object &&
                            type != simdjson::ondemand::json_type::array)
                            seen += value.raw_json_token().value_unsafe().size();
                    } else {
                        std::string_view s;
                        if (!value.get_string().get(s))
                            seen += s.size();
                    }
                }
            }
            ++i;
        }
    }
    fieldsSeen = seen;
    return cpuNs(CLOCK_THREAD_CPUTIME_ID) - start;
}
#endif

// A few REST writes, so that reopening has a delta to catch up.
bool writeDelta(const QUrl &base, int count)
{
    QNetworkAccessManager manager;
    for (int i = 0; i < count; ++i) {
        QUrl url = base;
        url.setPath(QStringLiteral("/api/stores/local/demo/entries/bench/delta/%1").arg(i));
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer dust_tok_dev");
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        std::unique_ptr<QNetworkReply> reply(
            manager.put(request, QJsonDocument(QJsonObject{{QStringLiteral("n"), i}}).toJson()));
        QEventLoop loop;
        QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        if (reply->error() != QNetworkReply::NoError)
            return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qint64 leaves = 1000000;
    QString dustlite = QStringLiteral(DUSTLITE_EXECUTABLE);
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--dustlite") && i + 1 < args.size())
            dustlite = args[++i];
        else if (args[i].toLongLong() > 0)
            leaves = args[i].toLongLong();
    }
    Figures figures;
    std::printf("bench_catchup: %lld leaves, dustlite %s, simdjson %s\n", leaves,
                qPrintable(dustlite), EventFrameDecoder::simdjsonAvailable() ? "yes" : "no");
    std::fflush(stdout);

    QTemporaryDir dataDir;
    QTemporaryDir cacheDir;
    QProcess server;
    Stopwatch seeding;
    const quint16 port = startSeededDustlite(server, dustlite, dataDir.path(), leaves);
    if (port == 0)
        return 1;
    figures.add(QStringLiteral("seed_s"), seeding.wallS(), QStringLiteral("s"),
                QStringLiteral("dustlite seeding + start (wall)"));
    const QUrl base(QStringLiteral("http://127.0.0.1:%1").arg(port));
    const QUrl ws(QStringLiteral("ws://127.0.0.1:%1/ws/sync").arg(port));
    const QString store = QStringLiteral("local/demo");
    const long rssStart = currentRssKb();

    // 1. Catch-up from an empty cache and the tree.
    auto mirror = std::make_unique<Mirror>();
    qsizetype treeLeaves = 0;
    double liveCpuS = 0;
    {
        CatchUpClient client(ws, store);
        Stopwatch total;
        const QString error = client.run(mirror.get());
        if (!error.isEmpty()) {
            std::fprintf(stderr, "catch-up failed: %s\n", qPrintable(error));
            return 1;
        }
        const double catchUpWall = total.wallS();
        const double catchUpCpu = total.cpuS();
        liveCpuS = catchUpCpu;
        const long mirrorRssKb = currentRssKb() - rssStart;
        Stopwatch tree;
        StoreTreeModel model;
        model.rebuildNow(StoreTreeSnapshot::fromMirror(*mirror));
        treeLeaves = model.leafCount();
        const double treeWall = tree.wallS();
        std::printf("events: %lld, frame text (UTF-16): %.1f MB, leaves: %lld, last seq: %lld\n",
                    client.events(), double(client.frameBytes()) * 2 / 1e6,
                    qlonglong(mirror->leafCount()), mirror->lastSeq());
        figures.add(QStringLiteral("catchup_wall_s"), catchUpWall, QStringLiteral("s"),
                    QStringLiteral("catch-up over WebSocket (wall)"));
        figures.add(QStringLiteral("catchup_cpu_s"), catchUpCpu, QStringLiteral("s"),
                    QStringLiteral("catch-up over WebSocket (CPU, this process)"));
        figures.add(QStringLiteral("tree_build_s"), treeWall, QStringLiteral("s"),
                    QStringLiteral("tree build (snapshot + StoreTreeModel)"));
        figures.add(QStringLiteral("catchup_tree_total_s"), total.wallS(), QStringLiteral("s"),
                    QStringLiteral("catch-up + tree, total (target <= 10)"));
        figures.add(QStringLiteral("catchup_peak_rss_mb"), mb(peakRssKb()), QStringLiteral("MB"),
                    QStringLiteral("peak RSS after catch-up + tree (target <= 400)"));
        figures.add(QStringLiteral("mirror_rss_mb"), mb(mirrorRssKb), QStringLiteral("MB"),
                    QStringLiteral("RSS growth after catch-up (mirror, socket)"));
        figures.add(QStringLiteral("catchup_rss_growth_mb"), mb(currentRssKb() - rssStart),
                    QStringLiteral("MB"), QStringLiteral("RSS growth (mirror + tree)"));
    }
    if (treeLeaves != mirror->leafCount())
        std::printf("warning: tree has %lld leaves, mirror %lld\n", qlonglong(treeLeaves),
                    qlonglong(mirror->leafCount()));

    // 2. Save to the cache.
    MirrorCache cache(base, store, cacheDir.path());
    {
        Stopwatch save;
        const auto saved = cache.save(*mirror);
        if (!saved) {
            std::fprintf(stderr, "save failed: %s\n", qPrintable(saved.error()));
            return 1;
        }
        figures.add(QStringLiteral("cache_save_s"), save.wallS(), QStringLiteral("s"),
                    QStringLiteral("cache save (full)"));
        figures.add(QStringLiteral("cache_file_mb"), double(saved->fileBytes) / 1048576.0,
                    QStringLiteral("MB"), QStringLiteral("cache file size"));
    }
    const qint64 cachedSeq = mirror->lastSeq();
    const qsizetype cachedLeaves = mirror->leafCount();
    mirror.reset();

    // 3. Reopen: load the cache, build the tree, catch up the delta.
    const int delta = 100;
    if (!writeDelta(base, delta)) {
        std::fprintf(stderr, "REST writes failed\n");
        return 1;
    }
    {
        auto reopened = std::make_unique<Mirror>();
        MirrorCache reader(base, store, cacheDir.path());
        Stopwatch total;
        const MirrorCacheLoad loaded = reader.load(*reopened);
        const double loadS = total.wallS();
        if (loaded.status != MirrorCacheLoad::Status::Loaded || loaded.lastSeq != cachedSeq ||
            loaded.leafCount != cachedLeaves) {
            std::fprintf(stderr, "reload failed: %s\n", qPrintable(loaded.problem));
            return 1;
        }
        Stopwatch tree;
        StoreTreeModel model;
        model.rebuildNow(StoreTreeSnapshot::fromMirror(*reopened));
        const double treeS = tree.wallS();
        const double toTree = total.wallS();
        Stopwatch deltaTimer;
        CatchUpClient client(ws, store);
        const QString error = client.run(reopened.get());
        if (!error.isEmpty()) {
            std::fprintf(stderr, "delta catch-up failed: %s\n", qPrintable(error));
            return 1;
        }
        figures.add(QStringLiteral("cache_load_s"), loadS, QStringLiteral("s"),
                    QStringLiteral("cache load into a new Mirror"));
        figures.add(QStringLiteral("reopen_tree_build_s"), treeS, QStringLiteral("s"),
                    QStringLiteral("tree build after reopen"));
        figures.add(QStringLiteral("reopen_to_tree_s"), toTree, QStringLiteral("s"),
                    QStringLiteral("reopen from cache to a full tree (target <= 1.5)"));
        figures.add(QStringLiteral("delta_catchup_s"), deltaTimer.wallS(), QStringLiteral("s"),
                    QStringLiteral("delta catch-up after reopen (%1 events)").arg(client.events()));
        if (client.events() != delta || reopened->lastSeq() != cachedSeq + delta)
            std::printf("warning: delta caught up %lld events to seq %lld\n", client.events(),
                        reopened->lastSeq());
    }

    // 4. Offline: bare parse against decode + apply on the same frames.
    {
        std::vector<QByteArray> frames;
        frames.reserve(size_t(leaves) + 1024);
        CatchUpClient client(ws, store);
        const QString error = client.run(nullptr, &frames);
        if (!error.isEmpty()) {
            std::fprintf(stderr, "capture failed: %s\n", qPrintable(error));
            return 1;
        }
        qint64 bytes = 0;
        for (const QByteArray &f : frames)
            bytes += f.size();
        std::printf("captured %zu frames, %.1f MB\n", frames.size(), double(bytes) / 1e6);

        EventFrameDecoder decoder;
        Mirror offline;
        offline.beginCatchUp();
        const qint64 start = cpuNs(CLOCK_THREAD_CPUTIME_ID);
        for (const QByteArray &frame : frames) {
            auto decoded = decoder.decode(QByteArrayView(frame));
            if (decoded && decoded->kind == DecodedFrame::Kind::Event)
                offline.apply(decoded->change, EventSource::CatchUp);
        }
        offline.endCatchUp(0);
        const double applyS = double(cpuNs(CLOCK_THREAD_CPUTIME_ID) - start) / 1e9;
        figures.add(QStringLiteral("decode_apply_s"), applyS, QStringLiteral("s"),
                    QStringLiteral("decode + Mirror apply, offline (CPU)"));
#ifdef DUST_HAVE_SIMDJSON
        size_t seen = 0;
        double bareS = 1e9;
        for (int round = 0; round < 3; ++round)
            bareS = std::min(bareS, double(bareParse(frames, seen)) / 1e9);
        figures.add(QStringLiteral("bare_parse_s"), bareS, QStringLiteral("s"),
                    QStringLiteral("bare simdjson parse, same frames (CPU, best of 3)"));
        figures.add(QStringLiteral("ratio_decode_apply"), applyS / bareS, QStringLiteral("x"),
                    QStringLiteral("decode + apply / bare parse (target <= 3)"));
        figures.add(QStringLiteral("ratio_live_catchup_cpu"), liveCpuS / bareS, QStringLiteral("x"),
                    QStringLiteral("live catch-up CPU (socket + UTF-16 + decode + apply) / bare"));
#endif
    }

    server.terminate();
    server.waitForFinished(10000);
    std::printf("\n");
    figures.print();
    return 0;
}
