#include "HttpTransport.h"

#include "protocol/Values.h"

#include <QDateTime>
#include <QFutureWatcher>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QUuid>

#include <cmath>
#include <cstring>
#include <utility>

namespace dust {

namespace {

// Error bodies are short JSON objects; anything longer is cut off unread.
constexpr qint64 kMaxErrorBodyBytes = 64 * 1024;
// Set on a reply aborted because its transport is going away.
constexpr char kClosingProperty[] = "dustTransportClosing";

constexpr int kMaxListLimit = 1000;
constexpr int kMaxBatchOps = 1000;

} // namespace

namespace detail {

struct HttpRequest
{
    // How a 404 reads (see the class comment).
    enum class Route { EntryRead, Read, Write };

    QByteArray verb;
    QUrl url;
    Route route = Route::Read;
    bool hasBody = false;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QString subject;          // the entry path or store the request is about, for messages
    QFuture<void> cancelWith; // aborting the request when this future is cancelled
};

struct HttpResponse
{
    HttpRequest::Route route = HttpRequest::Route::Read;
    QByteArray verb;
    QUrl url;
    QString subject;
    std::chrono::milliseconds timeout{0};
    qint64 maxBytes = 0;

    int status = 0; // 0 = no HTTP response at all
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    QString errorString;
    bool tooLarge = false;
    bool cancelled = false;
    bool closing = false;

