// `dust-browser import` as scripts run it: the real binary in a QProcess against a dustlite in
// this process (real sockets), checking exit codes (0 done, 1 failed, 2 usage), what goes to
// stderr, the --yes refusal off a terminal, and the store read back. The terminal preview
// and question run under script(1), which gives the command a pseudo-terminal.

#include "InProcessDustlite.h"
#include "Seeder.h"
#include "TestHttp.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace dust;
using namespace Qt::Literals::StringLiterals;

namespace {

struct Ran
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

QString browserExecutable()
{
    const QString given = qEnvironmentVariable("DUST_BROWSER_EXECUTABLE");
    return given.isEmpty() ? QStringLiteral(QT_TESTCASE_BUILDDIR "/../app/dust-browser") : given;
}

} // namespace

class TestImportCommand : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void helpExitsZero();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void refusesWithoutYesWhenNotATerminal();
    void importsTheDemoExportIdentically();
    void readsStandardInput();
    void malformedLine3Of10WritesNothing();
    void failuresExitOne_data();
    void failuresExitOne();
    void terminalPreviewAsksFirst_data();
    void terminalPreviewAsksFirst();

private:
    // Runs `dust-browser import ARGS` with DUST_TOKEN set (unless `token` is empty), feeding
    // `input` to its standard input, while this process's event loop serves dustlite.
    Ran run(const QStringList &args, const QByteArray &input = {},
            const QString &token = u"dust_tok_dev"_s)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"DUST_TOKEN"_s);
        if (!token.isEmpty())
            env.insert(u"DUST_TOKEN"_s, token);
        env.insert(u"HOME"_s, m_home.path()); // no saved profiles of the user's
        env.insert(u"XDG_CONFIG_HOME"_s, m_home.path());
        process.setProcessEnvironment(env);
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(m_program, QStringList{u"import"_s} + args);
        if (!process.waitForStarted())
            return {};
        process.write(input);
        process.closeWriteChannel();
        if (finished.isEmpty() && !finished.wait(60000))
            return {};
        return {process.exitCode(), process.readAllStandardOutput(),
                process.readAllStandardError()};
    }
    QStringList server() const { return {u"--url"_s, m_dustlite->baseUrl().toString()}; }
    QString writeFile(const QString &name, const QByteArray &text)
    {
        QFile file(m_home.filePath(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
            qFatal("cannot write a test file");
        return file.fileName();
    }
    QList<QJsonObject> leavesOf(const QByteArray &store)
    {
        test::TestHttp http(m_dustlite->baseUrl());
        QList<QJsonObject> leaves;
        const auto body = http.get("/api/stores/" + store + "/export?format=jsonl").body;
        for (const QByteArray &line : body.split('\n')) {
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            if (!object.isEmpty() && !object.contains(u"_header"_s))
                leaves.append(object);
        }
        return leaves;
    }
    QByteArray demoExport()
    {
        test::TestHttp http(m_dustlite->baseUrl());
        return http.get("/api/stores/local/demo/export?format=jsonl").body;
    }

    QString m_program;
    QTemporaryDir m_home;
    std::unique_ptr<test::InProcessDustlite> m_dustlite;
};

void TestImportCommand::initTestCase()
{
    m_program = browserExecutable();
    QVERIFY2(
        QFile::exists(m_program),
        qPrintable(u"build dust-browser first (or set DUST_BROWSER_EXECUTABLE): "_s + m_program));
    QVERIFY(m_home.isValid());
}

void TestImportCommand::init()
{
    m_dustlite = std::make_unique<test::InProcessDustlite>();
    m_dustlite->config().stores = {u"local/demo"_s, u"local/empty"_s};
    QVERIFY2(m_dustlite->start(), qPrintable(m_dustlite->errorString()));
    QVERIFY(lite::seedDemo(*m_dustlite->store(u"local/demo"_s)) > 0);
}

void TestImportCommand::cleanup()
{
    m_dustlite.reset();
}

void TestImportCommand::helpExitsZero()
{
    const Ran ran = run({u"--help"_s});
    QCOMPARE(ran.exitCode, 0);
    QVERIFY(ran.out.contains("--mode <merge|replace>"));
    QVERIFY(ran.out.contains("--yes"));
    QVERIFY(ran.err.isEmpty());
}

void TestImportCommand::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("says");
    QTest::newRow("no file") << QStringList{u"--store"_s, u"local/empty"_s, u"--yes"_s}
                             << QByteArray("say which file");
    QTest::newRow("two files") << QStringList{u"--yes"_s, u"a"_s, u"b"_s}
                               << QByteArray("give one file");
    QTest::newRow("bad mode") << QStringList{u"--mode"_s, u"both"_s, u"--yes"_s, u"f"_s}
                              << QByteArray("--mode must be merge or replace");
    QTest::newRow("bad path") << QStringList{u"--path"_s, u"a//b"_s, u"--yes"_s, u"f"_s}
                              << QByteArray("--path a//b is not a path");
    QTest::newRow("csv") << QStringList{u"--format"_s, u"csv"_s, u"--yes"_s, u"f"_s}
                         << QByteArray("--format must be");
    QTest::newRow("no server") << QStringList{u"--store"_s, u"local/empty"_s, u"--yes"_s, u"f"_s}
                               << QByteArray("--url URL or --profile NAME");
    QTest::newRow("no store") << QStringList{u"--url"_s, u"http://127.0.0.1:1"_s, u"--yes"_s,
                                             u"f"_s}
                              << QByteArray("--store ORG/NAME");
    QTest::newRow("unknown option")
        << QStringList{u"--frobnicate"_s, u"f"_s} << QByteArray("frobnicate");
    QTest::newRow("unknown profile") << QStringList{u"--profile"_s, u"nosuch"_s, u"--yes"_s, u"f"_s}
                                     << QByteArray("no saved connection named \"nosuch\"");
}

