#include "RequestGuard.h"

#include "RequestLine.h"

#include <QTcpSocket>
#include <QUuid>

namespace dust::lite {

namespace {

// How long a rejected connection is drained at most before it is aborted.
constexpr qint64 kDrainCapMs = 10000;
// A chunked body may run this far past the body limit before it is stopped (its framing).
constexpr qint64 kChunkedSlack = 64 * 1024;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

HttpResponse unavailable(const QString &code, const QString &detail)
{
    HttpResponse response = HttpResponse::error(503, code, detail);
    response.setHeader("retry-after", "1");
    return response;
}

// A body that would take the shared buffer budget past its cap.
HttpResponse serverBusy()
{
    return unavailable(QStringLiteral("server_busy"),
                       QStringLiteral("dustlite is holding as many unfinished request bodies "
                                      "as it may (--max-buffered-bytes); retry in a moment"));
}

} // namespace

RequestGuard::RequestGuard(QTcpSocket *socket, const Limits &limits, const BodyAdmission &admission,
                           std::shared_ptr<ConnectionBudget> budget, std::optional<QString> refusal)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
    , m_admission(admission)
    , m_budget(std::move(budget))
    , m_peer(socket->peerAddress())
    , m_admitted(!refusal)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &RequestGuard::onTimeout);
    connect(socket, &QTcpSocket::readyRead, this, &RequestGuard::onReadyRead);
    connect(socket, &QTcpSocket::bytesWritten, this, &RequestGuard::onBytesWritten);
    if (refusal) {
        reject(unavailable(QStringLiteral("too_many_connections"), *refusal));
        return;
    }
    // The first request must begin within the header timeout; a silent connection is closed.
    m_timer.start(m_limits.headerTimeoutMs);
}

RequestGuard::~RequestGuard()
{
    releaseBody();
    if (m_admitted)
        m_budget->leave(m_peer);
}

void RequestGuard::onReadyRead()
{
    if (m_state == State::Upgraded || m_state == State::Closing)
        return;
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    // The HTTP server opens a read transaction on the first byte of a request and commits it
    // once the request is complete: no open transaction means a new request starts.
    if (!m_socket->isTransactionStarted())
        startRequest();
    m_received += available;
    if (m_state == State::Head)
        readHead(available);
    else if (m_state == State::Body)
        readBody(available);
}

void RequestGuard::startRequest()
{
    releaseBody(); // the previous request's body is gone once Qt reads the next one
    m_head.emplace(m_limits.maxHeaderBytes, m_limits.maxHeaderCount);
    m_headBytes.clear();
    m_received = 0;
    m_framing = {};
    m_bodyReceived = 0;
    m_state = State::Head;
    m_timer.start(m_limits.headerTimeoutMs);
}

void RequestGuard::readHead(qint64 available)
{
    const qsizetype before = m_headBytes.size();
    const qint64 want = std::min<qint64>(available, m_limits.maxHeaderBytes + 4 - before);
    if (want > 0)
        m_headBytes += m_socket->peek(want);
    const RequestHead::Progress progress = m_head->feed(m_headBytes);
    if (progress == RequestHead::Progress::Invalid) {
        reject(m_head->problem());
        return;
    }
    if (progress == RequestHead::Progress::NeedMore)
        return;

    const qint64 bodyBytesHere = available - (m_head->size() - before);
    const auto framing = m_head->framing();
    if (!framing) {
        reject(framing.error());
        return;
    }
    m_framing = *framing;

    if (m_head->isWebSocketUpgrade()) {
        if (m_framing.hasBody()) {
            reject(
                HttpResponse::error(400, QStringLiteral("bad_request"),
                                    QStringLiteral("a WebSocket upgrade request carries no body")));
            return;
        }
        // From here on the socket is the WebSocket's: it has its own idle timeout.
        m_state = State::Upgraded;
        m_timer.stop();
        return;
    }

    if (const auto refusal = m_admission.check(*m_head, m_framing)) {
        reject(*refusal);
        return;
    }
    if (!m_framing.hasBody()) {
        finishRequest();
        return;
    }
    if (m_framing.kind == RequestHead::Framing::Kind::Length) {
        if (!m_budget->reserve(m_framing.length)) {
            reject(serverBusy());
            return;
        }
        m_reserved = m_framing.length;
    }
    // A client that waits for permission to send its body gets it now, and only now.
    if (bodyBytesHere <= 0 && m_head->field("expect")
                                      .value_or(QByteArray())
                                      .compare("100-continue", Qt::CaseInsensitive) == 0)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    m_state = State::Body;
    m_timer.start(m_limits.bodyTimeoutMs);
    readBody(bodyBytesHere);
}

void RequestGuard::readBody(qint64 fresh)
{
    if (fresh <= 0)
        return;
    m_timer.start(m_limits.bodyTimeoutMs); // progress
    if (m_framing.kind == RequestHead::Framing::Kind::Length) {
        m_bodyReceived = std::min(m_framing.length, m_bodyReceived + fresh);
        if (m_bodyReceived >= m_framing.length)
            finishRequest();
        return;
    }
    // Chunked: no length to check up front, so the bytes are counted as they come.
    m_bodyReceived += fresh;
    if (m_bodyReceived > m_admission.maxBodyBytes() + kChunkedSlack) {
        reject(m_admission.tooLarge());
        return;
    }
    if (!m_budget->reserve(fresh)) {
        reject(serverBusy());
        return;
    }
    m_reserved += fresh;
}

