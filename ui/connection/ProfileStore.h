#pragma once

#include "connection/ConnectionProfile.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

class QSettings;

namespace dust {

// The saved connection profiles, in a QSettings the caller owns (the application's, or a
// test's own INI file). Each profile is a group "profiles/<name, percent-encoded>" holding
// name, url, defaultStore, transport, readOnly and allowCleartext: never a token (those
// are in the system keychain, see TokenVault). Every change is written out at once.
class ProfileStore
{
    Q_DECLARE_TR_FUNCTIONS(ProfileStore)

public:
    explicit ProfileStore(QSettings &settings);

    // The names of the saved profiles, sorted case-insensitively.
    QStringList names() const;
    std::optional<ConnectionProfile> load(const QString &name) const;
    bool contains(const QString &name) const;

    // Saves `profile` under its name, replacing one of the same name. Fails with the words
    // when the profile has a problem() or the settings cannot be written.
    QString save(const ConnectionProfile &profile);
    // Removes the profile `name` (nothing happens when there is none). Empty or the words.
    QString remove(const QString &name);

    // The profile used last (to preselect it), or empty.
    QString lastUsed() const;
    void setLastUsed(const QString &name);

    // A name not used yet: `base`, else "base 2", "base 3" ...
    QString unusedName(const QString &base) const;

private:
    static QString groupOf(const QString &name);
    QString writeStatus() const;

    QSettings &m_settings;
};

} // namespace dust