void TestImportCommand::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, says);
    const Ran ran = run(args);
    QCOMPARE(ran.exitCode, 2);
    QVERIFY2(ran.err.contains(says), ran.err.constData());
    QVERIFY(ran.out.isEmpty());
}

void TestImportCommand::refusesWithoutYesWhenNotATerminal()
{
    const QString file = writeFile(u"one.json"_s, R"({"a":1})");
    const Ran ran = run(server() + QStringList{u"--store"_s, u"local/empty"_s, file});
    QCOMPARE(ran.exitCode, 2);
    QVERIFY2(ran.err.contains("add --yes"), ran.err.constData());
    QVERIFY(leavesOf("local/empty").isEmpty());
}

void TestImportCommand::importsTheDemoExportIdentically()
{
    const QString file = writeFile(u"demo.ndjson"_s, demoExport());
    const Ran ran = run(server() + QStringList{u"--store"_s, u"local/empty"_s, u"--yes"_s, file});
    QCOMPARE(ran.exitCode, 0);
    QVERIFY2(ran.out.startsWith("Imported: "), ran.out.constData());
    QVERIFY2(ran.err.isEmpty(), ran.err.constData()); // no progress line off a terminal
    const QList<QJsonObject> source = leavesOf("local/demo");
    QVERIFY(source.size() > 40);
    QCOMPARE(leavesOf("local/empty"), source);

    // Once more: nothing to do, still a success.
    const Ran again = run(server() + QStringList{u"--store"_s, u"local/empty"_s, u"--yes"_s, file});
    QCOMPARE(again.exitCode, 0);
    QVERIFY2(again.out.startsWith("Nothing to import"), again.out.constData());
}

void TestImportCommand::readsStandardInput()
{
    const Ran ran = run(server() + QStringList{u"--store"_s, u"local/empty"_s, u"--path"_s, u"in"_s,
                                               u"--mode"_s, u"replace"_s, u"--yes"_s, u"-"_s},
                        R"({"x":{"y":[1,2]},"z":null})");
    QCOMPARE(ran.exitCode, 0);
    const QList<QJsonObject> leaves = leavesOf("local/empty");
    QCOMPARE(leaves.size(), 2);
    QCOMPARE(leaves.at(0).value(u"path"_s).toString(), u"in/x/y"_s);
    QCOMPARE(leaves.at(1).value(u"path"_s).toString(), u"in/z"_s);
    // Without --yes, standard input cannot also answer the question.
    const Ran refused = run(server() + QStringList{u"--store"_s, u"local/empty"_s, u"-"_s}, "{}");
    QCOMPARE(refused.exitCode, 2);
}

