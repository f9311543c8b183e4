#include "RestApi.h"

#include "EntryRoutes.h"
#include "ImportRoute.h"
#include "ReaderPool.h"
#include "RestContext.h"
#include "StoreReader.h"
#include "StoreRoutes.h"

#include <QUuid>

namespace dust::lite {

namespace {

enum class Route {
    None,
    Health,
    Ready,
    ListStores,
    File,
    List,
    PostBodyPath,
    DeleteBodyPath,
    BatchRead,
    BatchWrite,
    GetEntry,
    PutEntry,
    DeleteEntry,
    Log,
    Diff,
    Export,
    Import,
    Realtime,
};

struct Match
{
    Route route = Route::None;
    QString org;
    QString store;
    QByteArray entryPath; // still encoded
    QString fileHash;
    QString scope; // required scope; empty = none
};

QString decoded(QByteArrayView piece)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(piece.toByteArray()));
}

Match match(const HttpRequest &request)
{
    Match m;
    const QByteArray &method = request.method;
    const bool read = request.isRead();
    QByteArrayView path = request.rawPath;
    if (path.size() > 1 && path.endsWith('/') && !path.contains("/entries/"))
        path.chop(1);

    if (path == "/healthz" && read) {
        m.route = Route::Health;
        return m;
    }
    if (path == "/readyz" && read) {
        m.route = Route::Ready;
        return m;
    }
    if (!path.startsWith("/api/"))
        return m;
    const QByteArrayView rest = path.sliced(5);
    if (rest == "stores") {
        if (read) {
            m.route = Route::ListStores;
            m.scope = QStringLiteral("stores:read");
        }
        return m;
    }
    if (rest.startsWith("files/")) {
        const QByteArrayView hash = rest.sliced(6);
        if (read && !hash.isEmpty() && !hash.contains('/')) {
            m.route = Route::File;
            m.fileHash = decoded(hash);
            m.scope = QStringLiteral("files:read");
        }
        return m;
    }
    if (!rest.startsWith("stores/"))
        return m;

    // stores/{org}/{store}/{action}[/...]
    const QByteArrayView storePart = rest.sliced(7);
    const qsizetype slash1 = storePart.indexOf('/');
    if (slash1 <= 0)
        return m;
    const qsizetype slash2 = storePart.indexOf('/', slash1 + 1);
    if (slash2 <= slash1 + 1)
        return m;
    m.org = decoded(storePart.first(slash1));
    m.store = decoded(storePart.sliced(slash1 + 1, slash2 - slash1 - 1));
    const QByteArrayView action = storePart.sliced(slash2 + 1);

    const QString readScope = QStringLiteral("entries:read");
    const QString writeScope = QStringLiteral("entries:write");
    if (action == "entries" || action == "entries/") {
        if (read) {
            m.route = Route::List;
            m.scope = readScope;
        } else if (method == "POST") {
            m.route = Route::PostBodyPath;
            m.scope = writeScope;
        } else if (method == "DELETE") {
            m.route = Route::DeleteBodyPath;
            m.scope = writeScope;
        }
        return m;
    }
    if (action.startsWith("entries/")) {
        m.entryPath = action.sliced(8).toByteArray();
        if (method == "POST") {
            if (m.entryPath == "batch") {
                m.route = Route::BatchRead;
                m.scope = readScope;
            } else if (m.entryPath == "batch_write") {
                m.route = Route::BatchWrite;
                m.scope = writeScope;
            }
        } else if (read) {
            m.route = Route::GetEntry;
            m.scope = readScope;
        } else if (method == "PUT") {
            m.route = Route::PutEntry;
            m.scope = writeScope;
        } else if (method == "DELETE") {
            m.route = Route::DeleteEntry;
            m.scope = writeScope;
        }
        return m;
    }
    if (action == "import" && method == "POST") {
        m.route = Route::Import;
        m.scope = writeScope;
        return m;
    }
    if (!read)
        return m;
    if (action == "log") {
        m.route = Route::Log;
        m.scope = QStringLiteral("audit:read");
    } else if (action == "diff") {
        m.route = Route::Diff;
        m.scope = readScope;
    } else if (action == "export") {
        m.route = Route::Export;
        m.scope = readScope;
    } else if (action == "subscribe" || action == "watch") {
        m.route = Route::Realtime;
    }
    return m;
}

bool isUsableRequestId(QByteArrayView id)
{
    if (id.isEmpty() || id.size() > 200)
        return false;
    for (const char c : id) {
        if (c < 0x21 || c > 0x7e)
            return false;
    }
    return true;
}

