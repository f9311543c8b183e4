#pragma once

#include "HttpExchange.h"
#include "RestContext.h"
#include "StoreWrite.h"
#include "protocol/Expected.h"

#include <QList>

namespace dust::lite {

// A REST write parsed and checked against the request alone, ready for the store's writer.
struct PreparedWrite
{
    QList<WriteRequest> writes; // one, or the ops of a batch_write
    bool batch = false;
};

// The entries API of dust-protocol.md §4.3–§4.6: listing, single-entry reads and writes (URL
// path and body path), batch read and atomic batch write.
//
// Reads go through ctx.reader, so they run on any thread that holds a reader of the store.
// A write is prepared (parsed and validated, on any thread), applied by the store's writer,
// and answered from its result; RestApi reports what it committed to the registry.
class EntryRoutes
{
public:
    using Prepared = Expected<PreparedWrite, HttpResponse>;

    static HttpResponse list(const RestContext &ctx);
    static HttpResponse get(const RestContext &ctx);
    static HttpResponse batchRead(const RestContext &ctx);

    // PUT and DELETE …/entries/{path}.
    static Prepared preparePut(const RestContext &ctx);
    static Prepared prepareRemove(const RestContext &ctx);
    // POST …/entries {"path","value","if_match"?,"if_absent"?}
    static Prepared preparePostBodyPath(const RestContext &ctx);
    // DELETE …/entries {"path","if_match"?}
    static Prepared prepareDeleteBodyPath(const RestContext &ctx);
    static Prepared prepareBatchWrite(const RestContext &ctx);

    // The answer to a single write's result, and to a batch_write's.
    static HttpResponse writeAnswer(const WriteResult &result);
    static HttpResponse batchAnswer(const PreparedWrite &prepared, const BatchResult &result);
};

} // namespace dust::lite
