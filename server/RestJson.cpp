#include "RestJson.h"

#include "protocol/JsonBytes.h"
#include "protocol/StrictJson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace dust::lite {

Expected<QJsonValue, QString> RestJson::parseValue(const QByteArray &body)
{
    using Result = Expected<QJsonValue, QString>;
    if (body.trimmed().isEmpty())
        return Result::failure(QStringLiteral("request body is empty"));
    // QJsonDocument is lenient ("\ud800" becomes "?", raw control characters pass): what RFC
    // 8259 rejects is refused here, so no value is ever stored changed.
    if (const auto strict = StrictJson::validate(body); !strict)
        return Result::failure(QStringLiteral("malformed JSON body: ") + strict.message());
    // QJsonDocument only takes objects and arrays at the top level: wrap the body in an
    // array and require exactly one element, so "1,2" is rejected like any other garbage.
    QByteArray wrapped;
    wrapped.reserve(body.size() + 2);
    wrapped.append('[').append(body).append(']');
    QJsonParseError error;
    const QJsonDocument document = jsonbytes::parseDocument(wrapped, &error);
    if (error.error != QJsonParseError::NoError || !document.isArray() ||
        document.array().size() != 1) {
        const QString why = error.error != QJsonParseError::NoError
                                ? error.errorString()
                                : QStringLiteral("more than one value");
        return Result::failure(QStringLiteral("malformed JSON body: %1").arg(why));
    }
    return document.array().first();
}

Expected<QJsonObject, QString> RestJson::parseObject(const QByteArray &body)
{
    using Result = Expected<QJsonObject, QString>;
    auto value = parseValue(body);
    if (!value)
        return Result::failure(value.error());
    if (!value->isObject())
        return Result::failure(QStringLiteral("request body must be a JSON object"));
    return value->toObject();
}

bool RestJson::hasJsonContentType(const HttpRequest &request)
{
    const auto type = request.header("content-type");
    if (!type)
        return false;
    QByteArray mime = type->trimmed().toLower();
    if (const qsizetype semicolon = mime.indexOf(';'); semicolon >= 0)
        mime = mime.left(semicolon).trimmed();
    return mime == "application/json" ||
           (mime.startsWith("application/") && mime.endsWith("+json"));
}

std::optional<qint64> RestJson::positiveInteger(QByteArrayView text)
{
    const QByteArrayView trimmed = text.trimmed();
    if (trimmed.isEmpty() || trimmed.size() > 18)
        return std::nullopt;
    qint64 value = 0;
    for (const char c : trimmed) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value <= 0)
        return std::nullopt;
    return value;
}

std::optional<qint64> RestJson::positiveInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (d < 1 || d > 9.0e15 || d != static_cast<double>(static_cast<qint64>(d)))
        return std::nullopt;
    return static_cast<qint64>(d);
}

std::optional<qint64> RestJson::nonNegativeInteger(QStringView text)
{
    if (text == u"0")
        return 0;
    return positiveInteger(QByteArrayView(text.toLatin1()));
}

QJsonObject RestJson::entryJson(const Entry &entry)
{
    return QJsonObject{{QStringLiteral("path"), entry.path.rendered()},
                       {QStringLiteral("value"), entry.value},
                       {QStringLiteral("type"), entry.type},
                       {QStringLiteral("revision"), entry.revision}};
}

} // namespace dust::lite
