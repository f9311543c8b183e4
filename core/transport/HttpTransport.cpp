#include "HttpTransport.h"

#include "HttpExchange.h"
#include "RestErrors.h"
#include "RestJson.h"
#include "RestQuery.h"
#include "RestReplies.h"
#include "protocol/Values.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QUuid>

#include <algorithm>
#include <utility>

namespace dust {

namespace {

constexpr int kMaxBatchOps = 1000;

using Route = HttpRequest::Route;

QString storeFormatError(const QString &store)
{
    return QStringLiteral("store must be \"org/name\" (got \"%1\")").arg(store);
}

// True if a segment of `path` is "." or "..": HTTP clients, Qt included, remove such
// segments from a URL path (and decode %2E first), so the path cannot travel in the URL.
// Those paths use the body-path routes and listings instead.
bool hasDotSegment(const Path &path)
{
    for (const QString &segment : path.segments()) {
        if (segment == QLatin1String(".") || segment == QLatin1String(".."))
            return true;
    }
    return false;
}

QByteArray requestId()
{
    return QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
}

// A range listing of [r, r + "0") for r = the rendered `path`: the leaf at `path` and every
// descendant lie in it ('0' is the byte right after '/'; see existsByListing()).
Expected<ListQuery, Error> rangeAround(const Path &path)
{
    auto upper = Path::parse(QString(path.rendered() + QLatin1Char('0')));
    if (!upper)
        return Expected<ListQuery, Error>::failure(Error::protocol(
            QStringLiteral("cannot bound a listing after %1").arg(path.rendered())));
    ListQuery options;
    options.from = path;
    options.to = std::move(upper).value();
    return options;
}

template <typename T> void finish(QPromise<Result<T>> &promise, Result<T> result)
{
    promise.addResult(std::move(result));
    promise.finish();
}

} // namespace

HttpTransport::HttpTransport(const QUrl &baseUrl, const QString &token, QObject *parent)
    : Transport(parent)
    , m_exchange(new HttpExchange(this))
    , m_baseUrl(baseUrl)
{
    QUrl base =
        baseUrl.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::StripTrailingSlash);
    m_baseEncoded = base.toEncoded();
    while (m_baseEncoded.endsWith('/'))
        m_baseEncoded.chop(1);
    setToken(token);
    m_exchange->setTransferTimeout(kDefaultTransferTimeout);
    m_exchange->setMaxResponseBytes(kDefaultMaxResponseBytes);
}

HttpTransport::~HttpTransport()
{
    // Finish every pending call (as Cancelled) while this object is still whole.
    m_exchange->closeAll();
}

void HttpTransport::setToken(const QString &token)
{
    m_exchange->setToken(token);
}

void HttpTransport::setTransferTimeout(std::chrono::milliseconds timeout)
{
    m_exchange->setTransferTimeout(timeout);
}

std::chrono::milliseconds HttpTransport::transferTimeout() const
{
    return m_exchange->transferTimeout();
}

void HttpTransport::setMaxResponseBytes(qint64 bytes)
{
    m_exchange->setMaxResponseBytes(bytes);
}

qint64 HttpTransport::maxResponseBytes() const
{
    return m_exchange->maxResponseBytes();
}

QByteArray HttpTransport::storeBase(const QString &store) const
{
    const qsizetype slash = store.indexOf(QLatin1Char('/'));
    if (slash <= 0 || slash == store.size() - 1 || store.indexOf(QLatin1Char('/'), slash + 1) >= 0)
        return {};
    return QByteArrayLiteral("/api/stores/") + QUrl::toPercentEncoding(store.left(slash)) + '/' +
           QUrl::toPercentEncoding(store.mid(slash + 1));
}

QUrl HttpTransport::makeUrl(const QByteArray &encodedPathAndQuery) const
{
    // Everything is percent-encoded already; TolerantMode keeps it exactly as given.
    return QUrl::fromEncoded(m_baseEncoded + encodedPathAndQuery, QUrl::TolerantMode);
}

