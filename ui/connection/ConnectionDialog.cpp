#include "connection/ConnectionDialog.h"

#include "connection/CleartextPolicy.h"
#include "connection/ProfileForm.h"
#include "connection/ProfileStore.h"
#include "connection/TransportFactory.h"
#include "transport/HttpTransport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <chrono>

namespace dust {

namespace {

// A test should not leave the user waiting as long as a big listing may take.
constexpr std::chrono::milliseconds kProbeTimeout{15000};

QString hostOf(const ConnectionProfile &profile)
{
    return profile.url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery |
                                       QUrl::RemoveFragment);
}

} // namespace

ConnectionDialog::ConnectionDialog(ProfileStore &profiles, TokenVault &vault, QWidget *parent)
    : QDialog(parent)
    , m_profiles(profiles)
    , m_vault(vault)
{
    setWindowTitle(tr("Connect to a Dust server"));

    m_list = new QListWidget(this);
    m_list->setAccessibleName(tr("Saved connections"));
    m_new = new QPushButton(tr("&New"), this);
    m_new->setAccessibleName(tr("New connection profile"));
    m_duplicate = new QPushButton(tr("D&uplicate"), this);
    m_duplicate->setAccessibleName(tr("Duplicate the connection profile"));
    m_delete = new QPushButton(tr("De&lete"), this);
    m_delete->setAccessibleName(tr("Delete the connection profile"));
    m_delete->setAccessibleDescription(tr("Deletes the profile and its token in the keychain."));

    m_form = new ProfileForm(this);
    m_test = new QPushButton(tr("&Test connection"), this);
    m_test->setAccessibleName(tr("Test connection"));
    m_test->setAccessibleDescription(
        tr("Asks the server for its stores with this token and says what it answered."));
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setAccessibleName(tr("Connection status"));

    m_buttons = new QDialogButtonBox(this);
    m_connect = m_buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    m_connect->setAccessibleName(tr("Connect"));
    m_connect->setDefault(true);
    QPushButton *save = m_buttons->addButton(QDialogButtonBox::Save);
    save->setAccessibleName(tr("Save the profile"));
    QPushButton *cancel = m_buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setAccessibleName(tr("Cancel"));

    auto *listButtons = new QHBoxLayout;
    listButtons->addWidget(m_new);
    listButtons->addWidget(m_duplicate);
    listButtons->addWidget(m_delete);
    auto *left = new QVBoxLayout;
    left->addWidget(m_list, 1);
    left->addLayout(listButtons);
    auto *testRow = new QHBoxLayout;
    testRow->addWidget(m_test);
    testRow->addStretch(1);
    auto *right = new QVBoxLayout;
    right->addWidget(m_form);
    right->addLayout(testRow);
    right->addWidget(m_status);
    right->addStretch(1);
    auto *columns = new QHBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(m_buttons);

    setTabOrder(m_list, m_new);
    setTabOrder(m_new, m_duplicate);
    setTabOrder(m_duplicate, m_delete);
    setTabOrder(m_delete, m_form);
    setTabOrder(m_form->readOnlyBox(), m_test);
    setTabOrder(m_test, m_buttons);

    connect(m_new, &QPushButton::clicked, this, &ConnectionDialog::newProfile);
    connect(m_duplicate, &QPushButton::clicked, this, &ConnectionDialog::duplicateProfile);
    connect(m_delete, &QPushButton::clicked, this, &ConnectionDialog::deleteProfile);
    connect(m_test, &QPushButton::clicked, this, &ConnectionDialog::testConnection);
    connect(m_form->loadStoresButton(), &QPushButton::clicked, this, &ConnectionDialog::loadStores);
    connect(m_connect, &QPushButton::clicked, this, &ConnectionDialog::tryConnect);
    connect(save, &QPushButton::clicked, this, [this] {
        const QString problem = saveProfile();
        if (!problem.isEmpty())
            showStatus(problem, true);
    });
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_list, &QListWidget::currentItemChanged, this, &ConnectionDialog::onSelectionChanged);
    connect(m_form, &ProfileForm::edited, this, [this] {
        m_dirty = true;
        updateButtons();
    });

    const QStringList names = m_profiles.names();
    QString first = m_profiles.lastUsed();
    if (!names.contains(first))
        first = names.value(0);
    if (first.isEmpty())
        newProfile();
    else
        selectProfile(first);
    resize(820, 460);
}

