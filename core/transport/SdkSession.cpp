#include "SdkSession.h"

#include "ReconnectBackoff.h"
#include "TransportPicker.h"
#include "protocol/PhoenixMessage.h"
#include "protocol/Values.h"
#include "sync/Mirror.h"
#include "sync/MirrorCache.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>

namespace dust {

namespace {

constexpr QLatin1String kPhoenixTopic("phoenix");

Error cancelledError(const QString &why)
{
    return Error(Error::Kind::Cancelled, why);
}

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

} // namespace

SdkSession::SdkSession(const SdkOptions &options, QString deviceId, LiveStores *live,
                       QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_deviceId(std::move(deviceId))
    , m_live(live)
    , m_heartbeatTimer(new QTimer(this))
    , m_statusTimer(new QTimer(this))
    , m_watchdogTimer(new QTimer(this))
    , m_connectTimer(new QTimer(this))
    , m_reconnectTimer(new QTimer(this))
    , m_cacheTimer(new QTimer(this))
{
    m_url = sdk::socketUrl(m_options.url, m_options.token, m_deviceId);
    if (!m_url.isValid())
        m_refusal =
            Error::invalidParams(QStringLiteral("not a WebSocket or HTTP server URL: \"%1\"")
                                     .arg(m_options.url.toDisplayString()))
                .setReason(QStringLiteral("invalid_url"));
    m_clock.start();

    m_heartbeatTimer->setInterval(
        std::max(m_options.heartbeatInterval, std::chrono::milliseconds(1)));
    connect(m_heartbeatTimer, &QTimer::timeout, this, &SdkSession::heartbeat);
    m_statusTimer->setInterval(
        std::max(m_options.statusPollInterval, std::chrono::milliseconds(1)));
    connect(m_statusTimer, &QTimer::timeout, this, &SdkSession::pollStatus);

    // The watchdog checks reply and read deadlines a few times per timeout.
    auto shortest = m_options.replyTimeout;
    if (m_options.readTimeout.count() > 0)
        shortest = std::min(shortest, m_options.readTimeout);
    m_watchdogTimer->setInterval(
        std::clamp(shortest / 4, std::chrono::milliseconds(20), std::chrono::milliseconds(1000)));
    connect(m_watchdogTimer, &QTimer::timeout, this, &SdkSession::watchdog);

    m_connectTimer->setSingleShot(true);
    connect(m_connectTimer, &QTimer::timeout, this, [this] {
        if (m_state == State::Connecting)
            abortConnection(QStringLiteral("no connection within %1")
                                .arg(sdk::secondsText(m_options.connectTimeout)));
    });
    m_reconnectTimer->setSingleShot(true);
    connect(m_reconnectTimer, &QTimer::timeout, this, &SdkSession::connectNow);
    m_cacheTimer->setInterval(
        std::max(m_options.cacheSaveInterval, std::chrono::milliseconds(100)));
    connect(m_cacheTimer, &QTimer::timeout, this, &SdkSession::saveCaches);
}

SdkSession::~SdkSession()
{
    m_closing = true;
    saveCaches();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket.reset();
    }
    m_pushes.clear();
    const Error closed = cancelledError(QStringLiteral("the transport was closed"));
    for (auto &[store, ch] : m_channels) {
        ch->mirror->disconnect(this);
        for (PendingRead &read : ch->reads)
            read.task(nullptr, closed);
        for (PendingLivePush &push : ch->livePushes)
            push.done(Result<QJsonObject>::failure(closed));
        for (PendingWrite &write : ch->writes) {
            Error error = closed;
            if (write.stage != PendingWrite::Stage::Queued)
                error.setDetail(QStringLiteral("the transport was closed before the write was "
                                               "acknowledged; it may have been applied"));
            write.done(Result<WriteResult>::failure(error));
        }
    }
    m_channels.clear();
    if (m_live)
        m_live->clear();
}

// ---- channels -----------------------------------------------------------------------------

SdkSession::Channel *SdkSession::channel(const QString &store) const
{
    const auto it = m_channels.find(store);
    return it == m_channels.end() ? nullptr : it->second.get();
}

SdkSession::Channel *SdkSession::ensureChannel(const QString &store)
{
    if (Channel *existing = channel(store))
        return existing;
    auto ch = std::make_unique<Channel>();
    ch->store = store;
    ch->topic = sdk::topicFor(store);
    ch->mirror = std::make_unique<Mirror>();
    Channel *raw = ch.get();
    Mirror *mirror = raw->mirror.get();
    connect(mirror, &Mirror::changed, mirror,
            [this, raw](const MirrorChangeBatch &batch) { onMirrorChanged(*raw, batch); });
    connect(mirror, &Mirror::reset, mirror, [this, raw] { onMirrorReset(*raw); });
    connect(mirror, &Mirror::eventRejected, mirror,
            [this, raw](qint64 storeSeq, const QString &reason) {
                reportProtocolError(QStringLiteral("%1: event %2 could not be applied: %3")
                                        .arg(raw->store)
                                        .arg(storeSeq)
                                        .arg(reason));
            });
    m_channels.emplace(store, std::move(ch));
    if (!m_watchdogTimer->isActive())
        m_watchdogTimer->start();

    if (!m_options.cacheDirectory.isEmpty()) {
        // The cached state first (it is shown at once, as a reset), then a join from its seq.
        // The file is keyed by the server URL without its query, which holds the token.
        QUrl server = m_url;
        server.setQuery(QString());
        raw->cache = std::make_unique<MirrorCache>(server, store, m_options.cacheDirectory);
        const MirrorCacheLoad loaded = raw->cache->load(*mirror);
        if (loaded.status == MirrorCacheLoad::Status::Loaded)
            raw->cachedSeq = loaded.lastSeq;
        else if (loaded.status == MirrorCacheLoad::Status::Rebuilt)
            emit cacheProblem(store, QStringLiteral("the local cache was unusable and is "
                                                    "rebuilt from the server: %1")
                                         .arg(loaded.problem));
        raw->cache->track(mirror); // after the load, so the next save can be incremental
        if (!m_cacheTimer->isActive())
            m_cacheTimer->start();
    }

    if (m_state == State::Connected)
        sendJoin(*raw);
    else
        ensureConnected();
    return raw;
}

void SdkSession::openStore(const QString &store)
{
    if (!sdk::isValidStoreName(store) || m_closing)
        return;
    Channel *ch = ensureChannel(store);
    reopenIfFailed(*ch);
}

void SdkSession::closeStore(const QString &store)
{
    const auto it = m_channels.find(store);
    if (it == m_channels.end())
        return;
    std::unique_ptr<Channel> ch = std::move(it->second);
    m_channels.erase(it);
    saveCache(*ch);
    ch->mirror->disconnect(this);
    m_live->setLive(store, false);
    if (m_state == State::Connected && !ch->joinRef.isEmpty())
        send(ch->topic, QStringLiteral("phx_leave"), QJsonObject(), ch->joinRef, Push{});

    const Error closed = cancelledError(QStringLiteral("the store %1 was closed").arg(store));
    for (PendingRead &read : ch->reads)
        read.task(nullptr, closed);
    for (PendingLivePush &push : ch->livePushes)
        push.done(Result<QJsonObject>::failure(closed));
    failWrites(*ch, closed);

    if (m_channels.empty()) {
        // Nothing left to keep the connection for.
        m_reconnectTimer->stop();
        m_watchdogTimer->stop();
        if (m_socket) {
            QWebSocket *socket = m_socket.release();
            socket->disconnect(this);
            socket->close();
            socket->deleteLater();
        }
        ++m_socketGeneration;
        m_heartbeatTimer->stop();
        m_statusTimer->stop();
        m_connectTimer->stop();
        m_heartbeatRef.clear();
        const auto pushes = std::exchange(m_pushes, {});
        for (const Push &push : pushes) {
            if (push.onLost)
                push.onLost();
        }
        m_attempt = 0;
        setState(State::Disconnected);
    }
}

void SdkSession::setWatched(const QString &store, bool watched)
{
    if (!sdk::isValidStoreName(store) || m_closing)
        return;
    if (watched) {
        Channel *ch = ensureChannel(store);
        ch->watched = true;
        reopenIfFailed(*ch);
    } else if (Channel *ch = channel(store)) {
        ch->watched = false;
        ch->pendingEvents.clear();
    }
}

void SdkSession::reopenIfFailed(Channel &ch)
{
    if (ch.state != ChannelState::Failed)
        return;
    ch.state = ChannelState::Idle;
    ch.failure.reset();
    ch.retryAttempts = 0;
    if (m_state == State::Connected)
        sendJoin(ch);
    else
        ensureConnected();
}

// ---- connection -----------------------------------------------------------------------------

void SdkSession::ensureConnected()
{
    if (m_state == State::Disconnected && !m_reconnectTimer->isActive() && !m_refusal)
        connectNow();
    else if (m_state == State::Disconnected && !m_reconnectTimer->isActive())
        scheduleReconnect();
}

void SdkSession::connectNow()
{
    m_reconnectTimer->stop();
    if (m_channels.empty() || m_closing || m_state != State::Disconnected || !m_url.isValid())
        return;
    if (m_socket) {
        QWebSocket *old = m_socket.release();
        old->disconnect(this);
        old->abort();
        old->deleteLater();
    }
    m_socket = std::make_unique<QWebSocket>(QString(), QWebSocketProtocol::VersionLatest);
    const quint64 generation = ++m_socketGeneration;
    QWebSocket *socket = m_socket.get();
    connect(socket, &QWebSocket::connected, this, [this, generation] {
        if (generation == m_socketGeneration)
            onConnected();
    });
    connect(socket, &QWebSocket::disconnected, this,
            [this, generation] { onSocketGone(generation); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, generation, socket](QAbstractSocket::SocketError) {
                if (generation != m_socketGeneration)
                    return;
                m_lastSocketError = socket->errorString();
                // A failed connection attempt may end without `disconnected`.
                QTimer::singleShot(0, this, [this, generation] {
                    if (generation == m_socketGeneration && m_socket &&
                        m_socket->state() == QAbstractSocket::UnconnectedState)
                        onSocketGone(generation);
                });
            });
    connect(socket, &QWebSocket::textMessageReceived, this, &SdkSession::onTextMessage);
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &data) {
        reportProtocolError(
            QStringLiteral("a binary frame of %1 bytes was ignored (vsn 2.0.0 is JSON text)")
                .arg(data.size()));
    });

    m_lastSocketError.clear();
    setState(State::Connecting);
    m_connectTimer->start(std::max(m_options.connectTimeout, std::chrono::milliseconds(1)));
    socket->open(m_url);
}

