// Group commit of WebSocket writes (StoreRegistry::write, StoreDb::writeGroupWith,
// GroupCommit): the writes of several sockets waiting for one store commit in one SQLite
// transaction, each in its own savepoint, and are acknowledged only once its COMMIT is durable.
//
// The stores here are files (the pool commits them); in-memory stores commit at once, alone.
// To make a group form on cue, a test holds the store's write lock (StoreDb::lockWrites(), as
// a commit in progress holds it) while the writes arrive, and lets go once they all wait.

#include "StoreSql.h"
#include "WsTestHarness.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <vector>

using namespace wstest;

namespace {

// A `set` of `value` at `where` as a socket sends it.
QJsonObject setPayload(const QString &where, const QJsonValue &value, const QString &opId,
                       const QJsonObject &extra = {})
{
    return writePayload(QStringLiteral("set"), where, value, opId, extra);
}

QString storeOf(const QTemporaryDir &dir)
{
    return dir.path() + QStringLiteral("/acme/site.sqlite");
}

// `count` joined clients of `server`.
std::vector<std::unique_ptr<WsClient>> joinedClients(WsServer &server, int count)
{
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < count; ++i) {
        auto client = server.joined();
        if (!client)
            return {};
        clients.push_back(std::move(client));
    }
    return clients;
}

// The error of a failed open, for a test's message (empty when it opened).
template <typename T> QString errorOf(const dust::Expected<T, QString> &opened)
{
    return opened ? QString() : opened.error();
}

// How many replies `client` received to `ref` so far.
qsizetype repliesTo(const WsClient &client, const QString &ref)
{
    return std::count_if(client.received.cbegin(), client.received.cend(),
                         [&](const PhoenixMessage &m) { return m.isReply() && m.ref == ref; });
}

} // namespace

class TestGroupCommit : public QObject
{
    Q_OBJECT

private slots:
    void manyWritersEachAcknowledgedOnce();
    void waitingWritesShareOneCommit();
    void oneWriterCommitsEachWriteAlone();
    void failedWriteInAGroup_data();
    void failedWriteInAGroup();
    void refusedStatementUndoesOnlyItsWrite();
    void failedCommitFailsTheWholeGroup();
};

