#include "Auth.h"

#include <QCryptographicHash>

namespace dust::lite {

namespace {

constexpr QLatin1String kTokenPrefix("dust_tok_");

// Compares two byte strings in time that depends only on their lengths, never on where they
// first differ.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    const qsizetype n = std::max(a.size(), b.size());
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (qsizetype i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

QString orgOf(QStringView fullName)
{
    const qsizetype slash = fullName.indexOf(QLatin1Char('/'));
    return slash < 0 ? QString() : fullName.left(slash).toString();
}

} // namespace

bool Principal::canAccess(QStringView storeFullName) const
{
    return !org.isEmpty() && orgOf(storeFullName) == org;
}

QStringList Auth::allScopes()
{
    return {QStringLiteral("stores:read"),    QStringLiteral("stores:create"),
            QStringLiteral("stores:clone"),   QStringLiteral("entries:read"),
            QStringLiteral("entries:write"),  QStringLiteral("files:read"),
            QStringLiteral("files:write"),    QStringLiteral("webhooks:read"),
            QStringLiteral("webhooks:write"), QStringLiteral("audit:read"),
            QStringLiteral("tokens:read"),    QStringLiteral("tokens:write")};
}

void Auth::addToken(const TokenSpec &spec)
{
    Known known;
    known.token = spec.token.toUtf8();
    // A short id that names the token without revealing it (used in "http:<id>" device ids).
    known.principal.tokenId = QString::fromLatin1(
        QCryptographicHash::hash(known.token, QCryptographicHash::Sha256).toHex().left(12));
    known.principal.org = spec.org;
    const QStringList scopes = spec.scopes.isEmpty() ? allScopes() : spec.scopes;
    for (const QString &scope : scopes)
        known.principal.scopes.insert(scope);
    for (Known &existing : m_tokens) {
        if (existing.token == known.token) {
            existing = std::move(known);
            return;
        }
    }
    m_tokens.append(std::move(known));
}

std::optional<Principal> Auth::authenticate(QStringView token) const
{
    if (!token.startsWith(kTokenPrefix))
        return std::nullopt;
    const QByteArray given = token.toUtf8();
    const Known *match = nullptr;
    // Every known token is compared, so the time taken does not reveal which one matched.
    for (const Known &known : m_tokens) {
        if (constantTimeEquals(known.token, given) && !match)
            match = &known;
    }
    if (!match)
        return std::nullopt;
    return match->principal;
}

std::optional<Principal>
Auth::authenticateHeader(const std::optional<QByteArray> &authorization) const
{
    if (!authorization)
        return std::nullopt;
    const QByteArray value = authorization->trimmed();
    if (value.size() < 7 || value.first(7).compare("bearer ", Qt::CaseInsensitive) != 0)
        return std::nullopt;
    return authenticate(QString::fromUtf8(value.sliced(7).trimmed()));
}

} // namespace dust::lite
