#include "LocalAccess.h"

#include <QHostAddress>
#include <QHttpServerRequest>

namespace dust::lite {

namespace {

constexpr QLatin1String kLocalhost("localhost");

struct HostPort
{
    QString host; // lower case, without brackets
};

bool isNameChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

bool isPort(QByteArrayView digits)
{
    if (digits.isEmpty() || digits.size() > 5)
        return false;
    for (const char c : digits) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

// "name", "name:port", "[v6]" or "[v6]:port" (already lower case); nullopt when malformed.
std::optional<HostPort> splitHostPort(QByteArrayView text)
{
    QByteArrayView host;
    QByteArrayView rest;
    if (text.startsWith('[')) {
        const qsizetype close = text.indexOf(']');
        if (close < 2)
            return std::nullopt;
        host = text.sliced(1, close - 1);
        rest = text.sliced(close + 1);
        for (const char c : host) {
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.'))
                return std::nullopt;
        }
        if (QHostAddress(QString::fromLatin1(host)).protocol() != QAbstractSocket::IPv6Protocol)
            return std::nullopt;
    } else {
        const qsizetype colon = text.indexOf(':');
        host = colon < 0 ? text : text.first(colon);
        rest = colon < 0 ? QByteArrayView() : text.sliced(colon);
        if (host.isEmpty())
            return std::nullopt;
        for (const char c : host) {
            if (!isNameChar(c))
                return std::nullopt;
        }
    }
    if (!rest.isEmpty() && !(rest.startsWith(':') && isPort(rest.sliced(1))))
        return std::nullopt;
    return HostPort{QString::fromLatin1(host)};
}

// The host of an http(s) origin "scheme://host[:port]"; nullopt for anything else ("null",
// other schemes, paths, user info, several origins).
std::optional<HostPort> originHost(QByteArrayView origin)
{
    const QByteArray lower = origin.toByteArray().toLower();
    QByteArrayView rest;
    if (lower.startsWith("http://"))
        rest = QByteArrayView(lower).sliced(7);
    else if (lower.startsWith("https://"))
        rest = QByteArrayView(lower).sliced(8);
    else
        return std::nullopt;
    return splitHostPort(rest);
}

bool isLoopbackHost(const QString &host)
{
    if (host == kLocalhost)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback() && address.toString() == host;
}

} // namespace

LocalAccess::LocalAccess(const ServerConfig &config)
    : m_checkHost(config.listen.isLoopback())
{
    m_hostNames.append(kLocalhost);
    m_hostNames.append(config.listen.toString().toLower());
    for (const QString &host : config.allowedHosts) {
        if (const auto name = normalizedHost(host))
            m_hostNames.append(*name);
    }
    for (const QString &origin : config.allowedOrigins) {
        if (const auto normalized = normalizedOrigin(origin))
            m_origins.append(*normalized);
    }
}

std::optional<HttpResponse> LocalAccess::refusal(const QHttpServerRequest &request) const
{
    const QByteArray host = request.value("host");
    if (!host.isEmpty()) {
        if (auto why = checkHost(host))
            return HttpResponse::error(403, QStringLiteral("forbidden"), *why);
    }
    const bool upgrade = request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
    const QByteArray origin = request.value("origin");
    if (upgrade && !origin.isEmpty()) {
        if (auto why = checkOrigin(origin))
            return HttpResponse::error(403, QStringLiteral("forbidden"), *why);
    }
    return std::nullopt;
}

std::optional<QString> LocalAccess::checkHost(QByteArrayView host) const
{
    if (!m_checkHost)
        return std::nullopt;
    const QByteArray lower = host.toByteArray().trimmed().toLower();
    const auto parsed = splitHostPort(lower);
    if (parsed && m_hostNames.contains(parsed->host))
        return std::nullopt;
    const QString shown = QString::fromLatin1(host.toByteArray().trimmed());
    const QString name = parsed ? parsed->host : shown;
    return QStringLiteral("Host \"%1\" is not an address of this server: a dustlite bound to "
                          "loopback answers only requests for %2 (a web page could otherwise "
                          "reach it through a DNS name pointed at 127.0.0.1). To serve this "
                          "name, start dustlite with --allow-host %3")
        .arg(shown, m_hostNames.mid(0, 2).join(QLatin1String(" or ")), name);
}

std::optional<QString> LocalAccess::checkOrigin(QByteArrayView origin) const
{
    if (isLoopbackOrigin(origin))
        return std::nullopt;
    const QString text = QString::fromLatin1(origin.toByteArray().trimmed());
    if (const auto normalized = normalizedOrigin(text);
        normalized && m_origins.contains(*normalized))
        return std::nullopt;
    return QStringLiteral("WebSocket connections from pages at %1 are refused: only loopback "
                          "origins (http or https on localhost, 127.0.0.1 or [::1], any port) "
                          "may connect. To allow this page, start dustlite with "
                          "--allow-origin %1")
        .arg(text);
}

bool LocalAccess::isLoopbackOrigin(QByteArrayView origin)
{
    const auto host = originHost(origin);
    return host && isLoopbackHost(host->host);
}

std::optional<QString> LocalAccess::normalizedOrigin(const QString &origin)
{
    QString text = origin.trimmed().toLower();
    if (text.endsWith(QLatin1Char('/')))
        text.chop(1);
    if (!originHost(text.toLatin1()) || text.toLatin1() != text.toUtf8())
        return std::nullopt;
    return text;
}

std::optional<QString> LocalAccess::normalizedHost(const QString &host)
{
    const QString text = host.trimmed().toLower();
    if (text.isEmpty() || text.toLatin1() != text.toUtf8())
        return std::nullopt;
    QString inner = text;
    if (inner.startsWith(QLatin1Char('[')) && inner.endsWith(QLatin1Char(']')))
        inner = inner.mid(1, inner.size() - 2);
    if (inner.contains(QLatin1Char(':')) &&
        QHostAddress(inner).protocol() == QAbstractSocket::IPv6Protocol)
        return inner;
    const auto parsed = splitHostPort(inner.toLatin1());
    if (!parsed || parsed->host != inner)
        return std::nullopt; // a port, a path or characters a host name cannot have
    return inner;
}

} // namespace dust::lite
