#include "DustliteHttpServer.h"

#include "GuardedTcpServer.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>

#include <deque>
#include <optional>

#if __has_include("SyncEndpoint.h")
#include "SyncEndpoint.h"
#define DUSTLITE_HAS_SYNC_ENDPOINT 1
#endif

namespace dust::lite {

namespace {

constexpr QLatin1String kWebSocketPath("/ws/sync/websocket");
constexpr qsizetype kChunkBytes = 64 * 1024;

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

bool isWebSocketUpgrade(const QHttpServerRequest &request)
{
    return request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
}

} // namespace

// One connection's requests, handled one at a time in the order they came: a pipelined request
// goes to RestApi only once the answer before it is sent, so it sees what that one wrote, and
// the answers go out in order. A child of the socket, so it goes with it (and an answer that
// comes in later is dropped).
class RequestLine : public QObject
{
public:
    using Dispatch = std::function<void(const HttpRequest &, RestApi::Reply)>;
    using Write = std::function<void(const HttpResponse &, bool head)>;

    // The line of `socket`, made on first use with how it hands out requests and writes answers.
    static RequestLine *of(QTcpSocket *socket, Dispatch dispatch, Write write)
    {
        // Found by name: without a meta-object of its own, a cast cannot tell it apart.
        QObject *found = socket->findChild<QObject *>(name(), Qt::FindDirectChildrenOnly);
        if (found)
            return static_cast<RequestLine *>(found);
        return new RequestLine(socket, std::move(dispatch), std::move(write));
    }
    // The requests of `socket` not answered yet.
    static qsizetype waitingOn(QTcpSocket *socket)
    {
        QObject *found = socket->findChild<QObject *>(name(), Qt::FindDirectChildrenOnly);
        return found ? static_cast<RequestLine *>(found)->waiting() : 0;
    }

    qsizetype waiting() const { return qsizetype(m_items.size()) + (m_busy ? 1 : 0); }

    void push(HttpRequest request)
    {
        const bool head = request.isHead();
        m_items.push_back(Item{std::move(request), std::nullopt, head});
        pump();
    }
    // An answer already made, sent after those before it.
    void pushAnswer(HttpResponse response, bool head)
    {
        m_items.push_back(Item{{}, std::move(response), head});
        pump();
    }

private:
    RequestLine(QTcpSocket *socket, Dispatch dispatch, Write write)
        : QObject(socket)
        , m_dispatch(std::move(dispatch))
        , m_write(std::move(write))
    {
        setObjectName(name());
    }
    static QString name() { return QStringLiteral("dustlite-request-line"); }

    struct Item
    {
        HttpRequest request;
        std::optional<HttpResponse> answer; // set: no request to run, just this to send
        bool head = false;
    };

    void pump()
    {
        while (!m_busy && !m_items.empty()) {
            Item item = std::move(m_items.front());
            m_items.pop_front();
            if (item.answer) {
                m_write(*item.answer, item.head);
                continue;
            }
            m_busy = true;
            QPointer<RequestLine> self(this);
            m_dispatch(item.request, [self, head = item.head](HttpResponse response) {
                if (!self)
                    return; // the connection is gone
                self->m_busy = false;
                self->m_write(response, head);
                self->pump();
            });
        }
    }