void SdkSession::onConnected()
{
    m_connectTimer->stop();
    setState(State::Connected);
    m_heartbeatRef.clear();
    m_heartbeatTimer->start();
    if (m_options.statusPollInterval.count() > 0)
        m_statusTimer->start();
    for (auto &[store, ch] : m_channels) {
        if (ch->state == ChannelState::Idle)
            sendJoin(*ch);
    }
}

void SdkSession::onSocketGone(quint64 generation)
{
    if (generation != m_socketGeneration || m_state == State::Disconnected || m_closing)
        return;
    const bool wasConnected = m_state == State::Connected;
    std::optional<Error> refusal;
    QString why = m_lastSocketError;
    if (m_socket) {
        const auto code = m_socket->closeCode();
        const QString reason = m_socket->closeReason();
        if (code == QWebSocketProtocol::CloseCodePolicyViolated) {
            if (reason == QLatin1String("unauthorized"))
                refusal =
                    Error(Error::Kind::Unauthorized, QStringLiteral("the server refused the token"))
                        .setReason(reason);
            else
                refusal = Error::protocol(
                              QStringLiteral("the server refused the connection: %1").arg(reason))
                              .setReason(reason);
        } else if (!reason.isEmpty()) {
            why = QStringLiteral("closed by the server (%1: %2)").arg(int(code)).arg(reason);
        } else if (wasConnected && code != QWebSocketProtocol::CloseCodeNormal && why.isEmpty()) {
            why = QStringLiteral("closed (%1)").arg(int(code));
        }
        if (!refusal && !wasConnected) {
            // The upgrade itself was refused (the hosted server answers 403). The device id
            // and capver 3 are always sent, so what the server refused is the token.
            if (const int status = refusedStatus(m_lastSocketError); status != 0)
                refusal =
                    Error(
                        Error::Kind::Unauthorized,
                        QStringLiteral("the server refused the token (%1)").arg(m_lastSocketError))
                        .setReason(QStringLiteral("unauthorized"))
                        .setHttpStatus(status);
        }
        QWebSocket *socket = m_socket.release();
        socket->disconnect(this);
        socket->deleteLater();
    }
    if (why.isEmpty())
        why = QStringLiteral("the connection closed");

    setState(State::Disconnected);
    m_connectTimer->stop();
    m_heartbeatTimer->stop();
    m_statusTimer->stop();
    m_heartbeatRef.clear();
    m_live->clear();

    for (auto &[store, ch] : m_channels) {
        ch->joinRef.clear();
        ch->liveBuffer.clear();
        ch->statusInFlight = false;
        if (ch->state != ChannelState::Failed)
            ch->state = ChannelState::Idle;
        for (PendingWrite &write : ch->writes) {
            if (write.stage == PendingWrite::Stage::Sent)
                write.stage = PendingWrite::Stage::MaybeSent;
        }
    }
    const auto pushes = std::exchange(m_pushes, {});
    for (const Push &push : pushes) {
        if (push.onLost)
            push.onLost();
    }

    const Error error =
        refusal ? *refusal
                : Error::network(wasConnected
                                     ? QStringLiteral("connection to %1 lost: %2")
                                           .arg(m_url.toDisplayString(QUrl::RemoveQuery), why)
                                     : QStringLiteral("cannot connect to %1: %2")
                                           .arg(m_url.toDisplayString(QUrl::RemoveQuery), why));
    if (refusal) {
        m_refusal = refusal;
        for (auto &[store, ch] : m_channels) {
            auto reads = std::exchange(ch->reads, {});
            for (PendingRead &read : reads)
                read.task(nullptr, *refusal);
            auto pushesOfChannel = std::exchange(ch->livePushes, {});
            for (PendingLivePush &push : pushesOfChannel)
                push.done(Result<QJsonObject>::failure(*refusal));
            failWrites(*ch, *refusal);
        }
    }
    emit connectionError(error);
    scheduleReconnect();
}

