#pragma once

#include "ReconnectBackoff.h"
#include "SdkOptions.h"
#include "protocol/Error.h"
#include "sync/EventFrameDecoder.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QTimer;
class QWebSocket;

namespace dust {

// The WebSocket connection of an SdkSession (dust-protocol.md §5.1–§5.3): one QWebSocket
// speaking Phoenix Channels V2 JSON, opened with the token and device id, re-opened after a
// failure with capped exponential backoff and jitter (ReconnectBackoff), kept alive with
// heartbeats. Every request gets a ref and hears its `phx_reply`, or that the connection
// went away first; a request unanswered for SdkOptions::replyTimeout (or a heartbeat
// unanswered by the next one) means the connection is dead: it is dropped and
// re-established. Every other frame is handed on decoded, through frameReceived().
class SdkSocket : public QObject
{
    Q_OBJECT
public:
    using ReplyHandler = std::function<void(bool ok, const QJsonObject &response)>;
    // What the sender of a request hears: its reply, or that the connection (or the
    // channel) went away before it.
    struct Request
    {
        ReplyHandler onReply;
        std::function<void()> onLost;
    };

    SdkSocket(const SdkOptions &options, const QString &deviceId, QObject *parent = nullptr);
    ~SdkSocket() override;

    SdkConnectionState state() const { return m_state; }
    bool isConnected() const { return m_state == SdkConnectionState::Connected; }
    // Changes with every connection attempt (and with close()).
    quint64 generation() const { return m_generation; }
    // The server's socket URL without the query (which holds the token).
    QUrl serverUrl() const;
    // Why calls fail at once: the URL is not usable, or the server refused the last
    // connection (bad token). Cleared when a channel is joined again.
    const std::optional<Error> &refusal() const { return m_refusal; }
    // A channel was joined: the server accepts this client, the backoff starts over.
    void noteAccepted();

    // Connects unless connecting, connected or waiting to retry; after a refusal the
    // connection is tried again only after the backoff.
    void open();
    // Closes the connection until the next open(): requests in flight hear onLost.
    void close();
    // Drops the connection as a network failure would (`why` says why); it is
    // re-established after the backoff.
    void abort(const QString &why);
    // Connects again now: drops a live connection first, skips any backoff wait.
    void reconnectNow();

    QString nextRef() { return QString::number(++m_nextRef); }
    // Sends one frame; `request` hears its reply (at once onLost when not connected).
    // Returns the ref (`ref`, or a new one).
    QString send(const QString &topic, const QString &event, const QJsonValue &payload,
                 const std::optional<QString> &joinRef, Request request, QString ref = {});
    // The requests in flight on `topic` will not be answered (the server closed the channel):
    // they hear onLost now.
    void loseRequests(const QString &topic);

signals:
    void stateChanged(dust::SdkConnectionState state);
    // The connection failed or dropped (it is retried after the backoff); `refused`: the
    // server refused it (refusal() holds why).
    void connectionFailed(const dust::Error &error, bool refused);
    // The next connection attempt is due in `delayMs` (the backoff's wait).
    void reconnectScheduled(qint64 delayMs);
    // A frame that is not a reply, valid until the handler returns.
    void frameReceived(const dust::DecodedFrame &frame);
    // A frame that could not be used.
    void protocolError(const QString &detail);

private:
    struct Pending
    {
        QString topic;
        QDeadlineTimer deadline; // replyTimeout after the send
        Request request;
    };

    void connectNow();
    void onConnected();
    void onGone(quint64 generation);
    void scheduleReconnect();
    void loseAllRequests();
    void onTextMessage(const QString &text);
    void onReply(const DecodedFrame &frame);
    void heartbeat();
    void checkReplies();
    void setState(SdkConnectionState state);

    SdkOptions m_options;
    QUrl m_url;
    std::unique_ptr<QWebSocket> m_socket;
    quint64 m_generation = 0;
    SdkConnectionState m_state = SdkConnectionState::Disconnected;
    ReconnectBackoff m_backoff;
    std::optional<Error> m_refusal;
    QString m_lastError;
    bool m_wanted = false; // open() until close()

    EventFrameDecoder m_decoder;
    QHash<QString, Pending> m_pending; // by ref
    quint64 m_nextRef = 0;
    QString m_heartbeatRef;

    QTimer *m_heartbeatTimer;
    QTimer *m_replyTimer;
    QTimer *m_connectTimer;
    QTimer *m_reconnectTimer;
};

} // namespace dust
