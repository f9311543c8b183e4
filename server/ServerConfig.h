#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

namespace dust::lite {

struct TokenSpec
{
    QString token;      // must start with "dust_tok_"
    QString org;        // empty = the org of the first store
    QStringList scopes; // empty = every scope
};

// Everything dustlite can be told on its command line.
struct ServerConfig
{
    QHostAddress listen = QHostAddress::LocalHost;
    quint16 port = 7755; // 0 = any free port
    QString dataDir;     // where store databases live (ignored when inMemory)
    bool inMemory = false;
    QList<TokenSpec> tokens; // empty = one full-scope "dust_tok_dev"
    QStringList stores;      // "org/name"; empty = "local/demo"
    QString seed;            // "", "demo" or a leaf count
    bool broadcastRestWrites = false;
    qint64 maxBodyBytes = 8 * 1024 * 1024;
    qint64 maxWsMessageBytes = 16 * 1024 * 1024;
    int readsPerMinute = 0;      // 0 = unlimited
    int writesPerMinute = 0;     // shared by REST writes and WS write/put_file
    qint64 compactAfter = 0;     // compact a store once it holds this many ops; 0 = never
    int wsIdleTimeoutMs = 60000; // close a WebSocket after this long without an inbound frame
};

} // namespace dust::lite