// The response with a streamed body read out now, while the reader it reads is there.
HttpResponse whole(HttpResponse response)
{
    if (!response.stream)
        return response;
    QByteArray body;
    response.stream([&body](const QByteArray &piece) { body += piece; });
    response.stream = {};
    response.body = std::move(body);
    return response;
}

// The answer when a store's database cannot be opened for a request.
HttpResponse unavailable(const QString &storeName, const QString &error)
{
    qWarning("dustlite store %s: %s", qUtf8Printable(storeName), qUtf8Printable(error));
    return HttpResponse::error(503, QStringLiteral("store_unavailable"),
                               QStringLiteral("the database of store %1 cannot be read right now; "
                                              "try again, and see the server's log if it lasts")
                                   .arg(storeName));
}

void addRateHeaders(HttpResponse &response, const RateLimiter::Decision &decision)
{
    if (decision.limit <= 0)
        return;
    response.setHeader("x-ratelimit-limit", QByteArray::number(decision.limit));
    response.setHeader("x-ratelimit-remaining", QByteArray::number(decision.remaining));
    response.setHeader("x-ratelimit-reset", "60");
}

} // namespace

// One store request as it goes to a pool thread: copies of everything its context refers to.
struct RestApi::Job
{
    std::shared_ptr<const HttpRequest> request;
    Principal principal;
    QString requestId;
    QString clientOpId;
    QString storeName;
    StoreDb *store = nullptr;
    QByteArray entryPath;

    RestContext context(StoreRegistry &registry, const ServerConfig &config,
                        StoreReader *reader) const
    {
        return RestContext{*request,   registry,  config, principal, requestId,
                           clientOpId, storeName, store,  entryPath, reader};
    }
};

RestApi::RestApi(StoreRegistry &registry, Auth &auth, RateLimiter &limiter,
                 const ServerConfig &config)
    : m_registry(registry)
    , m_auth(auth)
    , m_limiter(limiter)
    , m_config(config)
{}

RestApi::~RestApi() = default;

void RestApi::handle(const HttpRequest &request, Reply reply)
{
    const auto given = request.header("x-request-id");
    const QString requestId = given && isUsableRequestId(*given)
                                  ? QString::fromLatin1(*given)
                                  : QUuid::createUuid().toString(QUuid::WithoutBraces);
    Reply answer = [requestId, reply = std::move(reply)](HttpResponse response) {
        response.setHeader("x-request-id", requestId.toLatin1());
        reply(std::move(response));
    };
    if (request.body.size() > m_config.maxBodyBytes) {
        answer(HttpResponse::error(
            413, QStringLiteral("payload_too_large"),
            QStringLiteral("request body is larger than %1 bytes").arg(m_config.maxBodyBytes)));
        return;
    }
    route(std::make_shared<const HttpRequest>(request), requestId, std::move(answer));
}

