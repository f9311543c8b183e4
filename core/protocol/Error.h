#pragma once

#include "Path.h"

#include <QMetaType>
#include <QString>

#include <chrono>
#include <optional>

namespace dust {

// The error classes of the reference clients (DESIGN.md, "The transport layer"); every
// failed operation yields one. `retryable()` says whether trying the same call again later
// may succeed.
class Error
{
public:
    enum class Kind {
        NotFound,
        Conflict, // a precondition failed (If-Match / If-None-Match / if_match ...)
        Unauthorized,
        Forbidden,
        RateLimited,
        NotImplemented, // the server lacks the route (an old deployment)
        InvalidParams,  // the server rejected the input; `detail` says why
        Http,           // any other HTTP status
        Network,        // connection refused, reset, timed out, TLS ...
        NotSupported,   // this transport cannot do that (e.g. subscribe over HTTP)
        Protocol,       // a malformed frame or response body
        Cancelled,
    };

    Error() = default;
    Error(Kind kind, QString detail = {})
        : m_kind(kind)
        , m_detail(std::move(detail))
    {}

    static Error notFound(QString detail = {}) { return {Kind::NotFound, std::move(detail)}; }
    static Error conflict(std::optional<qint64> currentRevision,
                          QString reason = QStringLiteral("conflict"));
    static Error rateLimited(std::chrono::milliseconds retryAfter);
    static Error http(int status, QString detail = {});
    static Error network(QString detail) { return {Kind::Network, std::move(detail)}; }
    static Error protocol(QString detail) { return {Kind::Protocol, std::move(detail)}; }
    static Error invalidParams(QString detail) { return {Kind::InvalidParams, std::move(detail)}; }
    static Error notSupported(QString detail) { return {Kind::NotSupported, std::move(detail)}; }

    Kind kind() const { return m_kind; }
    // The server's reason or error code when it gave one ("conflict", "exists", "held" ...).
    const QString &reason() const { return m_reason; }
    // A human-readable explanation.
    const QString &detail() const { return m_detail; }
    int httpStatus() const { return m_httpStatus; }
    std::optional<qint64> currentRevision() const { return m_currentRevision; }
    std::optional<int> opIndex() const { return m_opIndex; }
    const QString &path() const { return m_path; }
    std::chrono::milliseconds retryAfter() const { return m_retryAfter; }
    // A diff refused with `compacted` (409): the earliest seq the server can still diff from
    // (its `earliest_available`), so a caller can offer it.
    std::optional<qint64> earliestAvailable() const { return m_earliestAvailable; }

    Error &setReason(QString reason)
    {
        m_reason = std::move(reason);
        return *this;
    }
    Error &setDetail(QString detail)
    {
        m_detail = std::move(detail);
        return *this;
    }
    Error &setHttpStatus(int status)
    {
        m_httpStatus = status;
        return *this;
    }
    Error &setCurrentRevision(std::optional<qint64> r)
    {
        m_currentRevision = r;
        return *this;
    }
    Error &setOpIndex(std::optional<int> i)
    {
        m_opIndex = i;
        return *this;
    }
    Error &setPath(QString path)
    {
        m_path = std::move(path);
        return *this;
    }
    Error &setRetryAfter(std::chrono::milliseconds ms)
    {
        m_retryAfter = ms;
        return *this;
    }
    Error &setEarliestAvailable(std::optional<qint64> seq)
    {
        m_earliestAvailable = seq;
        return *this;
    }

    // Network, RateLimited and 5xx may succeed later; the rest will not without a change.
    bool retryable() const;
    // A one-line message for people: "Conflict: the entry changed (now revision 12)".
    QString message() const;
    static QString kindName(Kind kind);

private:
    Kind m_kind = Kind::Network;
    QString m_detail;
    QString m_reason;
    int m_httpStatus = 0;
    std::optional<qint64> m_currentRevision;
    std::optional<int> m_opIndex;
    QString m_path;
    std::chrono::milliseconds m_retryAfter{0};
    std::optional<qint64> m_earliestAvailable;
};

} // namespace dust

Q_DECLARE_METATYPE(dust::Error)