std::chrono::milliseconds SdkSession::backoff(int attempt) const
{
    return ReconnectBackoff(m_options.reconnectDelay, m_options.maxReconnectDelay)
        .delay(attempt, *QRandomGenerator::global());
}

void SdkSession::scheduleReconnect()
{
    if (m_closing || m_channels.empty() || m_reconnectTimer->isActive() || !m_url.isValid())
        return;
    m_reconnectTimer->start(backoff(m_attempt));
    if (m_attempt < 30)
        ++m_attempt;
}

void SdkSession::abortConnection(const QString &why)
{
    if (!m_socket || m_state == State::Disconnected)
        return;
    m_lastSocketError = why;
    const quint64 generation = m_socketGeneration;
    m_socket->abort();
    onSocketGone(generation);
}

void SdkSession::dropConnection()
{
    abortConnection(QStringLiteral("dropped on request"));
}

void SdkSession::reconnectNow()
{
    if (m_state != State::Disconnected)
        abortConnection(QStringLiteral("reconnecting on request"));
    m_reconnectTimer->stop();
    m_attempt = 0;
    connectNow();
}

void SdkSession::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

qint64 SdkSession::deadlineIn(std::chrono::milliseconds timeout) const
{
    return timeout.count() > 0 ? now() + timeout.count() : -1;
}

