#pragma once

#include <QTcpServer>

namespace dust::lite {

// A QTcpServer that watches each connection's incoming requests before the HTTP server parses
// them: a request whose Content-Length (or, when chunked, whose running size) exceeds the body
// limit, or whose header block is unreasonably large, is answered at once (413 / 431, JSON
// body, Connection: close) without buffering the body; the rest of what the client sends is
// read and dropped so it receives the answer, then the connection is closed.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit GuardedTcpServer(qint64 maxBodyBytes, QObject *parent = nullptr);

    QTcpSocket *nextPendingConnection() override;

    static constexpr qint64 kMaxHeaderBytes = 64 * 1024;

private:
    qint64 m_maxBodyBytes;
};

} // namespace dust::lite
