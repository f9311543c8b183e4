// A bounded soak of dustlite: does one slow request stall everyone?
//
// A real dustlite child process seeded with N generated leaves (default 200,000), then for S
// seconds (default 60) at once:
//   - 20 writers: 10 REST connections (PUT in a loop) and 10 joined WebSocket clients (`write`
//     in a loop), each sending its next write when the last one is acknowledged;
//   - 10 slow readers: joined WebSocket clients that read 4 KB of their socket every 100 ms;
//   (every WebSocket client joins at the store's current seq: live events, no catch-up)
//   - a glob scan that matches nothing over the whole store, and a diff from seq 0, each in a
//     loop on its own connection;
//   - GET /healthz every 10 ms on its own connection.
// It prints acknowledged writes per second, p50/p99 of each kind of request, the p99 of
// /healthz while all that runs, and the server's peak RSS. Then 10 WebSocket writers alone for
// S/6 seconds (at least 5): their write p99.
// Usage: bench_dustlite [leaves] [--seconds S] [--rest-writers N] [--ws-writers N]
// [--dustlite PATH] (writers default to 10 and 10); DUST_SOAK_SECONDS=S also sets the soak's
// length (e.g. 10 for a smoke run). DUST_BENCH_WS_ALONE=1 runs only the "10 WebSocket writers
// alone" phase (for quick before/after comparisons of the write path); the soak's figures are
// then 0. Prints "name: value" lines and, last, one
// "FIGURE key value unit" line per figure for bench/run.sh.

#include "BenchSupport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

constexpr QLatin1String kToken("dust_tok_dev");

// Latencies of one kind of request, in ms.
struct Samples
{
    std::vector<double> ms;
    void add(qint64 ns) { ms.push_back(double(ns) / 1e6); }
    double percentile(double p) const
    {
        if (ms.empty())
            return 0;
        std::vector<double> sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        const size_t at = std::min(sorted.size() - 1, size_t(p / 100.0 * double(sorted.size())));
        return sorted[at];
    }
};

// One keep-alive HTTP/1.1 connection sending one request at a time: `next` makes each request,
// and the time to its whole answer goes to `samples`. With `intervalMs` > 0 it sends on a timer
// instead of right after each answer.
class HttpLoop
{
public:
    using Next = std::function<QByteArray()>;

    HttpLoop(quint16 port, Next next, Samples &samples, int intervalMs = 0)
        : m_next(std::move(next))
        , m_samples(samples)
        , m_interval(intervalMs)
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] { onData(); });
        QObject::connect(&m_socket, &QTcpSocket::connected, &m_socket, [this] { send(); });
        m_timer.setInterval(intervalMs);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            if (!m_waiting)
                send();
        });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        if (intervalMs > 0)
            m_timer.start();
    }
    void stop()
    {
        m_stopped = true;
        m_timer.stop();
    }
    qint64 errors() const { return m_errors; }

private:
    void send()
    {
        if (m_stopped || m_waiting)
            return;
        m_waiting = true;
        m_clock.start();
        m_socket.write(m_next());
    }
    void onData()
    {
        m_buffer += m_socket.readAll();
        for (;;) {
            const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const QByteArray head = m_buffer.first(headEnd).toLower();
            const qsizetype at = head.indexOf("content-length:");
            const qsizetype length =
                at < 0
                    ? 0
                    : head.mid(at + 15, head.indexOf("\r\n", at) - at - 15).trimmed().toLongLong();
            if (m_buffer.size() < headEnd + 4 + length)
                return;
            if (!head.startsWith("http/1.1 200"))
                ++m_errors;
            m_buffer.remove(0, headEnd + 4 + length);
            m_samples.add(m_clock.nsecsElapsed());
            m_waiting = false;
            if (m_interval == 0)
                send();
        }
    }

    QTcpSocket m_socket;
    QTimer m_timer;
    Next m_next;
    Samples &m_samples;
    int m_interval;
    QByteArray m_buffer;
    QElapsedTimer m_clock;
    bool m_waiting = false;
    bool m_stopped = false;
    qint64 m_errors = 0;
};