// ---- frames ---------------------------------------------------------------------------------

QString SdkSession::send(const QString &topic, const QString &event, const QJsonValue &payload,
                         const std::optional<QString> &joinRef, Push push, QString ref)
{
    if (ref.isEmpty())
        ref = nextRef();
    if (!m_socket || m_state != State::Connected) {
        if (push.onLost)
            push.onLost();
        return ref;
    }
    push.topic = topic;
    push.sentAt = now();
    m_pushes.insert(ref, std::move(push));
    const PhoenixMessage message{joinRef, ref, topic, event, payload};
    m_socket->sendTextMessage(QString::fromUtf8(message.encode()));
    return ref;
}

void SdkSession::onTextMessage(const QString &text)
{
    auto decoded = m_decoder.decode(QStringView(text));
    if (!decoded) {
        reportProtocolError(QStringLiteral("malformed frame: ") + decoded.error());
        return;
    }
    const DecodedFrame &frame = *decoded;
    if (frame.kind == DecodedFrame::Kind::Reply) {
        onReply(frame);
        return;
    }
    if (!frame.topic.startsWith("store:"))
        return;
    Channel *ch = channel(QString::fromUtf8(frame.topic.sliced(6)));
    if (!ch)
        return;
    // A frame of an earlier join of this topic (before a rejoin) is stale.
    if (frame.joinRef && (ch->joinRef.isEmpty() || *frame.joinRef != ch->joinRef.toLatin1()))
        return;

    switch (frame.kind) {
    case DecodedFrame::Kind::Event:
        onEvent(*ch, frame);
        break;
    case DecodedFrame::Kind::Snapshot:
        if (ch->state == ChannelState::CatchingUp) {
            ch->mirror->applySnapshot(frame.snapshot);
            ch->snapshotSeq = std::max(ch->snapshotSeq, frame.snapshot.snapshotSeq);
        } else
            reportProtocolError(
                QStringLiteral("%1: a snapshot outside catch-up was ignored").arg(ch->store));
        break;
    case DecodedFrame::Kind::CatchUpComplete:
        if (ch->state == ChannelState::CatchingUp)
            finishCatchUp(*ch, frame.throughSeq);
        break;
    case DecodedFrame::Kind::Other:
        if (frame.event == "phx_close")
            onChannelClosed(*ch, false);
        else if (frame.event == "phx_error")
            onChannelClosed(*ch, true);
        break;
    case DecodedFrame::Kind::Reply:
        break;
    }
}

void SdkSession::onReply(const DecodedFrame &frame)
{
    if (!frame.ref)
        return;
    const auto it = m_pushes.find(QString::fromUtf8(*frame.ref));
    if (it == m_pushes.end())
        return; // a late reply to a request given up on
    Push push = std::move(*it);
    m_pushes.erase(it);
    const bool ok = frame.replyStatus == "ok";
    QJsonObject response;
    if (!frame.payload.isEmpty()) {
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(frame.payload.toByteArray(), &error);
        if (document.isObject())
            response = document.object();
        else if (error.error != QJsonParseError::NoError)
            reportProtocolError(QStringLiteral("a reply's response is not valid JSON: ") +
                                error.errorString());
    }
    if (!ok && frame.replyStatus != "error")
        reportProtocolError(QStringLiteral("a reply with status \"%1\" read as an error")
                                .arg(QString::fromUtf8(frame.replyStatus)));
    if (push.onReply)
        push.onReply(ok, response);
}

void SdkSession::onEvent(Channel &ch, const DecodedFrame &frame)
{
    const EventView &event = frame.change;
    // Own writes: their events come before their replies, and after a reconnect the
    // catch-up shows which of the unacknowledged ones committed.
    if (!ch.writeIndex.isEmpty() && !event.clientOpId.isEmpty()) {
        const auto it = ch.writeIndex.constFind(QString::fromUtf8(event.clientOpId));
        if (it != ch.writeIndex.cend())
            (*it)->echoSeq = event.storeSeq;
    }
    const bool live = !frame.joinRef.has_value();
    switch (ch.state) {
    case ChannelState::Joining:
    case ChannelState::CatchingUp:
        if (live)
            ch.liveBuffer.push_back(RawEvent::fromView(event));
        else if (ch.state == ChannelState::CatchingUp)
            applyToMirror(ch, event, false);
        break;
    case ChannelState::Live:
        applyLive(ch, event);
        break;
    case ChannelState::Idle:
    case ChannelState::Failed:
        break;
    }
}

void SdkSession::applyToMirror(Channel &ch, const EventView &event, bool live)
{
    m_applying = &event;
    ch.mirror->apply(event, live ? EventSource::Live : EventSource::CatchUp);
    m_applying = nullptr;
}

void SdkSession::applyLive(Channel &ch, const EventView &event)
{
    const qint64 last = ch.mirror->lastSeq();
    if (event.storeSeq <= last)
        return; // already applied
    if (event.storeSeq > last + 1) {
        // Ops in between were not pushed (REST writes, §5.10): catch up from where the
        // mirror stands; this event comes again with them.
        rejoin(ch, false);
        return;
    }
    applyToMirror(ch, event, true);
}

