#include "JsonBytes.h"

#include "StrictJson.h"

#include "protocol/Values.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

namespace dust::jsonbytes {

namespace {

bool isWs(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isHex(char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Scans a string starting at the opening quote; returns the index after the closing quote,
// or npos.
size_t scanString(std::string_view s, size_t i)
{
    const size_t n = s.size();
    ++i; // opening quote
    while (i < n) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"')
            return i + 1;
        if (c < 0x20)
            return std::string_view::npos;
        if (c == '\\') {
            if (i + 1 >= n)
                return std::string_view::npos;
            const char e = s[i + 1];
            if (StrictJson::isSimpleEscape(e)) {
                i += 2;
            } else if (e == 'u' && i + 5 < n && isHex(s[i + 2]) && isHex(s[i + 3]) &&
                       isHex(s[i + 4]) && isHex(s[i + 5])) {
                i += 6;
            } else {
                return std::string_view::npos;
            }
            continue;
        }
        ++i;
    }
    return std::string_view::npos;
}

size_t scanNumber(std::string_view s, size_t i)
{
    const size_t n = s.size();
    if (i < n && s[i] == '-')
        ++i;
    if (i >= n)
        return std::string_view::npos;
    if (s[i] == '0') {
        ++i;
    } else if (isDigit(s[i])) {
        while (i < n && isDigit(s[i]))
            ++i;
    } else {
        return std::string_view::npos;
    }
    if (i < n && s[i] == '.') {
        ++i;
        if (i >= n || !isDigit(s[i]))
            return std::string_view::npos;
        while (i < n && isDigit(s[i]))
            ++i;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (i >= n || !isDigit(s[i]))
            return std::string_view::npos;
        while (i < n && isDigit(s[i]))
            ++i;
    }
    return i;
}

size_t scanLiteral(std::string_view s, size_t i, std::string_view literal)
{
    return s.substr(i, literal.size()) == literal ? i + literal.size() : std::string_view::npos;
}

size_t skipWs(std::string_view s, size_t i)
{
    while (i < s.size() && isWs(s[i]))
        ++i;
    return i;
}

} // namespace

std::string_view trimmed(std::string_view raw)
{
    size_t b = 0;
    size_t e = raw.size();
    while (b < e && isWs(raw[b]))
        ++b;
    while (e > b && isWs(raw[e - 1]))
        --e;
    return raw.substr(b, e - b);
}

bool isValid(std::string_view s)
{
    constexpr size_t npos = std::string_view::npos;
    std::vector<char> stack; // '{' or '['
    size_t i = skipWs(s, 0);
    enum class State { Value, Key, After } state = State::Value;
    for (;;) {
        if (state == State::Key) {
            if (i >= s.size() || s[i] != '"')
                return false;
            i = scanString(s, i);
            if (i == npos)
                return false;
            i = skipWs(s, i);
            if (i >= s.size() || s[i] != ':')
                return false;
            i = skipWs(s, i + 1);
            state = State::Value;
        }
        if (state == State::Value) {
            if (i >= s.size())
                return false;
            switch (s[i]) {
            case '{':
            case '[': {
                const char open = s[i];
                const char close = open == '{' ? '}' : ']';
                i = skipWs(s, i + 1);
                if (i < s.size() && s[i] == close) {
                    ++i;
                    break;
                }
                if (stack.size() >= size_t(MaxDepth))
                    return false;
                stack.push_back(open);
                state = open == '{' ? State::Key : State::Value;
                continue;
            }
            case '"':
                i = scanString(s, i);
                break;
            case 't':
                i = scanLiteral(s, i, "true");
                break;
            case 'f':
                i = scanLiteral(s, i, "false");
                break;
            case 'n':
                i = scanLiteral(s, i, "null");
                break;
            default:
                i = scanNumber(s, i);
                break;
            }
            if (i == npos)
                return false;
            state = State::After;
        }
        // After a complete value.
        i = skipWs(s, i);
        if (stack.empty())
            return i == s.size();
        if (i >= s.size())
            return false;
        const char top = stack.back();
        if (s[i] == ',') {
            i = skipWs(s, i + 1);
            state = top == '{' ? State::Key : State::Value;
        } else if ((top == '{' && s[i] == '}') || (top == '[' && s[i] == ']')) {
            stack.pop_back();
            ++i;
            state = State::After;
            continue;
        } else {
            return false;
        }
    }
}

Kind kindOf(std::string_view raw)
{
    raw = trimmed(raw);
    if (raw.empty())
        return Kind::Invalid;
    switch (raw.front()) {
    case 'n':
        return Kind::Null;
    case 't':
    case 'f':
        return Kind::Boolean;
    case '"':
        return Kind::String;
    case '[':
        return Kind::Array;
    case '{':
        return Kind::Object;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        return raw.find_first_of(".eE") == std::string_view::npos ? Kind::Integer : Kind::Float;
    default:
        return Kind::Invalid;
    }
}

QString typeForKind(Kind kind)
{
    switch (kind) {
    case Kind::Null:
        return QStringLiteral("null");
    case Kind::Boolean:
        return QStringLiteral("boolean");
    case Kind::Integer:
        return QStringLiteral("integer");
    case Kind::Float:
        return QStringLiteral("float");
    case Kind::String:
    case Kind::Array:
        return QStringLiteral("string");
    case Kind::Object:
    case Kind::Invalid:
        break;
    }
    return {};
}

QJsonValue toJsonValue(std::string_view raw)
{
    raw = trimmed(raw);
    const Kind kind = kindOf(raw);
    switch (kind) {
    case Kind::Invalid:
        return QJsonValue(QJsonValue::Undefined);
    case Kind::Null:
        return raw == "null" ? QJsonValue(QJsonValue::Null) : QJsonValue(QJsonValue::Undefined);
    case Kind::Boolean:
        if (raw == "true")
            return QJsonValue(true);
        if (raw == "false")
            return QJsonValue(false);
        return QJsonValue(QJsonValue::Undefined);
    case Kind::Integer:
    case Kind::Float: {
        if (scanNumber(raw, 0) != raw.size())
            return QJsonValue(QJsonValue::Undefined);
        const char *first = raw.data();
        const char *last = raw.data() + raw.size();
        if (kind == Kind::Integer) {
            qint64 n = 0;
            const auto [ptr, ec] = std::from_chars(first, last, n);
            if (ec == std::errc() && ptr == last)
                return QJsonValue(n);
        }
        double d = 0;
        const auto [ptr, ec] = std::from_chars(first, last, d);
        if (ec == std::errc() && ptr == last)
            return QJsonValue(d);
        break; // out of range: let Qt decide, as the QJsonDocument path would
    }
    case Kind::String:
        if (raw.size() >= 2 && raw.back() == '"' && raw.find('\\') == std::string_view::npos &&
            scanString(raw, 0) == raw.size())
            return QJsonValue(
                textFromUtf8(QByteArrayView(raw.data() + 1, qsizetype(raw.size() - 2))));
        break;
    case Kind::Array:
    case Kind::Object: {
        QJsonParseError error;
        const QJsonDocument doc =
            parseDocument(QByteArrayView(raw.data(), qsizetype(raw.size())), &error);
        if (error.error != QJsonParseError::NoError)
            return QJsonValue(QJsonValue::Undefined);
        return kind == Kind::Array ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    }
    }
    // Escaped strings and out-of-range numbers: wrap in an array for QJsonDocument.
    QByteArray wrapped;
    wrapped.reserve(qsizetype(raw.size() + 2));
    wrapped.append('[');
    wrapped.append(raw.data(), qsizetype(raw.size()));
    wrapped.append(']');
    QJsonParseError error;
    const QJsonDocument doc = parseDocument(wrapped, &error);
    if (error.error != QJsonParseError::NoError || doc.array().size() != 1)
        return QJsonValue(QJsonValue::Undefined);
    return doc.array().at(0);
}

namespace {

constexpr QByteArrayView kBom("\xef\xbb\xbf");

// Where the UTF-8 of U+FEFF starts in `bytes` at or after `from`; -1 if nowhere. A memchr
// for its rare first byte: cheaper than a search for the three bytes on the frames the
// decoder parses one by one.
qsizetype findBom(QByteArrayView bytes, qsizetype from)
{
    if (bytes.size() - from < kBom.size())
        return -1;
    const char *begin = bytes.data();
    const char *end = begin + bytes.size();
    for (const char *p = begin + from; p + kBom.size() <= end; ++p) {
        p = static_cast<const char *>(std::memchr(p, kBom.front(), size_t(end - p)));
        if (!p || p + kBom.size() > end)
            return -1;
        if (p[1] == kBom[1] && p[2] == kBom[2])
            return p - begin;
    }
    return -1;
}

} // namespace

QJsonDocument parseDocument(QByteArrayView json, QJsonParseError *error)
{
    // Outside strings the bytes are invalid JSON either way; inside, "\ufeff" is the same
    // character, and Qt keeps it.
    qsizetype at = findBom(json, 1);
    if (at < 0)
        return QJsonDocument::fromJson(QByteArray::fromRawData(json.data(), json.size()), error);
    QByteArray escaped;
    escaped.reserve(json.size() + 16);
    qsizetype from = 0;
    for (; at >= 0; at = findBom(json, from)) {
        escaped.append(json.sliced(from, at - from)).append("\\ufeff");
        from = at + kBom.size();
    }
    escaped.append(json.sliced(from));
    return QJsonDocument::fromJson(escaped, error);
}

QString textFromUtf8(QByteArrayView utf8)
{
    if (!utf8.startsWith(kBom)) // the common case, and Qt's fastest decoder
        return QString::fromUtf8(utf8);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless |
                                                     QStringDecoder::Flag::ConvertInitialBom);
    return decoder(utf8);
}

QByteArray fromJsonValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QByteArrayLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    case QJsonValue::Object:
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    case QJsonValue::Array:
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    case QJsonValue::Double:
    case QJsonValue::String:
        break;
    }
    QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    // "[<value>]" -> "<value>"
    return text.mid(1, text.size() - 2);
}