ConnectionDialog::~ConnectionDialog() = default;

void ConnectionDialog::reloadList(const QString &select)
{
    m_selecting = true;
    m_list->clear();
    for (const QString &name : m_profiles.names()) {
        auto *item = new QListWidgetItem(name, m_list);
        if (name == select)
            m_list->setCurrentItem(item);
    }
    m_selecting = false;
    updateButtons();
}

void ConnectionDialog::onSelectionChanged()
{
    if (m_selecting)
        return;
    const QListWidgetItem *item = m_list->currentItem();
    if (!item || item->text() == m_current)
        return;
    const QString next = item->text();
    if (m_dirty) {
        // Edits are kept rather than lost when another profile is picked.
        const QString problem = saveShown(nullptr);
        if (!problem.isEmpty())
            showStatus(tr("Your changes were not saved: %1").arg(problem), true);
    }
    selectProfile(next);
}

void ConnectionDialog::selectProfile(const QString &name)
{
    const std::optional<ConnectionProfile> profile = m_profiles.load(name);
    if (!profile) {
        showStatus(tr("There is no saved connection named \"%1\".").arg(name), true);
        return;
    }
    m_form->setProfile(*profile);
    m_current = name;
    m_dirty = false;
    reloadList(name);
    showStatus({}, false);
    const quint64 run = ++m_tokenRead;
    m_vault.read(name).then(this, [this, run](const TokenVault::Outcome &outcome) {
        if (run != m_tokenRead)
            return;
        if (outcome.ok() && m_form->token().isEmpty())
            m_form->setToken(outcome.token);
        if (outcome.status == TokenVault::Status::Ok ||
            outcome.status == TokenVault::Status::NotFound)
            m_form->setRememberToken(true);
        m_form->setKeychainState(outcome.status, outcome.message);
        emit tokenLoaded(outcome.status);
    });
}

void ConnectionDialog::newProfile()
{
    ConnectionProfile profile;
    profile.name = m_profiles.unusedName(tr("New connection"));
    profile.url = QUrl(QStringLiteral("https://dustlayer.io"));
    m_form->setProfile(profile);
    if (m_form->keychainAvailable())
        m_form->setRememberToken(true);
    m_current.clear();
    m_dirty = true;
    reloadList({});
    showStatus(tr("A new connection: fill in the server and the token, then Save or Connect."),
               false);
    // Whether "Remember" can work, before the user relies on it.
    const quint64 run = ++m_tokenRead;
    m_vault.read(profile.name).then(this, [this, run](const TokenVault::Outcome &outcome) {
        if (run != m_tokenRead)
            return;
        if (outcome.status == TokenVault::Status::Unavailable ||
            outcome.status == TokenVault::Status::Denied)
            m_form->setKeychainState(outcome.status, outcome.message);
        else
            m_form->setKeychainState(TokenVault::Status::NotFound, {});
        emit tokenLoaded(outcome.status);
    });
    m_form->nameEdit()->setFocus();
    m_form->nameEdit()->selectAll();
}

void ConnectionDialog::duplicateProfile()
{
    ConnectionProfile profile = m_form->profile();
    const QString token = m_form->token();
    profile.name = m_profiles.unusedName(tr("%1 (copy)").arg(profile.name));
    m_form->setProfile(profile);
    m_form->setToken(token);
    m_current.clear();
    m_dirty = true;
    ++m_tokenRead;
    reloadList({});
    showStatus(tr("A copy, not saved yet: Save or Connect keeps it."), false);
    m_form->nameEdit()->setFocus();
}

