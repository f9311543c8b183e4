#include "GuardedTcpServer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace dust::lite {

namespace {

// Inspects one connection's requests as they arrive. A child of the socket, so it lives and
// dies with it. It is connected to readyRead before the HTTP server's own reader, so it sees
// each piece of data first.
class RequestGuard : public QObject
{
public:
    RequestGuard(QTcpSocket *socket, qint64 maxBodyBytes)
        : QObject(socket)
        , m_socket(socket)
        , m_maxBodyBytes(maxBodyBytes)
    {
        connect(socket, &QTcpSocket::readyRead, this, &RequestGuard::inspect);
    }

private:
    void inspect()
    {
        // The HTTP server opens a read transaction on the first byte of a request and commits
        // it once the request is complete: no open transaction means a new request starts.
        if (!m_socket->isTransactionStarted()) {
            m_head.clear();
            m_inHead = true;
            m_received = 0;
            m_contentLength = -1;
        }
        const qint64 available = m_socket->bytesAvailable();
        m_received += available;
        if (m_inHead) {
            const qint64 want =
                std::min<qint64>(available, GuardedTcpServer::kMaxHeaderBytes + 4 - m_head.size());
            m_head += m_socket->peek(want);
            const qsizetype end = m_head.indexOf("\r\n\r\n");
            if (end < 0) {
                if (m_head.size() > GuardedTcpServer::kMaxHeaderBytes)
                    reject(431, QStringLiteral("request_header_too_large"),
                           QStringLiteral("request headers are larger than %1 bytes")
                               .arg(GuardedTcpServer::kMaxHeaderBytes));
                return;
            }
            m_inHead = false;
            m_headSize = end + 4;
            const QByteArray head = m_head.left(end);
            bool hasLength = false;
            m_contentLength = headerValue(head, "content-length").toLongLong(&hasLength);
            if (!hasLength)
                m_contentLength = -1;
            if (m_contentLength > m_maxBodyBytes) {
                reject(413, QStringLiteral("payload_too_large"),
                       QStringLiteral("request body is larger than %1 bytes").arg(m_maxBodyBytes));
                return;
            }
            // A client that waits for permission to send its body gets it at once.
            if (headerValue(head, "expect").compare("100-continue", Qt::CaseInsensitive) == 0 &&
                m_received - m_headSize <= 0)
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        }
        // Chunked bodies carry no length: stop them once they grow beyond the limit.
        if (!m_inHead && m_received - m_headSize > m_maxBodyBytes + 64 * 1024)
            reject(413, QStringLiteral("payload_too_large"),
                   QStringLiteral("request body is larger than %1 bytes").arg(m_maxBodyBytes));
    }

    // The value of the first header called `name` in a request head; empty when absent.
    static QByteArray headerValue(const QByteArray &head, QByteArrayView name)
    {
        const QList<QByteArray> lines = head.split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }

    void reject(int status, const QString &code, const QString &detail)
    {
        // The HTTP server must not see this request any more.
        disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
        if (m_socket->isTransactionStarted())
            m_socket->commitTransaction();

        const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("error"), code},
                                                          {QStringLiteral("detail"), detail}})
                                    .toJson(QJsonDocument::Compact);
        const QByteArray reason =
            status == 413 ? "Payload Too Large" : "Request Header Fields Too Large";
        m_socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
                        "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
                        QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);

        // Read and drop what the client still sends, so it gets to read the answer rather
        // than a connection reset; then close.
        const qint64 consumed = m_received - m_socket->bytesAvailable();
        m_toDrain = m_contentLength >= 0 ? m_headSize + m_contentLength - consumed : -1;
        connect(m_socket, &QTcpSocket::readyRead, this, &RequestGuard::drain);
        drain();
        QTimer::singleShot(10000, this, [this] { m_socket->abort(); });
    }

    void drain()
    {
        const qint64 n = m_socket->skip(m_socket->bytesAvailable());
        if (m_toDrain >= 0) {
            m_toDrain -= std::max<qint64>(0, n);
            if (m_toDrain <= 0)
                m_socket->disconnectFromHost();
        }
    }

    QTcpSocket *m_socket;
    qint64 m_maxBodyBytes;
    QByteArray m_head;
    bool m_inHead = true;
    qint64 m_received = 0;
    qint64 m_headSize = 0;
    qint64 m_contentLength = -1;
    qint64 m_toDrain = -1;
};

} // namespace

GuardedTcpServer::GuardedTcpServer(qint64 maxBodyBytes, QObject *parent)
    : QTcpServer(parent)
    , m_maxBodyBytes(maxBodyBytes)
{}

QTcpSocket *GuardedTcpServer::nextPendingConnection()
{
    QTcpSocket *socket = QTcpServer::nextPendingConnection();
    if (socket)
        new RequestGuard(socket, m_maxBodyBytes);
    return socket;
}

} // namespace dust::lite
