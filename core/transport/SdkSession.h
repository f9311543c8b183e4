#pragma once

#include "SdkOptions.h"
#include "SdkProtocol.h"
#include "SdkWriteRequest.h"
#include "StoreChannel.h"
#include "Transport.h"
#include "sync/MirrorChangeBatch.h"

#include <QList>
#include <QObject>
#include <QString>

#include <map>
#include <memory>

class QTimer;

namespace dust {

class LiveStores;
class SdkSocket;
struct DecodedFrame;

// The WebSocket session behind an SdkTransport. It lives on the transport's sync thread and
// owns everything that runs there: the SdkSocket (connection, backoff, heartbeats, requests)
// and one StoreChannel per store (join, catch-up, mirror, cache, waiting calls, writes). It
// routes frames to their channel, polls `status`, expires waiting reads, saves caches and
// collects changes into one queued signal per turn of the event loop. Only SdkTransport
// talks to it, by queued calls; it answers through the callbacks it was given (run on the
// sync thread) and through its signals (queued to the transport's thread).
class SdkSession : public QObject
{
    Q_OBJECT
public:
    using MirrorTask = StoreChannel::MirrorTask;
    using WriteDone = SdkWriteDone;
    using PushDone = StoreChannel::PushDone;

    SdkSession(const SdkOptions &options, QString deviceId, LiveStores *live,
               QObject *parent = nullptr);
    ~SdkSession() override;

    // Joins `store` (connecting first if needed) and keeps it joined across reconnects.
    void openStore(const QString &store);
    // Leaves `store`; its waiting reads and queued writes fail with Cancelled.
    void closeStore(const QString &store);
    // Stops joining or catching up `store` (StoreChannel::cancelCatchUp()).
    void cancelCatchUp(const QString &store);
    // Whether changes of `store` are delivered as ChangeEvents (subscriptions exist).
    void setWatched(const QString &store, bool watched);
    void whenLive(const QString &store, MirrorTask task);
    // Runs `task` at once on the mirror of `store` as it stands (opening the store if needed).
    void withCurrent(const QString &store, MirrorTask task);
    void write(const QString &store, SdkWriteRequest request, WriteDone done);
    // Pushes `event` on the store's channel once it is live; the reply's response or error.
    void push(const QString &store, const QString &event, const QJsonObject &payload,
              PushDone done);
    // Drops the connection as if the network had failed; it is re-established after the
    // usual backoff.
    void dropConnection();
    // Connects again now: drops a live connection first, skips any backoff wait.
    void reconnectNow();
    // Asks every joined store's status now instead of at the next poll (after a REST write
    // this client made, which the socket is not told of).
    void pollStatusNow() { pollStatus(); }

signals:
    void stateChanged(dust::SdkConnectionState state);
    void storeJoined(const QString &store, const dust::sdk::StorePermissions &permissions);
    void storeLive(const QString &store, qint64 lastSeq);
    void storeChanges(const QString &store, const QList<dust::MirrorChangeBatch> &batches,
                      const QList<dust::ChangeEvent> &events);
    void storeReset(const QString &store, quint64 epoch);
    void storeError(const QString &store, const dust::Error &error);
    void connectionError(const dust::Error &error);
    void protocolError(const QString &detail, int count);
    // The on-disk cache of `store` could not be used (it was deleted and the store loads
    // from the server) or not be written.
    void cacheProblem(const QString &store, const QString &problem);
    void storeLoadedFromCache(const QString &store, qint64 seq, const QDateTime &savedAt);
    void catchUpProgress(const QString &store, qint64 received, qint64 expected);
    void catchUpCancelled(const QString &store, qint64 lastSeq);
    void reconnectScheduled(qint64 delayMs);

private:
    StoreChannel *channel(const QString &store) const;
    StoreChannel *ensureChannel(const QString &store);
    // The channel for a call on `store`, opened (or re-opened) as needed; nullptr after
    // calling `fail` with the error that ends the call at once.
    template <typename Fail> StoreChannel *channelForCall(const QString &store, Fail &&fail);

    void onSocketState(SdkConnectionState state);
    void onConnectionFailed(const Error &error, bool refused);
    void onFrame(const DecodedFrame &frame);
    void pollStatus();
    void expireWaiting();
    void saveCaches();
    void scheduleFlush();
    void flush();
    void reportProtocolError(const QString &detail);

    SdkOptions m_options;
    LiveStores *m_live;
    SdkSocket *m_socket;                                         // a child
    std::map<QString, std::unique_ptr<StoreChannel>> m_channels; // by store
    bool m_closing = false;

    QTimer *m_statusTimer;
    QTimer *m_deadlineTimer;
    QTimer *m_cacheTimer;

    bool m_flushScheduled = false;
    QString m_protocolErrorDetail;
    int m_protocolErrorCount = 0;
};

} // namespace dust
