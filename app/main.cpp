#include "CommandLine.h"
#include "Launcher.h"
#include "MainWindow.h"

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