template <typename T, typename Parse>
QFuture<Result<T>> HttpTransport::call(HttpRequest request, Parse parse)
{
    auto promise = std::make_shared<QPromise<Result<T>>>();
    promise->start();
    QFuture<Result<T>> future = promise->future();
    request.cancelWith = QFuture<void>(future);
    m_exchange->send(request, [promise, parse = std::move(parse)](const HttpResponse &response) {
        if (response.succeeded())
            promise->addResult(parse(response));
        else
            promise->addResult(Result<T>::failure(resterrors::errorOf(response)));
        promise->finish();
    });
    return future;
}

// ---- reads -----------------------------------------------------------------------------

Expected<HttpRequest, Error> HttpTransport::listRequest(const QString &store,
                                                        const ListQuery &listing) const
{
    using Failed = Expected<HttpRequest, Error>;
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return Failed::failure(Error::invalidParams(storeFormatError(store)));
    if (auto error = validateListQuery(listing))
        return Failed::failure(std::move(*error));
    RestQuery query;
    query.add(listQueryItems(listing));
    return storeRead(store, query.appendedTo(base + "/entries"));
}

HttpRequest HttpTransport::storeRead(const QString &store, const QByteArray &pathAndQuery) const
{
    HttpRequest request;
    request.verb = "GET";
    request.url = makeUrl(pathAndQuery);
    request.route = Route::Read;
    request.subject = store;
    return request;
}

QFuture<Result<ListPage>> HttpTransport::list(const QString &store, const ListQuery &query)
{
    auto request = listRequest(store, query);
    if (!request)
        return failed<ListPage>(request.error());
    const ListQuery::Select select = query.select;
    return call<ListPage>(std::move(request).value(), [select](const HttpResponse &response) {
        return restreplies::listPage(response.body, select);
    });
}

QFuture<Result<Entry>> HttpTransport::get(const QString &store, const Path &path)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return failed<Entry>(Error::invalidParams(storeFormatError(store)));
    if (!path.isValid())
        return failed<Entry>(Error::invalidParams(QStringLiteral("invalid (empty) path")));
    if (hasDotSegment(path)) {
        auto promise = std::make_shared<QPromise<Result<Entry>>>();
        promise->start();
        getByListing(store, path, promise, {}, {});
        return promise->future();
    }
    HttpRequest request;
    request.verb = "GET";
    request.url = makeUrl(base + "/entries/" + path.urlEncoded());
    request.route = Route::EntryRead;
    request.subject = path.rendered();
    return call<Entry>(request, [path](const HttpResponse &response) {
        return restreplies::entry(response.body, response.header("ETag"), path);
    });
}

QFuture<Result<bool>> HttpTransport::exists(const QString &store, const Path &path)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return failed<bool>(Error::invalidParams(storeFormatError(store)));
    if (!path.isValid())
        return failed<bool>(Error::invalidParams(QStringLiteral("invalid (empty) path")));

    auto promise = std::make_shared<QPromise<Result<bool>>>();
    promise->start();
    QFuture<Result<bool>> future = promise->future();
    if (hasDotSegment(path)) {
        existsByListing(store, path, promise);
        return future;
    }
    HttpRequest request;
    request.verb = "HEAD";
    request.url = makeUrl(base + "/entries/" + path.urlEncoded());
    request.route = Route::EntryRead;
    request.subject = path.rendered();
    request.cancelWith = QFuture<void>(future);
    QPointer<HttpTransport> self(this);
    m_exchange->send(request, [self, store, path, promise](const HttpResponse &response) {
        const bool aborted = response.cancelled || response.closing;
        if (response.succeeded()) {
            promise->addResult(Result<bool>(true));
        } else if (response.status == 404 && !aborted) {
            promise->addResult(Result<bool>(false));
        } else if (response.status == 405 && !aborted && self) {
            self->existsByListing(store, path, promise);
            return;
        } else {
            promise->addResult(Result<bool>::failure(resterrors::errorOf(response)));
        }
        promise->finish();
    });
    return future;
}