void RestApi::route(const std::shared_ptr<const HttpRequest> &shared, const QString &requestId,
                    Reply reply)
{
    const HttpRequest &request = *shared;
    const Match m = match(request);
    switch (m.route) {
    case Route::None:
        return reply(HttpResponse::noRoute());
    case Route::Health:
        return reply(
            HttpResponse::json(200, QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}}));
    case Route::Ready:
        return reply(HttpResponse::json(
            200, QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                             {QStringLiteral("checks"),
                              QJsonObject{{QStringLiteral("database"), QStringLiteral("ok")},
                                          {QStringLiteral("pubsub"), QStringLiteral("ok")}}}}));
    default:
        break;
    }

    const auto principal = m_auth.authenticateHeader(request.header("authorization"));
    if (!principal)
        return reply(HttpResponse::error(401, QStringLiteral("unauthorized")));

    const auto decision =
        m_limiter.take(principal->tokenId,
                       request.isRead() ? RateLimiter::Bucket::Read : RateLimiter::Bucket::Write);
    if (!decision.allowed) {
        HttpResponse limited = HttpResponse::error(429, QStringLiteral("rate_limited"));
        limited.setHeader("retry-after", QByteArray::number(decision.retryAfterSeconds));
        addRateHeaders(limited, decision);
        limited.setHeader("x-ratelimit-remaining", "0");
        return reply(std::move(limited));
    }
    Reply done = [decision, reply = std::move(reply)](HttpResponse response) {
        addRateHeaders(response, decision);
        reply(std::move(response));
    };

    if (request.query.notUtf8) // refused as a URL path that is not UTF-8 is
        return done(HttpResponse::invalidParams(request.query.notUtf8Detail()));

    const auto given = request.header("x-request-id");
    Job job{shared,     *principal,
            requestId,  given && !given->isEmpty() ? QString::fromUtf8(*given) : requestId,
            {},         nullptr,
            m.entryPath};

    if (m.route == Route::ListStores || m.route == Route::File) {
        if (!principal->has(m.scope))
            return done(HttpResponse::error(403, QStringLiteral("forbidden")));
        if (m.route == Route::ListStores)
            return done(StoreRoutes::listStores(job.context(m_registry, m_config, nullptr)));
        return serveFile(std::move(job), m.fileHash, std::move(done));
    }

    job.storeName = m.org + QLatin1Char('/') + m.store;
    if (m.org != principal->org || !StoreRegistry::isValidFullName(job.storeName))
        return done(HttpResponse::error(404, QStringLiteral("not_found")));
    if (!(job.store = m_registry.find(job.storeName)))
        return done(HttpResponse::error(404, QStringLiteral("not_found")));
    if (!m.scope.isEmpty() && !principal->has(m.scope))
        return done(HttpResponse::error(403, QStringLiteral("forbidden")));

    switch (m.route) {
    case Route::List:
        return serveRead(std::move(job), &EntryRoutes::list, std::move(done));
    case Route::GetEntry:
        return serveRead(std::move(job), &EntryRoutes::get, std::move(done));
    case Route::BatchRead:
        return serveRead(std::move(job), &EntryRoutes::batchRead, std::move(done));
    case Route::Log:
        return serveRead(std::move(job), &StoreRoutes::auditLog, std::move(done));
    case Route::Diff:
        return serveRead(std::move(job), &StoreRoutes::diff, std::move(done));
    case Route::Export:
        return serveRead(std::move(job), &StoreRoutes::exportStore, std::move(done));
    case Route::PutEntry:
        return serveWrite(std::move(job), &EntryRoutes::preparePut, std::move(done));
    case Route::DeleteEntry:
        return serveWrite(std::move(job), &EntryRoutes::prepareRemove, std::move(done));
    case Route::PostBodyPath:
        return serveWrite(std::move(job), &EntryRoutes::preparePostBodyPath, std::move(done));
    case Route::DeleteBodyPath:
        return serveWrite(std::move(job), &EntryRoutes::prepareDeleteBodyPath, std::move(done));
    case Route::BatchWrite:
        return serveWrite(std::move(job), &EntryRoutes::prepareBatchWrite, std::move(done));
    case Route::Import:
        return serveImport(std::move(job), std::move(done));
    case Route::Realtime:
        return done(StoreRoutes::realtime(job.context(m_registry, m_config, nullptr)));
    default:
        return done(HttpResponse::noRoute());
    }
}

void RestApi::serveRead(Job job, Handler handler, Reply reply)
{
    if (job.store->file().isEmpty()) {
        // In memory: the store's own connection, here.
        HttpResponse response;
        job.store->read([&](StoreReader &reader) {
            response = whole(handler(job.context(m_registry, m_config, &reader)));
        });
        return reply(std::move(response));
    }
    ReaderPool *pool = &m_registry.pool();
    pool->start(ReaderPool::Lane::Read, [pool, registry = &m_registry, config = &m_config,
                                         job = std::move(job), handler, reply = std::move(reply)] {
        HttpResponse response;
        QString error;
        pool->withReader(
            *job.store,
            [&](StoreReader *reader) {
                response = reader ? whole(handler(job.context(*registry, *config, reader)))
                                  : unavailable(job.storeName, error);
            },
            &error);
        return [reply, response = std::move(response)] {
            reply(response);
        };
    });
}