// Many sockets writing at once to one store: every write is answered exactly once, in each
// socket's order; the seqs are gap-free and announced in order; each event carries the seq
// its reply gave; and every acknowledged write is in the file when the store is reopened.
void TestGroupCommit::manyWritersEachAcknowledgedOnce()
{
    constexpr int kClients = 8;
    constexpr int kWrites = 25;
    constexpr int kTotal = kClients * kWrites;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    struct Acked
    {
        QString path;
        int value = 0;
        qint64 seq = 0;
    };
    QList<Acked> acked;
    {
        WsServer server({}, dir.path());
        QVERIFY(server.start());
        const auto observer = server.joined();
        QVERIFY(observer);
        auto clients = joinedClients(server, kClients);
        QCOMPARE(int(clients.size()), kClients);
        const StoreDb::GroupStats before = server.db()->groupStats();

        // Every socket sends all its writes at once: its own wait in order behind each other,
        // while the other sockets' may join them in a group.
        std::vector<QStringList> refs(kClients);
        for (int w = 0; w < kWrites; ++w) {
            for (int c = 0; c < kClients; ++c) {
                const QString where = QStringLiteral("c%1/w%2").arg(c).arg(w);
                refs[c].append(clients[c]->push(
                    topicOf(), QStringLiteral("write"),
                    setPayload(where, c * 1000 + w, QStringLiteral("op_%1_%2").arg(c).arg(w))));
            }
        }

        QHash<QString, qint64> seqOfOp;
        for (int c = 0; c < kClients; ++c) {
            qint64 previous = 0;
            for (int w = 0; w < kWrites; ++w) {
                const auto reply = clients[c]->reply(refs[c].at(w), 30000);
                QVERIFY2(reply, qPrintable(QStringLiteral("no reply to %1/%2").arg(c).arg(w)));
                QCOMPARE(replyStatus(reply), QStringLiteral("ok"));
                const qint64 seq = response(reply).value(QLatin1String("store_seq")).toInteger();
                QVERIFY2(seq > previous, "a socket's writes commit in the order it sent them");
                previous = seq;
                seqOfOp.insert(QStringLiteral("op_%1_%2").arg(c).arg(w), seq);
                acked.append({QStringLiteral("c%1/w%2").arg(c).arg(w), c * 1000 + w, seq});
            }
        }

        // Gap-free, and announced in seq order with the seq each reply gave.
        QList<qint64> seqs = seqOfOp.values();
        std::sort(seqs.begin(), seqs.end());
        QCOMPARE(seqs, seqRange(1, kTotal));
        QTRY_COMPARE_WITH_TIMEOUT(observer->events().size(), kTotal, 10000);
        const QList<PhoenixMessage> events = observer->events();
        QCOMPARE(storeSeqs(events), seqRange(1, kTotal));
        for (const PhoenixMessage &event : events) {
            const QString opId =
                event.payload.toObject().value(QLatin1String("client_op_id")).toString();
            QCOMPARE(storeSeqOf(event), seqOfOp.value(opId));
        }

        // Exactly once (a heartbeat's reply comes after any late duplicate would have), and
        // each write's event before its reply.
        for (int c = 0; c < kClients; ++c) {
            QVERIFY(clients[c]->heartbeat());
            for (int w = 0; w < kWrites; ++w) {
                QCOMPARE(repliesTo(*clients[c], refs[c].at(w)), 1);
                qsizetype eventAt = -1;
                qsizetype replyAt = -1;
                QVERIFY(
                    clients[c]->eventFor(QStringLiteral("op_%1_%2").arg(c).arg(w), 0, &eventAt));
                QVERIFY(clients[c]->reply(refs[c].at(w), 0, &replyAt));
                QVERIFY2(eventAt < replyAt, "the event goes out before the reply");
            }
        }
        const StoreDb::GroupStats after = server.db()->groupStats();
        QCOMPARE(after.writes - before.writes, kTotal);
        QVERIFY(after.groups - before.groups <= kTotal);
        qInfo("%d writes from %d sockets committed in %lld transactions", kTotal, kClients,
              after.groups - before.groups);
    } // the server, its pool and every connection to the file are gone

    auto reopened = StoreDb::open(storeOf(dir), QString(kStore));
    QVERIFY2(reopened, qPrintable(errorOf(reopened)));
    StoreDb &db = *reopened.value();
    QCOMPARE(db.currentSeq(), qint64(kTotal));
    QCOMPARE(db.entryCount(), qint64(kTotal));
    for (const Acked &write : acked) {
        const auto entry = db.get(path(write.path));
        QVERIFY2(entry, qPrintable(write.path));
        QCOMPARE(entry->value, QJsonValue(write.value));
        QCOMPARE(entry->revision, write.seq);
    }
}

// Writes of several sockets that wait while a commit holds the store commit together: one
// transaction for all of them, at consecutive seqs, each answered after it.
void TestGroupCommit::waitingWritesShareOneCommit()
{
    constexpr int kClients = 6;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    WsServer server({}, dir.path());
    QVERIFY(server.start());
    auto clients = joinedClients(server, kClients);
    QCOMPARE(int(clients.size()), kClients);
    StoreDb *db = server.db();
    const StoreDb::GroupStats before = db->groupStats();

    auto held = db->lockWrites(); // a commit in progress
    QStringList refs;
    for (int c = 0; c < kClients; ++c)
        refs.append(clients[c]->push(
            topicOf(), QStringLiteral("write"),
            setPayload(QStringLiteral("shared/%1").arg(c), c, QStringLiteral("op_%1").arg(c))));
    QTRY_COMPARE(server.registry.queuedWrites(QString(kStore)), kClients);
    for (int c = 0; c < kClients; ++c)
        QVERIFY(!clients[c]->sawEventFor(QStringLiteral("op_%1").arg(c)));
    held.unlock();

    QList<qint64> seqs;
    for (int c = 0; c < kClients; ++c) {
        const auto reply = clients[c]->reply(refs.at(c), 10000);
        QCOMPARE(replyStatus(reply), QStringLiteral("ok"));
        seqs.append(response(reply).value(QLatin1String("store_seq")).toInteger());
    }
    std::sort(seqs.begin(), seqs.end());
    QCOMPARE(seqs, seqRange(1, kClients));
    const StoreDb::GroupStats after = db->groupStats();
    QCOMPARE(after.groups - before.groups, 1);
    QCOMPARE(after.writes - before.writes, kClients);
    QCOMPARE(server.registry.queuedWrites(QString(kStore)), 0);
}

