#pragma once

// Helpers shared by the HttpTransport suites: the test store and tokens, a dustlite serving
// them, result checks, and a small QTcpServer-based fake HTTP server for what dustlite never
// does (missing routes, 405 on HEAD, garbage, silence).

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "transport/HttpTransport.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

#include <functional>
#include <memory>
#include <utility>

namespace httptest {

using namespace dust;

inline constexpr char kStore[] = "acme/site";
inline const QString kToken = QStringLiteral("dust_tok_full");
inline const QString kReadOnlyToken = QStringLiteral("dust_tok_reader");

inline QString store()
{
    return QString::fromLatin1(kStore);
}

using dust::test::await;
using dust::test::path;
using dust::test::segments;

inline QString describe(const Error &error)
{
    return Error::kindName(error.kind()) + QStringLiteral(": ") + error.message();
}

// Both evaluate `result` once (it is often the call under test).
#define EXPECT_OK(result)                                                                          \
    do {                                                                                           \
        const auto &checked_ = (result);                                                           \
        if (!checked_)                                                                             \
            QFAIL(qPrintable(QStringLiteral("unexpected error: ") + describe(checked_.error())));  \
    } while (false)

#define EXPECT_ERROR(result, errorKind)                                                            \
    do {                                                                                           \
        const auto &checked_ = (result);                                                           \
        if (checked_)                                                                              \
            QFAIL("expected an error, got a value");                                               \
        if (checked_.error().kind() != (errorKind))                                                \
            QFAIL(qPrintable(QStringLiteral("expected ") + Error::kindName(errorKind) +            \
                             QStringLiteral(", got ") + describe(checked_.error())));              \
    } while (false)

// ---- a fake HTTP server -------------------------------------------------------------------

struct RawRequest
{
    QByteArray method;
    QByteArray target; // as sent, still percent-encoded
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

// A minimal HTTP/1.1 server: parses requests and lets the test's handler answer each one
// (or close the connection, or stay silent).
class FakeHttpServer : public QObject
{
public:
    // How the handler answers: send(bytes) writes a response, close() drops the
    // connection; doing neither leaves the client waiting.
    class Exchange
    {
    public:
        explicit Exchange(QTcpSocket *socket)
            : m_socket(socket)
        {}
        void send(const QByteArray &bytes) const
        {
            if (m_socket)
                m_socket->write(bytes);
        }
        void close() const
        {
            if (m_socket)
                m_socket->abort();
        }

    private:
        QPointer<QTcpSocket> m_socket;
    };
    using Handler = std::function<void(const RawRequest &, const Exchange &)>;

    explicit FakeHttpServer(Handler handler)
        : m_handler(std::move(handler))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                ++m_connections;
                QObject::connect(socket, &QTcpSocket::readyRead, this,
                                 [this, socket] { onReadyRead(socket); });
                QObject::connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                    ++m_disconnects;
                    socket->deleteLater();
                });
            }
        });
        if (!m_server.listen(QHostAddress::LocalHost, 0))
            qFatal("fake server cannot listen");
    }

    QUrl baseUrl() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
    }
    const QList<RawRequest> &requests() const { return m_requests; }
    int connections() const { return m_connections; }
    int disconnects() const { return m_disconnects; }

    static QByteArray response(int status, const QByteArray &body,
                               const QList<std::pair<QByteArray, QByteArray>> &headers = {},
                               const QByteArray &contentType = "application/json",
                               bool head = false)
    {
        QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + " Status\r\n";
        out += "Content-Type: " + contentType + "\r\n";
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        for (const auto &[key, value] : headers)
            out += key + ": " + value + "\r\n";
        out += "\r\n";
        if (!head)
            out += body;
        return out;
    }

private:
    void onReadyRead(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            RawRequest request;
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            request.method = first.value(0);
            request.target = first.value(1);
            qsizetype length = 0;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines.at(i).trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                const QByteArray key = line.left(colon).trimmed();
                const QByteArray value = line.mid(colon + 1).trimmed();
                request.headers.append({key, value});
                if (key.compare("Content-Length", Qt::CaseInsensitive) == 0)
                    length = value.toLongLong();
            }
            if (buffer.size() < end + 4 + length)
                return;
            request.body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            m_requests.append(request);
            m_handler(request, Exchange(socket));
            if (socket->state() != QAbstractSocket::ConnectedState)
                return;
        }
    }

    QTcpServer m_server;
    Handler m_handler;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<RawRequest> m_requests;
    int m_connections = 0;
    int m_disconnects = 0;
};

// A dustlite on 127.0.0.1 serving the test store to both tokens, for a suite's whole run.
class TestServer
{
public:
    // Adds the test store and tokens to `server`'s configuration.
    static void configure(test::InProcessDustlite &server)
    {
        lite::ServerConfig &config = server.config();
        config.stores = {store()};
        config.tokens = {lite::TokenSpec{kToken, QStringLiteral("acme"), {}},
                         lite::TokenSpec{kReadOnlyToken,
                                         QStringLiteral("acme"),
                                         {QStringLiteral("entries:read")}}};
    }

    bool start()
    {
        configure(m_server);
        return m_server.start();
    }
    void stop() { m_server.stop(); }
    QString errorString() const { return m_server.errorString(); }
    QUrl baseUrl() const { return m_server.baseUrl(); }
    std::unique_ptr<HttpTransport> transport(const QString &token = kToken) const
    {
        return std::make_unique<HttpTransport>(m_server.baseUrl(), token);
    }

private:
    test::InProcessDustlite m_server;
};

} // namespace httptest