    bool succeeded() const
    {
        return status >= 200 && status < 300 && networkError == QNetworkReply::NoError &&
               !tooLarge && !cancelled && !closing;
    }

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

} // namespace detail

namespace {

// A request body that can be read once only. Qt re-sends a request by itself when the
// connection closes before any answer (even on a fresh connection, even a POST); it cannot
// re-send from this device, so a write goes out at most once and such a close fails the
// call instead (QNetworkReply::ContentReSendError).
class OnceDevice : public QIODevice
{
public:
    OnceDevice(QByteArray data, QObject *parent)
        : QIODevice(parent)
        , m_data(std::move(data))
    {
        open(QIODevice::ReadOnly);
    }
    bool isSequential() const override { return true; }
    bool reset() override { return false; }
    qint64 bytesAvailable() const override
    {
        return m_data.size() - m_pos + QIODevice::bytesAvailable();
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = qMin(maxSize, m_data.size() - m_pos);
        if (n > 0)
            std::memcpy(data, m_data.constData() + m_pos, size_t(n));
        m_pos += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_pos = 0;
};

using detail::HttpRequest;
using detail::HttpResponse;
using Route = HttpRequest::Route;

QString storeFormatError(const QString &store)
{
    return QStringLiteral("store must be \"org/name\" (got \"%1\")").arg(store);
}

// The query string: `key=value` pairs with values percent-encoded for form decoding. '/' and
// '*' stay literal (patterns stay readable); '+', space, '&', '=', '#', '%' and every
// non-ASCII byte are encoded.
class Query
{
public:
    void add(const char *key, QStringView value)
    {
        if (!m_bytes.isEmpty())
            m_bytes += '&';
        m_bytes += key;
        m_bytes += '=';
        m_bytes += QUrl::toPercentEncoding(value.toString(), QByteArrayLiteral("/*"));
    }
    void add(const char *key, qint64 value) { add(key, QString::number(value)); }
    const QByteArray &bytes() const { return m_bytes; }

private:
    QByteArray m_bytes;
};

QByteArray withQuery(QByteArray path, const Query &query)
{
    if (!query.bytes().isEmpty())
        path += '?' + query.bytes();
    return path;
}

// The JSON text of any value, scalars included (QJsonDocument only holds objects/arrays).
QByteArray encodeJson(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.sliced(1, wrapped.size() - 2);
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

std::optional<qint64> integerOf(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (d != std::floor(d) || std::abs(d) > 9007199254740992.0)
        return std::nullopt;
    return static_cast<qint64>(d);
}

QString shortText(const QByteArray &bytes)
{
    QString text = QString::fromUtf8(bytes.left(200)).simplified();
    if (bytes.size() > 200)
        text += QStringLiteral("…");
    return text;
}

Expected<QJsonObject, Error> parseObject(const QByteArray &body, const char *what)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Expected<QJsonObject, Error>::failure(Error::protocol(
            QStringLiteral("the server's answer to %1 is not valid JSON (%2 at byte %3): %4")
                .arg(QLatin1String(what), parseError.errorString())
                .arg(parseError.offset)
                .arg(shortText(body))));
    }
    if (!doc.isObject()) {
        return Expected<QJsonObject, Error>::failure(
            Error::protocol(QStringLiteral("the server's answer to %1 is not a JSON object: %2")
                                .arg(QLatin1String(what), shortText(body))));
    }
    return doc.object();
}

// The array `field` of a JSON object answer (a listing of diff changes, of stores ...).
Expected<QJsonArray, Error> arrayIn(const QByteArray &body, const char *what, QLatin1String field)
{
    auto object = parseObject(body, what);
    if (!object)
        return Expected<QJsonArray, Error>::failure(object.error());
    const QJsonValue array = object->value(field);
    if (!array.isArray())
        return Expected<QJsonArray, Error>::failure(
            Error::protocol(QStringLiteral("the server's answer to %1 has no %2 array")
                                .arg(QLatin1String(what), field)));
    return array.toArray();
}

template <typename T> Result<T> protocolError(const QString &detail)
{
    return Result<T>::failure(Error::protocol(detail));
}

// An entry object {"path","value","type","revision"}; `fallbackPath` when "path" is absent.
Expected<Entry, QString> entryFrom(const QJsonObject &object, const Path &fallbackPath)
{
    Entry entry;
    const QJsonValue pathValue = object.value(QLatin1String("path"));
    if (pathValue.isString()) {
        auto parsed = Path::parse(pathValue.toString());
        if (!parsed)
            return Expected<Entry, QString>::failure(
                QStringLiteral("invalid path \"%1\" (%2)")
                    .arg(pathValue.toString(), pathErrorName(parsed.error())));
        entry.path = std::move(parsed).value();
    } else if (pathValue.isUndefined() && fallbackPath.isValid()) {
        entry.path = fallbackPath;
    } else {
        return Expected<Entry, QString>::failure(QStringLiteral("no path"));
    }
    const auto revision = integerOf(object.value(QLatin1String("revision")));
    if (!revision)
        return Expected<Entry, QString>::failure(QStringLiteral("no integer revision"));
    entry.revision = *revision;
    entry.value = object.value(QLatin1String("value"));
    if (entry.value.isUndefined())
        entry.value = QJsonValue(QJsonValue::Null);
    entry.type = object.value(QLatin1String("type")).toString();
    return entry;
}

Result<WriteResult> writeResultFrom(const QByteArray &body)
{
    auto object = parseObject(body, "a write");
    if (!object)
        return Result<WriteResult>::failure(object.error());
    QJsonObject extra = *object;
    auto seq = integerOf(extra.value(QLatin1String("store_seq")));
    if (!seq)
        seq = integerOf(extra.value(QLatin1String("revision")));
    if (!seq)
        return protocolError<WriteResult>(
            QStringLiteral("the write reply has no store_seq: %1").arg(shortText(body)));
    extra.remove(QLatin1String("store_seq"));
    WriteResult result;
    result.storeSeq = *seq;
    result.extra = std::move(extra);
    return result;
}

// What an error body says: the API's {"error": code, "detail": …}, Phoenix's
// {"errors": {"detail": …}}, or some text.
struct ErrorBody
{
    QJsonObject object;
    QString code;   // "error"
    QString detail; // "detail", the Phoenix detail, or the text itself
    bool apiEnvelope = false;
};

ErrorBody readErrorBody(const QByteArray &body)
{
    ErrorBody out;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        out.detail = shortText(body);
        return out;
    }
    out.object = doc.object();
    const QJsonValue code = out.object.value(QLatin1String("error"));
    if (code.isString()) {
        out.apiEnvelope = true;
        out.code = code.toString();
    }
    QJsonValue detail = out.object.value(QLatin1String("detail"));
    if (detail.isUndefined()) {
        const QJsonValue errors = out.object.value(QLatin1String("errors"));
        if (errors.isObject())
            detail = errors.toObject().value(QLatin1String("detail"));
    }
    if (detail.isString())
        out.detail = detail.toString();
    else if (!detail.isUndefined() && !detail.isNull())
        out.detail = QString::fromUtf8(encodeJson(detail));
    return out;
}

std::chrono::milliseconds retryAfterOf(const QByteArray &header)
{
    const QByteArray text = header.trimmed();
    if (text.isEmpty())
        return std::chrono::milliseconds(0);
    bool ok = false;
    const qint64 seconds = text.toLongLong(&ok);
    if (ok)
        return std::chrono::seconds(qMax<qint64>(0, seconds));
    const QDateTime at = QDateTime::fromString(QString::fromLatin1(text), Qt::RFC2822Date);
    if (at.isValid())
        return std::chrono::milliseconds(
            qMax<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(at)));
    return std::chrono::milliseconds(0);
}

QString requestLine(const HttpResponse &r)
{
    return QString::fromLatin1(r.verb) + QLatin1Char(' ') +
           QString::fromLatin1(r.url.toEncoded(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
}

Error networkErrorOf(const HttpResponse &r)
{
    const QString server =
        r.url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery);
    if (r.closing)
        return Error(Error::Kind::Cancelled,
                     QStringLiteral("the connection to %1 was closed").arg(server));
    if (r.cancelled)
        return Error(Error::Kind::Cancelled,
                     QStringLiteral("%1 was cancelled").arg(requestLine(r)));
    if (r.tooLarge)
        return Error::protocol(QStringLiteral("the answer to %1 is larger than %2 bytes")
                                   .arg(requestLine(r))
                                   .arg(r.maxBytes));
    switch (r.networkError) {
    case QNetworkReply::ConnectionRefusedError:
        return Error::network(
            QStringLiteral("%1 refused the connection (is the server running?)").arg(server));
    case QNetworkReply::HostNotFoundError:
        return Error::network(QStringLiteral("host not found: %1").arg(r.url.host()));
    case QNetworkReply::ContentReSendError:
        return Error::network(QStringLiteral("%1 closed the connection before answering %2; the "
                                             "write was not sent again and may or may not have "
                                             "been applied")
                                  .arg(server, requestLine(r)));
    case QNetworkReply::RemoteHostClosedError:
        return Error::network(QStringLiteral("%1 closed the connection before answering %2")
                                  .arg(server, requestLine(r)));
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
        // Only the transfer timeout aborts a request without setting a flag above.
        return Error::network(QStringLiteral("%1 timed out: nothing came from %2 for %3 ms")
                                  .arg(requestLine(r), server)
                                  .arg(r.timeout.count()));
    default:
        break;
    }
    return Error::network(
        QStringLiteral("%1 to %2 failed: %3").arg(requestLine(r), server, r.errorString));
}

Error statusErrorOf(const HttpResponse &r)
{
    const ErrorBody body = readErrorBody(r.body);
    const int status = r.status;
    const auto finish = [&](Error e) {
        e.setHttpStatus(status);
        if (!body.code.isEmpty() && e.reason().isEmpty())
            e.setReason(body.code);
        return e;
    };
    switch (status) {
    case 401:
        return finish(Error(Error::Kind::Unauthorized, body.detail));
    case 403:
        return finish(Error(Error::Kind::Forbidden, body.detail));
    case 404:
        if (r.route == Route::EntryRead)
            return finish(Error::notFound().setPath(r.subject));
        if (body.apiEnvelope && body.code == QLatin1String("not_found"))
            return finish(Error::notFound(
                QStringLiteral("the store %1 does not exist or is not visible to this token")
                    .arg(r.subject)));
        return finish(Error(Error::Kind::NotImplemented,
                            QStringLiteral("the server has no route for %1 (an older deployment?)")
                                .arg(requestLine(r))));
    case 405:
        return finish(Error(Error::Kind::NotImplemented,
                            QStringLiteral("the server does not allow %1").arg(requestLine(r))));
    case 412: {
        const QJsonValue current = body.object.value(QLatin1String("current_revision"));
        Error e = Error::conflict(integerOf(current),
                                  body.code.isEmpty() ? QStringLiteral("conflict") : body.code);
        if (const auto index = integerOf(body.object.value(QLatin1String("op_index"))))
            e.setOpIndex(static_cast<int>(*index));
        const QJsonValue path = body.object.value(QLatin1String("path"));
        e.setPath(path.isString() ? path.toString() : r.subject);
        return finish(std::move(e));
    }
    case 429:
        return finish(Error::rateLimited(retryAfterOf(r.header("Retry-After"))));
    default:
        break;
    }
    if (status >= 400 && status < 500) {
        Error e = Error::invalidParams(body.detail.isEmpty() ? body.code : body.detail);
        if (const auto index = integerOf(body.object.value(QLatin1String("op_index"))))
            e.setOpIndex(static_cast<int>(*index));
        if (const QJsonValue earliest = body.object.value(QLatin1String("earliest_available"));
            !earliest.isUndefined()) {
            e.setDetail(QStringLiteral("the op log starts at seq %1")
                            .arg(QString::fromUtf8(encodeJson(earliest))));
        }
        return finish(std::move(e));
    }
    QString detail = body.detail;
    if (status >= 300 && status < 400) {
        const QByteArray location = r.header("Location");
        detail = location.isEmpty()
                     ? QStringLiteral("redirected")
                     : QStringLiteral("redirected to ") + QString::fromLatin1(location);
    }
    return finish(Error::http(status, detail));
}

// Maps a response that did not succeed to its error.
Error errorOf(const HttpResponse &r)
{
    if (r.closing || r.cancelled)
        return networkErrorOf(r);
    if (r.status >= 200 && r.status < 300)
        return networkErrorOf(r); // cut off mid-body: timeout, reset or too large
    if (r.status > 0)
        return statusErrorOf(r);
    return networkErrorOf(r);
}

} // namespace

HttpTransport::HttpTransport(const QUrl &baseUrl, const QString &token, QObject *parent)
    : Transport(parent)
    , m_nam(new QNetworkAccessManager(this))
    , m_writeNam(new QNetworkAccessManager(this))
    , m_baseUrl(baseUrl)
{
    QUrl base =
        baseUrl.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::StripTrailingSlash);
    m_baseEncoded = base.toEncoded();
    while (m_baseEncoded.endsWith('/'))
        m_baseEncoded.chop(1);
    setToken(token);
    m_nam->setRedirectPolicy(QNetworkRequest::SameOriginRedirectPolicy);
}

