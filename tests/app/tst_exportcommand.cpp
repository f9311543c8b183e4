// `dust-browser export` as scripts run it: the real binary in a QProcess against a real
// dustlite on 127.0.0.1, checking exit codes (0 done, 1 failed, 2 usage), the one line on
// stderr, and what reaches the file or stdout. The binary is found next to the test's
// build folder (build/app/dust-browser; DUST_BROWSER_BIN overrides): build the dust-browser
// target before this suite.
#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestHttp.h"
#include "transport/HttpTransport.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace dust;
using namespace dust::test;

namespace {

struct Outcome
{
    int code = -1;
    QByteArray out;
    QByteArray err;
};

QString browserBinary()
{
    const QString overridden = qEnvironmentVariable("DUST_BROWSER_BIN");
    if (!overridden.isEmpty())
        return overridden;
    return QDir(QCoreApplication::applicationDirPath())
        .absoluteFilePath(QStringLiteral("../app/dust-browser"));
}

QByteArray withoutExportedAt(const QByteArray &bytes)
{
    static const QRegularExpression stamp(QStringLiteral("\"exported_at\":\"[^\"]*\""));
    return QString::fromUtf8(bytes).replace(stamp, QStringLiteral("\"exported_at\":\"\"")).toUtf8();
}

} // namespace

class TestExportCommand : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void failures_data();
    void failures();
    void toFile();
    void toStdout();
    void tokenFromDustTokenByDefault();
    void help();

private:
    // Runs the binary while this thread's event loop serves the in-process dustlite.
    Outcome run(const QStringList &arguments, const QString &dustToken = {});
    QStringList connect(const QString &url = {}) const;

    InProcessDustlite m_dustlite;
    QTemporaryDir m_dir;
    QString m_deadUrl;
};

void TestExportCommand::initTestCase()
{
    QVERIFY2(QFileInfo::exists(browserBinary()),
             qPrintable(QStringLiteral("build dust-browser first: no ") + browserBinary()));
    QVERIFY2(m_dustlite.start(), qPrintable(m_dustlite.errorString()));
    QVERIFY(m_dir.isValid());
    HttpTransport http(m_dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
    QVERIFY(await(http.put(QStringLiteral("local/demo"), path(QStringLiteral("users/alice/name")),
                           QStringLiteral("Alice"))));
    QVERIFY(
        await(http.put(QStringLiteral("local/demo"), path(QStringLiteral("users/bob/age")), 41)));
    QVERIFY(await(http.put(QStringLiteral("local/demo"), path(QStringLiteral("other")), true)));
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    m_deadUrl = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
}

// `dustToken`: the DUST_TOKEN the command sees (none when empty).
Outcome TestExportCommand::run(const QStringList &arguments, const QString &dustToken)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("DUST_TEST_TOKEN"), QStringLiteral("dust_tok_dev"));
    environment.insert(QStringLiteral("DUST_BAD_TOKEN"), QStringLiteral("dust_tok_wrong"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("cfg")));
    environment.remove(QStringLiteral("DUST_TOKEN"));
    if (!dustToken.isEmpty())
        environment.insert(QStringLiteral("DUST_TOKEN"), dustToken);
    environment.remove(QStringLiteral("DISPLAY"));
    environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
    environment.remove(QStringLiteral("QT_QPA_PLATFORM"));
    process.setProcessEnvironment(environment);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(browserBinary(), QStringList{QStringLiteral("export")} + arguments);
    Outcome outcome;
    if (!process.waitForStarted(10000))
        return outcome;
    if (finished.isEmpty() && !finished.wait(60000))
        return outcome;
    outcome.code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    outcome.out = process.readAllStandardOutput();
    outcome.err = process.readAllStandardError();
    return outcome;
}

QStringList TestExportCommand::connect(const QString &url) const
{
    return {QStringLiteral("--url"),       url.isEmpty() ? m_dustlite.baseUrl().toString() : url,
            QStringLiteral("--store"),     QStringLiteral("local/demo"),
            QStringLiteral("--token-env"), QStringLiteral("DUST_TEST_TOKEN")};
}

