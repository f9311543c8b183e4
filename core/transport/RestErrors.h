#pragma once

#include "HttpResponse.h"
#include "protocol/Error.h"

#include <QByteArrayView>
#include <QDateTime>

#include <chrono>

namespace dust::resterrors {

// The typed Error of a REST response that did not succeed (dust-protocol.md §4.1, §7.4), as
// HttpTransport documents it: 401 Unauthorized, 403 Forbidden, 404 NotFound or
// NotImplemented by route and body, 405 NotImplemented, 412 Conflict (current revision,
// reason, op index, path), 429 RateLimited (Retry-After), other 4xx InvalidParams (the
// server's code as reason, its detail as detail), 3xx and 5xx Http; no answer Network,
// Cancelled or (too large) Protocol.
Error errorOf(const HttpResponse &response);

// The error of an HTTP answer by its status and body (`response.status` > 0).
Error statusError(const HttpResponse &response);
// The error of a request that got no (whole) answer: closed, cancelled, cut off at the size
// limit, or failed on the network (refused, unknown host, closed early, timed out).
Error transferError(const HttpResponse &response);

// A Retry-After header value, delay-seconds or an HTTP date (relative to `now`); 0 when
// absent, unparsable or in the past.
std::chrono::milliseconds retryAfter(QByteArrayView header,
                                     const QDateTime &now = QDateTime::currentDateTimeUtc());

} // namespace dust::resterrors
