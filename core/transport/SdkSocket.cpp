#include "SdkSocket.h"

#include "SdkProtocol.h"
#include "protocol/JsonBytes.h"
#include "protocol/PhoenixMessage.h"

#include <QJsonDocument>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <utility>

namespace dust {

namespace {

constexpr QLatin1String kPhoenixTopic("phoenix");

// 401 or 403 when `text` (QWebSocket's handshake error, e.g. "… Unhandled http status code:
// 403 (Forbidden).") names one of them as a number of its own; else 0.
int refusedStatus(QStringView text)
{
    for (QStringView code : {QStringView(u"401"), QStringView(u"403")}) {
        for (qsizetype at = text.indexOf(code); at >= 0; at = text.indexOf(code, at + 1)) {
            const bool digitBefore = at > 0 && text.at(at - 1).isDigit();
            const bool digitAfter = at + 3 < text.size() && text.at(at + 3).isDigit();
            if (!digitBefore && !digitAfter)
                return code.toInt();
        }
    }
    return 0;
}

// Whether the server refused the connection that `socket` ended, and why; `why` is set to
// what the close frame says otherwise. `lastError` is the socket's last error text.
std::optional<Error> refusalOf(const QWebSocket &socket, bool wasConnected,
                               const QString &lastError, QString &why)
{
    const auto code = socket.closeCode();
    const QString reason = socket.closeReason();
    if (code == QWebSocketProtocol::CloseCodePolicyViolated) {
        if (reason == QLatin1String("unauthorized"))
            return Error(Error::Kind::Unauthorized, QStringLiteral("the server refused the token"))
                .setReason(reason);
        return Error::protocol(QStringLiteral("the server refused the connection: %1").arg(reason))
            .setReason(reason);
    }
    if (!reason.isEmpty())
        why = QStringLiteral("closed by the server (%1: %2)").arg(int(code)).arg(reason);
    else if (wasConnected && code != QWebSocketProtocol::CloseCodeNormal && why.isEmpty())
        why = QStringLiteral("closed (%1)").arg(int(code));
    if (!wasConnected) {
        // The upgrade itself was refused (the hosted server answers 403). The device id and
        // capver 3 are always sent, so what the server refused is the token.
        if (const int status = refusedStatus(lastError); status != 0)
            return Error(Error::Kind::Unauthorized,
                         QStringLiteral("the server refused the token (%1)").arg(lastError))
                .setReason(QStringLiteral("unauthorized"))
                .setHttpStatus(status);
    }
    return std::nullopt;
}

} // namespace

SdkSocket::SdkSocket(const SdkOptions &options, const QString &deviceId, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_url(sdk::socketUrl(options.url, options.token, deviceId))
    , m_backoff(options.reconnectDelay, options.maxReconnectDelay)
    , m_heartbeatTimer(new QTimer(this))
    , m_replyTimer(new QTimer(this))
    , m_connectTimer(new QTimer(this))
    , m_reconnectTimer(new QTimer(this))
{
    if (!m_url.isValid())
        m_refusal =
            Error::invalidParams(QStringLiteral("not a WebSocket or HTTP server URL: \"%1\"")
                                     .arg(m_options.url.toDisplayString()))
                .setReason(QStringLiteral("invalid_url"));

    using std::chrono::milliseconds;
    m_heartbeatTimer->setInterval(std::max(m_options.heartbeatInterval, milliseconds(1)));
    connect(m_heartbeatTimer, &QTimer::timeout, this, &SdkSocket::heartbeat);
    // Reply deadlines are checked a few times per timeout.
    m_replyTimer->setInterval(
        std::clamp(m_options.replyTimeout / 4, milliseconds(20), milliseconds(1000)));
    connect(m_replyTimer, &QTimer::timeout, this, &SdkSocket::checkReplies);
    m_connectTimer->setSingleShot(true);
    connect(m_connectTimer, &QTimer::timeout, this, [this] {
        if (m_state == SdkConnectionState::Connecting)
            abort(QStringLiteral("no connection within %1")
                      .arg(sdk::secondsText(m_options.connectTimeout)));
    });
    m_reconnectTimer->setSingleShot(true);
    connect(m_reconnectTimer, &QTimer::timeout, this, &SdkSocket::connectNow);
}

SdkSocket::~SdkSocket()
{
    // Requests in flight are dropped unanswered: their senders are going away too.
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QUrl SdkSocket::serverUrl() const
{
    QUrl server = m_url;
    server.setQuery(QString());
    return server;
}

void SdkSocket::noteAccepted()
{
    m_refusal.reset();
    m_backoff.reset();
}

// ---- connection ---------------------------------------------------------------------------

void SdkSocket::open()
{
    m_wanted = true;
    if (m_state != SdkConnectionState::Disconnected || m_reconnectTimer->isActive())
        return;
    if (m_refusal)
        scheduleReconnect();
    else
        connectNow();
}

void SdkSocket::connectNow()
{
    m_reconnectTimer->stop();
    if (!m_wanted || m_state != SdkConnectionState::Disconnected || !m_url.isValid())
        return;
    if (m_socket) {
        QWebSocket *old = m_socket.release();
        old->disconnect(this);
        old->abort();
        old->deleteLater();
    }
    // No TCP_NODELAY to set: Qt 6.4's QWebSocket sets LowDelayOption (and KeepAliveOption)
    // on its own socket once it connects, for ws:// and wss:// (QWebSocketPrivate::open).
    m_socket = std::make_unique<QWebSocket>(QString(), QWebSocketProtocol::VersionLatest);
    const quint64 generation = ++m_generation;
    QWebSocket *socket = m_socket.get();
    connect(socket, &QWebSocket::connected, this, [this, generation] {
        if (generation == m_generation)
            onConnected();
    });
    connect(socket, &QWebSocket::disconnected, this, [this, generation] { onGone(generation); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, generation, socket](QAbstractSocket::SocketError) {
                if (generation != m_generation)
                    return;
                m_lastError = socket->errorString();
                // A failed connection attempt may end without `disconnected`.
                QTimer::singleShot(0, this, [this, generation] {
                    if (generation == m_generation && m_socket &&
                        m_socket->state() == QAbstractSocket::UnconnectedState)
                        onGone(generation);
                });
            });
    connect(socket, &QWebSocket::textMessageReceived, this, &SdkSocket::onTextMessage);
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &data) {
        emit protocolError(
            QStringLiteral("a binary frame of %1 bytes was ignored (vsn 2.0.0 is JSON text)")
                .arg(data.size()));
    });

    m_lastError.clear();
    setState(SdkConnectionState::Connecting);
    m_connectTimer->start(std::max(m_options.connectTimeout, std::chrono::milliseconds(1)));
    socket->open(m_url);
}

void SdkSocket::onConnected()
{
    m_connectTimer->stop();
    m_heartbeatRef.clear();
    m_heartbeatTimer->start();
    if (m_options.replyTimeout.count() > 0)
        m_replyTimer->start();
    setState(SdkConnectionState::Connected);
}

void SdkSocket::onGone(quint64 generation)
{
    if (generation != m_generation || m_state == SdkConnectionState::Disconnected)
        return;
    const bool wasConnected = m_state == SdkConnectionState::Connected;
    std::optional<Error> refusal;
    QString why = m_lastError;
    if (m_socket) {
        refusal = refusalOf(*m_socket, wasConnected, m_lastError, why);
        QWebSocket *socket = m_socket.release();
        socket->disconnect(this);
        socket->deleteLater();
    }
    if (why.isEmpty())
        why = QStringLiteral("the connection closed");

    m_connectTimer->stop();
    m_heartbeatTimer->stop();
    m_replyTimer->stop();
    m_heartbeatRef.clear();
    setState(SdkConnectionState::Disconnected);
    loseAllRequests();

    const QString server = m_url.toDisplayString(QUrl::RemoveQuery);
    const Error error =
        refusal ? *refusal
                : Error::network(wasConnected
                                     ? QStringLiteral("connection to %1 lost: %2").arg(server, why)
                                     : QStringLiteral("cannot connect to %1: %2").arg(server, why));
    if (refusal)
        m_refusal = refusal;
    emit connectionFailed(error, refusal.has_value());
    scheduleReconnect();
}

void SdkSocket::scheduleReconnect()
{
    if (!m_wanted || m_reconnectTimer->isActive() || !m_url.isValid())
        return;
    const std::chrono::milliseconds delay = m_backoff.next();
    m_reconnectTimer->start(delay);
    emit reconnectScheduled(qint64(delay.count()));
}

void SdkSocket::abort(const QString &why)
{
    if (!m_socket || m_state == SdkConnectionState::Disconnected)
        return;
    m_lastError = why;
    const quint64 generation = m_generation;
    m_socket->abort();
    onGone(generation);
}

void SdkSocket::reconnectNow()
{
    if (m_state != SdkConnectionState::Disconnected)
        abort(QStringLiteral("reconnecting on request"));
    m_reconnectTimer->stop();
    m_backoff.reset();
    connectNow();
}

void SdkSocket::close()
{
    m_wanted = false;
    m_reconnectTimer->stop();
    if (m_socket) {
        QWebSocket *socket = m_socket.release();
        socket->disconnect(this);
        socket->close();
        socket->deleteLater();
    }
    ++m_generation;
    m_heartbeatTimer->stop();
    m_replyTimer->stop();
    m_connectTimer->stop();
    m_heartbeatRef.clear();
    loseAllRequests();
    m_backoff.reset();
    setState(SdkConnectionState::Disconnected);
}

void SdkSocket::setState(SdkConnectionState state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

// ---- requests -----------------------------------------------------------------------------

QString SdkSocket::send(const QString &topic, const QString &event, const QJsonValue &payload,
                        const std::optional<QString> &joinRef, Request request, QString ref)
{
    if (ref.isEmpty())
        ref = nextRef();
    if (!m_socket || !isConnected()) {
        if (request.onLost)
            request.onLost();
        return ref;
    }
    const QDeadlineTimer deadline = m_options.replyTimeout.count() > 0
                                        ? QDeadlineTimer(m_options.replyTimeout)
                                        : QDeadlineTimer(QDeadlineTimer::Forever);
    m_pending.insert(ref, Pending{topic, deadline, std::move(request)});
    const PhoenixMessage message{joinRef, ref, topic, event, payload};
    m_socket->sendTextMessage(QString::fromUtf8(message.encode()));
    return ref;
}

void SdkSocket::loseRequests(const QString &topic)
{
    QList<QString> refs;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (it->topic == topic)
            refs.append(it.key());
    }
    for (const QString &ref : refs) {
        const Pending pending = m_pending.take(ref);
        if (pending.request.onLost)
            pending.request.onLost();
    }
}

void SdkSocket::loseAllRequests()
{
    const auto pending = std::exchange(m_pending, {});
    for (const Pending &p : pending) {
        if (p.request.onLost)
            p.request.onLost();
    }
}

void SdkSocket::heartbeat()
{
    if (!isConnected())
        return;
    if (!m_heartbeatRef.isEmpty()) {
        abort(QStringLiteral("no heartbeat reply within %1")
                  .arg(sdk::secondsText(m_options.heartbeatInterval)));
        return;
    }
    Request request;
    request.onReply = [this](bool, const QJsonObject &) {
        m_heartbeatRef.clear();
    };
    m_heartbeatRef = send(QString(kPhoenixTopic), QStringLiteral("heartbeat"), QJsonObject(),
                          std::nullopt, std::move(request));
}

void SdkSocket::checkReplies()
{
    if (!isConnected())
        return;
    const bool overdue = std::any_of(m_pending.cbegin(), m_pending.cend(),
                                     [](const Pending &p) { return p.deadline.hasExpired(); });
    if (overdue)
        abort(QStringLiteral("no reply from the server within %1")
                  .arg(sdk::secondsText(m_options.replyTimeout)));
}

// ---- frames -------------------------------------------------------------------------------

void SdkSocket::onTextMessage(const QString &text)
{
    auto decoded = m_decoder.decode(QStringView(text));
    if (!decoded) {
        emit protocolError(QStringLiteral("malformed frame: ") + decoded.error());
        return;
    }
    if (decoded->kind == DecodedFrame::Kind::Reply)
        onReply(*decoded);
    else
        emit frameReceived(*decoded);
}

void SdkSocket::onReply(const DecodedFrame &frame)
{
    if (!frame.ref)
        return;
    const auto it = m_pending.find(jsonbytes::textFromUtf8(*frame.ref));
    if (it == m_pending.end())
        return; // a late reply to a request given up on
    const Request request = std::move(it->request);
    m_pending.erase(it);
    const bool ok = frame.replyStatus == "ok";
    QJsonObject response;
    if (!frame.payload.isEmpty()) {
        QJsonParseError error{};
        const QJsonDocument document = jsonbytes::parseDocument(frame.payload, &error);
        if (document.isObject())
            response = document.object();
        else if (error.error != QJsonParseError::NoError)
            emit protocolError(QStringLiteral("a reply's response is not valid JSON: ") +
                               error.errorString());
    }
    if (!ok && frame.replyStatus != "error")
        emit protocolError(QStringLiteral("a reply with status \"%1\" read as an error")
                               .arg(jsonbytes::textFromUtf8(frame.replyStatus)));
    if (request.onReply)
        request.onReply(ok, response);
}

} // namespace dust