QByteArray request(const QByteArray &method, const QByteArray &target, const QByteArray &body = {})
{
    QByteArray out = method + ' ' + target +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                     QByteArray(kToken.data()) + "\r\n";
    if (!body.isNull())
        out +=
            "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
            "\r\n";
    return out + "\r\n" + body;
}

QUrl wsUrl(quint16 port, const QString &device)
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/sync/websocket?token=%2&device_id=%3&capver=3"
                               "&vsn=2.0.0")
                    .arg(port)
                    .arg(kToken, device));
}

QString frame(const QString &ref, const QString &event, const QJsonObject &payload)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray{QStringLiteral("1"), ref, QStringLiteral("store:local/demo"),
                                 event, payload})
            .toJson(QJsonDocument::Compact));
}

// A joined WebSocket client that writes in a loop, the next write once the last is acknowledged.
class WsWriter
{
public:
    WsWriter(quint16 port, int id, qint64 joinSeq, Samples &samples)
        : m_id(id)
        , m_samples(samples)
    {
        QObject::connect(&m_socket, &QWebSocket::connected, &m_socket, [this, joinSeq] {
            m_socket.sendTextMessage(
                frame(QStringLiteral("1"), QStringLiteral("phx_join"),
                      QJsonObject{{QStringLiteral("last_store_seq"), joinSeq}}));
        });
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, &m_socket,
                         [this](const QString &text) { onMessage(text); });
        m_socket.open(wsUrl(port, QStringLiteral("dev_writer%1").arg(id)));
    }
    void stop() { m_stopped = true; }
    qint64 errors() const { return m_errors; }

private:
    void onMessage(const QString &text)
    {
        const QJsonArray message = QJsonDocument::fromJson(text.toUtf8()).array();
        if (message.at(3).toString() != QLatin1String("phx_reply"))
            return;
        const QString ref = message.at(1).toString();
        if (ref == QLatin1String("1")) {
            write();
            return;
        }
        if (ref != QString::number(m_ref))
            return;
        if (message.at(4).toObject().value(QStringLiteral("status")).toString() !=
            QLatin1String("ok"))
            ++m_errors;
        m_samples.add(m_clock.nsecsElapsed());
        write();
    }
    void write()
    {
        if (m_stopped)
            return;
        ++m_ref;
        m_clock.start();
        const QString path = QStringLiteral("soak/ws%1/n%2").arg(m_id).arg(m_ref % 100);
        m_socket.sendTextMessage(
            frame(QString::number(m_ref), QStringLiteral("write"),
                  QJsonObject{{QStringLiteral("op"), QStringLiteral("set")},
                              {QStringLiteral("path"), path},
                              {QStringLiteral("value"), m_ref},
                              {QStringLiteral("client_op_id"),
                               QStringLiteral("op_%1_%2").arg(m_id).arg(m_ref)}}));
    }

    QWebSocket m_socket;
    int m_id;
    Samples &m_samples;
    QElapsedTimer m_clock;
    int m_ref = 1;
    bool m_stopped = false;
    qint64 m_errors = 0;
};

// A joined WebSocket client over a raw socket that reads 4 KB every 100 ms.
class SlowReader
{
public:
    SlowReader(quint16 port, qint64 joinSeq)
    {
        m_socket.setReadBufferSize(4096);
        QObject::connect(&m_socket, &QTcpSocket::connected, &m_socket, [this, port] {
            m_socket.write(QByteArray("GET ") +
                           wsUrl(port, QStringLiteral("dev_slow"))
                               .toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority) +
                           " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
                           "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n");
        });
        // The join goes once the upgrade is answered; from then on only the timer reads.
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this, joinSeq] {
            if (m_upgraded)
                return;
            m_head += m_socket.read(4096);
            const qsizetype end = m_head.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            m_upgraded = true;
            m_read += m_head.size();
            const QByteArray join = frame(QStringLiteral("1"), QStringLiteral("phx_join"),
                                          QJsonObject{{QStringLiteral("last_store_seq"), joinSeq}})
                                        .toUtf8();
            // One masked text frame (mask 0: the payload goes as it is).
            QByteArray ws;
            ws += char(0x81);
            if (join.size() < 126) {
                ws += char(0x80 | join.size());
            } else {
                ws += char(0x80 | 126);
                ws += char(join.size() >> 8);
                ws += char(join.size() & 0xff);
            }
            ws += QByteArray(4, '\0');
            m_socket.write(ws + join);
        });
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            if (m_upgraded)
                m_read += m_socket.read(4096).size();
        });
        m_timer.start(100);
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }
    qint64 bytesRead() const { return m_read; }

