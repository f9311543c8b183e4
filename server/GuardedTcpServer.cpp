#include "GuardedTcpServer.h"

#include <QTcpSocket>

namespace dust::lite {

GuardedTcpServer::GuardedTcpServer(const ServerConfig &config, const Auth &auth, QObject *parent)
    : QTcpServer(parent)
    , m_limits{kMaxHeaderBytes, std::clamp(config.maxHeaderCount, 1, kQtMaxHeaderFields),
               std::max(1, config.headerTimeoutMs), std::max(1, config.bodyTimeoutMs),
               std::max(1, config.keepAliveTimeoutMs)}
    , m_admission(auth, config.maxBodyBytes)
    // Shared with the guards: the sockets are children of this server, so they and their
    // guards are deleted after its members.
    , m_budget(std::make_shared<ConnectionBudget>(ConnectionBudget::Limits{
          config.maxConnections, config.maxConnectionsPerPeer, config.maxBufferedBytes}))
{}

QTcpSocket *GuardedTcpServer::nextPendingConnection()
{
    QTcpSocket *socket = QTcpServer::nextPendingConnection();
    if (!socket)
        return nullptr;
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    new RequestGuard(socket, m_limits, m_admission, m_budget,
                     m_budget->admit(socket->peerAddress()));
    return socket;
}

} // namespace dust::lite
