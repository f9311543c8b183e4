#include "StoreChannel.h"

#include "SdkSocket.h"
#include "TransportPicker.h"
#include "protocol/Values.h"
#include "sync/EventFrameDecoder.h"
#include "sync/Mirror.h"
#include "sync/MirrorCache.h"

#include <QFileInfo>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace dust {

namespace {

Error readOnlyError(const QString &store)
{
    return Error(Error::Kind::Forbidden,
                 QStringLiteral("the store %1 is read-only for this token").arg(store))
        .setReason(QStringLiteral("missing_scope"));
}

// Moves the items of `items` whose deadline has passed out, in order.
template <typename T> std::vector<T> takeExpired(std::vector<T> &items)
{
    std::vector<T> due;
    if (std::none_of(items.begin(), items.end(),
                     [](const T &item) { return item.deadline.hasExpired(); }))
        return due;
    std::vector<T> keep;
    for (T &item : items)
        (item.deadline.hasExpired() ? due : keep).push_back(std::move(item));
    items = std::move(keep);
    return due;
}

} // namespace

StoreChannel::StoreChannel(const QString &store, const SdkOptions &options, SdkSocket &socket,
                           LiveStores &live)
    : m_store(store)
    , m_topic(sdk::topicFor(store))
    , m_options(options)
    , m_socket(socket)
    , m_live(live)
    , m_mirror(std::make_unique<Mirror>())
    , m_retry(options.reconnectDelay, options.maxReconnectDelay)
{
    Mirror *mirror = m_mirror.get();
    connect(mirror, &Mirror::changed, this, &StoreChannel::onMirrorChanged);
    connect(mirror, &Mirror::reset, this, &StoreChannel::onMirrorReset);
    connect(mirror, &Mirror::eventRejected, this, [this](qint64 storeSeq, const QString &reason) {
        emit protocolError(QStringLiteral("%1: event %2 could not be applied: %3")
                               .arg(m_store)
                               .arg(storeSeq)
                               .arg(reason));
    });
}

StoreChannel::~StoreChannel() = default;

void StoreChannel::start()
{
    if (!m_options.cacheDirectory.isEmpty()) {
        // The cached state first (it is shown at once, as a reset), then a join from its seq.
        // The file is keyed by the server URL without its query, which holds the token.
        m_cache =
            std::make_unique<MirrorCache>(m_socket.serverUrl(), m_store, m_options.cacheDirectory);
        // The file's time before loading it: when it was last saved.
        const QFileInfo file(m_cache->filePath());
        const QDateTime savedAt = file.exists() ? file.lastModified() : QDateTime();
        const MirrorCacheLoad loaded = m_cache->load(*m_mirror);
        if (loaded.status == MirrorCacheLoad::Status::Loaded) {
            m_cachedSeq = loaded.lastSeq;
            emit loadedFromCache(m_store, loaded.lastSeq, savedAt);
        } else if (loaded.status == MirrorCacheLoad::Status::Rebuilt)
            emit cacheProblem(m_store, QStringLiteral("the local cache was unusable and is "
                                                      "rebuilt from the server: %1")
                                           .arg(loaded.problem));
        m_cache->track(m_mirror.get()); // after the load, so the next save can be incremental
    }
    if (m_socket.isConnected())
        sendJoin();
    else
        m_socket.open();
}

void StoreChannel::reopenIfFailed()
{
    if (m_state != State::Failed)
        return;
    m_state = State::Idle;
    m_retry.reset();
    if (m_socket.isConnected())
        sendJoin();
    else
        m_socket.open();
}

void StoreChannel::resume()
{
    if (m_state == State::Held) {
        m_state = State::Failed; // rejoins as a failed channel does
        m_retry.reset();
    }
    reopenIfFailed();
}

void StoreChannel::cancelCatchUp()
{
    if (m_state != State::Joining && m_state != State::CatchingUp)
        return;
    const bool catchingUp = m_state == State::CatchingUp;
    leave();
    m_joinRef.clear();
    m_liveBuffer.clear();
    m_statusInFlight = false;
    m_state = State::Held;
    m_live.setLive(m_store, false);
    // What the catch-up applied so far is the store as it was at lastSeq(): end the catch-up
    // there (a long one emits its reset now), so the mirror can be read.
    if (catchingUp)
        m_mirror->endCatchUp(m_mirror->lastSeq());
    flushChanges();
    emit catchUpCancelled(m_store, m_mirror->lastSeq());
    auto reads = std::exchange(m_reads, {});
    for (PendingRead &read : reads)
        read.task(m_mirror.get(), Error());
}

