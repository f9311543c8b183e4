#pragma once

#include "SdkOptions.h"
#include "SdkProtocol.h"
#include "SdkWriteRequest.h"
#include "Transport.h"
#include "sync/EventFrameDecoder.h"
#include "sync/MirrorChangeBatch.h"
#include "sync/RawEvent.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <vector>

class QTimer;
class QWebSocket;

namespace dust {

class LiveStores;
class Mirror;
class MirrorCache;

// The WebSocket session behind an SdkTransport. It lives on the transport's sync thread and
// owns everything that runs there: the QWebSocket, the frame decoder, one channel and one
// Mirror per store, queued writes, waiting reads. Only SdkTransport talks to it, by queued
// calls; it answers through the callbacks it was given (run on the sync thread) and through
// its signals (queued to the transport's thread).
class SdkSession : public QObject
{
    Q_OBJECT
public:
    using State = SdkConnectionState;

    // Called once with the caught-up mirror, or with nullptr and the error that prevents it.
    using MirrorTask = std::function<void(const Mirror *mirror, const Error &error)>;
    using WriteDone = SdkWriteDone;
    using PushDone = std::function<void(Result<QJsonObject>)>;

    SdkSession(const SdkOptions &options, QString deviceId, LiveStores *live,
               QObject *parent = nullptr);
    ~SdkSession() override;

    // Joins `store` (connecting first if needed) and keeps it joined across reconnects.
    void openStore(const QString &store);
    // Leaves `store`; its waiting reads and queued writes fail with Cancelled.
    void closeStore(const QString &store);
    // Whether changes of `store` are delivered as ChangeEvents (subscriptions exist).
    void setWatched(const QString &store, bool watched);
    void whenLive(const QString &store, MirrorTask task);
    void write(const QString &store, SdkWriteRequest request, WriteDone done);
    // Pushes `event` on the store's channel once it is live; the reply's response or error.
    void push(const QString &store, const QString &event, const QJsonObject &payload,
              PushDone done);
    // Drops the connection as if the network had failed; it is re-established after the
    // usual backoff.
    void dropConnection();
    // Connects again now: drops a live connection first, skips any backoff wait.
    void reconnectNow();

signals:
    void stateChanged(dust::SdkConnectionState state);
    void storeJoined(const QString &store, const dust::sdk::StorePermissions &permissions);
    void storeLive(const QString &store, qint64 lastSeq);
    void storeChanges(const QString &store, const QList<dust::MirrorChangeBatch> &batches,
                      const QList<dust::ChangeEvent> &events);
    void storeReset(const QString &store);
    void storeError(const QString &store, const dust::Error &error);
    void connectionError(const dust::Error &error);
    void protocolError(const QString &detail, int count);
    // The on-disk cache of `store` could not be used (it was deleted and the store loads
    // from the server) or not be written.
    void cacheProblem(const QString &store, const QString &problem);

private:
    enum class ChannelState { Idle, Joining, CatchingUp, Live, Failed };

    struct PendingWrite
    {
        enum class Stage { Queued, Sent, MaybeSent };
        QString clientOpId;
        SdkWriteRequest request;
        QJsonObject payload;
        WriteDone done;
        Stage stage = Stage::Queued;
        std::optional<qint64> echoSeq; // the store_seq of its event, once seen
        qint64 sentAtSeq = -1;         // the mirror's seq when it was last sent
    };

    struct PendingRead
    {
        quint64 id = 0;
        MirrorTask task;
        qint64 deadline = -1; // m_clock ms; -1 = none
    };

    struct PendingLivePush
    {
        quint64 id = 0;
        QString event;
        QJsonObject payload;
        PushDone done;
        qint64 deadline = -1;
    };

    struct Channel
    {
        QString store;
        QString topic;
        std::unique_ptr<Mirror> mirror;
        ChannelState state = ChannelState::Idle;
        QString joinRef;
        std::optional<sdk::StorePermissions> permissions;
        std::optional<Error> failure;
        std::list<PendingWrite> writes;                               // in the order issued
        QHash<QString, std::list<PendingWrite>::iterator> writeIndex; // by client_op_id
        std::vector<PendingRead> reads;
        std::vector<PendingLivePush> livePushes;
        std::vector<RawEvent> liveBuffer; // live events received while joining / catching up
        bool watched = false;
        bool statusInFlight = false;
        int retryAttempts = 0;
        QList<MirrorChangeBatch> pendingBatches;
        QList<ChangeEvent> pendingEvents;
        // The seq of the last snapshot a catch-up brought: the ops it covers (and their
        // client_op_ids) were never seen one by one.
        qint64 snapshotSeq = 0;
        std::unique_ptr<MirrorCache> cache; // with SdkOptions::cacheDirectory
        qint64 cachedSeq = -1;              // the seq the cache file holds; -1 = none
    };