HttpTransport::~HttpTransport()
{
    // Finish every pending call (as Cancelled) before the replies go away with the managers.
    for (QNetworkAccessManager *nam : {m_nam, m_writeNam}) {
        const auto replies = nam->findChildren<QNetworkReply *>();
        for (QNetworkReply *reply : replies) {
            if (reply->isRunning()) {
                reply->setProperty(kClosingProperty, true);
                reply->abort();
            }
        }
    }
}

void HttpTransport::setToken(const QString &token)
{
    m_authorization = QByteArrayLiteral("Bearer ") + token.toUtf8();
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

void HttpTransport::send(const HttpRequest &request, Handler onDone)
{
    QNetworkRequest req(request.url);
    req.setRawHeader("Authorization", m_authorization);
    req.setRawHeader("Accept", "application/json");
    if (request.hasBody)
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : request.headers)
        req.setRawHeader(name, value);
    req.setTransferTimeout(static_cast<int>(m_transferTimeout.count()));
    req.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    req.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);

    // Qt re-sends a request by itself when the server closes the connection without an
    // answer, typically a pooled keep-alive connection gone stale. Harmless for reads; a
    // write must go out at most once, so writes travel on their own manager, each on a fresh
    // connection that closes after the answer, with a body Qt cannot send twice.
    QNetworkAccessManager *nam = m_nam;
    QNetworkReply *reply = nullptr;
    if (request.route == Route::Write) {
        // Every write carries a body (remove sends "{}"), from a device that cannot rewind.
        nam = m_writeNam;
        req.setRawHeader("Connection", "close");
        req.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
        req.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
        const QByteArray body = request.hasBody ? request.body : QByteArrayLiteral("{}");
        if (!request.hasBody)
            req.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        req.setHeader(QNetworkRequest::ContentLengthHeader, body.size());
        auto *device = new OnceDevice(body, nullptr);
        reply = nam->sendCustomRequest(req, request.verb, device);
        device->setParent(reply);
    } else if (request.verb == "GET")
        reply = nam->get(req);
    else if (request.verb == "HEAD")
        reply = nam->head(req);
    else if (request.hasBody)
        reply = nam->sendCustomRequest(req, request.verb, request.body);
    else
        reply = nam->sendCustomRequest(req, request.verb);

    struct Flags
    {
        bool tooLarge = false;
        bool cancelled = false;
    };
    auto flags = std::make_shared<Flags>();
    const qint64 maxBytes = m_maxResponseBytes;

    // Never hold more of a body than its status can need: Qt stops reading the socket once
    // the buffer is full, and the request is dropped as soon as the limit is passed.
    const auto limitFor = [maxBytes](const QNetworkReply *r) {
        const QVariant status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        const int code = status.isValid() ? status.toInt() : 200;
        return (code >= 200 && code < 300) ? maxBytes : qMin(maxBytes, kMaxErrorBodyBytes);
    };
    reply->setReadBufferSize(maxBytes + 1);
    connect(reply, &QNetworkReply::metaDataChanged, reply, [reply, flags, limitFor] {
        const qint64 limit = limitFor(reply);
        reply->setReadBufferSize(limit + 1);
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > limit) {
            flags->tooLarge = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::readyRead, reply, [reply, flags, limitFor] {
        if (reply->bytesAvailable() > limitFor(reply)) {
            flags->tooLarge = true;
            reply->abort();
        }
    });

    if (request.cancelWith.isValid()) {
        auto *watcher = new QFutureWatcher<void>(reply);
        connect(watcher, &QFutureWatcher<void>::canceled, reply, [reply, flags] {
            if (reply->isRunning()) {
                flags->cancelled = true;
                reply->abort();
            }
        });
        watcher->setFuture(request.cancelWith);
    }

    HttpResponse base;
    base.route = request.route;
    base.verb = request.verb;
    base.url = request.url;
    base.subject = request.subject;
    base.timeout = m_transferTimeout;
    base.maxBytes = maxBytes;

    connect(reply, &QNetworkReply::finished, reply,
            [reply, flags, limitFor, base = std::move(base), onDone = std::move(onDone)]() mutable {
                HttpResponse response = std::move(base);
                const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
                response.status = status.isValid() ? status.toInt() : 0;
                response.networkError = reply->error();
                response.errorString = reply->errorString();
                response.headers = reply->rawHeaderPairs();
                if (!flags->tooLarge && reply->isOpen() &&
                    reply->bytesAvailable() > limitFor(reply))
                    flags->tooLarge = true;
                response.tooLarge = flags->tooLarge;
                response.cancelled = flags->cancelled;
                response.closing = reply->property(kClosingProperty).toBool();
                if (!response.tooLarge && reply->isOpen())
                    response.body = reply->readAll();
                reply->deleteLater();
                onDone(response);
            });
}

