#include "RequestHead.h"

namespace dust::lite {

namespace {

// RFC 9110 §5.6.2: the characters of a token (method, header name).
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

QString byteName(char c)
{
    return QStringLiteral("0x%1").arg(static_cast<unsigned char>(c), 2, 16, QLatin1Char('0'));
}

// OWS around a field value (RFC 9110 §5.5).
QByteArrayView trimmed(QByteArrayView value)
{
    while (!value.isEmpty() && (value.front() == ' ' || value.front() == '\t'))
        value = value.sliced(1);
    while (!value.isEmpty() && (value.back() == ' ' || value.back() == '\t'))
        value.chop(1);
    return value;
}

HttpResponse badRequest(const QString &detail)
{
    return HttpResponse::error(400, QStringLiteral("bad_request"), detail);
}

} // namespace

RequestHead::RequestHead(qsizetype maxBytes, int maxFields)
    : m_maxBytes(maxBytes)
    , m_maxFields(maxFields)
{}

RequestHead::Progress RequestHead::feed(QByteArrayView received)
{
    while (m_progress == Progress::NeedMore && m_pos < received.size()) {
        if (m_pos >= m_maxBytes)
            return fail(431,
                        QStringLiteral("request headers are larger than %1 bytes").arg(m_maxBytes));
        const char c = received.at(m_pos);
        // Empty lines before a request line are skipped (RFC 9112 §2.2), as Qt does.
        if (m_inRequestLine && m_pos == m_lineStart && !m_sawCr && c == '\r') {
            if (m_pos + 1 >= received.size())
                break; // wait for the LF
            if (received.at(m_pos + 1) == '\n') {
                m_pos += 2;
                m_lineStart = m_pos;
                continue;
            }
        }
        ++m_pos;
        if (m_sawCr) {
            if (c != '\n')
                return fail(400, QStringLiteral("a CR in the request head is not followed by "
                                                "LF: lines end in CRLF"));
            m_sawCr = false;
            endOfLine(received.sliced(m_lineStart, m_pos - 2 - m_lineStart));
            m_lineStart = m_pos;
            continue;
        }
        if (c == '\r') {
            m_sawCr = true;
            continue;
        }
        if (c == '\n')
            return fail(400, QStringLiteral("a line of the request head ends in a bare LF: "
                                            "lines end in CRLF"));
        checkByte(c);
    }
    return m_progress;
}

RequestHead::Progress RequestHead::checkByte(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (m_inRequestLine) {
        if (m_pos == m_lineStart + 1 && u == 0x16)
            return fail(400, QStringLiteral("this looks like a TLS handshake, but dustlite "
                                            "speaks plain HTTP: use http://, not https://"));
        if (u < 0x20 || u >= 0x7f)
            return fail(400, QStringLiteral("byte %1 in the request line: expected "
                                            "\"METHOD /path HTTP/1.1\"")
                                 .arg(byteName(c)));
        return m_progress;
    }
    if (m_pos == m_lineStart + 1 && (c == ' ' || c == '\t'))
        return fail(400, QStringLiteral("a header line starts with whitespace: folded header "
                                        "lines are not accepted"));
    if (!m_sawColon) {
        if (c == ':') {
            m_sawColon = true;
        } else if (c == ' ' || c == '\t') {
            return fail(400, QStringLiteral("whitespace between a header name and its colon"));
        } else if (!isTokenChar(c)) {
            return fail(400, QStringLiteral("byte %1 in a header name").arg(byteName(c)));
        }
        return m_progress;
    }
    if ((u < 0x20 && c != '\t') || u == 0x7f)
        return fail(400, QStringLiteral("control character %1 in a header value").arg(byteName(c)));
    return m_progress;
}

RequestHead::Progress RequestHead::endOfLine(QByteArrayView line)
{
    if (m_inRequestLine) {
        m_inRequestLine = false;
        return readRequestLine(line);
    }
    if (line.isEmpty()) {
        m_progress = Progress::Complete;
        return m_progress;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon < 0)
        return fail(400, QStringLiteral("a header line without a colon"));
    if (colon == 0)
        return fail(400, QStringLiteral("a header line without a name"));
    m_sawColon = false;
    if (m_fields.size() >= m_maxFields)
        return fail(431,
                    QStringLiteral("a request may carry at most %1 header lines").arg(m_maxFields));
    m_fields.append(
        {line.first(colon).toByteArray().toLower(), trimmed(line.sliced(colon + 1)).toByteArray()});
    return m_progress;
}

RequestHead::Progress RequestHead::readRequestLine(QByteArrayView line)
{
    const QString expected = QStringLiteral("expected \"METHOD /path HTTP/1.1\"");
    const qsizetype space1 = line.indexOf(' ');
    const qsizetype space2 = space1 < 0 ? -1 : line.indexOf(' ', space1 + 1);
    if (space1 < 0 || space2 < 0 || line.indexOf(' ', space2 + 1) >= 0)
        return fail(400, QStringLiteral("malformed request line: ") + expected);
    const QByteArrayView method = line.first(space1);
    const QByteArrayView target = line.sliced(space1 + 1, space2 - space1 - 1);
    const QByteArrayView version = line.sliced(space2 + 1);
    if (!isToken(method) || target.isEmpty())
        return fail(400, QStringLiteral("malformed request line: ") + expected);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        const auto isDigit = [](char c) {
            return c >= '0' && c <= '9';
        };
        const bool looksLikeHttp = version.size() == 8 && version.startsWith("HTTP/") &&
                                   version.at(6) == '.' && isDigit(version.at(5)) &&
                                   isDigit(version.at(7));
        if (looksLikeHttp)
            return fail(505, QStringLiteral("%1 is not supported: use HTTP/1.1")
                                 .arg(QString::fromLatin1(version)));
        return fail(400, QStringLiteral("malformed request line: ") + expected);
    }
    m_method = method.toByteArray();
    m_target = target.toByteArray();
    return m_progress;
}

