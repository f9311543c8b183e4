#include "Launcher.h"

#include "MainWindow.h"
#include "connection/ConnectionDialog.h"
#include "connection/TransportFactory.h"
#include "sync/MirrorCache.h"
#include "transport/Transport.h"

#include <QDir>
#include <QMessageBox>
#include <QStandardPaths>
#include <QStatusBar>

#ifdef DUST_HAVE_DUSTLITE
#include "EmbeddedDustlite.h"
#endif

namespace dust {

namespace {

const QString kDefaultStore = QStringLiteral("local/demo");

} // namespace

Launcher::Launcher(MainWindow &window, LaunchOptions options, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_options(std::move(options))
    , m_profiles(m_settings)
    , m_vault(this)
    , m_session(m_vault, &window, this)
{
    connect(&m_window, &MainWindow::openConnectionRequested, this, &Launcher::openConnectionDialog);
}

Launcher::~Launcher()
{
    // The tabs talk to the embedded server: they go first.
    m_window.closeAllTabs();
}

void Launcher::start()
{
    if (!m_options.profile.isEmpty()) {
        const auto saved = m_profiles.load(m_options.profile);
        if (!saved) {
            const QStringList names = m_profiles.names();
            showProblem(names.isEmpty()
                            ? tr("There is no saved connection named “%1”, and none is saved yet.")
                                  .arg(m_options.profile)
                            : tr("There is no saved connection named “%1”. Saved: %2.")
                                  .arg(m_options.profile, names.join(QStringLiteral(", "))));
            return;
        }
        const ConnectionProfile profile = m_options.applyTo(*saved);
        if (!m_options.token.isEmpty()) {
            open(profile, m_options.token);
            return;
        }
        auto *once = new QObject(this);
        connect(&m_session, &SessionToken::ready, once,
                [this, profile, once](const QString &token) {
                    once->deleteLater();
                    open(profile, token);
                });
        connect(&m_session, &SessionToken::cancelled, once, [this, profile, once] {
            once->deleteLater();
            showProblem(tr("No token for “%1”: nothing was opened.").arg(profile.name));
        });
        m_session.find(profile);
        return;
    }
    if (m_options.hasServer()) {
        open(m_options.applyTo({}), m_options.token);
        return;
    }
    startEmbedded();
}

void Launcher::startEmbedded()
{
#ifdef DUST_HAVE_DUSTLITE
    // The embedded default: a local dustlite store with demo data, kept between runs, served
    // on a free loopback port from its own thread.
    m_embedded = std::make_unique<lite::EmbeddedDustlite>();
    lite::ServerConfig config;
    config.port = 0;
    config.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                     QStringLiteral("/dustlite");
    QDir().mkpath(config.dataDir);
    const QString store = m_options.store.isEmpty() ? kDefaultStore : m_options.store;
    config.stores = {store};
    config.seed = QStringLiteral("demo");
    connect(m_embedded.get(), &lite::EmbeddedDustlite::started, this,
            [this, store](quint16, const QUrl &baseUrl) {
                ConnectionProfile profile;
                profile.name = tr("embedded dustlite");
                profile.url = baseUrl;
                profile.defaultStore = store;
                profile = m_options.applyTo(profile);
                open(profile, m_embedded->token());
            });
    connect(m_embedded.get(), &lite::EmbeddedDustlite::failed, this, [this](const QString &error) {
        showProblem(tr("The embedded store could not start: %1").arg(error));
    });
    m_embedded->start(config);
#else
    showProblem(tr("Open a server with File › Open Connection…, or start with --url URL."));
#endif
}

void Launcher::openConnectionDialog()
{
    ConnectionDialog dialog(m_profiles, m_vault, &m_window);
    if (dialog.exec() == QDialog::Accepted)
        open(dialog.profile(), dialog.token());
}

void Launcher::open(const ConnectionProfile &profile, const QString &token)
{
    TransportFactory::Made made = TransportFactory::create(profile, token, !m_options.noCache,
                                                           MirrorCache::defaultDirectory());
    if (!made.transport) {
        showProblem(made.error);
        return;
    }
    const QString store = profile.defaultStore.isEmpty() ? kDefaultStore : profile.defaultStore;
    const QString label = profile.url.isEmpty()
                              ? profile.name
                              : tr("%1 (%2)").arg(profile.name, profile.url.toDisplayString());
    m_window.addStore(std::move(made.transport), store, {label, profile.readOnly, profile.name});
    if (!made.warning.isEmpty())
        m_window.statusBar()->showMessage(made.warning, 15000);
    if (m_profiles.contains(profile.name))
        m_profiles.setLastUsed(profile.name);
}

void Launcher::showProblem(const QString &message)
{
    if (m_window.tabs()->count() == 0)
        m_window.showConnectionError(message);
    else
        QMessageBox::warning(&m_window, tr("Could not open the store"), message);
}

} // namespace dust