template <typename T, typename Parse>
QFuture<Result<T>> HttpTransport::call(HttpRequest request, Parse parse)
{
    auto promise = std::make_shared<QPromise<Result<T>>>();
    promise->start();
    QFuture<Result<T>> future = promise->future();
    request.cancelWith = QFuture<void>(future);
    send(request, [promise, parse = std::move(parse)](const HttpResponse &response) {
        if (response.succeeded())
            promise->addResult(parse(response));
        else
            promise->addResult(Result<T>::failure(errorOf(response)));
        promise->finish();
    });
    return future;
}

// ---- reads -----------------------------------------------------------------------------

namespace {

Result<ListPage> listPageFrom(const QByteArray &body, ListOptions::Select select)
{
    auto object = parseObject(body, "a listing");
    if (!object)
        return Result<ListPage>::failure(object.error());
    const QJsonValue items = object->value(QLatin1String("items"));
    if (!items.isArray())
        return protocolError<ListPage>(QStringLiteral("the listing has no items array"));
    ListPage page;
    const QJsonArray array = items.toArray();
    qsizetype index = 0;
    for (const QJsonValue &item : array) {
        if (select == ListOptions::Select::Entries) {
            auto entry = item.isObject()
                             ? entryFrom(item.toObject(), Path())
                             : Expected<Entry, QString>::failure(QStringLiteral("not an object"));
            if (!entry)
                return protocolError<ListPage>(
                    QStringLiteral("listing item %1: %2").arg(index).arg(entry.error()));
            page.entries.append(std::move(entry).value());
        } else {
            if (!item.isString())
                return protocolError<ListPage>(
                    QStringLiteral("listing item %1 is not a path string").arg(index));
            page.paths.append(item.toString());
        }
        ++index;
    }
    const QJsonValue cursor = object->value(QLatin1String("next_cursor"));
    if (cursor.isString())
        page.nextCursor = cursor.toString();
    else if (!cursor.isNull() && !cursor.isUndefined())
        return protocolError<ListPage>(QStringLiteral("next_cursor is not a string"));
    return page;
}

} // namespace

