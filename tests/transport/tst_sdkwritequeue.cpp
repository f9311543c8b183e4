// WriteQueue on its own: which writes a flush sends, settles or gives up on after a
// dropped connection, in what order, and how the queue fails its writes. No server.

#include "TestAwait.h"
#include "transport/WriteQueue.h"

#include <QJsonArray>
#include <QSet>
#include <QTest>

#include <map>

using namespace dust;
using dust::test::path;
using Stage = WriteQueue::Write::Stage;
using Step = WriteQueue::Step;

Q_DECLARE_METATYPE(Stage)
Q_DECLARE_METATYPE(Step)

namespace {

SdkWriteRequest request(const QString &op, const QString &at = QStringLiteral("a/b"))
{
    SdkWriteRequest r;
    r.op = op;
    r.path = path(at);
    return r;
}

// What the writes of a queue ended with, by path.
struct Outcomes
{
    QList<QString> order;
    std::map<QString, Result<WriteResult>> results;

    SdkWriteDone recorder(const QString &name)
    {
        return [this, name](Result<WriteResult> result) {
            order.append(name);
            results.insert_or_assign(name, std::move(result));
        };
    }
};

// Queues a write at "<prefix>/queued" that was never sent and one at "<prefix>/sent" in
// `sentStage`, recorded as "queued" and "sent".
void queueOneUnsentOneSent(WriteQueue &queue, Outcomes &outcomes, const QString &prefix,
                           Stage sentStage)
{
    queue.enqueue(request(QStringLiteral("set"), prefix + QStringLiteral("/queued")),
                  outcomes.recorder(QStringLiteral("queued")));
    queue
        .enqueue(request(QStringLiteral("set"), prefix + QStringLiteral("/sent")),
                 outcomes.recorder(QStringLiteral("sent")))
        .stage = sentStage;
}

} // namespace

class TestSdkWriteQueue : public QObject
{
    Q_OBJECT

private slots:
    void nextStep_data();
    void nextStep();
    void payloadCarriesTheRequest();
    void flushSendsInOrderAndStopsWhenNotLive();
    void flushSettlesWritesWhoseAnswerWasLost();
    void echoCompletesWithItsSeq();
    void failAllSaysWhatMayHaveBeenApplied();
    void closeAllSaysWhatMayHaveBeenApplied();
};

void TestSdkWriteQueue::nextStep_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<bool>("conditional"); // if_match
    QTest::addColumn<Stage>("stage");
    QTest::addColumn<bool>("echoed");
    QTest::addColumn<bool>("seenInLog");
    QTest::addColumn<qint64>("sentAtSeq");
    QTest::addColumn<qint64>("snapshotSeq");
    QTest::addColumn<Step>("expected");

    QTest::newRow("queued: send") << "increment" << false << Stage::Queued << false << false
                                  << qint64(-1) << qint64(0) << Step::Send;
    QTest::newRow("sent: wait for the answer")
        << "set" << false << Stage::Sent << false << false << qint64(5) << qint64(0) << Step::Wait;
    QTest::newRow("lost, echoed: done") << "increment" << false << Stage::MaybeSent << true << false
                                        << qint64(5) << qint64(9) << Step::Done;
    QTest::newRow("lost, seen in the catch-up: done")
        << "increment" << false << Stage::MaybeSent << false << true << qint64(5) << qint64(0)
        << Step::Done;
    QTest::newRow("lost, not seen, no snapshot since: send again")
        << "increment" << false << Stage::MaybeSent << false << false << qint64(5) << qint64(5)
        << Step::Send;
    QTest::newRow("lost, snapshot since, increment: outcome unknown")
        << "increment" << false << Stage::MaybeSent << false << false << qint64(5) << qint64(6)
        << Step::OutcomeUnknown;
    QTest::newRow("lost, snapshot since, lease: outcome unknown")
        << "lease" << false << Stage::MaybeSent << false << false << qint64(5) << qint64(6)
        << Step::OutcomeUnknown;
    QTest::newRow("lost, snapshot since, renew: outcome unknown")
        << "renew" << false << Stage::MaybeSent << false << false << qint64(5) << qint64(6)
        << Step::OutcomeUnknown;
    QTest::newRow("lost, snapshot since, set repeats safely")
        << "set" << false << Stage::MaybeSent << false << false << qint64(5) << qint64(6)
        << Step::Send;
    QTest::newRow("lost, snapshot since, delete repeats safely")
        << "delete" << false << Stage::MaybeSent << false << false << qint64(5) << qint64(6)
        << Step::Send;
    QTest::newRow("lost, snapshot since, merge repeats safely")
        << "merge" << false << Stage::MaybeSent << false << false << qint64(5) << qint64(6)
        << Step::Send;
    QTest::newRow("lost, snapshot since, add repeats safely")
        << "add" << false << Stage::MaybeSent << false << false << qint64(5) << qint64(6)
        << Step::Send;
    QTest::newRow("lost, snapshot since, remove repeats safely")
        << "remove" << false << Stage::MaybeSent << false << false << qint64(5) << qint64(6)
        << Step::Send;
    QTest::newRow("lost, snapshot since, put_file repeats safely")
        << "put_file" << false << Stage::MaybeSent << false << false << qint64(5) << qint64(6)
        << Step::Send;
    QTest::newRow("lost, snapshot since, conditional increment fails its precondition")
        << "increment" << true << Stage::MaybeSent << false << false << qint64(5) << qint64(6)
        << Step::Send;
}

