#include "RestApi.h"

#include "EntryRoutes.h"
#include "RestContext.h"
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

std::optional<QString> bearerToken(const HttpRequest &request)
{
    const auto header = request.header("authorization");
    if (!header)
        return std::nullopt;
    const QByteArray value = header->trimmed();
    if (value.size() < 7 || value.first(7).compare("bearer ", Qt::CaseInsensitive) != 0)
        return std::nullopt;
    return QString::fromUtf8(value.sliced(7).trimmed());
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

RestApi::RestApi(StoreRegistry &registry, Auth &auth, RateLimiter &limiter,
                 const ServerConfig &config)
    : m_registry(registry)
    , m_auth(auth)
    , m_limiter(limiter)
    , m_config(config)
{}

HttpResponse RestApi::handle(const HttpRequest &request)
{
    const auto given = request.header("x-request-id");
    const QString requestId = given && isUsableRequestId(*given)
                                  ? QString::fromLatin1(*given)
                                  : QUuid::createUuid().toString(QUuid::WithoutBraces);
    HttpResponse response;
    if (request.body.size() > m_config.maxBodyBytes) {
        response = HttpResponse::error(
            413, QStringLiteral("payload_too_large"),
            QStringLiteral("request body is larger than %1 bytes").arg(m_config.maxBodyBytes));
    } else {
        response = route(request, requestId);
    }
    response.setHeader("x-request-id", requestId.toLatin1());
    return response;
}

HttpResponse RestApi::route(const HttpRequest &request, const QString &requestId)
{
    const Match m = match(request);
    switch (m.route) {
    case Route::None:
        return HttpResponse::noRoute();
    case Route::Health:
        return HttpResponse::json(200,
                                  QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}});
    case Route::Ready:
        return HttpResponse::json(
            200, QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                             {QStringLiteral("checks"),
                              QJsonObject{{QStringLiteral("database"), QStringLiteral("ok")},
                                          {QStringLiteral("pubsub"), QStringLiteral("ok")}}}});
    default:
        break;
    }

    const auto token = bearerToken(request);
    const auto principal = token ? m_auth.authenticate(*token) : std::nullopt;
    if (!principal)
        return HttpResponse::error(401, QStringLiteral("unauthorized"));

    const auto decision =
        m_limiter.take(principal->tokenId,
                       request.isRead() ? RateLimiter::Bucket::Read : RateLimiter::Bucket::Write);
    if (!decision.allowed) {
        HttpResponse limited = HttpResponse::error(429, QStringLiteral("rate_limited"));
        limited.setHeader("retry-after", QByteArray::number(decision.retryAfterSeconds));
        addRateHeaders(limited, decision);
        limited.setHeader("x-ratelimit-remaining", "0");
        return limited;
    }

    const auto given = request.header("x-request-id");
    RestContext ctx{
        request,    m_registry, m_config,
        *principal, requestId,  given && !given->isEmpty() ? QString::fromUtf8(*given) : requestId,
        {},         nullptr,    m.entryPath};

    HttpResponse response;
    if (m.route == Route::ListStores || m.route == Route::File) {
        if (!principal->has(m.scope))
            response = HttpResponse::error(403, QStringLiteral("forbidden"));
        else if (m.route == Route::ListStores)
            response = StoreRoutes::listStores(ctx);
        else
            response = StoreRoutes::file(ctx, m.fileHash);
        addRateHeaders(response, decision);
        return response;
    }

    ctx.storeName = m.org + QLatin1Char('/') + m.store;
    if (m.org != principal->org || !StoreRegistry::isValidFullName(ctx.storeName))
        response = HttpResponse::error(404, QStringLiteral("not_found"));
    else if (!(ctx.store = m_registry.find(ctx.storeName)))
        response = HttpResponse::error(404, QStringLiteral("not_found"));
    else if (!m.scope.isEmpty() && !principal->has(m.scope))
        response = HttpResponse::error(403, QStringLiteral("forbidden"));
    else {
        switch (m.route) {
        case Route::List:
            response = EntryRoutes::list(ctx);
            break;
        case Route::PostBodyPath:
            response = EntryRoutes::postBodyPath(ctx);
            break;
        case Route::DeleteBodyPath:
            response = EntryRoutes::deleteBodyPath(ctx);
            break;
        case Route::BatchRead:
            response = EntryRoutes::batchRead(ctx);
            break;
        case Route::BatchWrite:
            response = EntryRoutes::batchWrite(ctx);
            break;
        case Route::GetEntry:
            response = EntryRoutes::get(ctx);
            break;
        case Route::PutEntry:
            response = EntryRoutes::put(ctx);
            break;
        case Route::DeleteEntry:
            response = EntryRoutes::remove(ctx);
            break;
        case Route::Log:
            response = StoreRoutes::auditLog(ctx);
            break;
        case Route::Diff:
            response = StoreRoutes::diff(ctx);
            break;
        case Route::Export:
            response = StoreRoutes::exportStore(ctx);
            break;
        case Route::Realtime:
            response = StoreRoutes::realtime(ctx);
            break;
        default:
            response = HttpResponse::noRoute();
            break;
        }
    }
    addRateHeaders(response, decision);
    return response;
}

} // namespace dust::lite
