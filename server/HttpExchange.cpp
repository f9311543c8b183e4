#include "HttpExchange.h"

#include "protocol/JsonBytes.h"

#include <QJsonDocument>
#include <QUrl>

namespace dust::lite {

namespace {

bool sameName(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

QString decodeFormComponent(QByteArrayView encoded)
{
    QByteArray bytes = encoded.toByteArray();
    bytes.replace('+', ' ');
    // Not QString::fromUtf8: it drops a leading U+FEFF, and "pattern=%EF%BB%BFbom/*" would
    // list bom/*.
    return jsonbytes::textFromUtf8(QByteArray::fromPercentEncoding(bytes));
}

} // namespace

std::optional<QByteArray> HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (sameName(key, name))
            return value;
    }
    return std::nullopt;
}

std::optional<QString> HttpRequest::queryValue(QStringView name) const
{
    for (const auto &[key, value] : query) {
        if (key == name)
            return value;
    }
    return std::nullopt;
}

QList<std::pair<QString, QString>> HttpRequest::parseQuery(QByteArrayView encoded)
{
    QList<std::pair<QString, QString>> fields;
    qsizetype start = 0;
    while (start <= encoded.size()) {
        qsizetype end = encoded.indexOf('&', start);
        if (end < 0)
            end = encoded.size();
        const QByteArrayView field = encoded.sliced(start, end - start);
        if (!field.isEmpty()) {
            const qsizetype eq = field.indexOf('=');
            if (eq < 0)
                fields.append({decodeFormComponent(field), QString()});
            else
                fields.append({decodeFormComponent(field.first(eq)),
                               decodeFormComponent(field.sliced(eq + 1))});
        }
        start = end + 1;
    }
    return fields;
}

void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &[key, existing] : headers) {
        if (sameName(key, name)) {
            existing = value;
            return;
        }
    }
    headers.append({name, value});
}

std::optional<QByteArray> HttpResponse::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (sameName(key, name))
            return value;
    }
    return std::nullopt;
}

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    HttpResponse response;
    response.status = status;
    response.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    response.setHeader("content-type", "application/json; charset=utf-8");
    return response;
}

HttpResponse HttpResponse::error(int status, const QString &code, const QString &detail)
{
    QJsonObject object{{QStringLiteral("error"), code}};
    if (!detail.isEmpty())
        object.insert(QStringLiteral("detail"), detail);
    return json(status, object);
}

HttpResponse HttpResponse::invalidParams(const QString &detail)
{
    return error(400, QStringLiteral("invalid_params"), detail);
}

HttpResponse HttpResponse::noRoute()
{
    return json(
        404, QJsonObject{{QStringLiteral("errors"),
                          QJsonObject{{QStringLiteral("detail"), QStringLiteral("Not Found")}}}});
}

} // namespace dust::lite