void StoreChannel::setWatched(bool watched)
{
    m_watched = watched;
    if (!watched)
        m_pendingEvents.clear();
}

QDeadlineTimer StoreChannel::readDeadline() const
{
    return m_options.readTimeout.count() > 0 ? QDeadlineTimer(m_options.readTimeout)
                                             : QDeadlineTimer(QDeadlineTimer::Forever);
}

// ---- calls ----------------------------------------------------------------------------------

void StoreChannel::whenLive(MirrorTask task)
{
    if (m_state == State::Live || m_state == State::Held)
        task(m_mirror.get(), Error());
    else
        m_reads.push_back(PendingRead{std::move(task), readDeadline()});
}

void StoreChannel::withCurrent(const MirrorTask &task)
{
    task(m_mirror.get(), Error());
}

void StoreChannel::write(SdkWriteRequest request, SdkWriteDone done)
{
    if (m_permissions && !m_permissions->write) {
        done(Result<WriteResult>::failure(readOnlyError(m_store)));
        return;
    }
    WriteQueue::Write &write = m_writes.enqueue(std::move(request), std::move(done));
    if (m_state == State::Live)
        sendWrite(write);
}

void StoreChannel::push(const QString &event, const QJsonObject &payload, PushDone done)
{
    PendingPush pending{event, payload, std::move(done), readDeadline()};
    if (m_state == State::Live)
        sendPush(std::move(pending));
    else
        m_pushes.push_back(std::move(pending));
}

void StoreChannel::sendPush(PendingPush pending)
{
    auto done = std::make_shared<PushDone>(std::move(pending.done));
    SdkSocket::Request request;
    request.onReply = [done](bool ok, const QJsonObject &response) {
        if (ok)
            (*done)(response);
        else
            (*done)(Result<QJsonObject>::failure(sdk::errorFromReply(response)));
    };
    request.onLost = [done] {
        (*done)(Result<QJsonObject>::failure(Error::network(
            QStringLiteral("the connection was lost before the server answered; the request "
                           "may or may not have been applied"))));
    };
    m_socket.send(m_topic, pending.event, pending.payload, m_joinRef, std::move(request));
}

bool StoreChannel::sendWrite(WriteQueue::Write &write)
{
    const QString opId = write.clientOpId;
    write.stage = WriteQueue::Write::Stage::Sent;
    write.sentAtSeq = m_mirror->lastSeq();
    const QPointer<StoreChannel> self(this);
    SdkSocket::Request request;
    request.onReply = [self, opId](bool ok, const QJsonObject &response) {
        if (self)
            self->onWriteReply(opId, ok, response);
    };
    request.onLost = [self, opId] {
        if (!self)
            return;
        WriteQueue::Write *lost = self->m_writes.find(opId);
        if (lost && lost->stage == WriteQueue::Write::Stage::Sent)
            lost->stage = WriteQueue::Write::Stage::MaybeSent;
    };
    m_socket.send(m_topic, write.request.event, write.payload, m_joinRef, std::move(request));
    return m_state == State::Live;
}

void StoreChannel::onWriteReply(const QString &clientOpId, bool ok, const QJsonObject &response)
{
    WriteQueue::Write *write = m_writes.find(clientOpId);
    if (!write)
        return;
    if (ok) {
        m_writes.complete(clientOpId,
                          sdk::writeResultFromReply(response, write->echoSeq.value_or(0)));
        return;
    }
    Error error = sdk::errorFromReply(response);
    if (error.reason() == QLatin1String("unmatched topic")) {
        // The server does not know our channel (it restarted under us): nothing committed.
        write->stage = WriteQueue::Write::Stage::Queued;
        if (m_state == State::Live)
            rejoin(false);
        return;
    }
    error.setPath(write->request.path.rendered());
    if (error.kind() == Error::Kind::Conflict && !error.currentRevision())
        error.setCurrentRevision(leafRevision(write->request.path));
    m_writes.complete(clientOpId, Result<WriteResult>::failure(error));
}

void StoreChannel::flushWrites()
{
    m_writes.flush(
        m_snapshotSeq,
        [this](const QString &clientOpId) { return m_mirror->hasSeenClientOpId(clientOpId); },
        [this](WriteQueue::Write &write) { return sendWrite(write); });
}