Expected<HttpRequest, Error> HttpTransport::listRequest(const QString &store,
                                                        const QString &pattern,
                                                        const ListOptions &options) const
{
    using Failed = Expected<HttpRequest, Error>;
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return Failed::failure(Error::invalidParams(storeFormatError(store)));
    if (options.limit < 1 || options.limit > kMaxListLimit)
        return Failed::failure(Error::invalidParams(
            QStringLiteral("limit must be 1..%1 (got %2)").arg(kMaxListLimit).arg(options.limit)));

    Query query;
    const bool range = options.from.has_value() || options.to.has_value();
    if (range) {
        if (!options.from || !options.to || !options.from->isValid() || !options.to->isValid())
            return Failed::failure(
                Error::invalidParams(QStringLiteral("a range listing needs both from and to")));
        if (!pattern.isEmpty())
            return Failed::failure(
                Error::invalidParams(QStringLiteral("use either a pattern or from/to, not both")));
        query.add("from", options.from->rendered());
        query.add("to", options.to->rendered());
    } else if (!pattern.isEmpty()) {
        const auto glob = Glob::compile(pattern);
        if (!glob) {
            const QString reason = globErrorName(glob.error());
            return Failed::failure(
                Error::invalidParams(
                    QStringLiteral("invalid pattern \"%1\": %2").arg(pattern, reason))
                    .setReason(reason));
        }
        query.add("pattern", pattern);
    }
    query.add("limit", qint64(options.limit));
    query.add("order", options.order == ListOptions::Order::Desc ? QStringLiteral("desc")
                                                                 : QStringLiteral("asc"));
    switch (options.select) {
    case ListOptions::Select::Entries:
        query.add("select", QStringLiteral("entries"));
        break;
    case ListOptions::Select::Keys:
        query.add("select", QStringLiteral("keys"));
        break;
    case ListOptions::Select::Prefixes:
        query.add("select", QStringLiteral("prefixes"));
        break;
    }
    if (!options.after.isEmpty())
        query.add("after", options.after);

    HttpRequest request;
    request.verb = "GET";
    request.url = makeUrl(withQuery(base + "/entries", query));
    request.route = Route::Read;
    request.subject = store;
    return request;
}

