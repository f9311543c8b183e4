// Applies a catch-up of N realistic `set` event frames (default 1,000,000) to a Mirror and
// prints the time and memory it takes: the bare simdjson parse of the frames (the same fields
// read), the frame decoder alone, decoder + Mirror apply, and the QJsonDocument path on a
// sample. Frames are generated in chunks so that the peak RSS reflects the Mirror, not the
// input. Times are CPU time of the benchmark thread. Usage: bench_mirror [events]

#include "BenchSupport.h"
#include "sync/EventFrameDecoder.h"
#include "sync/Mirror.h"

#include <QCoreApplication>

#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#ifdef DUST_HAVE_SIMDJSON
#include <simdjson.h>
#endif

using dust::bench::currentRssKb;
using dust::bench::peakRssKb;

namespace {

constexpr size_t Padding = 64;
constexpr size_t ChunkSize = 10000;

// CPU time of this thread: the machine is shared, so wall time would measure the neighbours.
class CpuTimer
{
public:
    void start() { m_start = now(); }
    qint64 nsecsElapsed() const { return now() - m_start; }

private:
    static qint64 now() { return dust::bench::cpuNs(CLOCK_THREAD_CPUTIME_ID); }
    qint64 m_start = 0;
};

// Builds realistic event frames: users with profile fields, in a shuffled user order, with
// strings, numbers, booleans, tag arrays and a few small objects that get flattened.
class FrameGenerator
{
public:
    explicit FrameGenerator(size_t events)
        : m_events(events)
        , m_rng(20260628)
    {
        const size_t users = (events + Fields - 1) / Fields;
        m_userOrder.resize(users);
        for (size_t i = 0; i < users; ++i)
            m_userOrder[i] = i;
        // Users appear in a shuffled order within windows of 1000 (clients write in bursts).
        const bool shuffle = qEnvironmentVariableIsEmpty("BENCH_IN_ORDER");
        for (size_t start = 0; shuffle && start < users; start += 1000) {
            const size_t end = std::min(users, start + 1000);
            std::shuffle(m_userOrder.begin() + long(start), m_userOrder.begin() + long(end), m_rng);
        }
    }

    // Appends frame number `i` (0-based; store_seq i + 1) to `out`, followed by padding.
    void frame(size_t i, std::string &out)
    {
        static constexpr const char *fieldNames[Fields] = {"name",   "email", "age",  "score",
                                                           "active", "tags",  "city", "last login",
                                                           "bio",    "prefs"};
        const size_t user = m_userOrder[i / Fields];
        const size_t field = i % Fields;
        const std::string tenant = "t" + std::to_string(user % 50);
        const std::string userSeg = "user-" + std::to_string(user);
        const std::string fieldSeg = fieldNames[field];
        std::string value;
        switch (field) {
        case 0:
            value = "\"User " + std::to_string(user) + " Ñoño\"";
            break;
        case 1:
            value = "\"user" + std::to_string(user) + "@example.com\"";
            break;
        case 2:
            value = std::to_string(18 + user % 60);
            break;
        case 3:
            value = std::to_string(double(m_rng() % 100000) / 100.0);
            break;
        case 4:
            value = (user % 3) ? "true" : "false";
            break;
        case 5:
            value = "[\"alpha\",\"beta\",\"t" + std::to_string(user % 7) + "\"]";
            break;
        case 6:
            value = "\"Zürich\"";
            break;
        case 7:
            value = "\"2026-06-" + std::to_string(10 + user % 18) + "T12:34:56Z\"";
            break;
        case 8:
            value = "\"Likes long walks, \\\"quoted\\\" words and unicode \\u00e9.\"";
            break;
        default:
            value = (user % 50 == 0) ? "{\"theme\":\"dark\",\"lang\":\"en\",\"beta\":true}"
                                     : "\"compact\"";
            break;
        }
        const std::string path = "tenants/" + tenant + "/users/" + userSeg + "/" + fieldSeg;
        char opId[24];
        std::snprintf(opId, sizeof opId, "op_%016llx", static_cast<unsigned long long>(m_rng()));
        out += "[null,null,\"store:acme/site\",\"event\",{\"store_seq\":";
        out += std::to_string(i + 1);
        out += ",\"op\":\"set\",\"path\":\"" + path + "\",\"path_segments\":[\"tenants\",\"" +
               tenant + "\",\"users\",\"" + userSeg + "\",\"" + fieldSeg +
               "\"],\"value\":" + value +
               ",\"device_id\":\"dev_8f3a2b1c9d0e4f5a\",\"client_op_id\":\"" + opId + "\"}]";
    }

