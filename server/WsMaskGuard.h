#pragma once

#include <QObject>

class QTcpSocket;

namespace dust::lite {

// RFC 6455 §5.1: a server must close the connection on a client frame that is not masked.
// Qt 6.4's QWebSocket accepts unmasked client frames, and it offers no way to see the mask
// bit, so this guard reads the client's byte stream ahead of it: it follows the frame
// headers after the upgrade request and, on a frame without the mask bit, writes a close
// frame 1002 ("client frames must be masked (RFC 6455 section 5.1)"), drops everything the
// client sent that was not processed yet (QWebSocket never sees the frame) and closes the
// connection.
//
// It keeps a read transaction open on the socket so it can tell which bytes QWebSocket has
// consumed since it last looked; every readyRead, it commits those and scans only the new
// bytes (headers only: payloads are skipped, never copied). A child of the socket.
//
// watch() must be called on the raw socket of an upgrade request before the WebSocket is
// created from it, e.g. in QAbstractHttpServer::handleRequest() right before returning true
// for an accepted upgrade, or before QWebSocketServer::handleConnection(). It connects on the
// next event-loop turn, after QAbstractHttpServer has disconnected the socket's signals and
// before QWebSocketServer reads the handshake, so it sees each piece of data first.
class WsMaskGuard : public QObject
{
    Q_OBJECT
public:
    static void watch(QTcpSocket *socket);

    // The close frame's status code and reason.
    static constexpr int kCloseCode = 1002;
    static constexpr const char *kReason = "client frames must be masked (RFC 6455 section 5.1)";

private:
    explicit WsMaskGuard(QTcpSocket *socket);
    void attach();
    void inspect();
    // One byte of a frame header; false when it says the frame is not masked.
    bool headerByte(unsigned char c);
    void refuse();

    QTcpSocket *m_socket;
    bool m_inHead = true;      // still in the HTTP upgrade request
    int m_headMatch = 0;       // how much of "\r\n\r\n" was just seen
    qint64 m_scanned = 0;      // bytes of the stream scanned, from the start
    qint64 m_committed = 0;    // bytes of the stream consumed and dropped, from the start
    int m_headerBytes = 0;     // of the frame header being read (0: between frames)
    int m_lengthBytes = 0;     // its extended payload length: 0, 2 or 8 bytes
    quint64 m_payloadLeft = 0; // payload bytes still to skip
    bool m_refused = false;
};

} // namespace dust::lite
