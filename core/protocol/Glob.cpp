#include "Glob.h"

namespace dust {

QString globErrorName(GlobError error)
{
    switch (error) {
    case GlobError::EmptyPath:
        return QStringLiteral("empty_path");
    case GlobError::EmptySegment:
        return QStringLiteral("empty_segment");
    case GlobError::InvalidEscape:
        return QStringLiteral("invalid_escape");
    case GlobError::WildcardManyNotTail:
        return QStringLiteral("wildcard_many_not_tail");
    }
    return QStringLiteral("invalid_pattern");
}

Expected<Glob, GlobError> Glob::compile(QStringView pattern)
{
    const auto parsed = Path::parse(pattern);
    if (!parsed) {
        switch (parsed.error()) {
        case PathError::EmptyPath:
            return Expected<Glob, GlobError>::failure(GlobError::EmptyPath);
        case PathError::InvalidEscape:
        case PathError::InvalidUtf8: // parse() never reports it: its input is already text
            return Expected<Glob, GlobError>::failure(GlobError::InvalidEscape);
        case PathError::EmptySegment:
        case PathError::NotAString:
        case PathError::NotAList:
            return Expected<Glob, GlobError>::failure(GlobError::EmptySegment);
        }
    }

    const QStringList &decoded = parsed->segments();
    Glob glob;
    glob.m_pattern = parsed->rendered();
    glob.m_segments.reserve(decoded.size());
    for (qsizetype i = 0; i < decoded.size(); ++i) {
        const QString &s = decoded[i];
        Segment segment;
        if (s == QLatin1String("*")) {
            segment.kind = Kind::One;
        } else if (s == QLatin1String("**")) {
            if (i != decoded.size() - 1)
                return Expected<Glob, GlobError>::failure(GlobError::WildcardManyNotTail);
            segment.kind = Kind::Many;
        } else if (s == QLatin1String("\\*")) {
            segment.literal = QStringLiteral("*");
        } else if (s == QLatin1String("\\**")) {
            segment.literal = QStringLiteral("**");
        } else {
            segment.literal = s;
        }
        glob.m_segments.append(std::move(segment));
    }
    return glob;
}

bool Glob::matches(const QStringList &segments) const
{
    const qsizetype n = m_segments.size();
    if (n == 0)
        return false;
    for (qsizetype i = 0; i < n; ++i) {
        const Segment &s = m_segments[i];
        if (s.kind == Kind::Many)
            return segments.size() > i; // one or more remaining segments (always last)
        if (i >= segments.size())
            return false;
        if (s.kind == Kind::Literal && s.literal != segments[i])
            return false;
    }
    return segments.size() == n;
}

// Like the server's scan prefix: the decoded segments before the first one whose text
// contains '*' (a wildcard, or a literal such as `\*` or `foo*`), so a scan from this
// prefix never misses a match.
QStringList Glob::literalPrefix() const
{
    QStringList prefix;
    for (const Segment &s : m_segments) {
        if (s.kind != Kind::Literal || s.literal.contains(QLatin1Char('*')))
            break;
        prefix.append(s.literal);
    }
    return prefix;
}

bool Glob::isExact() const
{
    if (m_segments.isEmpty())
        return false;
    for (const Segment &s : m_segments) {
        if (s.kind != Kind::Literal)
            return false;
    }
    return true;
}

bool Glob::isPrefixPattern() const
{
    if (!endsWithMany())
        return false;
    for (qsizetype i = 0; i + 1 < m_segments.size(); ++i) {
        if (m_segments.at(i).kind != Kind::Literal)
            return false;
    }
    return true;
}

} // namespace dust
