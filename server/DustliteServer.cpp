#include "DustliteServer.h"

#include "DustliteHttpServer.h"
#include "LocalAccess.h"
#include "RateLimiter.h"
#include "RestApi.h"
#include "StoreRegistry.h"
#include "TokenFile.h"

#include <QStandardPaths>
#include <QTcpServer>
#include <QWebSocket>

#if __has_include("SyncEndpoint.h")
#include "SyncEndpoint.h"
#define DUSTLITE_HAS_SYNC_ENDPOINT 1
#endif
#if __has_include("Seeder.h")
#include "Seeder.h"
#define DUSTLITE_HAS_SEEDER 1
#endif

namespace dust::lite {

namespace {

constexpr QLatin1String kDefaultStore("local/demo");

bool isValidOrg(QStringView org)
{
    return StoreRegistry::isValidFullName(QString(org.toString() + QLatin1String("/x")));
}

} // namespace

#ifndef DUSTLITE_HAS_SYNC_ENDPOINT
// Stands in until the WebSocket endpoint is part of the build: upgraded sockets are closed.
class SyncEndpoint
{};
#endif

DustliteServer::DustliteServer(QObject *parent)
    : QObject(parent)
{}

DustliteServer::~DustliteServer()
{
    stop();
}

QString DustliteServer::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
           QLatin1String("/stores");
}

Expected<TokenSpec, QString> DustliteServer::parseTokenSpec(const QString &text)
{
    using Result = Expected<TokenSpec, QString>;
    TokenSpec spec;
    QString tokenPart = text;
    if (const qsizetype eq = text.indexOf(QLatin1Char('=')); eq >= 0) {
        tokenPart = text.left(eq);
        const QStringList scopes = text.mid(eq + 1).split(QLatin1Char(','), Qt::SkipEmptyParts);
        if (scopes.isEmpty())
            return Result::failure(QStringLiteral("token %1: no scope after '='").arg(tokenPart));
        const QStringList known = Auth::allScopes();
        for (const QString &scope : scopes) {
            const QString trimmed = scope.trimmed();
            if (!known.contains(trimmed))
                return Result::failure(
                    QStringLiteral("token %1: unknown scope \"%2\" (known: %3)")
                        .arg(tokenPart, trimmed, known.join(QLatin1String(", "))));
            if (!spec.scopes.contains(trimmed))
                spec.scopes.append(trimmed);
        }
    }
    if (const qsizetype at = tokenPart.indexOf(QLatin1Char('@')); at >= 0) {
        spec.org = tokenPart.mid(at + 1);
        tokenPart = tokenPart.left(at);
        if (!isValidOrg(spec.org))
            return Result::failure(
                QStringLiteral("token %1: invalid org \"%2\"").arg(tokenPart, spec.org));
    }
    if (!tokenPart.startsWith(QLatin1String("dust_tok_")) ||
        tokenPart.size() == QLatin1String("dust_tok_").size())
        return Result::failure(
            QStringLiteral("invalid token \"%1\": tokens start with dust_tok_").arg(tokenPart));
    for (const QChar c : tokenPart) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return Result::failure(
                QStringLiteral("invalid token \"%1\": printable ASCII only").arg(tokenPart));
    }
    spec.token = tokenPart;
    return spec;
}

