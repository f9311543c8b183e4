#pragma once

#include "HttpExchange.h"
#include "protocol/Entry.h"
#include "protocol/Expected.h"
#include "protocol/Path.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace dust::lite {

// Small helpers shared by the REST handlers: body and header parsing, entry rendering and the
// wording of the 400 answers.
class RestJson
{
public:
    // The body as one JSON value of any type (objects, arrays, scalars, null). Fails with a
    // readable message for an empty or malformed body, and for anything RFC 8259 rejects
    // (StrictJson: lone surrogates, invalid escapes or UTF-8, ".5", raw control characters),
    // saying at which byte.
    static Expected<QJsonValue, QString> parseValue(const QByteArray &body);
    // The body as a JSON object; fails for anything else.
    static Expected<QJsonObject, QString> parseObject(const QByteArray &body);
    // True when the request says its body is JSON ("application/json" or "…+json").
    static bool hasJsonContentType(const HttpRequest &request);

    // A positive integer written as bare decimal digits ("42"), as If-Match requires.
    static std::optional<qint64> positiveInteger(QByteArrayView text);
    // A JSON number that is a positive integer.
    static std::optional<qint64> positiveInteger(const QJsonValue &value);
    // A non-negative decimal integer from a query field.
    static std::optional<qint64> nonNegativeInteger(QStringView text);

    // {"path","value","type","revision"}.
    static QJsonObject entryJson(const Entry &entry);
};

} // namespace dust::lite
