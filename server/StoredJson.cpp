#include "StoredJson.h"

#include "protocol/JsonBytes.h"

#include "protocol/Values.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace dust::lite {

QByteArray StoredJson::text(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String: {
        QByteArray out = "{\"_scalar\":";
        appendString(out, value.toString());
        out += '}';
        return out;
    }
    case QJsonValue::Bool:
        return value.toBool() ? QByteArray("{\"_scalar\":true}")
                              : QByteArray("{\"_scalar\":false}");
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QByteArray("{\"_scalar\":null}");
    case QJsonValue::Double:
        if (const auto integer = values::integerValue(value))
            return QByteArray(QByteArray("{\"_scalar\":") + QByteArray::number(*integer) + '}');
        break;
    default:
        break;
    }
    return compact(values::wrapScalar(value).toObject());
}

std::optional<QJsonValue> StoredJson::parseRaw(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument doc = jsonbytes::parseDocument(text, &error);
    if (error.error != QJsonParseError::NoError)
        return std::nullopt;
    if (doc.isObject())
        return QJsonValue(doc.object());
    if (doc.isArray())
        return QJsonValue(doc.array());
    return std::nullopt;
}

QJsonValue StoredJson::parse(const QByteArray &text)
{
    const auto raw = parseRaw(text);
    return raw ? values::unwrapScalar(*raw) : QJsonValue(QJsonValue::Null);
}

QJsonValue StoredJson::parseRawOrNull(const QByteArray &text)
{
    const auto raw = parseRaw(text);
    return raw ? *raw : QJsonValue(QJsonValue::Null);
}

Entry StoredJson::entry(const QString &rendered, const QByteArray &value, const QString &type,
                        qint64 seq)
{
    Entry entry;
    if (auto parsed = Path::parse(rendered))
        entry.path = std::move(parsed).value();
    entry.value = parse(value);
    entry.type = type;
    entry.revision = seq;
    return entry;
}

QByteArray StoredJson::compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray StoredJson::compact(const QJsonArray &array)
{
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

QByteArray StoredJson::string(const QString &text)
{
    const QByteArray array = compact(QJsonArray{text});
    return array.mid(1, array.size() - 2);
}

void StoredJson::appendString(QByteArray &out, QStringView text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out += '"';
    for (const char c : utf8) {
        const uchar u = uchar(c);
        if (u == '"' || u == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else {
            out += c;
        }
    }
    out += '"';
}

QByteArray StoredJson::segments(const Path &path)
{
    QByteArray out = "[";
    bool first = true;
    for (const QString &segment : path.segments()) {
        if (!first)
            out += ',';
        first = false;
        appendString(out, segment);
    }
    out += ']';
    return out;
}

} // namespace dust::lite
