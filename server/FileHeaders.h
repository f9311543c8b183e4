#pragma once

#include "HttpExchange.h"

#include <QByteArray>
#include <QString>
#include <QStringView>

namespace dust::lite {

// The headers an uploaded file is served with, and the checks its metadata passes at upload.
// A put_file's content_type must be an RFC 9110 media type and its filename plain text, so
// neither can smuggle header lines; served, every file says X-Content-Type-Options: nosniff,
// Content-Disposition is written per RFC 6266 (an ASCII filename="…" and, when needed, a
// UTF-8 filename*=), and active types (HTML, SVG, XML, JavaScript) are attachments: a file
// must never run as a page of the server's own origin.
class FileHeaders
{
public:
    static constexpr int kMaxContentTypeLength = 255;
    static constexpr int kMaxFilenameLength = 255;

    // type "/" subtype *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] ), ASCII only.
    static bool isValidContentType(QStringView contentType);
    // 1 to kMaxFilenameLength characters, none of them a control character, '"' or '\'.
    static bool isValidFilename(QStringView filename);
    // HTML, XHTML, SVG, XML and JavaScript types (any case, parameters ignored).
    static bool isActiveType(QStringView contentType);

    // "inline" or "attachment", with filename="…" (non-ASCII and unsafe characters as '_')
    // and filename*=UTF-8''… when the ASCII form is not the whole name. Empty for an inline
    // file without a name.
    static QByteArray contentDisposition(bool attachment, const QString &filename);
    // Sets Content-Type, X-Content-Type-Options and Content-Disposition for a stored file. A
    // stored type that is not a valid media type is served as an application/octet-stream
    // attachment.
    static void apply(HttpResponse &response, const QString &contentType, const QString &filename);
};

} // namespace dust::lite
