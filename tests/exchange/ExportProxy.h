#pragma once

// A small HTTP/1.1 proxy in front of a real dustlite for the streamed-export tests: every
// request is forwarded to the server and its answer sent back, except GET …/export, which
// is answered as the test says: passed through, refused with a status and body (a server
// without the route), or replaced with other bytes, sent whole or held open after them.

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#include <utility>

namespace dust::test::exporttest {

class ExportProxy : public QObject
{
public:
    enum class Export {
        Forward, // to the server, as any request
        Refuse,  // answer `status` with `body`
        Replace, // answer 200 with `body`, whole
        Hold,    // answer 200 announcing `announced` bytes, send `body` and say no more
    };

    explicit ExportProxy(QUrl server)
        : m_server(std::move(server))
    {
        m_nam.setProxy(QNetworkProxy::NoProxy);
        connect(&m_listener, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_listener.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onData(socket); });
                connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                    m_buffers.remove(socket);
                    socket->deleteLater();
                });
            }
        });
        if (!m_listener.listen(QHostAddress::LocalHost, 0))
            qFatal("the proxy cannot listen");
    }

    QUrl baseUrl() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_listener.serverPort()));
    }

    void refuseExport(int status, QByteArray body)
    {
        m_mode = Export::Refuse;
        m_status = status;
        m_body = std::move(body);
    }
    void replaceExport(QByteArray body)
    {
        m_mode = Export::Replace;
        m_body = std::move(body);
    }
    void holdExport(QByteArray body, qint64 announced)
    {
        m_mode = Export::Hold;
        m_body = std::move(body);
        m_announced = announced;
    }
    // Drops the connection of a held export, as a server that goes away.
    void dropHeld()
    {
        if (m_heldSocket)
            m_heldSocket->abort();
    }
    int exportRequests() const { return m_exportRequests; }
    int otherRequests() const { return m_otherRequests; }
    // Whether the client closed the connection of a held export.
    bool heldClosed() const { return m_held && !m_heldSocket; }

private:
    static QByteArray answer(int status, const QByteArray &type, const QByteArray &body,
                             qint64 length = -1)
    {
        return "HTTP/1.1 " + QByteArray::number(status) + " Status\r\nContent-Type: " + type +
               "\r\nContent-Length: " + QByteArray::number(length < 0 ? body.size() : length) +
               "\r\n\r\n" + body;
    }

    void onData(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            QNetworkRequest request(QUrl::fromEncoded(m_server.toEncoded() + first.value(1)));
            qsizetype length = 0;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines.at(i).trimmed();
                const qsizetype colon = line.indexOf(':');
                const QByteArray key = line.left(colon).trimmed();
                const QByteArray value = line.mid(colon + 1).trimmed();
                if (key.compare("Content-Length", Qt::CaseInsensitive) == 0)
                    length = value.toLongLong();
                else if (key.compare("Authorization", Qt::CaseInsensitive) == 0 ||
                         key.compare("Content-Type", Qt::CaseInsensitive) == 0 ||
                         key.compare("If-Match", Qt::CaseInsensitive) == 0)
                    request.setRawHeader(key, value);
            }
            if (buffer.size() < end + 4 + length)
                return;
            const QByteArray body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            const bool isExport = first.value(1).contains("/export");
            if (isExport)
                ++m_exportRequests;
            else
                ++m_otherRequests;
            if (isExport && m_mode == Export::Refuse) {
                socket->write(answer(m_status, "application/json", m_body));
            } else if (isExport && m_mode == Export::Replace) {
                socket->write(answer(200, "application/x-ndjson", m_body));
            } else if (isExport && m_mode == Export::Hold) {
                m_held = true;
                m_heldSocket = socket;
                socket->write(answer(200, "application/x-ndjson", m_body, m_announced));
            } else {
                forward(socket, first.value(0), request, body);
            }
        }
    }

    void forward(QTcpSocket *socket, const QByteArray &verb, const QNetworkRequest &request,
                 const QByteArray &body)
    {
        QNetworkReply *reply = m_nam.sendCustomRequest(request, verb, body);
        QPointer<QTcpSocket> guard(socket);
        connect(reply, &QNetworkReply::finished, this, [reply, guard] {
            reply->deleteLater();
            if (!guard)
                return;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            guard->write(
                answer(status == 0 ? 502 : status,
                       reply->header(QNetworkRequest::ContentTypeHeader).toString().toUtf8(),
                       reply->readAll()));
        });
    }

    QUrl m_server;
    QTcpServer m_listener;
    QNetworkAccessManager m_nam;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    Export m_mode = Export::Forward;
    int m_status = 0;
    QByteArray m_body;
    qint64 m_announced = 0;
    int m_exportRequests = 0;
    int m_otherRequests = 0;
    bool m_held = false;
    QPointer<QTcpSocket> m_heldSocket;
};

} // namespace dust::test::exporttest