// One socket's writes never wait for company: each commits alone, in its own transaction,
// as soon as the one before it is answered.
void TestGroupCommit::oneWriterCommitsEachWriteAlone()
{
    constexpr int kWrites = 10;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    WsServer server({}, dir.path());
    QVERIFY(server.start());
    const auto client = server.joined();
    QVERIFY(client);
    const StoreDb::GroupStats before = server.db()->groupStats();
    QStringList refs;
    for (int w = 0; w < kWrites; ++w)
        refs.append(client->push(
            topicOf(), QStringLiteral("write"),
            setPayload(QStringLiteral("alone/%1").arg(w), w, QStringLiteral("op_%1").arg(w))));
    for (int w = 0; w < kWrites; ++w) {
        const auto reply = client->reply(refs.at(w), 10000);
        QCOMPARE(replyStatus(reply), QStringLiteral("ok"));
        QCOMPARE(response(reply).value(QLatin1String("store_seq")).toInteger(), w + 1);
    }
    const StoreDb::GroupStats after = server.db()->groupStats();
    QCOMPARE(after.groups - before.groups, kWrites);
    QCOMPARE(after.writes - before.writes, kWrites);
}

void TestGroupCommit::failedWriteInAGroup_data()
{
    QTest::addColumn<QJsonObject>("failing");
    QTest::addColumn<QString>("reason");

    // The store holds fixed/leaf = 1 (revision 1) and fixed/text = "abc" (revision 2).
    QTest::newRow("if_match stale")
        << setPayload(QStringLiteral("fixed/leaf"), 2, QStringLiteral("op_bad"),
                      {{QStringLiteral("if_match"), 99}})
        << QStringLiteral("conflict");
    QTest::newRow("if_match on a missing leaf")
        << setPayload(QStringLiteral("fixed/none"), 2, QStringLiteral("op_bad"),
                      {{QStringLiteral("if_match"), 1}})
        << QStringLiteral("conflict");
    QTest::newRow("if_absent on a leaf")
        << setPayload(QStringLiteral("fixed/leaf"), 2, QStringLiteral("op_bad"),
                      {{QStringLiteral("if_absent"), true}})
        << QStringLiteral("exists");
    QTest::newRow("increment of a string")
        << writePayload(QStringLiteral("increment"), QStringLiteral("fixed/text"), 1,
                        QStringLiteral("op_bad"))
        << QStringLiteral("increment_requires_numeric_current_value");
    QTest::newRow("if_match on a merge")
        << writePayload(QStringLiteral("merge"), QStringLiteral("fixed"),
                        QJsonObject{{QStringLiteral("leaf"), 5}}, QStringLiteral("op_bad"),
                        {{QStringLiteral("if_match"), 1}})
        << QStringLiteral("if_match_unsupported_op");
}