private:
    QTcpSocket m_socket;
    QTimer m_timer;
    QByteArray m_head;
    bool m_upgraded = false;
    qint64 m_read = 0;
};

// The store's seq now (its newest op in the audit log), so clients join live instead of
// catching up on the seeded history.
qint64 currentSeq(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return 0;
    socket.write(request("GET", "/api/stores/local/demo/log?limit=1"));
    QByteArray reply;
    while (socket.waitForReadyRead(5000)) {
        reply += socket.readAll();
        const qsizetype body = reply.indexOf("\r\n\r\n");
        if (body < 0)
            continue;
        const QJsonDocument json = QJsonDocument::fromJson(reply.mid(body + 4));
        if (json.isObject())
            return json.object()
                .value(QStringLiteral("ops"))
                .toArray()
                .first()
                .toObject()
                .value(QStringLiteral("store_seq"))
                .toInteger();
    }
    return 0;
}

// The peak resident set of a process, in KiB (VmHWM).
long peakRssKbOf(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLong();
    }
    return 0;
}

void runFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

void line(const char *name, double value, const char *unit, const char *what)
{
    std::printf("%-28s %10.2f %-4s (%s)\n", name, value, unit, what);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    qint64 leaves = 200000;
    int seconds = qEnvironmentVariableIsSet("DUST_SOAK_SECONDS")
                      ? qEnvironmentVariableIntValue("DUST_SOAK_SECONDS")
                      : 60;
    QString program = QStringLiteral(DUSTLITE_EXECUTABLE);
    int restWriterCount = 10;
    int wsWriterCount = 10;
    for (int i = 1; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--seconds") && i + 1 < args.size())
            seconds = args.at(++i).toInt();
        else if (args.at(i) == QLatin1String("--rest-writers") && i + 1 < args.size())
            restWriterCount = args.at(++i).toInt();
        else if (args.at(i) == QLatin1String("--ws-writers") && i + 1 < args.size())
            wsWriterCount = args.at(++i).toInt();
        else if (args.at(i) == QLatin1String("--dustlite") && i + 1 < args.size())
            program = args.at(++i);
        else
            leaves = args.at(i).toLongLong();
    }
    seconds = std::max(seconds, 1);

    QTemporaryDir dataDir;
    QProcess server;
    QElapsedTimer seedClock;
    seedClock.start();
    const quint16 port = dust::bench::startDustlite(
        server, program,
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data"), dataDir.path(),
         QStringLiteral("--seed"), QString::number(leaves), QStringLiteral("--token"), kToken},
        QProcess::ForwardedErrorChannel);
    if (!port) {
        std::fprintf(stderr, "bench_dustlite: dustlite did not start (%s)\n", qPrintable(program));
        return 1;
    }
    std::printf("bench_dustlite: %lld leaves seeded in %.1f s, soak of %d s, port %d\n", leaves,
                double(seedClock.elapsed()) / 1000.0, seconds, port);

    const QByteArray store = "/api/stores/local/demo";
    const bool aloneOnly = qEnvironmentVariableIntValue("DUST_BENCH_WS_ALONE") != 0;
    Samples restWrites, wsWrites, scans, diffs, health;
    std::vector<std::unique_ptr<HttpLoop>> loops;
    std::vector<std::unique_ptr<WsWriter>> writers;
    std::vector<std::unique_ptr<SlowReader>> readers;
    qint64 errors = 0;
    qint64 slowBytes = 0;
    if (!aloneOnly) {
        const qint64 joinSeq = currentSeq(port);
        for (int i = 0; i < restWriterCount; ++i) {
            auto counter = std::make_shared<int>(0);
            loops.push_back(std::make_unique<HttpLoop>(
                port,
                [store, i, counter] {
                    ++*counter;
                    return request("PUT",
                                   store + "/entries/soak/rest" + QByteArray::number(i) + "/n" +
                                       QByteArray::number(*counter % 100),
                                   QByteArray::number(*counter));
                },
                restWrites));
        }
        for (int i = 0; i < wsWriterCount; ++i)
            writers.push_back(std::make_unique<WsWriter>(port, i, joinSeq, wsWrites));
        for (int i = 0; i < 10; ++i)
            readers.push_back(std::make_unique<SlowReader>(port, joinSeq));
        loops.push_back(std::make_unique<HttpLoop>(
            port,
            [store] { return request("GET", store + "/entries?pattern=tenants/*/nothing/*"); },
            scans));
        loops.push_back(std::make_unique<HttpLoop>(
            port, [store] { return request("GET", store + "/diff?from_seq=0"); }, diffs));
        loops.push_back(std::make_unique<HttpLoop>(
            port, [] { return request("GET", "/healthz"); }, health, 10));

        runFor(seconds * 1000);
        for (auto &loop : loops)
            loop->stop();
        for (auto &writer : writers)
            writer->stop();
        runFor(200);
        for (auto &loop : loops)
            errors += loop->errors();
        for (auto &writer : writers)
            errors += writer->errors();
        for (auto &reader : readers)
            slowBytes += reader->bytesRead();
        loops.clear();
        writers.clear();
        readers.clear();
    }

    const double acked = double(restWrites.ms.size() + wsWrites.ms.size()) / seconds;
    // The same 10 WebSocket writers alone.
    Samples wsAlone;
    const int aloneSeconds = std::max(5, seconds / 6);
    for (int i = 0; i < 10; ++i)
        writers.push_back(std::make_unique<WsWriter>(port, 100 + i, currentSeq(port), wsAlone));
    runFor(aloneSeconds * 1000);
    for (auto &writer : writers)
        writer->stop();
    runFor(200);
    for (auto &writer : writers)
        errors += writer->errors();
    writers.clear();
    const double peakMb = dust::bench::mb(double(peakRssKbOf(server.processId())));

    server.terminate();
    server.waitForFinished(10000);

    std::printf("soak: %zu REST writes, %zu WS writes, %zu scans, %zu diffs, %zu healthz, "
                "%lld errors, %lld bytes read by the slow readers\n",
                restWrites.ms.size(), wsWrites.ms.size(), scans.ms.size(), diffs.ms.size(),
                health.ms.size(), errors, slowBytes);
    struct Figure
    {
        const char *key;
        double value;
        const char *unit;
        const char *what;
    };
    const Figure figures[] = {
        {"acked_writes_per_s", acked, "/s", "REST + WS writes acknowledged per second, soak"},
        {"rest_put_p50_ms", restWrites.percentile(50), "ms", "REST PUT, soak"},
        {"rest_put_p99_ms", restWrites.percentile(99), "ms", "REST PUT, soak"},
        {"ws_write_p50_ms", wsWrites.percentile(50), "ms", "WS write, soak"},
        {"ws_write_p99_ms", wsWrites.percentile(99), "ms", "WS write, soak"},
        {"scan_p50_ms", scans.percentile(50), "ms", "glob scan matching nothing, soak"},
        {"scan_p99_ms", scans.percentile(99), "ms", "glob scan matching nothing, soak"},
        {"diff_p50_ms", diffs.percentile(50), "ms", "diff from seq 0, soak"},
        {"diff_p99_ms", diffs.percentile(99), "ms", "diff from seq 0, soak"},
        {"healthz_p50_ms", health.percentile(50), "ms", "GET /healthz every 10 ms, soak"},
        {"healthz_p99_ms", health.percentile(99), "ms", "GET /healthz, soak (target <= 20)"},
        {"ws_write_alone_p99_ms", wsAlone.percentile(99), "ms",
         "WS write, 10 writers alone (target <= 10)"},
        {"server_peak_rss_mb", peakMb, "MB", "dustlite's peak RSS (VmHWM)"},
    };
    for (const Figure &f : figures)
        line(f.key, f.value, f.unit, f.what);
    for (const Figure &f : figures)
        std::printf("FIGURE %s %.3f %s\n", f.key, f.value, f.unit);
    return errors == 0 ? 0 : 2;
}
