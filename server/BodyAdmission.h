#pragma once

#include "Auth.h"
#include "HttpExchange.h"
#include "RequestHead.h"

#include <optional>

namespace dust::lite {

// Whether a request's body may be read, decided from its head alone, before a byte of the body
// is buffered: a body must come with a valid bearer token, on a store of the token's org with
// the scope its route needs, and within the size limit. The answers are the REST layer's own
// (401 unauthorized, 404 not_found, 403 forbidden, 413 payload_too_large). Requests without a
// body are not judged here: RestApi and the WebSocket upgrade check them as before.
class BodyAdmission
{
public:
    BodyAdmission(const Auth &auth, qint64 maxBodyBytes);

    // nullopt when the body may be read; otherwise the answer to give instead.
    std::optional<HttpResponse> check(const RequestHead &head,
                                      const RequestHead::Framing &framing) const;

    // The answer to a body larger than the limit (also for a chunked one, once it grows past).
    HttpResponse tooLarge() const;
    qint64 maxBodyBytes() const { return m_maxBodyBytes; }

private:
    const Auth &m_auth;
    qint64 m_maxBodyBytes;
};

} // namespace dust::lite
