#pragma once

#include "HttpExchange.h"
#include "ServerConfig.h"

#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <optional>

class QHttpServerRequest;

namespace dust::lite {

// Who may use a dustlite bound to loopback: the policy that keeps web pages out.
//
// - Host: while bound to a loopback address, a request's Host must name the listen address,
//   "localhost" or an allowed host (any port). Any other name means a page reached the server
//   through a DNS name rebound to 127.0.0.1. No Host header (not a browser) is accepted.
// - Origin: a WebSocket upgrade carrying an Origin header must come from a loopback origin
//   (http or https on localhost, 127.0.0.0/8 or [::1], any port) or an allowed one (exact).
//   No Origin header (not a browser) is accepted.
//
// Refusals are 403 {"error":"forbidden","detail":…} naming what was refused and the flag
// (--allow-host, --allow-origin) that would allow it.
class LocalAccess
{
public:
    explicit LocalAccess(const ServerConfig &config = {});

    // The answer to give instead of serving `request`, or nullopt when it may go on.
    std::optional<HttpResponse> refusal(const QHttpServerRequest &request) const;

    // The refusal detail for a Host header value, or nullopt when it is acceptable.
    std::optional<QString> checkHost(QByteArrayView host) const;
    // The refusal detail for an upgrade's Origin header value, or nullopt when acceptable.
    std::optional<QString> checkOrigin(QByteArrayView origin) const;

    // http(s)://localhost, 127.0.0.0/8 or [::1], any port, as a browser serializes an origin.
    static bool isLoopbackOrigin(QByteArrayView origin);
    // The canonical form of an --allow-origin value ("scheme://host[:port]", lower case, no
    // trailing '/'), or nullopt when it is not an http(s) origin.
    static std::optional<QString> normalizedOrigin(const QString &origin);
    // The canonical form of an --allow-host value (a host name or address, lower case,
    // without brackets or port), or nullopt when it is not one.
    static std::optional<QString> normalizedHost(const QString &host);

private:
    bool m_checkHost = true;
    QStringList m_hostNames; // lower case, without brackets
    QStringList m_origins;   // normalized
};

} // namespace dust::lite
