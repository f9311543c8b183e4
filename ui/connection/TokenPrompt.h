#pragma once

#include <QDialog>
#include <QString>
#include <QUrl>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace dust {

// Asks for a connection's token for this session, saying why it asks: no keychain to read
// it from, nothing stored for the profile, the keychain refused, or the server refused the
// token it had. The token is typed with password echo. When the keychain works, "Remember
// in the system keychain" is offered; the caller stores the token if rememberRequested().
class TokenPrompt : public QDialog
{
    Q_OBJECT
public:
    enum class Reason { NoKeychain, NothingStored, KeychainRefused, TokenRefused };

    // `detail` adds the keychain's or the server's own words, when there are some.
    TokenPrompt(const QString &profileName, const QUrl &server, Reason reason,
                const QString &detail = {}, QWidget *parent = nullptr);

    Reason reason() const { return m_reason; }
    QString token() const;
    bool rememberRequested() const;
    // What the dialog says about why it asks (for tests and screen readers).
    QString explanation() const;

    QLineEdit *tokenEdit() const { return m_token; }
    QCheckBox *rememberBox() const { return m_remember; }

private:
    void updateAcceptable();

    Reason m_reason;
    QLabel *m_why = nullptr;
    QLineEdit *m_token = nullptr;
    QCheckBox *m_remember = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace dust
