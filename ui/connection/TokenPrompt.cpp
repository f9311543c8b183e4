#include "connection/TokenPrompt.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace dust {

TokenPrompt::TokenPrompt(const QString &profileName, const QUrl &server, Reason reason,
                         const QString &detail, QWidget *parent)
    : QDialog(parent)
    , m_reason(reason)
{
    setWindowTitle(tr("Token for %1").arg(profileName));

    QString why;
    switch (reason) {
    case Reason::NoKeychain:
        why = tr("No system keychain is available, so Dust Browser cannot remember the token "
                 "of \"%1\". Enter it for this session; it is forgotten when you quit.")
                  .arg(profileName);
        break;
    case Reason::NothingStored:
        why = tr("The system keychain holds no token for \"%1\". Enter the token to "
                 "connect.")
                  .arg(profileName);
        break;
    case Reason::KeychainRefused:
        why = tr("The system keychain refused to give the token of \"%1\". Enter it for "
                 "this session.")
                  .arg(profileName);
        break;
    case Reason::TokenRefused:
        why = tr("%1 refused the token of \"%2\". Enter a valid token.")
                  .arg(server.toDisplayString(QUrl::RemoveUserInfo), profileName);
        break;
    }
    if (!detail.isEmpty())
        why += QLatin1Char('\n') + detail;

    m_why = new QLabel(why, this);
    m_why->setWordWrap(true);
    m_why->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_token = new QLineEdit(this);
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(QStringLiteral("dust_tok_…"));
    m_token->setAccessibleName(tr("API token"));
    m_token->setAccessibleDescription(why);

    m_remember = new QCheckBox(tr("&Remember in the system keychain"), this);
    m_remember->setAccessibleName(tr("Remember the token in the system keychain"));
    m_remember->setChecked(reason == Reason::NothingStored || reason == Reason::TokenRefused);
    m_remember->setVisible(reason == Reason::NothingStored || reason == Reason::TokenRefused);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));
    m_buttons->button(QDialogButtonBox::Ok)->setAccessibleName(tr("Connect with this token"));
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel connecting"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_token, &QLineEdit::textChanged, this, &TokenPrompt::updateAcceptable);

    auto *form = new QFormLayout;
    auto *label = new QLabel(tr("&Token:"), this);
    label->setBuddy(m_token);
    form->addRow(label, m_token);
    form->addRow(QString(), m_remember);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_why);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    setTabOrder(m_token, m_remember);
    setTabOrder(m_remember, m_buttons);
    m_token->setFocus();
    updateAcceptable();
}

QString TokenPrompt::token() const
{
    return m_token->text().trimmed();
}

bool TokenPrompt::rememberRequested() const
{
    return !m_remember->isHidden() && m_remember->isChecked();
}

QString TokenPrompt::explanation() const
{
    return m_why->text();
}

void TokenPrompt::updateAcceptable()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!token().isEmpty());
}

} // namespace dust
