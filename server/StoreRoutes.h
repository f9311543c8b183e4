#pragma once

#include "HttpExchange.h"
#include "RestContext.h"

namespace dust::lite {

// The REST routes around the entries API (dust-protocol.md §4.2, §4.7, §3.5): the store list,
// audit log, diff, export, file download and the realtime stubs.
class StoreRoutes
{
public:
    // GET /api/stores (no store in the context).
    static HttpResponse listStores(const RestContext &ctx);
    static HttpResponse auditLog(const RestContext &ctx);
    static HttpResponse diff(const RestContext &ctx);
    // GET …/export?format=jsonl, streamed one line per leaf.
    static HttpResponse exportStore(const RestContext &ctx);
    // GET /api/files/{hash}: `hash` already percent-decoded.
    static HttpResponse file(const RestContext &ctx, const QString &hash);
    // GET …/subscribe and …/watch: 426, realtime is the WebSocket.
    static HttpResponse realtime(const RestContext &ctx);
};

} // namespace dust::lite
