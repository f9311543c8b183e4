#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <string_view>

namespace dust::exporttext {

// The JSON text an export writes, byte for byte as dustlite's /export writes it (Qt's
// compact JSON writer: strings in UTF-8 with only '"', '\\' and control characters escaped,
// numbers as QJsonValue prints them, object keys sorted), without building a QJsonValue for
// the common scalars.

// Appends `utf8` as a JSON string literal, quotes included.
void appendString(QByteArray &out, std::string_view utf8);
// Appends one rendered path segment, unescaped ("~1" -> "/", "~0" -> "~"), as a JSON string.
void appendSegmentKey(QByteArray &out, std::string_view renderedSegment);
// Appends the value `json` (compact JSON text of one value) as Qt's writer prints it:
// true/false/null, short integers and strings without escapes are copied; anything else is
// parsed and printed again. Returns false (and appends null) when `json` is not JSON.
bool appendValue(QByteArray &out, std::string_view json);
// Appends `field` as one RFC 4180 CSV field: quoted (and its quotes doubled) when it holds a
// comma, a quote, CR or LF, or begins or ends with a space.
void appendCsvField(QByteArray &out, std::string_view field);

inline std::string_view view(QByteArrayView bytes)
{
    return {bytes.data(), size_t(bytes.size())};
}

} // namespace dust::exporttext
