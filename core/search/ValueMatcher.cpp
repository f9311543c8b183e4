#include "ValueMatcher.h"

#include "protocol/JsonBytes.h"

#include <QCoreApplication>
#include <QRegularExpressionMatchIterator>
#include <QStringDecoder>

#include <algorithm>

namespace dust {

namespace {

constexpr int kMaxSpans = 64;         // matches marked in one excerpt
constexpr int kContextBefore = 24;    // characters shown before the first match
constexpr int kExcerptWidth = 100;    // characters shown in all, usually
constexpr int kExcerptMaxWidth = 200; // … when the first match is long

bool isAscii(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return (uchar(c) & 0x80) == 0; });
}

// The text as UTF-16 in `out`, reusing its buffer; every character is kept (a leading
// U+FEFF too).
const QString &toUtf16(std::string_view utf8, QString &out)
{
    if (utf8.empty()) {
        out.resize(0);
        return out;
    }
    out.resize(qsizetype(utf8.size())); // UTF-16 never needs more units than UTF-8 bytes
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless |
                                                     QStringDecoder::Flag::ConvertInitialBom);
    QChar *end =
        decoder.appendToBuffer(out.data(), QByteArrayView(utf8.data(), qsizetype(utf8.size())));
    out.resize(end - out.constData());
    return out;
}

} // namespace

Expected<ValueMatcher, QString> ValueMatcher::compile(const SearchQuery &query)
{
    ValueMatcher m;
    m.m_text = query.text;
    m.m_regex = query.regex;
    m.m_caseSensitive = query.caseSensitive;
    if (m.m_regex) {
        QRegularExpression::PatternOptions options = QRegularExpression::UseUnicodePropertiesOption;
        if (!m.m_caseSensitive)
            options |= QRegularExpression::CaseInsensitiveOption;
        m.m_re = QRegularExpression(query.text, options);
        if (!m.m_re.isValid())
            return Expected<ValueMatcher, QString>::failure(
                QCoreApplication::translate("dust::ValueMatcher",
                                            "The regular expression is not valid: %1 (at "
                                            "character %2).")
                    .arg(m.m_re.errorString())
                    .arg(m.m_re.patternErrorOffset() + 1));
        m.m_re.optimize();
        return m;
    }
    m.m_needle = query.text.toUtf8();
    m.m_asciiNeedle = isAscii(jsonbytes::view(m.m_needle));
    if (!m.m_caseSensitive && m.m_asciiNeedle)
        m.m_needle = m.m_needle.toLower();
    m.m_find.setPattern(m.m_needle);
    return m;
}

bool ValueMatcher::decodeString(std::string_view quoted, std::string &out)
{
    out.clear();
    if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"')
        return false;
    // A stored value may hold a lone surrogate escape: shown as U+FFFD, still searchable.
    return jsonbytes::decodeString(quoted.substr(1, quoted.size() - 2), out,
                                   jsonbytes::LoneSurrogate::Replace);
}

std::string_view ValueMatcher::haystack(std::string_view json) const
{
    json = jsonbytes::trimmed(json);
    if (json.size() >= 2 && json.front() == '"') {
        const std::string_view inner = json.substr(1, json.size() - 2);
        if (inner.find('\\') == std::string_view::npos)
            return inner;
        if (decodeString(json, m_decoded))
            return m_decoded;
    }
    return json;
}

QString ValueMatcher::searchedText(std::string_view json)
{
    json = jsonbytes::trimmed(json);
    std::string decoded;
    if (json.size() >= 2 && json.front() == '"' && decodeString(json, decoded))
        json = decoded;
    QString text;
    toUtf16(json, text);
    return text;
}

bool ValueMatcher::matches(std::string_view json) const
{
    const std::string_view hay = haystack(json);
    if (m_regex)
        return m_re.match(toUtf16(hay, m_utf16)).hasMatch();
    if (m_text.isEmpty())
        return true;
    if (m_caseSensitive)
        return hay.size() >= size_t(m_needle.size()) &&
               m_find.indexIn(QByteArrayView(hay.data(), qsizetype(hay.size()))) >= 0;
    if (m_asciiNeedle && isAscii(hay)) {
        if (hay.size() < size_t(m_needle.size()))
            return false;
        m_folded.resize(hay.size());
        std::transform(hay.begin(), hay.end(), m_folded.begin(),
                       [](char c) { return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c; });
        return m_find.indexIn(QByteArrayView(m_folded.data(), qsizetype(m_folded.size()))) >= 0;
    }
    return toUtf16(hay, m_utf16).contains(m_text, Qt::CaseInsensitive);
}

QList<int> ValueMatcher::spansIn(const QString &text) const
{
    QList<int> spans;
    if (m_regex) {
        QRegularExpressionMatchIterator it = m_re.globalMatch(text);
        while (it.hasNext() && spans.size() < 2 * kMaxSpans) {
            const QRegularExpressionMatch match = it.next();
            spans << int(match.capturedStart()) << int(match.capturedLength());
        }
        return spans;
    }
    if (m_text.isEmpty())
        return spans;
    const Qt::CaseSensitivity cs = m_caseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive;
    for (qsizetype pos = text.indexOf(m_text, 0, cs); pos >= 0 && spans.size() < 2 * kMaxSpans;
         pos = text.indexOf(m_text, pos + m_text.size(), cs))
        spans << int(pos) << int(m_text.size());
    return spans;
}

SearchExcerpt ValueMatcher::excerpt(std::string_view json) const
{
    QString text;
    toUtf16(haystack(json), text);
    const QList<int> all = spansIn(text);
    const int size = int(text.size());
    const int first = all.isEmpty() ? 0 : all[0];
    const int firstLength = all.isEmpty() ? 0 : all[1];

    int start = std::max(0, first - kContextBefore);
    if (start > 0 && text.at(start).isLowSurrogate())
        --start;
    int end = std::min(size, std::max(start + kExcerptWidth,
                                      std::min(first + firstLength + 8, start + kExcerptMaxWidth)));
    if (end < size && end > 0 && text.at(end - 1).isHighSurrogate())
        ++end;

    SearchExcerpt out;
    out.text.reserve(end - start + 2);
    if (start > 0)
        out.text += QChar(0x2026);
    const int shift = int(out.text.size()) - start;
    for (int i = start; i < end; ++i) {
        const QChar c = text.at(i);
        out.text += (c.unicode() < 0x20 || c.unicode() == 0x7f) ? QChar(u' ') : c;
    }
    if (end < size)
        out.text += QChar(0x2026);
    for (qsizetype k = 0; k + 1 < all.size(); k += 2) {
        const int s = all[k];
        const int e = s + all[k + 1];
        if (s > end || (s == end && all[k + 1] > 0))
            break;
        const int from = std::max(s, start);
        const int to = std::min(e, end);
        if (to < from)
            continue;
        out.spans << from + shift << to - from;
    }
    return out;
}

} // namespace dust
