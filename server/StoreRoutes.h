#pragma once

#include "HttpExchange.h"
#include "RestContext.h"

#include <functional>
#include <optional>

namespace dust::lite {

// The REST routes around the entries API (dust-protocol.md §4.2, §4.7, §3.5): the store list,
// audit log, diff, export, file download and the realtime stubs. The store reads go through
// ctx.reader (any thread); listStores and visibleStores use the registry (server thread).
class StoreRoutes
{
public:
    // The stores the request's token may see, with their databases, in name order.
    static QList<std::pair<QString, StoreDb *>> visibleStores(const RestContext &ctx);
    // GET /api/stores (no store in the context).
    static HttpResponse listStores(const RestContext &ctx);
    static HttpResponse auditLog(const RestContext &ctx);
    static HttpResponse diff(const RestContext &ctx);
    // GET …/export?format=jsonl, one line per leaf (a stream that reads ctx.reader: run it
    // while the reader is there).
    static HttpResponse exportStore(const RestContext &ctx);
    // GET /api/files/{hash}: the first of `stores` whose `content` (its blob of the requested
    // hash, with its type and name) is there; nullopt when a store does not reference it.
    using FileReader = std::function<std::optional<QByteArray>(StoreDb *store, QString *contentType,
                                                               QString *fileName)>;
    static HttpResponse file(const QList<StoreDb *> &stores, const FileReader &content);
    // GET …/subscribe and …/watch: 426, realtime is the WebSocket.
    static HttpResponse realtime(const RestContext &ctx);
};

} // namespace dust::lite
