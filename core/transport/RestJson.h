#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace dust::restjson {

// JSON text helpers shared by the REST request builders, response parsers and error mapping.

// The compact JSON text of any value, scalars included (QJsonDocument only holds objects
// and arrays).
QByteArray encode(const QJsonValue &value);

// The value of a JSON number as an integer when it is one and exactly representable
// (|n| <= 2^53); nullopt for anything else.
std::optional<qint64> integerOf(const QJsonValue &value);

// The first 200 bytes of a body on one line, for error messages ("…" when cut).
QString shortText(const QByteArray &bytes);

} // namespace dust::restjson
