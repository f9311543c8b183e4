// The dustlite executable: its ready line, --help and --version, bad arguments, tokens and
// seeding from the command line, and a clean exit on SIGTERM and SIGINT.

#include "DustliteProcess.h"
#include "RestTestFixture.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>

#include <csignal>

using namespace resttest;
using dust::test::DustliteProcess;

namespace {

struct Run
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;
};

// Runs dustlite to completion (for arguments that make it exit at once).
Run runToExit(const QStringList &args)
{
    Run run;
    QProcess process;
    process.start(DustliteProcess::executable(), args);
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitCode();
    run.exitStatus = process.exitStatus();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace

class TestDustliteCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void printsExactlyOneReadyLine();
    void help();
    void version();
    void badArguments_data();
    void badArguments();
    void portInUse();
    void tokensAndStores();
    void seedDemo();
    void limitsFromTheCommandLine();
    void retainOpsFromTheCommandLine();
    void cleanExitOnSignal_data();
    void cleanExitOnSignal();
};

void TestDustliteCli::initTestCase()
{
    if (DustliteProcess::executable().isEmpty())
        QSKIP("the dustlite executable is not part of this build");
}

void TestDustliteCli::printsExactlyOneReadyLine()
{
    DustliteProcess dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.port() != 0);
    const QRegularExpression ready(
        QStringLiteral("^dustlite listening on http://127\\.0\\.0\\.1:(\\d+)\\n$"));
    const auto match = ready.match(QString::fromUtf8(dustlite.standardOutput()));
    QVERIFY2(match.hasMatch(), dustlite.standardOutput().constData());
    QCOMPARE(match.captured(1).toUShort(), dustlite.port());
    TestHttp http(dustlite.baseUrl());
    QCOMPARE(http.get("/healthz").status, 200);
    QCOMPARE(http.put(TestHttp::entries("/a"), "1").status, 200);
    // The start-up notes (storage, tokens) go to stderr; a given token is not printed.
    dustlite.terminate();
    QVERIFY(dustlite.waitForExit());
    QVERIFY2(dustlite.standardError().contains("token"), dustlite.standardError().constData());
    QVERIFY(!dustlite.standardOutput().contains("dust_tok_dev"));
    QVERIFY(dustlite.standardError().contains("memory"));
    QCOMPARE(dustlite.standardOutput().count('\n'), 1);
}

void TestDustliteCli::help()
{
    const Run run = runToExit({QStringLiteral("--help")});
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QCOMPARE(run.exitCode, 0);
    for (const char *option : {"--listen",
                               "--port",
                               "--data",
                               "--memory",
                               "--token",
                               "--store",
                               "--seed",
                               "--broadcast-rest-writes",
                               "--max-body",
                               "--max-ws-message",
                               "--reads-per-minute",
                               "--writes-per-minute",
                               "--compact-after",
                               "--retain-ops",
                               "--allow-origin",
                               "--allow-host",
                               "--header-timeout",
                               "--body-timeout",
                               "--keep-alive-timeout",
                               "--max-connections",
                               "--max-connections-per-peer",
                               "--max-buffered-bytes",
                               "--max-ws-outgoing",
                               "--max-ws-pending",
                               "--version"})
        QVERIFY2(run.out.contains(option), option);
}

void TestDustliteCli::version()
{
    const Run run = runToExit({QStringLiteral("--version")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(DUST_VERSION), run.out.constData());
}

void TestDustliteCli::badArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("mentions");
    QTest::newRow("unknown option") << strs({"--bogus"}) << QByteArray("bogus");
    QTest::newRow("port text") << strs({"--port", "http"}) << QByteArray("--port");
    QTest::newRow("port too big") << strs({"--port", "70000"}) << QByteArray("--port");
    QTest::newRow("port missing value") << strs({"--port"}) << QByteArray("port");
    QTest::newRow("listen") << strs({"--listen", "nowhere"}) << QByteArray("--listen");
    QTest::newRow("token prefix") << strs({"--token", "secret"}) << QByteArray("dust_tok_");
    QTest::newRow("token scope") << strs({"--token", "dust_tok_a=entries:all"})
                                 << QByteArray("entries:all");
    QTest::newRow("seed") << strs({"--seed", "lots"}) << QByteArray("--seed");
    QTest::newRow("store") << strs({"--store", "Acme/Site"}) << QByteArray("Acme/Site");
    QTest::newRow("data and memory")
        << strs({"--data", "/tmp/x", "--memory"}) << QByteArray("--memory");
    QTest::newRow("max body") << strs({"--max-body", "0"}) << QByteArray("--max-body");
    QTest::newRow("max ws pending")
        << strs({"--max-ws-pending", "-1"}) << QByteArray("--max-ws-pending");
    QTest::newRow("rate") << strs({"--writes-per-minute", "-1"})
                          << QByteArray("--writes-per-minute");
    QTest::newRow("retain ops") << strs({"--retain-ops", "-1"}) << QByteArray("--retain-ops");
    QTest::newRow("positional") << strs({"serve"}) << QByteArray("serve");
    QTest::newRow("allow-origin with a path")
        << strs({"--allow-origin", "https://app.example/page"}) << QByteArray("--allow-origin");
    QTest::newRow("allow-origin scheme")
        << strs({"--allow-origin", "ftp://app.example"}) << QByteArray("--allow-origin");
    QTest::newRow("allow-host with a port")
        << strs({"--allow-host", "dust.test:80"}) << QByteArray("--allow-host");
}

