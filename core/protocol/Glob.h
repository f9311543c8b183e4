#pragma once

#include "Expected.h"
#include "Path.h"

#include <QList>
#include <QString>

namespace dust {

// Why a pattern does not compile: a path error, or '**' somewhere but the end.
enum class GlobError {
    EmptyPath,
    EmptySegment,
    InvalidEscape,
    WildcardManyNotTail,
};

// The wire name of an error: "empty_path", ..., "wildcard_many_not_tail".
QString globErrorName(GlobError error);

// A compiled glob pattern (dust-protocol.md §2.3). Parsed like a path, then each decoded
// segment is `*` (exactly one segment), `**` (one or more; last only), `\*` / `\**` (the
// literal segments "*" / "**"), or a literal compared exactly.
class Glob
{
public:
    enum class Kind { Literal, One, Many };
    struct Segment
    {
        Kind kind = Kind::Literal;
        QString literal; // for Kind::Literal: the decoded segment to compare with
    };

    Glob() = default; // matches nothing
    static Expected<Glob, GlobError> compile(QStringView pattern);

    bool isValid() const { return !m_segments.isEmpty(); }
    const QString &pattern() const { return m_pattern; }
    const QList<Segment> &segments() const { return m_segments; }

    bool matches(const Path &path) const { return matches(path.segments()); }
    bool matches(const QStringList &segments) const;

    // The literal segments before the first wildcard (`users/*/name` -> ["users"]); the
    // server scans the rendered range starting with prefix + '/'. Empty when the pattern
    // starts with a wildcard.
    QStringList literalPrefix() const;
    // True if the pattern has no wildcard at all (an exact path).
    bool isExact() const;
    // True if the pattern ends in `**`.
    bool endsWithMany() const
    {
        return !m_segments.isEmpty() && m_segments.last().kind == Kind::Many;
    }
    // True for `**` and `<literal base>/**`, the patterns a prefix listing accepts.
    bool isPrefixPattern() const;

private:
    QString m_pattern;
    QList<Segment> m_segments;
};

} // namespace dust