    struct Push
    {
        QString topic;
        qint64 sentAt = 0;
        std::function<void(bool ok, const QJsonObject &response)> onReply;
        std::function<void()> onLost; // the connection (or channel) went away first
    };

    Channel *channel(const QString &store) const;
    Channel *ensureChannel(const QString &store);
    void ensureConnected();
    void connectNow();
    void onConnected();
    void onSocketGone(quint64 generation);
    void scheduleReconnect();
    std::chrono::milliseconds backoff(int attempt) const;
    void abortConnection(const QString &why);

    void onTextMessage(const QString &text);
    void onReply(const DecodedFrame &frame);
    void onEvent(Channel &channel, const DecodedFrame &frame);
    void onChannelClosed(Channel &channel, bool crashed);
    void applyToMirror(Channel &channel, const EventView &event, bool live);
    void applyLive(Channel &channel, const EventView &event);
    void finishCatchUp(Channel &channel, qint64 throughSeq);
    void goLive(Channel &channel);
    // Writes the channel's mirror to its cache if it is live and changed since.
    void saveCache(Channel &channel);
    void saveCaches();

    // Sends one frame; `push` hears its reply. Returns the ref (`ref`, or a new one).
    QString send(const QString &topic, const QString &event, const QJsonValue &payload,
                 const std::optional<QString> &joinRef, Push push, QString ref = {});
    QString nextRef() { return QString::number(++m_nextRef); }
    void sendJoin(Channel &channel);
    void rejoin(Channel &channel, bool fromScratch);
    void retryLater(Channel &channel);
    void onJoinReply(const QString &store, const QString &joinRef, bool ok,
                     const QJsonObject &response);
    void failChannel(Channel &channel, const Error &error);
    void reopenIfFailed(Channel &channel);

    void sendWrite(Channel &channel, PendingWrite &write);
    void onWriteReply(const QString &store, const QString &clientOpId, bool ok,
                      const QJsonObject &response);
    void flushWrites(Channel &channel);
    void failWrites(Channel &channel, const Error &error);
    void completeWrite(Channel &channel, std::list<PendingWrite>::iterator it,
                       Result<WriteResult> result);
    void sendLivePush(Channel &channel, PendingLivePush push);
    std::optional<qint64> leafRevision(const Channel &channel, const Path &path) const;

    void pollStatus();
    void heartbeat();
    void watchdog();

    void onMirrorChanged(Channel &channel, const MirrorChangeBatch &batch);
    void onMirrorReset(Channel &channel);
    void scheduleFlush();
    void flush();
    void flushChannel(Channel &channel);
    void reportProtocolError(const QString &detail);
    void setState(State state);
    qint64 now() const { return m_clock.elapsed(); }
    qint64 deadlineIn(std::chrono::milliseconds timeout) const;

    SdkOptions m_options;
    QUrl m_url;
    QString m_deviceId;
    LiveStores *m_live;

    std::unique_ptr<QWebSocket> m_socket;
    quint64 m_socketGeneration = 0;
    State m_state = State::Disconnected;
    int m_attempt = 0;
    std::optional<Error> m_refusal; // the server refused the last connection
    QString m_lastSocketError;
    bool m_reconnectScheduled = false;
    bool m_closing = false;

    EventFrameDecoder m_decoder;
    std::map<QString, std::unique_ptr<Channel>> m_channels; // by store
    QHash<QString, Push> m_pushes;                          // by ref
    quint64 m_nextRef = 0;
    quint64 m_nextId = 0;
    QString m_heartbeatRef;

    QTimer *m_heartbeatTimer;
    QTimer *m_statusTimer;
    QTimer *m_watchdogTimer;
    QTimer *m_connectTimer;
    QTimer *m_reconnectTimer;
    QTimer *m_cacheTimer;
    QElapsedTimer m_clock;

    // The event being applied, for building the ChangeEvent of the batch it produces.
    const EventView *m_applying = nullptr;
    bool m_flushScheduled = false;
    QString m_protocolErrorDetail;
    int m_protocolErrorCount = 0;
};

} // namespace dust
