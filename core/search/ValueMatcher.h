#pragma once

#include "SearchHit.h"
#include "SearchQuery.h"
#include "protocol/Expected.h"

#include <QByteArray>
#include <QByteArrayMatcher>
#include <QRegularExpression>
#include <QString>

#include <string>
#include <string_view>

namespace dust {

// Whether a value matches a search, read straight from its compact JSON bytes (as the
// Mirror stores it), without a QJsonDocument.
//
// The text a value is searched in (searchedText()): for a JSON string, the string itself
// with its escapes decoded (so `café`, `a"b` or a line break are found however the JSON
// wrote them); for any other value (number, boolean, null, array, object), its compact JSON
// text as stored (inside arrays and objects strings keep their quotes and escapes: `"qt"`,
// `a\"b`). Text search is a substring search, case-sensitive on the UTF-8 bytes, or with
// Qt's case folding (Qt::CaseInsensitive; ASCII text on both sides takes a byte-wise fast
// path). A regular expression (QRegularExpression, CaseInsensitiveOption unless
// case-sensitive) runs over the same text. No Unicode normalisation: a precomposed "é" does
// not find a decomposed one. An empty text matches every value.
//
// Holds scratch buffers: use one matcher per thread (copies are cheap).
class ValueMatcher
{
public:
    // An invalid regular expression is refused with the reason in words.
    static Expected<ValueMatcher, QString> compile(const SearchQuery &query);

    bool matches(std::string_view json) const;
    // The excerpt of a matching value: the match with some text around it, and where every
    // match inside that window is.
    SearchExcerpt excerpt(std::string_view json) const;

    // The text `json` is searched in (see above).
    static QString searchedText(std::string_view json);
    // Decodes a JSON string literal (with its quotes) to UTF-8 into `out`; false when it is
    // not one. A lone surrogate escape becomes U+FFFD.
    static bool decodeString(std::string_view quoted, std::string &out);

private:
    ValueMatcher() = default;
    // The searched text as UTF-8: a view into `json` or into m_decoded.
    std::string_view haystack(std::string_view json) const;
    QList<int> spansIn(const QString &text) const;

    QString m_text;
    bool m_regex = false;
    bool m_caseSensitive = false;
    bool m_asciiNeedle = true;
    QByteArray m_needle;      // UTF-8; lower-cased when case-insensitive and ASCII
    QByteArrayMatcher m_find; // over m_needle
    QRegularExpression m_re;

    mutable std::string m_decoded; // a string value with escapes, decoded
    mutable std::string m_folded;  // ASCII text lower-cased
    mutable QString m_utf16;       // the text for Qt's folding and for regular expressions
};

} // namespace dust
