// Durability of dustlite: every write acknowledged over REST survives kill -9 of the server,
// and after a restart on the same data directory the store_seq continues where it stopped.

#include "DustliteProcess.h"
#include "RestTestFixture.h"

using namespace resttest;
using dust::test::DustliteProcess;

class TestRestart : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void acknowledgedWritesSurviveKill9();
    void restartKeepsThePort();
};

void TestRestart::initTestCase()
{
    if (DustliteProcess::executable().isEmpty())
        QSKIP("the dustlite executable is not part of this build");
}

void TestRestart::acknowledgedWritesSurviveKill9()
{
    DustliteProcess dustlite;
    QVERIFY2(dustlite.start({}, DustliteProcess::Storage::TempDir),
             qPrintable(dustlite.errorString()));
    TestHttp http(dustlite.baseUrl());

    // Acknowledged writes of every kind: PUT, body-path POST, DELETE and batch_write.
    QHash<QString, qint64> revisions; // path -> acknowledged revision; -1 = deleted
    qint64 lastSeq = 0;
    for (int i = 0; i < 150; ++i) {
        const QByteArray path = "items/k" + QByteArray::number(i % 60);
        const HttpResult r = http.put(TestHttp::entries("/" + path), QByteArray::number(i));
        QCOMPARE(r.status, 200);
        lastSeq = r.object().value("store_seq"_L1).toInteger();
        revisions.insert(QString::fromLatin1(path), lastSeq);
    }
    HttpResult r = http.post(TestHttp::entries(), R"({"path":"body/path","value":{"a":1}})");
    QCOMPARE(r.status, 200);
    lastSeq = r.object().value("store_seq"_L1).toInteger();
    revisions.insert(QStringLiteral("body/path/a"), lastSeq);
    r = http.del(TestHttp::entries("/items/k0"));
    QCOMPARE(r.status, 200);
    lastSeq = r.object().value("store_seq"_L1).toInteger();
    revisions.insert(QStringLiteral("items/k0"), -1);
    r = http.post(TestHttp::entries("/batch_write"),
                  R"({"ops":[{"op":"set","path":"batch/x","value":"x"},
                             {"op":"delete","path":"items/k1"}]})");
    QCOMPARE(r.status, 200);
    lastSeq = r.object().value("store_seq"_L1).toInteger();
    revisions.insert(QStringLiteral("batch/x"), lastSeq - 1);
    revisions.insert(QStringLiteral("items/k1"), -1);
    QCOMPARE(lastSeq, 154);

    dustlite.kill(); // SIGKILL right after the last acknowledgement
    QCOMPARE(dustlite.exitStatus(), QProcess::CrashExit);

    QVERIFY2(dustlite.restart(), qPrintable(dustlite.errorString()));
    TestHttp after(dustlite.baseUrl());
    for (auto it = revisions.cbegin(); it != revisions.cend(); ++it) {
        const QByteArray encoded = QUrl::toPercentEncoding(it.key(), "/");
        const HttpResult got = after.get(TestHttp::entries("/" + encoded));
        if (it.value() < 0) {
            QVERIFY2(got.status == 404, qPrintable(it.key()));
        } else {
            QVERIFY2(got.status == 200, qPrintable(it.key()));
            QCOMPARE(got.object().value("revision"_L1).toInteger(), it.value());
        }
    }
    const HttpResult next = after.put(TestHttp::entries("/after/restart"), "1");
    QCOMPARE(next.status, 200);
    QCOMPARE(next.object().value("store_seq"_L1).toInteger(), lastSeq + 1);
    const HttpResult log = after.get("/api/stores/local/demo/log?limit=1");
    QCOMPARE(log.object().value("pagination"_L1)["total"_L1].toInteger(), lastSeq + 1);
}

void TestRestart::restartKeepsThePort()
{
    DustliteProcess dustlite;
    QVERIFY2(dustlite.start({}, DustliteProcess::Storage::TempDir),
             qPrintable(dustlite.errorString()));
    const quint16 port = dustlite.port();
    dustlite.kill();
    QVERIFY2(dustlite.restart(), qPrintable(dustlite.errorString()));
    QCOMPARE(dustlite.port(), port);
    QCOMPARE(TestHttp(dustlite.baseUrl()).get("/healthz").status, 200);
}

QTEST_GUILESS_MAIN(TestRestart)
#include "tst_restart.moc"
