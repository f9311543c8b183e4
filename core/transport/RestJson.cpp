#include "RestJson.h"

#include "protocol/JsonBytes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace dust::restjson {

QByteArray encode(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.sliced(1, wrapped.size() - 2);
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
    QString text = jsonbytes::textFromUtf8(bytes.left(200)).simplified();
    if (bytes.size() > 200)
        text += QStringLiteral("…");
    return text;
}

} // namespace dust::restjson
