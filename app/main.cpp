#include "CommandLine.h"
#include "ExportCommand.h"
#include "ImportCommand.h"
#include "Launcher.h"
#include "MainWindow.h"
#include "window/Icons.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

#include <cstdio>

namespace {

void nameApplication()
{
    QCoreApplication::setApplicationName(QStringLiteral("Dust Browser"));
    QCoreApplication::setOrganizationName(QStringLiteral("Dust Browser"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DUST_VERSION));
}

} // namespace

int main(int argc, char *argv[])
{
    // Headless subcommands: no display, no window.
    const QByteArray subcommand = argc > 1 ? QByteArray(argv[1]) : QByteArray();
    if (subcommand == "export" || subcommand == "import") {
        QCoreApplication app(argc, argv);
        nameApplication();
        return subcommand == "export" ? dust::runExportCommand(QCoreApplication::arguments())
                                      : dust::runImportCommand(QCoreApplication::arguments());
    }

    if (dust::CommandLine::onlyPrints(argc, argv)) {
        // --help and --version print and exit, without a display.
        QCoreApplication app(argc, argv);
        nameApplication();
        QCommandLineParser parser;
        dust::CommandLine::describe(parser);
        parser.process(app);
        return 0;
    }

    QApplication app(argc, argv);
    nameApplication();
    // The desktop matches the window to its entry (Wayland) and every window has the icon.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.dust.DustBrowser"));
    QApplication::setWindowIcon(dust::icons::application());
    dust::LaunchOptions options = dust::CommandLine::parse(QApplication::arguments());
    for (const QString &warning : std::as_const(options.warnings))
        std::fprintf(stderr, "dust-browser: %s\n", qPrintable(warning));
    if (!options.error.isEmpty()) {
        std::fprintf(stderr, "dust-browser: %s\n", qPrintable(options.error));
        return 2;
    }

    dust::MainWindow window;
    window.setTheme(
        dust::theme::fromName(QSettings().value(QStringLiteral("window/theme")).toString()));
    dust::Launcher launcher(window, std::move(options));
    window.show();
    launcher.start();
    return QApplication::exec();
}