std::optional<qint64> StoreChannel::leafRevision(const Path &path) const
{
    const std::optional<Entry> entry = m_mirror->get(path);
    if (!entry)
        return std::nullopt;
    // An assembled subtree (no leaf at the path itself) has no revision of its own.
    if (entry->type == QLatin1String("map") && !values::isTypedEnvelope(entry->value.toObject()))
        return std::nullopt;
    return entry->revision;
}

void StoreChannel::failReadsAndPushes(const Error &error)
{
    auto reads = std::exchange(m_reads, {});
    for (PendingRead &read : reads)
        read.task(nullptr, error);
    auto pushes = std::exchange(m_pushes, {});
    for (PendingPush &push : pushes)
        push.done(Result<QJsonObject>::failure(error));
}

void StoreChannel::failWaiting(const Error &error)
{
    failReadsAndPushes(error);
    m_writes.failAll(error);
}

void StoreChannel::expireWaiting()
{
    if (auto due = takeExpired(m_reads); !due.empty()) {
        const Error error =
            Error::network(QStringLiteral("the store %1 did not finish catching up within %2")
                               .arg(m_store, sdk::secondsText(m_options.readTimeout)));
        for (PendingRead &read : due)
            read.task(nullptr, error);
    }
    if (auto due = takeExpired(m_pushes); !due.empty()) {
        const Error error =
            Error::network(QStringLiteral("the store %1 was not reachable within %2")
                               .arg(m_store, sdk::secondsText(m_options.readTimeout)));
        for (PendingPush &push : due)
            push.done(Result<QJsonObject>::failure(error));
    }
}

void StoreChannel::close(const Error &closed)
{
    saveCache();
    m_mirror->disconnect(this);
    m_live.setLive(m_store, false);
    leave();
    failWaiting(closed);
}

void StoreChannel::shutdown(const Error &closed)
{
    m_mirror->disconnect(this);
    failReadsAndPushes(closed);
    m_writes.closeAll(closed);
}

// ---- joining --------------------------------------------------------------------------------

void StoreChannel::onConnected()
{
    if (m_state == State::Idle)
        sendJoin();
}

void StoreChannel::onDisconnected()
{
    m_joinRef.clear();
    m_liveBuffer.clear();
    m_statusInFlight = false;
    if (m_state != State::Failed && m_state != State::Held)
        m_state = State::Idle;
    m_writes.markAnswersLost();
}

void StoreChannel::sendJoin()
{
    if (!m_socket.isConnected())
        return;
    const QString ref = m_socket.nextRef(); // a join's ref is also its join_ref
    m_joinRef = ref;
    m_state = State::Joining;
    m_liveBuffer.clear();
    const QPointer<StoreChannel> self(this);
    SdkSocket::Request request;
    request.onReply = [self, ref](bool ok, const QJsonObject &response) {
        if (self)
            self->onJoinReply(ref, ok, response);
    };
    m_socket.send(m_topic, QStringLiteral("phx_join"),
                  QJsonObject{{QStringLiteral("last_store_seq"), m_mirror->lastSeq()}}, ref,
                  std::move(request), ref);
}

void StoreChannel::onJoinReply(const QString &joinRef, bool ok, const QJsonObject &response)
{
    if (m_joinRef != joinRef || m_state != State::Joining)
        return;
    if (!ok) {
        fail(sdk::errorFromReply(response));
        return;
    }
    m_socket.noteAccepted();
    const sdk::StorePermissions permissions = sdk::permissionsFromJoinReply(response);
    m_permissions = permissions;
    emit joined(m_store, permissions);

    const auto serverSeq = values::integerValue(response.value(QLatin1String("store_seq")));
    if (serverSeq && *serverSeq < m_mirror->lastSeq()) {
        // The server is behind us (it was reset or restored): our state is not its state.
        emit protocolError(QStringLiteral("%1: the server is at seq %2, behind the local %3; "
                                          "reloading the store")
                               .arg(m_store)
                               .arg(*serverSeq)
                               .arg(m_mirror->lastSeq()));
        rejoin(true);
        return;
    }
    m_state = State::CatchingUp;
    m_catchUpFrom = m_mirror->lastSeq();
    m_catchUpExpected = serverSeq ? *serverSeq - m_catchUpFrom : 0;
    reportProgress(true);
    m_mirror->beginCatchUp();
    if (!permissions.write)
        m_writes.failAll(readOnlyError(m_store));
}

