#pragma once

#include "Transport.h"

#include <QByteArray>
#include <QUrl>

#include <chrono>
#include <memory>

namespace dust {

class HttpExchange;
class HttpStream;
struct HttpRequest;

// The Dust REST API (dust-protocol.md §4) behind the Transport contract. Stateless: every
// call is one request (a few for exists() on old servers and for paths with dot segments,
// see below) and its result arrives by finishing the returned future; nothing blocks.
// There are no live changes over REST: subscribe() is NotSupported.
//
// Nothing is retried, and a write reaches the server at most once: Qt on its own re-sends
// a request whose connection closes before any answer, so writes go out on a fresh
// connection each, with a body Qt cannot rewind; such a close fails the write with Network
// ("may or may not have been applied") instead. Reads may be re-sent by Qt; they are safe.
//
// Requests carry `Authorization: Bearer <token>`. Entry paths travel in the URL one rendered
// segment at a time, each percent-encoded on its own ('/' inside a segment is "~1", never
// %2F; space is %20 and '+' is %2B); query values are encoded so that '+', space, '&', '#'
// and '%' survive form decoding. A path with a segment "." or ".." cannot travel in a URL
// (clients and servers remove dot segments, Qt even after decoding %2E): put and remove use
// the body-path routes (`POST`/`DELETE …/entries` with {"path": …}) and get/exists read it
// with range listings, with the same results.
//
// Errors (dust-protocol.md §4.1, §7.4): 401 Unauthorized, 403 Forbidden, 412 Conflict (with
// the current revision, reason "conflict" or "exists", and op index/path for batches), 429
// RateLimited (retry-after from the Retry-After header), 5xx Http, other 4xx InvalidParams
// (the server's code as reason(), its detail as detail()), connection failures and timeouts
// Network, unparsable success bodies Protocol. A 404 means:
//   - on reading an entry (get, the HEAD of exists): NotFound — the entry, or the store,
//     does not exist (the server makes the two indistinguishable on purpose);
//   - elsewhere, with the API's own body {"error":"not_found"}: NotFound — the route exists
//     but the store is unknown or not visible to the token;
//   - elsewhere, with any other body (Phoenix's missing-route envelope
//     {"errors":{"detail":"Not Found"}}, a proxy's HTML page ...): NotImplemented — the
//     server does not have this route (an older deployment).
// A 405 also reads as NotImplemented (the method is missing on that server).
//
// The object lives on one thread; call it there. Results are delivered on that thread;
// continue with `future.then(context, ...)` to be called back elsewhere. Cancelling a
// returned future aborts its request.
class HttpTransport : public Transport
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds kDefaultTransferTimeout{30000};
    // No response body is buffered beyond this (a listing page is at most 1000 entries).
    static constexpr qint64 kDefaultMaxResponseBytes = 256LL * 1024 * 1024;

    // `baseUrl` is the server's HTTP base, e.g. http://127.0.0.1:7755 or https://dustlayer.io
    // (a path prefix is kept); `token` is a `dust_tok_…` API token.
    HttpTransport(const QUrl &baseUrl, const QString &token, QObject *parent = nullptr);
    ~HttpTransport() override;

    QUrl baseUrl() const { return m_baseUrl; }
    void setToken(const QString &token);

    // A request that sends or receives nothing for this long fails with Network. 0 = never.
    void setTransferTimeout(std::chrono::milliseconds timeout);
    std::chrono::milliseconds transferTimeout() const;
    // A response body larger than this is cut off and the call fails with Protocol.
    void setMaxResponseBytes(qint64 bytes);
    qint64 maxResponseBytes() const;

    // One page of `GET …/entries`. Glob mode: `pattern` (empty = "**"), validated here so a
    // bad pattern fails with a precise reason before any request. Range mode
    // (options.from/to, both or neither): `pattern` must be empty. For Select::Prefixes the
    // server de-duplicates only within a page, so the same prefix may come back on the next
    // page: de-duplicating across pages is the caller's job (the tree model does it).
    QFuture<Result<ListPage>> list(const QString &store, const ListQuery &query) override;
    // `GET …/entries/<path>`: a leaf, or the assembled subtree of an interior path.
    QFuture<Result<Entry>> get(const QString &store, const Path &path) override;
    // True if GET would find a leaf or a subtree at `path`. One HEAD; a server that answers
    // 405 to HEAD (an old deployment) is asked with one-key listings instead — see the
    // .cpp for why those are range listings and not the `path/**` pattern.
    QFuture<Result<bool>> exists(const QString &store, const Path &path) override;
    // `PUT …/entries/<path>` with the JSON value; ifMatch → `If-Match: <n>`, ifAbsent →
    // `If-None-Match: *` (not both). The empty object, which the PUT route refuses, is sent
    // through the body-path route (`POST …/entries`) with the same meaning.
    QFuture<Result<WriteResult>> put(const QString &store, const Path &path,
                                     const QJsonValue &value,
                                     const WriteOptions &options = {}) override;
    // `DELETE …/entries/<path>`: the leaf and its whole subtree; ifMatch allowed.
    QFuture<Result<WriteResult>> remove(const QString &store, const Path &path,
                                        const WriteOptions &options = {}) override;
    // `POST …/entries/batch_write`: 1..1000 set/delete ops, all or nothing.
    QFuture<Result<BatchWriteResult>> batchWrite(const QString &store,
                                                 const QList<BatchOp> &ops) override;
    Result<std::shared_ptr<Subscription>> subscribe(const QString &store, const QString &pattern,
                                                    const SubscribeOptions &options = {}) override;
    void unsubscribe(const std::shared_ptr<Subscription> &subscription) override;

