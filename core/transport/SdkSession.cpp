#include "SdkSession.h"

#include "SdkSocket.h"
#include "TransportPicker.h"
#include "protocol/JsonBytes.h"
#include "sync/EventFrameDecoder.h"

#include <QTimer>

#include <algorithm>
#include <utility>

namespace dust {

namespace {

Error cancelledError(const QString &why)
{
    return Error(Error::Kind::Cancelled, why);
}

} // namespace

SdkSession::SdkSession(const SdkOptions &options, QString deviceId, LiveStores *live,
                       QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_live(live)
    , m_socket(new SdkSocket(m_options, deviceId, this))
    , m_statusTimer(new QTimer(this))
    , m_deadlineTimer(new QTimer(this))
    , m_cacheTimer(new QTimer(this))
{
    connect(m_socket, &SdkSocket::stateChanged, this, &SdkSession::onSocketState);
    connect(m_socket, &SdkSocket::connectionFailed, this, &SdkSession::onConnectionFailed);
    connect(m_socket, &SdkSocket::reconnectScheduled, this, &SdkSession::reconnectScheduled);
    connect(m_socket, &SdkSocket::frameReceived, this, &SdkSession::onFrame);
    connect(m_socket, &SdkSocket::protocolError, this, &SdkSession::reportProtocolError);

    using std::chrono::milliseconds;
    m_statusTimer->setInterval(std::max(m_options.statusPollInterval, milliseconds(1)));
    connect(m_statusTimer, &QTimer::timeout, this, &SdkSession::pollStatus);
    // Read deadlines are checked a few times per timeout.
    m_deadlineTimer->setInterval(
        std::clamp(m_options.readTimeout / 4, milliseconds(20), milliseconds(1000)));
    connect(m_deadlineTimer, &QTimer::timeout, this, &SdkSession::expireWaiting);
    m_cacheTimer->setInterval(std::max(m_options.cacheSaveInterval, milliseconds(100)));
    connect(m_cacheTimer, &QTimer::timeout, this, &SdkSession::saveCaches);
}

SdkSession::~SdkSession()
{
    m_closing = true;
    saveCaches();
    const Error closed = cancelledError(QStringLiteral("the transport was closed"));
    for (auto &[store, ch] : m_channels)
        ch->shutdown(closed);
    m_channels.clear();
    // Requests still in flight are dropped unanswered.
    delete std::exchange(m_socket, nullptr);
    if (m_live)
        m_live->clear();
}

// ---- channels -----------------------------------------------------------------------------

StoreChannel *SdkSession::channel(const QString &store) const
{
    const auto it = m_channels.find(store);
    return it == m_channels.end() ? nullptr : it->second.get();
}

StoreChannel *SdkSession::ensureChannel(const QString &store)
{
    if (StoreChannel *existing = channel(store))
        return existing;
    auto owned = std::make_unique<StoreChannel>(store, m_options, *m_socket, *m_live);
    StoreChannel *ch = owned.get();
    connect(ch, &StoreChannel::joined, this, &SdkSession::storeJoined);
    connect(ch, &StoreChannel::live, this, &SdkSession::storeLive);
    connect(ch, &StoreChannel::changes, this, &SdkSession::storeChanges);
    connect(ch, &StoreChannel::reset, this, &SdkSession::storeReset);
    connect(ch, &StoreChannel::failed, this, &SdkSession::storeError);
    connect(ch, &StoreChannel::cacheProblem, this, &SdkSession::cacheProblem);
    connect(ch, &StoreChannel::loadedFromCache, this, &SdkSession::storeLoadedFromCache);
    connect(ch, &StoreChannel::catchUpProgress, this, &SdkSession::catchUpProgress);
    connect(ch, &StoreChannel::catchUpCancelled, this, &SdkSession::catchUpCancelled);
    connect(ch, &StoreChannel::changesPending, this, &SdkSession::scheduleFlush);
    connect(ch, &StoreChannel::protocolError, this, &SdkSession::reportProtocolError);
    m_channels.emplace(store, std::move(owned));
    if (m_options.readTimeout.count() > 0 && !m_deadlineTimer->isActive())
        m_deadlineTimer->start();
    if (!m_options.cacheDirectory.isEmpty() && !m_cacheTimer->isActive())
        m_cacheTimer->start();
    ch->start();
    return ch;
}

template <typename Fail> StoreChannel *SdkSession::channelForCall(const QString &store, Fail &&fail)
{
    if (!sdk::isValidStoreName(store)) {
        fail(sdk::invalidStoreName(store));
        return nullptr;
    }
    if (const std::optional<Error> refusal = m_socket->refusal()) {
        ensureChannel(store);
        fail(*refusal);
        return nullptr;
    }
    StoreChannel *ch = ensureChannel(store);
    ch->reopenIfFailed();
    return ch;
}

void SdkSession::openStore(const QString &store)
{
    if (!sdk::isValidStoreName(store) || m_closing)
        return;
    ensureChannel(store)->resume();
}

void SdkSession::cancelCatchUp(const QString &store)
{
    if (StoreChannel *ch = channel(store))
        ch->cancelCatchUp();
}

void SdkSession::closeStore(const QString &store)
{
    const auto it = m_channels.find(store);
    if (it == m_channels.end())
        return;
    std::unique_ptr<StoreChannel> ch = std::move(it->second);
    m_channels.erase(it);
    ch->close(cancelledError(QStringLiteral("the store %1 was closed").arg(store)));
    if (m_channels.empty()) {
        // Nothing left to keep the connection for.
        m_deadlineTimer->stop();
        m_statusTimer->stop();
        m_socket->close();
    }
}

void SdkSession::setWatched(const QString &store, bool watched)
{
    if (!sdk::isValidStoreName(store) || m_closing)
        return;
    if (watched) {
        StoreChannel *ch = ensureChannel(store);
        ch->setWatched(true);
        ch->reopenIfFailed();
    } else if (StoreChannel *ch = channel(store)) {
        ch->setWatched(false);
    }
}

// ---- operations -----------------------------------------------------------------------------

void SdkSession::whenLive(const QString &store, MirrorTask task)
{
    if (StoreChannel *ch =
            channelForCall(store, [&task](const Error &error) { task(nullptr, error); }))
        ch->whenLive(std::move(task));
}

void SdkSession::withCurrent(const QString &store, MirrorTask task)
{
    if (!sdk::isValidStoreName(store)) {
        task(nullptr, sdk::invalidStoreName(store));
        return;
    }
    if (m_closing) {
        task(nullptr, cancelledError(QStringLiteral("the transport was closed")));
        return;
    }
    // Not channelForCall(): a refused connection still leaves the cached copy to show.
    StoreChannel *ch = ensureChannel(store);
    ch->reopenIfFailed();
    ch->withCurrent(task);
}

void SdkSession::write(const QString &store, SdkWriteRequest request, WriteDone done)
{
    if (StoreChannel *ch = channelForCall(
            store, [&done](const Error &error) { done(Result<WriteResult>::failure(error)); }))
        ch->write(std::move(request), std::move(done));
}

void SdkSession::push(const QString &store, const QString &event, const QJsonObject &payload,
                      PushDone done)
{
    if (StoreChannel *ch = channelForCall(
            store, [&done](const Error &error) { done(Result<QJsonObject>::failure(error)); }))
        ch->push(event, payload, std::move(done));
}

void SdkSession::dropConnection()
{
    m_socket->abort(QStringLiteral("dropped on request"));
}

void SdkSession::reconnectNow()
{
    m_socket->reconnectNow();
}

// ---- the socket -----------------------------------------------------------------------------

void SdkSession::onSocketState(SdkConnectionState state)
{
    emit stateChanged(state);
    switch (state) {
    case SdkConnectionState::Connected:
        if (m_options.statusPollInterval.count() > 0)
            m_statusTimer->start();
        for (auto &[store, ch] : m_channels)
            ch->onConnected();
        break;
    case SdkConnectionState::Disconnected:
        m_statusTimer->stop();
        m_live->clear();
        for (auto &[store, ch] : m_channels)
            ch->onDisconnected();
        break;
    case SdkConnectionState::Connecting:
        break;
    }
}

void SdkSession::onConnectionFailed(const Error &error, bool refused)
{
    if (refused) {
        for (auto &[store, ch] : m_channels)
            ch->failWaiting(error);
    }
    emit connectionError(error);
}

void SdkSession::onFrame(const DecodedFrame &frame)
{
    if (!frame.topic.startsWith("store:"))
        return;
    if (StoreChannel *ch = channel(jsonbytes::textFromUtf8(frame.topic.sliced(6))))
        ch->onFrame(frame);
}

// ---- timers ---------------------------------------------------------------------------------

void SdkSession::pollStatus()
{
    if (!m_socket->isConnected())
        return;
    for (auto &[store, ch] : m_channels)
        ch->pollStatus();
}

void SdkSession::expireWaiting()
{
    for (auto &[store, ch] : m_channels)
        ch->expireWaiting();
}

void SdkSession::saveCaches()
{
    for (auto &[store, ch] : m_channels)
        ch->saveCache();
}

// ---- changes to the transport's thread -------------------------------------------------------

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
        ch->flushChanges();
    if (m_protocolErrorCount > 0) {
        emit protocolError(m_protocolErrorDetail, m_protocolErrorCount);
        m_protocolErrorCount = 0;
        m_protocolErrorDetail.clear();
    }
}

void SdkSession::reportProtocolError(const QString &detail)
{
    m_protocolErrorDetail = detail;
    ++m_protocolErrorCount;
    scheduleFlush();
}

} // namespace dust