// One write of a group fails (a precondition, a refused op): it gets the very reply it gets
// alone and takes no seq, while the others commit at consecutive seqs.
void TestGroupCommit::failedWriteInAGroup()
{
    QFETCH(QJsonObject, failing);
    QFETCH(QString, reason);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    WsServer server({}, dir.path());
    QVERIFY(server.start());
    StoreDb *db = server.db();
    QVERIFY(db->write(setRequest(QStringLiteral("fixed/leaf"), 1, QStringLiteral("seed_1"))).ok);
    QVERIFY(db->write(setRequest(QStringLiteral("fixed/text"), QStringLiteral("abc"),
                                 QStringLiteral("seed_2")))
                .ok);
    const auto observer = server.joined(JoinOptions{2}); // live from here, no catch-up
    QVERIFY(observer);
    auto clients = joinedClients(server, 4); // [1] sends the failing write
    QCOMPARE(int(clients.size()), 4);

    // Alone first: what the write gets today, committing nothing.
    const auto alone = clients[1]->write(failing);
    QCOMPARE(replyStatus(alone), QStringLiteral("error"));
    QCOMPARE(response(alone).value(QLatin1String("reason")).toString(), reason);
    QCOMPARE(db->currentSeq(), 2);

    // Then inside a group, between good writes, arriving in this order.
    const StoreDb::GroupStats before = db->groupStats();
    auto held = db->lockWrites();
    QStringList refs;
    for (int c = 0; c < 4; ++c) {
        const QJsonObject payload = c == 1 ? failing
                                           : setPayload(QStringLiteral("good/%1").arg(c), c,
                                                        QStringLiteral("op_%1").arg(c));
        refs.append(clients[c]->push(topicOf(), QStringLiteral("write"), payload));
        QTRY_COMPARE(server.registry.queuedWrites(QString(kStore)), c + 1);
    }
    held.unlock();

    const auto failed = clients[1]->reply(refs.at(1), 10000);
    QCOMPARE(replyStatus(failed), QStringLiteral("error"));
    QCOMPARE(response(failed), response(alone));
    qint64 expectedSeq = 3;
    for (int c : {0, 2, 3}) {
        const auto reply = clients[c]->reply(refs.at(c), 10000);
        QCOMPARE(replyStatus(reply), QStringLiteral("ok"));
        QCOMPARE(response(reply).value(QLatin1String("store_seq")).toInteger(), expectedSeq++);
    }
    const StoreDb::GroupStats after = db->groupStats();
    QCOMPARE(after.groups - before.groups, 1);
    QCOMPARE(after.writes - before.writes, 4);

    QCOMPARE(db->currentSeq(), 5);
    QTRY_COMPARE(observer->events().size(), 3);
    QCOMPARE(storeSeqs(observer->events()), seqRange(3, 5));
    QVERIFY(!observer->sawEventFor(QStringLiteral("op_bad")));
    QCOMPARE(db->get(path(QStringLiteral("fixed/leaf")))->value, QJsonValue(1));
    QCOMPARE(db->get(path(QStringLiteral("fixed/text")))->value, QJsonValue(QStringLiteral("abc")));
    QVERIFY(!db->get(path(QStringLiteral("fixed/none"))));
}

// A statement SQLite refuses in the middle of a group (here a trigger that aborts the op log
// insert of one path) undoes that write alone, leaf included; the others commit, and the
// refused one gets the storage error it gets alone.
void TestGroupCommit::refusedStatementUndoesOnlyItsWrite()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = storeOf(dir);
    auto opened = StoreDb::open(file, QString(kStore));
    QVERIFY2(opened, qPrintable(errorOf(opened)));
    StoreDb &db = *opened.value();
    auto writer = StoreSql::open(file, QString(kStore));
    QVERIFY2(writer, qPrintable(errorOf(writer)));
    StoreSql &sql = *writer.value();
    QVERIFY(sql.execDirect(
        QStringLiteral("CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.store_ops WHEN NEW.path = "
                       "'refused/x' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")));

    const WriteResult alone =
        db.writeWith(sql, setRequest(QStringLiteral("refused/x"), 1, QStringLiteral("op_0")));
    QVERIFY(!alone.ok);
    QVERIFY2(alone.reason.contains(QLatin1String("refused by the test")), qPrintable(alone.reason));
    QCOMPARE(db.currentSeq(), 0);

    const QList<WriteResult> results = db.writeGroupWith(
        sql, {{setRequest(QStringLiteral("a"), 1, QStringLiteral("op_a")), true},
              {setRequest(QStringLiteral("refused/x"), 2, QStringLiteral("op_x")), true},
              {setRequest(QStringLiteral("b"), 3, QStringLiteral("op_b")), true}});
    QCOMPARE(results.size(), 3);
    QVERIFY(results.at(0).ok);
    QCOMPARE(results.at(0).storeSeq, 1);
    QVERIFY(!results.at(1).ok);
    QCOMPARE(results.at(1).reason, alone.reason);
    QVERIFY(results.at(2).ok);
    QCOMPARE(results.at(2).storeSeq, 2);

    QList<qint64> announced;
    const QList<StoreDb::Committed> committed = db.takeCommitted();
    for (const StoreDb::Committed &op : committed)
        announced.append(op.event.storeSeq);
    QCOMPARE(announced, QList<qint64>({1, 2}));
    QCOMPARE(db.currentSeq(), 2);
    QCOMPARE(db.entryCount(), 2); // the refused write's leaf went with it
    QVERIFY(!db.get(path(QStringLiteral("refused/x"))));
    QCOMPARE(db.get(path(QStringLiteral("b")))->revision, 2);
}