    // merge, increment, add and remove exist only as WebSocket writes on Dust, and rollback
    // only as a WebSocket event: NotSupported here, never emulated (an emulation by
    // read-modify-write would not be atomic).
    QFuture<Result<WriteResult>> merge(const QString &store, const Path &path,
                                       const QJsonObject &value) override;
    QFuture<Result<WriteResult>> increment(const QString &store, const Path &path,
                                           double delta) override;
    QFuture<Result<WriteResult>> addMember(const QString &store, const Path &path,
                                           const QJsonValue &member) override;
    QFuture<Result<WriteResult>> removeMember(const QString &store, const Path &path,
                                              const QJsonValue &member) override;
    QFuture<Result<WriteResult>> rollback(const QString &store, const Path &path,
                                          qint64 toSeq) override;
    // The store status is a WebSocket event; REST has nothing that gives the current seq
    // reliably (the audit log loses ops to compaction): NotSupported.
    QFuture<Result<StoreStatus>> status(const QString &store) override;
    // `GET …/log` (scope audit:read), newest first; values unwrapped from {"_scalar": v}.
    QFuture<Result<AuditPage>> auditLog(const QString &store, const AuditQuery &query) override;
    // `GET …/diff?from_seq=&to_seq=`; a compacted start fails with InvalidParams, reason
    // "compacted".
    QFuture<Result<QList<DiffChange>>> diff(const QString &store, qint64 fromSeq,
                                            qint64 toSeq) override;
    // `GET /api/stores` (scope stores:read).
    QFuture<Result<QList<StoreInfo>>> listStores() override;
    // `GET /api/files/{hash}` (scope files:read), the hash percent-encoded as one path
    // segment (':' kept). 404 → NotFound ("no store … references the file"), 403 →
    // Forbidden, a 404 without the API's body → NotImplemented (a server without the
    // route); a file larger than maxResponseBytes() fails with Protocol. Progress as
    // Transport::fetchFile says, from the answer's Content-Length.
    QFuture<Result<QByteArray>> fetchFile(const QString &hash) override;
    // `POST …/entries/batch` (counted as a write by the server's rate limit); more than 1,000
    // paths fail with InvalidParams before anything is sent. (HttpTransportImport.cpp)
    QFuture<Result<QList<Entry>>> getLeaves(const QString &store,
                                            const QList<Path> &paths) override;
    // `POST …/import` with `jsonl` as the body (application/x-ndjson), sent at most once.
    // A 404 without the API's body is NotImplemented (a server without the route).
    QFuture<Result<ImportReply>> importLines(const QString &store,
                                             const QByteArray &jsonl) override;

    // `GET …/export?format=jsonl` (§4.7, scope entries:read): the store as NDJSON, a header
    // line then one line per leaf, read as it arrives (HttpStream) however big the store.
    // A server without the route answers 404 or 405: error() is then NotImplemented.
    // Nothing (nullptr) for a malformed store name. (HttpTransportExport.cpp)
    std::unique_ptr<HttpStream> exportStream(const QString &store);

private:
    // Sends `request` and finishes the returned future with `parse` of a successful answer,
    // or with the error the answer maps to.
    template <typename T, typename Parse> QFuture<Result<T>> call(HttpRequest request, Parse parse);

    // "/api/stores/<org>/<name>" fully encoded, or empty for a malformed store name.
    QByteArray storeBase(const QString &store) const;
    QUrl makeUrl(const QByteArray &encodedPathAndQuery) const;
    Expected<HttpRequest, Error> listRequest(const QString &store, const ListQuery &query) const;
    // A GET of one of `store`'s read routes (listing, log, diff), rate-limited as a read.
    HttpRequest storeRead(const QString &store, const QByteArray &pathAndQuery) const;
    void getByListing(const QString &store, const Path &path,
                      const std::shared_ptr<QPromise<Result<Entry>>> &promise,
                      QList<Entry> descendants, const QString &after);
    void existsByListing(const QString &store, const Path &path,
                         const std::shared_ptr<QPromise<Result<bool>>> &promise);

    HttpExchange *m_exchange; // a child: requests, token, timeout and size limit
    QUrl m_baseUrl;
    QByteArray m_baseEncoded; // scheme://host:port[/prefix], no trailing '/'
};

} // namespace dust
