#include "connection/TransportFactory.h"

#include "connection/CleartextPolicy.h"
#include "sync/MirrorCache.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

namespace dust {

void TransportFactory::check(const ConnectionProfile &profile, QString &warning, QString &error)
{
    if (const QString problem = profile.problem(); !problem.isEmpty()) {
        error = problem;
        return;
    }
    const CleartextPolicy::Decision decision =
        CleartextPolicy::check(profile.url, profile.allowCleartext);
    if (decision.verdict == CleartextPolicy::Verdict::Refused)
        error = decision.message;
    else
        warning = decision.message;
}

TransportFactory::Made TransportFactory::create(const ConnectionProfile &profile,
                                                const QString &token, bool useDiskCache,
                                                const QString &cacheDirectory)
{
    Made made;
    check(profile, made.warning, made.error);
    if (!made.error.isEmpty())
        return made;
    if (profile.transport == ProfileTransport::Rest) {
        made.transport = std::make_unique<HttpTransport>(profile.url, token);
        return made;
    }
    SdkOptions options;
    options.url = profile.url; // http(s) becomes ws(s) + /ws/sync in the transport
    options.token = token;
    if (useDiskCache)
        options.cacheDirectory =
            cacheDirectory.isEmpty() ? MirrorCache::defaultDirectory() : cacheDirectory;
    made.transport = std::make_unique<SdkTransport>(options);
    return made;
}

TransportFactory::HttpMade TransportFactory::createHttp(const ConnectionProfile &profile,
                                                        const QString &token)
{
    HttpMade made;
    check(profile, made.warning, made.error);
    if (made.error.isEmpty())
        made.transport = std::make_unique<HttpTransport>(profile.url, token);
    return made;
}

} // namespace dust
