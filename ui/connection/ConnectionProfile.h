#pragma once

#include <QCoreApplication>
#include <QString>
#include <QUrl>

#include <optional>

namespace dust {

// How a profile browses its store: live over the WebSocket (a mirror of the store), or
// folder by folder over REST.
enum class ProfileTransport { Realtime, Rest };

// A saved connection: everything needed to open a server except its token, which lives in
// the system keychain (TokenVault) and never here.
struct ConnectionProfile
{
    Q_DECLARE_TR_FUNCTIONS(ConnectionProfile)

public:
    QString name;
    QUrl url;             // the server's HTTP base, http[s]://host[:port][/prefix]
    QString defaultStore; // "org/name", may be empty
    ProfileTransport transport = ProfileTransport::Realtime;
    bool readOnly = false;
    // The user explicitly accepted sending the token unencrypted (http/ws) to a host that is
    // not this machine. See CleartextPolicy.
    bool allowCleartext = false;

    bool operator==(const ConnectionProfile &) const = default;

    // Why the profile cannot be saved or used (a missing name, an unusable URL, a malformed
    // store), or empty.
    QString problem() const;

    // "realtime" / "rest", as stored in the settings.
    static QString transportKey(ProfileTransport transport);
    static std::optional<ProfileTransport> transportFromKey(QStringView key);

    // A server address as typed: http(s) kept, ws(s) turned into http(s) with the
    // WebSocket path (/ws/sync[/websocket]) dropped, surrounding blanks removed, no user
    // info, query or fragment. An invalid URL when `text` is not a server address (`error`
    // then says why).
    static QUrl serverUrlFromText(const QString &text, QString *error = nullptr);
    // Whether `store` reads as "org/name" (dust-protocol.md §1.1).
    static bool isStoreName(QStringView store);
};

} // namespace dust