void SdkSession::finishCatchUp(Channel &ch, qint64 throughSeq)
{
    ch.mirror->endCatchUp(throughSeq);
    std::vector<RawEvent> buffered = std::exchange(ch.liveBuffer, {});
    std::stable_sort(buffered.begin(), buffered.end(),
                     [](const RawEvent &a, const RawEvent &b) { return a.storeSeq < b.storeSeq; });
    ch.state = ChannelState::Live;
    for (const RawEvent &raw : buffered) {
        applyLive(ch, raw.view());
        if (ch.state != ChannelState::Live)
            return; // a gap: rejoined
    }
    if (ch.mirror->lastSeq() < throughSeq) {
        reportProtocolError(QStringLiteral("%1: catch-up ended at %2 but the server said %3")
                                .arg(ch.store)
                                .arg(ch.mirror->lastSeq())
                                .arg(throughSeq));
        retryLater(ch);
        return;
    }
    goLive(ch);
}

void SdkSession::goLive(Channel &ch)
{
    ch.state = ChannelState::Live;
    ch.retryAttempts = 0;
    m_live->setLive(ch.store, true);
    flushChannel(ch);
    emit storeLive(ch.store, ch.mirror->lastSeq());
    saveCache(ch);

    auto reads = std::exchange(ch.reads, {});
    for (PendingRead &read : reads)
        read.task(ch.mirror.get(), Error());
    // A read task cannot close the channel (it runs user code that only talks to the
    // transport through queued calls), so `ch` is still valid here.
    auto pushes = std::exchange(ch.livePushes, {});
    for (PendingLivePush &push : pushes)
        sendLivePush(ch, std::move(push));
    flushWrites(ch);
}

void SdkSession::saveCache(Channel &ch)
{
    // Only a caught-up state is worth keeping: a partial catch-up would be taken for the
    // whole store at that seq.
    if (!ch.cache || ch.state != ChannelState::Live || ch.mirror->lastSeq() == ch.cachedSeq)
        return;
    const auto saved = ch.cache->save(*ch.mirror);
    if (saved) {
        ch.cachedSeq = ch.mirror->lastSeq();
    } else {
        ch.cachedSeq = -1;
        emit cacheProblem(
            ch.store,
            QStringLiteral("the local cache could not be written: %1").arg(saved.error()));
    }
}

void SdkSession::saveCaches()
{
    for (auto &[store, ch] : m_channels)
        saveCache(*ch);
}

void SdkSession::onChannelClosed(Channel &ch, bool crashed)
{
    // The server closed (or lost) our channel: requests in flight on it get no reply.
    QList<QString> refs;
    for (auto it = m_pushes.cbegin(); it != m_pushes.cend(); ++it) {
        if (it->topic == ch.topic)
            refs.append(it.key());
    }
    for (const QString &ref : refs) {
        Push push = m_pushes.take(ref);
        if (push.onLost)
            push.onLost();
    }
    for (PendingWrite &write : ch.writes) {
        if (write.stage == PendingWrite::Stage::Sent)
            write.stage = PendingWrite::Stage::MaybeSent;
    }
    ch.joinRef.clear();
    ch.liveBuffer.clear();
    ch.statusInFlight = false;
    reportProtocolError(
        crashed ? QStringLiteral("%1: the server's channel failed; rejoining").arg(ch.store)
                : QStringLiteral("%1: the server closed the channel; rejoining").arg(ch.store));
    retryLater(ch);
}

// ---- joining --------------------------------------------------------------------------------

void SdkSession::sendJoin(Channel &ch)
{
    if (m_state != State::Connected)
        return;
    const QString store = ch.store;
    const QString ref = nextRef(); // a join's ref is also its join_ref
    ch.joinRef = ref;
    ch.state = ChannelState::Joining;
    ch.liveBuffer.clear();
    Push push;
    push.onReply = [this, store, ref](bool ok, const QJsonObject &response) {
        onJoinReply(store, ref, ok, response);
    };
    send(ch.topic, QStringLiteral("phx_join"),
         QJsonObject{{QStringLiteral("last_store_seq"), ch.mirror->lastSeq()}}, ref,
         std::move(push), ref);
}

void SdkSession::rejoin(Channel &ch, bool fromScratch)
{
    m_live->setLive(ch.store, false);
    ch.liveBuffer.clear();
    if (m_state == State::Connected && !ch.joinRef.isEmpty())
        send(ch.topic, QStringLiteral("phx_leave"), QJsonObject(), ch.joinRef, Push{});
    ch.joinRef.clear();
    ch.state = ChannelState::Idle;
    if (fromScratch)
        ch.mirror->clear();
    if (m_state == State::Connected)
        sendJoin(ch);
}

