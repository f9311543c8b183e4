#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <QString>

#include <optional>
#include <string_view>

namespace dust::jsonbytes {

// Helpers for JSON values kept as compact UTF-8 bytes (how the Mirror stores leaf values):
// validation, kind, conversion to and from QJsonValue, and previews, without building a
// QJsonValue where it is not needed.

enum class Kind : quint8 { Invalid, Null, Boolean, Integer, Float, String, Array, Object };

// Deepest nesting accepted by isValid(); Qt's own JSON parser stops a little deeper.
inline constexpr int MaxDepth = 1000;

// Strips JSON whitespace (space, tab, CR, LF) on both ends.
std::string_view trimmed(std::string_view raw);

// True if `raw` holds exactly one JSON value (RFC 8259 grammar, surrounding whitespace
// allowed, nesting up to MaxDepth). Iterative. UTF-8 well-formedness is not checked here
// (the frame decoder has already checked the whole frame).
bool isValid(std::string_view raw);

// The kind of a valid JSON value from its first bytes; numbers with a fraction or an
// exponent are Float, the others Integer (as the server tells them apart).
Kind kindOf(std::string_view raw);

// The type a `set` of a non-object value derives (dust-protocol.md §3.3): "null",
// "boolean", "integer", "float", "string" (also for arrays). Empty for objects.
QString typeForKind(Kind kind);

// The value as a QJsonValue; Undefined if `raw` is not valid JSON. Scalars are converted
// without going through QJsonDocument.
QJsonValue toJsonValue(std::string_view raw);

// QJsonDocument::fromJson, except that a U+FEFF written as raw UTF-8 at the start of a
// string is kept: Qt's parser drops it there as if it were a byte-order mark, so the path
// "\ufeffbom/x" would become "bom/x". (A byte-order mark before the document stays Qt's.)
QJsonDocument parseDocument(QByteArrayView json, QJsonParseError *error = nullptr);
// UTF-8 to text keeping every character (QString::fromUtf8 drops a leading U+FEFF).
QString textFromUtf8(QByteArrayView utf8);

// The compact JSON text of a value ("null" for Undefined).
QByteArray fromJsonValue(const QJsonValue &value);

// For {"_scalar": v} (a snapshot's stored form), the bytes of v; nullopt for anything else.
std::optional<std::string_view> scalarWrapperInner(std::string_view raw);

// A one-line preview (dust::values::preview) of the value; cheap for scalars.
QString preview(std::string_view raw, int maxChars = 80);
// The same preview as UTF-8. Short strings without escapes, small integers, booleans and
// null (most leaves of most stores) are copied as they are, without a QString between.
QByteArray previewUtf8(std::string_view raw, int maxChars = 80);

// What decodeString() does with a \u escape of a lone UTF-16 surrogate.
enum class LoneSurrogate { Reject, Replace /* with U+FFFD */ };
// The body of a JSON string (the text between its quotes) decoded to UTF-8 into `out`:
// false on a malformed escape (and on a lone surrogate when told to reject it).
bool decodeString(std::string_view body, std::string &out,
                  LoneSurrogate lone = LoneSurrogate::Reject);
bool decodeString(std::string_view body, QByteArray &out,
                  LoneSurrogate lone = LoneSurrogate::Reject);

inline std::string_view view(const QByteArray &bytes)
{
    return {bytes.constData(), static_cast<size_t>(bytes.size())};
}

} // namespace dust::jsonbytes
