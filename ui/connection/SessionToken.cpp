#include "connection/SessionToken.h"

#include "connection/TokenVault.h"

namespace dust {

SessionToken::SessionToken(TokenVault &vault, QWidget *dialogParent, QObject *parent)
    : QObject(parent)
    , m_vault(vault)
    , m_dialogParent(dialogParent)
{}

SessionToken::~SessionToken()
{
    delete m_prompt.data();
}

void SessionToken::find(const ConnectionProfile &profile)
{
    const quint64 run = ++m_run;
    m_vault.read(profile.name).then(this, [this, run, profile](const TokenVault::Outcome &outcome) {
        if (run != m_run)
            return;
        if (outcome.ok() && !outcome.token.isEmpty()) {
            emit ready(outcome.token);
            return;
        }
        TokenPrompt::Reason reason = TokenPrompt::Reason::NoKeychain;
        if (outcome.status == TokenVault::Status::NotFound || outcome.ok())
            reason = TokenPrompt::Reason::NothingStored;
        else if (outcome.status == TokenVault::Status::Denied)
            reason = TokenPrompt::Reason::KeychainRefused;
        ask(profile, reason,
            outcome.status == TokenVault::Status::NotFound ? QString() : outcome.message);
    });
}

void SessionToken::askAgain(const ConnectionProfile &profile, const QString &serverWords)
{
    ++m_run;
    ask(profile, TokenPrompt::Reason::TokenRefused, serverWords);
}

void SessionToken::ask(const ConnectionProfile &profile, TokenPrompt::Reason reason,
                       const QString &detail)
{
    delete m_prompt.data();
    auto *prompt = new TokenPrompt(profile.name, profile.url, reason, detail, m_dialogParent);
    prompt->setAttribute(Qt::WA_DeleteOnClose);
    prompt->setWindowModality(m_dialogParent ? Qt::WindowModal : Qt::ApplicationModal);
    m_prompt = prompt;
    const quint64 run = m_run;
    const QString name = profile.name;
    connect(prompt, &QDialog::accepted, this, [this, prompt, run, name] {
        if (run != m_run)
            return;
        const QString token = prompt->token();
        if (prompt->rememberRequested())
            m_vault.write(name, token); // a failure only means it is asked for again
        emit ready(token);
    });
    connect(prompt, &QDialog::rejected, this, [this, run] {
        if (run == m_run)
            emit cancelled();
    });
    prompt->open();
    emit prompting(prompt);
}

} // namespace dust
