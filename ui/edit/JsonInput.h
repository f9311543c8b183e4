#pragma once

#include "protocol/Expected.h"

#include <QJsonValue>
#include <QString>

namespace dust::jsoninput {

// The JSON a person typed or pasted, as a value: any JSON value at the top (not only
// objects and arrays), checked strictly (StrictJson) so nothing is stored changed. The error
// says where, as a person counts: "line 3, column 7: expected ',' or '}'".
Expected<QJsonValue, QString> parse(const QString &text);

// Line and column (both from 1, columns in characters) of byte `offset` of `utf8`.
QString position(const QByteArray &utf8, qsizetype offset);

} // namespace dust::jsoninput
