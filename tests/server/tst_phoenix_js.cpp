// The official Phoenix JavaScript client (npm `phoenix`, with `ws` as its WebSocket) against
// an in-process dustlite: tests/server/phoenix-js/test.mjs joins, writes, checks the event,
// the replies and a heartbeat reply.

#include "InProcessDustlite.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using dust::test::InProcessDustlite;

class TestPhoenixJs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void phoenixClientTalksToDustlite();
    void refusedTokenFails();

private:
    // Runs test.mjs against `dustlite` and returns its exit code (-1 on a crash or timeout).
    int runScript(InProcessDustlite &dustlite, const QString &token, QByteArray *output);

    QString m_node;
    QString m_dir;
};

void TestPhoenixJs::initTestCase()
{
    m_dir = QStringLiteral(DUST_SOURCE_DIR "/tests/server/phoenix-js");
    m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (m_node.isEmpty())
        m_node = QStandardPaths::findExecutable(QStringLiteral("nodejs"));
    if (m_node.isEmpty())
        QSKIP("node is not installed (Debian package nodejs); the Phoenix JS check needs it");
    const QDir modules(m_dir + QStringLiteral("/node_modules"));
    if (!QFileInfo::exists(modules.filePath(QStringLiteral("phoenix/package.json"))) ||
        !QFileInfo::exists(modules.filePath(QStringLiteral("ws/package.json"))))
        QSKIP("tests/server/phoenix-js/node_modules is missing: run `npm ci` there "
              "(./build.sh test does it)");
}

int TestPhoenixJs::runScript(InProcessDustlite &dustlite, const QString &token, QByteArray *output)
{
    QProcess node;
    node.setWorkingDirectory(m_dir);
    node.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy finished(&node, &QProcess::finished);
    node.start(m_node, {QStringLiteral("test.mjs"), dustlite.wsUrl().toString(), token,
                        QStringLiteral("local/demo")});
    if (!node.waitForStarted(10000)) {
        *output = node.errorString().toUtf8();
        return -1;
    }
    // The server runs in this thread: wait by spinning the event loop, never blocking it.
    if (!finished.wait(60000)) {
        node.kill();
        node.waitForFinished(5000);
        *output = node.readAll() + "\n(timed out)";
        return -1;
    }
    *output = node.readAll();
    return node.exitStatus() == QProcess::NormalExit ? node.exitCode() : -1;
}

void TestPhoenixJs::phoenixClientTalksToDustlite()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QByteArray output;
    const int code = runScript(dustlite, QStringLiteral("dust_tok_dev"), &output);
    QVERIFY2(code == 0, output.constData());
    QVERIFY2(output.contains("OK:"), output.constData());
    // The write really happened.
    QVERIFY(dustlite.store()->get(
        dust::Path::fromSegments(
            {QStringLiteral("phoenix-js"), QStringLiteral("check/slash"), QStringLiteral("hello")})
            .value()));
}

void TestPhoenixJs::refusedTokenFails()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QByteArray output;
    const int code = runScript(dustlite, QStringLiteral("dust_tok_wrong"), &output);
    QVERIFY2(code == 1, output.constData());
    QVERIFY2(output.contains("FAIL"), output.constData());
}

QTEST_GUILESS_MAIN(TestPhoenixJs)
#include "tst_phoenix_js.moc"
