#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstring>
#include <memory>

namespace {

void describeOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral("Browse, edit and watch Dust stores live."));
    parser.addHelpOption();
    parser.addVersionOption();
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

    dust::MainWindow window;
    window.show();
    return QApplication::exec();
}
