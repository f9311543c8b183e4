#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

namespace dust::lite {

struct TokenSpec
{
    QString token;      // must start with "dust_tok_"
    QString org;        // empty = the org of the first store
    QStringList scopes; // empty = every scope
};

// Everything dustlite can be told on its command line.
struct ServerConfig
{
    QHostAddress listen = QHostAddress::LocalHost;
    quint16 port = 7755; // 0 = any free port
    QString dataDir;     // where store databases live (ignored when inMemory)
    bool inMemory = false;
    QList<TokenSpec> tokens; // empty = one full-scope "dust_tok_dev"
    QStringList stores;      // "org/name"; empty = "local/demo"
    QString seed;            // "", "demo" or a leaf count
    bool broadcastRestWrites = false;
    qint64 maxBodyBytes = 8 * 1024 * 1024;
    qint64 maxWsMessageBytes = 16 * 1024 * 1024;
    int readsPerMinute = 0;      // 0 = unlimited
    int writesPerMinute = 0;     // shared by REST writes and WS write/put_file
    qint64 compactAfter = 0;     // compact a store once it holds this many ops; 0 = never
    qint64 retainOps = 0;        // keep at most this many ops, older ones in the snapshot; 0 = all
    int wsIdleTimeoutMs = 60000; // close a WebSocket after this long without an inbound frame

    // --- local means local (see server/README.md, "Security")
    // Origins a WebSocket upgrade may carry besides the loopback ones ("http://localhost:3000");
    // an upgrade without an Origin header (not from a browser) is accepted.
    QStringList allowedOrigins;
    // Host header names accepted while bound to loopback, besides the listen address and
    // "localhost" (with or without the port).
    QStringList allowedHosts;
    // Where the generated token of a data directory was read from or written to (filled in by
    // DustliteServer::start when no --token was given; empty otherwise).
    QString tokenFile;

    // --- bounded resources
    int headerTimeoutMs = 10000;     // the whole request head must arrive within this
    int bodyTimeoutMs = 30000;       // a request body must make progress at least this often
    int keepAliveTimeoutMs = 60000;  // an idle keep-alive connection is closed after this
    int maxConnections = 1000;       // open connections (HTTP and WebSocket); more get 503
    int maxConnectionsPerPeer = 256; // open connections from one address; more get 503
    int maxHeaderCount = 100;        // header lines in one request; more get 431
    qint64 maxBufferedBytes = 64 * 1024 * 1024;   // bodies of unfinished requests, all together
    qint64 maxWsOutgoingBytes = 16 * 1024 * 1024; // unsent bytes per WebSocket before it is closed
    int maxDeviceIdLength = 256;                  // characters of a WebSocket device_id

    // --- WebSocket writes off the event loop
    // Frames a WebSocket may have waiting while one of its writes commits on a pool thread
    // (its next writes and whatever it sent after them, handled in order once that write is
    // answered); more, or more than maxWsMessageBytes of them, are refused with the error
    // reason too_many_pending_writes. 0 = unbounded. Clients send their queued writes in one
    // burst after a reconnect (thousands in tst_sdktransport_process), hence the room.
    int maxWsPendingWrites = 10000;
};

} // namespace dust::lite