// Old deployments answer 405 to HEAD. The reference client (dustlayer_ecto) then lists one
// key under the pattern `<path>.**` — a leftover of dotted paths; and a `<path>/**` pattern
// matches descendants only, never the leaf at `path` itself, while an exact pattern lists
// nothing at all (§4.3). Range listings have neither gap: with r = the rendered path, every
// leaf GET would find (r itself, or r + "/…") lies in [r, r + "0"), because '0' is the byte
// right after '/'. Other keys can lie in that range too — siblings such as "r-x" or "r.x",
// whose next byte sorts before '/' — so:
//   1. the first key of [r, r+"0") ascending: none → false; r or r/… → true;
//   2. otherwise (a sibling came first) the last key, descending: r/… → true, else false
//      (every r/… sorts after every such sibling).
// Both are one-key, value-free reads; a valid path followed by "0" is a valid path, so the
// server accepts the bounds. An unknown store reads as false, as the 404 of HEAD does.
void HttpTransport::existsByListing(const QString &store, const Path &path,
                                    const std::shared_ptr<QPromise<Result<bool>>> &promise)
{
    const auto finishWith = [promise](Result<bool> result) {
        finish(*promise, std::move(result));
    };
    auto range = rangeAround(path);
    if (!range)
        return finishWith(Result<bool>::failure(range.error()));
    ListQuery options = std::move(range).value();
    options.limit = 1;
    options.select = ListQuery::Select::Keys;
    auto ascending = listRequest(store, options);
    options.order = ListQuery::Order::Desc;
    auto descending = listRequest(store, options);
    if (!ascending || !descending) {
        finishWith(Result<bool>::failure(ascending ? descending.error() : ascending.error()));
        return;
    }
    const QFuture<void> cancelWith(promise->future());
    ascending->cancelWith = cancelWith;
    descending->cancelWith = cancelWith;

    // The first key of a one-key page, an empty string for an empty page, or the error.
    const auto firstKey = [](const HttpResponse &response) -> Expected<QString, Error> {
        if (!response.succeeded()) {
            const Error error = resterrors::errorOf(response);
            if (error.kind() == Error::Kind::NotFound)
                return QString();
            return Expected<QString, Error>::failure(error);
        }
        auto page = restreplies::listPage(response.body, ListQuery::Select::Keys);
        if (!page)
            return Expected<QString, Error>::failure(page.error());
        return page->paths.isEmpty() ? QString() : page->paths.first();
    };

    const QString rendered = path.rendered();
    const QString prefix = path.descendantPrefix();
    QPointer<HttpTransport> self(this);
    m_exchange->send(*ascending,
                     [self, rendered, prefix, finishWith, firstKey,
                      descending = std::move(descending).value()](const HttpResponse &response) {
                         const auto key = firstKey(response);
                         if (!key) {
                             finishWith(Result<bool>::failure(key.error()));
                             return;
                         }
                         if (key->isEmpty() || *key == rendered || key->startsWith(prefix)) {
                             finishWith(!key->isEmpty());
                             return;
                         }
                         if (!self) {
                             finishWith(Result<bool>::failure(Error(Error::Kind::Cancelled)));
                             return;
                         }
                         self->m_exchange->send(
                             descending, [prefix, finishWith, firstKey](const HttpResponse &last) {
                                 const auto lastKey = firstKey(last);
                                 if (!lastKey)
                                     finishWith(Result<bool>::failure(lastKey.error()));
                                 else
                                     finishWith(lastKey->startsWith(prefix));
                             });
                     });
}

