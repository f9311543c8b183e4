#pragma once

#include "Auth.h"
#include "RateLimiter.h"
#include "ServerConfig.h"
#include "StoreRegistry.h"
#include "SyncWriteQueue.h"
#include "protocol/PhoenixMessage.h"
#include "protocol/StrictJson.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

class QWebSocket;

namespace dust::lite {

// One accepted WebSocket of /ws/sync/websocket speaking Phoenix Channels V2 JSON
// (dust-protocol.md §5): heartbeats, joins of `store:ORG/NAME` (or `store:<uuid>`) with
// catch-up, and the store channel events write, put_file, rollback, status and ack_seq.
//
// Catch-up runs one batch per event-loop turn and pauses while more than a few hundred KB
// wait in the socket's send buffer, so a client catching up on a million ops neither blocks
// the server nor makes it buffer the whole history. A socket with more than
// `config.maxWsOutgoingBytes` still unsent when another frame is due (a subscriber that
// stopped reading) is closed with 1013 "send buffer over N bytes: rejoin to catch up" and
// nothing more is queued for it; a closing peer that takes no bytes for 5 s is dropped. The socket
// closes itself after `config.wsIdleTimeoutMs` without an inbound frame, on a malformed frame
// (1007; every frame must be strict RFC 8259 JSON, see StrictJson), a binary frame (1003) or a
// message over `config.maxWsMessageBytes` (1009).
//
// A `write` commits on a pool thread (StoreRegistry::write; in-memory stores at once), so a
// big or slow commit never holds up the server's event loop, together with the other sockets'
// writes to the store waiting by then (group commit: one fsync for all); its event is
// broadcast, then the reply sent, back on the server's thread. Until then the frames the socket
// sends next wait (SyncWriteQueue, at most `config.maxWsPendingWrites` of them, refused past that
// with too_many_pending_writes), so a socket's requests are still handled and answered in order;
// heartbeats are answered at once. put_file (the event, or a `write` with op put_file) and
// rollback commit the same way.
class SyncConnection : public QObject
{
    Q_OBJECT
public:
    SyncConnection(std::unique_ptr<QWebSocket> socket, Principal principal, QString deviceId,
                   StoreRegistry &registry, RateLimiter &limiter, const ServerConfig &config,
                   QObject *parent = nullptr);
    ~SyncConnection() override;

    // The topics of this socket joined to the store `fullName` (usually none or one).
    QStringList topicsJoinedTo(QStringView fullName) const;
    // Queues an already encoded frame.
    void sendFrame(const QString &frame);

    const QString &deviceId() const { return m_deviceId; }
    // Bytes handed to the socket and not yet written to the network.
    qint64 unwrittenBytes() const;
    // Catch-up pauses above this many unsent bytes: 512 KB, or half of a smaller
    // config.maxWsOutgoingBytes.
    static qint64 sendHighWater(const ServerConfig &config);

signals:
    // The socket is gone (closed by either side); the connection can be deleted.
    void finished(dust::lite::SyncConnection *connection);
    // The server starts closing the socket (idle, malformed frame, send buffer over the
    // limit, ...) with this close code and reason.
    void closing(int code, const QString &reason);

private:
    struct Channel
    {
        QString topic;
        std::optional<QString> joinRef;
        QString store;        // full name "org/name"
        qint64 clientSeq = 0; // last_store_seq of the join
        qint64 position = 0;  // catch-up: the highest seq sent so far
        bool sentAny = false; // catch-up sent a snapshot or an event
        bool catchingUp = false;
        // Events read for the catch-up and not sent yet (a batch cut short at the socket's
        // high mark): sent first next time, so no row is read twice.
        QList<StoreDb::EventPayload> unsent;
        bool moreInLog = false; // the last read filled a whole batch
    };

    void onTextMessage(const QString &text);
    // A frame QJsonDocument read but RFC 8259 rejects: an error reply with reason
    // invalid_params for an event on a joined channel, else closed as malformed (1007).
    void refuseLenientFrame(const PhoenixMessage &message, const StrictJson::Result &strict);
    void onBinaryMessage(const QByteArray &data);
    void onBytesWritten(qint64 bytes);
    void onDisconnected();
    void closeWith(int code, const QString &reason);
    // True when more than config.maxWsOutgoingBytes are still unsent after handing the
    // kernel what it takes.
    bool overOutgoingLimit();

    // A frame as received: answered at once (heartbeats), queued behind a committing write,
    // refused when that queue is full, or dispatched.
    void handle(const PhoenixMessage &message, qint64 bytes);
    void dispatch(const PhoenixMessage &message);
    // Dispatches the frames that waited for a write, until one starts another write.
    void drainWaiting();
    void handleJoin(const PhoenixMessage &message);
    void handleLeave(const PhoenixMessage &message, Channel &channel);
    void handleWrite(const PhoenixMessage &message, const Channel &channel);
    void handlePutFile(const PhoenixMessage &message, const Channel &channel);
    void handleRollback(const PhoenixMessage &message, const Channel &channel);
    void handleStatus(const PhoenixMessage &message, const Channel &channel);

    // Store lookup for a join topic's reference ("org/name" or a store id).
    StoreDb *resolveStore(QStringView reference, QString *fullName);
    // The store of a joined channel, or nullptr after sending phx_error (the store vanished).
    StoreDb *storeOf(const Channel &channel);
    bool takeWriteToken(const PhoenixMessage &message);
    // The ok reply's response to a commit that succeeded.
    using Respond = std::function<QJsonObject(const WriteResult &result)>;
    // Commits `body` (a StoreDb *With() method) to `store` on a pool thread
    // (StoreRegistry::commit); the frames the socket sends meanwhile wait for its answer.
    void startCommit(const PhoenixMessage &message, const QString &store,
                     StoreRegistry::Commit body, Respond respond);
    // What StoreRegistry calls back with a commit's result: finishCommit() while this
    // connection lives.
    StoreRegistry::WriteDone answerTo(const PhoenixMessage &message, Respond respond);
    // The answer to a commit, after its broadcast; then the frames that waited for it.
    void finishCommit(const PhoenixMessage &message, const WriteResult &result,
                      const Respond &respond);

    void send(const PhoenixMessage &message);
    void replyOk(const PhoenixMessage &message, const QJsonObject &response = {});
    void replyError(const PhoenixMessage &message, const QJsonObject &response);
    QJsonObject permissionsFor(const QString &store) const;
    QJsonObject accessFields(const QString &store) const;

    void scheduleCatchUp();
    void catchUpStep();
    void stopCatchUp(const QString &topic);

    std::unique_ptr<QWebSocket> m_socket;
    Principal m_principal;
    QString m_deviceId;
    StoreRegistry &m_registry;
    RateLimiter &m_limiter;
    const ServerConfig &m_config;

    QHash<QString, Channel> m_channels; // by topic
    QStringList m_catchUpQueue;         // topics still catching up, served round-robin
    bool m_catchUpScheduled = false;
    SyncWriteQueue m_waiting; // frames behind a write committing on a pool thread
    bool m_draining = false;  // drainWaiting() is running
    QTimer m_idleTimer;
    QTimer m_closeGraceTimer; // restarted whenever a closing peer takes bytes
    bool m_closing = false;   // closeWith() ran: nothing more is queued
    bool m_finished = false;
};

} // namespace dust::lite
