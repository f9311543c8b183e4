// SyncWriteQueue, with no socket and no server: what waits behind a committing write, in what
// order it comes out, and where it is bounded.

#include "SyncWriteQueue.h"

#include <QTest>

using namespace dust::lite;
using dust::PhoenixMessage;

namespace {

PhoenixMessage frame(const QString &ref)
{
    return PhoenixMessage{QStringLiteral("1"), ref, QStringLiteral("store:acme/site"),
                          QStringLiteral("write"), QJsonObject()};
}

} // namespace

class TestSyncWriteQueue : public QObject
{
    Q_OBJECT

private slots:
    void idleUntilAWriteStarts();
    void framesComeOutInOrderBetweenWrites();
    void bounded_data();
    void bounded();
    void clearDropsWhatWaits();
};

void TestSyncWriteQueue::idleUntilAWriteStarts()
{
    SyncWriteQueue queue(10, 0);
    QVERIFY(!queue.busy());
    QVERIFY(!queue.takeNext());
    queue.startWrite();
    QVERIFY(queue.busy());
    QVERIFY(queue.writing());
    queue.finishWrite();
    QVERIFY(!queue.busy());
}

void TestSyncWriteQueue::framesComeOutInOrderBetweenWrites()
{
    SyncWriteQueue queue(10, 0);
    queue.startWrite();
    for (int i = 1; i <= 3; ++i)
        QVERIFY(queue.push(frame(QString::number(i)), 10));
    QVERIFY(!queue.takeNext()); // the write still commits
    queue.finishWrite();
    QVERIFY(queue.busy()); // frames still wait
    QCOMPARE(queue.takeNext()->ref, QStringLiteral("1"));
    queue.startWrite(); // frame 1 was a write
    QVERIFY(!queue.takeNext());
    queue.finishWrite();
    QCOMPARE(queue.takeNext()->ref, QStringLiteral("2"));
    QCOMPARE(queue.takeNext()->ref, QStringLiteral("3"));
    QVERIFY(!queue.takeNext());
    QVERIFY(!queue.busy());
}

void TestSyncWriteQueue::bounded_data()
{
    QTest::addColumn<int>("maxFrames");
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<qint64>("frameBytes");
    QTest::addColumn<int>("accepted");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("frames") << 3 << qint64(0) << qint64(100) << 3 << QStringLiteral("3 requests");
    QTest::newRow("bytes: what waits, not the new frame")
        << 0 << qint64(250) << qint64(100) << 3 << QStringLiteral("250 bytes of requests");
    QTest::newRow("one frame bigger than the byte bound")
        << 0 << qint64(50) << qint64(100) << 1 << QStringLiteral("50 bytes of requests");
    QTest::newRow("unbounded") << 0 << qint64(0) << qint64(100) << 50 << QString();
}

void TestSyncWriteQueue::bounded()
{
    QFETCH(int, maxFrames);
    QFETCH(qint64, maxBytes);
    QFETCH(qint64, frameBytes);
    QFETCH(int, accepted);
    QFETCH(QString, messagePart);

    SyncWriteQueue queue(maxFrames, maxBytes);
    queue.startWrite();
    int pushed = 0;
    while (pushed < 50 && queue.push(frame(QString::number(pushed)), frameBytes))
        ++pushed;
    QCOMPARE(pushed, accepted);
    QCOMPARE(queue.waitingFrames(), qsizetype(accepted));
    if (messagePart.isEmpty())
        return;
    const QJsonObject refusal = queue.tooManyResponse();
    QCOMPARE(refusal.value(QStringLiteral("reason")).toString(),
             QStringLiteral("too_many_pending_writes"));
    const QString message = refusal.value(QStringLiteral("message")).toString();
    QVERIFY2(message.contains(messagePart), qPrintable(message));
    // Room again once one is taken out.
    queue.finishWrite();
    QVERIFY(queue.takeNext());
    QVERIFY(queue.push(frame(QStringLiteral("again")), frameBytes));
}

void TestSyncWriteQueue::clearDropsWhatWaits()
{
    SyncWriteQueue queue(2, 0);
    queue.startWrite();
    QVERIFY(queue.push(frame(QStringLiteral("1")), 1));
    QVERIFY(queue.push(frame(QStringLiteral("2")), 1));
    QVERIFY(!queue.push(frame(QStringLiteral("3")), 1));
    queue.clear();
    QCOMPARE(queue.waitingFrames(), qsizetype(0));
    QVERIFY(queue.push(frame(QStringLiteral("4")), 1));
}

QTEST_GUILESS_MAIN(TestSyncWriteQueue)
#include "tst_syncwritequeue.moc"
