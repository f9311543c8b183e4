#pragma once

#include "ReconnectBackoff.h"
#include "SdkOptions.h"
#include "SdkProtocol.h"
#include "SdkWriteRequest.h"
#include "Transport.h"
#include "WriteQueue.h"
#include "sync/MirrorChangeBatch.h"
#include "sync/RawEvent.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace dust {

class LiveStores;
class Mirror;
class MirrorCache;
class SdkSocket;
struct DecodedFrame;

// One store's channel on an SdkSocket (dust-protocol.md §5.4–§5.10): the join with the
// mirror's last seq, the catch-up (snapshot, events, catch_up_complete) into the store's
// Mirror, live events (a gap re-joins from the last seq), the on-disk MirrorCache (loaded
// before the first join, saved once caught up), and the calls waiting for the store: reads
// until it is live, pushes, and its WriteQueue. A failed join fails the waiting calls; a
// channel the server closes is re-joined after a backoff.
class StoreChannel : public QObject
{
    Q_OBJECT
public:
    // catchUpProgress() comes at most this often (but always at the start and the end).
    static constexpr qint64 kProgressIntervalMs = 100;

    // Called once with the caught-up mirror, or with nullptr and the error that prevents it.
    using MirrorTask = std::function<void(const Mirror *mirror, const Error &error)>;
    using PushDone = std::function<void(Result<QJsonObject>)>;

    StoreChannel(const QString &store, const SdkOptions &options, SdkSocket &socket,
                 LiveStores &live);
    ~StoreChannel() override;

    const QString &store() const { return m_store; }
    const QString &topic() const { return m_topic; }

    // Loads the cache (when SdkOptions::cacheDirectory is set), then joins, connecting the
    // socket first if needed. Call once, after connecting to the signals.
    void start();
    // A channel whose join failed is tried again (a new call on the store).
    void reopenIfFailed();
    // SdkTransport::open(): a failed channel is tried again, a held one (cancelCatchUp())
    // joins again from the mirror's seq.
    void resume();
    // Stops a join or catch-up in progress: the channel is left and held, its mirror stays
    // as it stands (the cache and the ops caught up so far: the store as it was at
    // lastSeq()) and reads are answered from it. It is not joined again, even after a
    // reconnect, until resume(). Emits catchUpCancelled(). Nothing happens otherwise.
    void cancelCatchUp();
    // Whether changes are also delivered as ChangeEvents (the store has subscriptions).
    void setWatched(bool watched);

    void whenLive(MirrorTask task);
    // Runs `task` now on the mirror as it stands (cached, caught up so far, or live).
    void withCurrent(const MirrorTask &task);
    void write(SdkWriteRequest request, SdkWriteDone done);
    // Pushes `event` once the store is live; the reply's response or error.
    void push(const QString &event, const QJsonObject &payload, PushDone done);

    // The socket is connected: an idle channel joins.
    void onConnected();
    // The socket went away: the channel waits for the next connection to re-join.
    void onDisconnected();
    // A frame on this channel's topic.
    void onFrame(const DecodedFrame &frame);
    // Asks the server for the store's seq (`status`) when live, to notice unpushed writes.
    void pollStatus();
    // Fails the reads and pushes whose SdkOptions::readTimeout has passed.
    void expireWaiting();
    // Writes the mirror to its cache if it is live and changed since.
    void saveCache();
    // Emits the changes collected since the last call.
    void flushChanges();

