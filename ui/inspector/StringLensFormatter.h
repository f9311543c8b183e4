#pragma once

#include "inspector/StringLensDetector.h"

#include <QCoreApplication>
#include <QString>

namespace dust {

// What a lens shows for a string: pretty-printed JSON, decoded base64 as text or a hex
// dump, a moment in local time (with UTC and the form it was written in), a link. Pure
// text in, text out; the string itself is never changed.
class StringLensFormatter
{
    Q_DECLARE_TR_FUNCTIONS(StringLensFormatter)

public:
    // The lens's name in the view switch: "Raw", "JSON", "Base64 (text)", "Base64 (hex)",
    // "Time", "Link".
    static QString name(StringLens lens);
    // `text` seen through `lens`; for a lens that does not fit, a sentence that says so.
    static QString format(StringLens lens, const QString &text);
    // An HTML anchor for a link (escaped), or empty when `text` is no link.
    static QString linkHtml(const QString &text);
    // Offset, 16 bytes in hex, and their printable ASCII, one line each.
    static QString hexDump(const QByteArray &bytes, qsizetype maxBytes = 64 * 1024);
};

} // namespace dust