void StoreChannel::leave()
{
    if (m_socket.isConnected() && !m_joinRef.isEmpty())
        m_socket.send(m_topic, QStringLiteral("phx_leave"), QJsonObject(), m_joinRef,
                      SdkSocket::Request{});
}

void StoreChannel::rejoin(bool fromScratch)
{
    m_live.setLive(m_store, false);
    m_liveBuffer.clear();
    leave();
    m_joinRef.clear();
    m_state = State::Idle;
    if (fromScratch)
        m_mirror->clear();
    if (m_socket.isConnected())
        sendJoin();
}

void StoreChannel::retryLater()
{
    m_live.setLive(m_store, false);
    leave();
    m_joinRef.clear();
    m_liveBuffer.clear();
    m_state = State::Idle;
    const quint64 generation = m_socket.generation();
    QTimer::singleShot(m_retry.next(), this, [this, generation] {
        if (m_state == State::Idle && m_socket.isConnected() && generation == m_socket.generation())
            sendJoin();
    });
}

void StoreChannel::fail(const Error &error)
{
    m_state = State::Failed;
    m_joinRef.clear();
    m_liveBuffer.clear();
    m_live.setLive(m_store, false);
    // The store's error is signalled before its calls fail with it.
    emit failed(m_store, error);
    failWaiting(error);
}

// ---- frames ---------------------------------------------------------------------------------

void StoreChannel::onFrame(const DecodedFrame &frame)
{
    // A frame of an earlier join of this topic (before a rejoin) is stale.
    if (frame.joinRef && (m_joinRef.isEmpty() || *frame.joinRef != m_joinRef.toLatin1()))
        return;

    switch (frame.kind) {
    case DecodedFrame::Kind::Event:
        onEvent(frame);
        break;
    case DecodedFrame::Kind::Snapshot:
        if (m_state == State::CatchingUp) {
            m_mirror->applySnapshot(frame.snapshot);
            m_snapshotSeq = std::max(m_snapshotSeq, frame.snapshot.snapshotSeq);
            reportProgress(false);
        } else
            emit protocolError(
                QStringLiteral("%1: a snapshot outside catch-up was ignored").arg(m_store));
        break;
    case DecodedFrame::Kind::CatchUpComplete:
        if (m_state == State::CatchingUp)
            finishCatchUp(frame.throughSeq);
        break;
    case DecodedFrame::Kind::Other:
        if (frame.event == "phx_close")
            onChannelClosed(false);
        else if (frame.event == "phx_error")
            onChannelClosed(true);
        break;
    case DecodedFrame::Kind::Reply:
        break;
    }
}

void StoreChannel::onEvent(const DecodedFrame &frame)
{
    const EventView &event = frame.change;
    // Own writes: their events come before their replies, and after a reconnect the
    // catch-up shows which of the unacknowledged ones committed.
    m_writes.noteEcho(event.clientOpId, event.storeSeq);
    const bool live = !frame.joinRef.has_value();
    switch (m_state) {
    case State::Joining:
    case State::CatchingUp:
        if (live)
            m_liveBuffer.push_back(RawEvent::fromView(event));
        else if (m_state == State::CatchingUp) {
            applyToMirror(event, false);
            reportProgress(false);
        }
        break;
    case State::Live:
        applyLive(event);
        break;
    case State::Idle:
    case State::Failed:
    case State::Held:
        break;
    }
}

void StoreChannel::onChannelClosed(bool crashed)
{
    // The server closed (or lost) our channel: requests in flight on it get no reply.
    m_socket.loseRequests(m_topic);
    m_writes.markAnswersLost();
    m_joinRef.clear();
    m_liveBuffer.clear();
    m_statusInFlight = false;
    emit protocolError(
        crashed ? QStringLiteral("%1: the server's channel failed; rejoining").arg(m_store)
                : QStringLiteral("%1: the server closed the channel; rejoining").arg(m_store));
    retryLater();
}

void StoreChannel::applyToMirror(const EventView &event, bool live)
{
    m_applying = &event;
    m_mirror->apply(event, live ? EventSource::Live : EventSource::CatchUp);
    m_applying = nullptr;
}

void StoreChannel::applyLive(const EventView &event)
{
    const qint64 last = m_mirror->lastSeq();
    if (event.storeSeq <= last)
        return; // already applied
    if (event.storeSeq > last + 1) {
        // Ops in between were not pushed (REST writes, §5.10): catch up from where the
        // mirror stands; this event comes again with them.
        rejoin(false);
        return;
    }
    applyToMirror(event, true);
}