void TestImportCommand::malformedLine3Of10WritesNothing()
{
    QByteArray text;
    for (int i = 1; i <= 10; ++i)
        text += i == 3 ? QByteArray(R"({"path":"k3","value":[1,}})"
                                    "\n")
                       : R"({"path":"k)" + QByteArray::number(i) + R"(","value":1})" + "\n";
    const QString file = writeFile(u"bad.ndjson"_s, text);
    const Ran ran = run(server() + QStringList{u"--store"_s, u"local/empty"_s, u"--yes"_s, file});
    QCOMPARE(ran.exitCode, 1);
    QVERIFY2(ran.err.contains("line 3, column 24: invalid JSON"), ran.err.constData());
    QVERIFY2(ran.err.contains("Nothing was written"), ran.err.constData());
    QVERIFY(ran.out.isEmpty());
    QVERIFY(leavesOf("local/empty").isEmpty());
}

void TestImportCommand::failuresExitOne_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("says");
    QTest::newRow("no token") << QString() << QString()
                              << QByteArray("set the environment variable DUST_TOKEN");
    QTest::newRow("wrong token") << u"dust_tok_wrong"_s << QString()
                                 << QByteArray("the preview failed");
    QTest::newRow("no server") << u"dust_tok_dev"_s << u"http://127.0.0.1:1"_s
                               << QByteArray("the preview failed");
    QTest::newRow("cleartext elsewhere")
        << u"dust_tok_dev"_s << u"http://example.com"_s << QByteArray("dust-browser import: ");
}

void TestImportCommand::failuresExitOne()
{
    QFETCH(QString, token);
    QFETCH(QString, url);
    QFETCH(QByteArray, says);
    const QString file = writeFile(u"one.json"_s, R"({"a":1})");
    const QStringList where = url.isEmpty() ? server() : QStringList{u"--url"_s, url};
    const Ran ran =
        run(where + QStringList{u"--store"_s, u"local/empty"_s, u"--yes"_s, file}, {}, token);
    QCOMPARE(ran.exitCode, 1);
    QVERIFY2(ran.err.contains(says), ran.err.constData());
    QVERIFY(leavesOf("local/empty").isEmpty());
}

void TestImportCommand::terminalPreviewAsksFirst_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("no") << QByteArray("n\n") << 1;
    QTest::newRow("nothing") << QByteArray("\n") << 1;
    QTest::newRow("yes") << QByteArray("y\n") << 0;
}

void TestImportCommand::terminalPreviewAsksFirst()
{
    QFETCH(QByteArray, answer);
    QFETCH(int, exitCode);
    const QString script = QStandardPaths::findExecutable(u"script"_s);
    if (script.isEmpty())
        QSKIP("script(1) (util-linux) is needed to give the command a terminal");
    const QString file = writeFile(u"two.json"_s, R"({"a":1,"b":{"c":"x"}})");
    QStringList command{m_program, u"import"_s};
    command += server() + QStringList{u"--store"_s, u"local/empty"_s, file};
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"DUST_TOKEN"_s, u"dust_tok_dev"_s);
    process.setProcessEnvironment(env);
    QSignalSpy finished(&process, &QProcess::finished);
    // -e: script exits with the command's code; the typed answer goes through the terminal.
    process.start(script, {u"-qec"_s, command.join(u' '), u"/dev/null"_s});
    QVERIFY(process.waitForStarted());
    QByteArray seen;
    QTRY_VERIFY_WITH_TIMEOUT((seen += process.readAllStandardOutput()).contains("[y/N]"), 30000);
    process.write(answer);
    QVERIFY(finished.wait(30000));
    seen += process.readAllStandardOutput();
    QCOMPARE(process.exitCode(), exitCode);
    QVERIFY2(seen.contains("2 to create, 0 to change, 0 unchanged"), seen.constData());
    QVERIFY2(seen.contains("+ a") && seen.contains("+ b/c"), seen.constData());
    if (exitCode == 0) {
        QVERIFY2(seen.contains("importing: 2 of 2 writes (100%)"), seen.constData());
        QCOMPARE(leavesOf("local/empty").size(), 2);
    } else {
        QVERIFY2(seen.contains("Nothing was written"), seen.constData());
        QVERIFY(leavesOf("local/empty").isEmpty());
    }
}

QTEST_GUILESS_MAIN(TestImportCommand)
#include "tst_importcommand.moc"