Expected<quint16, QString> DustliteServer::start(const ServerConfig &config)
{
    using Result = Expected<quint16, QString>;
    if (m_http)
        return Result::failure(QStringLiteral("dustlite is already running"));

    m_config = config;
    if (m_config.stores.isEmpty())
        m_config.stores.append(kDefaultStore);
    for (const QString &origin : std::as_const(m_config.allowedOrigins)) {
        if (!LocalAccess::normalizedOrigin(origin))
            return Result::failure(QStringLiteral("invalid allowed origin \"%1\": expected "
                                                  "http(s)://HOST[:PORT], as a browser sends it")
                                       .arg(origin));
    }
    for (const QString &host : std::as_const(m_config.allowedHosts)) {
        if (!LocalAccess::normalizedHost(host))
            return Result::failure(
                QStringLiteral("invalid allowed host \"%1\": expected a host name or address, "
                               "without port")
                    .arg(host));
    }
    for (const QString &store : std::as_const(m_config.stores)) {
        if (!StoreRegistry::isValidFullName(store))
            return Result::failure(QStringLiteral("invalid store name \"%1\": expected ORG/NAME "
                                                  "in lowercase letters, digits, '-' (and "
                                                  "'.', '_' in the name)")
                                       .arg(store));
    }
    const QString defaultOrg = m_config.stores.first().section(QLatin1Char('/'), 0, 0);
    if (!m_config.inMemory && m_config.dataDir.isEmpty())
        m_config.dataDir = defaultDataDir();
    // No token given: one of our own, never a fixed one every web page could know.
    m_config.tokenFile.clear();
    if (m_config.tokens.isEmpty()) {
        QString token = TokenFile::generate();
        if (!m_config.inMemory) {
            m_config.tokenFile = TokenFile::pathIn(m_config.dataDir);
            auto kept = TokenFile::loadOrCreate(m_config.tokenFile);
            if (!kept)
                return Result::failure(kept.error());
            token = *kept;
        }
        m_config.tokens.append(TokenSpec{token, {}, {}});
    }

    m_auth = std::make_unique<Auth>();
    for (TokenSpec &token : m_config.tokens) {
        if (!token.token.startsWith(QLatin1String("dust_tok_"))) {
            m_auth.reset();
            return Result::failure(
                QStringLiteral("invalid token \"%1\": tokens start with dust_tok_")
                    .arg(token.token));
        }
        if (token.org.isEmpty())
            token.org = defaultOrg;
        if (token.scopes.isEmpty())
            token.scopes = Auth::allScopes();
        m_auth->addToken(token);
    }

    m_registry = std::make_unique<StoreRegistry>(m_config.inMemory ? QString() : m_config.dataDir);
    m_registry->setCompactAfter(m_config.compactAfter);
    m_registry->setRetainOps(m_config.retainOps);
    if (const auto opened = openStores(); !opened) {
        stop();
        return Result::failure(opened.error());
    }

    m_limiter = std::make_unique<RateLimiter>(m_config.readsPerMinute, m_config.writesPerMinute);
    m_rest = std::make_unique<RestApi>(*m_registry, *m_auth, *m_limiter, m_config);
#ifdef DUSTLITE_HAS_SYNC_ENDPOINT
    m_sync = std::make_unique<SyncEndpoint>(*m_registry, *m_auth, *m_limiter, m_config);
#endif
    m_http = std::make_unique<DustliteHttpServer>(*m_rest, *m_auth, m_config);
    connect(m_http.get(), &QAbstractHttpServer::newWebSocketConnection, this, [this] {
        while (m_http && m_http->hasPendingWebSocketConnections()) {
            std::unique_ptr<QWebSocket> socket = m_http->nextPendingWebSocketConnection();
            if (!socket)
                break;
#ifdef DUSTLITE_HAS_SYNC_ENDPOINT
            m_sync->accept(std::move(socket));
#else
            socket->close(QWebSocketProtocol::CloseCodeDatatypeNotSupported,
                          QStringLiteral("WebSocket sync is not available"));
            socket.release()->deleteLater();
#endif
        }
    });

    const auto listening = m_http->open(m_config.listen, m_config.port);
    if (!listening) {
        stop();
        return Result::failure(listening.error());
    }
    m_port = *listening;
    return m_port;
}

Expected<bool, QString> DustliteServer::openStores()
{
    using Result = Expected<bool, QString>;
    for (const QString &name : std::as_const(m_config.stores)) {
        auto opened = m_registry->openOrCreate(name);
        if (!opened)
            return Result::failure(
                QStringLiteral("cannot open store %1: %2").arg(name, opened.error()));
        StoreDb *db = opened.value();
        if (m_config.seed.isEmpty() || db->currentSeq() != 0 || db->entryCount() != 0)
            continue;
#ifdef DUSTLITE_HAS_SEEDER
        qint64 written = 0;
        if (m_config.seed == QLatin1String("demo")) {
            written = seedDemo(*db);
        } else {
            bool ok = false;
            const qint64 count = m_config.seed.toLongLong(&ok);
            if (!ok || count < 0)
                return Result::failure(
                    QStringLiteral("invalid --seed \"%1\": use demo or a leaf count")
                        .arg(m_config.seed));
            written = seedGenerated(*db, count);
        }
        if (written < 0)
            return Result::failure(QStringLiteral("cannot seed store %1").arg(name));
#else
        return Result::failure(QStringLiteral("seeding is not available in this build"));
#endif
    }
    return true;
}

void DustliteServer::stop()
{
    const bool wasRunning = m_http != nullptr;
    if (m_http) {
        m_http->disconnect(this);
        const auto servers = m_http->servers();
        for (QTcpServer *server : servers)
            server->close();
    }
    m_http.reset();
    m_sync.reset();
    m_rest.reset();
    m_limiter.reset();
    m_registry.reset();
    m_auth.reset();
    m_port = 0;
    if (wasRunning)
        emit stopped();
}

QUrl DustliteServer::baseUrl() const
{
    if (!m_port)
        return {};
    QHostAddress host = m_config.listen;
    if (host == QHostAddress::Any || host == QHostAddress::AnyIPv4)
        host = QHostAddress::LocalHost;
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress::LocalHostIPv6;
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(host.toString());
    url.setPort(m_port);
    return url;
}

QUrl DustliteServer::wsUrl() const
{
    QUrl url = baseUrl();
    if (url.isEmpty())
        return url;
    url.setScheme(QStringLiteral("ws"));
    url.setPath(QStringLiteral("/ws/sync"));
    return url;
}

} // namespace dust::lite
