#pragma once

#include "HttpExchange.h"
#include "RestContext.h"

namespace dust::lite {

// The entries API of dust-protocol.md §4.3–§4.6: listing, single-entry reads and writes (URL
// path and body path), batch read and atomic batch write. Every write is reported to the
// registry so the WebSocket side can broadcast it.
class EntryRoutes
{
public:
    static HttpResponse list(const RestContext &ctx);
    static HttpResponse get(const RestContext &ctx);
    static HttpResponse put(const RestContext &ctx);
    static HttpResponse remove(const RestContext &ctx);
    // POST …/entries {"path","value","if_match"?,"if_absent"?}
    static HttpResponse postBodyPath(const RestContext &ctx);
    // DELETE …/entries {"path","if_match"?}
    static HttpResponse deleteBodyPath(const RestContext &ctx);
    static HttpResponse batchRead(const RestContext &ctx);
    static HttpResponse batchWrite(const RestContext &ctx);
};

} // namespace dust::lite
