#pragma once

#include <QFuture>
#include <QObject>
#include <QString>

namespace dust {

// API tokens in the system keychain (QtKeychain: the Secret Service on Linux, the macOS
// Keychain, the Windows Credential Manager), one entry per profile: service "Dust Browser",
// key = the profile's name. Never falls back to a file: QtKeychain's insecure fallback
// (plain QSettings) is off.
//
// Each call is asynchronous and finishes its future on the vault's thread. An outcome says
// apart "no keychain" (no backend, no session bus, the service failed) from "nothing
// stored for this profile", so the caller can ask for the token for this session instead.
class TokenVault : public QObject
{
    Q_OBJECT
public:
    enum class Status {
        Ok,
        NotFound,    // the keychain works but holds no token for the profile
        Unavailable, // no keychain to use (no backend, no D-Bus session, a service error)
        Denied,      // the keychain refused (the user or a policy said no)
    };
    Q_ENUM(Status)
    struct Outcome
    {
        Status status = Status::Unavailable;
        QString token;   // read(): the token when Ok
        QString message; // words for people when not Ok (never the token)
        bool ok() const { return status == Status::Ok; }
        // Worth asking the user for the token instead.
        bool shouldPrompt() const { return status != Status::Ok; }
    };

    static QString defaultService() { return QStringLiteral("Dust Browser"); }

    // `service` names the keychain entries ("Dust Browser"; tests use their own).
    explicit TokenVault(QObject *parent = nullptr, QString service = defaultService());
    ~TokenVault() override;

    QString service() const { return m_service; }

    QFuture<Outcome> read(const QString &profile);
    QFuture<Outcome> write(const QString &profile, const QString &token);
    // Removing a token that is not there is Ok.
    QFuture<Outcome> remove(const QString &profile);

    // The words for a status, for a prompt or a label.
    static QString describe(Status status);

private:
    QString m_service;
};

} // namespace dust

Q_DECLARE_METATYPE(dust::TokenVault::Outcome)
