#include "exchange/ExportText.h"

#include "protocol/JsonBytes.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace dust::exporttext {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void appendEscapedByte(QByteArray &out, unsigned char c)
{
    switch (c) {
    case '"':
        out.append("\\\"", 2);
        return;
    case '\\':
        out.append("\\\\", 2);
        return;
    case '\b':
        out.append("\\b", 2);
        return;
    case '\f':
        out.append("\\f", 2);
        return;
    case '\n':
        out.append("\\n", 2);
        return;
    case '\r':
        out.append("\\r", 2);
        return;
    case '\t':
        out.append("\\t", 2);
        return;
    default:
        break;
    }
    if (c < 0x20) {
        const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out.append(escape, sizeof escape);
        return;
    }
    out.append(char(c));
}

bool needsEscape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

// A run of bytes copied at once, escapes between runs.
void appendEscaped(QByteArray &out, std::string_view utf8)
{
    size_t start = 0;
    for (size_t i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (!needsEscape(c))
            continue;
        out.append(utf8.data() + start, qsizetype(i - start));
        appendEscapedByte(out, c);
        start = i + 1;
    }
    out.append(utf8.data() + start, qsizetype(utf8.size() - start));
}

// -?[1-9][0-9]{0,14} or 0: printed the same by Qt (exact in a double, no exponent).
bool isShortInteger(std::string_view json)
{
    size_t i = 0;
    if (i < json.size() && json[i] == '-')
        ++i;
    const size_t digits = json.size() - i;
    if (digits == 0 || digits > 15)
        return false;
    if (json[i] == '0')
        return digits == 1 && i == 0;
    for (; i < json.size(); ++i) {
        if (json[i] < '0' || json[i] > '9')
            return false;
    }
    return true;
}

// A string literal with no escape and no control byte: Qt prints it as it is.
bool isPlainString(std::string_view json)
{
    if (json.size() < 2 || json.front() != '"' || json.back() != '"')
        return false;
    for (size_t i = 1; i + 1 < json.size(); ++i) {
        const auto c = static_cast<unsigned char>(json[i]);
        if (needsEscape(c))
            return false;
    }
    return true;
}

} // namespace

void appendString(QByteArray &out, std::string_view utf8)
{
    out.append('"');
    appendEscaped(out, utf8);
    out.append('"');
}

void appendSegmentKey(QByteArray &out, std::string_view renderedSegment)
{
    out.append('"');
    size_t start = 0;
    for (size_t i = 0; i < renderedSegment.size(); ++i) {
        if (renderedSegment[i] != '~' || i + 1 >= renderedSegment.size())
            continue;
        appendEscaped(out, renderedSegment.substr(start, i - start));
        out.append(renderedSegment[i + 1] == '1' ? '/' : '~');
        ++i;
        start = i + 1;
    }
    appendEscaped(out, renderedSegment.substr(start));
    out.append('"');
}

bool appendValue(QByteArray &out, std::string_view json)
{
    json = jsonbytes::trimmed(json);
    if (json == "true" || json == "false" || json == "null" || isShortInteger(json) ||
        isPlainString(json)) {
        out.append(json.data(), qsizetype(json.size()));
        return true;
    }
    // Anything else goes through Qt's parser and writer, as it does on the server.
    QByteArray wrapped;
    wrapped.reserve(qsizetype(json.size()) + 2);
    wrapped.append('[').append(json.data(), qsizetype(json.size())).append(']');
    QJsonParseError error;
    const QJsonDocument doc = jsonbytes::parseDocument(wrapped, &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1) {
        out.append("null", 4);
        return false;
    }
    const QByteArray text = doc.toJson(QJsonDocument::Compact);
    out.append(text.constData() + 1, text.size() - 2);
    return true;
}

void appendCsvField(QByteArray &out, std::string_view field)
{
    bool quote = !field.empty() && (field.front() == ' ' || field.back() == ' ');
    for (char c : field) {
        if (c == ',' || c == '"' || c == '\r' || c == '\n') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        out.append(field.data(), qsizetype(field.size()));
        return;
    }
    out.append('"');
    size_t start = 0;
    for (size_t i = 0; i < field.size(); ++i) {
        if (field[i] != '"')
            continue;
        out.append(field.data() + start, qsizetype(i + 1 - start));
        out.append('"');
        start = i + 1;
    }
    out.append(field.data() + start, qsizetype(field.size() - start));
    out.append('"');
}

} // namespace dust::exporttext