void RestApi::serveWrite(Job job, Preparer prepare, Reply reply)
{
    StoreDb *store = job.store;
    if (store->file().isEmpty()) {
        // In memory: parsed and applied here, by the store's own connection.
        const auto prepared = prepare(job.context(m_registry, m_config, nullptr));
        if (!prepared)
            return reply(prepared.error());
        HttpResponse response;
        if (prepared->batch) {
            const BatchResult result = store->batchWrite(prepared->writes);
            for (const WriteResult &op : result.ops) {
                if (op.event)
                    m_registry.notifyCommitted(job.storeName, *op.event, false);
            }
            response = EntryRoutes::batchAnswer(*prepared, result);
        } else {
            const WriteResult result = store->write(prepared->writes.constFirst());
            if (result.ok && result.event)
                m_registry.notifyCommitted(job.storeName, *result.event, false);
            response = EntryRoutes::writeAnswer(result);
        }
        return reply(std::move(response));
    }
    ReaderPool *pool = &m_registry.pool();
    pool->start(ReaderPool::Lane::Write,
                [pool, registry = &m_registry, config = &m_config, job = std::move(job), prepare,
                 reply = std::move(reply)]() -> ReaderPool::Completion {
                    const auto prepared = prepare(job.context(*registry, *config, nullptr));
                    if (!prepared)
                        return [reply, response = prepared.error()] {
                            reply(response);
                        };
                    QString error;
                    StoreSql *writer = pool->writer(*job.store, &error);
                    HttpResponse response;
                    if (!writer)
                        response = unavailable(job.storeName, error);
                    else if (prepared->batch)
                        response = EntryRoutes::batchAnswer(
                            *prepared, job.store->batchWriteWith(*writer, prepared->writes));
                    else
                        response = EntryRoutes::writeAnswer(
                            job.store->writeWith(*writer, prepared->writes.constFirst()));
                    // What the write committed is announced on the server's thread, in seq
                    // order, before the client hears back.
                    return [registry, reply, storeName = job.storeName,
                            response = std::move(response)] {
                        registry->deliverCommitted(storeName);
                        reply(response);
                    };
                });
}

void RestApi::serveImport(Job job, Reply reply)
{
    StoreDb *store = job.store;
    if (store->file().isEmpty()) {
        // In memory: parsed and written here, by the store's own connection.
        const auto prepared = ImportRoute::prepare(job.context(m_registry, m_config, nullptr));
        if (!prepared)
            return reply(prepared.error());
        QList<WriteResult> results;
        store->withOwnConnection([&](StoreSql &sql) {
            results = store->importWith(sql, ImportRoute::writes(*prepared));
            return WriteResult{};
        });
        m_registry.deliverCommitted(job.storeName);
        return reply(ImportRoute::answer(*prepared, results, store->currentSeq()));
    }
    ReaderPool *pool = &m_registry.pool();
    pool->start(
        ReaderPool::Lane::Write,
        [pool, registry = &m_registry, config = &m_config, job = std::move(job),
         reply = std::move(reply)]() -> ReaderPool::Completion {
            const auto prepared = ImportRoute::prepare(job.context(*registry, *config, nullptr));
            if (!prepared)
                return [reply, response = prepared.error()] {
                    reply(response);
                };
            QString error;
            StoreSql *writer = pool->writer(*job.store, &error);
            HttpResponse response;
            if (!writer) {
                response = unavailable(job.storeName, error);
            } else {
                const QList<WriteResult> results =
                    job.store->importWith(*writer, ImportRoute::writes(*prepared));
                response = ImportRoute::answer(*prepared, results, job.store->currentSeq());
            }
            // As serveWrite: what committed is announced (not to sockets) first.
            return [registry, reply, storeName = job.storeName, response = std::move(response)] {
                registry->deliverCommitted(storeName);
                reply(response);
            };
        });
}

void RestApi::serveFile(Job job, const QString &hash, Reply reply)
{
    const RestContext ctx = job.context(m_registry, m_config, nullptr);
    QList<StoreDb *> stores;
    bool inMemory = false;
    for (const auto &[name, db] : StoreRoutes::visibleStores(ctx)) {
        stores.append(db);
        inMemory = inMemory || db->file().isEmpty();
    }
    if (inMemory) {
        return reply(StoreRoutes::file(
            stores, [&hash](StoreDb *db, QString *contentType, QString *fileName) {
                return db->fileContent(hash, contentType, fileName);
            }));
    }
    ReaderPool *pool = &m_registry.pool();
    pool->start(ReaderPool::Lane::Read, [pool, stores, hash, reply = std::move(reply)] {
        const HttpResponse response = StoreRoutes::file(
            stores, [pool, &hash](StoreDb *db, QString *contentType, QString *fileName) {
                std::optional<QByteArray> content;
                QString error;
                pool->withReader(
                    *db,
                    [&](StoreReader *reader) {
                        if (reader)
                            content = reader->fileContent(hash, contentType, fileName);
                    },
                    &error);
                return content;
            });
        return [reply, response] {
            reply(response);
        };
    });
}

} // namespace dust::lite