    size_t events() const { return m_events; }

private:
    static constexpr size_t Fields = 10;
    size_t m_events;
    std::mt19937_64 m_rng;
    std::vector<size_t> m_userOrder;
};

struct Chunk
{
    std::string bytes;          // frames back to back, each followed by Padding spaces
    std::vector<size_t> starts; // offset of each frame
    std::vector<size_t> sizes;
};

#ifdef DUST_HAVE_SIMDJSON
// Reads the same fields the decoder reads, with nothing else: the baseline.
size_t bareParse(simdjson::ondemand::parser &parser, const char *data, size_t size)
{
    namespace od = simdjson::ondemand;
    size_t checksum = 0;
    od::document doc;
    if (parser.iterate(simdjson::padded_string_view(data, size, size + Padding)).get(doc))
        return 0;
    od::array array;
    if (doc.get_array().get(array))
        return 0;
    size_t index = 0;
    for (auto element : array) {
        od::value v;
        if (element.get(v))
            return 0;
        if (index == 2 || index == 3) {
            std::string_view s;
            if (!v.get_string().get(s))
                checksum += s.size();
        } else if (index == 4) {
            od::object object;
            if (v.get_object().get(object))
                return 0;
            for (auto fieldResult : object) {
                od::field field;
                std::string_view key;
                if (std::move(fieldResult).get(field) || field.unescaped_key().get(key))
                    return 0;
                if (key == "store_seq") {
                    int64_t n = 0;
                    if (!field.value().get_int64().get(n))
                        checksum += size_t(n);
                } else if (key == "value") {
                    std::string_view raw;
                    if (!simdjson::to_json_string(field.value()).get(raw))
                        checksum += raw.size();
                } else if (key == "path_segments") {
                    od::array segments;
                    if (field.value().get_array().get(segments))
                        return 0;
                    for (auto segment : segments) {
                        std::string_view s;
                        if (!segment.get_string().get(s))
                            checksum += s.size();
                    }
                } else {
                    std::string_view s;
                    if (!field.value().get_string().get(s))
                        checksum += s.size();
                }
            }
        }
        ++index;
    }
    return checksum;
}
#endif

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const size_t events = argc > 1 ? size_t(std::stoull(argv[1])) : 1000000;
    FrameGenerator generator(events);
    const std::string mode = argc > 2 ? std::string(argv[2]) : std::string();
    if (mode == "--mirror-only") {
        // For profilers: decode everything first, then time the Mirror alone.
        dust::EventFrameDecoder decoder;
        std::vector<dust::RawEvent> decoded;
        decoded.reserve(events);
        std::string frame;
        for (size_t i = 0; i < events; ++i) {
            frame.clear();
            generator.frame(i, frame);
            const auto d = decoder.decode(QByteArrayView(frame.data(), qsizetype(frame.size())));
            if (d)
                decoded.push_back(dust::RawEvent::fromView(d->change));
        }
        dust::Mirror mirror;
        if (!qEnvironmentVariableIsEmpty("BENCH_NO_OPIDS"))
            mirror.setClientOpIdMemory(0);
        mirror.beginCatchUp();
        CpuTimer timer;
        timer.start();
        for (const dust::RawEvent &e : decoded)
            mirror.apply(e.view(), dust::EventSource::CatchUp);
        std::printf("--mirror-only: %.3f s, %lld leaves\n", double(timer.nsecsElapsed()) / 1e9,
                    static_cast<long long>(mirror.leafCount()));
        return 0;
    }
    if (mode == "--bare-only" || mode == "--decode-only" || mode == "--apply-only") {
        // For profilers: generate everything first, then run one phase only.
        Chunk all;
        all.bytes.reserve(events * 340);
        for (size_t i = 0; i < events; ++i) {
            all.starts.push_back(all.bytes.size());
            generator.frame(i, all.bytes);
            all.sizes.push_back(all.bytes.size() - all.starts.back());
            all.bytes.append(Padding, ' ');
        }
        std::fprintf(stderr, "generated\n");
        if (argc > 3)
            sleep(unsigned(std::stoul(argv[3]))); // time to attach a profiler
        dust::EventFrameDecoder decoder;
        dust::Mirror mirror;
        mirror.beginCatchUp();
        CpuTimer timer;
        size_t sum = 0;
        qint64 best = std::numeric_limits<qint64>::max();
        const int passes = mode == "--apply-only" ? 1 : 3;
        for (int pass = 0; pass < passes; ++pass) {
            timer.start();
            for (size_t k = 0; k < events; ++k) {
                const char *data = all.bytes.data() + all.starts[k];
                if (mode == "--bare-only") {
#ifdef DUST_HAVE_SIMDJSON
                    static simdjson::ondemand::parser parser;
                    sum += bareParse(parser, data, all.sizes[k]);
#endif
                    continue;
                }
                const auto frame = decoder.decode(QByteArrayView(data, qsizetype(all.sizes[k])));
                if (frame && mode == "--apply-only")
                    mirror.apply(frame->change, dust::EventSource::CatchUp);
                else if (frame)
                    sum += size_t(frame->change.storeSeq);
            }
            best = std::min(best, timer.nsecsElapsed());
        }
        mirror.endCatchUp(qint64(events));
        std::printf("%s: %.3f s (best of %d), %lld leaves (%zu)\n", mode.c_str(),
                    double(best) / 1e9, passes, static_cast<long long>(mirror.leafCount()), sum);
        return 0;
    }
    const long rssAtStart = currentRssKb();

