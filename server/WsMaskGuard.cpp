#include "WsMaskGuard.h"

#include <QTcpSocket>

#include <algorithm>
#include <cstring>

namespace dust::lite {

namespace {

constexpr char kEndOfHead[] = "\r\n\r\n";

} // namespace

void WsMaskGuard::watch(QTcpSocket *socket)
{
    if (!socket)
        return;
    auto *guard = new WsMaskGuard(socket);
    // Queued: QAbstractHttpServer disconnects every signal of the socket after the request
    // handler returns, then queues QWebSocketServer's handshake reader behind this.
    QMetaObject::invokeMethod(guard, &WsMaskGuard::attach, Qt::QueuedConnection);
}

WsMaskGuard::WsMaskGuard(QTcpSocket *socket)
    : QObject(socket)
    , m_socket(socket)
{}

void WsMaskGuard::attach()
{
    if (m_socket->isTransactionStarted()) {
        // Someone else reads this socket in a transaction: the guard cannot follow it.
        qWarning("dustlite: cannot check WebSocket frame masks on a socket read in a "
                 "transaction");
        deleteLater();
        return;
    }
    connect(m_socket, &QTcpSocket::readyRead, this, &WsMaskGuard::inspect);
    inspect();
}

void WsMaskGuard::inspect()
{
    // What QWebSocket (or the handshake reader) consumed since the last look is read out of
    // the transaction for good; the rest stays for it to read.
    const qint64 unread = m_socket->bytesAvailable();
    if (m_socket->isTransactionStarted()) {
        m_socket->rollbackTransaction();
        const qint64 consumed = m_socket->bytesAvailable() - unread;
        if (consumed > 0)
            m_committed += m_socket->skip(consumed);
    }
    if (m_refused) {
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    m_socket->startTransaction();

    // The new bytes start this far into what is buffered.
    qint64 pos = std::max<qint64>(0, m_scanned - m_committed);
    QByteArray window; // peeked only when header bytes must be looked at
    while (pos < unread) {
        if (!m_inHead && m_headerBytes == 0 && m_payloadLeft > 0) {
            const auto skip = std::min<quint64>(m_payloadLeft, quint64(unread - pos));
            m_payloadLeft -= skip;
            pos += qint64(skip);
            continue;
        }
        if (window.isEmpty())
            window = m_socket->peek(unread);
        const qint64 available = window.size();
        if (pos >= available)
            break;
        const auto c = static_cast<unsigned char>(window.at(pos));
        ++pos;
        if (m_inHead) {
            if (c == static_cast<unsigned char>(kEndOfHead[m_headMatch]))
                ++m_headMatch;
            else
                m_headMatch = c == '\r' ? 1 : 0;
            if (m_headMatch == 4)
                m_inHead = false;
            continue;
        }
        if (!headerByte(c)) {
            refuse();
            return;
        }
    }
    m_scanned = m_committed + pos;
}

bool WsMaskGuard::headerByte(unsigned char c)
{
    ++m_headerBytes;
    if (m_headerBytes == 1)
        return true; // FIN, RSV and opcode: QWebSocket checks them
    if (m_headerBytes == 2) {
        if (!(c & 0x80))
            return false;
        const unsigned length = c & 0x7f;
        m_lengthBytes = length == 126 ? 2 : length == 127 ? 8 : 0;
        m_payloadLeft = m_lengthBytes ? 0 : length;
    } else if (m_headerBytes <= 2 + m_lengthBytes) {
        m_payloadLeft = m_payloadLeft << 8 | c;
    }
    // The header ends after the extended length and the 4 bytes of the masking key.
    if (m_headerBytes == 2 + m_lengthBytes + 4) {
        m_headerBytes = 0;
        m_lengthBytes = 0;
    }
    return true;
}

void WsMaskGuard::refuse()
{
    m_refused = true;
    // QWebSocket must never see this frame or anything after it.
    m_socket->rollbackTransaction();
    m_socket->skip(m_socket->bytesAvailable());

    const QByteArray reason(kReason);
    QByteArray close;
    close.append(char(0x88));
    close.append(char(2 + reason.size()));
    close.append(char((kCloseCode >> 8) & 0xff));
    close.append(char(kCloseCode & 0xff));
    close.append(reason);
    m_socket->write(close);
    m_socket->disconnectFromHost();
}

} // namespace dust::lite