// A path with a "." or ".." segment cannot be read through its URL (see hasDotSegment), so
// it is read the way GET answers: the ascending entries of [r, r + "0") (see
// existsByListing) hold the leaf at r first when there is one — GET returns that leaf — and
// otherwise every descendant, which are assembled into the subtree as the server would. The
// pages are separate reads, so a subtree written to meanwhile may mix revisions.
void HttpTransport::getByListing(const QString &store, const Path &path,
                                 const std::shared_ptr<QPromise<Result<Entry>>> &promise,
                                 QList<Entry> descendants, const QString &after)
{
    const auto finishWith = [promise](Result<Entry> result) {
        finish(*promise, std::move(result));
    };
    auto range = rangeAround(path);
    if (!range)
        return finishWith(Result<Entry>::failure(range.error()));
    ListQuery options = std::move(range).value();
    options.limit = kMaxListLimit;
    options.after = after;
    auto request = listRequest(store, options);
    if (!request) {
        finishWith(Result<Entry>::failure(request.error()));
        return;
    }
    request->route = Route::EntryRead;
    request->subject = path.rendered();
    request->cancelWith = QFuture<void>(promise->future());
    QPointer<HttpTransport> self(this);
    m_exchange->send(
        *request, [self, store, path, promise, finishWith,
                   descendants = std::move(descendants)](const HttpResponse &response) mutable {
            if (!response.succeeded()) {
                finishWith(Result<Entry>::failure(resterrors::errorOf(response)));
                return;
            }
            auto page = restreplies::listPage(response.body, ListQuery::Select::Entries);
            if (!page) {
                finishWith(Result<Entry>::failure(page.error()));
                return;
            }
            for (Entry &entry : page->entries) {
                if (entry.path == path) {
                    finishWith(std::move(entry));
                    return;
                }
                if (path.isAncestorOf(entry.path))
                    descendants.append(std::move(entry));
            }
            if (!page->nextCursor.isEmpty()) {
                if (!self) {
                    finishWith(Result<Entry>::failure(Error(Error::Kind::Cancelled)));
                    return;
                }
                self->getByListing(store, path, promise, std::move(descendants), page->nextCursor);
                return;
            }
            if (descendants.isEmpty()) {
                finishWith(Result<Entry>::failure(
                    Error::notFound().setPath(path.rendered()).setHttpStatus(404)));
                return;
            }
            finishWith(values::assembleSubtree(path, descendants));
        });
}

// ---- writes ----------------------------------------------------------------------------

QFuture<Result<WriteResult>> HttpTransport::put(const QString &store, const Path &path,
                                                const QJsonValue &value,
                                                const WriteOptions &options)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return failed<WriteResult>(Error::invalidParams(storeFormatError(store)));
    if (!path.isValid())
        return failed<WriteResult>(Error::invalidParams(QStringLiteral("invalid (empty) path")));
    if (auto error = putError(value, options))
        return failed<WriteResult>(std::move(*error));

    HttpRequest request;
    request.route = Route::Write;
    request.subject = path.rendered();
    request.hasBody = true;
    request.headers.append({QByteArrayLiteral("X-Request-Id"), requestId()});
    if ((value.isObject() && value.toObject().isEmpty()) || hasDotSegment(path)) {
        // The PUT route refuses an empty body and `{}` alike, and cannot carry "." or ".."
        // segments; the body-path route takes both.
        QJsonObject body{{QLatin1String("path"), path.rendered()}, {QLatin1String("value"), value}};
        if (options.ifMatch)
            body.insert(QLatin1String("if_match"), *options.ifMatch);
        if (options.ifAbsent)
            body.insert(QLatin1String("if_absent"), true);
        request.verb = "POST";
        request.url = makeUrl(base + "/entries");
        request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    } else {
        request.verb = "PUT";
        request.url = makeUrl(base + "/entries/" + path.urlEncoded());
        request.body = restjson::encode(value);
        if (options.ifMatch)
            request.headers.append(
                {QByteArrayLiteral("If-Match"), QByteArray::number(*options.ifMatch)});
        if (options.ifAbsent)
            request.headers.append({QByteArrayLiteral("If-None-Match"), QByteArrayLiteral("*")});
    }
    return call<WriteResult>(request, [](const HttpResponse &response) {
        return restreplies::writeResult(response.body);
    });
}