void SdkSession::retryLater(Channel &ch)
{
    m_live->setLive(ch.store, false);
    if (m_state == State::Connected && !ch.joinRef.isEmpty())
        send(ch.topic, QStringLiteral("phx_leave"), QJsonObject(), ch.joinRef, Push{});
    ch.joinRef.clear();
    ch.liveBuffer.clear();
    ch.state = ChannelState::Idle;
    const QString store = ch.store;
    const quint64 generation = m_socketGeneration;
    QTimer::singleShot(backoff(ch.retryAttempts), this, [this, store, generation] {
        Channel *c = channel(store);
        if (c && c->state == ChannelState::Idle && m_state == State::Connected &&
            generation == m_socketGeneration)
            sendJoin(*c);
    });
    if (ch.retryAttempts < 30)
        ++ch.retryAttempts;
}

void SdkSession::onJoinReply(const QString &store, const QString &joinRef, bool ok,
                             const QJsonObject &response)
{
    Channel *ch = channel(store);
    if (!ch || ch->joinRef != joinRef || ch->state != ChannelState::Joining)
        return;
    if (!ok) {
        failChannel(*ch, sdk::errorFromReply(response));
        return;
    }
    m_refusal.reset();
    m_attempt = 0;
    const sdk::StorePermissions permissions = sdk::permissionsFromJoinReply(response);
    ch->permissions = permissions;
    emit storeJoined(store, permissions);

    const auto serverSeq = values::integerValue(response.value(QLatin1String("store_seq")));
    if (serverSeq && *serverSeq < ch->mirror->lastSeq()) {
        // The server is behind us (it was reset or restored): our state is not its state.
        reportProtocolError(QStringLiteral("%1: the server is at seq %2, behind the local %3; "
                                           "reloading the store")
                                .arg(store)
                                .arg(*serverSeq)
                                .arg(ch->mirror->lastSeq()));
        rejoin(*ch, true);
        return;
    }
    ch->state = ChannelState::CatchingUp;
    ch->mirror->beginCatchUp();
    if (!permissions.write)
        failWrites(*ch, Error(Error::Kind::Forbidden,
                              QStringLiteral("the store %1 is read-only for this token").arg(store))
                            .setReason(QStringLiteral("missing_scope")));
}

void SdkSession::failChannel(Channel &ch, const Error &error)
{
    ch.state = ChannelState::Failed;
    ch.failure = error;
    ch.joinRef.clear();
    ch.liveBuffer.clear();
    m_live->setLive(ch.store, false);
    // The store's error is signalled before its calls fail with it.
    emit storeError(ch.store, error);
    auto reads = std::exchange(ch.reads, {});
    for (PendingRead &read : reads)
        read.task(nullptr, error);
    auto pushes = std::exchange(ch.livePushes, {});
    for (PendingLivePush &push : pushes)
        push.done(Result<QJsonObject>::failure(error));
    failWrites(ch, error);
}

// ---- operations -----------------------------------------------------------------------------

void SdkSession::whenLive(const QString &store, MirrorTask task)
{
    if (!sdk::isValidStoreName(store)) {
        task(nullptr, sdk::invalidStoreName(store));
        return;
    }
    if (m_refusal) {
        ensureChannel(store);
        task(nullptr, *m_refusal);
        return;
    }
    Channel *ch = ensureChannel(store);
    reopenIfFailed(*ch);
    if (ch->state == ChannelState::Live) {
        task(ch->mirror.get(), Error());
        return;
    }
    ch->reads.push_back(
        PendingRead{++m_nextId, std::move(task), deadlineIn(m_options.readTimeout)});
}

void SdkSession::write(const QString &store, SdkWriteRequest request, WriteDone done)
{
    if (!sdk::isValidStoreName(store)) {
        done(Result<WriteResult>::failure(sdk::invalidStoreName(store)));
        return;
    }
    if (m_refusal) {
        ensureChannel(store);
        done(Result<WriteResult>::failure(*m_refusal));
        return;
    }
    Channel *ch = ensureChannel(store);
    reopenIfFailed(*ch);
    if (ch->permissions && !ch->permissions->write) {
        done(Result<WriteResult>::failure(
            Error(Error::Kind::Forbidden,
                  QStringLiteral("the store %1 is read-only for this token").arg(store))
                .setReason(QStringLiteral("missing_scope"))));
        return;
    }

    PendingWrite write;
    write.clientOpId = sdk::makeClientOpId();
    write.payload = request.payload(write.clientOpId);
    write.request = std::move(request);
    write.done = std::move(done);
    ch->writes.push_back(std::move(write));
    ch->writeIndex.insert(ch->writes.back().clientOpId, std::prev(ch->writes.end()));
    if (ch->state == ChannelState::Live)
        sendWrite(*ch, ch->writes.back());
}

void SdkSession::push(const QString &store, const QString &event, const QJsonObject &payload,
                      PushDone done)
{
    if (!sdk::isValidStoreName(store)) {
        done(Result<QJsonObject>::failure(sdk::invalidStoreName(store)));
        return;
    }
    if (m_refusal) {
        ensureChannel(store);
        done(Result<QJsonObject>::failure(*m_refusal));
        return;
    }
    Channel *ch = ensureChannel(store);
    reopenIfFailed(*ch);
    PendingLivePush pending{++m_nextId, event, payload, std::move(done),
                            deadlineIn(m_options.readTimeout)};
    if (ch->state == ChannelState::Live)
        sendLivePush(*ch, std::move(pending));
    else
        ch->livePushes.push_back(std::move(pending));
}

