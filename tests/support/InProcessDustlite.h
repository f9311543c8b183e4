#pragma once

#include "DustliteServer.h"
#include "ServerConfig.h"
#include "StoreDb.h"

#include <QUrl>

namespace dust::test {

// A DustliteServer in the test's own process and thread, on 127.0.0.1 port 0, stores in
// memory: the quickest real server for network tests. Adjust config() before start().
//
//     InProcessDustlite dustlite;
//     dustlite.config().tokens = {{"dust_tok_ro", "", {"entries:read"}}};
//     QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
//     auto *db = dustlite.store("local/demo");   // direct access for seeding
class InProcessDustlite
{
public:
    InProcessDustlite();
    ~InProcessDustlite();

    // The configuration start() uses: port 0, in memory, the default store and one explicit
    // full-scope token, dust_tok_dev (clear config().tokens to have the server generate one).
    lite::ServerConfig &config() { return m_config; }
    static lite::ServerConfig testConfig();

    bool start();
    void stop();
    QString errorString() const { return m_error; }

    lite::DustliteServer &server() { return m_server; }
    // An open store of the running server (nullptr if unknown).
    lite::StoreDb *store(const QString &fullName = QStringLiteral("local/demo"));
    quint16 port() const { return m_server.port(); }
    QUrl baseUrl() const { return m_server.baseUrl(); }
    QUrl wsUrl() const { return m_server.wsUrl(); }

private:
    lite::ServerConfig m_config;
    lite::DustliteServer m_server;
    QString m_error;
};

} // namespace dust::test