    // Fails every waiting read, push and write with `error`.
    void failWaiting(const Error &error);
    // Leaves the channel for good: saves the cache, leaves, fails what waits with `closed`.
    void close(const Error &closed);
    // The transport closes: fails what waits with `closed`, without a word to the server.
    void shutdown(const Error &closed);

signals:
    void joined(const QString &store, const dust::sdk::StorePermissions &permissions);
    void live(const QString &store, qint64 lastSeq);
    void changes(const QString &store, const QList<dust::MirrorChangeBatch> &batches,
                 const QList<dust::ChangeEvent> &events);
    // The mirror was replaced; `epoch` is its Mirror::resetEpoch().
    void reset(const QString &store, quint64 epoch);
    void failed(const QString &store, const dust::Error &error);
    void cacheProblem(const QString &store, const QString &problem);
    // The mirror was loaded from its cache file (written at `savedAt`), at `seq`.
    void loadedFromCache(const QString &store, qint64 seq, const QDateTime &savedAt);
    // Catching up: `received` of the `expected` ops since the join's seq are applied. Once at
    // the join reply (0 of the store_seq it gave minus the seq joined from), then at most
    // every kProgressIntervalMs, and once at the end.
    void catchUpProgress(const QString &store, qint64 received, qint64 expected);
    // cancelCatchUp() held the channel; the mirror stands at `lastSeq`.
    void catchUpCancelled(const QString &store, qint64 lastSeq);
    // Changes were collected: flushChanges() soon.
    void changesPending();
    void protocolError(const QString &detail);

private:
    // Held: cancelCatchUp() stopped the catch-up; the mirror is read as it stands.
    enum class State { Idle, Joining, CatchingUp, Live, Failed, Held };

    struct PendingRead
    {
        MirrorTask task;
        QDeadlineTimer deadline;
    };

    struct PendingPush
    {
        QString event;
        QJsonObject payload;
        PushDone done;
        QDeadlineTimer deadline;
    };

    QDeadlineTimer readDeadline() const;
    void sendJoin();
    void onJoinReply(const QString &joinRef, bool ok, const QJsonObject &response);
    void leave();
    void rejoin(bool fromScratch);
    void retryLater();
    void fail(const Error &error);
    void failReadsAndPushes(const Error &error);
    void onEvent(const DecodedFrame &frame);
    void onChannelClosed(bool crashed);
    void applyToMirror(const EventView &event, bool live);
    void applyLive(const EventView &event);
    void finishCatchUp(qint64 throughSeq);
    // Emits catchUpProgress() if kProgressIntervalMs has passed since the last one (or `force`).
    void reportProgress(bool force);
    void goLive();
    void sendPush(PendingPush pending);
    bool sendWrite(WriteQueue::Write &write);
    void onWriteReply(const QString &clientOpId, bool ok, const QJsonObject &response);
    void flushWrites();
    std::optional<qint64> leafRevision(const Path &path) const;
    void onMirrorChanged(const MirrorChangeBatch &batch);
    void onMirrorReset();

    QString m_store;
    QString m_topic;
    const SdkOptions &m_options;
    SdkSocket &m_socket;
    LiveStores &m_live;

    std::unique_ptr<Mirror> m_mirror;
    std::unique_ptr<MirrorCache> m_cache; // with SdkOptions::cacheDirectory
    qint64 m_cachedSeq = -1;              // the seq the cache file holds; -1 = none
    State m_state = State::Idle;
    QString m_joinRef;
    std::optional<sdk::StorePermissions> m_permissions;
    ReconnectBackoff m_retry; // re-joins after the server closed the channel
    bool m_watched = false;
    bool m_statusInFlight = false;
    // The seq of the last snapshot a catch-up brought: the ops it covers (and their
    // client_op_ids) were never seen one by one.
    qint64 m_snapshotSeq = 0;
    // The catch-up in progress: the mirror's seq at the join, the ops the join reply promised,
    // and the time since the last progress report.
    qint64 m_catchUpFrom = 0;
    qint64 m_catchUpExpected = 0;
    QElapsedTimer m_progressClock;

    WriteQueue m_writes;
    std::vector<PendingRead> m_reads;
    std::vector<PendingPush> m_pushes;
    std::vector<RawEvent> m_liveBuffer; // live events received while joining / catching up

    QList<MirrorChangeBatch> m_pendingBatches;
    QList<ChangeEvent> m_pendingEvents;
    // The event being applied, for building the ChangeEvent of the batch it produces.
    const EventView *m_applying = nullptr;
};

} // namespace dust
