// The application's start as a person meets it: with no arguments the embedded dustlite
// store with demo data shows in the window with no dialog; --url opens that server (a real
// dustlite on 127.0.0.1) read-only when asked; an unknown --profile says which exist; a
// cleartext URL to another host is refused in words.

#include "InProcessDustlite.h"
#include "Launcher.h"
#include "MainWindow.h"
#include "StoreDb.h"
#include "TestAwait.h"

#include "model/StoreTreeModel.h"
#include "window/WindowActions.h"

#include <QAction>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace dust;
using namespace dust::test;

class TestLauncher : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void firstRunShowsTheDemoTree();
    void urlOpensThatServer();
    void unknownProfileSaysWhichExist();
    void cleartextToAnotherHostIsRefused();

private:
    QTemporaryDir m_home;
};

void TestLauncher::initTestCase()
{
    // A newcomer's machine: empty data, cache and settings directories of our own.
    QVERIFY(m_home.isValid());
    qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toUtf8());
    qputenv("XDG_CACHE_HOME", m_home.filePath(QStringLiteral("cache")).toUtf8());
    qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("Dust Browser test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_launcher"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       m_home.filePath(QStringLiteral("config")));
}

void TestLauncher::firstRunShowsTheDemoTree()
{
    MainWindow window;
    Launcher launcher(window, LaunchOptions{});
    window.show();
    launcher.start();
    QTRY_VERIFY_WITH_TIMEOUT(window.currentTab() != nullptr, 20000);
    QCOMPARE(window.currentTab()->store(), QStringLiteral("local/demo"));
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().startsWith(QStringLiteral("live")), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(window.treeModel()->leafCount() > 20, 20000);
    QVERIFY(window.treeModel()->index(path(QStringLiteral("users"))).isValid());
    QVERIFY(!window.currentTab()->isReadOnly());
    // The embedded store keeps its data in the user's data directory.
    QVERIFY(QFile::exists(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                          QStringLiteral("/dustlite/dustlite.token")));
}

void TestLauncher::urlOpensThatServer()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet({{path(QStringLiteral("only/here")), 1}},
                                      QStringLiteral("dev")) > 0);
    LaunchOptions options;
    options.url = dustlite.baseUrl();
    options.token = QStringLiteral("dust_tok_dev");
    options.store = QStringLiteral("local/demo");
    options.readOnly = true;
    MainWindow window;
    Launcher launcher(window, options);
    window.show();
    launcher.start();
    QVERIFY(window.currentTab());
    QTRY_COMPARE_WITH_TIMEOUT(window.treeModel()->leafCount(), 1, 20000);
    QVERIFY(window.currentTab()->isReadOnly());
    window.currentTab()->goToPath(path(QStringLiteral("only/here")));
    QTRY_VERIFY(window.currentTab()->currentPath().isValid());
    QVERIFY(!window.actions()->deleteEntry->isEnabled());
}

void TestLauncher::unknownProfileSaysWhichExist()
{
    LaunchOptions options;
    options.profile = QStringLiteral("nowhere");
    MainWindow window;
    Launcher launcher(window, options);
    launcher.start();
    QVERIFY(!window.currentTab());
    QVERIFY2(window.emptyText().contains(QStringLiteral("nowhere")),
             qPrintable(window.emptyText()));
}

void TestLauncher::cleartextToAnotherHostIsRefused()
{
    LaunchOptions options;
    options.url = QUrl(QStringLiteral("http://example.com:7755"));
    options.token = QStringLiteral("dust_tok_secret");
    MainWindow window;
    Launcher launcher(window, options);
    launcher.start();
    QVERIFY(!window.currentTab());
    QVERIFY2(window.emptyText().contains(QStringLiteral("example.com")),
             qPrintable(window.emptyText()));
    QVERIFY(!window.emptyText().contains(QStringLiteral("dust_tok_secret")));
}

QTEST_MAIN(TestLauncher)
#include "tst_launcher.moc"
