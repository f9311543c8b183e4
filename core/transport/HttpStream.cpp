#include "HttpStream.h"

#include "RestErrors.h"

#include <QNetworkReply>
#include <QNetworkRequest>

namespace dust {

namespace {

// Error bodies are short JSON objects; anything longer is cut off unread (as HttpExchange).
constexpr qint64 kMaxErrorBodyBytes = 64 * 1024;
// Set by HttpExchange on a reply aborted because its exchange is going away.
constexpr char kClosingProperty[] = "dustTransportClosing";

} // namespace

HttpStream::HttpStream(QNetworkReply *reply, HttpResponse base, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
    , m_base(std::move(base))
{
    reply->setReadBufferSize(kBufferBytes);
    connect(reply, &QNetworkReply::metaDataChanged, this, &HttpStream::onMetaData);
    connect(reply, &QNetworkReply::readyRead, this, &HttpStream::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &HttpStream::onFinished);
}

HttpStream::~HttpStream()
{
    if (m_reply) {
        disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

qint64 HttpStream::bytesAvailable() const
{
    if (!m_reply || !isSuccess() || !m_reply->isOpen())
        return 0;
    return m_reply->bytesAvailable();
}

QByteArray HttpStream::read(qint64 maxBytes)
{
    if (!m_reply || !isSuccess() || !m_reply->isOpen())
        return {};
    return m_reply->read(maxBytes);
}

void HttpStream::abort()
{
    if (m_finished || !m_reply)
        return;
    m_cancelled = true;
    m_reply->abort();
}

void HttpStream::onMetaData()
{
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    m_status = status.isValid() ? status.toInt() : 0;
    // A refusal's body is read whole (it is small); a 2xx body waits for its reader.
    if (!isSuccess())
        m_reply->setReadBufferSize(kMaxErrorBodyBytes + 1);
}

void HttpStream::onReadyRead()
{
    if (m_status == 0)
        onMetaData();
    if (isSuccess()) {
        emit readyRead();
        return;
    }
    const qint64 room = kMaxErrorBodyBytes - m_errorBody.size();
    if (room > 0)
        m_errorBody += m_reply->read(room);
    if (m_reply->bytesAvailable() > 0) // past the limit: what is said is said
        m_reply->read(m_reply->bytesAvailable());
}

void HttpStream::onFinished()
{
    if (m_finished)
        return;
    if (m_status == 0)
        onMetaData();
    m_finished = true;
    HttpResponse response = m_base;
    response.status = m_status;
    response.networkError = m_reply->error();
    response.errorString = m_reply->errorString();
    response.headers = m_reply->rawHeaderPairs();
    response.cancelled = m_cancelled;
    response.closing = m_reply->property(kClosingProperty).toBool();
    if (!isSuccess()) {
        if (m_reply->isOpen())
            m_errorBody += m_reply->read(qMax<qint64>(0, kMaxErrorBodyBytes - m_errorBody.size()));
        response.body = m_errorBody;
    }
    if (!response.succeeded())
        m_error = resterrors::errorOf(response);
    emit finished();
}

} // namespace dust