void ConnectionDialog::deleteProfile()
{
    if (!m_current.isEmpty()) {
        const QString name = m_current;
        if (const QString problem = m_profiles.remove(name); !problem.isEmpty()) {
            showStatus(problem, true);
            return;
        }
        m_vault.remove(name).then(this, [this, name](const TokenVault::Outcome &outcome) {
            if (outcome.status == TokenVault::Status::Denied)
                showStatus(tr("The profile \"%1\" was deleted, but its token could not be "
                              "removed from the system keychain: %2")
                               .arg(name, outcome.message),
                           true);
        });
        showStatus(tr("Deleted the connection \"%1\".").arg(name), false);
    }
    m_current.clear();
    m_dirty = false;
    const QStringList names = m_profiles.names();
    if (names.isEmpty()) {
        const QString status = m_status->text();
        newProfile();
        showStatus(status, false);
    } else {
        selectProfile(names.first());
    }
}

QString ConnectionDialog::saveProfile()
{
    QFuture<TokenVault::Outcome> tokenWrite;
    const QString problem = saveShown(&tokenWrite);
    if (!problem.isEmpty())
        return problem;
    const QString name = m_current;
    showStatus(tr("Saved \"%1\".").arg(name), false);
    if (tokenWrite.isValid())
        tokenWrite.then(this, [this, name](const TokenVault::Outcome &outcome) {
            if (outcome.ok())
                return;
            m_form->setKeychainState(outcome.status, outcome.message);
            showStatus(tr("Saved \"%1\", but not its token: %2").arg(name, outcome.message), true);
        });
    return {};
}

QString ConnectionDialog::saveShown(QFuture<TokenVault::Outcome> *tokenWrite)
{
    const ConnectionProfile profile = m_form->profile();
    if (const QString problem = profile.problem(); !problem.isEmpty())
        return problem;
    if (profile.name != m_current && m_profiles.contains(profile.name))
        return tr("A connection named \"%1\" exists already: choose another name.")
            .arg(profile.name);
    if (const QString problem = m_profiles.save(profile); !problem.isEmpty())
        return problem;
    if (!m_current.isEmpty() && m_current != profile.name) {
        m_profiles.remove(m_current); // a rename: the old name goes, with its token
        m_vault.remove(m_current);
    }
    const QString token = m_form->token();
    if (m_form->rememberToken() && !token.isEmpty()) {
        QFuture<TokenVault::Outcome> write = m_vault.write(profile.name, token);
        if (tokenWrite)
            *tokenWrite = write;
    } else if (m_form->keychainAvailable() && !m_form->rememberToken()) {
        m_vault.remove(profile.name); // "Remember" unticked: forget what was stored
    }
    m_current = profile.name;
    m_dirty = false;
    reloadList(profile.name);
    return {};
}

ConnectionProfile ConnectionDialog::profile() const
{
    return m_form->profile();
}

QString ConnectionDialog::token() const
{
    return m_form->token();
}

QString ConnectionDialog::statusText() const
{
    return m_status->text();
}

void ConnectionDialog::showStatus(const QString &text, bool problem)
{
    m_status->setText(text);
    m_status->setStyleSheet(problem ? QStringLiteral("color: #b00020;") : QString());
    m_status->setAccessibleDescription(text);
}

QString ConnectionDialog::usable(ConnectionProfile &profile) const
{
    profile = m_form->profile();
    if (const QString problem = profile.problem(); !problem.isEmpty())
        return problem;
    const CleartextPolicy::Decision decision =
        CleartextPolicy::check(profile.url, profile.allowCleartext);
    if (decision.verdict == CleartextPolicy::Verdict::Refused)
        return decision.message;
    if (m_form->token().isEmpty())
        return tr("Enter the API token (dust_tok_…) for %1.").arg(hostOf(profile));
    return {};
}

QString ConnectionDialog::makeProbe()
{
    ConnectionProfile profile;
    if (const QString problem = usable(profile); !problem.isEmpty())
        return problem;
    TransportFactory::HttpMade made = TransportFactory::createHttp(profile, m_form->token());
    if (!made.error.isEmpty())
        return made.error;
    m_probe = std::move(made.transport);
    m_probe->setTransferTimeout(kProbeTimeout);
    m_probeWarning = made.warning;
    return {};
}