QFuture<Result<WriteResult>> HttpTransport::remove(const QString &store, const Path &path,
                                                   const WriteOptions &options)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return failed<WriteResult>(Error::invalidParams(storeFormatError(store)));
    if (!path.isValid())
        return failed<WriteResult>(Error::invalidParams(QStringLiteral("invalid (empty) path")));
    if (auto error = removeError(options))
        return failed<WriteResult>(std::move(*error));

    HttpRequest request;
    request.verb = "DELETE";
    request.route = Route::Write;
    request.subject = path.rendered();
    request.headers.append({QByteArrayLiteral("X-Request-Id"), requestId()});
    if (hasDotSegment(path)) {
        // The body-path variant: `DELETE …/entries` with {"path", "if_match"}.
        QJsonObject body{{QLatin1String("path"), path.rendered()}};
        if (options.ifMatch)
            body.insert(QLatin1String("if_match"), *options.ifMatch);
        request.url = makeUrl(base + "/entries");
        request.hasBody = true;
        request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    } else {
        request.url = makeUrl(base + "/entries/" + path.urlEncoded());
        if (options.ifMatch)
            request.headers.append(
                {QByteArrayLiteral("If-Match"), QByteArray::number(*options.ifMatch)});
    }
    return call<WriteResult>(request, [](const HttpResponse &response) {
        return restreplies::writeResult(response.body);
    });
}

QFuture<Result<BatchWriteResult>> HttpTransport::batchWrite(const QString &store,
                                                            const QList<BatchOp> &ops)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return failed<BatchWriteResult>(Error::invalidParams(storeFormatError(store)));
    if (ops.isEmpty() || ops.size() > kMaxBatchOps)
        return failed<BatchWriteResult>(Error::invalidParams(
            QStringLiteral("a batch holds 1..%1 ops (got %2)").arg(kMaxBatchOps).arg(ops.size())));

    QJsonArray array;
    for (qsizetype i = 0; i < ops.size(); ++i) {
        const BatchOp &op = ops.at(i);
        const auto reject = [i](const QString &why) {
            return failed<BatchWriteResult>(
                Error::invalidParams(QStringLiteral("op %1: %2").arg(i).arg(why))
                    .setOpIndex(static_cast<int>(i)));
        };
        if (op.op != Op::Set && op.op != Op::Delete)
            return reject(
                QStringLiteral("a batch holds set and delete only (got %1)").arg(opName(op.op)));
        if (!op.path.isValid())
            return reject(QStringLiteral("invalid (empty) path"));
        if (op.ifMatch && *op.ifMatch <= 0)
            return reject(QStringLiteral("ifMatch must be a positive revision"));
        QJsonObject item{{QLatin1String("op"), opName(op.op)},
                         {QLatin1String("path"), op.path.rendered()}};
        if (op.op == Op::Set) {
            if (const QString why = unwritableValue(op.value); !why.isEmpty())
                return reject(why);
            item.insert(QLatin1String("value"), op.value);
        }
        if (op.ifMatch)
            item.insert(QLatin1String("if_match"), *op.ifMatch);
        array.append(item);
    }

    HttpRequest request;
    request.verb = "POST";
    request.url = makeUrl(base + "/entries/batch_write");
    request.route = Route::Write;
    request.subject = store;
    request.hasBody = true;
    request.body =
        QJsonDocument(QJsonObject{{QLatin1String("ops"), array}}).toJson(QJsonDocument::Compact);
    request.headers.append({QByteArrayLiteral("X-Request-Id"), requestId()});
    const qsizetype count = ops.size();
    return call<BatchWriteResult>(request, [count](const HttpResponse &response) {
        return restreplies::batchWriteResult(response.body, count);
    });
}

Result<std::shared_ptr<Subscription>> HttpTransport::subscribe(const QString &, const QString &,
                                                               const SubscribeOptions &)
{
    return Result<std::shared_ptr<Subscription>>::failure(Error::notSupported(QStringLiteral(
        "live changes need the WebSocket (SDK) connection; plain HTTP has no subscriptions")));
}

void HttpTransport::unsubscribe(const std::shared_ptr<Subscription> &) {}

namespace {
QFuture<Result<WriteResult>> webSocketOnly(const char *what)
{
    return Transport::failed<WriteResult>(Error::notSupported(
        QLatin1String(what) +
        QLatin1String(" is a WebSocket-only operation on Dust; use the live (SDK) connection")));
}
} // namespace

QFuture<Result<WriteResult>> HttpTransport::merge(const QString &, const Path &,
                                                  const QJsonObject &)
{
    return webSocketOnly("merge");
}

QFuture<Result<WriteResult>> HttpTransport::increment(const QString &, const Path &, double)
{
    return webSocketOnly("increment");
}

