#pragma once

#include "Transport.h"
#include "protocol/Path.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <functional>
#include <optional>

namespace dust {

// One write event (dust-protocol.md §5.5) as the caller asked for it.
struct SdkWriteRequest
{
    QString op; // "set", "delete", "merge", "increment", "add", "remove", "lease", ...
    // The channel event that carries it: "write", or "put_file" (§5.5: its payload is the
    // `path` string, base64 `content`, `filename`, `content_type`, with no op or segments).
    QString event = QStringLiteral("write");
    Path path;
    QJsonValue value; // Undefined = no "value" field (the default, Null, sends null)
    std::optional<qint64> ifMatch;
    bool ifAbsent = false;
    QJsonObject extra; // ttl_ms, holder, token ...

    // The payload of the `write` event that carries it with `clientOpId`.
    QJsonObject payload(const QString &clientOpId) const;
    // Whether applying it twice leaves the store as applying it once (or makes the second
    // one fail on its precondition): then a write whose outcome is unknown may be sent
    // again. An increment adds twice; a lease or renew could extend someone's hold.
    bool safeToRepeat() const;
};

// How a queued write ends: the server's acknowledgement or the error.
using SdkWriteDone = std::function<void(Result<WriteResult>)>;

} // namespace dust