    dust::EventFrameDecoder decoder;
    dust::Mirror mirror;
    mirror.beginCatchUp();
    size_t rejected = 0;
    QObject::connect(&mirror, &dust::Mirror::eventRejected, &mirror,
                     [&rejected](qint64, const QString &) { ++rejected; });

#ifdef DUST_HAVE_SIMDJSON
    simdjson::ondemand::parser bareParser;
#endif
    dust::EventFrameDecoder qjsonDecoder(dust::EventFrameDecoder::Backend::QJsonDocument);
    const size_t qjsonSample = std::min<size_t>(events, 100000);

    qint64 bareNs = 0;
    qint64 decodeNs = 0;
    qint64 decodeApplyNs = 0;
    qint64 qjsonNs = 0;
    size_t totalBytes = 0;
    size_t checksum = 0;
    size_t failures = 0;
    Chunk chunk;
    CpuTimer timer;

    for (size_t first = 0; first < events; first += ChunkSize) {
        const size_t last = std::min(events, first + ChunkSize);
        chunk.bytes.clear();
        chunk.starts.clear();
        chunk.sizes.clear();
        for (size_t i = first; i < last; ++i) {
            chunk.starts.push_back(chunk.bytes.size());
            generator.frame(i, chunk.bytes);
            chunk.sizes.push_back(chunk.bytes.size() - chunk.starts.back());
            chunk.bytes.append(Padding, ' ');
            totalBytes += chunk.sizes.back();
        }
        const size_t n = chunk.starts.size();

#ifdef DUST_HAVE_SIMDJSON
        timer.start();
        for (size_t k = 0; k < n; ++k)
            checksum += bareParse(bareParser, chunk.bytes.data() + chunk.starts[k], chunk.sizes[k]);
        bareNs += timer.nsecsElapsed();
#endif

        timer.start();
        for (size_t k = 0; k < n; ++k) {
            const auto frame = decoder.decode(
                QByteArrayView(chunk.bytes.data() + chunk.starts[k], qsizetype(chunk.sizes[k])));
            if (frame)
                checksum += size_t(frame->change.storeSeq);
            else
                ++failures;
        }
        decodeNs += timer.nsecsElapsed();

        timer.start();
        for (size_t k = 0; k < n; ++k) {
            const auto frame = decoder.decode(
                QByteArrayView(chunk.bytes.data() + chunk.starts[k], qsizetype(chunk.sizes[k])));
            if (frame)
                mirror.apply(frame->change, dust::EventSource::CatchUp);
        }
        decodeApplyNs += timer.nsecsElapsed();

        if (first < qjsonSample) {
            timer.start();
            for (size_t k = 0; k < n; ++k) {
                const auto frame = qjsonDecoder.decode(QByteArrayView(
                    chunk.bytes.data() + chunk.starts[k], qsizetype(chunk.sizes[k])));
                if (frame)
                    checksum += size_t(frame->change.storeSeq);
            }
            qjsonNs += timer.nsecsElapsed();
        }
    }
    chunk = Chunk();