RequestHead::Progress RequestHead::fail(int status, const QString &detail)
{
    m_progress = Progress::Invalid;
    switch (status) {
    case 431:
        m_problem = HttpResponse::error(431, QStringLiteral("request_header_too_large"), detail);
        break;
    case 505:
        m_problem = HttpResponse::error(505, QStringLiteral("http_version_not_supported"), detail);
        break;
    default:
        m_problem = badRequest(detail);
        break;
    }
    return m_progress;
}

std::optional<QByteArray> RequestHead::field(QByteArrayView name) const
{
    for (const auto &[key, value] : m_fields) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return std::nullopt;
}

QList<QByteArray> RequestHead::fields(QByteArrayView name) const
{
    QList<QByteArray> values;
    for (const auto &[key, value] : m_fields) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            values.append(value);
    }
    return values;
}

bool RequestHead::isWebSocketUpgrade() const
{
    // Qt's rule: a Connection header naming "upgrade" and an Upgrade header "websocket".
    return field("connection").value_or(QByteArray()).toLower().contains("upgrade") &&
           field("upgrade").value_or(QByteArray()).compare("websocket", Qt::CaseInsensitive) == 0;
}

Expected<RequestHead::Framing, HttpResponse> RequestHead::framing() const
{
    using Result = Expected<Framing, HttpResponse>;
    Framing framing;
    const QList<QByteArray> lengths = fields("content-length");
    const QList<QByteArray> codings = fields("transfer-encoding");
    if (!lengths.isEmpty() && !codings.isEmpty())
        return Result::failure(badRequest(
            QStringLiteral("a request cannot have both Content-Length and Transfer-Encoding")));
    if (!codings.isEmpty()) {
        if (codings.size() != 1 || codings.first().compare("chunked", Qt::CaseInsensitive) != 0)
            return Result::failure(badRequest(
                QStringLiteral("Transfer-Encoding \"%1\" is not supported: send the body with "
                               "Content-Length or Transfer-Encoding: chunked")
                    .arg(QString::fromLatin1(codings.join(", ")))));
        framing.kind = Framing::Kind::Chunked;
        return framing;
    }
    if (lengths.isEmpty())
        return framing;
    for (const QByteArray &text : lengths) {
        // 1*DIGIT, and few enough digits to be a number dustlite can hold.
        bool digits = !text.isEmpty() && text.size() <= 18;
        for (const char c : text)
            digits = digits && c >= '0' && c <= '9';
        if (!digits)
            return Result::failure(badRequest(
                QStringLiteral("Content-Length \"%1\" is not a plain decimal number of bytes")
                    .arg(QString::fromLatin1(text.left(40)))));
        const qint64 length = text.toLongLong();
        if (framing.kind == Framing::Kind::Length && length != framing.length)
            return Result::failure(
                badRequest(QStringLiteral("two different Content-Length headers")));
        framing.kind = Framing::Kind::Length;
        framing.length = length;
    }
    return framing;
}

} // namespace dust::lite
