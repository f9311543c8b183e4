#pragma once

#include "connection/ConnectionProfile.h"
#include "connection/TokenVault.h"

#include <QDialog>
#include <QFuture>
#include <QString>

#include <memory>

class QDialogButtonBox;
class QLabel;
class QListWidget;
class QPushButton;

namespace dust {

class HttpTransport;
class ProfileForm;
class ProfileStore;

// Choosing, editing and testing a connection. Saved profiles are on the left (New,
// Duplicate, Delete); the selected one's fields on the right (ProfileForm). "Test
// connection" and "Load stores" ask the server for GET /api/stores with the typed token
// and say what came back in words (a refused token, a TLS certificate problem, a host that
// does not answer). Connect saves the profile, stores or forgets its token in the system
// keychain as "Remember" says, and accepts; profile() and token() then say what to open
// (TransportFactory::create).
//
// Profiles are read and written through `profiles`, tokens through `vault`; both must
// outlive the dialog. An unencrypted URL to another host is refused unless the profile
// allows it (CleartextPolicy).
class ConnectionDialog : public QDialog
{
    Q_OBJECT
public:
    ConnectionDialog(ProfileStore &profiles, TokenVault &vault, QWidget *parent = nullptr);
    ~ConnectionDialog() override;

    // Shows the saved profile `name` and reads its token from the keychain.
    void selectProfile(const QString &name);
    // A new, unsaved profile with default fields.
    void newProfile();
    // An unsaved copy of the shown profile (token included) under a free name.
    void duplicateProfile();
    // Deletes the selected saved profile and its keychain token.
    void deleteProfile();
    // Saves the shown profile (and its token as "Remember" says). Empty or the words.
    QString saveProfile();

    // After accept(): what to open.
    ConnectionProfile profile() const;
    QString token() const;

    // The status line: the last test, load, save or refusal, in words.
    QString statusText() const;

    ProfileForm *form() const { return m_form; }
    QListWidget *profileList() const { return m_list; }
    QPushButton *testButton() const { return m_test; }
    QPushButton *connectButton() const { return m_connect; }
    QPushButton *newButton() const { return m_new; }
    QPushButton *duplicateButton() const { return m_duplicate; }
    QPushButton *deleteButton() const { return m_delete; }

signals:
    // The keychain answered for the shown profile.
    void tokenLoaded(dust::TokenVault::Status status);
    // Test connection finished: `ok` when the server accepted the token.
    void testFinished(bool ok, const QString &message);
    // Load stores finished; the combo holds what the server listed.
    void storesLoaded(bool ok, const QString &message);
    // Connect was refused or the keychain could not take the token (words in statusText()).
    void connectRefused(const QString &message);

private:
    void reloadList(const QString &select);
    // Saves the shown fields under their name (renaming the shown profile if the name
    // changed); `tokenWrite` is set when the token goes to the keychain. Empty or the words.
    QString saveShown(QFuture<TokenVault::Outcome> *tokenWrite);
    void showStatus(const QString &text, bool problem);
    // The shown profile, checked for use: the words when it cannot be used.
    QString usable(ConnectionProfile &profile) const;
    // An HttpTransport for the shown fields, or the words why not.
    QString makeProbe();
    void testConnection();
    void loadStores();
    void tryConnect();
    void onSelectionChanged();
    void updateButtons();

    ProfileStore &m_profiles;
    TokenVault &m_vault;
    ProfileForm *m_form = nullptr;
    QListWidget *m_list = nullptr;
    QPushButton *m_new = nullptr;
    QPushButton *m_duplicate = nullptr;
    QPushButton *m_delete = nullptr;
    QPushButton *m_test = nullptr;
    QPushButton *m_connect = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QLabel *m_status = nullptr;
    // The server behind Test connection / Load stores while one runs.
    std::unique_ptr<HttpTransport> m_probe;
    QString m_current;         // the saved profile shown; empty for a new one
    bool m_dirty = false;      // the fields differ from what is saved
    quint64 m_tokenRead = 0;   // keychain answers for an earlier profile are dropped
    quint64 m_probeRun = 0;    // server answers for an earlier probe are dropped
    QString m_probeWarning;    // CleartextPolicy's warning for the probe's URL
    bool m_selecting = false;  // reloadList() is moving the selection
    bool m_connecting = false; // waiting for the keychain before accepting
};

} // namespace dust
