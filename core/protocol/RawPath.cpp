#include "RawPath.h"

#include "JsonBytes.h"

#include <cstring>

namespace dust::rawpath {

bool isValid(std::string_view rendered)
{
    if (rendered.empty())
        return false;
    bool segmentStart = true;
    const size_t n = rendered.size();
    for (size_t i = 0; i < n; ++i) {
        const char c = rendered[i];
        if (c == '/') {
            if (segmentStart)
                return false;
            segmentStart = true;
            continue;
        }
        segmentStart = false;
        if (c == '~') {
            if (i + 1 >= n || (rendered[i + 1] != '0' && rendered[i + 1] != '1'))
                return false;
            ++i;
        }
    }
    return !segmentStart;
}

void appendEscaped(QByteArray &out, std::string_view rawSegment)
{
    size_t runStart = 0;
    for (size_t i = 0; i < rawSegment.size(); ++i) {
        const char c = rawSegment[i];
        if (c != '~' && c != '/')
            continue;
        out.append(rawSegment.data() + runStart, qsizetype(i - runStart));
        out.append(c == '~' ? "~0" : "~1", 2);
        runStart = i + 1;
    }
    out.append(rawSegment.data() + runStart, qsizetype(rawSegment.size() - runStart));
}

namespace {

// True if any byte of `word` is '~' or '/' (word-at-a-time test).
inline bool hasTildeOrSlash(quint64 word)
{
    constexpr quint64 ones = 0x0101010101010101ull;
    constexpr quint64 highs = 0x8080808080808080ull;
    const quint64 t = word ^ (ones * '~');
    const quint64 s = word ^ (ones * '/');
    return (((t - ones) & ~t) | ((s - ones) & ~s)) & highs;
}

bool needsEscaping(std::string_view raw)
{
    size_t i = 0;
    for (; i + 8 <= raw.size(); i += 8) {
        quint64 word;
        std::memcpy(&word, raw.data() + i, 8);
        if (hasTildeOrSlash(word))
            return true;
    }
    for (; i < raw.size(); ++i)
        if (raw[i] == '~' || raw[i] == '/')
            return true;
    return false;
}

} // namespace

void appendEscaped(std::string &out, std::string_view rawSegment)
{
    if (!needsEscaping(rawSegment)) {
        out.append(rawSegment);
        return;
    }
    for (const char c : rawSegment) {
        if (c == '~')
            out.append("~0");
        else if (c == '/')
            out.append("~1");
        else
            out.push_back(c);
    }
}

QByteArray escaped(QStringView rawSegment)
{
    const QByteArray utf8 = rawSegment.toUtf8();
    QByteArray out;
    out.reserve(utf8.size());
    appendEscaped(out, view(utf8));
    return out;
}

QString unescapeSegment(std::string_view escaped)
{
    if (escaped.find('~') == std::string_view::npos)
        return jsonbytes::textFromUtf8(QByteArrayView(escaped.data(), qsizetype(escaped.size())));
    QByteArray raw;
    raw.reserve(qsizetype(escaped.size()));
    for (size_t i = 0; i < escaped.size(); ++i) {
        const char c = escaped[i];
        if (c == '~' && i + 1 < escaped.size()) {
            raw.append(escaped[i + 1] == '1' ? '/' : '~');
            ++i;
        } else {
            raw.append(c);
        }
    }
    return jsonbytes::textFromUtf8(raw);
}

QStringList segments(std::string_view rendered)
{
    QStringList out;
    size_t start = 0;
    while (start <= rendered.size()) {
        size_t end = rendered.find('/', start);
        if (end == std::string_view::npos)
            end = rendered.size();
        out.append(unescapeSegment(rendered.substr(start, end - start)));
        start = end + 1;
    }
    return out;
}

namespace {

// `rendered` with one byte after it.
QByteArray withByte(std::string_view rendered, char last)
{
    QByteArray out;
    out.reserve(qsizetype(rendered.size() + 1));
    out.append(rendered.data(), qsizetype(rendered.size()));
    out.append(last);
    return out;
}

} // namespace

QByteArray descendantsBegin(std::string_view rendered)
{
    return withByte(rendered, '/');
}

QByteArray descendantsEnd(std::string_view rendered)
{
    // '0' is the byte after '/': every "rendered/…" sorts before "rendered0".
    return withByte(rendered, '0');
}

} // namespace dust::rawpath
