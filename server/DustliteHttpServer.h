#pragma once

#include "Auth.h"
#include "HttpExchange.h"
#include "LocalAccess.h"
#include "RestApi.h"

#include <QAbstractHttpServer>
#include <QHostAddress>

namespace dust::lite {

class RequestLine;

// The HTTP side of dustlite's one port: REST requests go to RestApi (by their raw,
// percent-encoded path, so "%2F" stays distinguishable from "/"); a WebSocket upgrade of
// /ws/sync/websocket whose connect parameters pass is handed to Qt, which then emits
// newWebSocketConnection(); a refused one is answered 403.
//
// RestApi may answer later (reads and writes run on its pool), so each connection handles its
// requests one at a time, in order: a pipelined request goes to RestApi once the answer before
// it is sent, and at most kMaxPipelined requests per connection wait (more get 503).
class DustliteHttpServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    DustliteHttpServer(RestApi &rest, const Auth &auth, const ServerConfig &config,
                       QObject *parent = nullptr);

    // Starts listening; the bound port, or a readable error ("address already in use").
    Expected<quint16, QString> open(const QHostAddress &address, quint16 port);

    // Converts Qt's request into the REST layer's form.
    static HttpRequest toHttpRequest(const QHttpServerRequest &request);

    // Requests of one connection that may wait for their answers at a time.
    static constexpr qsizetype kMaxPipelined = 32;

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    // Answers a request of `socket` now, after the answers still due on it.
    void send(const QHttpServerRequest &request, QTcpSocket *socket, const HttpResponse &response,
              bool head);
    // The connection's line of requests (see RequestLine in the .cpp).
    RequestLine *lineOf(const QHttpServerRequest &request, QTcpSocket *socket);
    // Writes one answer to the socket.
    void write(const QHttpServerRequest &request, QTcpSocket *socket, const HttpResponse &response,
               bool head);

    RestApi &m_rest;
    const Auth &m_auth;
    const ServerConfig &m_config; // the guard's limits and timeouts, the WebSocket limits
    LocalAccess m_access;         // the Host and Origin rules
    bool m_answeredUpgrade = false;
};

} // namespace dust::lite
