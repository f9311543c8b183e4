#include "SyncConnection.h"

#include "SyncRequests.h"
#include "protocol/StrictJson.h"
#include "protocol/Values.h"

#include <QJsonArray>
#include <QPointer>
#include <QWebSocket>

#include <algorithm>

namespace dust::lite {

namespace {

constexpr int kCapver = 3;
constexpr int kCapverMin = 3;
constexpr int kCatchUpBatch = 1000;
// Catch-up pauses while more than this many bytes wait in the socket's send buffer and
// resumes once the buffer has drained below the low mark (both lower with a small
// maxWsOutgoingBytes, so catch-up alone never reaches the limit).
constexpr qint64 kSendHighWater = 512 * 1024;
// How long a closing socket may go without taking any of its remaining bytes (and without
// finishing the close handshake) before it is dropped.
constexpr int kCloseGraceMs = 5000;
// "Try Again Later" (RFC 6455 §7.4.2, IANA registry): the client reconnects and rejoins,
// unlike 1008, which Dust clients take as a refusal.
constexpr int kCloseTryAgainLater = 1013;

constexpr QStringView kScopeEntriesRead = u"entries:read";
constexpr QStringView kScopeEntriesWrite = u"entries:write";
constexpr QStringView kScopeFilesWrite = u"files:write";

} // namespace

qint64 SyncConnection::sendHighWater(const ServerConfig &config)
{
    const qint64 limit = config.maxWsOutgoingBytes;
    return limit > 0 ? std::min(kSendHighWater, limit / 2) : kSendHighWater;
}

SyncConnection::SyncConnection(std::unique_ptr<QWebSocket> socket, Principal principal,
                               QString deviceId, StoreRegistry &registry, RateLimiter &limiter,
                               const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_principal(std::move(principal))
    , m_deviceId(std::move(deviceId))
    , m_registry(registry)
    , m_limiter(limiter)
    , m_config(config)
    , m_waiting(config.maxWsPendingWrites, config.maxWsMessageBytes)
{
    if (m_config.maxWsMessageBytes > 0) {
        const auto limit = static_cast<quint64>(m_config.maxWsMessageBytes);
        m_socket->setMaxAllowedIncomingMessageSize(limit);
        m_socket->setMaxAllowedIncomingFrameSize(limit);
    }
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, &SyncConnection::onTextMessage);
    connect(m_socket.get(), &QWebSocket::binaryMessageReceived, this,
            &SyncConnection::onBinaryMessage);
    connect(m_socket.get(), &QWebSocket::pong, this, [this] { m_idleTimer.start(); });
    connect(m_socket.get(), &QWebSocket::bytesWritten, this, &SyncConnection::onBytesWritten);
    connect(m_socket.get(), &QWebSocket::disconnected, this, &SyncConnection::onDisconnected);

    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(std::max(1, m_config.wsIdleTimeoutMs));
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        closeWith(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("idle timeout"));
    });
    m_idleTimer.start();

    // A peer that stops taking bytes while the socket closes is dropped.
    m_closeGraceTimer.setSingleShot(true);
    m_closeGraceTimer.setInterval(kCloseGraceMs);
    connect(&m_closeGraceTimer, &QTimer::timeout, this, [this] {
        if (m_socket->state() != QAbstractSocket::UnconnectedState)
            m_socket->abort();
    });

    if (m_socket->state() != QAbstractSocket::ConnectedState)
        QTimer::singleShot(0, this, &SyncConnection::onDisconnected);
}

SyncConnection::~SyncConnection()
{
    m_socket->disconnect(this);
    if (m_socket->state() == QAbstractSocket::ConnectedState) {
        m_socket->close(QWebSocketProtocol::CloseCodeGoingAway,
                        QStringLiteral("server shutting down"));
        m_socket->flush();
    }
}

QStringList SyncConnection::topicsJoinedTo(QStringView fullName) const
{
    QStringList topics;
    for (const Channel &channel : m_channels) {
        if (channel.store == fullName)
            topics.append(channel.topic);
    }
    return topics;
}

qint64 SyncConnection::unwrittenBytes() const
{
    return m_socket->bytesToWrite();
}

