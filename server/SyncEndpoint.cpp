#include "SyncEndpoint.h"

#include "SyncConnection.h"
#include "protocol/PhoenixMessage.h"

#include <QHash>
#include <QTimer>
#include <QWebSocket>

#include <utility>

namespace dust::lite {

namespace {

constexpr int kCapverMin = 3;
constexpr int kRefuseGraceMs = 5000;

// One value of an application/x-www-form-urlencoded query ('+' is a space), or nullopt when
// the key is absent.
std::optional<QString> queryValue(const QUrl &url, QLatin1String key)
{
    const QByteArray query = url.query(QUrl::FullyEncoded).toUtf8();
    for (QByteArrayView pair : query.split('&')) {
        const qsizetype eq = pair.indexOf('=');
        const QByteArrayView name = eq < 0 ? pair : pair.first(eq);
        QByteArray decodedName = name.toByteArray().replace('+', ' ');
        if (QUrl::fromPercentEncoding(decodedName) != key)
            continue;
        QByteArray value = eq < 0 ? QByteArray() : pair.sliced(eq + 1).toByteArray();
        return QUrl::fromPercentEncoding(value.replace('+', ' '));
    }
    return std::nullopt;
}

// The connection's capability version: an integer string, 1 when missing or unparsable.
int capverOf(const std::optional<QString> &text)
{
    bool ok = false;
    const int capver = text ? text->trimmed().toInt(&ok) : 0;
    return ok ? capver : 1;
}

// Phoenix accepts any 2.0.x for its V2 JSON serializer.
bool isSupportedVsn(const std::optional<QString> &vsn)
{
    if (!vsn || !vsn->startsWith(QLatin1String("2.0.")))
        return false;
    bool ok = false;
    (void)QStringView(*vsn).mid(4).toUInt(&ok);
    return ok;
}

} // namespace

SyncEndpoint::SyncEndpoint(StoreRegistry &registry, Auth &auth, RateLimiter &limiter,
                           const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_auth(auth)
    , m_limiter(limiter)
    , m_config(config)
{
    connect(&m_registry, &StoreRegistry::committed, this, &SyncEndpoint::onCommitted,
            Qt::DirectConnection);
}

SyncEndpoint::~SyncEndpoint()
{
    // Close the sockets while the configuration they refer to still exists.
    const QList<SyncConnection *> connections = std::exchange(m_connections, {});
    qDeleteAll(connections);
}

int SyncEndpoint::connectionCount() const
{
    return int(m_connections.size());
}

qint64 SyncEndpoint::unwrittenBytes() const
{
    qint64 total = 0;
    for (const SyncConnection *connection : m_connections)
        total += connection->unwrittenBytes();
    return total;
}

std::optional<QString> SyncEndpoint::checkConnect(const QUrl &requestUrl, const Auth &auth,
                                                  int maxDeviceIdLength)
{
    if (!isSupportedVsn(queryValue(requestUrl, QLatin1String("vsn"))))
        return QStringLiteral("unsupported vsn");
    const auto token = queryValue(requestUrl, QLatin1String("token"));
    if (!token || token->isEmpty())
        return QStringLiteral("unauthorized");
    const auto deviceId = queryValue(requestUrl, QLatin1String("device_id"));
    if (!deviceId || deviceId->isEmpty())
        return QStringLiteral("missing device_id");
    // It is stored with every write the socket makes; the reason fits a WebSocket close frame.
    if (deviceId->size() > maxDeviceIdLength)
        return QStringLiteral("device_id longer than %1 characters").arg(maxDeviceIdLength);
    if (capverOf(queryValue(requestUrl, QLatin1String("capver"))) < kCapverMin)
        return QStringLiteral("capver");
    if (!auth.authenticate(*token))
        return QStringLiteral("unauthorized");
    return std::nullopt;
}

void SyncEndpoint::accept(std::unique_ptr<QWebSocket> socket)
{
    if (!socket)
        return;
    const QUrl url = socket->requestUrl();
    if (const auto refusal = checkConnect(url, m_auth, m_config.maxDeviceIdLength)) {
        refuse(std::move(socket), *refusal);
        return;
    }
    auto principal =
        m_auth.authenticate(queryValue(url, QLatin1String("token")).value_or(QString()));
    if (!principal) {
        refuse(std::move(socket), QStringLiteral("unauthorized"));
        return;
    }
    const QString deviceId = queryValue(url, QLatin1String("device_id")).value_or(QString());
    auto *connection = new SyncConnection(std::move(socket), std::move(*principal), deviceId,
                                          m_registry, m_limiter, m_config, this);
    connect(connection, &SyncConnection::finished, this, &SyncEndpoint::remove);
    connect(connection, &SyncConnection::closing, this,
            [this, deviceId](int code, const QString &reason) {
                emit connectionClosing(deviceId, code, reason);
            });
    m_connections.append(connection);
    emit connectionCountChanged(connectionCount());
}

void SyncEndpoint::refuse(std::unique_ptr<QWebSocket> socket, const QString &reason)
{
    QWebSocket *raw = socket.release();
    raw->setParent(this);
    if (raw->state() != QAbstractSocket::ConnectedState) {
        raw->deleteLater();
        return;
    }
    connect(raw, &QWebSocket::disconnected, raw, &QObject::deleteLater);
    raw->close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
    // A peer that never completes the close handshake is dropped.
    QTimer::singleShot(kRefuseGraceMs, raw, [raw] { raw->abort(); });
}

void SyncEndpoint::remove(SyncConnection *connection)
{
    if (!m_connections.removeOne(connection))
        return;
    connection->deleteLater();
    emit connectionCountChanged(connectionCount());
}

void SyncEndpoint::onCommitted(const QString &fullName, const dust::ChangeEvent &event,
                               bool viaSocket)
{
    if (!viaSocket && !m_config.broadcastRestWrites)
        return;
    const QJsonObject payload = event.toJson();
    QHash<QString, QString> frames; // topic -> encoded frame, encoded once per topic
    for (SyncConnection *connection : std::as_const(m_connections)) {
        const QStringList topics = connection->topicsJoinedTo(fullName);
        for (const QString &topic : topics) {
            auto it = frames.find(topic);
            if (it == frames.end()) {
                const PhoenixMessage frame{std::nullopt, std::nullopt, topic,
                                           QStringLiteral("event"), payload};
                it = frames.insert(topic, QString::fromUtf8(frame.encode()));
            }
            connection->sendFrame(*it);
        }
    }
}

} // namespace dust::lite
