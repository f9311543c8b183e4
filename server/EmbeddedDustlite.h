#pragma once

#include "ServerConfig.h"
#include "protocol/Expected.h"

#include <QObject>
#include <QString>
#include <QThread>
#include <QUrl>

#include <chrono>

namespace dust::lite {

class DustliteServer;

// A DustliteServer on its own worker thread, as the app embeds it: the GUI thread never runs
// server code. start() reports the outcome through `started`/`failed`; startAndWait() blocks
// the caller until the server listens or fails (with a timeout). Destroying it stops the
// server and joins the thread.
class EmbeddedDustlite : public QObject
{
    Q_OBJECT
public:
    explicit EmbeddedDustlite(QObject *parent = nullptr);
    ~EmbeddedDustlite() override;

    // Starts the worker thread and the server on it; `started` or `failed` follows.
    void start(const ServerConfig &config);
    // Like start(), but waits for the outcome: the port, or an error (also on timeout).
    Expected<quint16, QString>
    startAndWait(const ServerConfig &config,
                 std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // Stops the server and joins the worker thread. Safe to call more than once.
    void stop();

    bool isRunning() const { return m_port != 0; }
    quint16 port() const { return m_port; }
    QUrl baseUrl() const { return m_baseUrl; }
    QUrl wsUrl() const { return m_wsUrl; }
    // The first token of the running server: the one it generated (and keeps in its data
    // directory) when the configuration named none. Empty when not running.
    QString token() const { return m_token; }

signals:
    void started(quint16 port, const QUrl &baseUrl);
    void failed(const QString &error);

private:
    void onStarted(quint16 port, const QUrl &baseUrl, const QUrl &wsUrl, const QString &token);

    QThread m_thread;
    DustliteServer *m_server = nullptr; // lives on m_thread; deleted there
    quint16 m_port = 0;
    QUrl m_baseUrl;
    QUrl m_wsUrl;
    QString m_token;
};

} // namespace dust::lite
