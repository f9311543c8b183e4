#pragma once

#include "Expected.h"

#include <QByteArray>
#include <QHashFunctions>
#include <QJsonValue>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace dust {

// Why a rendered string or a segment list is not a path. The names are the reason strings
// the server uses on the wire (dust-protocol.md §2.1).
enum class PathError {
    EmptyPath,     // "" or an empty segment list
    EmptySegment,  // leading, trailing or doubled '/', or an empty segment in a list
    InvalidEscape, // '~' not followed by '0' or '1'
    NotAString,    // a JSON segment list holding a non-string
    NotAList,      // JSON that is not an array where a segment list was expected
    InvalidUtf8,   // a URL path whose percent-decoded bytes are not UTF-8 (overlong, stray…)
};

// The wire name of an error: "empty_path", "empty_segment", "invalid_escape", ...
QString pathErrorName(PathError error);
// The server's words for an error in a request ("path cannot contain empty segments", ...).
QString pathErrorDetail(PathError error);

// A store path: a non-empty list of non-empty segments (the authoritative form) and its
// rendering, where each segment is escaped RFC 6901 style ('~' -> "~0", '/' -> "~1") and the
// segments are joined by '/'. Immutable and cheap to copy (implicitly shared Qt containers).
// A default-constructed Path is empty and invalid; every parse/constructor below yields a
// valid one or an error.
class Path
{
public:
    Path() = default;

    // Parses a rendered path ("users/alice", "files/image~1logo").
    static Expected<Path, PathError> parse(QStringView rendered);
    // Builds a path from raw (unescaped) segments.
    static Expected<Path, PathError> fromSegments(const QStringList &segments);
    // Builds a path from a JSON array of strings (the wire's `path_segments`).
    static Expected<Path, PathError> fromJson(const QJsonValue &segments);
    // Decodes the part of a REST URL after `entries/`: each piece percent-decoded on its
    // own, then parsed as a rendered path. `%2F` inside a piece is rejected as it is not a
    // valid way to carry '/' (it must travel as "~1"); bytes that are not UTF-8 are
    // InvalidUtf8. Every character is kept, a leading U+FEFF too (it is not a byte-order mark
    // here).
    static Expected<Path, PathError> fromUrlEncoded(QByteArrayView encoded);

    bool isValid() const { return !m_segments.isEmpty(); }
    const QStringList &segments() const { return m_segments; }
    qsizetype depth() const { return m_segments.size(); }
    const QString &rendered() const { return m_rendered; }
    QString lastSegment() const { return m_segments.isEmpty() ? QString() : m_segments.last(); }

    // The REST form: each rendered segment percent-encoded on its own (unreserved characters
    // and "!$&'()*,;=:@" kept), '/' separators literal; space is %20, '+' is %2B, never %2F.
    QByteArray urlEncoded() const;
    QJsonValue segmentsJson() const;

    // The parent path (invalid for a one-segment path).
    Path parent() const;
    // This path with one more raw segment (invalid if the segment is empty).
    Path child(const QString &segment) const;
    // This path followed by all segments of `tail`.
    Path appended(const Path &tail) const;

    // True if this is a strict ancestor of `other` (a is an ancestor of a/b, not of a nor ab).
    bool isAncestorOf(const Path &other) const;
    bool isDescendantOf(const Path &other) const { return other.isAncestorOf(*this); }
    bool isSelfOrAncestorOf(const Path &other) const
    {
        return *this == other || isAncestorOf(other);
    }
    // The rendered prefix every descendant's rendering starts with: rendered() + '/'.
    QString descendantPrefix() const { return m_rendered + QLatin1Char('/'); }

    friend bool operator==(const Path &a, const Path &b) { return a.m_rendered == b.m_rendered; }
    friend bool operator<(const Path &a, const Path &b) { return a.m_rendered < b.m_rendered; }

    // Escapes one raw segment ("a/b" -> "a~1b").
    static QString escapeSegment(QStringView segment);
    // Unescapes one rendered segment; fails on a stray '~' or an empty segment.
    static Expected<QString, PathError> unescapeSegment(QStringView escaped);

private:
    QStringList m_segments;
    QString m_rendered;
};

inline size_t qHash(const Path &p, size_t seed = 0)
{
    return qHash(p.rendered(), seed);
}

} // namespace dust

Q_DECLARE_METATYPE(dust::Path)