QFuture<Result<ListPage>> HttpTransport::list(const QString &store, const QString &pattern,
                                              const ListOptions &options)
{
    auto request = listRequest(store, pattern, options);
    if (!request)
        return failed<ListPage>(request.error());
    const ListOptions::Select select = options.select;
    return call<ListPage>(std::move(request).value(), [select](const HttpResponse &response) {
        return listPageFrom(response.body, select);
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
    return call<Entry>(request, [path](const HttpResponse &response) -> Result<Entry> {
        auto object = parseObject(response.body, "a read");
        if (!object)
            return Result<Entry>::failure(object.error());
        QJsonObject fields = *object;
        if (!fields.contains(QLatin1String("revision"))) {
            // The ETag carries the revision too ("42", quoted).
            QByteArray etag = response.header("ETag").trimmed();
            if (etag.startsWith("W/"))
                etag = etag.mid(2);
            if (etag.size() >= 2 && etag.startsWith('"') && etag.endsWith('"'))
                etag = etag.sliced(1, etag.size() - 2);
            bool ok = false;
            const qint64 revision = etag.toLongLong(&ok);
            if (ok)
                fields.insert(QLatin1String("revision"), revision);
        }
        auto entry = entryFrom(fields, path);
        if (!entry)
            return protocolError<Entry>(
                QStringLiteral("the entry read from %1: %2").arg(path.rendered(), entry.error()));
        return std::move(entry).value();
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
    send(request, [self, store, path, promise](const HttpResponse &response) {
        const bool aborted = response.cancelled || response.closing;
        if (response.succeeded()) {
            promise->addResult(Result<bool>(true));
        } else if (response.status == 404 && !aborted) {
            promise->addResult(Result<bool>(false));
        } else if (response.status == 405 && !aborted && self) {
            self->existsByListing(store, path, promise);
            return;
        } else {
            promise->addResult(Result<bool>::failure(errorOf(response)));
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
        promise->addResult(std::move(result));
        promise->finish();
    };
    auto upper = Path::parse(QString(path.rendered() + QLatin1Char('0')));
    if (!upper) {
        finishWith(Result<bool>::failure(Error::protocol(
            QStringLiteral("cannot bound a listing after %1").arg(path.rendered()))));
        return;
    }
    ListOptions options;
    options.limit = 1;
    options.select = ListOptions::Select::Keys;
    options.from = path;
    options.to = std::move(upper).value();
    auto ascending = listRequest(store, QString(), options);
    options.order = ListOptions::Order::Desc;
    auto descending = listRequest(store, QString(), options);
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
            const Error error = errorOf(response);
            if (error.kind() == Error::Kind::NotFound)
                return QString();
            return Expected<QString, Error>::failure(error);
        }
        auto page = listPageFrom(response.body, ListOptions::Select::Keys);
        if (!page)
            return Expected<QString, Error>::failure(page.error());
        return page->paths.isEmpty() ? QString() : page->paths.first();
    };

    const QString rendered = path.rendered();
    const QString prefix = path.descendantPrefix();
    QPointer<HttpTransport> self(this);
    send(*ascending, [self, rendered, prefix, finishWith, firstKey,
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
        self->send(descending, [prefix, finishWith, firstKey](const HttpResponse &last) {
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
        promise->addResult(std::move(result));
        promise->finish();
    };
    auto upper = Path::parse(QString(path.rendered() + QLatin1Char('0')));
    if (!upper) {
        finishWith(Result<Entry>::failure(Error::protocol(
            QStringLiteral("cannot bound a listing after %1").arg(path.rendered()))));
        return;
    }
    ListOptions options;
    options.limit = kMaxListLimit;
    options.from = path;
    options.to = std::move(upper).value();
    options.after = after;
    auto request = listRequest(store, QString(), options);
    if (!request) {
        finishWith(Result<Entry>::failure(request.error()));
        return;
    }
    request->route = Route::EntryRead;
    request->subject = path.rendered();
    request->cancelWith = QFuture<void>(promise->future());
    QPointer<HttpTransport> self(this);
    send(*request, [self, store, path, promise, finishWith,
                    descendants = std::move(descendants)](const HttpResponse &response) mutable {
        if (!response.succeeded()) {
            finishWith(Result<Entry>::failure(errorOf(response)));
            return;
        }
        auto page = listPageFrom(response.body, ListOptions::Select::Entries);
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
        request.body = encodeJson(value);
        if (options.ifMatch)
            request.headers.append(
                {QByteArrayLiteral("If-Match"), QByteArray::number(*options.ifMatch)});
        if (options.ifAbsent)
            request.headers.append({QByteArrayLiteral("If-None-Match"), QByteArrayLiteral("*")});
    }
    return call<WriteResult>(
        request, [](const HttpResponse &response) { return writeResultFrom(response.body); });
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
    return call<WriteResult>(
        request, [](const HttpResponse &response) { return writeResultFrom(response.body); });
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
    return call<BatchWriteResult>(
        request, [count](const HttpResponse &response) -> Result<BatchWriteResult> {
            auto object = parseObject(response.body, "a batch write");
            if (!object)
                return Result<BatchWriteResult>::failure(object.error());
            BatchWriteResult result;
            const auto seq = integerOf(object->value(QLatin1String("store_seq")));
            const QJsonValue opsValue = object->value(QLatin1String("ops"));
            if (!seq || !opsValue.isArray())
                return protocolError<BatchWriteResult>(
                    QStringLiteral("the batch reply lacks store_seq or ops: %1")
                        .arg(shortText(response.body)));
            result.storeSeq = *seq;
            const QJsonArray replies = opsValue.toArray();
            if (replies.size() != count)
                return protocolError<BatchWriteResult>(
                    QStringLiteral("the batch reply has %1 ops for %2 sent")
                        .arg(replies.size())
                        .arg(count));
            for (const QJsonValue &reply : replies) {
                const QJsonObject op = reply.toObject();
                auto revision = integerOf(op.value(QLatin1String("revision")));
                if (!revision)
                    revision = integerOf(op.value(QLatin1String("store_seq")));
                if (!revision)
                    return protocolError<BatchWriteResult>(
                        QStringLiteral("a batch reply op has no revision"));
                result.revisions.append(*revision);
            }
            return result;
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
    Query query;
    if (!q.path.isEmpty())
        query.add("path", q.path);
    if (!q.deviceId.isEmpty())
        query.add("device_id", q.deviceId);
    if (!q.op.isEmpty())
        query.add("op", q.op);
    if (!q.since.isEmpty())
        query.add("since", q.since);
    query.add("limit", q.limit);
    query.add("page", q.page);

    HttpRequest request;
    request.verb = "GET";
    request.url = makeUrl(withQuery(base + "/log", query));
    request.route = Route::Read;
    request.subject = store;
    return call<AuditPage>(request, [](const HttpResponse &response) -> Result<AuditPage> {
        auto object = parseObject(response.body, "an audit log read");
        if (!object)
            return Result<AuditPage>::failure(object.error());
        const QJsonValue ops = object->value(QLatin1String("ops"));
        if (!ops.isArray())
            return protocolError<AuditPage>(QStringLiteral("the audit log has no ops array"));
        AuditPage page;
        for (const QJsonValue &value : ops.toArray()) {
            const QJsonObject o = value.toObject();
            AuditOp op;
            const auto seq = integerOf(o.value(QLatin1String("store_seq")));
            if (!seq)
                return protocolError<AuditPage>(QStringLiteral("an audit op has no store_seq"));
            op.storeSeq = *seq;
            op.op = o.value(QLatin1String("op")).toString();
            op.path = o.value(QLatin1String("path")).toString();
            op.value = values::unwrapScalar(o.value(QLatin1String("value")));
            op.deviceId = o.value(QLatin1String("device_id")).toString();
            op.insertedAt = o.value(QLatin1String("inserted_at")).toString();
            page.ops.append(std::move(op));
        }
        const QJsonObject pagination = object->value(QLatin1String("pagination")).toObject();
        page.page =
            static_cast<int>(integerOf(pagination.value(QLatin1String("page"))).value_or(1));
        page.totalPages =
            static_cast<int>(integerOf(pagination.value(QLatin1String("total_pages"))).value_or(0));
        page.total = integerOf(pagination.value(QLatin1String("total"))).value_or(0);
        return page;
    });
}

QFuture<Result<QList<DiffChange>>> HttpTransport::diff(const QString &store, qint64 fromSeq,
                                                       qint64 toSeq)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return failed<QList<DiffChange>>(Error::invalidParams(storeFormatError(store)));
    Query query;
    query.add("from_seq", fromSeq);
    query.add("to_seq", toSeq);
    HttpRequest request;
    request.verb = "GET";
    request.url = makeUrl(withQuery(base + "/diff", query));
    request.route = Route::Read;
    request.subject = store;
    return call<QList<DiffChange>>(
        request, [](const HttpResponse &response) -> Result<QList<DiffChange>> {
            const auto changes = arrayIn(response.body, "a diff", QLatin1String("changes"));
            if (!changes)
                return Result<QList<DiffChange>>::failure(changes.error());
            QList<DiffChange> out;
            for (const QJsonValue &value : *changes) {
                const QJsonObject o = value.toObject();
                DiffChange change;
                change.path = o.value(QLatin1String("path")).toString();
                if (change.path.isEmpty())
                    return protocolError<QList<DiffChange>>(
                        QStringLiteral("a diff change has no path"));
                change.before = o.value(QLatin1String("before"));
                change.after = o.value(QLatin1String("after"));
                out.append(std::move(change));
            }
            return out;
        });
}

QFuture<Result<QList<StoreInfo>>> HttpTransport::listStores()
{
    HttpRequest request;
    request.verb = "GET";
    request.url = makeUrl(QByteArrayLiteral("/api/stores"));
    request.route = Route::Read;
    request.subject = QStringLiteral("list");
    return call<QList<StoreInfo>>(
        request, [](const HttpResponse &response) -> Result<QList<StoreInfo>> {
            const auto stores = arrayIn(response.body, "a store listing", QLatin1String("stores"));
            if (!stores)
                return Result<QList<StoreInfo>>::failure(stores.error());
            QList<StoreInfo> out;
            for (const QJsonValue &value : *stores) {
                const QJsonObject o = value.toObject();
                StoreInfo info;
                info.id = o.value(QLatin1String("id")).toString();
                info.name = o.value(QLatin1String("name")).toString();
                info.fullName = o.value(QLatin1String("full_name")).toString();
                info.status = o.value(QLatin1String("status")).toString();
                info.insertedAt = o.value(QLatin1String("inserted_at")).toString();
                if (info.fullName.isEmpty())
                    return protocolError<QList<StoreInfo>>(
                        QStringLiteral("a store has no full_name"));
                out.append(std::move(info));
            }
            return out;
        });
}

} // namespace dust
