#pragma once

#include "Auth.h"
#include "HttpExchange.h"
#include "RateLimiter.h"
#include "ServerConfig.h"
#include "StoreRegistry.h"
#include "protocol/Expected.h"

#include <functional>
#include <memory>

namespace dust::lite {

struct PreparedWrite;
struct RestContext;

// dustlite's REST front (dust-protocol.md §4): routes a request by its raw path, checks the
// bearer token, org, scope and rate limit, calls the handler and adds the common headers
// (x-request-id, x-ratelimit-*). Never throws; every failure is an HTTP answer.
//
// What needs no store is answered at once. Store reads run on a thread of the registry's
// ReaderPool with their own read-only connection, and writes are parsed there and applied
// under the store's write lock, so a long scan, diff or big write never holds up the server's
// event loop; their answer comes back on the server's thread. Pool jobs refer to the registry
// and the configuration, never to the RestApi. (In-memory stores, which have no file for
// other connections, are served on the server's thread.)
class RestApi
{
public:
    using Reply = std::function<void(HttpResponse response)>;

    RestApi(StoreRegistry &registry, Auth &auth, RateLimiter &limiter, const ServerConfig &config);
    ~RestApi();

    // Answers `request` through `reply`, always on the calling (server) thread: before handle()
    // returns, or later from the event loop.
    void handle(const HttpRequest &request, Reply reply);

private:
    struct Job;
    using Handler = HttpResponse (*)(const RestContext &ctx);
    using Preparer = Expected<PreparedWrite, HttpResponse> (*)(const RestContext &ctx);

    void route(const std::shared_ptr<const HttpRequest> &request, const QString &requestId,
               Reply reply);
    void serveRead(Job job, Handler handler, Reply reply);
    void serveWrite(Job job, Preparer prepare, Reply reply);
    // POST …/import (ImportRoute): parsed and written line by line as serveWrite() does.
    void serveImport(Job job, Reply reply);
    void serveFile(Job job, const QString &hash, Reply reply);

    StoreRegistry &m_registry;
    Auth &m_auth;
    RateLimiter &m_limiter;
    const ServerConfig &m_config;
};

} // namespace dust::lite