QFuture<Result<WriteResult>> HttpTransport::addMember(const QString &, const Path &,
                                                      const QJsonValue &)
{
    return webSocketOnly("add (set member)");
}

QFuture<Result<WriteResult>> HttpTransport::removeMember(const QString &, const Path &,
                                                         const QJsonValue &)
{
    return webSocketOnly("remove (set member)");
}

QFuture<Result<WriteResult>> HttpTransport::rollback(const QString &, const Path &, qint64)
{
    return webSocketOnly("rollback");
}

QFuture<Result<StoreStatus>> HttpTransport::status(const QString &)
{
    return failed<StoreStatus>(Error::notSupported(QStringLiteral(
        "the store status is a WebSocket-only request on Dust; use the live (SDK) connection")));
}

// ---- other store routes ----------------------------------------------------------------

QFuture<Result<AuditPage>> HttpTransport::auditLog(const QString &store, const AuditQuery &q)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return failed<AuditPage>(Error::invalidParams(storeFormatError(store)));
    if (auto error = validateAuditQuery(q))
        return failed<AuditPage>(std::move(*error));
    RestQuery query;
    query.add(auditQueryItems(q));
    return call<AuditPage>(
        storeRead(store, query.appendedTo(base + "/log")),
        [](const HttpResponse &response) { return restreplies::auditPage(response.body); });
}

QFuture<Result<QList<DiffChange>>> HttpTransport::diff(const QString &store, qint64 fromSeq,
                                                       qint64 toSeq)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return failed<QList<DiffChange>>(Error::invalidParams(storeFormatError(store)));
    RestQuery query;
    query.add("from_seq", fromSeq);
    query.add("to_seq", toSeq);
    return call<QList<DiffChange>>(
        storeRead(store, query.appendedTo(base + "/diff")),
        [](const HttpResponse &response) { return restreplies::diffChanges(response.body); });
}

QFuture<Result<QList<StoreInfo>>> HttpTransport::listStores()
{
    HttpRequest request;
    request.verb = "GET";
    request.url = makeUrl(QByteArrayLiteral("/api/stores"));
    request.route = Route::Read;
    request.subject = QStringLiteral("list");
    return call<QList<StoreInfo>>(
        request, [](const HttpResponse &response) { return restreplies::stores(response.body); });
}

QFuture<Result<QByteArray>> HttpTransport::fetchFile(const QString &hash)
{
    if (hash.trimmed().isEmpty())
        return failed<QByteArray>(
            Error::invalidParams(QStringLiteral("a file hash is needed (\"sha256:…\")")));

    auto promise = std::make_shared<QPromise<Result<QByteArray>>>();
    promise->start();
    promise->setProgressRange(0, 0);
    QFuture<Result<QByteArray>> future = promise->future();

    HttpRequest request;
    request.verb = "GET";
    request.url =
        makeUrl(QByteArrayLiteral("/api/files/") + QUrl::toPercentEncoding(hash, "!$&'()*,;=:@"));
    request.route = Route::Read;
    request.subject = hash;
    request.cancelWith = QFuture<void>(future);
    request.onProgress = [promise](qint64 received, qint64 total) {
        if (total <= 0)
            return;
        if (promise->future().progressMaximum() != 1000)
            promise->setProgressRange(0, 1000);
        promise->setProgressValue(
            static_cast<int>(std::clamp<qint64>(received * 1000 / total, 0, 1000)));
    };
    m_exchange->send(request, [promise, hash](const HttpResponse &response) {
        if (response.succeeded()) {
            promise->addResult(Result<QByteArray>(response.body));
        } else {
            Error error = resterrors::errorOf(response);
            if (error.kind() == Error::Kind::NotFound)
                error.setDetail(
                    QStringLiteral("no store this token can read references the file %1")
                        .arg(hash));
            else if (error.kind() == Error::Kind::Forbidden && error.detail().isEmpty())
                error.setDetail(QStringLiteral("downloading files needs the files:read scope"));
            promise->addResult(Result<QByteArray>::failure(error));
        }
        promise->finish();
    });
    return future;
}

} // namespace dust
