// dustlite's --retain-ops (ServerConfig::retainOps): the audit log keeps only the newest N ops,
// the older ones folded into the snapshot, so `diff` from before them answers 409 compacted
// with earliest_available and rollback to before them beyond_retention (dust-protocol.md
// §4.7, §5.5), while everything after them is still exact.

#include "RestTestFixture.h"

#include "StoreDb.h"
#include "protocol/Path.h"

using namespace resttest;

class TestRetention : public RestSuite
{
    Q_OBJECT

private slots:
    void cleanup() { stop(); }

    void logKeepsTheNewestOps_data();
    void logKeepsTheNewestOps();
    void diffBeforeTheEarliestIsCompacted();
    void diffFromTheFoldedStateIsExact();
    void rollbackBeforeTheEarliestIsBeyondRetention();
    void rollbackToTheFoldedStateRestoresIt();

private:
    static QByteArray store(const QByteArray &suffix) { return "/api/stores/local/demo" + suffix; }
    // The script every test starts with: seqs 1..5.
    void writeScript(qint64 retain);
    QList<qint64> logSeqs();
    static dust::Path P(const char *rendered) { return *dust::Path::parse(str(rendered)); }
};

void TestRetention::writeScript(qint64 retain)
{
    dust::lite::ServerConfig config = standardConfig();
    config.retainOps = retain;
    startWith(config);
    QCOMPARE(put("a", "1"), 1);
    QCOMPARE(put("b", R"({"c":{"x":1},"d":"keep"})"), 2);
    QCOMPARE(put("a", "2"), 3);
    QCOMPARE(m_http->del(entry("b/c")).status, 200); // 4
    QCOMPARE(put("a", "3"), 5);
}

QList<qint64> TestRetention::logSeqs()
{
    const HttpResult r = m_http->get(store("/log"));
    if (r.status != 200)
        return {-1};
    QList<qint64> seqs;
    for (const QJsonValue &op : r.object().value("ops"_L1).toArray())
        seqs.append(op["store_seq"_L1].toInteger());
    return seqs;
}

void TestRetention::logKeepsTheNewestOps_data()
{
    QTest::addColumn<qint64>("retain");
    QTest::addColumn<QList<qint64>>("seqs");
    QTest::addColumn<qint64>("snapshotSeq");
    QTest::newRow("off") << qint64(0) << QList<qint64>{5, 4, 3, 2, 1} << qint64(0);
    QTest::newRow("more than written") << qint64(9) << QList<qint64>{5, 4, 3, 2, 1} << qint64(0);
    QTest::newRow("exactly what was written")
        << qint64(5) << QList<qint64>{5, 4, 3, 2, 1} << qint64(0);
    QTest::newRow("three") << qint64(3) << QList<qint64>{5, 4, 3} << qint64(2);
    QTest::newRow("one") << qint64(1) << QList<qint64>{5} << qint64(4);
}

void TestRetention::logKeepsTheNewestOps()
{
    QFETCH(qint64, retain);
    QFETCH(QList<qint64>, seqs);
    QFETCH(qint64, snapshotSeq);
    writeScript(retain);
    QCOMPARE(logSeqs(), seqs);
    QCOMPARE(m_server->store()->latestSnapshotSeq(), snapshotSeq);
    QCOMPARE(m_server->store()->opCount(), qint64(seqs.size()));
    // The store itself is untouched, and writes go on with the next seq.
    QCOMPARE(m_http->get(entry("a")).object().value("value"_L1).toInt(), 3);
    QCOMPARE(m_http->get(entry("b")).object().value("value"_L1).toObject(), obj(R"({"d":"keep"})"));
    QCOMPARE(put("a", "4"), 6);
}

void TestRetention::diffBeforeTheEarliestIsCompacted()
{
    writeScript(3);
    const HttpResult r = m_http->get(store("/diff?from_seq=1"));
    QCOMPARE(r.status, 409);
    QCOMPARE(r.object(), obj(R"({"error":"compacted","earliest_available":2})"));
}

void TestRetention::diffFromTheFoldedStateIsExact()
{
    writeScript(3);
    const HttpResult r = m_http->get(store("/diff?from_seq=2&to_seq=5"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("changes"_L1).toArray(), arr(R"([{"path":"a","before":1,"after":3},
                     {"path":"b/c/x","before":1,"after":null}])"));
}

void TestRetention::rollbackBeforeTheEarliestIsBeyondRetention()
{
    writeScript(3);
    QJsonObject reply;
    QCOMPARE(m_server->store()->rollback(P("a"), 1, &reply).reason, str("beyond_retention"));
    QCOMPARE(m_server->store()->rollback(std::nullopt, 1, &reply).reason, str("beyond_retention"));
    QCOMPARE(m_http->get(entry("a")).object().value("value"_L1).toInt(), 3); // nothing written
}

void TestRetention::rollbackToTheFoldedStateRestoresIt()
{
    writeScript(3);
    QJsonObject reply;
    QVERIFY(m_server->store()->rollback(std::nullopt, 2, &reply).ok);
    QCOMPARE(m_http->get(entry("a")).object().value("value"_L1).toInt(), 1);
    QCOMPARE(m_http->get(entry("b")).object().value("value"_L1).toObject(),
             obj(R"({"c":{"x":1},"d":"keep"})"));
    // The rollback's own ops are retained like any others: the next commit folds them.
    QVERIFY(put("z", "1") > 5);
    QCOMPARE(m_server->store()->opCount(), 3);
}

QTEST_GUILESS_MAIN(TestRetention)
#include "tst_retention.moc"