void SdkSession::sendLivePush(Channel &ch, PendingLivePush pending)
{
    auto done = std::make_shared<PushDone>(std::move(pending.done));
    Push push;
    push.onReply = [done](bool ok, const QJsonObject &response) {
        if (ok)
            (*done)(response);
        else
            (*done)(Result<QJsonObject>::failure(sdk::errorFromReply(response)));
    };
    push.onLost = [done] {
        (*done)(Result<QJsonObject>::failure(Error::network(
            QStringLiteral("the connection was lost before the server answered; the request "
                           "may or may not have been applied"))));
    };
    send(ch.topic, pending.event, pending.payload, ch.joinRef, std::move(push));
}

void SdkSession::sendWrite(Channel &ch, PendingWrite &write)
{
    const QString store = ch.store;
    const QString opId = write.clientOpId;
    write.stage = PendingWrite::Stage::Sent;
    write.sentAtSeq = ch.mirror->lastSeq();
    Push push;
    push.onReply = [this, store, opId](bool ok, const QJsonObject &response) {
        onWriteReply(store, opId, ok, response);
    };
    push.onLost = [this, store, opId] {
        if (Channel *c = channel(store)) {
            const auto it = c->writeIndex.constFind(opId);
            if (it != c->writeIndex.cend() && (*it)->stage == PendingWrite::Stage::Sent)
                (*it)->stage = PendingWrite::Stage::MaybeSent;
        }
    };
    send(ch.topic, QStringLiteral("write"), write.payload, ch.joinRef, std::move(push));
}

void SdkSession::onWriteReply(const QString &store, const QString &clientOpId, bool ok,
                              const QJsonObject &response)
{
    Channel *ch = channel(store);
    if (!ch)
        return;
    const auto found = ch->writeIndex.constFind(clientOpId);
    if (found == ch->writeIndex.cend())
        return;
    const auto it = *found;
    if (ok) {
        completeWrite(*ch, it, sdk::writeResultFromReply(response, it->echoSeq.value_or(0)));
        return;
    }
    Error error = sdk::errorFromReply(response);
    if (error.reason() == QLatin1String("unmatched topic")) {
        // The server does not know our channel (it restarted under us): nothing committed.
        it->stage = PendingWrite::Stage::Queued;
        if (ch->state == ChannelState::Live)
            rejoin(*ch, false);
        return;
    }
    error.setPath(it->request.path.rendered());
    if (error.kind() == Error::Kind::Conflict && !error.currentRevision())
        error.setCurrentRevision(leafRevision(*ch, it->request.path));
    completeWrite(*ch, it, Result<WriteResult>::failure(error));
}

void SdkSession::completeWrite(Channel &ch, std::list<PendingWrite>::iterator it,
                               Result<WriteResult> result)
{
    WriteDone done = std::move(it->done);
    ch.writeIndex.remove(it->clientOpId);
    ch.writes.erase(it);
    if (done)
        done(std::move(result));
}

void SdkSession::flushWrites(Channel &ch)
{
    for (auto it = ch.writes.begin(); it != ch.writes.end();) {
        const auto next = std::next(it);
        switch (it->stage) {
        case PendingWrite::Stage::MaybeSent:
            // Never send twice what already committed (an increment would count twice).
            if (it->echoSeq || ch.mirror->hasSeenClientOpId(it->clientOpId)) {
                WriteResult result;
                result.storeSeq = it->echoSeq.value_or(0);
                completeWrite(ch, it, std::move(result));
            } else if (ch.snapshotSeq > it->sentAtSeq && !it->request.safeToRepeat()) {
                // A snapshot replaced the ops after the send: whether this one committed
                // cannot be seen any more, and sending it again could apply it twice.
                Error error(Error::Kind::Network,
                            QStringLiteral("the connection dropped before the server "
                                           "acknowledged the write, and the server has since "
                                           "compacted its log, so whether it was applied "
                                           "cannot be told; it was not sent again"));
                error.setReason(QStringLiteral("outcome_unknown"));
                error.setPath(it->request.path.rendered());
                completeWrite(ch, it, Result<WriteResult>::failure(error));
            } else {
                sendWrite(ch, *it);
            }
            break;
        case PendingWrite::Stage::Queued:
            sendWrite(ch, *it);
            break;
        case PendingWrite::Stage::Sent:
            break;
        }
        if (ch.state != ChannelState::Live)
            return;
        it = next;
    }
}

void SdkSession::failWrites(Channel &ch, const Error &error)
{
    std::list<PendingWrite> writes = std::exchange(ch.writes, {});
    ch.writeIndex.clear();
    for (PendingWrite &write : writes) {
        Error e = error;
        e.setPath(write.request.path.rendered());
        if (write.stage != PendingWrite::Stage::Queued && e.kind() != Error::Kind::Forbidden)
            e.setDetail(e.detail() + QStringLiteral(" (the write was sent before; it may have "
                                                    "been applied)"));
        if (write.done)
            write.done(Result<WriteResult>::failure(e));
    }
}

std::optional<qint64> SdkSession::leafRevision(const Channel &ch, const Path &path) const
{
    const std::optional<Entry> entry = ch.mirror->get(path);
    if (!entry)
        return std::nullopt;
    // An assembled subtree (no leaf at the path itself) has no revision of its own.
    if (entry->type == QLatin1String("map") && !values::isTypedEnvelope(entry->value.toObject()))
        return std::nullopt;
    return entry->revision;
}

