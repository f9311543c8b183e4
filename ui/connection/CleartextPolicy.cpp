#include "connection/CleartextPolicy.h"

#include <QHostAddress>

namespace dust {

namespace {

bool isCleartextScheme(const QString &scheme)
{
    return scheme == u"http" || scheme == u"ws";
}

} // namespace

bool CleartextPolicy::isEncrypted(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return scheme == u"https" || scheme == u"wss";
}

bool CleartextPolicy::isLoopback(const QUrl &url)
{
    QString host = url.host().toLower();
    if (host.endsWith(QLatin1Char('.')))
        host.chop(1); // "localhost." is the same name
    if (host == u"localhost" || host.endsWith(u".localhost"))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

bool CleartextPolicy::needsOptIn(const QUrl &url)
{
    return url.isValid() && isCleartextScheme(url.scheme().toLower()) && !url.host().isEmpty() &&
           !isLoopback(url);
}

CleartextPolicy::Decision CleartextPolicy::check(const QUrl &url, bool allowCleartext)
{
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() || (!isEncrypted(url) && !isCleartextScheme(scheme)))
        return {Verdict::Refused,
                tr("\"%1\" is not a server address (https://host or http://localhost).")
                    .arg(url.toDisplayString(QUrl::RemoveUserInfo))};
    if (isEncrypted(url) || isLoopback(url))
        return {Verdict::Allowed, {}};
    const QString host = url.host();
    if (allowCleartext)
        return {Verdict::AllowedWithWarning,
                tr("The connection to %1 is not encrypted: the token and everything you read "
                   "or write can be seen and changed by anyone on the network path.")
                    .arg(host)};
    return {Verdict::Refused,
            tr("Refused to send the token unencrypted to %1: use https://, or allow unencrypted "
               "connections to this host in the connection's profile.")
                .arg(host)};
}

} // namespace dust
