#pragma once

#include "connection/ConnectionProfile.h"

#include <QCoreApplication>
#include <QString>

#include <memory>

namespace dust {

class HttpTransport;
class Transport;

// Opens the transport a profile asks for: live over the WebSocket (SdkTransport, its mirror
// cached on disk unless told not to) or REST (HttpTransport). It is the one place a token
// leaves for a server, so it applies CleartextPolicy: a cleartext URL to another host is
// refused unless the profile allows it, and then comes with a warning.
class TransportFactory
{
    Q_DECLARE_TR_FUNCTIONS(TransportFactory)

public:
    struct Made
    {
        std::unique_ptr<Transport> transport; // null when refused
        QString warning;                      // e.g. "not encrypted"; show it
        QString error;                        // why nothing was made
    };
    struct HttpMade
    {
        std::unique_ptr<HttpTransport> transport;
        QString warning;
        QString error;
    };

    // `cacheDirectory` empty = MirrorCache::defaultDirectory(); ignored without the cache.
    static Made create(const ConnectionProfile &profile, const QString &token, bool useDiskCache,
                       const QString &cacheDirectory = {});
    // Always REST (test connection, store lists), with the same checks.
    static HttpMade createHttp(const ConnectionProfile &profile, const QString &token);

private:
    // The refusal or warning for `profile`; error empty when a transport may be made.
    static void check(const ConnectionProfile &profile, QString &warning, QString &error);
};

} // namespace dust
