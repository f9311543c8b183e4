#include "Error.h"

namespace dust {

Error Error::conflict(std::optional<qint64> currentRevision, QString reason)
{
    Error e(Kind::Conflict);
    e.m_reason = std::move(reason);
    e.m_currentRevision = currentRevision;
    return e;
}

Error Error::rateLimited(std::chrono::milliseconds retryAfter)
{
    Error e(Kind::RateLimited);
    e.m_reason = QStringLiteral("rate_limited");
    e.m_retryAfter = retryAfter;
    return e;
}

Error Error::http(int status, QString detail)
{
    Error e(Kind::Http, std::move(detail));
    e.m_httpStatus = status;
    return e;
}

bool Error::retryable() const
{
    switch (m_kind) {
    case Kind::Network:
    case Kind::RateLimited:
        return true;
    case Kind::Http:
        return m_httpStatus >= 500 && m_httpStatus <= 599;
    case Kind::NotFound:
    case Kind::Conflict:
    case Kind::Unauthorized:
    case Kind::Forbidden:
    case Kind::NotImplemented:
    case Kind::InvalidParams:
    case Kind::NotSupported:
    case Kind::Protocol:
    case Kind::Cancelled:
        break;
    }
    return false;
}

QString Error::kindName(Kind kind)
{
    switch (kind) {
    case Kind::NotFound:
        return QStringLiteral("NotFound");
    case Kind::Conflict:
        return QStringLiteral("Conflict");
    case Kind::Unauthorized:
        return QStringLiteral("Unauthorized");
    case Kind::Forbidden:
        return QStringLiteral("Forbidden");
    case Kind::RateLimited:
        return QStringLiteral("RateLimited");
    case Kind::NotImplemented:
        return QStringLiteral("NotImplemented");
    case Kind::InvalidParams:
        return QStringLiteral("InvalidParams");
    case Kind::Http:
        return QStringLiteral("Http");
    case Kind::Network:
        return QStringLiteral("Network");
    case Kind::NotSupported:
        return QStringLiteral("NotSupported");
    case Kind::Protocol:
        return QStringLiteral("Protocol");
    case Kind::Cancelled:
        return QStringLiteral("Cancelled");
    }
    return QStringLiteral("Unknown");
}

namespace {

QString withDetail(QString text, const QString &detail)
{
    if (!detail.isEmpty())
        text += QStringLiteral(": ") + detail;
    return text;
}

QString seconds(std::chrono::milliseconds ms)
{
    const qint64 s = (ms.count() + 999) / 1000;
    return s == 1 ? QStringLiteral("1 second") : QString::number(s) + QStringLiteral(" seconds");
}

} // namespace

QString Error::message() const
{
    QString text;
    switch (m_kind) {
    case Kind::NotFound:
        text = withDetail(QStringLiteral("Not found"), m_detail.isEmpty() ? m_path : m_detail);
        break;
    case Kind::Conflict: {
        const bool exists = m_reason == QLatin1String("exists");
        text = exists ? QStringLiteral("Conflict: the entry already exists")
                      : QStringLiteral("Conflict: the entry changed");
        if (m_currentRevision)
            text += (exists ? QStringLiteral(" (revision ") : QStringLiteral(" (now revision ")) +
                    QString::number(*m_currentRevision) + QLatin1Char(')');
        if (m_opIndex)
            text += QStringLiteral(" at op ") + QString::number(*m_opIndex);
        if (!m_path.isEmpty())
            text += (m_opIndex ? QStringLiteral(", ") : QStringLiteral(" at ")) + m_path;
        if (!m_detail.isEmpty())
            text += QStringLiteral(": ") + m_detail;
        break;
    }
    case Kind::Unauthorized:
        text = withDetail(QStringLiteral("Unauthorized: the token was not accepted"), m_detail);
        break;
    case Kind::Forbidden:
        text = withDetail(QStringLiteral("Forbidden: the token may not do this"), m_detail);
        break;
    case Kind::RateLimited:
        text = m_retryAfter.count() > 0
                   ? QStringLiteral("Rate limited: try again in ") + seconds(m_retryAfter)
                   : QStringLiteral("Rate limited: try again later");
        text = withDetail(text, m_detail);
        break;
    case Kind::NotImplemented:
        text = withDetail(QStringLiteral("Not implemented: the server lacks this operation"),
                          m_detail);
        break;
    case Kind::InvalidParams:
        text =
            withDetail(QStringLiteral("Invalid request"), m_detail.isEmpty() ? m_reason : m_detail);
        break;
    case Kind::Http:
        text = withDetail(QStringLiteral("HTTP error ") + QString::number(m_httpStatus), m_detail);
        break;
    case Kind::Network:
        text = withDetail(QStringLiteral("Network error"), m_detail);
        break;
    case Kind::NotSupported:
        text = withDetail(QStringLiteral("Not supported"), m_detail);
        break;
    case Kind::Protocol:
        text = withDetail(QStringLiteral("Protocol error"), m_detail);
        break;
    case Kind::Cancelled:
        text = withDetail(QStringLiteral("Cancelled"), m_detail);
        break;
    }
    // One line, whatever the server put in the detail.
    for (QChar &c : text) {
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QLatin1Char('\t'))
            c = QLatin1Char(' ');
    }
    return text;
}

} // namespace dust