    Dispatch m_dispatch;
    Write m_write;
    std::deque<Item> m_items;
    bool m_busy = false;
};

DustliteHttpServer::DustliteHttpServer(RestApi &rest, const Auth &auth, qint64 maxBodyBytes,
                                       QObject *parent)
    : QAbstractHttpServer(parent)
    , m_rest(rest)
    , m_auth(auth)
    , m_maxBodyBytes(maxBodyBytes)
{}

Expected<quint16, QString> DustliteHttpServer::open(const QHostAddress &address, quint16 port)
{
    auto *tcp = new GuardedTcpServer(m_maxBodyBytes, this);
    if (!tcp->listen(address, port)) {
        const QString error = QStringLiteral("cannot listen on %1:%2: %3")
                                  .arg(address.toString())
                                  .arg(port)
                                  .arg(tcp->errorString());
        delete tcp;
        return Expected<quint16, QString>::failure(error);
    }
    bind(tcp);
    return tcp->serverPort();
}

HttpRequest DustliteHttpServer::toHttpRequest(const QHttpServerRequest &request)
{
    HttpRequest converted;
    converted.method = methodName(request.method());
    const QUrl url = request.url();
    converted.rawPath = url.path(QUrl::FullyEncoded).toUtf8();
    if (converted.rawPath.isEmpty())
        converted.rawPath = "/";
    converted.query = HttpRequest::parseQuery(url.query(QUrl::FullyEncoded).toUtf8());
    const auto headers = request.headers();
    converted.headers.reserve(headers.size());
    for (const auto &[name, value] : headers)
        converted.headers.append({name.toLower(), value});
    converted.body = request.body();
    converted.host = QString::fromUtf8(request.value("host"));
    return converted;
}

bool DustliteHttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (isWebSocketUpgrade(request)) {
        if (request.url().path() == kWebSocketPath) {
#ifdef DUSTLITE_HAS_SYNC_ENDPOINT
            if (const auto refusal = SyncEndpoint::checkConnect(request.url(), m_auth)) {
                send(request, socket,
                     HttpResponse::error(403, QStringLiteral("forbidden"), *refusal), false);
                m_answeredUpgrade = true;
                return false; // answered: Qt must not upgrade this socket
            }
#endif
            if (RequestLine::waitingOn(socket) > 0) {
                send(request, socket,
                     HttpResponse::error(400, QStringLiteral("bad_request"),
                                         QStringLiteral("a WebSocket upgrade must wait until the "
                                                        "answers to earlier requests on this "
                                                        "connection have arrived")),
                     false);
                m_answeredUpgrade = true;
                return false;
            }
            return true; // Qt upgrades the socket and emits newWebSocketConnection()
        }
        send(request, socket, HttpResponse::noRoute(), false);
        m_answeredUpgrade = true;
        return false;
    }

    HttpRequest converted = toHttpRequest(request);
    RequestLine *line = lineOf(request, socket);
    if (line->waiting() >= kMaxPipelined) {
        line->pushAnswer(
            HttpResponse::error(503, QStringLiteral("too_many_requests_in_flight"),
                                QStringLiteral("%1 requests on this connection are still waiting "
                                               "for answers; wait for them before sending more")
                                    .arg(kMaxPipelined)),
            converted.isHead());
        return true;
    }
    line->push(std::move(converted));
    return true;
}

RequestLine *DustliteHttpServer::lineOf(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Qt keeps one request object per connection, for as long as the socket lives.
    const QHttpServerRequest *qtRequest = &request;
    return RequestLine::of(
        socket,
        [this](const HttpRequest &next, RestApi::Reply reply) {
            m_rest.handle(next, std::move(reply));
        },
        [this, qtRequest, socket](const HttpResponse &response, bool head) {
            write(*qtRequest, socket, response, head);
        });
}

void DustliteHttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (m_answeredUpgrade) {
        m_answeredUpgrade = false;
        return;
    }
    send(request, socket, HttpResponse::noRoute(), false);
}

void DustliteHttpServer::send(const QHttpServerRequest &request, QTcpSocket *socket,
                              const HttpResponse &response, bool head)
{
    if (!socket)
        return;
    lineOf(request, socket)->pushAnswer(response, head);
}

void DustliteHttpServer::write(const QHttpServerRequest &request, QTcpSocket *socket,
                               const HttpResponse &response, bool head)
{
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
    for (const auto &[name, value] : response.headers)
        responder.writeHeader(name, value);

    if (!response.stream) {
        responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
        responder.writeBody(head ? QByteArray() : response.body);
        return;
    }

    responder.writeHeader("Transfer-Encoding", "chunked");
    if (head) {
        responder.writeBody(QByteArray());
        return;
    }
    QByteArray pending;
    const auto flush = [&responder, &pending] {
        if (pending.isEmpty())
            return;
        responder.writeBody(QByteArray::number(pending.size(), 16) + "\r\n" + pending + "\r\n");
        pending.clear();
    };
    response.stream([&pending, &flush](const QByteArray &piece) {
        pending += piece;
        if (pending.size() >= kChunkBytes)
            flush();
    });
    flush();
    responder.writeBody("0\r\n\r\n");
}

} // namespace dust::lite
