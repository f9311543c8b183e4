#include "MainWindow.h"
#include "sync/MirrorCache.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QUrl>

#ifdef DUST_HAVE_DUSTLITE
#include "EmbeddedDustlite.h"
#endif

#include <cstring>
#include <memory>

namespace {

void describeOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral("Browse, edit and watch Dust stores live."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("server"),
                      QStringLiteral("Open a Dust server (http[s]://host:port) instead of the "
                                     "embedded local store."),
                      QStringLiteral("url")});
    parser.addOption({QStringLiteral("token"),
                      QStringLiteral("API token for --server (default: $DUST_TOKEN)."),
                      QStringLiteral("token")});
    parser.addOption({QStringLiteral("store"),
                      QStringLiteral("Store to open, as org/name (default: local/demo)."),
                      QStringLiteral("org/name")});
    parser.addOption({QStringLiteral("lazy"),
                      QStringLiteral("Browse over REST, loading folders as they are opened, "
                                     "instead of mirroring the store live over a WebSocket.")});
    parser.addOption({QStringLiteral("no-cache"),
                      QStringLiteral("Do not keep the live mirror in the on-disk cache.")});
}

// The transport a window browses with: a live WebSocket mirror (with the on-disk cache,
// so reopening a big store only catches up what changed), or lazy REST listings.
std::unique_ptr<dust::Transport> makeTransport(const QCommandLineParser &parser, const QUrl &url,
                                               const QString &token)
{
    if (parser.isSet(QStringLiteral("lazy")))
        return std::make_unique<dust::HttpTransport>(url, token);
    dust::SdkOptions options;
    options.url = url;
    options.token = token;
    if (!parser.isSet(QStringLiteral("no-cache")))
        options.cacheDirectory = dust::MirrorCache::defaultDirectory();
    return std::make_unique<dust::SdkTransport>(options);
}

// --help and --version print and exit; they must work without a display, so they are
// answered by a QCoreApplication before any GUI is set up.
bool onlyPrints(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        for (const char *flag : {"-h", "--help", "--help-all", "-?", "-v", "--version"}) {
            if (std::strcmp(argv[i], flag) == 0)
                return true;
        }
    }
    return false;
}

void nameApplication()
{
    QCoreApplication::setApplicationName(QStringLiteral("Dust Browser"));
    QCoreApplication::setOrganizationName(QStringLiteral("Dust Browser"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DUST_VERSION));
}

} // namespace

int main(int argc, char *argv[])
{
    if (onlyPrints(argc, argv)) {
        QCoreApplication app(argc, argv);
        nameApplication();
        QCommandLineParser parser;
        describeOptions(parser);
        parser.process(app); // prints and exits
        return 0;
    }

    QApplication app(argc, argv);
    nameApplication();
    QCommandLineParser parser;
    describeOptions(parser);
    parser.process(app);

    const QString store = parser.isSet(QStringLiteral("store"))
                              ? parser.value(QStringLiteral("store"))
                              : QStringLiteral("local/demo");
#ifdef DUST_HAVE_DUSTLITE
    // Declared before the window, so it outlives the tabs that talk to it.
    dust::lite::EmbeddedDustlite embedded;
#endif
    dust::MainWindow window;
    window.setTheme(
        dust::theme::fromName(QSettings().value(QStringLiteral("window/theme")).toString()));
    window.show();

    if (parser.isSet(QStringLiteral("server"))) {
        const QUrl url(parser.value(QStringLiteral("server")), QUrl::StrictMode);
        QString token = parser.value(QStringLiteral("token"));
        if (token.isEmpty())
            token = qEnvironmentVariable("DUST_TOKEN");
        if (!url.isValid() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
            window.showConnectionError(QObject::tr("Not a server address: %1")
                                           .arg(parser.value(QStringLiteral("server"))));
        } else {
            window.addStore(makeTransport(parser, url, token), store, {url.toDisplayString()});
        }
        return QApplication::exec();
    }

#ifdef DUST_HAVE_DUSTLITE
    // The embedded default: a local dustlite store with demo data, kept between runs, served
    // on a free loopback port from its own thread.
    dust::lite::ServerConfig config;
    config.port = 0;
    config.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                     QStringLiteral("/dustlite");
    QDir().mkpath(config.dataDir);
    config.stores = {store};
    config.seed = QStringLiteral("demo");
    QObject::connect(
        &embedded, &dust::lite::EmbeddedDustlite::started, &window,
        [&](quint16, const QUrl &baseUrl) {
            // The token the embedded server generated for its data directory.
            window.addStore(makeTransport(parser, baseUrl, embedded.token()), store,
                            {QObject::tr("embedded dustlite (%1)").arg(baseUrl.toDisplayString())});
        });
    QObject::connect(&embedded, &dust::lite::EmbeddedDustlite::failed, &window,
                     [&](const QString &error) {
                         window.showConnectionError(
                             QObject::tr("The embedded store could not start: %1").arg(error));
                     });
    embedded.start(config);
    return QApplication::exec();
#else
    window.showConnectionError(QObject::tr("Start with --server URL --token TOKEN."));
    return QApplication::exec();
#endif
}
