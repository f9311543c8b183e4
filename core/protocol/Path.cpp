#include "Path.h"

#include <QJsonArray>
#include <QStringDecoder>
#include <QUrl>
#include <QVarLengthArray>

namespace dust {

namespace {

constexpr QChar kSeparator = QLatin1Char('/');
constexpr QChar kTilde = QLatin1Char('~');

// Decodes one rendered piece that is known to hold only valid "~0" / "~1" escapes.
QString unescapeValidPiece(QStringView piece)
{
    QString out;
    out.reserve(piece.size());
    for (qsizetype i = 0; i < piece.size(); ++i) {
        const QChar c = piece[i];
        if (c == kTilde) {
            out.append(piece[++i] == QLatin1Char('0') ? kTilde : kSeparator);
        } else {
            out.append(c);
        }
    }
    return out;
}

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

} // namespace

QString pathErrorName(PathError error)
{
    switch (error) {
    case PathError::EmptyPath:
        return QStringLiteral("empty_path");
    case PathError::EmptySegment:
        return QStringLiteral("empty_segment");
    case PathError::InvalidEscape:
        return QStringLiteral("invalid_escape");
    case PathError::NotAString:
        return QStringLiteral("not_a_string");
    case PathError::NotAList:
        return QStringLiteral("not_a_list");
    case PathError::InvalidUtf8:
        return QStringLiteral("invalid_utf8");
    }
    return QStringLiteral("invalid_path");
}

QString pathErrorDetail(PathError error)
{
    switch (error) {
    case PathError::EmptyPath:
        return QStringLiteral("path cannot be empty");
    case PathError::EmptySegment:
        return QStringLiteral("path cannot contain empty segments");
    case PathError::InvalidEscape:
        return QStringLiteral("invalid_escape: '~' must be followed by 0 or 1");
    case PathError::InvalidUtf8:
        return QStringLiteral("path is not valid UTF-8 (overlong, truncated or stray bytes after "
                              "percent-decoding); percent-encode each character's UTF-8 bytes");
    case PathError::NotAString:
    case PathError::NotAList:
        break;
    }
    return pathErrorName(error);
}

// One scan over the characters: records where each piece starts and ends and whether it
// holds escapes. As on the server, an empty segment anywhere is reported before an
// invalid escape.
Expected<Path, PathError> Path::parse(QStringView rendered)
{
    if (rendered.isEmpty())
        return Expected<Path, PathError>::failure(PathError::EmptyPath);

    struct Piece
    {
        qsizetype begin;
        qsizetype end;
        bool escaped;
    };
    QVarLengthArray<Piece, 16> pieces;
    bool badEscape = false;
    bool escaped = false;
    qsizetype begin = 0;
    const qsizetype n = rendered.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = rendered[i];
        if (c == kSeparator) {
            if (i == begin)
                return Expected<Path, PathError>::failure(PathError::EmptySegment);
            pieces.append({begin, i, escaped});
            begin = i + 1;
            escaped = false;
        } else if (c == kTilde) {
            const QChar next = i + 1 < n ? rendered[i + 1] : QChar();
            if (next == QLatin1Char('0') || next == QLatin1Char('1')) {
                escaped = true;
                ++i;
            } else {
                badEscape = true;
            }
        }
    }
    if (begin == n)
        return Expected<Path, PathError>::failure(PathError::EmptySegment);
    if (badEscape)
        return Expected<Path, PathError>::failure(PathError::InvalidEscape);
    pieces.append({begin, n, escaped});

    Path path;
    path.m_rendered = rendered.toString();
    path.m_segments.reserve(pieces.size());
    for (const Piece &p : pieces) {
        const QStringView piece = rendered.sliced(p.begin, p.end - p.begin);
        path.m_segments.append(p.escaped ? unescapeValidPiece(piece) : piece.toString());
    }
    return path;
}

Expected<Path, PathError> Path::fromSegments(const QStringList &segments)
{
    if (segments.isEmpty())
        return Expected<Path, PathError>::failure(PathError::EmptyPath);
    qsizetype length = segments.size() - 1;
    for (const QString &segment : segments) {
        if (segment.isEmpty())
            return Expected<Path, PathError>::failure(PathError::EmptySegment);
        length += segment.size();
    }
    Path path;
    path.m_segments = segments;
    path.m_rendered.reserve(length);
    for (qsizetype i = 0; i < segments.size(); ++i) {
        if (i > 0)
            path.m_rendered.append(kSeparator);
        path.m_rendered.append(escapeSegment(segments[i]));
    }
    return path;
}

Expected<Path, PathError> Path::fromJson(const QJsonValue &segments)
{
    if (!segments.isArray())
        return Expected<Path, PathError>::failure(PathError::NotAList);
    const QJsonArray array = segments.toArray();
    if (array.isEmpty())
        return Expected<Path, PathError>::failure(PathError::EmptyPath);
    QStringList list;
    list.reserve(array.size());
    for (const QJsonValue &segment : array) {
        if (!segment.isString())
            return Expected<Path, PathError>::failure(PathError::NotAString);
        list.append(segment.toString());
    }
    return fromSegments(list);
}