void TestSdkWriteQueue::nextStep()
{
    QFETCH(QString, op);
    QFETCH(bool, conditional);
    QFETCH(Stage, stage);
    QFETCH(bool, echoed);
    QFETCH(bool, seenInLog);
    QFETCH(qint64, sentAtSeq);
    QFETCH(qint64, snapshotSeq);
    QFETCH(Step, expected);

    WriteQueue::Write write;
    write.request = request(op);
    if (conditional)
        write.request.ifMatch = 3;
    write.stage = stage;
    if (echoed)
        write.echoSeq = 7;
    write.sentAtSeq = sentAtSeq;
    QCOMPARE(WriteQueue::nextStep(write, seenInLog, snapshotSeq), expected);
}

void TestSdkWriteQueue::payloadCarriesTheRequest()
{
    SdkWriteRequest r = request(QStringLiteral("set"), QStringLiteral("users/alice"));
    r.value = QJsonValue(42);
    r.ifMatch = 9;
    r.extra.insert(QStringLiteral("ttl_ms"), 1000);
    const QJsonObject payload = r.payload(QStringLiteral("op_x"));
    QCOMPARE(payload.value(QLatin1String("op")).toString(), QStringLiteral("set"));
    QCOMPARE(payload.value(QLatin1String("path")).toString(), QStringLiteral("users/alice"));
    QCOMPARE(payload.value(QLatin1String("path_segments")).toArray(),
             (QJsonArray{QStringLiteral("users"), QStringLiteral("alice")}));
    QCOMPARE(payload.value(QLatin1String("value")).toInt(), 42);
    QCOMPARE(payload.value(QLatin1String("if_match")).toInteger(), 9);
    QVERIFY(!payload.contains(QLatin1String("if_absent")));
    QCOMPARE(payload.value(QLatin1String("ttl_ms")).toInt(), 1000);
    QCOMPARE(payload.value(QLatin1String("client_op_id")).toString(), QStringLiteral("op_x"));

    SdkWriteRequest noValue = request(QStringLiteral("delete"));
    noValue.value = QJsonValue(QJsonValue::Undefined);
    const QJsonObject bare = noValue.payload(QStringLiteral("op_y"));
    QVERIFY(!bare.contains(QLatin1String("value")));
    QVERIFY(!bare.contains(QLatin1String("if_match")));
}

void TestSdkWriteQueue::flushSendsInOrderAndStopsWhenNotLive()
{
    WriteQueue queue;
    Outcomes outcomes;
    QSet<QString> ids;
    for (const QString &name :
         {QStringLiteral("a/1"), QStringLiteral("a/2"), QStringLiteral("a/3")})
        ids.insert(queue.enqueue(request(QStringLiteral("set"), name), outcomes.recorder(name))
                       .clientOpId);
    QCOMPARE(ids.size(), 3); // every write has its own client_op_id

    QStringList sent;
    const auto notSeen = [](const QString &) {
        return false;
    };
    queue.flush(0, notSeen, [&](WriteQueue::Write &write) {
        sent.append(write.request.path.rendered());
        write.stage = Stage::Sent;
        return sent.size() < 2; // the store stops being live after the second send
    });
    QCOMPARE(sent, (QStringList{QStringLiteral("a/1"), QStringLiteral("a/2")}));

    // The next flush sends only what was not sent yet.
    sent.clear();
    queue.flush(0, notSeen, [&](WriteQueue::Write &write) {
        sent.append(write.request.path.rendered());
        write.stage = Stage::Sent;
        return true;
    });
    QCOMPARE(sent, QStringList{QStringLiteral("a/3")});
    QVERIFY(outcomes.order.isEmpty());
    QVERIFY(!queue.isEmpty());
}

