#include "DustliteHttpServer.h"

#include "GuardedTcpServer.h"
#include "RequestLine.h"
#include "WsMaskGuard.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpSocket>

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

DustliteHttpServer::DustliteHttpServer(RestApi &rest, const Auth &auth, const ServerConfig &config,
                                       QObject *parent)
    : QAbstractHttpServer(parent)
    , m_rest(rest)
    , m_auth(auth)
    , m_config(config)
    , m_access(config)
{}

Expected<quint16, QString> DustliteHttpServer::open(const QHostAddress &address, quint16 port)
{
    auto *tcp = new GuardedTcpServer(m_config, m_auth, this);
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
    if (const auto refusal = m_access.refusal(request)) { // a foreign Host or Origin
        send(request, socket, *refusal, false);
        m_answeredUpgrade = isWebSocketUpgrade(request);
        return !m_answeredUpgrade; // a refused upgrade: Qt must not upgrade the socket
    }
    if (isWebSocketUpgrade(request)) {
        if (request.url().path() == kWebSocketPath) {
#ifdef DUSTLITE_HAS_SYNC_ENDPOINT
            if (const auto refusal =
                    SyncEndpoint::checkConnect(request.url(), m_auth, m_config.maxDeviceIdLength)) {
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
            WsMaskGuard::watch(socket); // unmasked client frames close with 1002
            return true;                // Qt upgrades the socket and emits newWebSocketConnection()
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
