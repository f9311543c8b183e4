#include "BodyAdmission.h"

namespace dust::lite {

namespace {

QString decoded(QByteArrayView piece)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(piece.toByteArray()));
}

} // namespace

BodyAdmission::BodyAdmission(const Auth &auth, qint64 maxBodyBytes)
    : m_auth(auth)
    , m_maxBodyBytes(maxBodyBytes)
{}

std::optional<HttpResponse> BodyAdmission::check(const RequestHead &head,
                                                 const RequestHead::Framing &framing) const
{
    if (!framing.hasBody())
        return std::nullopt;

    const auto principal = m_auth.authenticateHeader(head.field("authorization"));
    if (!principal)
        return HttpResponse::error(401, QStringLiteral("unauthorized"));

    // Writes to a store's entries: the store must be of the token's org, and the token must
    // have the scope (POST …/entries/batch reads; every other body there writes).
    QByteArrayView path = head.target();
    if (const qsizetype query = path.indexOf('?'); query >= 0)
        path = path.first(query);
    if (path.startsWith("/api/stores/")) {
        const QByteArrayView rest = path.sliced(12); // {org}/{store}/{action}
        const qsizetype slash1 = rest.indexOf('/');
        const qsizetype slash2 = slash1 <= 0 ? -1 : rest.indexOf('/', slash1 + 1);
        const QByteArrayView action = slash2 > slash1 + 1 ? rest.sliced(slash2 + 1) : "";
        if (action == "entries" || action.startsWith("entries/")) {
            if (decoded(rest.first(slash1)) != principal->org)
                return HttpResponse::error(404, QStringLiteral("not_found"));
            const bool batchRead = head.method() == "POST" && action == "entries/batch";
            const QString scope =
                batchRead ? QStringLiteral("entries:read") : QStringLiteral("entries:write");
            if (!principal->has(scope))
                return HttpResponse::error(403, QStringLiteral("forbidden"));
        }
    }

    if (framing.kind == RequestHead::Framing::Kind::Length && framing.length > m_maxBodyBytes)
        return tooLarge();
    return std::nullopt;
}

HttpResponse BodyAdmission::tooLarge() const
{
    return HttpResponse::error(
        413, QStringLiteral("payload_too_large"),
        QStringLiteral("request body is larger than %1 bytes").arg(m_maxBodyBytes));
}

} // namespace dust::lite
