#pragma once

#include "Auth.h"
#include "RateLimiter.h"
#include "ServerConfig.h"
#include "StoreRegistry.h"
#include "protocol/Entry.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>

class QWebSocket;

namespace dust::lite {

class SyncConnection;

// The WebSocket side of dustlite (dust-protocol.md §5): takes every upgraded socket of
// /ws/sync/websocket, checks its connect parameters, and owns one SyncConnection per
// accepted socket.
//
// Every op reported through StoreRegistry::committed is broadcast as
// `[null,null,topic,"event",payload]` to each socket joined to its store: WebSocket writes
// always, REST writes (viaSocket false) only with `config.broadcastRestWrites`.
class SyncEndpoint : public QObject
{
    Q_OBJECT
public:
    SyncEndpoint(StoreRegistry &registry, Auth &auth, RateLimiter &limiter,
                 const ServerConfig &config, QObject *parent = nullptr);
    ~SyncEndpoint() override;

    // Takes ownership of an upgraded socket. A socket whose connect parameters are refused
    // is closed at once with close code 1008 (policy violation) and the reason as text.
    void accept(std::unique_ptr<QWebSocket> socket);
    int connectionCount() const;
    // Bytes queued on the accepted sockets and not yet written to the network: what slow
    // readers cost in memory (catch-up pauses per socket past a few hundred KB, and a socket
    // with more than config.maxWsOutgoingBytes unsent is closed).
    qint64 unwrittenBytes() const;

    // The connect check of §1.4/§5.1 on the upgrade URL's query (token, device_id, capver,
    // vsn). nullopt when the connection may proceed, otherwise the refusal reason:
    // "unsupported vsn", "unauthorized", "missing device_id", "device_id longer than N
    // characters" or "capver".
    // An HTTP server can call it in handleRequest before the upgrade and answer 403 itself
    // (then return false and write nothing more for that socket in missingHandler).
    static std::optional<QString>
    checkConnect(const QUrl &requestUrl, const Auth &auth,
                 int maxDeviceIdLength = ServerConfig().maxDeviceIdLength);

signals:
    void connectionCountChanged(int count);
    // The server started closing an accepted socket: its device_id, close code and reason
    // (1013 "send buffer over N bytes: rejoin to catch up" for a subscriber that stopped
    // reading, 1007 for a malformed frame, 1000 "idle timeout", ...).
    void connectionClosing(const QString &deviceId, int code, const QString &reason);

private:
    void onCommitted(const QString &fullName, const dust::ChangeEvent &event, bool viaSocket);
    void refuse(std::unique_ptr<QWebSocket> socket, const QString &reason);
    void remove(SyncConnection *connection);

    StoreRegistry &m_registry;
    Auth &m_auth;
    RateLimiter &m_limiter;
    const ServerConfig m_config;
    QList<SyncConnection *> m_connections; // children of this endpoint
};

} // namespace dust::lite
