#include "FileHeaders.h"

#include <QUrl>

namespace dust::lite {

namespace {

bool isTokenChar(char16_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QStringView(u"!#$%&'*+-.^_`|~").contains(QChar(c));
}

bool isSpace(char16_t c)
{
    return c == ' ' || c == '\t';
}

// Reads a token at `i`; false when there is none.
bool readToken(QStringView text, qsizetype &i)
{
    const qsizetype start = i;
    while (i < text.size() && isTokenChar(text[i].unicode()))
        ++i;
    return i > start;
}

// Reads a quoted-string at `i` (which is at its opening quote); false when it is malformed.
bool readQuoted(QStringView text, qsizetype &i)
{
    for (++i; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c == '"') {
            ++i;
            return true;
        }
        if (c == '\\') {
            if (++i >= text.size())
                return false;
            const char16_t escaped = text[i].unicode();
            if (!(escaped == '\t' || (escaped >= 0x20 && escaped <= 0x7e)))
                return false;
        } else if (!(c == '\t' || (c >= 0x20 && c <= 0x7e))) {
            return false;
        }
    }
    return false;
}

// The media type without parameters, in lower case: "text/html".
QString essence(QStringView contentType)
{
    const qsizetype semicolon = contentType.indexOf(QLatin1Char(';'));
    return (semicolon < 0 ? contentType : contentType.first(semicolon))
        .trimmed()
        .toString()
        .toLower();
}

} // namespace

bool FileHeaders::isValidContentType(QStringView contentType)
{
    if (contentType.isEmpty() || contentType.size() > kMaxContentTypeLength)
        return false;
    qsizetype i = 0;
    if (!readToken(contentType, i) || i >= contentType.size() || contentType[i] != u'/')
        return false;
    ++i;
    if (!readToken(contentType, i))
        return false;
    while (i < contentType.size()) {
        while (i < contentType.size() && isSpace(contentType[i].unicode()))
            ++i;
        if (i == contentType.size())
            return true;
        if (contentType[i] != u';')
            return false;
        ++i;
        while (i < contentType.size() && isSpace(contentType[i].unicode()))
            ++i;
        if (i == contentType.size() || contentType[i] == u';')
            continue; // an empty parameter
        if (!readToken(contentType, i) || i >= contentType.size() || contentType[i] != u'=')
            return false;
        ++i;
        if (i < contentType.size() && contentType[i] == u'"') {
            if (!readQuoted(contentType, i))
                return false;
        } else if (!readToken(contentType, i)) {
            return false;
        }
    }
    return true;
}

bool FileHeaders::isValidFilename(QStringView filename)
{
    if (filename.isEmpty() || filename.size() > kMaxFilenameLength)
        return false;
    for (const QChar c : filename) {
        const char16_t u = c.unicode();
        if (u < 0x20 || (u >= 0x7f && u < 0xa0) || u == '"' || u == '\\' || u == 0x2028 ||
            u == 0x2029)
            return false;
    }
    return true;
}

bool FileHeaders::isActiveType(QStringView contentType)
{
    const QString type = essence(contentType);
    static constexpr QLatin1String kActive[] = {
        QLatin1String("text/html"),
        QLatin1String("application/xhtml+xml"),
        QLatin1String("image/svg+xml"),
        QLatin1String("text/xml"),
        QLatin1String("application/xml"),
        QLatin1String("text/xsl"),
        QLatin1String("text/javascript"),
        QLatin1String("application/javascript"),
        QLatin1String("application/x-javascript"),
        QLatin1String("text/ecmascript"),
        QLatin1String("application/ecmascript"),
        QLatin1String("text/jscript"),
        QLatin1String("application/wasm"),
    };
    for (const QLatin1String active : kActive) {
        if (type == active)
            return true;
    }
    return type.endsWith(QLatin1String("+xml"));
}

QByteArray FileHeaders::contentDisposition(bool attachment, const QString &filename)
{
    QByteArray value = attachment ? QByteArray("attachment") : QByteArray("inline");
    if (filename.isEmpty())
        return attachment ? value : QByteArray();
    QByteArray ascii;
    ascii.reserve(filename.size());
    for (const QChar c : filename) {
        const char16_t u = c.unicode();
        ascii.append(u >= 0x20 && u <= 0x7e && u != '"' && u != '\\' ? char(u) : '_');
    }
    value += "; filename=\"" + ascii + '"';
    // RFC 6266 §4.3: the extended form for names plain ASCII cannot carry, and for names with
    // '%' that some clients would percent-decode.
    if (ascii != filename.toUtf8() || filename.contains(QLatin1Char('%')))
        value += "; filename*=UTF-8''" + QUrl::toPercentEncoding(filename, QByteArray("!#$&+^`|"));
    return value;
}

void FileHeaders::apply(HttpResponse &response, const QString &contentType, const QString &filename)
{
    const bool valid = isValidContentType(contentType);
    response.setHeader("content-type",
                       valid ? contentType.toLatin1() : QByteArray("application/octet-stream"));
    response.setHeader("x-content-type-options", "nosniff");
    const QByteArray disposition =
        contentDisposition(!valid || isActiveType(contentType), filename);
    if (!disposition.isEmpty())
        response.setHeader("content-disposition", disposition);
}

} // namespace dust::lite