void TestExportCommand::failures_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("stderrStart");

    const QString url = m_dustlite.baseUrl().toString();
    const QString prefix = QStringLiteral("dust-browser export: ");
    QTest::newRow("dead server") << connect(m_deadUrl) << 1
                                 << prefix + QStringLiteral("Cannot reach ") + m_deadUrl;
    QTest::newRow("bad token")
        << QStringList{QStringLiteral("--url"),       url,
                       QStringLiteral("--store"),     QStringLiteral("local/demo"),
                       QStringLiteral("--token-env"), QStringLiteral("DUST_BAD_TOKEN")}
        << 1 << prefix + QStringLiteral("The server refused the token (401 Unauthorized).");
    QTest::newRow("missing store")
        << QStringList{QStringLiteral("--url"),       url,
                       QStringLiteral("--store"),     QStringLiteral("local/nope"),
                       QStringLiteral("--token-env"), QStringLiteral("DUST_TEST_TOKEN")}
        << 1 << prefix + QStringLiteral("The store local/nope was not found");
    QTest::newRow("nothing at path")
        << connect() + QStringList{QStringLiteral("--path"), QStringLiteral("no/such")} << 1
        << prefix + QStringLiteral("Nothing is stored at no/such.");
    QTest::newRow("bad path") << connect() + QStringList{QStringLiteral("--path"),
                                                         QStringLiteral("users//alice")}
                              << 2
                              << prefix + QStringLiteral("--path: 'users//alice' is not a path");
    QTest::newRow("bad format")
        << connect() + QStringList{QStringLiteral("--format"), QStringLiteral("xml")} << 2
        << prefix + QStringLiteral("--format: 'xml' is not one of json, ndjson, flat, csv");
    QTest::newRow("no store") << QStringList{QStringLiteral("--url"), url,
                                             QStringLiteral("--token-env"),
                                             QStringLiteral("DUST_TEST_TOKEN")}
                              << 2 << prefix + QStringLiteral("--store is required");
    QTest::newRow("unknown option") << connect() + QStringList{QStringLiteral("--frobnicate")} << 2
                                    << prefix + QStringLiteral("Unknown option 'frobnicate'");
    QTest::newRow("unset token variable")
        << QStringList{QStringLiteral("--url"),       url,
                       QStringLiteral("--store"),     QStringLiteral("local/demo"),
                       QStringLiteral("--token-env"), QStringLiteral("DUST_NO_SUCH_VARIABLE")}
        << 2 << prefix + QStringLiteral("--token-env: the environment variable");
}

void TestExportCommand::failures()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, code);
    QFETCH(QString, stderrStart);
    const QString target = m_dir.filePath(QStringLiteral("failed.json"));
    const Outcome outcome = run(arguments + QStringList{QStringLiteral("-o"), target});
    QCOMPARE(outcome.code, code);
    const QString err = QString::fromUtf8(outcome.err);
    QVERIFY2(err.startsWith(stderrStart), qPrintable(err));
    QCOMPARE(err.count(QLatin1Char('\n')), 1); // one line
    QVERIFY(outcome.out.isEmpty());
    QVERIFY(!QFile::exists(target));
}

void TestExportCommand::toFile()
{
    const QString target = m_dir.filePath(QStringLiteral("store.ndjson"));
    const Outcome outcome =
        run(connect() + QStringList{QStringLiteral("--format"), QStringLiteral("ndjson"),
                                    QStringLiteral("-o"), target});
    QCOMPARE(outcome.code, 0);
    QCOMPARE(outcome.err, QByteArray()); // stderr is not a terminal: quiet
    QFile file(target);
    QVERIFY(file.open(QIODevice::ReadOnly));
    TestHttp http(m_dustlite.baseUrl());
    const HttpResult server = http.get("/api/stores/local/demo/export");
    QCOMPARE(server.status, 200);
    QCOMPARE(withoutExportedAt(file.readAll()), withoutExportedAt(server.body));
}

void TestExportCommand::tokenFromDustTokenByDefault()
{
    const QStringList arguments{QStringLiteral("--url"),   m_dustlite.baseUrl().toString(),
                                QStringLiteral("--store"), QStringLiteral("local/demo"),
                                QStringLiteral("--path"),  QStringLiteral("other")};
    const Outcome given = run(arguments, QStringLiteral("dust_tok_dev"));
    QCOMPARE(given.code, 0);
    QVERIFY2(given.out.contains("\"other\""), given.out.constData());
    const Outcome none = run(arguments);
    QCOMPARE(none.code, 2);
    QVERIFY2(none.err.contains("DUST_TOKEN"), none.err.constData());
}

void TestExportCommand::toStdout()
{
    const Outcome outcome =
        run(connect() + QStringList{QStringLiteral("--path"), QStringLiteral("users"),
                                    QStringLiteral("--format"), QStringLiteral("json"),
                                    QStringLiteral("-o"), QStringLiteral("-")});
    QCOMPARE(outcome.code, 0);
    QCOMPARE(outcome.err, QByteArray());
    QCOMPARE(
        QJsonDocument::fromJson(outcome.out).object(),
        QJsonDocument::fromJson("{\"alice\":{\"name\":\"Alice\"},\"bob\":{\"age\":41}}").object());
}

void TestExportCommand::help()
{
    const Outcome outcome = run({QStringLiteral("--help")});
    QCOMPARE(outcome.code, 0);
    QVERIFY(outcome.out.contains("--token-env <VAR>"));
    QVERIFY(outcome.out.contains("Exit codes: 0 done, 1 failed, 2 usage error."));
}

QTEST_GUILESS_MAIN(TestExportCommand)
#include "tst_exportcommand.moc"
