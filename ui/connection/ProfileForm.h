#pragma once

#include "connection/ConnectionProfile.h"
#include "connection/TokenVault.h"

#include <QList>
#include <QString>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace dust {

struct StoreInfo;

// The fields of one connection profile, the right side of the ConnectionDialog: name,
// server URL, token (password echo) and "Remember in the system keychain", default store
// (an editable combo the dialog fills from the server), transport, read-only, and — only
// for an unencrypted URL to another host — "Allow unencrypted connection" with its warning.
// Owns only its widgets; the dialog does the loading and saving.
class ProfileForm : public QWidget
{
    Q_OBJECT
public:
    explicit ProfileForm(QWidget *parent = nullptr);

    // Shows `profile` (token fields cleared; see setToken()).
    void setProfile(const ConnectionProfile &profile);
    // The profile as edited. An unusable URL is kept as typed, so problem() says why.
    ConnectionProfile profile() const;

    void setToken(const QString &token);
    QString token() const;
    bool rememberToken() const;
    void setRememberToken(bool remember);
    // What the keychain said for this profile: the note under the token, and whether
    // "Remember" can be offered at all.
    void setKeychainState(TokenVault::Status status, const QString &message);
    bool keychainAvailable() const { return m_keychainAvailable; }

    // The store names to pick from (the current text is kept).
    void setStores(const QList<StoreInfo> &stores);

    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *tokenEdit() const { return m_token; }
    QCheckBox *rememberBox() const { return m_remember; }
    QComboBox *storeCombo() const { return m_store; }
    QPushButton *loadStoresButton() const { return m_loadStores; }
    QComboBox *transportCombo() const { return m_transport; }
    QCheckBox *readOnlyBox() const { return m_readOnly; }
    QCheckBox *allowCleartextBox() const { return m_allowCleartext; }
    QLabel *cleartextWarning() const { return m_cleartextWarning; }
    QLabel *keychainNote() const { return m_keychainNote; }

signals:
    // The user changed a field.
    void edited();

private:
    void updateCleartextOption();

    QLineEdit *m_name = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_token = nullptr;
    QCheckBox *m_remember = nullptr;
    QLabel *m_keychainNote = nullptr;
    QComboBox *m_store = nullptr;
    QPushButton *m_loadStores = nullptr;
    QComboBox *m_transport = nullptr;
    QCheckBox *m_readOnly = nullptr;
    QCheckBox *m_allowCleartext = nullptr;
    QLabel *m_cleartextWarning = nullptr;
    bool m_keychainAvailable = true;
    bool m_filling = false; // setProfile() is writing the fields: not an edit
};

} // namespace dust