void StoreChannel::reportProgress(bool force)
{
    if (!force && m_progressClock.isValid() && m_progressClock.elapsed() < kProgressIntervalMs)
        return;
    m_progressClock.start();
    const qint64 received = std::max<qint64>(0, m_mirror->lastSeq() - m_catchUpFrom);
    // Ops committed after the join reply may come with the catch-up too.
    m_catchUpExpected = std::max(m_catchUpExpected, received);
    emit catchUpProgress(m_store, received, m_catchUpExpected);
}

void StoreChannel::finishCatchUp(qint64 throughSeq)
{
    m_mirror->endCatchUp(throughSeq);
    reportProgress(true);
    std::vector<RawEvent> buffered = std::exchange(m_liveBuffer, {});
    std::stable_sort(buffered.begin(), buffered.end(),
                     [](const RawEvent &a, const RawEvent &b) { return a.storeSeq < b.storeSeq; });
    m_state = State::Live;
    for (const RawEvent &raw : buffered) {
        applyLive(raw.view());
        if (m_state != State::Live)
            return; // a gap: rejoined
    }
    if (m_mirror->lastSeq() < throughSeq) {
        emit protocolError(QStringLiteral("%1: catch-up ended at %2 but the server said %3")
                               .arg(m_store)
                               .arg(m_mirror->lastSeq())
                               .arg(throughSeq));
        retryLater();
        return;
    }
    goLive();
}

void StoreChannel::goLive()
{
    m_state = State::Live;
    m_retry.reset();
    m_live.setLive(m_store, true);
    flushChanges();
    emit live(m_store, m_mirror->lastSeq());
    saveCache();

    auto reads = std::exchange(m_reads, {});
    for (PendingRead &read : reads)
        read.task(m_mirror.get(), Error());
    // A read task cannot close the channel (it runs user code that only talks to the
    // transport through queued calls), so the channel is still here.
    auto pushes = std::exchange(m_pushes, {});
    for (PendingPush &push : pushes)
        sendPush(std::move(push));
    flushWrites();
}

// ---- status and cache -----------------------------------------------------------------------

void StoreChannel::pollStatus()
{
    if (m_state != State::Live || m_statusInFlight)
        return;
    m_statusInFlight = true;
    const QPointer<StoreChannel> self(this);
    SdkSocket::Request request;
    request.onReply = [self](bool ok, const QJsonObject &response) {
        if (!self)
            return;
        self->m_statusInFlight = false;
        if (!ok || self->m_state != State::Live)
            return;
        const auto current = values::integerValue(response.value(QLatin1String("current_seq")));
        if (current && *current > self->m_mirror->lastSeq())
            self->rejoin(false); // writes that were not pushed: catch up on them
    };
    request.onLost = [self] {
        if (self)
            self->m_statusInFlight = false;
    };
    m_socket.send(m_topic, QStringLiteral("status"), QJsonObject(), m_joinRef, std::move(request));
}

void StoreChannel::saveCache()
{
    // Only a caught-up state is worth keeping: a partial catch-up would be taken for the
    // whole store at that seq.
    if (!m_cache || m_state != State::Live || m_mirror->lastSeq() == m_cachedSeq)
        return;
    const auto saved = m_cache->save(*m_mirror);
    if (saved) {
        m_cachedSeq = m_mirror->lastSeq();
    } else {
        m_cachedSeq = -1;
        emit cacheProblem(
            m_store, QStringLiteral("the local cache could not be written: %1").arg(saved.error()));
    }
}

// ---- changes --------------------------------------------------------------------------------

void StoreChannel::onMirrorChanged(const MirrorChangeBatch &batch)
{
    m_pendingBatches.append(batch);
    if (m_watched && m_applying)
        m_pendingEvents.append(m_applying->toChangeEvent());
    emit changesPending();
}

void StoreChannel::onMirrorReset()
{
    // What was collected before the reset goes first, then the reset.
    flushChanges();
    m_cachedSeq = -1; // the cache follows the reset (MirrorCache::track): save it whole
    emit reset(m_store, m_mirror->resetEpoch());
}

void StoreChannel::flushChanges()
{
    if (m_pendingBatches.isEmpty() && m_pendingEvents.isEmpty())
        return;
    emit changes(m_store, std::exchange(m_pendingBatches, {}), std::exchange(m_pendingEvents, {}));
}

} // namespace dust
