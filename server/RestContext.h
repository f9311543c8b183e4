#pragma once

#include "Auth.h"
#include "HttpExchange.h"
#include "ServerConfig.h"
#include "StoreDb.h"
#include "StoreReader.h"
#include "StoreRegistry.h"

#include <QString>

namespace dust::lite {

// Everything a REST handler needs to answer one authenticated request. Handlers that may run on
// a ReaderPool thread read the store through `reader` only; `registry` and `store` are for the
// server's thread.
struct RestContext
{
    const HttpRequest &request;
    StoreRegistry &registry;
    const ServerConfig &config;
    const Principal &principal;
    QString requestId;  // the X-Request-Id echoed in the reply (given or generated)
    QString clientOpId; // the request's own X-Request-Id, or a fresh UUID
    QString storeName;  // "org/name" on store routes
    StoreDb *store = nullptr;
    QByteArray entryPath;          // the still percent-encoded part after "entries/"
    StoreReader *reader = nullptr; // the store's reads, on the thread the handler runs on

    // REST writes are recorded with the device id "http:<token id>".
    QString deviceId() const { return QStringLiteral("http:") + principal.tokenId; }
};

} // namespace dust::lite