// Percent-decodes each '/'-separated piece on its own. A malformed escape ("%", "%4",
// "%zz") and an escaped separator ("%2F", which must travel as "~1") are invalid_escape,
// bytes that are not UTF-8 invalid_utf8; empty pieces are empty_segment, as in parse().
Expected<Path, PathError> Path::fromUrlEncoded(QByteArrayView encoded)
{
    if (encoded.isEmpty())
        return Expected<Path, PathError>::failure(PathError::EmptyPath);

    QByteArray decoded;
    decoded.reserve(encoded.size());
    const qsizetype n = encoded.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char c = encoded[i];
        if (c != '%') {
            decoded.append(c);
            continue;
        }
        if (i + 2 >= n)
            return Expected<Path, PathError>::failure(PathError::InvalidEscape);
        const int hi = hexValue(encoded[i + 1]);
        const int lo = hexValue(encoded[i + 2]);
        if (hi < 0 || lo < 0)
            return Expected<Path, PathError>::failure(PathError::InvalidEscape);
        const char byte = char(hi * 16 + lo);
        if (byte == '/')
            return Expected<Path, PathError>::failure(PathError::InvalidEscape);
        decoded.append(byte);
        i += 2;
    }

    // ConvertInitialBom: "%EF%BB%BFbom" is the segment U+FEFF "bom", not "bom".
    QStringDecoder toUtf16(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless |
                                                     QStringDecoder::Flag::ConvertInitialBom);
    const QString text = toUtf16(decoded);
    if (toUtf16.hasError())
        return Expected<Path, PathError>::failure(PathError::InvalidUtf8);
    return parse(text);
}

QByteArray Path::urlEncoded() const
{
    static constexpr char kKept[] = "!$&'()*,;=:@";
    QByteArray out;
    out.reserve(m_rendered.size() + 8);
    qsizetype begin = 0;
    const qsizetype n = m_rendered.size();
    for (qsizetype i = 0; i <= n; ++i) {
        if (i == n || m_rendered[i] == kSeparator) {
            if (begin > 0)
                out.append('/');
            out.append(QUrl::toPercentEncoding(m_rendered.sliced(begin, i - begin),
                                               QByteArray::fromRawData(kKept, sizeof kKept - 1)));
            begin = i + 1;
        }
    }
    return out;
}

QJsonValue Path::segmentsJson() const
{
    return QJsonArray::fromStringList(m_segments);
}

Path Path::parent() const
{
    if (m_segments.size() < 2)
        return {};
    Path path;
    path.m_segments = m_segments.first(m_segments.size() - 1);
    path.m_rendered = m_rendered.first(m_rendered.lastIndexOf(kSeparator));
    return path;
}

// On the empty (invalid) path, child() yields a one-segment path: the empty path acts as
// the root of a store.
Path Path::child(const QString &segment) const
{
    if (segment.isEmpty())
        return {};
    Path path;
    path.m_segments = m_segments;
    path.m_segments.append(segment);
    if (m_rendered.isEmpty())
        path.m_rendered = escapeSegment(segment);
    else
        path.m_rendered = m_rendered + kSeparator + escapeSegment(segment);
    return path;
}

Path Path::appended(const Path &tail) const
{
    if (!tail.isValid())
        return *this;
    if (!isValid())
        return tail;
    Path path;
    path.m_segments = m_segments + tail.m_segments;
    path.m_rendered = m_rendered + kSeparator + tail.m_rendered;
    return path;
}

bool Path::isAncestorOf(const Path &other) const
{
    const qsizetype n = m_rendered.size();
    return n > 0 && other.m_rendered.size() > n && other.m_rendered[n] == kSeparator &&
           QStringView(other.m_rendered).first(n) == m_rendered;
}

QString Path::escapeSegment(QStringView segment)
{
    qsizetype extra = 0;
    for (const QChar c : segment) {
        if (c == kTilde || c == kSeparator)
            ++extra;
    }
    if (extra == 0)
        return segment.toString();
    QString out;
    out.reserve(segment.size() + extra);
    for (const QChar c : segment) {
        if (c == kTilde)
            out.append(QLatin1String("~0"));
        else if (c == kSeparator)
            out.append(QLatin1String("~1"));
        else
            out.append(c);
    }
    return out;
}

Expected<QString, PathError> Path::unescapeSegment(QStringView escaped)
{
    if (escaped.isEmpty())
        return Expected<QString, PathError>::failure(PathError::EmptySegment);
    bool hasEscape = false;
    const qsizetype n = escaped.size();
    for (qsizetype i = 0; i < n; ++i) {
        if (escaped[i] != kTilde)
            continue;
        const QChar next = i + 1 < n ? escaped[i + 1] : QChar();
        if (next != QLatin1Char('0') && next != QLatin1Char('1'))
            return Expected<QString, PathError>::failure(PathError::InvalidEscape);
        hasEscape = true;
        ++i;
    }
    return hasEscape ? unescapeValidPiece(escaped) : escaped.toString();
}

} // namespace dust
