#include "TestHttp.h"

#include <QBuffer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkProxy>
#include <QNetworkRequest>
#include <QTimer>

namespace dust::test {

QByteArray HttpResult::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool HttpResult::hasHeader(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QJsonValue HttpResult::json() const
{
    // Wrapped so that scalars parse too.
    const QJsonDocument document = QJsonDocument::fromJson('[' + body + ']');
    if (!document.isArray() || document.array().size() != 1)
        return QJsonValue(QJsonValue::Undefined);
    return document.array().first();
}

TestHttp::TestHttp(QUrl baseUrl, QString token)
    : m_baseUrl(std::move(baseUrl))
    , m_token(std::move(token))
{
    m_manager.setProxy(QNetworkProxy::NoProxy);
}

QByteArray TestHttp::json(const QJsonValue &value)
{
    QJsonDocument document = QJsonDocument(QJsonArray{value});
    QByteArray text = document.toJson(QJsonDocument::Compact);
    return text.mid(1, text.size() - 2);
}

QByteArray TestHttp::entries(const QByteArray &suffix, const QByteArray &store)
{
    return "/api/stores/" + store + "/entries" + suffix;
}

HttpResult TestHttp::get(const QByteArray &path, const Headers &headers)
{
    return send("GET", path, {}, headers, false);
}

HttpResult TestHttp::head(const QByteArray &path, const Headers &headers)
{
    return send("HEAD", path, {}, headers, false);
}

HttpResult TestHttp::del(const QByteArray &path, const Headers &headers)
{
    return send("DELETE", path, {}, headers, false);
}

HttpResult TestHttp::put(const QByteArray &path, const QByteArray &body, const Headers &headers)
{
    return send("PUT", path, body, headers);
}

HttpResult TestHttp::post(const QByteArray &path, const QByteArray &body, const Headers &headers)
{
    return send("POST", path, body, headers);
}

HttpResult TestHttp::delWithBody(const QByteArray &path, const QByteArray &body,
                                 const Headers &headers)
{
    return send("DELETE", path, body, headers);
}

HttpResult TestHttp::send(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                          const Headers &headers, bool jsonBody)
{
    HttpResult result;
    const QUrl url = QUrl::fromEncoded(m_baseUrl.toEncoded() + path, QUrl::TolerantMode);
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    bool hasContentType = false;
    for (const auto &[name, value] : headers) {
        request.setRawHeader(name, value);
        hasContentType |= name.compare("content-type", Qt::CaseInsensitive) == 0;
    }
    if (jsonBody && !hasContentType)
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));

    QNetworkReply *reply = nullptr;
    if (method == "GET")
        reply = m_manager.get(request);
    else if (method == "HEAD")
        reply = m_manager.head(request);
    else
        reply = m_manager.sendCustomRequest(request, method, body);

    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, [&loop, &result] {
        result.timedOut = true;
        loop.quit();
    });
    timer.start(m_timeoutMs);
    if (!reply->isFinished())
        loop.exec();
    if (!reply->isFinished())
        reply->abort();

    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    for (const auto &[name, value] : reply->rawHeaderPairs())
        result.headers.append({name.toLower(), value});
    result.networkError = reply->error();
    result.errorString = reply->errorString();
    reply->deleteLater();
    return result;
}

} // namespace dust::test
