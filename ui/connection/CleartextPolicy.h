#pragma once

#include <QCoreApplication>
#include <QString>
#include <QUrl>

namespace dust {

// Whether a token may be sent to a server address. The token travels in every request
// (Authorization header, WebSocket query), so over http:// or ws:// anyone on the path can
// read it: that is allowed to this machine (loopback: 127.0.0.0/8, ::1, "localhost"), and
// to another host only when the profile explicitly allows it, with a warning. Pure: no I/O,
// no name resolution.
class CleartextPolicy
{
    Q_DECLARE_TR_FUNCTIONS(CleartextPolicy)

public:
    enum class Verdict {
        Allowed,            // encrypted, or cleartext to this machine
        AllowedWithWarning, // cleartext to another host, explicitly allowed
        Refused,            // cleartext to another host without the opt-in, or not a server URL
    };
    struct Decision
    {
        Verdict verdict = Verdict::Refused;
        QString message; // the warning or the refusal, for people; empty when Allowed
    };

    static Decision check(const QUrl &url, bool allowCleartext);

    // https:// or wss://
    static bool isEncrypted(const QUrl &url);
    // The host is this machine: "localhost" (or a name under .localhost), 127.0.0.0/8, ::1
    // (also IPv4-mapped). Literal addresses only: a name is never resolved.
    static bool isLoopback(const QUrl &url);
    // Whether the "allow unencrypted" choice applies to `url` at all (cleartext, not
    // loopback): a dialog shows the option only then.
    static bool needsOptIn(const QUrl &url);
};

} // namespace dust