std::optional<std::string_view> scalarWrapperInner(std::string_view raw)
{
    constexpr std::string_view key = "\"_scalar\"";
    raw = trimmed(raw);
    if (raw.size() < key.size() + 3 || raw.front() != '{' || raw.back() != '}')
        return std::nullopt;
    size_t i = skipWs(raw, 1);
    if (raw.substr(i, key.size()) != key)
        return std::nullopt;
    i = skipWs(raw, i + key.size());
    if (i >= raw.size() || raw[i] != ':')
        return std::nullopt;
    const std::string_view inner = trimmed(raw.substr(i + 1, raw.size() - 1 - (i + 1)));
    if (inner.empty() || !isValid(inner))
        return std::nullopt;
    return inner;
}

QString preview(std::string_view raw, int maxChars)
{
    return values::preview(toJsonValue(raw), maxChars);
}

QByteArray previewUtf8(std::string_view raw, int maxChars)
{
    raw = trimmed(raw);
    const auto bytes = [](std::string_view v) {
        return QByteArray(v.data(), qsizetype(v.size()));
    };
    switch (kindOf(raw)) {
    case Kind::String: {
        // No escapes and no control characters: the preview is the text between the quotes,
        // and at most maxChars bytes are at most maxChars UTF-16 units, so nothing is cut.
        if (raw.size() < 2 || raw.back() != '"' || raw.size() - 2 > size_t(std::max(maxChars, 0)))
            break;
        const std::string_view inner = raw.substr(1, raw.size() - 2);
        const bool plain = std::none_of(inner.begin(), inner.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u < 0x20 || u == 0x7f || c == '\\' || c == '"';
        });
        if (plain)
            return bytes(inner);
        break;
    }
    case Kind::Integer: {
        // Up to 15 digits a double holds exactly, so the text is what QString::number gives.
        const std::string_view digits = raw.starts_with('-') ? raw.substr(1) : raw;
        const bool simple = !digits.empty() && digits.size() <= 15 &&
                            (digits.size() == 1 || digits.front() != '0') &&
                            std::all_of(digits.begin(), digits.end(),
                                        [](char c) { return c >= '0' && c <= '9'; }) &&
                            raw != "-0" && raw.size() <= size_t(std::max(maxChars, 0));
        if (simple)
            return bytes(raw);
        break;
    }
    case Kind::Boolean:
    case Kind::Null:
        if ((raw == "true" || raw == "false" || raw == "null") &&
            raw.size() <= size_t(std::max(maxChars, 0)))
            return bytes(raw);
        break;
    default:
        break;
    }
    return preview(raw, maxChars).toUtf8();
}

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The four hex digits at s[i..i+3], or -1.
int hex4At(std::string_view s, size_t i)
{
    if (i + 4 > s.size())
        return -1;
    int v = 0;
    for (size_t k = i; k < i + 4; ++k) {
        const int d = hexValue(s[k]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

template <typename Out> void appendCodePoint(Out &out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(char(cp));
    } else if (cp < 0x800) {
        out.push_back(char(0xC0 | (cp >> 6)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(char(0xE0 | (cp >> 12)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (cp >> 18)));
        out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    }
}

template <typename Out> bool decodeInto(std::string_view s, Out &out, LoneSurrogate lone)
{
    out.clear();
    out.reserve(decltype(out.size())(s.size()));
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        if (++i >= s.size())
            return false;
        switch (s[i]) {
        case '"':
        case '\\':
        case '/':
            out.push_back(s[i]);
            break;
        case 'b':
            out.push_back('\b');
            break;
        case 'f':
            out.push_back('\f');
            break;
        case 'n':
            out.push_back('\n');
            break;
        case 'r':
            out.push_back('\r');
            break;
        case 't':
            out.push_back('\t');
            break;
        case 'u': {
            const int unit = hex4At(s, i + 1);
            if (unit < 0)
                return false;
            i += 4;
            char32_t cp = char32_t(unit);
            const bool high = unit >= 0xD800 && unit <= 0xDBFF;
            const int low = high && i + 2 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u'
                                ? hex4At(s, i + 3)
                                : -1;
            if (high && low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((char32_t(unit) - 0xD800) << 10) + (char32_t(low) - 0xDC00);
                i += 6;
            } else if (high || (unit >= 0xDC00 && unit <= 0xDFFF)) {
                if (lone == LoneSurrogate::Reject)
                    return false;
                cp = 0xFFFD;
            }
            appendCodePoint(out, cp);
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

} // namespace

bool decodeString(std::string_view body, std::string &out, LoneSurrogate lone)
{
    return decodeInto(body, out, lone);
}

bool decodeString(std::string_view body, QByteArray &out, LoneSurrogate lone)
{
    return decodeInto(body, out, lone);
}

} // namespace dust::jsonbytes