// When the group's COMMIT fails, nothing of it is durable, so no write of it is acknowledged
// or announced, and the seqs it would have taken are taken by the next writes. (The COMMIT is
// made to fail by a deferred foreign key that one write's trigger breaks.)
void TestGroupCommit::failedCommitFailsTheWholeGroup()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = storeOf(dir);
    auto opened = StoreDb::open(file, QString(kStore));
    QVERIFY2(opened, qPrintable(errorOf(opened)));
    StoreDb &db = *opened.value();
    auto writer = StoreSql::open(file, QString(kStore));
    QVERIFY2(writer, qPrintable(errorOf(writer)));
    StoreSql &sql = *writer.value();
    for (const QString &statement : {
             QStringLiteral("PRAGMA foreign_keys=ON"),
             QStringLiteral("CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY)"),
             QStringLiteral("CREATE TEMP TABLE child (id INTEGER REFERENCES parent (id) "
                            "DEFERRABLE INITIALLY DEFERRED)"),
             QStringLiteral("CREATE TEMP TRIGGER doom AFTER INSERT ON main.store_ops WHEN "
                            "NEW.path = 'doomed/x' BEGIN INSERT INTO child VALUES (42); END"),
         })
        QVERIFY2(sql.execDirect(statement), qPrintable(sql.error()));

    const QList<WriteResult> results = db.writeGroupWith(
        sql, {{setRequest(QStringLiteral("a"), 1, QStringLiteral("op_a")), true},
              {setRequest(QStringLiteral("doomed/x"), 2, QStringLiteral("op_x")), true},
              {setRequest(QStringLiteral("b"), 3, QStringLiteral("op_b")), true}});
    QCOMPARE(results.size(), 3);
    for (const WriteResult &result : results) {
        QVERIFY(!result.ok);
        QVERIFY2(result.reason.startsWith(QLatin1String("storage_error")),
                 qPrintable(result.reason));
    }
    QVERIFY(db.takeCommitted().isEmpty());
    QCOMPARE(db.currentSeq(), 0);
    QCOMPARE(db.entryCount(), 0);
    QVERIFY(!db.get(path(QStringLiteral("a"))));

    QVERIFY(sql.execDirect(QStringLiteral("DROP TRIGGER doom")));
    const QList<WriteResult> next = db.writeGroupWith(
        sql, {{setRequest(QStringLiteral("a"), 1, QStringLiteral("op_a2")), true},
              {setRequest(QStringLiteral("b"), 3, QStringLiteral("op_b2")), true}});
    QCOMPARE(next.size(), 2);
    QVERIFY(next.at(0).ok && next.at(1).ok);
    QCOMPARE(next.at(0).storeSeq, 1);
    QCOMPARE(next.at(1).storeSeq, 2);
    QCOMPARE(db.takeCommitted().size(), 2);
}

QTEST_GUILESS_MAIN(TestGroupCommit)
#include "tst_group_commit.moc"