    timer.start();
    mirror.endCatchUp(qint64(events));
    const qint64 endNs = timer.nsecsElapsed();
    const long rssAfterIngest = currentRssKb();

    timer.start();
    size_t visited = 0;
    size_t previewChars = 0;
    mirror.forEachLeaf([&](const dust::MirrorLeafView &leaf) {
        ++visited;
        previewChars += size_t(leaf.preview(40).size());
    });
    const qint64 walkNs = timer.nsecsElapsed();

    timer.start();
    const auto roots = mirror.children();
    const auto tenants = mirror.children(*dust::Path::parse(QStringLiteral("tenants")));
    const qint64 childrenNs = timer.nsecsElapsed();

    const double mb = double(totalBytes) / 1e6;
    auto secs = [](qint64 ns) {
        return double(ns) / 1e9;
    };
    std::printf("simdjson on-demand: %s\n",
                dust::EventFrameDecoder::simdjsonAvailable() ? "yes" : "no (QJsonDocument)");
#ifdef SIMDJSON_BUILTIN_IMPLEMENTATION
#define DUST_STR2(x) #x
#define DUST_STR(x) DUST_STR2(x)
    std::printf("simdjson kernel (on-demand, compile time): %s\n",
                DUST_STR(SIMDJSON_BUILTIN_IMPLEMENTATION));
#endif
    std::printf("events: %zu, frame bytes: %.1f MB (%.0f bytes/frame)\n", events, mb,
                double(totalBytes) / double(events));
    std::printf("leaves: %lld, last seq: %lld, rejected: %zu, decode failures: %zu\n",
                static_cast<long long>(mirror.leafCount()),
                static_cast<long long>(mirror.lastSeq()), rejected, failures);
#ifdef DUST_HAVE_SIMDJSON
    std::printf("bare simdjson parse:      %7.3f s  (%6.0f MB/s)\n", secs(bareNs),
                mb / secs(bareNs));
#endif
    std::printf("decode only:              %7.3f s  (%6.0f MB/s)\n", secs(decodeNs),
                mb / secs(decodeNs));
    std::printf("decode + Mirror apply:    %7.3f s  (%6.0f MB/s)\n", secs(decodeApplyNs),
                mb / secs(decodeApplyNs));
#ifdef DUST_HAVE_SIMDJSON
    std::printf("ratio decode+apply / bare parse: %.2f (target <= 3)\n",
                double(decodeApplyNs) / double(bareNs));
#endif
    std::printf("QJsonDocument decode (%zu frames): %.3f s -> %.3f s per million\n", qjsonSample,
                secs(qjsonNs), secs(qjsonNs) * 1e6 / double(qjsonSample));
    std::printf("endCatchUp: %.3f s; forEachLeaf with previews (%zu leaves): %.3f s; "
                "children(root, tenants) [%lld, %lld]: %.4f s\n",
                secs(endNs), visited, secs(walkNs), static_cast<long long>(roots.size()),
                static_cast<long long>(tenants.size()), secs(childrenNs));
    std::printf("RSS: at start %.1f MB, after ingest %.1f MB (mirror ~%.1f MB), peak %.1f MB\n",
                double(rssAtStart) / 1024, double(rssAfterIngest) / 1024,
                double(rssAfterIngest - rssAtStart) / 1024, double(peakRssKb()) / 1024);

    // One line per figure for bench/run.sh.
    auto figure = [](const char *key, double value, const char *unit) {
        std::printf("FIGURE %s %.3f %s\n", key, value, unit);
    };
#ifdef DUST_HAVE_SIMDJSON
    figure("bare_parse_s", secs(bareNs), "s");
#endif
    figure("decode_s", secs(decodeNs), "s");
    figure("decode_apply_s", secs(decodeApplyNs), "s");
#ifdef DUST_HAVE_SIMDJSON
    figure("ratio_decode_apply", double(decodeApplyNs) / double(bareNs), "x");
#endif
    figure("qjson_decode_per_million_s", secs(qjsonNs) * 1e6 / double(qjsonSample), "s");
    figure("for_each_leaf_preview_s", secs(walkNs), "s");
    figure("mirror_rss_mb", double(rssAfterIngest - rssAtStart) / 1024, "MB");
    figure("peak_rss_mb", double(peakRssKb()) / 1024, "MB");
    return checksum == 0 ? 1 : 0;
}
