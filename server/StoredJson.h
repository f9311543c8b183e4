#pragma once

#include "protocol/Entry.h"
#include "protocol/Path.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringView>

#include <optional>

namespace dust::lite {

// The JSON text a store database keeps: values in their stored form (objects as they are,
// anything else as {"_scalar": v}, dust-protocol.md §3.2), path segments as JSON arrays, and
// the compact text of the objects written around them.
class StoredJson
{
public:
    // The text of the stored form of `value`; common scalars without building a document.
    static QByteArray text(const QJsonValue &value);
    // The unwrapped value of stored text; null when the text is not JSON.
    static QJsonValue parse(const QByteArray &text);
    // Stored text as it is (always an object or an array); nullopt when it is neither.
    static std::optional<QJsonValue> parseRaw(const QByteArray &text);
    // parseRaw(), or null.
    static QJsonValue parseRawOrNull(const QByteArray &text);

    // An entry from a leaf row: rendered path, stored value text, type and revision.
    static Entry entry(const QString &rendered, const QByteArray &value, const QString &type,
                       qint64 seq);

    static QByteArray compact(const QJsonObject &object);
    static QByteArray compact(const QJsonArray &array);
    // A JSON string literal for `text`, quotes included, as QJsonDocument writes it.
    static QByteArray string(const QString &text);
    // Appends `text` as a JSON string literal (UTF-8, quotes included).
    static void appendString(QByteArray &out, QStringView text);
    // The JSON array of a path's raw segments, as the op log keeps it.
    static QByteArray segments(const Path &path);
};

} // namespace dust::lite
