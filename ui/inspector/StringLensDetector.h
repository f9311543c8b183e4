#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringView>
#include <QUrl>

#include <optional>

namespace dust {

// Ways to look at a string that holds something else. Raw is the string itself; the others
// only change what the inspector shows, never what is saved.
enum class StringLens {
    Raw,
    Json,       // JSON object or array text, pretty-printed
    Base64Text, // base64 whose bytes are UTF-8 text, decoded
    Base64Hex,  // base64, its bytes as a hex dump
    Time,       // an ISO-8601 date-time, or Unix seconds / milliseconds, in local time
    Link,       // an http(s) URL, clickable
};

// Which lenses fit a string. Each rule is strict enough that ordinary text is left alone:
// JSON must be an object or array that parses; base64 needs at least 12 characters of one
// alphabet (standard or URL-safe) with correct padding, not only hex digits, and a length
// that decodes whole; a Unix time is 10 digits (seconds) or 13 (milliseconds) between 1990
// and 2100; an ISO-8601 date-time starts yyyy-MM-dd; a link is one http(s) URL with a host
// and no blanks. Strings over maxLength() are not examined (they stream into the view).
class StringLensDetector
{
public:
    static constexpr qsizetype maxLength() { return 1 << 20; }

    // The lenses that fit `text`, Raw first.
    static QList<StringLens> detect(QStringView text);

    static bool isJson(QStringView text);
    // The decoded bytes when `text` reads as base64.
    static std::optional<QByteArray> base64(QStringView text);
    // Whether `bytes` are UTF-8 text (no control characters but tab, newline, return).
    static bool isText(const QByteArray &bytes);
    // The moment `text` names, and whether it was Unix seconds, milliseconds or ISO-8601.
    enum class TimeForm { Iso8601, UnixSeconds, UnixMilliseconds };
    struct Moment
    {
        QDateTime when;
        TimeForm form;
    };
    static std::optional<Moment> timestamp(QStringView text);
    static std::optional<QUrl> link(QStringView text);
};

} // namespace dust