void RequestGuard::finishRequest()
{
    m_state = State::Handling;
    m_timer.stop();
}

void RequestGuard::onBytesWritten()
{
    // An answer has gone out entirely, no request is being read and none that came before is
    // still waiting for its answer (pipelined requests run one after another): the connection
    // is idle.
    const bool answered =
        m_state == State::Handling ||
        (m_state == State::Body && m_framing.kind == RequestHead::Framing::Kind::Chunked);
    if (answered && !m_socket->isTransactionStarted() && m_socket->bytesToWrite() == 0 &&
        RequestLine::waitingOn(m_socket) == 0) {
        m_state = State::Idle;
        m_timer.start(m_limits.keepAliveTimeoutMs);
    }
}

void RequestGuard::onTimeout()
{
    switch (m_state) {
    case State::Idle:
        // Silent since it connected, or idle since its last answer: closed without a word.
        m_state = State::Closing;
        m_closeSent = true;
        m_socket->disconnectFromHost();
        m_timer.start(kDrainCapMs);
        return;
    case State::Head: {
        bool onlyEmptyLines = true;
        for (const char c : std::as_const(m_headBytes))
            onlyEmptyLines = onlyEmptyLines && (c == '\r' || c == '\n');
        if (onlyEmptyLines) {
            m_state = State::Idle;
            onTimeout();
            return;
        }
        reject(HttpResponse::error(408, QStringLiteral("request_timeout"),
                                   QStringLiteral("the request head did not arrive within %1 ms")
                                       .arg(m_limits.headerTimeoutMs)));
        return;
    }
    case State::Body:
        if (!m_socket->isTransactionStarted()) {
            finishRequest(); // a chunked body that ended; its answer is being made
            return;
        }
        reject(HttpResponse::error(408, QStringLiteral("request_timeout"),
                                   QStringLiteral("the request body made no progress for %1 ms")
                                       .arg(m_limits.bodyTimeoutMs)));
        return;
    case State::Closing:
        if (!m_closeSent && m_closingFor.elapsed() < kDrainCapMs) {
            m_closeSent = true;
            m_socket->disconnectFromHost();
            m_timer.start(kDrainCapMs);
        } else {
            m_socket->abort();
        }
        return;
    case State::Handling:
    case State::Upgraded:
        return;
    }
}

void RequestGuard::reject(const HttpResponse &answer)
{
    const State was = m_state;
    m_state = State::Closing;
    releaseBody();
    // The HTTP server must not see this request any more.
    disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_socket->write(serialize(answer));

    // Read and drop what the client still sends, so that it gets to read the answer rather
    // than a connection reset; then close.
    m_toDrain = -1;
    if ((was == State::Head || was == State::Body) && m_head &&
        m_framing.kind == RequestHead::Framing::Kind::Length && m_head->size() > 0) {
        const qint64 consumed = m_received - m_socket->bytesAvailable();
        m_toDrain = std::max<qint64>(0, m_head->size() + m_framing.length - consumed);
    }
    m_closingFor.start();
    connect(m_socket, &QTcpSocket::readyRead, this, &RequestGuard::drain);
    drain();
}

void RequestGuard::drain()
{
    // A connection refused at accept still has the HTTP server's reader (connected after
    // this guard); it runs after this and finds nothing, but opens a transaction that would
    // keep every dropped byte: close it.
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    const qint64 n = m_socket->skip(m_socket->bytesAvailable());
    if (m_closeSent)
        return;
    if (m_toDrain >= 0) {
        m_toDrain -= std::max<qint64>(0, n);
        if (m_toDrain <= 0) {
            m_closeSent = true;
            m_socket->disconnectFromHost();
            m_timer.start(kDrainCapMs);
            return;
        }
    }
    // Linger while the client keeps sending, within the cap.
    m_timer.start(std::max<qint64>(0, std::min(lingerMs(), kDrainCapMs - m_closingFor.elapsed())));
}

qint64 RequestGuard::lingerMs() const
{
    return std::clamp<qint64>(m_limits.headerTimeoutMs, 50, 1000);
}

void RequestGuard::releaseBody()
{
    if (m_reserved > 0)
        m_budget->release(m_reserved);
    m_reserved = 0;
}

QByteArray RequestGuard::serialize(const HttpResponse &response)
{
    QByteArray bytes = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' +
                       reasonPhrase(response.status) + "\r\n";
    for (const auto &[name, value] : response.headers)
        bytes += name + ": " + value + "\r\n";
    // Like every REST answer, one the guard gives has a request id to quote.
    if (!response.header("x-request-id"))
        bytes += "x-request-id: " + QUuid::createUuid().toByteArray(QUuid::WithoutBraces) + "\r\n";
    bytes += "Content-Length: " + QByteArray::number(response.body.size()) +
             "\r\nConnection: close\r\n\r\n" + response.body;
    return bytes;
}

} // namespace dust::lite
