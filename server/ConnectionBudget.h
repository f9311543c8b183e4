#pragma once

#include <QHash>
#include <QHostAddress>
#include <QString>

#include <optional>

namespace dust::lite {

// What all of dustlite's connections share: how many are open, from each peer and in all,
// and how many bytes of unfinished request bodies they hold. Each RequestGuard takes its
// place when its connection is accepted and gives it back when the socket goes; it reserves
// a body's bytes before Qt reads them and frees them when the request is done.
class ConnectionBudget
{
public:
    struct Limits
    {
        int maxConnections = 1000;
        int maxConnectionsPerPeer = 256;
        qint64 maxBufferedBytes = 64 * 1024 * 1024;
    };

    explicit ConnectionBudget(const Limits &limits);

    // Takes a place for a new connection from `peer`: nullopt when admitted, otherwise why
    // not (a sentence for the 503 answer).
    std::optional<QString> admit(const QHostAddress &peer);
    void leave(const QHostAddress &peer);

    // Reserves `bytes` of body; false (and nothing reserved) when that would exceed the cap.
    bool reserve(qint64 bytes);
    void release(qint64 bytes);

    int connections() const { return m_connections; }
    qint64 bufferedBytes() const { return m_buffered; }

private:
    Limits m_limits;
    int m_connections = 0;
    QHash<QHostAddress, int> m_perPeer;
    qint64 m_buffered = 0;
};

} // namespace dust::lite
