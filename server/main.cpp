// dustlite: a Dust-compatible server (REST + WebSocket over SQLite) on one port.

#include "DustliteServer.h"
#include "LocalAccess.h"
#include "TokenFile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QSocketNotifier>

#include <cstdio>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/signalfd.h>
#include <unistd.h>
#endif

namespace {

using dust::lite::DustliteServer;
using dust::lite::ServerConfig;

void printError(const QString &message)
{
    std::fprintf(stderr, "dustlite: %s\n", qPrintable(message));
}

std::optional<qint64> parseCount(const QString &text, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < min || value > max)
        return std::nullopt;
    return value;
}

// Fills `config` from the parsed command line; an error message for a bad argument.
std::optional<QString> toConfig(const QCommandLineParser &parser, ServerConfig &config)
{
    if (parser.isSet(QStringLiteral("listen"))) {
        const QString text = parser.value(QStringLiteral("listen"));
        QHostAddress address;
        if (text == QLatin1String("localhost"))
            address = QHostAddress::LocalHost;
        else if (!address.setAddress(text))
            return QStringLiteral("--listen: \"%1\" is not an IP address").arg(text);
        config.listen = address;
    }
    if (parser.isSet(QStringLiteral("port"))) {
        const auto port = parseCount(parser.value(QStringLiteral("port")), 0, 65535);
        if (!port)
            return QStringLiteral("--port: expected 0..65535, got \"%1\"")
                .arg(parser.value(QStringLiteral("port")));
        config.port = static_cast<quint16>(*port);
    }
    config.inMemory = parser.isSet(QStringLiteral("memory"));
    if (parser.isSet(QStringLiteral("data"))) {
        if (config.inMemory)
            return QStringLiteral("--data and --memory exclude each other");
        config.dataDir = QDir(parser.value(QStringLiteral("data"))).absolutePath();
    }
    const QStringList tokens = parser.values(QStringLiteral("token"));
    for (const QString &text : tokens) {
        auto spec = DustliteServer::parseTokenSpec(text);
        if (!spec)
            return QStringLiteral("--token: ") + spec.error();
        config.tokens.append(*spec);
    }
    config.stores = parser.values(QStringLiteral("store"));
    if (parser.isSet(QStringLiteral("seed"))) {
        config.seed = parser.value(QStringLiteral("seed"));
        if (config.seed != QLatin1String("demo") && !parseCount(config.seed, 0, 1'000'000'000))
            return QStringLiteral("--seed: expected demo or a leaf count, got \"%1\"")
                .arg(config.seed);
    }
    config.broadcastRestWrites = parser.isSet(QStringLiteral("broadcast-rest-writes"));

    // --- local means local: who besides loopback may reach a loopback-bound server
    for (const QString &text : parser.values(QStringLiteral("allow-origin"))) {
        const auto origin = dust::lite::LocalAccess::normalizedOrigin(text);
        if (!origin)
            return QStringLiteral("--allow-origin: expected an origin such as "
                                  "http://localhost:3000 (scheme://host[:port], no path), got "
                                  "\"%1\"")
                .arg(text);
        config.allowedOrigins.append(*origin);
    }
    for (const QString &text : parser.values(QStringLiteral("allow-host"))) {
        const auto host = dust::lite::LocalAccess::normalizedHost(text);
        if (!host)
            return QStringLiteral("--allow-host: expected a host name such as dust.test (no "
                                  "port, no scheme), got \"%1\"")
                .arg(text);
        config.allowedHosts.append(*host);
    }

    struct NumberOption
    {
        const char *name;
        qint64 min;
        qint64 max;
        std::function<void(qint64)> apply;
    };
    const NumberOption numbers[] = {
        {"max-body", 1, qint64(1) << 40,
         [&](qint64 v) {
             config.maxBodyBytes = v;
         }},
        {"max-ws-message", 1, qint64(1) << 40,
         [&](qint64 v) {
             config.maxWsMessageBytes = v;
         }},
        {"reads-per-minute", 0, 1'000'000'000,
         [&](qint64 v) {
             config.readsPerMinute = int(v);
         }},
        {"writes-per-minute", 0, 1'000'000'000,
         [&](qint64 v) {
             config.writesPerMinute = int(v);
         }},
        {"compact-after", 0, qint64(1) << 62,
         [&](qint64 v) {
             config.compactAfter = v;
         }},
        {"retain-ops", 0, qint64(1) << 62,
         [&](qint64 v) {
             config.retainOps = v;
         }},
        // --- connection guard: timeouts and limits
        {"header-timeout", 1, 3'600'000,
         [&](qint64 v) {
             config.headerTimeoutMs = int(v);
         }},
        {"body-timeout", 1, 3'600'000,
         [&](qint64 v) {
             config.bodyTimeoutMs = int(v);
         }},
        {"keep-alive-timeout", 1, 3'600'000,
         [&](qint64 v) {
             config.keepAliveTimeoutMs = int(v);
         }},
        {"max-connections", 1, 1'000'000,
         [&](qint64 v) {
             config.maxConnections = int(v);
         }},
        {"max-connections-per-peer", 1, 1'000'000,
         [&](qint64 v) {
             config.maxConnectionsPerPeer = int(v);
         }},
        {"max-buffered-bytes", 1, qint64(1) << 40,
         [&](qint64 v) {
             config.maxBufferedBytes = v;
         }},
        // --- slow WebSocket subscribers
        {"max-ws-outgoing", 0, qint64(1) << 40,
         [&](qint64 v) {
             config.maxWsOutgoingBytes = v;
         }},
        {"max-ws-pending", 0, 1'000'000,
         [&](qint64 v) {
             config.maxWsPendingWrites = int(v);
         }},
    };
    for (const NumberOption &option : numbers) {
        const QString name = QString::fromLatin1(option.name);
        if (!parser.isSet(name))
            continue;
        const auto value = parseCount(parser.value(name), option.min, option.max);
        if (!value)
            return QStringLiteral("--%1: expected a number from %2 to %3, got \"%4\"")
                .arg(name)
                .arg(option.min)
                .arg(option.max)
                .arg(parser.value(name));
        option.apply(*value);
    }
    return std::nullopt;
}

QString hostForUrl(const QHostAddress &address)
{
    const QString text = address.toString();
    return address.protocol() == QAbstractSocket::IPv6Protocol
               ? QLatin1Char('[') + text + QLatin1Char(']')
               : text;
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef __GLIBC__
    // The reader pool's threads build big answers (a diff from seq 0, a full listing). With a
    // malloc arena per thread, each arena keeps the peak of the largest answer its thread
    // built: 750 MB where 300 MB are in use (bench_dustlite). Two arenas keep that bounded.
    mallopt(M_ARENA_MAX, 2);
#endif
#ifdef Q_OS_LINUX
    // SIGINT and SIGTERM are delivered through a signalfd read on the event loop. They are
    // blocked before any thread starts, so every thread inherits the mask.
    sigset_t shutdownSignals;
    sigemptyset(&shutdownSignals);
    sigaddset(&shutdownSignals, SIGINT);
    sigaddset(&shutdownSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &shutdownSignals, nullptr);
#endif

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("dustlite"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DUST_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A Dust-compatible store server: REST API and Phoenix Channels "
                       "WebSocket on one port, stores in SQLite."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("listen"), QStringLiteral("Address to listen on (default 127.0.0.1)."),
         QStringLiteral("ADDR")},
        {QStringLiteral("port"), QStringLiteral("Port (default 7755; 0 picks a free one)."),
         QStringLiteral("N")},
        {QStringLiteral("data"),
         QStringLiteral("Directory for the store databases (default: %1).")
             .arg(DustliteServer::defaultDataDir()),
         QStringLiteral("DIR")},
        {QStringLiteral("memory"), QStringLiteral("Keep every store in memory only.")},
        {QStringLiteral("token"),
         QStringLiteral("Accept this token (repeatable): TOKEN[@ORG][=SCOPE,SCOPE...]. Tokens "
                        "start with dust_tok_; the org defaults to the first store's; no "
                        "scopes = all. Default: one full-scope token generated once per data "
                        "directory (kept in DIR/%1, mode 0600; a new one per run with "
                        "--memory) and printed at start-up.")
             .arg(dust::lite::TokenFile::kFileName),
         QStringLiteral("TOKEN")},
        {QStringLiteral("store"),
         QStringLiteral("Serve this store, created if missing (repeatable; default local/demo)."),
         QStringLiteral("ORG/NAME")},
        {QStringLiteral("seed"),
         QStringLiteral("Fill empty stores: \"demo\" for the demo data, or a number of "
                        "generated leaves."),
         QStringLiteral("demo|SIZE")},
        {QStringLiteral("broadcast-rest-writes"),
         QStringLiteral("Push REST writes to WebSocket clients too (the hosted server does "
                        "not).")},
        {QStringLiteral("max-body"),
         QStringLiteral("Largest REST request body in bytes (default 8 MiB)."),
         QStringLiteral("BYTES")},
        {QStringLiteral("max-ws-message"),
         QStringLiteral("Largest WebSocket message in bytes (default 16 MiB)."),
         QStringLiteral("BYTES")},
        {QStringLiteral("reads-per-minute"),
         QStringLiteral("Per-token REST read limit (default 0 = unlimited)."), QStringLiteral("N")},
        {QStringLiteral("writes-per-minute"),
         QStringLiteral("Per-token write limit, REST and WebSocket (default 0 = unlimited)."),
         QStringLiteral("N")},
        {QStringLiteral("allow-origin"),
         QStringLiteral("Also accept WebSocket connections from web pages at this origin, "
                        "e.g. https://app.example:8443 (repeatable). Loopback origins "
                        "(localhost, 127.0.0.1, [::1], any port) always are."),
         QStringLiteral("ORIGIN")},
        {QStringLiteral("allow-host"),
         QStringLiteral("Also answer requests addressed to this host name while listening on "
                        "loopback (repeatable); the listen address and localhost always are."),
         QStringLiteral("NAME")},
        {QStringLiteral("compact-after"),
         QStringLiteral("Compact a store into a snapshot once it holds N ops (default 0 = "
                        "never)."),
         QStringLiteral("N")},
        {QStringLiteral("retain-ops"),
         QStringLiteral("Keep at most N ops in each store's audit log; older ones are folded "
                        "into its snapshot, so diffs from before them answer 409 compacted and "
                        "rollbacks to before them beyond_retention (default 0 = keep all)."),
         QStringLiteral("N")},
        // --- connection guard: timeouts and limits
        {QStringLiteral("header-timeout"),
         QStringLiteral("Milliseconds a request head may take to arrive; then 408 (default "
                        "10000). A connection that sends nothing is closed after this."),
         QStringLiteral("MS")},
        {QStringLiteral("body-timeout"),
         QStringLiteral("Milliseconds a request body may go without progress; then 408 "
                        "(default 30000)."),
         QStringLiteral("MS")},
        {QStringLiteral("keep-alive-timeout"),
         QStringLiteral("Milliseconds an idle keep-alive connection is kept (default 60000)."),
         QStringLiteral("MS")},
        {QStringLiteral("max-connections"),
         QStringLiteral("Open connections, HTTP and WebSocket; more are answered 503 (default "
                        "1000)."),
         QStringLiteral("N")},
        {QStringLiteral("max-connections-per-peer"),
         QStringLiteral("Open connections from one address; more are answered 503 (default "
                        "256)."),
         QStringLiteral("N")},
        {QStringLiteral("max-buffered-bytes"),
         QStringLiteral("Bytes of unfinished request bodies held at once, all connections "
                        "together; more are answered 503 (default 64 MiB)."),
         QStringLiteral("BYTES")},
        // --- slow WebSocket subscribers
        {QStringLiteral("max-ws-outgoing"),
         QStringLiteral("Unsent bytes a WebSocket may have queued before it is closed with "
                        "1013 and has to rejoin (default 16 MiB; 0 = unlimited)."),
         QStringLiteral("BYTES")},
        {QStringLiteral("max-ws-pending"),
         QStringLiteral("Requests a WebSocket may have waiting behind its committing write; "
                        "more get a too_many_pending_writes error (default 10000; 0 = "
                        "unlimited)."),
         QStringLiteral("N")},
    });
    if (!parser.parse(QCoreApplication::arguments())) {
        printError(parser.errorText() + QStringLiteral(" (see --help)"));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("unexpected argument \"%1\" (see --help)")
                       .arg(parser.positionalArguments().first()));
        return 2;
    }

    ServerConfig config;
    if (const auto error = toConfig(parser, config)) {
        printError(*error);
        return 2;
    }

    DustliteServer server;
    const auto started = server.start(config);
    if (!started) {
        printError(started.error());
        return 1;
    }

    const ServerConfig &effective = server.config();
    if (effective.inMemory)
        printError(QStringLiteral("stores are kept in memory"));
    else
        printError(QStringLiteral("data in %1").arg(QDir::toNativeSeparators(effective.dataDir)));
    printError(QStringLiteral("stores: %1").arg(effective.stores.join(QLatin1String(", "))));
    const bool generatedToken = config.tokens.isEmpty();
    if (generatedToken && effective.tokenFile.isEmpty())
        printError(QStringLiteral("token generated for this run (all scopes, org %1)")
                       .arg(effective.tokens.first().org));
    else if (generatedToken)
        printError(
            QStringLiteral("token kept in %1 (all scopes, org %2)")
                .arg(QDir::toNativeSeparators(effective.tokenFile), effective.tokens.first().org));
    else
        printError(QStringLiteral("%1 token(s) accepted").arg(effective.tokens.size()));

