#pragma once

#include <QMetaType>
#include <QString>
#include <QUrl>

#include <chrono>

namespace dust {

// How an SdkTransport talks to the server. Every interval can be shortened for tests.
struct SdkOptions
{
    // The server's WebSocket base (ws://host:7755/ws/sync, wss://dustlayer.io/ws/sync) or its
    // HTTP base (http/https are turned into ws/wss and /ws/sync is added); "/websocket" and
    // the query are added by the transport.
    QUrl url;
    QString token;    // "dust_tok_…"
    QString deviceId; // empty = "dev_" + random, fixed for the transport's lifetime

    std::chrono::milliseconds heartbeatInterval{30000};
    // How often a live store asks the server for its current seq (`status`) to notice writes
    // that were not pushed (REST writes, §5.10). 0 = never.
    std::chrono::milliseconds statusPollInterval{5000};
    // Reconnect backoff: first delay, doubled per failed attempt up to the cap, each delay
    // drawn from [delay/2, delay] (jitter).
    std::chrono::milliseconds reconnectDelay{1000};
    std::chrono::milliseconds maxReconnectDelay{30000};
    // A request (join, write, status, heartbeat) unanswered for this long means the
    // connection is dead: it is dropped and re-established.
    std::chrono::milliseconds replyTimeout{30000};
    std::chrono::milliseconds connectTimeout{15000};
    // A read issued before its store has caught up waits at most this long. 0 = no limit.
    std::chrono::milliseconds readTimeout{60000};

    // Where each store's Mirror is cached on disk (MirrorCache; MirrorCache::defaultDirectory()
    // is the usual place). A store with a usable cache is loaded from it before the join
    // and joins with the cached seq, so only the delta travels. Empty = no cache.
    QString cacheDirectory;
    // How often a live store's changes are written to its cache; they are also written when
    // the store catches up and when it is closed.
    std::chrono::milliseconds cacheSaveInterval{30000};
};

// The state of the WebSocket connection behind an SdkTransport.
enum class SdkConnectionState { Disconnected, Connecting, Connected };

} // namespace dust

Q_DECLARE_METATYPE(dust::SdkConnectionState)