void TestDustliteCli::badArguments()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, mentions);
    const Run run = runToExit(QStringList{QStringLiteral("--port"), QStringLiteral("0")} + args);
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QVERIFY(run.exitCode != 0);
    QVERIFY2(run.err.contains(mentions), run.err.constData());
    QVERIFY(!run.out.contains("listening"));
}

void TestDustliteCli::portInUse()
{
    QTcpServer blocker;
    QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
    const Run run = runToExit({QStringLiteral("--memory"), QStringLiteral("--port"),
                               QString::number(blocker.serverPort())});
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QByteArray::number(blocker.serverPort())), run.err.constData());
    QVERIFY(!run.out.contains("listening"));
}

void TestDustliteCli::tokensAndStores()
{
    DustliteProcess dustlite;
    QVERIFY2(dustlite.start(
                 strs({"--store", "acme/site", "--store", "acme/other", "--token", "dust_tok_full",
                       "--token", "dust_tok_ro=entries:read", "--token", "dust_tok_else@other"})),
             qPrintable(dustlite.errorString()));
    TestHttp http(dustlite.baseUrl(), QStringLiteral("dust_tok_full"));
    QCOMPARE(http.put(TestHttp::entries("/a", "acme/site"), "1").status, 200);
    QCOMPARE(http.put(TestHttp::entries("/a", "acme/other"), "1").status, 200);
    QCOMPARE(http.get("/api/stores").object().value("stores"_L1).toArray().size(), 2);
    http.setToken(QStringLiteral("dust_tok_ro"));
    QCOMPARE(http.get(TestHttp::entries("/a", "acme/site")).status, 200);
    QCOMPARE(http.put(TestHttp::entries("/a", "acme/site"), "2").status, 403);
    http.setToken(QStringLiteral("dust_tok_else"));
    QCOMPARE(http.get(TestHttp::entries("/a", "acme/site")).status, 404);
    http.setToken(QStringLiteral("dust_tok_dev")); // not accepted once tokens are given
    QCOMPARE(http.get(TestHttp::entries("/a", "acme/site")).status, 401);
}

void TestDustliteCli::seedDemo()
{
    DustliteProcess dustlite;
    QVERIFY2(dustlite.start(strs({"--seed", "demo"})), qPrintable(dustlite.errorString()));
    TestHttp http(dustlite.baseUrl());
    const HttpResult r = http.get(TestHttp::entries("?select=prefixes"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.object().value("items"_L1).toArray().size() > 3);
}

void TestDustliteCli::limitsFromTheCommandLine()
{
    DustliteProcess dustlite;
    QVERIFY2(dustlite.start(strs({"--max-body", "1000", "--writes-per-minute", "1"})),
             qPrintable(dustlite.errorString()));
    TestHttp http(dustlite.baseUrl());
    QCOMPARE(http.put(TestHttp::entries("/big"), '"' + QByteArray(2000, 'x') + '"').status, 413);
    QCOMPARE(http.put(TestHttp::entries("/a"), "1").status, 200);
    QCOMPARE(http.put(TestHttp::entries("/b"), "1").status, 429);
}

void TestDustliteCli::retainOpsFromTheCommandLine()
{
    DustliteProcess dustlite;
    QVERIFY2(dustlite.start(strs({"--retain-ops", "2"})), qPrintable(dustlite.errorString()));
    TestHttp http(dustlite.baseUrl());
    for (const char *value : {"1", "2", "3", "4"})
        QCOMPARE(http.put(TestHttp::entries("/k"), value).status, 200);
    const HttpResult log = http.get("/api/stores/local/demo/log");
    QCOMPARE(log.status, 200);
    QCOMPARE(log.object().value("pagination"_L1)["total"_L1].toInt(), 2);
    const HttpResult diff = http.get("/api/stores/local/demo/diff?from_seq=1");
    QCOMPARE(diff.status, 409);
    QCOMPARE(diff.object().value("earliest_available"_L1).toInteger(), 2);
}

void TestDustliteCli::cleanExitOnSignal_data()
{
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void TestDustliteCli::cleanExitOnSignal()
{
    QFETCH(int, signal);
    DustliteProcess dustlite;
    QVERIFY2(dustlite.start({}, DustliteProcess::Storage::TempDir),
             qPrintable(dustlite.errorString()));
    TestHttp http(dustlite.baseUrl());
    QCOMPARE(http.put(TestHttp::entries("/kept"), "1").status, 200);
    QCOMPARE(::kill(pid_t(dustlite.process()->processId()), signal), 0);
    QVERIFY(dustlite.waitForExit(30000));
    QCOMPARE(dustlite.exitStatus(), QProcess::NormalExit);
    QCOMPARE(dustlite.exitCode(), 0);
    QVERIFY2(dustlite.standardError().contains("shutting down"),
             dustlite.standardError().constData());
    // The data survived the shutdown.
    QVERIFY2(dustlite.restart(), qPrintable(dustlite.errorString()));
    QCOMPARE(TestHttp(dustlite.baseUrl()).get(TestHttp::entries("/kept")).status, 200);
}

QTEST_GUILESS_MAIN(TestDustliteCli)
#include "tst_dustlite_cli.moc"
