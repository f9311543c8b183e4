#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Dust Browser"));
    QApplication::setOrganizationName(QStringLiteral("Dust Browser"));
    QApplication::setApplicationVersion(QStringLiteral(DUST_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Browse, edit and watch Dust stores live."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);

    dust::MainWindow window;
    window.show();
    return QApplication::exec();
}
