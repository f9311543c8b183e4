#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <string>
#include <string_view>

namespace dust::rawpath {

// Byte-level helpers for rendered paths held as UTF-8 (dust-protocol.md §2.1). They never
// allocate a QString per segment, which is what keeps bulk ingest and scans cheap.

// True if `rendered` is a valid rendered path: non-empty, no empty segment (no leading,
// trailing or doubled '/'), and every '~' followed by '0' or '1'.
bool isValid(std::string_view rendered);

// Appends one raw (unescaped) segment in its rendered form ('~' -> "~0", '/' -> "~1").
void appendEscaped(QByteArray &out, std::string_view rawSegment);
void appendEscaped(std::string &out, std::string_view rawSegment);
QByteArray escaped(QStringView rawSegment);

// Decodes one rendered segment ("a~1b" -> "a/b"). The input must be valid.
QString unescapeSegment(std::string_view escaped);
// The raw segments of a valid rendered path.
QStringList segments(std::string_view rendered);

// The half-open range [prefix + '/', prefix + '0') that holds exactly the descendants of
// `rendered` in byte-wise order ('0' is the byte after '/').
QByteArray descendantsBegin(std::string_view rendered);
QByteArray descendantsEnd(std::string_view rendered);

inline std::string_view view(const QByteArray &bytes)
{
    return {bytes.constData(), static_cast<size_t>(bytes.size())};
}

} // namespace dust::rawpath
