#pragma once

#include "ServerConfig.h"

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringView>

#include <optional>

namespace dust::lite {

// Who a token is: its org and its scopes (dust-protocol.md §1.2).
struct Principal
{
    QString tokenId; // a short stable id, used in REST device ids: "http:<tokenId>"
    QString org;
    QSet<QString> scopes;

    bool has(QStringView scope) const { return scopes.contains(scope.toString()); }
    // The store is visible to this principal (same org; store access mode "all").
    bool canAccess(QStringView storeFullName) const;
};

// The tokens dustlite accepts. Tokens are compared in constant time.
class Auth
{
public:
    static QStringList allScopes();

    void addToken(const TokenSpec &spec);
    // nullopt for a token that does not start with "dust_tok_" or is unknown.
    std::optional<Principal> authenticate(QStringView token) const;
    // The principal of an "Authorization: Bearer <token>" header value (scheme
    // case-insensitive); nullopt when the header is missing, of another scheme or unknown.
    std::optional<Principal>
    authenticateHeader(const std::optional<QByteArray> &authorization) const;

private:
    struct Known
    {
        QByteArray token;
        Principal principal;
    };
    QList<Known> m_tokens;
};

} // namespace dust::lite
