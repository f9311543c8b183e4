#include "EmbeddedDustlite.h"

#include "DustliteServer.h"

#include <QEventLoop>
#include <QMetaObject>
#include <QTimer>

namespace dust::lite {

EmbeddedDustlite::EmbeddedDustlite(QObject *parent)
    : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("dustlite"));
}

EmbeddedDustlite::~EmbeddedDustlite()
{
    stop();
}

void EmbeddedDustlite::start(const ServerConfig &config)
{
    if (m_server) {
        emit failed(QStringLiteral("the embedded dustlite is already running"));
        return;
    }
    m_thread.start();
    m_server = new DustliteServer;
    m_server->moveToThread(&m_thread);
    // Runs on the worker thread; the outcome comes back to this object's thread queued.
    QMetaObject::invokeMethod(m_server, [this, server = m_server, config] {
        const auto result = server->start(config);
        if (result) {
            const quint16 port = *result;
            const QUrl base = server->baseUrl();
            const QUrl ws = server->wsUrl();
            const QString token = server->config().tokens.value(0).token;
            QMetaObject::invokeMethod(
                this, [this, port, base, ws, token] { onStarted(port, base, ws, token); },
                Qt::QueuedConnection);
        } else {
            const QString error = result.error();
            QMetaObject::invokeMethod(
                this, [this, error] { emit failed(error); }, Qt::QueuedConnection);
        }
    });
}

Expected<quint16, QString> EmbeddedDustlite::startAndWait(const ServerConfig &config,
                                                          std::chrono::milliseconds timeout)
{
    using Result = Expected<quint16, QString>;
    QEventLoop loop;
    QString error;
    const auto onStart = connect(this, &EmbeddedDustlite::started, &loop, &QEventLoop::quit);
    const auto onFail =
        connect(this, &EmbeddedDustlite::failed, &loop, [&loop, &error](const QString &why) {
            error = why;
            loop.quit();
        });
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, [&loop, &error] {
        error = QStringLiteral("dustlite did not start in time");
        loop.quit();
    });
    timer.start(timeout);
    start(config);
    if (!m_port && error.isEmpty())
        loop.exec();
    disconnect(onStart);
    disconnect(onFail);
    if (m_port)
        return m_port;
    stop();
    return Result::failure(error.isEmpty() ? QStringLiteral("dustlite did not start") : error);
}

void EmbeddedDustlite::onStarted(quint16 port, const QUrl &baseUrl, const QUrl &wsUrl,
                                 const QString &token)
{
    if (!m_server)
        return;
    m_token = token;
    m_port = port;
    m_baseUrl = baseUrl;
    m_wsUrl = wsUrl;
    emit started(port, baseUrl);
}

void EmbeddedDustlite::stop()
{
    if (m_server) {
        // Stop and delete the server on its own thread, then end the thread.
        DustliteServer *server = m_server;
        m_server = nullptr;
        if (m_thread.isRunning()) {
            QMetaObject::invokeMethod(
                server, [server] { delete server; }, Qt::BlockingQueuedConnection);
        } else {
            delete server;
        }
    }
    m_thread.quit();
    m_thread.wait();
    m_port = 0;
    m_token.clear();
    m_baseUrl.clear();
    m_wsUrl.clear();
}

} // namespace dust::lite
