#pragma once

#include "Auth.h"
#include "ServerConfig.h"
#include "protocol/Expected.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

namespace dust::lite {

class DustliteHttpServer;
class RateLimiter;
class RestApi;
class StoreRegistry;
class SyncEndpoint;

// One dustlite: the store registry, tokens, rate limiter, REST front and WebSocket endpoint,
// all on one port. Lives on one thread (any thread: the app runs it on a worker thread, see
// EmbeddedDustlite); every object it creates lives there too. Errors are returned, never
// fatal to the process.
class DustliteServer : public QObject
{
    Q_OBJECT
public:
    explicit DustliteServer(QObject *parent = nullptr);
    ~DustliteServer() override;

    // Opens (creating if needed) the configured stores, seeds them, installs the tokens and
    // starts listening. The bound port (useful with port 0), or what went wrong. Calling it
    // on a running server is an error.
    Expected<quint16, QString> start(const ServerConfig &config);
    // Closes every connection and store; start() may be called again afterwards.
    void stop();

    bool isListening() const { return m_port != 0; }
    quint16 port() const { return m_port; }
    // "http://127.0.0.1:7755" and "ws://127.0.0.1:7755/ws/sync" (loopback when listening on
    // any address).
    QUrl baseUrl() const;
    QUrl wsUrl() const;
    // The configuration in effect (after defaults were filled in: tokens, stores). Without
    // configured tokens, tokens holds the generated one (and tokenFile where it is kept).
    const ServerConfig &config() const { return m_config; }
    StoreRegistry *registry() const { return m_registry.get(); }

    // Where stores live when no data directory is given: <AppLocalDataLocation>/stores.
    static QString defaultDataDir();
    // Parses "TOKEN[@ORG][=SCOPE,SCOPE…]" as the --token option takes it.
    static Expected<TokenSpec, QString> parseTokenSpec(const QString &text);

signals:
    void stopped();

private:
    Expected<bool, QString> openStores();

    ServerConfig m_config;
    quint16 m_port = 0;
    // Declared in dependency order: destroyed from the HTTP front down to the stores.
    std::unique_ptr<StoreRegistry> m_registry;
    std::unique_ptr<Auth> m_auth;
    std::unique_ptr<RateLimiter> m_limiter;
    std::unique_ptr<RestApi> m_rest;
    std::unique_ptr<SyncEndpoint> m_sync;
    std::unique_ptr<DustliteHttpServer> m_http;
};

} // namespace dust::lite