#ifdef Q_OS_LINUX
    const int signalFd = signalfd(-1, &shutdownSignals, SFD_NONBLOCK | SFD_CLOEXEC);
    std::unique_ptr<QSocketNotifier> signalNotifier;
    if (signalFd >= 0) {
        signalNotifier = std::make_unique<QSocketNotifier>(signalFd, QSocketNotifier::Read);
        QObject::connect(signalNotifier.get(), &QSocketNotifier::activated, &app,
                         [signalFd, &server] {
                             signalfd_siginfo info;
                             while (::read(signalFd, &info, sizeof info) == sizeof info) {
                             }
                             printError(QStringLiteral("shutting down"));
                             server.stop();
                             QCoreApplication::quit();
                         });
    } else {
        pthread_sigmask(SIG_UNBLOCK, &shutdownSignals, nullptr);
    }
#endif

    // A generated token is printed before the ready line, so whoever waits for that line
    // has it too.
    if (generatedToken)
        std::printf("dustlite token: %s\n", qPrintable(effective.tokens.first().token));
    std::printf("dustlite listening on http://%s:%u\n", qPrintable(hostForUrl(effective.listen)),
                unsigned(*started));
    std::fflush(stdout);

    const int code = QCoreApplication::exec();
    server.stop();
#ifdef Q_OS_LINUX
    signalNotifier.reset();
    if (signalFd >= 0)
        ::close(signalFd);
#endif
    return code;
}
