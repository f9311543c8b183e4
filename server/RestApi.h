#pragma once

#include "Auth.h"
#include "HttpExchange.h"
#include "RateLimiter.h"
#include "ServerConfig.h"
#include "StoreRegistry.h"

namespace dust::lite {

// dustlite's REST front (dust-protocol.md §4): routes a request by its raw path, checks the
// bearer token, org, scope and rate limit, calls the handler and adds the common headers
// (x-request-id, x-ratelimit-*). Never throws; every failure is an HTTP answer.
class RestApi
{
public:
    RestApi(StoreRegistry &registry, Auth &auth, RateLimiter &limiter, const ServerConfig &config);

    HttpResponse handle(const HttpRequest &request);

private:
    HttpResponse route(const HttpRequest &request, const QString &requestId);

    StoreRegistry &m_registry;
    Auth &m_auth;
    RateLimiter &m_limiter;
    const ServerConfig &m_config;
};

} // namespace dust::lite
