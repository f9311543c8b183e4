// The command line: every option parsed into LaunchOptions, bad input refused with words, a
// token in argv accepted with a warning, the token variable honoured, and the overrides
// applied to a profile.

#include "CommandLine.h"

#include <QCommandLineParser>
#include <QProcessEnvironment>
#include <QTest>

#include <algorithm>
#include <initializer_list>
#include <vector>

using namespace dust;

class TestCommandLine : public QObject
{
    Q_OBJECT

private slots:
    void parses_data();
    void parses();
    void refuses_data();
    void refuses();
    void tokenSources_data();
    void tokenSources();
    void overridesApplyToAProfile();
    void onlyPrintsHelpAndVersion_data();
    void onlyPrintsHelpAndVersion();
    void helpListsTheOptions();
};

namespace {

QStringList list(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out.append(QString::fromUtf8(item));
    return out;
}

QStringList argv(const QStringList &args)
{
    return QStringList{QStringLiteral("dust-browser")} + args;
}

QStringList argv(std::initializer_list<const char *> args)
{
    return argv(list(args));
}

QProcessEnvironment environment(const QString &name = {}, const QString &value = {})
{
    QProcessEnvironment env;
    if (!name.isEmpty())
        env.insert(name, value);
    return env;
}

} // namespace

void TestCommandLine::parses_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("profile");
    QTest::addColumn<QString>("store");
    QTest::addColumn<bool>("lazy");
    QTest::addColumn<bool>("readOnly");
    QTest::addColumn<bool>("noCache");
    QTest::newRow("nothing") << QStringList() << ""
                             << ""
                             << "" << false << false << false;
    QTest::newRow("--url") << list({"--url", "https://dustlayer.io"}) << "https://dustlayer.io"
                           << ""
                           << "" << false << false << false;
    QTest::newRow("--server is --url")
        << list({"--server", "http://127.0.0.1:7755/"}) << "http://127.0.0.1:7755"
        << ""
        << "" << false << false << false;
    QTest::newRow("--url=wss, normalised")
        << list({"--url=wss://dustlayer.io/ws/sync"}) << "https://dustlayer.io"
        << ""
        << "" << false << false << false;
    QTest::newRow("everything") << list({"--url", "https://d.example", "--store", "acme/config",
                                         "--lazy", "--read-only", "--no-cache"})
                                << "https://d.example"
                                << ""
                                << "acme/config" << true << true << true;
    QTest::newRow("--profile") << list({"--profile", "Work", "--store", "acme/other"}) << ""
                               << "Work"
                               << "acme/other" << false << false << false;
}

void TestCommandLine::parses()
{
    QFETCH(QStringList, args);
    QFETCH(QString, url);
    QFETCH(QString, profile);
    QFETCH(QString, store);
    QFETCH(bool, lazy);
    QFETCH(bool, readOnly);
    QFETCH(bool, noCache);
    const LaunchOptions options = CommandLine::parse(argv(args), environment());
    QCOMPARE(options.error, QString());
    QCOMPARE(options.url, url.isEmpty() ? QUrl() : QUrl(url));
    QCOMPARE(options.hasServer(), !url.isEmpty());
    QCOMPARE(options.profile, profile);
    QCOMPARE(options.store, store);
    QCOMPARE(options.lazy, lazy);
    QCOMPARE(options.readOnly, readOnly);
    QCOMPARE(options.noCache, noCache);
    QCOMPARE(options.tokenEnv, QStringLiteral("DUST_TOKEN"));
    QVERIFY(options.warnings.isEmpty());
}

void TestCommandLine::refuses_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("words");
    QTest::newRow("unknown option") << list({"--frobnicate"}) << "frobnicate";
    QTest::newRow("--url without a value") << list({"--url"}) << "url";
    QTest::newRow("--url not a URL") << list({"--url", "dustlayer.io"}) << "not a server address";
    QTest::newRow("--url ftp") << list({"--url", "ftp://x.example"}) << "not a server address";
    QTest::newRow("--store without org") << list({"--store", "demo"}) << "org/name";
    QTest::newRow("--store upper case") << list({"--store", "Acme/Config"}) << "org/name";
    QTest::newRow("--url and --profile")
        << list({"--url", "https://d.example", "--profile", "Work"}) << "together";
    QTest::newRow("--profile empty") << list({"--profile", " "}) << "name";
    QTest::newRow("--token-env bad name") << list({"--token-env", "A-B"}) << "environment variable";
    QTest::newRow("positional") << list({"local/demo"}) << "local/demo";
}

void TestCommandLine::refuses()
{
    QFETCH(QStringList, args);
    QFETCH(QString, words);
    const LaunchOptions options = CommandLine::parse(argv(args), environment());
    QVERIFY2(options.error.contains(words, Qt::CaseInsensitive), qPrintable(options.error));
}