// ---- timers ---------------------------------------------------------------------------------

void SdkSession::pollStatus()
{
    if (m_state != State::Connected)
        return;
    for (auto &[store, ch] : m_channels) {
        if (ch->state != ChannelState::Live || ch->statusInFlight)
            continue;
        ch->statusInFlight = true;
        const QString name = store;
        Push push;
        push.onReply = [this, name](bool ok, const QJsonObject &response) {
            Channel *c = channel(name);
            if (!c)
                return;
            c->statusInFlight = false;
            if (!ok || c->state != ChannelState::Live)
                return;
            const auto current = values::integerValue(response.value(QLatin1String("current_seq")));
            if (current && *current > c->mirror->lastSeq())
                rejoin(*c, false); // writes that were not pushed: catch up on them
        };
        push.onLost = [this, name] {
            if (Channel *c = channel(name))
                c->statusInFlight = false;
        };
        send(ch->topic, QStringLiteral("status"), QJsonObject(), ch->joinRef, std::move(push));
    }
}

void SdkSession::heartbeat()
{
    if (m_state != State::Connected)
        return;
    if (!m_heartbeatRef.isEmpty()) {
        abortConnection(QStringLiteral("no heartbeat reply within %1")
                            .arg(sdk::secondsText(m_options.heartbeatInterval)));
        return;
    }
    Push push;
    push.onReply = [this](bool, const QJsonObject &) {
        m_heartbeatRef.clear();
    };
    m_heartbeatRef = send(QString(kPhoenixTopic), QStringLiteral("heartbeat"), QJsonObject(),
                          std::nullopt, std::move(push));
}

void SdkSession::watchdog()
{
    const qint64 t = now();
    if (m_state == State::Connected && m_options.replyTimeout.count() > 0) {
        for (const Push &push : std::as_const(m_pushes)) {
            if (t - push.sentAt > m_options.replyTimeout.count()) {
                abortConnection(QStringLiteral("no reply from the server within %1")
                                    .arg(sdk::secondsText(m_options.replyTimeout)));
                break;
            }
        }
    }
    for (auto &[store, ch] : m_channels) {
        const auto expired = [t](qint64 deadline) {
            return deadline >= 0 && deadline <= t;
        };
        if (std::any_of(ch->reads.begin(), ch->reads.end(),
                        [&](const PendingRead &r) { return expired(r.deadline); })) {
            std::vector<PendingRead> keep;
            std::vector<PendingRead> due;
            for (PendingRead &read : ch->reads)
                (expired(read.deadline) ? due : keep).push_back(std::move(read));
            ch->reads = std::move(keep);
            const Error error =
                Error::network(QStringLiteral("the store %1 did not finish catching up within %2")
                                   .arg(store, sdk::secondsText(m_options.readTimeout)));
            for (PendingRead &read : due)
                read.task(nullptr, error);
        }
        if (std::any_of(ch->livePushes.begin(), ch->livePushes.end(),
                        [&](const PendingLivePush &p) { return expired(p.deadline); })) {
            std::vector<PendingLivePush> keep;
            std::vector<PendingLivePush> due;
            for (PendingLivePush &push : ch->livePushes)
                (expired(push.deadline) ? due : keep).push_back(std::move(push));
            ch->livePushes = std::move(keep);
            const Error error =
                Error::network(QStringLiteral("the store %1 was not reachable within %2")
                                   .arg(store, sdk::secondsText(m_options.readTimeout)));
            for (PendingLivePush &push : due)
                push.done(Result<QJsonObject>::failure(error));
        }
    }
}

// ---- changes to the transport's thread -------------------------------------------------------

void SdkSession::onMirrorChanged(Channel &ch, const MirrorChangeBatch &batch)
{
    ch.pendingBatches.append(batch);
    if (ch.watched && m_applying)
        ch.pendingEvents.append(m_applying->toChangeEvent());
    scheduleFlush();
}

void SdkSession::onMirrorReset(Channel &ch)
{
    // What was collected before the reset goes first, then the reset.
    flushChannel(ch);
    ch.cachedSeq = -1; // the cache follows the reset (MirrorCache::track): save it whole
    emit storeReset(ch.store);
}

void SdkSession::scheduleFlush()
{
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    QTimer::singleShot(0, this, &SdkSession::flush);
}

void SdkSession::flush()
{
    m_flushScheduled = false;
    for (auto &[store, ch] : m_channels)
        flushChannel(*ch);
    if (m_protocolErrorCount > 0) {
        emit protocolError(m_protocolErrorDetail, m_protocolErrorCount);
        m_protocolErrorCount = 0;
        m_protocolErrorDetail.clear();
    }
}

void SdkSession::flushChannel(Channel &ch)
{
    if (ch.pendingBatches.isEmpty() && ch.pendingEvents.isEmpty())
        return;
    emit storeChanges(ch.store, std::exchange(ch.pendingBatches, {}),
                      std::exchange(ch.pendingEvents, {}));
}

void SdkSession::reportProtocolError(const QString &detail)
{
    m_protocolErrorDetail = detail;
    ++m_protocolErrorCount;
    scheduleFlush();
}

} // namespace dust
