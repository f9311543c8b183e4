#include "HttpExchange.h"

#include <QJsonDocument>
#include <QStringDecoder>
#include <QUrl>

namespace dust::lite {

namespace {

bool sameName(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

// `*valid` is cleared when the decoded bytes are not UTF-8 (overlong, truncated, stray).
QString decodeFormComponent(QByteArrayView encoded, bool *valid)
{
    QByteArray bytes = encoded.toByteArray();
    bytes.replace('+', ' ');
    // Not QString::fromUtf8: it drops a leading U+FEFF, and "pattern=%EF%BB%BFbom/*" would
    // list bom/*.
    QStringDecoder toUtf16(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless |
                                                     QStringDecoder::Flag::ConvertInitialBom);
    QString text = toUtf16(QByteArray::fromPercentEncoding(bytes));
    if (toUtf16.hasError())
        *valid = false;
    return text;
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

QString QueryFields::notUtf8Detail() const
{
    const QString what = notUtf8 && !notUtf8->isEmpty()
                             ? QStringLiteral("query parameter %1").arg(*notUtf8)
                             : QStringLiteral("a query parameter name");
    return what + QStringLiteral(" is not valid UTF-8 (overlong, truncated or stray bytes after "
                                 "percent-decoding); percent-encode each character's UTF-8 bytes");
}

QueryFields HttpRequest::parseQuery(QByteArrayView encoded)
{
    QueryFields fields;
    qsizetype start = 0;
    while (start <= encoded.size()) {
        qsizetype end = encoded.indexOf('&', start);
        if (end < 0)
            end = encoded.size();
        const QByteArrayView field = encoded.sliced(start, end - start);
        if (!field.isEmpty()) {
            const qsizetype eq = field.indexOf('=');
            bool nameValid = true;
            bool valueValid = true;
            QString name = decodeFormComponent(eq < 0 ? field : field.first(eq), &nameValid);
            QString value =
                eq < 0 ? QString() : decodeFormComponent(field.sliced(eq + 1), &valueValid);
            if (!fields.notUtf8 && !nameValid)
                fields.notUtf8 = QString();
            else if (!fields.notUtf8 && !valueValid)
                fields.notUtf8 = name;
            fields.append({std::move(name), std::move(value)});
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