void TestCommandLine::tokenSources_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("envName");
    QTest::addColumn<QString>("envValue");
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("argvWarning");
    const QStringList url = list({"--url", "https://d.example"});
    QTest::newRow("DUST_TOKEN") << url << "DUST_TOKEN"
                                << "dust_tok_env"
                                << "dust_tok_env" << false;
    QTest::newRow("--token-env") << url + list({"--token-env", "MY_TOKEN"}) << "MY_TOKEN"
                                 << "dust_tok_mine"
                                 << "dust_tok_mine" << false;
    QTest::newRow("--token-env ignores DUST_TOKEN")
        << url + list({"--token-env", "MY_TOKEN"}) << "DUST_TOKEN"
        << "dust_tok_env"
        << "" << false;
    QTest::newRow("--token wins, warns") << url + list({"--token", "dust_tok_argv"}) << "DUST_TOKEN"
                                         << "dust_tok_env"
                                         << "dust_tok_argv" << true;
    QTest::newRow("--profile keeps the keychain's") << list({"--profile", "Work"}) << "DUST_TOKEN"
                                                    << "dust_tok_env"
                                                    << "" << false;
    QTest::newRow("--profile with --token-env")
        << list({"--profile", "Work", "--token-env", "DUST_TOKEN"}) << "DUST_TOKEN"
        << "dust_tok_env"
        << "dust_tok_env" << false;
    QTest::newRow("nothing set") << url << ""
                                 << ""
                                 << "" << false;
}

void TestCommandLine::tokenSources()
{
    QFETCH(QStringList, args);
    QFETCH(QString, envName);
    QFETCH(QString, envValue);
    QFETCH(QString, token);
    QFETCH(bool, argvWarning);
    const LaunchOptions options = CommandLine::parse(argv(args), environment(envName, envValue));
    QCOMPARE(options.error, QString());
    QCOMPARE(options.token, token);
    QCOMPARE(options.tokenFromArgv, argvWarning);
    const bool warned =
        std::any_of(options.warnings.cbegin(), options.warnings.cend(),
                    [](const QString &w) { return w.contains(QStringLiteral("other users")); });
    QCOMPARE(warned, argvWarning);
    // The warning never repeats the token.
    for (const QString &warning : options.warnings)
        QVERIFY(!warning.contains(QStringLiteral("dust_tok_")));
}

void TestCommandLine::overridesApplyToAProfile()
{
    ConnectionProfile saved;
    saved.name = QStringLiteral("Work");
    saved.url = QUrl(QStringLiteral("https://work.example"));
    saved.defaultStore = QStringLiteral("acme/config");
    LaunchOptions none = CommandLine::parse(argv({"--profile", "Work"}), environment());
    QCOMPARE(none.applyTo(saved), saved);

    LaunchOptions all = CommandLine::parse(
        argv({"--profile", "Work", "--store", "acme/other", "--lazy", "--read-only"}),
        environment());
    const ConnectionProfile changed = all.applyTo(saved);
    QCOMPARE(changed.url, saved.url);
    QCOMPARE(changed.defaultStore, QStringLiteral("acme/other"));
    QCOMPARE(changed.transport, ProfileTransport::Rest);
    QVERIFY(changed.readOnly);

    LaunchOptions adHoc =
        CommandLine::parse(argv({"--url", "http://localhost:7755"}), environment());
    const ConnectionProfile adHocProfile = adHoc.applyTo({});
    QCOMPARE(adHocProfile.url, QUrl(QStringLiteral("http://localhost:7755")));
    QCOMPARE(adHocProfile.name, QStringLiteral("http://localhost:7755"));
    QCOMPARE(adHocProfile.problem(), QString()); // ready for TransportFactory::create
}

void TestCommandLine::onlyPrintsHelpAndVersion_data()
{
    QTest::addColumn<QByteArrayList>("args");
    QTest::addColumn<bool>("prints");
    QTest::newRow("--help") << QByteArrayList{"--help"} << true;
    QTest::newRow("-h") << QByteArrayList{"--url", "https://x.example", "-h"} << true;
    QTest::newRow("--version") << QByteArrayList{"--version"} << true;
    QTest::newRow("-v") << QByteArrayList{"-v"} << true;
    QTest::newRow("--url") << QByteArrayList{"--url", "https://x.example"} << false;
    QTest::newRow("nothing") << QByteArrayList{} << false;
}

void TestCommandLine::onlyPrintsHelpAndVersion()
{
    QFETCH(QByteArrayList, args);
    QFETCH(bool, prints);
    QByteArray program("dust-browser");
    std::vector<char *> raw{program.data()};
    for (QByteArray &arg : args)
        raw.push_back(arg.data());
    QCOMPARE(CommandLine::onlyPrints(int(raw.size()), raw.data()), prints);
}

void TestCommandLine::helpListsTheOptions()
{
    QCommandLineParser parser;
    CommandLine::describe(parser);
    const QString help = parser.helpText();
    for (const char *option :
         {"--url, --server <URL>", "--store <ORG/NAME>", "--profile <NAME>", "--token-env <VAR>",
          "--token <TOKEN>", "--lazy", "--read-only", "--no-cache"})
        QVERIFY2(help.contains(QLatin1String(option)), option);
}

QTEST_MAIN(TestCommandLine)
#include "tst_commandline.moc"
