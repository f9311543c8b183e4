// HttpTransport's streamed export (dust-protocol.md §4.7), apart from HttpTransport.cpp to
// keep each file readable.

#include "HttpExchange.h"
#include "HttpStream.h"
#include "HttpTransport.h"

namespace dust {

std::unique_ptr<HttpStream> HttpTransport::exportStream(const QString &store)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return nullptr;
    HttpRequest request = storeRead(store, base + "/export?format=jsonl");
    request.headers.append(
        std::pair<QByteArray, QByteArray>("Accept", "application/x-ndjson, application/json"));
    return m_exchange->stream(request);
}

} // namespace dust
