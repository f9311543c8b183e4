#pragma once

#include "Transport.h"
#include "protocol/Error.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringView>
#include <QUrl>

#include <chrono>
#include <optional>

namespace dust::sdk {

// Small pieces of the WebSocket protocol shared by SdkTransport and its session
// (dust-protocol.md §1.4, §5).

// "dev_" + base64url of 8 random bytes, as the SDKs make it.
QString makeDeviceId();
// "op_" + base64url of 12 random bytes: a write's unique client_op_id.
QString makeClientOpId();

// The socket URL for `url`: ws/wss (http/https are turned into ws/wss), "/ws/sync" when the
// URL has no path, "/websocket" appended unless already there, and the query
// token, device_id, capver=3, vsn=2.0.0. An invalid URL stays invalid.
QUrl socketUrl(const QUrl &url, const QString &token, const QString &deviceId);
// The server's HTTP base for the SdkOptions `url` (where REST routes such as file downloads
// live): ws/wss become http/https, a trailing "/websocket" and then "/ws/sync" are taken off
// the path (the rest of it is kept as a prefix), query and fragment dropped. An invalid URL or
// another scheme gives an invalid QUrl.
QUrl httpBaseUrl(const QUrl &url);

// The channel topic of a store: "store:org/name".
QString topicFor(const QString &store);
// Whether `store` is "org/name" with both parts non-empty and no second '/'.
bool isValidStoreName(QStringView store);
// The InvalidParams error for a `store` that is not a valid store name.
Error invalidStoreName(const QString &store);

// `ms` as seconds for messages: "1.5 s".
QString secondsText(std::chrono::milliseconds ms);

// The error a `phx_reply` with status "error" means (§5.4, §5.5, §7.2):
//   missing_scope, store_not_allowed                     -> Forbidden
//   unauthorized                                         -> Unauthorized
//   rate_limited                                         -> RateLimited (retry_after_ms)
//   conflict, exists, held, occupied, not_held, fenced   -> Conflict (no current revision:
//                                                           the caller adds what it knows)
//   path and value errors, preconditions, "invalid op",
//   capver_mismatch, invalid_*                           -> InvalidParams
//   store_archived                                       -> NotFound
//   limit_exceeded                                       -> Forbidden
//   anything else                                        -> Protocol with the reason text
// The reason is always kept in Error::reason(); the server's message (if any) in detail().
Error errorFromReply(const QJsonObject &response);

// The WriteResult an "ok" reply to a write means: its store_seq (`fallbackSeq` without one),
// every other field in `extra`.
WriteResult writeResultFromReply(const QJsonObject &response, qint64 fallbackSeq = 0);

// Permissions a join reply grants (older servers send none: both assumed true).
struct StorePermissions
{
    bool read = true;
    bool write = true;
    bool reported = false; // the server sent a `permissions` object

    friend bool operator==(const StorePermissions &, const StorePermissions &) = default;
};

StorePermissions permissionsFromJoinReply(const QJsonObject &response);

} // namespace dust::sdk

Q_DECLARE_METATYPE(dust::sdk::StorePermissions)