void TestSdkWriteQueue::flushSettlesWritesWhoseAnswerWasLost()
{
    WriteQueue queue;
    Outcomes outcomes;
    const auto add = [&](const QString &op, const QString &at) {
        WriteQueue::Write &write = queue.enqueue(request(op, at), outcomes.recorder(at));
        write.stage = Stage::Sent;
        write.sentAtSeq = 4;
        return write.clientOpId;
    };
    const QString committed = add(QStringLiteral("increment"), QStringLiteral("n/committed"));
    add(QStringLiteral("increment"), QStringLiteral("n/unknown"));
    add(QStringLiteral("set"), QStringLiteral("n/again"));
    queue.enqueue(request(QStringLiteral("set"), QStringLiteral("n/queued")),
                  outcomes.recorder(QStringLiteral("n/queued")));

    // Nothing is settled while the answers may still come.
    queue.flush(
        9, [](const QString &) { return false; }, [](WriteQueue::Write &) { return true; });
    QCOMPARE(outcomes.order.size(), 0);

    queue.markAnswersLost();
    QStringList sent;
    queue.flush(
        9, [&](const QString &opId) { return opId == committed; },
        [&](WriteQueue::Write &write) {
            sent.append(write.request.path.rendered());
            write.stage = Stage::Sent;
            return true;
        });
    QCOMPARE(sent, (QStringList{QStringLiteral("n/again"), QStringLiteral("n/queued")}));
    QCOMPARE(outcomes.order,
             (QList<QString>{QStringLiteral("n/committed"), QStringLiteral("n/unknown")}));
    QVERIFY(outcomes.results.at(QStringLiteral("n/committed")).hasValue());
    const Result<WriteResult> &unknown = outcomes.results.at(QStringLiteral("n/unknown"));
    QVERIFY(!unknown.hasValue());
    QCOMPARE(unknown.error().kind(), Error::Kind::Network);
    QCOMPARE(unknown.error().reason(), QStringLiteral("outcome_unknown"));
    QCOMPARE(unknown.error().path(), QStringLiteral("n/unknown"));
    QVERIFY(queue.find(committed) == nullptr);
}

void TestSdkWriteQueue::echoCompletesWithItsSeq()
{
    WriteQueue queue;
    Outcomes outcomes;
    WriteQueue::Write &write =
        queue.enqueue(request(QStringLiteral("increment")), outcomes.recorder(QStringLiteral("w")));
    write.stage = Stage::Sent;
    const QString opId = write.clientOpId;
    queue.noteEcho(opId.toUtf8(), 17);
    queue.noteEcho("op_someone_else", 18);
    queue.markAnswersLost();
    queue.flush(
        20, [](const QString &) { return false; },
        [](WriteQueue::Write &) {
            qFatal("an echoed write must not be sent again");
            return true;
        });
    QCOMPARE(outcomes.order, QList<QString>{QStringLiteral("w")});
    QCOMPARE(outcomes.results.at(QStringLiteral("w"))->storeSeq, 17);
    QVERIFY(queue.isEmpty());
}

void TestSdkWriteQueue::failAllSaysWhatMayHaveBeenApplied()
{
    WriteQueue queue;
    Outcomes outcomes;
    queueOneUnsentOneSent(queue, outcomes, QStringLiteral("q"), Stage::Sent);

    queue.failAll(Error::network(QStringLiteral("why")));
    QVERIFY(queue.isEmpty());
    QCOMPARE(outcomes.order, (QList<QString>{QStringLiteral("queued"), QStringLiteral("sent")}));
    const Error queued = outcomes.results.at(QStringLiteral("queued")).error();
    QCOMPARE(queued.path(), QStringLiteral("q/queued"));
    QCOMPARE(queued.detail(), QStringLiteral("why"));
    const Error sent = outcomes.results.at(QStringLiteral("sent")).error();
    QCOMPARE(sent.path(), QStringLiteral("q/sent"));
    QVERIFY(sent.detail().startsWith(QStringLiteral("why (")));
    QVERIFY(sent.detail().contains(QStringLiteral("may have been applied")));

    // A refusal to write is not a maybe.
    Outcomes forbidden;
    queue.enqueue(request(QStringLiteral("set")), forbidden.recorder(QStringLiteral("f"))).stage =
        Stage::MaybeSent;
    queue.failAll(Error(Error::Kind::Forbidden, QStringLiteral("read-only")));
    QCOMPARE(forbidden.results.at(QStringLiteral("f")).error().detail(),
             QStringLiteral("read-only"));
}

void TestSdkWriteQueue::closeAllSaysWhatMayHaveBeenApplied()
{
    WriteQueue queue;
    Outcomes outcomes;
    queueOneUnsentOneSent(queue, outcomes, QStringLiteral("c"), Stage::MaybeSent);
    queue.closeAll(Error(Error::Kind::Cancelled, QStringLiteral("closed")));
    QVERIFY(queue.isEmpty());
    const Error queued = outcomes.results.at(QStringLiteral("queued")).error();
    QCOMPARE(queued.kind(), Error::Kind::Cancelled);
    QCOMPARE(queued.detail(), QStringLiteral("closed"));
    const Error sent = outcomes.results.at(QStringLiteral("sent")).error();
    QCOMPARE(sent.kind(), Error::Kind::Cancelled);
    QCOMPARE(sent.path(), QString()); // closing keeps the error as it is, path and all
    QVERIFY(sent.detail().contains(QStringLiteral("may have been applied")));
}

QTEST_APPLESS_MAIN(TestSdkWriteQueue)
#include "tst_sdkwritequeue.moc"
