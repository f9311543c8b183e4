// ReconnectBackoff on its own: the doubling schedule up to the cap, the jitter range, the
// attempt count and its reset. No server, no event loop.

#include "transport/ReconnectBackoff.h"

#include <QRandomGenerator>
#include <QTest>

using dust::ReconnectBackoff;
using std::chrono::milliseconds;

class TestSdkBackoff : public QObject
{
    Q_OBJECT

private slots:
    void ceiling_data();
    void ceiling();
    void delayStaysWithinHalfAndCeiling_data();
    void delayStaysWithinHalfAndCeiling();
    void nextCountsAttemptsUpToTheLimit();
    void resetStartsOver();
};

void TestSdkBackoff::ceiling_data()
{
    QTest::addColumn<int>("first");
    QTest::addColumn<int>("cap");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<int>("expected");

    QTest::newRow("first try") << 1000 << 30000 << 0 << 1000;
    QTest::newRow("doubled once") << 1000 << 30000 << 1 << 2000;
    QTest::newRow("doubled four times") << 1000 << 30000 << 4 << 16000;
    QTest::newRow("capped") << 1000 << 30000 << 5 << 30000;
    QTest::newRow("stays capped") << 1000 << 30000 << 30 << 30000;
    QTest::newRow("far beyond the cap") << 1000 << 30000 << 1000 << 30000;
    QTest::newRow("test options") << 50 << 400 << 3 << 400;
    QTest::newRow("cap below first is first") << 500 << 100 << 3 << 500;
    QTest::newRow("zero first is 1 ms") << 0 << 0 << 0 << 1;
    QTest::newRow("zero first doubles from 1 ms") << 0 << 8 << 2 << 4;
}

void TestSdkBackoff::ceiling()
{
    QFETCH(int, first);
    QFETCH(int, cap);
    QFETCH(int, attempt);
    QFETCH(int, expected);
    const ReconnectBackoff backoff{milliseconds(first), milliseconds(cap)};
    QCOMPARE(backoff.ceiling(attempt).count(), qint64(expected));
}

void TestSdkBackoff::delayStaysWithinHalfAndCeiling_data()
{
    QTest::addColumn<int>("attempt");
    QTest::newRow("0") << 0;
    QTest::newRow("1") << 1;
    QTest::newRow("3") << 3;
    QTest::newRow("capped") << 10;
}

void TestSdkBackoff::delayStaysWithinHalfAndCeiling()
{
    QFETCH(int, attempt);
    const ReconnectBackoff backoff{milliseconds(100), milliseconds(5000)};
    const qint64 top = backoff.ceiling(attempt).count();
    QRandomGenerator random(42);
    qint64 lowest = top;
    qint64 highest = 0;
    for (int i = 0; i < 2000; ++i) {
        const qint64 delay = backoff.delay(attempt, random).count();
        QVERIFY2(delay >= top / 2 && delay <= top, qPrintable(QString::number(delay)));
        lowest = std::min(lowest, delay);
        highest = std::max(highest, delay);
    }
    // Jitter spreads the waits over the range instead of repeating one value.
    QVERIFY(lowest < highest);
}

void TestSdkBackoff::nextCountsAttemptsUpToTheLimit()
{
    ReconnectBackoff backoff{milliseconds(10), milliseconds(80)};
    QCOMPARE(backoff.attempt(), 0);
    for (int i = 0; i < ReconnectBackoff::kMaxAttempt + 5; ++i) {
        const qint64 top = backoff.ceiling(backoff.attempt()).count();
        const qint64 delay = backoff.next().count();
        QVERIFY(delay >= top / 2 && delay <= top);
    }
    QCOMPARE(backoff.attempt(), ReconnectBackoff::kMaxAttempt);
}

void TestSdkBackoff::resetStartsOver()
{
    ReconnectBackoff backoff{milliseconds(10), milliseconds(1000)};
    for (int i = 0; i < 4; ++i)
        backoff.next();
    QCOMPARE(backoff.attempt(), 4);
    backoff.reset();
    QCOMPARE(backoff.attempt(), 0);
    QVERIFY(backoff.next() <= milliseconds(10));
}

QTEST_APPLESS_MAIN(TestSdkBackoff)
#include "tst_sdkbackoff.moc"
