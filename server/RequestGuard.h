#pragma once

#include "BodyAdmission.h"
#include "ConnectionBudget.h"
#include "RequestHead.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

class QTcpSocket;

namespace dust::lite {

// Watches one connection's requests as their bytes arrive, before Qt's HTTP server parses
// them (it is connected to readyRead first), and answers at once what must not reach it: a
// head that cannot be read one way only (400, 431, 505), a body the head does not entitle to
// be read (401, 403, 404, 413), a body over the shared buffer budget (503), a head or body
// that stalls (408). A rejected connection gets its answer with "Connection: close"; what the
// client still sends is read and dropped for a short while, so it reads the answer rather than
// a reset, then the connection closes. A silent or idle keep-alive connection is just closed.
// Once a WebSocket upgrade is read, the connection is no longer HTTP: the guard steps aside.
//
// A child of the socket, so it lives and dies with it; it holds the connection's place in the
// shared ConnectionBudget until then.
class RequestGuard : public QObject
{
public:
    struct Limits
    {
        qsizetype maxHeaderBytes = 64 * 1024;
        int maxHeaderCount = 100;
        int headerTimeoutMs = 10000;
        int bodyTimeoutMs = 30000;
        int keepAliveTimeoutMs = 60000;
    };

    // Guards `socket`. With a `refusal` the connection was over a connection limit and not
    // admitted: it is answered 503 with that detail and closed.
    RequestGuard(QTcpSocket *socket, const Limits &limits, const BodyAdmission &admission,
                 std::shared_ptr<ConnectionBudget> budget, std::optional<QString> refusal);
    ~RequestGuard() override;

    // The bytes of an answer as the guard sends it: status line, JSON body, Connection: close.
    static QByteArray serialize(const HttpResponse &response);

private:
    enum class State {
        Idle,     // between requests: waiting for the first byte of the next one
        Head,     // reading a request head
        Body,     // reading its body
        Handling, // complete; the answer is being made or written
        Upgraded, // a WebSocket now: not HTTP any more
        Closing,  // answered and closing: reading and dropping what still comes
    };

    void onReadyRead();
    void onBytesWritten();
    void onTimeout();
    void startRequest();
    void readHead(qint64 available);
    void readBody(qint64 fresh);
    void finishRequest();
    void reject(const HttpResponse &answer);
    void drain();
    void releaseBody();
    qint64 lingerMs() const;

    QTcpSocket *m_socket;
    Limits m_limits;
    const BodyAdmission &m_admission;
    std::shared_ptr<ConnectionBudget> m_budget;
    QHostAddress m_peer;
    bool m_admitted = false;
    QTimer m_timer;
    State m_state = State::Idle;

    // The request being read.
    std::optional<RequestHead> m_head;
    QByteArray m_headBytes; // its head as peeked so far
    qint64 m_received = 0;  // its bytes seen so far (head and body)
    RequestHead::Framing m_framing;
    qint64 m_bodyReceived = 0; // of its body (for a chunked one, with the chunk framing)
    qint64 m_reserved = 0;     // its body's bytes reserved in the budget

    // Closing.
    qint64 m_toDrain = -1;    // bytes of the rejected request still to come; -1 = unknown
    bool m_closeSent = false; // disconnectFromHost() called; the timer now aborts
    QElapsedTimer m_closingFor;
};

} // namespace dust::lite
