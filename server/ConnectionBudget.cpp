#include "ConnectionBudget.h"

namespace dust::lite {

ConnectionBudget::ConnectionBudget(const Limits &limits)
    : m_limits(limits)
{}

std::optional<QString> ConnectionBudget::admit(const QHostAddress &peer)
{
    if (m_connections >= m_limits.maxConnections)
        return QStringLiteral("dustlite has %1 open connections, its limit "
                              "(--max-connections); retry once some have closed")
            .arg(m_connections);
    int &fromPeer = m_perPeer[peer];
    if (fromPeer >= m_limits.maxConnectionsPerPeer)
        return QStringLiteral("%1 has %2 open connections to dustlite, the limit per address "
                              "(--max-connections-per-peer); close some and retry")
            .arg(peer.toString())
            .arg(fromPeer);
    ++fromPeer;
    ++m_connections;
    return std::nullopt;
}

void ConnectionBudget::leave(const QHostAddress &peer)
{
    --m_connections;
    const auto it = m_perPeer.find(peer);
    if (it != m_perPeer.end() && --it.value() <= 0)
        m_perPeer.erase(it);
}

bool ConnectionBudget::reserve(qint64 bytes)
{
    if (bytes > m_limits.maxBufferedBytes - m_buffered)
        return false;
    m_buffered += bytes;
    return true;
}

void ConnectionBudget::release(qint64 bytes)
{
    m_buffered -= bytes;
}

} // namespace dust::lite