void SyncConnection::sendFrame(const QString &frame)
{
    if (m_finished || m_closing || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    if (overOutgoingLimit()) {
        // Like Redis with a pub/sub client over its output buffer limit: this client is not
        // keeping up, and buffering more for it would grow without bound. It may rejoin with
        // its last seq and catch up, paced.
        closeWith(kCloseTryAgainLater,
                  QStringLiteral("send buffer over %1 bytes: rejoin to catch up")
                      .arg(m_config.maxWsOutgoingBytes));
        return;
    }
    m_socket->sendTextMessage(frame);
}

bool SyncConnection::overOutgoingLimit()
{
    // What is already queued counts, not the frame about to be: a frame bigger than the
    // limit still goes to a client that keeps up.
    const qint64 limit = m_config.maxWsOutgoingBytes;
    if (limit <= 0 || m_socket->bytesToWrite() <= limit)
        return false;
    // Whatever the kernel takes now is not waiting any more.
    m_socket->flush();
    return m_socket->bytesToWrite() > limit;
}

void SyncConnection::send(const PhoenixMessage &message)
{
    sendFrame(QString::fromUtf8(message.encode()));
}

void SyncConnection::replyOk(const PhoenixMessage &message, const QJsonObject &response)
{
    send(message.reply(u"ok", response));
}

void SyncConnection::replyError(const PhoenixMessage &message, const QJsonObject &response)
{
    send(message.reply(u"error", response));
}

void SyncConnection::closeWith(int code, const QString &reason)
{
    if (m_finished || m_closing)
        return;
    m_closing = true;
    m_idleTimer.stop();
    m_catchUpQueue.clear();
    m_waiting.clear();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        return;
    // Nothing more is queued: what is buffered goes out, then the close frame.
    const QString text = sync::closeReason(reason);
    m_socket->close(static_cast<QWebSocketProtocol::CloseCode>(code), text);
    emit closing(code, text);
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_closeGraceTimer.start();
}

void SyncConnection::onDisconnected()
{
    if (m_finished)
        return;
    m_finished = true;
    m_idleTimer.stop();
    m_closeGraceTimer.stop();
    m_catchUpQueue.clear();
    m_waiting.clear();
    m_channels.clear();
    emit finished(this);
}

void SyncConnection::onBytesWritten(qint64)
{
    // A closing peer that still takes bytes gets the time to reach the close frame.
    if (m_closing && m_closeGraceTimer.isActive())
        m_closeGraceTimer.start();
    if (!m_catchUpQueue.isEmpty() && m_socket->bytesToWrite() <= sendHighWater(m_config) / 4)
        scheduleCatchUp();
}

void SyncConnection::onBinaryMessage(const QByteArray &)
{
    m_idleTimer.start();
    closeWith(QWebSocketProtocol::CloseCodeDatatypeNotSupported,
              QStringLiteral("binary frames are not supported with vsn 2.0.0 (JSON text)"));
}

void SyncConnection::onTextMessage(const QString &text)
{
    if (m_finished)
        return;
    m_idleTimer.start();
    const QByteArray bytes = text.toUtf8();
    // QJsonDocument takes what RFC 8259 rejects ("\ud800" becomes "?"): check first.
    const StrictJson::Result strict = StrictJson::validate(bytes);
    auto message = PhoenixMessage::decode(bytes);
    if (!message) {
        closeWith(QWebSocketProtocol::CloseCodeWrongDatatype,
                  QStringLiteral("malformed frame: ") +
                      (strict ? message.error() : strict.message()));
        return;
    }
    if (!strict) {
        refuseLenientFrame(*message, strict);
        return;
    }
    handle(*message, bytes.size());
}

void SyncConnection::refuseLenientFrame(const PhoenixMessage &message,
                                        const StrictJson::Result &strict)
{
    // A channel event (write, put_file, rollback, ...) can be answered: the client learns
    // which of its requests failed and why, and the socket goes on. Anything else is treated
    // as the malformed frame it is.
    const bool channelEvent = message.topic != QLatin1String("phoenix") &&
                              message.event != QLatin1String("phx_join") &&
                              m_channels.contains(message.topic);
    if (!channelEvent || !message.ref) {
        closeWith(QWebSocketProtocol::CloseCodeWrongDatatype,
                  QStringLiteral("malformed frame: ") + strict.message());
        return;
    }
    replyError(message, sync::errorResponse(QStringLiteral("invalid_params"),
                                            {{QStringLiteral("message"), strict.message()}}));
}

void SyncConnection::handle(const PhoenixMessage &message, qint64 bytes)
{
    if (message.topic == QLatin1String("phoenix") && message.event == QLatin1String("heartbeat")) {
        replyOk(message);
        return;
    }
    // Behind a write still committing, a frame waits its turn: the socket's requests are
    // handled, and answered, in the order they came.
    if (m_waiting.busy()) {
        if (!m_waiting.push(message, bytes))
            replyError(message, m_waiting.tooManyResponse());
        return;
    }
    dispatch(message);
}

void SyncConnection::drainWaiting()
{
    if (m_draining)
        return; // the loop below goes on once the dispatch that got here returns
    m_draining = true;
    while (!m_finished && !m_closing) {
        auto next = m_waiting.takeNext();
        if (!next)
            break;
        dispatch(*next);
    }
    m_draining = false;
}

void SyncConnection::dispatch(const PhoenixMessage &message)
{
    if (message.event == QLatin1String("phx_join")) {
        handleJoin(message);
        return;
    }

    const auto it = m_channels.constFind(message.topic);
    if (it == m_channels.cend() ||
        (message.joinRef && it->joinRef && *message.joinRef != *it->joinRef)) {
        replyError(message, sync::errorResponse(QStringLiteral("unmatched topic")));
        return;
    }
    // Handlers may close the channel; they work on a copy.
    const Channel channel = *it;
    const QString &event = message.event;
    if (event == QLatin1String("phx_leave")) {
        handleLeave(message, m_channels[message.topic]);
        return;
    }
    if (!message.payload.isObject()) {
        replyError(message, sync::errorResponse(QStringLiteral("invalid_payload"),
                                                {{QStringLiteral("message"),
                                                  QStringLiteral("payload must be an object")}}));
        return;
    }
    if (event == QLatin1String("write"))
        handleWrite(message, channel);
    else if (event == QLatin1String("put_file"))
        handlePutFile(message, channel);
    else if (event == QLatin1String("rollback"))
        handleRollback(message, channel);
    else if (event == QLatin1String("status"))
        handleStatus(message, channel);
    else if (event == QLatin1String("ack_seq"))
        replyOk(message);
    else
        replyError(message, sync::errorResponse(QStringLiteral("unknown_event"),
                                                {{QStringLiteral("event"), event}}));
}

StoreDb *SyncConnection::resolveStore(QStringView reference, QString *fullName)
{
    if (reference.contains(QLatin1Char('/'))) {
        StoreDb *db = m_registry.find(reference);
        if (db)
            *fullName = db->fullName();
        return db;
    }
    // A store id (UUID) alias.
    const QList<StoreDb *> stores = m_registry.stores();
    for (StoreDb *db : stores) {
        if (!reference.isEmpty() && db->id() == reference) {
            *fullName = db->fullName();
            return db;
        }
    }
    return nullptr;
}

QJsonObject SyncConnection::permissionsFor(const QString &store) const
{
    const bool access = m_principal.canAccess(store);
    return {{QStringLiteral("read"), access && m_principal.has(kScopeEntriesRead)},
            {QStringLiteral("write"), access && m_principal.has(kScopeEntriesWrite)}};
}

QJsonObject SyncConnection::accessFields(const QString &store) const
{
    QStringList scopes(m_principal.scopes.cbegin(), m_principal.scopes.cend());
    scopes.sort();
    return {{QStringLiteral("permissions"), permissionsFor(store)},
            {QStringLiteral("scopes"), QJsonArray::fromStringList(scopes)},
            {QStringLiteral("store_access"),
             QJsonObject{{QStringLiteral("mode"), QStringLiteral("all")},
                         {QStringLiteral("store_ids"), QJsonArray()}}}};
}

void SyncConnection::handleJoin(const PhoenixMessage &message)
{
    const QString &topic = message.topic;
    if (!topic.startsWith(QLatin1String("store:"))) {
        replyError(message, sync::errorResponse(QStringLiteral("unmatched topic")));
        return;
    }

    // A second join of a joined topic replaces the first channel, as Phoenix does.
    if (const auto existing = m_channels.constFind(topic); existing != m_channels.cend()) {
        send(PhoenixMessage{existing->joinRef, existing->joinRef, topic,
                            QStringLiteral("phx_close"), QJsonObject()});
        stopCatchUp(topic);
        m_channels.remove(topic);
    }

    const QJsonValue lastSeq = message.payload.toObject().value(QLatin1String("last_store_seq"));
    const auto last = values::integerValue(lastSeq);
    if (!message.payload.isObject() || !last) {
        replyError(message, sync::errorResponse(QStringLiteral("join crashed")));
        return;
    }

    QString store;
    StoreDb *db = resolveStore(QStringView(topic).mid(6), &store);
    if (!db) {
        replyError(message, sync::errorResponse(QStringLiteral("unauthorized")));
        return;
    }
    if (!m_principal.canAccess(store)) {
        replyError(message, sync::storeNotAllowed());
        return;
    }
    if (!m_principal.has(kScopeEntriesRead)) {
        replyError(message, sync::missingScope(kScopeEntriesRead.toString()));
        return;
    }

    QJsonObject response = accessFields(store);
    response.insert(QStringLiteral("store_seq"), db->currentSeq());
    response.insert(QStringLiteral("capver"), kCapver);
    response.insert(QStringLiteral("capver_min"), kCapverMin);
    replyOk(message, response);

    Channel channel;
    channel.topic = topic;
    channel.joinRef = message.joinRef;
    channel.store = store;
    channel.clientSeq = *last;
    channel.position = std::max<qint64>(0, *last);
    channel.catchingUp = true;
    m_channels.insert(topic, channel);
    m_catchUpQueue.append(topic);
    scheduleCatchUp();
}

void SyncConnection::handleLeave(const PhoenixMessage &message, Channel &channel)
{
    const auto joinRef = channel.joinRef;
    const QString topic = channel.topic;
    stopCatchUp(topic);
    m_channels.remove(topic);
    replyOk(message);
    send(PhoenixMessage{joinRef, joinRef, topic, QStringLiteral("phx_close"), QJsonObject()});
}

StoreDb *SyncConnection::storeOf(const Channel &channel)
{
    if (StoreDb *db = m_registry.find(channel.store))
        return db;
    // The store is gone: the channel cannot go on; the client may rejoin.
    const QString topic = channel.topic;
    const auto joinRef = channel.joinRef;
    stopCatchUp(topic);
    m_channels.remove(topic);
    send(PhoenixMessage{joinRef, joinRef, topic, QStringLiteral("phx_error"), QJsonObject()});
    return nullptr;
}

bool SyncConnection::takeWriteToken(const PhoenixMessage &message)
{
    const auto decision = m_limiter.take(m_principal.tokenId, RateLimiter::Bucket::Write);
    if (decision.allowed)
        return true;
    replyError(message, sync::errorResponse(QStringLiteral("rate_limited"),
                                            {{QStringLiteral("retry_after_ms"), 60000}}));
    return false;
}

void SyncConnection::handleWrite(const PhoenixMessage &message, const Channel &channel)
{
    if (!m_principal.has(kScopeEntriesWrite)) {
        replyError(message, sync::missingScope(kScopeEntriesWrite.toString()));
        return;
    }
    if (!takeWriteToken(message))
        return;
    const QJsonObject payload = message.payload.toObject();
    auto request = sync::readWrite(payload, m_deviceId);
    if (!request) {
        replyError(message, request.error());
        return;
    }

    std::optional<sync::FileUpload> upload;
    if (request->op == Op::PutFile) {
        if (!m_principal.has(kScopeFilesWrite)) {
            replyError(message, sync::missingScope(kScopeFilesWrite.toString()));
            return;
        }
        auto file = sync::readFile(payload, request->path);
        if (!file) {
            replyError(message, file.error());
            return;
        }
        upload = std::move(file).value();
    }

    if (!storeOf(channel))
        return;
    if (!upload) {
        // Group commit: committed with the other sockets' writes waiting for the store then.
        m_waiting.startWrite();
        m_registry.write(channel.store, *request, true, answerTo(message, &sync::writeResponse));
        return;
    }
    startCommit(
        message, channel.store,
        [upload = *upload, deviceId = m_deviceId](StoreDb &db, StoreSql &sql) {
            return db.putFileWith(sql, upload.path, upload.content, upload.filename,
                                  upload.contentType, deviceId, upload.clientOpId, true);
        },
        [](const WriteResult &result) {
            QJsonObject response = sync::writeResponse(result);
            if (!response.contains(QLatin1String("hash")) && result.event)
                response.insert(QStringLiteral("hash"),
                                result.event->value.toObject().value(QLatin1String("hash")));
            return response;
        });
}

void SyncConnection::startCommit(const PhoenixMessage &message, const QString &store,
                                 StoreRegistry::Commit body, Respond respond)
{
    // Committed on a pool thread (in-memory stores: here, at once); the broadcast and then the
    // reply come back on this thread. Later frames wait until then.
    m_waiting.startWrite();
    m_registry.commit(store, std::move(body), answerTo(message, std::move(respond)));
}

StoreRegistry::WriteDone SyncConnection::answerTo(const PhoenixMessage &message, Respond respond)
{
    return [self = QPointer<SyncConnection>(this), message,
            respond = std::move(respond)](const WriteResult &done) {
        if (self)
            self->finishCommit(message, done, respond);
    };
}

void SyncConnection::finishCommit(const PhoenixMessage &message, const WriteResult &result,
                                  const Respond &respond)
{
    // StoreRegistry::commit announced the commit (the broadcast) before calling back.
    if (result.ok)
        replyOk(message, respond(result));
    else
        replyError(message, sync::writeErrorResponse(result));
    m_waiting.finishWrite();
    drainWaiting();
}

void SyncConnection::handlePutFile(const PhoenixMessage &message, const Channel &channel)
{
    if (!m_principal.has(kScopeFilesWrite)) {
        replyError(message, sync::missingScope(kScopeFilesWrite.toString()));
        return;
    }
    if (!takeWriteToken(message))
        return;
    auto upload = sync::readFile(message.payload.toObject());
    if (!upload) {
        replyError(message, upload.error());
        return;
    }
    if (!storeOf(channel))
        return;
    startCommit(
        message, channel.store,
        [upload = std::move(upload).value(), deviceId = m_deviceId](StoreDb &db, StoreSql &sql) {
            return db.putFileWith(sql, upload.path, upload.content, upload.filename,
                                  upload.contentType, deviceId, upload.clientOpId, true);
        },
        [](const WriteResult &result) {
            QJsonObject response{{QStringLiteral("store_seq"), result.storeSeq}};
            QJsonValue hash = result.replyExtra.value(QLatin1String("hash"));
            if (hash.isUndefined() && result.event)
                hash = result.event->value.toObject().value(QLatin1String("hash"));
            response.insert(QStringLiteral("hash"), hash);
            return response;
        });
}

void SyncConnection::handleRollback(const PhoenixMessage &message, const Channel &channel)
{
    if (!m_principal.has(kScopeEntriesWrite)) {
        replyError(message, sync::missingScope(kScopeEntriesWrite.toString()));
        return;
    }
    const QJsonObject payload = message.payload.toObject();
    const auto toSeq = values::integerValue(payload.value(QLatin1String("to_seq")));
    if (!toSeq) {
        replyError(message, sync::errorResponse(QStringLiteral("invalid_to_seq"),
                                                {{QStringLiteral("message"),
                                                  QStringLiteral("to_seq must be an integer")}}));
        return;
    }
    std::optional<Path> path;
    const bool hasPath = !payload.value(QLatin1String("path")).isUndefined() ||
                         !payload.value(QLatin1String("path_segments")).isUndefined();
    if (hasPath) {
        auto parsed = sync::writePath(payload);
        if (!parsed) {
            replyError(message, sync::errorResponse(parsed.error()));
            return;
        }
        path = std::move(parsed).value();
    }
    if (!storeOf(channel))
        return;
    // A path rollback is one forward op and is broadcast; a whole-store rollback is not.
    startCommit(
        message, channel.store,
        [path, toSeq = *toSeq](StoreDb &db, StoreSql &sql) {
            // The reply rides in replyExtra: {"store_seq"}, with "noop" when nothing changed,
            // or {"ops_written"} for the whole store.
            QJsonObject reply;
            WriteResult result = db.rollbackWith(sql, path, toSeq, &reply, true);
            if (result.ok && !reply.isEmpty())
                result.replyExtra = reply;
            return result;
        },
        &sync::writeResponse);
}

void SyncConnection::handleStatus(const PhoenixMessage &message, const Channel &channel)
{
    StoreDb *db = storeOf(channel);
    if (!db)
        return;
    QJsonObject response = db->status();
    const QJsonObject access = accessFields(channel.store);
    for (auto it = access.begin(); it != access.end(); ++it)
        response.insert(it.key(), it.value());
    if (!response.contains(QLatin1String("expires_at")))
        response.insert(QStringLiteral("expires_at"), QJsonValue::Null);
    replyOk(message, response);
}

void SyncConnection::scheduleCatchUp()
{
    if (m_catchUpScheduled || m_catchUpQueue.isEmpty() || m_finished)
        return;
    m_catchUpScheduled = true;
    QTimer::singleShot(0, this, &SyncConnection::catchUpStep);
}

void SyncConnection::stopCatchUp(const QString &topic)
{
    m_catchUpQueue.removeAll(topic);
    if (const auto it = m_channels.find(topic); it != m_channels.end())
        it->catchingUp = false;
}

void SyncConnection::catchUpStep()
{
    m_catchUpScheduled = false;
    if (m_finished || m_catchUpQueue.isEmpty() ||
        m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    // Let the client read what is already queued; bytesWritten resumes the catch-up.
    const qint64 highWater = sendHighWater(m_config);
    if (m_socket->bytesToWrite() > highWater)
        return;

    const QString topic = m_catchUpQueue.takeFirst();
    const auto it = m_channels.find(topic);
    if (it == m_channels.end() || !it->catchingUp) {
        scheduleCatchUp();
        return;
    }
    Channel &channel = *it;
    StoreDb *db = storeOf(channel);
    if (!db) {
        scheduleCatchUp();
        return;
    }

    // Behind the latest compaction point (also when a compaction ran mid-catch-up): the
    // whole state at the snapshot, in one frame, then the ops after it.
    if (auto snapshot = db->snapshotAfter(channel.position)) {
        send(PhoenixMessage{channel.joinRef, std::nullopt, topic, QStringLiteral("snapshot"),
                            QJsonObject{{QStringLiteral("snapshot_seq"), snapshot->snapshotSeq},
                                        {QStringLiteral("entries"), snapshot->entries}}});
        channel.position = snapshot->snapshotSeq;
        channel.unsent.clear(); // older than the snapshot
        channel.sentAny = true;
        m_catchUpQueue.append(topic);
        scheduleCatchUp();
        return;
    }

    // Replayed events are framed from the op log's text as it is: with a million ops to
    // send, parsing each value only to write it out again would be most of the work.
    if (channel.unsent.isEmpty()) {
        channel.unsent = db->eventPayloadsSince(channel.position, kCatchUpBatch);
        channel.moreInLog = channel.unsent.size() >= kCatchUpBatch;
    }
    qsizetype sent = 0;
    if (!channel.unsent.isEmpty()) {
        const QByteArray head = PhoenixMessage::encodeHead(channel.joinRef, std::nullopt, topic,
                                                           QStringLiteral("event"));
        QByteArray frame;
        for (const StoreDb::EventPayload &event : std::as_const(channel.unsent)) {
            // A batch is cut short at the high mark; the rest follows once it drained.
            if (m_socket->bytesToWrite() > highWater)
                break;
            frame.clear();
            frame.reserve(head.size() + event.json.size() + 1);
            frame += head;
            frame += event.json;
            frame += ']';
            sendFrame(QString::fromUtf8(frame));
            channel.position = std::max(channel.position, event.storeSeq);
            ++sent;
        }
        channel.unsent.remove(0, sent);
        channel.sentAny = true;
    }
    if (!channel.unsent.isEmpty() || channel.moreInLog) {
        m_catchUpQueue.append(topic);
    } else {
        channel.catchingUp = false;
        const qint64 through = channel.sentAny ? channel.position : channel.clientSeq;
        send(PhoenixMessage{channel.joinRef, std::nullopt, topic,
                            QStringLiteral("catch_up_complete"),
                            QJsonObject{{QStringLiteral("through_seq"), through}}});
    }
    scheduleCatchUp();
}

} // namespace dust::lite
