#include "connection/ProfileForm.h"

#include "connection/CleartextPolicy.h"
#include "transport/Transport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>

namespace dust {

ProfileForm::ProfileForm(QWidget *parent)
    : QWidget(parent)
{
    m_name = new QLineEdit(this);
    m_name->setAccessibleName(tr("Profile name"));

    m_url = new QLineEdit(this);
    m_url->setPlaceholderText(QStringLiteral("https://dustlayer.io"));
    m_url->setAccessibleName(tr("Server URL"));
    m_url->setAccessibleDescription(
        tr("The server's address: https://host, or http://localhost:port for a local server."));

    m_token = new QLineEdit(this);
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(QStringLiteral("dust_tok_…"));
    m_token->setAccessibleName(tr("API token"));
    m_token->setAccessibleDescription(
        tr("The token is kept in the system keychain, never in the settings file."));

    m_remember = new QCheckBox(tr("&Remember in the system keychain"), this);
    m_remember->setChecked(true);
    m_remember->setAccessibleName(tr("Remember the token in the system keychain"));

    m_keychainNote = new QLabel(this);
    m_keychainNote->setWordWrap(true);
    m_keychainNote->setVisible(false);

    m_store = new QComboBox(this);
    m_store->setEditable(true);
    m_store->setInsertPolicy(QComboBox::NoInsert);
    m_store->setAccessibleName(tr("Default store"));
    m_store->setAccessibleDescription(
        tr("The store to open, as org/name. Load stores lists the stores the token can see."));
    m_loadStores = new QPushButton(tr("&Load stores"), this);
    m_loadStores->setAccessibleName(tr("Load the stores from the server"));

    m_transport = new QComboBox(this);
    m_transport->addItem(tr("Realtime (WebSocket, live mirror)"),
                         QVariant::fromValue(static_cast<int>(ProfileTransport::Realtime)));
    m_transport->addItem(tr("REST (load folders as they are opened)"),
                         QVariant::fromValue(static_cast<int>(ProfileTransport::Rest)));
    m_transport->setAccessibleName(tr("Transport"));

    m_readOnly = new QCheckBox(tr("Rea&d-only (never write to the store)"), this);
    m_readOnly->setAccessibleName(tr("Read-only"));

    m_allowCleartext = new QCheckBox(tr("Allow &unencrypted connection to this host"), this);
    m_allowCleartext->setAccessibleName(tr("Allow unencrypted connection to this host"));
    m_cleartextWarning = new QLabel(
        tr("Warning: over http:// the token and everything you read or write travel "
           "unencrypted. Anyone on the network path can read the token and use it. Allow "
           "this only on a network you trust; prefer https://."),
        this);
    m_cleartextWarning->setWordWrap(true);
    m_cleartextWarning->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_allowCleartext->setAccessibleDescription(m_cleartextWarning->text());

    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    const auto addRow = [this, form](const QString &text, QWidget *field, QWidget *buddy) {
        auto *label = new QLabel(text, this);
        label->setBuddy(buddy);
        form->addRow(label, field);
    };
    addRow(tr("&Name:"), m_name, m_name);
    addRow(tr("&Server URL:"), m_url, m_url);
    form->addRow(QString(), m_allowCleartext);
    form->addRow(QString(), m_cleartextWarning);
    addRow(tr("&Token:"), m_token, m_token);
    form->addRow(QString(), m_remember);
    form->addRow(QString(), m_keychainNote);
    auto *storeRow = new QWidget(this);
    auto *storeLayout = new QHBoxLayout(storeRow);
    storeLayout->setContentsMargins(0, 0, 0, 0);
    storeLayout->addWidget(m_store, 1);
    storeLayout->addWidget(m_loadStores);
    addRow(tr("Default st&ore:"), storeRow, m_store);
    addRow(tr("Trans&port:"), m_transport, m_transport);
    form->addRow(QString(), m_readOnly);

    setTabOrder(m_name, m_url);
    setTabOrder(m_url, m_allowCleartext);
    setTabOrder(m_allowCleartext, m_token);
    setTabOrder(m_token, m_remember);
    setTabOrder(m_remember, m_store);
    setTabOrder(m_store, m_loadStores);
    setTabOrder(m_loadStores, m_transport);
    setTabOrder(m_transport, m_readOnly);

    const auto onEdit = [this] {
        if (!m_filling)
            emit edited();
    };
    connect(m_name, &QLineEdit::textEdited, this, onEdit);
    connect(m_url, &QLineEdit::textChanged, this, [this, onEdit] {
        updateCleartextOption();
        onEdit();
    });
    connect(m_token, &QLineEdit::textEdited, this, onEdit);
    connect(m_remember, &QCheckBox::toggled, this, onEdit);
    connect(m_store, &QComboBox::editTextChanged, this, onEdit);
    connect(m_transport, &QComboBox::currentIndexChanged, this, onEdit);
    connect(m_readOnly, &QCheckBox::toggled, this, onEdit);
    connect(m_allowCleartext, &QCheckBox::toggled, this, onEdit);
    updateCleartextOption();
}

void ProfileForm::setProfile(const ConnectionProfile &profile)
{
    m_filling = true;
    m_name->setText(profile.name);
    m_url->setText(profile.url.toString());
    m_token->clear();
    m_store->clear();
    m_store->setEditText(profile.defaultStore);
    m_transport->setCurrentIndex(profile.transport == ProfileTransport::Rest ? 1 : 0);
    m_readOnly->setChecked(profile.readOnly);
    m_allowCleartext->setChecked(profile.allowCleartext);
    updateCleartextOption();
    m_filling = false;
}

ConnectionProfile ProfileForm::profile() const
{
    ConnectionProfile p;
    p.name = m_name->text().trimmed();
    const QUrl url = ConnectionProfile::serverUrlFromText(m_url->text());
    p.url = url.isEmpty() ? QUrl(m_url->text().trimmed()) : url;
    p.defaultStore = m_store->currentText().trimmed();
    p.transport =
        m_transport->currentIndex() == 1 ? ProfileTransport::Rest : ProfileTransport::Realtime;
    p.readOnly = m_readOnly->isChecked();
    // The opt-in counts only where it was offered.
    p.allowCleartext = CleartextPolicy::needsOptIn(p.url) && m_allowCleartext->isChecked();
    return p;
}

void ProfileForm::setToken(const QString &token)
{
    m_token->setText(token);
}

QString ProfileForm::token() const
{
    return m_token->text().trimmed();
}

bool ProfileForm::rememberToken() const
{
    return m_keychainAvailable && m_remember->isChecked();
}

void ProfileForm::setRememberToken(bool remember)
{
    const QSignalBlocker blocker(m_remember);
    m_remember->setChecked(remember);
}

void ProfileForm::setKeychainState(TokenVault::Status status, const QString &message)
{
    m_keychainAvailable =
        status == TokenVault::Status::Ok || status == TokenVault::Status::NotFound;
    m_remember->setEnabled(m_keychainAvailable);
    if (!m_keychainAvailable)
        setRememberToken(false);
    m_keychainNote->setText(message);
    m_keychainNote->setVisible(!message.isEmpty());
    m_token->setAccessibleDescription(
        message.isEmpty()
            ? tr("The token is kept in the system keychain, never in the settings file.")
            : message);
}

void ProfileForm::setStores(const QList<StoreInfo> &stores)
{
    const QString current = m_store->currentText();
    const bool wasFilling = m_filling;
    m_filling = true;
    m_store->clear();
    for (const StoreInfo &store : stores)
        m_store->addItem(store.fullName);
    m_store->setEditText(current.isEmpty() && !stores.isEmpty() ? stores.first().fullName
                                                                : current);
    m_filling = wasFilling;
}

void ProfileForm::updateCleartextOption()
{
    const QUrl url = ConnectionProfile::serverUrlFromText(m_url->text());
    const bool applies = CleartextPolicy::needsOptIn(url);
    m_allowCleartext->setVisible(applies);
    m_cleartextWarning->setVisible(applies);
}

} // namespace dust
