#include "RestErrors.h"

#include "RestJson.h"
#include "protocol/JsonBytes.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace dust::resterrors {

namespace {

using Route = HttpRequest::Route;
using restjson::integerOf;

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
    const QJsonDocument doc = jsonbytes::parseDocument(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        out.detail = restjson::shortText(body);
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
        out.detail = jsonbytes::textFromUtf8(restjson::encode(detail));
    return out;
}

QString requestLine(const HttpResponse &r)
{
    return QString::fromLatin1(r.verb) + QLatin1Char(' ') +
           QString::fromLatin1(r.url.toEncoded(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
}

} // namespace

std::chrono::milliseconds retryAfter(QByteArrayView header, const QDateTime &now)
{
    const QByteArray text = header.trimmed().toByteArray();
    if (text.isEmpty())
        return std::chrono::milliseconds(0);
    bool ok = false;
    const qint64 seconds = text.toLongLong(&ok);
    if (ok)
        return std::chrono::seconds(qMax<qint64>(0, seconds));
    const QDateTime at = QDateTime::fromString(QString::fromLatin1(text), Qt::RFC2822Date);
    if (at.isValid())
        return std::chrono::milliseconds(qMax<qint64>(0, now.msecsTo(at)));
    return std::chrono::milliseconds(0);
}

Error transferError(const HttpResponse &r)
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

Error statusError(const HttpResponse &r)
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
        return finish(Error::rateLimited(retryAfter(r.header("Retry-After"))));
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
                            .arg(jsonbytes::textFromUtf8(restjson::encode(earliest))));
            e.setEarliestAvailable(integerOf(earliest));
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

Error errorOf(const HttpResponse &r)
{
    if (r.closing || r.cancelled)
        return transferError(r);
    if (r.status >= 200 && r.status < 300)
        return transferError(r); // cut off mid-body: timeout, reset or too large
    if (r.status > 0)
        return statusError(r);
    return transferError(r);
}

} // namespace dust::resterrors
