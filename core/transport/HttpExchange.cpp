#include "HttpExchange.h"

#include "HttpStream.h"

#include <QFutureWatcher>
#include <QIODevice>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <cstring>
#include <memory>
#include <utility>

namespace dust {

namespace {

// Error bodies are short JSON objects; anything longer is cut off unread.
constexpr qint64 kMaxErrorBodyBytes = 64 * 1024;
// Set on a reply aborted because its exchange is going away.
constexpr char kClosingProperty[] = "dustTransportClosing";

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

} // namespace

HttpExchange::HttpExchange(QObject *parent)
    : QObject(parent)
    , m_nam(new QNetworkAccessManager(this))
    , m_writeNam(new QNetworkAccessManager(this))
{
    // QNetworkAccessManager has no way to set TCP_NODELAY on its connections (Qt 6.4 leaves
    // it off in QHttpNetworkConnectionChannel::_q_connected); Nagle's algorithm stays on here.
    m_nam->setRedirectPolicy(QNetworkRequest::SameOriginRedirectPolicy);
}

HttpExchange::~HttpExchange()
{
    closeAll();
}

void HttpExchange::setToken(const QString &token)
{
    m_authorization = QByteArrayLiteral("Bearer ") + token.toUtf8();
}

void HttpExchange::closeAll()
{
    // Finish every pending call (as closing) before the replies go away with the managers.
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

QNetworkRequest HttpExchange::networkRequest(const HttpRequest &request) const
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
    return req;
}

std::unique_ptr<HttpStream> HttpExchange::stream(const HttpRequest &request)
{
    HttpResponse base;
    base.route = request.route;
    base.verb = "GET";
    base.url = request.url;
    base.subject = request.subject;
    base.timeout = m_transferTimeout;
    return std::make_unique<HttpStream>(m_nam->get(networkRequest(request)), std::move(base));
}

void HttpExchange::send(const HttpRequest &request, Handler onDone)
{
    using Route = HttpRequest::Route;
    QNetworkRequest req = networkRequest(request);

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

    if (request.onProgress)
        connect(reply, &QNetworkReply::downloadProgress, reply, request.onProgress);

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

} // namespace dust