void ConnectionDialog::testConnection()
{
    ++m_probeRun;
    if (const QString problem = makeProbe(); !problem.isEmpty()) {
        showStatus(problem, true);
        emit testFinished(false, problem);
        return;
    }
    const ConnectionProfile profile = m_form->profile();
    const QString host = hostOf(profile);
    showStatus(tr("Connecting to %1…").arg(host), false);
    const quint64 run = m_probeRun;
    m_probe->listStores().then(this, [this, run, host,
                                      profile](const Result<QList<StoreInfo>> &stores) {
        if (run != m_probeRun)
            return;
        bool ok = true;
        QString message;
        if (stores) {
            message =
                tr("Connected to %1: the token sees %n store(s).", nullptr, int(stores->size()))
                    .arg(host);
            const bool listed =
                std::any_of(stores->cbegin(), stores->cend(), [&](const StoreInfo &store) {
                    return store.fullName == profile.defaultStore;
                });
            if (!profile.defaultStore.isEmpty() && !listed)
                message += QLatin1Char(' ') +
                           tr("The default store %1 is not among them.").arg(profile.defaultStore);
        } else if (stores.error().kind() == Error::Kind::Forbidden) {
            message = tr("Connected to %1; the token is valid but may not list stores (it "
                         "lacks the stores:read scope).")
                          .arg(host);
        } else if (stores.error().kind() == Error::Kind::Unauthorized) {
            ok = false;
            message = tr("%1 refused the token: check that it is a valid, unexpired "
                         "dust_tok_… token for this server.")
                          .arg(host);
        } else {
            ok = false;
            message = tr("Could not connect to %1: %2").arg(host, stores.error().message());
        }
        if (ok && !m_probeWarning.isEmpty())
            message += QLatin1Char(' ') + m_probeWarning;
        showStatus(message, !ok);
        emit testFinished(ok, message);
    });
}

void ConnectionDialog::loadStores()
{
    ++m_probeRun;
    if (const QString problem = makeProbe(); !problem.isEmpty()) {
        showStatus(problem, true);
        emit storesLoaded(false, problem);
        return;
    }
    const QString host = hostOf(m_form->profile());
    showStatus(tr("Loading the stores of %1…").arg(host), false);
    const quint64 run = m_probeRun;
    m_probe->listStores().then(this, [this, run, host](const Result<QList<StoreInfo>> &stores) {
        if (run != m_probeRun)
            return;
        QString message;
        if (stores) {
            m_form->setStores(*stores);
            message = tr("%n store(s) on %1.", nullptr, int(stores->size())).arg(host);
        } else if (stores.error().kind() == Error::Kind::Forbidden) {
            message = tr("This token may not list the stores of %1 (it lacks the stores:read "
                         "scope): type the store as org/name.")
                          .arg(host);
        } else {
            message = tr("Could not load the stores of %1: %2").arg(host, stores.error().message());
        }
        showStatus(message, !stores);
        emit storesLoaded(bool(stores), message);
    });
}

void ConnectionDialog::tryConnect()
{
    if (m_connecting)
        return;
    ConnectionProfile profile;
    if (const QString problem = usable(profile); !problem.isEmpty()) {
        showStatus(problem, true);
        emit connectRefused(problem);
        return;
    }
    QFuture<TokenVault::Outcome> tokenWrite;
    if (const QString problem = saveShown(&tokenWrite); !problem.isEmpty()) {
        showStatus(problem, true);
        emit connectRefused(problem);
        return;
    }
    m_profiles.setLastUsed(profile.name);
    if (!tokenWrite.isValid()) {
        accept();
        return;
    }
    m_connecting = true;
    updateButtons();
    tokenWrite.then(this, [this](const TokenVault::Outcome &outcome) {
        m_connecting = false;
        updateButtons();
        if (outcome.ok()) {
            accept();
            return;
        }
        // Unticks "Remember" where there is no keychain, so the next Connect goes ahead.
        m_form->setKeychainState(outcome.status, outcome.message);
        m_form->setRememberToken(false);
        const QString message =
            tr("The token could not be stored in the system keychain: %1 Press Connect again "
               "to connect for this session only.")
                .arg(outcome.message);
        showStatus(message, true);
        emit connectRefused(message);
    });
}

void ConnectionDialog::updateButtons()
{
    m_delete->setEnabled(!m_current.isEmpty() || m_dirty);
    m_duplicate->setEnabled(true);
    m_connect->setEnabled(!m_connecting);
}

} // namespace dust
