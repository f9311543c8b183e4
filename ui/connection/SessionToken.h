#pragma once

#include "connection/ConnectionProfile.h"
#include "connection/TokenPrompt.h"

#include <QObject>
#include <QPointer>
#include <QString>

class QWidget;

namespace dust {

class TokenVault;

// Finds the token a profile connects with this session, for a start with --profile NAME:
// the system keychain's, else it asks with a TokenPrompt that says why (no keychain,
// nothing stored, the keychain refused). A token typed into the prompt is stored in the
// keychain when the user ticks "Remember" and a keychain is there.
//
//     SessionToken session(vault, &window);
//     connect(&session, &SessionToken::ready, … TransportFactory::create(profile, token, …));
//     session.find(profile);
class SessionToken : public QObject
{
    Q_OBJECT
public:
    // `vault` must outlive this object; prompts are shown as windows of `dialogParent`.
    SessionToken(TokenVault &vault, QWidget *dialogParent, QObject *parent = nullptr);
    ~SessionToken() override;

    // Looks up `profile`'s token; ends with ready() or cancelled().
    void find(const ConnectionProfile &profile);
    // After the server refused the token: asks for another one (and replaces the stored one
    // if the user ticks "Remember").
    void askAgain(const ConnectionProfile &profile, const QString &serverWords);

    // The prompt being shown, if any (for tests).
    TokenPrompt *prompt() const { return m_prompt; }

signals:
    void ready(const QString &token);
    void cancelled();
    // A prompt was opened (it is shown non-modally, window-modal to the parent).
    void prompting(dust::TokenPrompt *prompt);

private:
    void ask(const ConnectionProfile &profile, TokenPrompt::Reason reason, const QString &detail);

    TokenVault &m_vault;
    QWidget *m_dialogParent;
    QPointer<TokenPrompt> m_prompt;
    quint64 m_run = 0;
};

} // namespace dust
