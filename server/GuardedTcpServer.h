#pragma once

#include "BodyAdmission.h"
#include "ConnectionBudget.h"
#include "RequestGuard.h"
#include "ServerConfig.h"

#include <QTcpServer>

#include <memory>

namespace dust::lite {

class Auth;

// The listening socket of dustlite's HTTP server. Every connection it hands out has
// TCP_NODELAY set (small WebSocket frames and answers go out at once, not after the peer's
// delayed ACK) and a RequestGuard that sees its bytes before the HTTP server parses them:
// strict framing, bodies admitted from their head, timeouts, and the connection limits and
// body buffer budget shared by all connections (ConnectionBudget). Over a connection limit a
// connection is answered 503 and closed.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    GuardedTcpServer(const ServerConfig &config, const Auth &auth, QObject *parent = nullptr);

    QTcpSocket *nextPendingConnection() override;

    static constexpr qint64 kMaxHeaderBytes = 64 * 1024;
    // Qt's HTTP parser drops every header of a request with more lines than this.
    static constexpr int kQtMaxHeaderFields = 100;

    const ConnectionBudget &budget() const { return *m_budget; }

private:
    RequestGuard::Limits m_limits;
    BodyAdmission m_admission;
    std::shared_ptr<ConnectionBudget> m_budget;
};

} // namespace dust::lite
