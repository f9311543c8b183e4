// Tests of dust::Mirror's bookkeeping around events: idempotency by store_seq, catch-ups
// with live events buffered and deduplicated, batches or one reset, snapshots, gaps, and the
// memory of client_op_ids.

#include "MirrorTestUtil.h"
#include "sync/EventFrameDecoder.h"
#include "sync/Mirror.h"

#include <QSignalSpy>
#include <QTest>

using namespace dust;
using namespace dust::test;

class TestMirrorCatchUp : public QObject
{
    Q_OBJECT

private slots:
    void sameEventTwiceAppliesOnce();
    void olderEventsAreIgnored();
    void catchUpBuffersLiveEvents();
    void catchUpDropsReplayedDuplicates();
    void catchUpOutOfOrderLiveEvents();
    void smallCatchUpEmitsBatches();
    void bulkCatchUpEmitsOneReset();
    void longCatchUpSwitchesToReset();
    void interruptedBulkCatchUpStillResets();
    void catchUpIncompleteIsReported();
    void snapshotReplacesState();
    void snapshotOutsideCatchUp();
    void snapshotRejectsBadEntries();
    void decodedSnapshotMatchesJsonSnapshot();
    void gapIsReported();
    void clearEmitsReset();
    void resetEpochsIncrease();
    void clientOpIds();
    void clientOpIdMemoryIsBounded();
};

void TestMirrorCatchUp::sameEventTwiceAppliesOnce()
{
    Mirror m;
    QSignalSpy changed(&m, &Mirror::changed);
    const ChangeEvent e = ev(1, Op::Increment, "c", J("1"));
    QCOMPARE(m.apply(e), ApplyStatus::Applied);
    QCOMPARE(m.apply(e), ApplyStatus::Duplicate);
    QCOMPARE(m.apply(e, EventSource::CatchUp), ApplyStatus::Duplicate);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(rows(m), S({"c=1 counter @1"}));
}

void TestMirrorCatchUp::olderEventsAreIgnored()
{
    Mirror m;
    m.apply(ev(5, Op::Set, "a", J("5")));
    QCOMPARE(m.apply(ev(3, Op::Set, "a", J("3"))), ApplyStatus::Duplicate);
    QCOMPARE(m.apply(ev(4, Op::Delete, "a")), ApplyStatus::Duplicate);
    QCOMPARE(rows(m), S({"a=5 integer @5"}));
}

void TestMirrorCatchUp::catchUpBuffersLiveEvents()
{
    // The expected result: every op once, in store_seq order.
    const QList<ChangeEvent> ops = {
        ev(1, Op::Set, "a", J("1")),       ev(2, Op::Set, "b", J("{\"x\":1}")),
        ev(3, Op::Increment, "c", J("1")), ev(4, Op::Delete, "b"),
        ev(5, Op::Increment, "c", J("2")), ev(6, Op::Set, "b/y", J("2")),
        ev(7, Op::Increment, "c", J("3")),
    };
    Mirror expected;
    for (const ChangeEvent &e : ops)
        expected.apply(e);

    Mirror m;
    m.beginCatchUp();
    QVERIFY(m.isCatchingUp());
    // Live events interleave with (and precede) the replay.
    QCOMPARE(m.apply(ops[5], EventSource::Live), ApplyStatus::Buffered);
    QCOMPARE(m.apply(ops[0], EventSource::CatchUp), ApplyStatus::Applied);
    QCOMPARE(m.apply(ops[6], EventSource::Live), ApplyStatus::Buffered);
    QCOMPARE(m.apply(ops[1], EventSource::CatchUp), ApplyStatus::Applied);
    QCOMPARE(m.apply(ops[2], EventSource::CatchUp), ApplyStatus::Applied);
    QCOMPARE(m.apply(ops[6], EventSource::Live), ApplyStatus::Buffered); // duplicate live
    QCOMPARE(m.apply(ops[3], EventSource::CatchUp), ApplyStatus::Applied);
    QCOMPARE(m.apply(ops[4], EventSource::CatchUp), ApplyStatus::Applied);
    QCOMPARE(m.bufferedEventCount(), 3);
    QCOMPARE(m.lastSeq(), 5); // the buffered ones wait
    QSignalSpy caughtUp(&m, &Mirror::caughtUp);
    QCOMPARE(m.endCatchUp(5), 2); // 6 and 7, the duplicate 7 once
    QVERIFY(!m.isCatchingUp());
    QCOMPARE(caughtUp.count(), 1);
    QCOMPARE(caughtUp.at(0).at(0).toLongLong(), 7);
    QCOMPARE(rows(m), rows(expected));
    QCOMPARE(rows(m), S({"a=1 integer @1", "b/y=2 integer @6", "c=3 counter @7"}));
}

void TestMirrorCatchUp::catchUpDropsReplayedDuplicates()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "a", J("1")));
    m.beginCatchUp();
    // Op 2 was committed between join and the catch-up query: it arrives live and replayed.
    QCOMPARE(m.apply(ev(2, Op::Increment, "c", J("1")), EventSource::Live), ApplyStatus::Buffered);
    QCOMPARE(m.apply(ev(2, Op::Increment, "c", J("1")), EventSource::CatchUp),
             ApplyStatus::Applied);
    QCOMPARE(m.apply(ev(3, Op::Increment, "c", J("2")), EventSource::CatchUp),
             ApplyStatus::Applied);
    QCOMPARE(m.endCatchUp(3), 0);
    QCOMPARE(rows(m), S({"a=1 integer @1", "c=2 counter @3"}));
    // Live events at or below lastSeq during a catch-up are not even buffered.
    m.beginCatchUp();
    QCOMPARE(m.apply(ev(3, Op::Increment, "c", J("2")), EventSource::Live), ApplyStatus::Duplicate);
    QCOMPARE(m.bufferedEventCount(), 0);
    m.endCatchUp(3);
}

void TestMirrorCatchUp::catchUpOutOfOrderLiveEvents()
{
    Mirror m;
    m.beginCatchUp();
    for (qint64 seq : {9, 7, 8, 7, 9, 8})
        m.apply(ev(seq, Op::Add, "s", QJsonArray{seq}), EventSource::Live);
    for (qint64 seq = 1; seq <= 6; ++seq)
        m.apply(ev(seq, Op::Add, "s", QJsonArray{seq}), EventSource::CatchUp);
    QSignalSpy changed(&m, &Mirror::changed);
    QCOMPARE(m.endCatchUp(6), 3);
    QCOMPARE(rows(m), S({"s=[9] set @9"}));
    QCOMPARE(m.lastSeq(), 9);
}

void TestMirrorCatchUp::smallCatchUpEmitsBatches()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "a", J("1")));
    QSignalSpy changed(&m, &Mirror::changed);
    QSignalSpy reset(&m, &Mirror::reset);
    m.beginCatchUp();
    m.apply(ev(2, Op::Set, "b", J("2")), EventSource::CatchUp);
    m.apply(ev(4, Op::Set, "d", J("4")), EventSource::Live);
    m.apply(ev(3, Op::Set, "c", J("3")), EventSource::CatchUp);
    QCOMPARE(changed.count(), 2);
    m.endCatchUp(3);
    QCOMPARE(changed.count(), 3);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(changed.at(2).at(0).value<MirrorChangeBatch>().lastSeq(), 4);
}

void TestMirrorCatchUp::bulkCatchUpEmitsOneReset()
{
    Mirror m;
    QSignalSpy changed(&m, &Mirror::changed);
    QSignalSpy reset(&m, &Mirror::reset);
    m.beginCatchUp(); // into an empty mirror: a bulk load
    for (qint64 seq = 1; seq <= 50; ++seq)
        m.apply(ev(seq, Op::Set, QStringLiteral("k/%1").arg(seq), J("1")), EventSource::CatchUp);
    m.apply(ev(51, Op::Set, "live", J("1")), EventSource::Live);
    QCOMPARE(reset.count(), 0);
    m.endCatchUp(50);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(m.leafCount(), 51);
    // Afterwards, live events are batches again.
    m.apply(ev(52, Op::Set, "after", J("1")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(reset.count(), 1);
}

void TestMirrorCatchUp::longCatchUpSwitchesToReset()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "seed", J("1")));
    m.setResetThreshold(3);
    QSignalSpy changed(&m, &Mirror::changed);
    QSignalSpy reset(&m, &Mirror::reset);
    m.beginCatchUp();
    for (qint64 seq = 2; seq <= 10; ++seq)
        m.apply(ev(seq, Op::Set, QStringLiteral("k%1").arg(seq), J("1")), EventSource::CatchUp);
    QCOMPARE(changed.count(), 3); // then it stopped sending batches
    m.endCatchUp(10);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(m.leafCount(), 10);
}

void TestMirrorCatchUp::interruptedBulkCatchUpStillResets()
{
    Mirror m;
    QSignalSpy reset(&m, &Mirror::reset);
    m.beginCatchUp();
    m.apply(ev(1, Op::Set, "a", J("1")), EventSource::CatchUp);
    // The connection drops; a new join starts a new catch-up from seq 1.
    m.beginCatchUp();
    m.apply(ev(2, Op::Set, "b", J("2")), EventSource::CatchUp);
    m.endCatchUp(2);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(m.leafCount(), 2);
}

void TestMirrorCatchUp::catchUpIncompleteIsReported()
{
    Mirror m;
    QSignalSpy incomplete(&m, &Mirror::catchUpIncomplete);
    m.beginCatchUp();
    m.apply(ev(1, Op::Set, "a", J("1")), EventSource::CatchUp);
    m.endCatchUp(3);
    QCOMPARE(incomplete.count(), 1);
    QCOMPARE(incomplete.at(0).at(0).toLongLong(), 1);
    QCOMPARE(incomplete.at(0).at(1).toLongLong(), 3);
}

void TestMirrorCatchUp::snapshotReplacesState()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "stale/key", J("1")));
    m.apply(ev(2, Op::Set, "users/alice/name", J("\"Old\"")));
    QSignalSpy changed(&m, &Mirror::changed);
    QSignalSpy reset(&m, &Mirror::reset);
    m.beginCatchUp();
    m.apply(ev(40, Op::Set, "live/after", J("1")), EventSource::Live);
    const QJsonObject entries = QJsonDocument::fromJson(R"({
        "users/alice/name": {"value": {"_scalar": "Alice"}, "type": "string"},
        "stats/views": {"value": {"_scalar": 42}, "type": "counter"},
        "tags": {"value": {"_scalar": ["a", "b"]}, "type": "set"},
        "nothing": {"value": {"_scalar": null}, "type": "null"},
        "obj": {"value": {"_scalar": {"k": 1}}, "type": "string"},
        "files/logo": {"value": {"_type": "file", "hash": "sha256:ab", "size": 3,
                       "content_type": "image/png", "filename": "logo.png",
                       "uploaded_at": "2026-06-28T00:00:00Z"}, "type": "file"},
        "imported": {"value": {"_scalar": 1}, "type": "list"},
        "two/keys": {"value": {"_scalar": 1, "x": 2}, "type": "map"}
    })")
                                    .object();
    QCOMPARE(m.applySnapshot(30, entries), 0);
    QCOMPARE(m.lastSeq(), 30);
    m.apply(ev(31, Op::Increment, "stats/views", J("43")), EventSource::CatchUp);
    m.endCatchUp(31);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(m.lastSeq(), 40);
    QCOMPARE(
        rows(m),
        S({"files/logo={\"_type\":\"file\",\"content_type\":\"image/png\",\"filename\":"
           "\"logo.png\",\"hash\":\"sha256:ab\",\"size\":3,\"uploaded_at\":"
           "\"2026-06-28T00:00:00Z\"} file @30",
           "imported=1 list @30", "live/after=1 integer @40", "nothing=null null @30",
           "obj={\"k\":1} string @30", "stats/views=43 counter @31", "tags=[\"a\",\"b\"] set @30",
           "two/keys={\"_scalar\":1,\"x\":2} map @30", "users/alice/name=\"Alice\" string @30"}));
}

void TestMirrorCatchUp::snapshotOutsideCatchUp()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "old", J("1")));
    QSignalSpy reset(&m, &Mirror::reset);
    const QJsonObject entries{
        {QStringLiteral("new"),
         QJsonObject{{QStringLiteral("value"), QJsonObject{{QStringLiteral("_scalar"), 2}}},
                     {QStringLiteral("type"), QStringLiteral("integer")}}}};
    m.applySnapshot(9, entries);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(rows(m), S({"new=2 integer @9"}));
    // An entry without a type gets the derived one.
    m.applySnapshot(
        10, QJsonObject{{QStringLiteral("x"), QJsonObject{{QStringLiteral("value"), 1.5}}}});
    QCOMPARE(rows(m), S({"x=1.5 float @10"}));
    QCOMPARE(reset.count(), 2);
}

void TestMirrorCatchUp::snapshotRejectsBadEntries()
{
    Mirror m;
    QSignalSpy rejected(&m, &Mirror::eventRejected);
    const QJsonObject entries{
        {QStringLiteral("ok"), QJsonObject{{QStringLiteral("value"), 1}}},
        {QStringLiteral("bad//path"), QJsonObject{{QStringLiteral("value"), 1}}},
        {QStringLiteral("bad~"), QJsonObject{{QStringLiteral("value"), 1}}},
        {QStringLiteral("notobject"), 5},
    };
    QCOMPARE(m.applySnapshot(3, entries), 3);
    QCOMPARE(rejected.count(), 3);
    QCOMPARE(rows(m), S({"ok=1 integer @3"}));
}

void TestMirrorCatchUp::decodedSnapshotMatchesJsonSnapshot()
{
    const QByteArray frame = R"(["1",null,"store:acme/site","snapshot",{"snapshot_seq":7,
        "entries":{"b/c":{"value":{"_scalar":"x"},"type":"string"},
                   "a":{"value":{"_scalar":[1,2]},"type":"set"},
                   "f":{"value":{"_type":"file","hash":"h"},"type":"file"},
                   "a b":{"value":{"_scalar":1.25},"type":"float"}}}])";
    EventFrameDecoder decoder;
    const auto decoded = decoder.decode(QByteArrayView(frame));
    QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error()));
    QCOMPARE(decoded->kind, DecodedFrame::Kind::Snapshot);
    Mirror viaView;
    QCOMPARE(viaView.applySnapshot(decoded->snapshot), 0);
    const QJsonArray array = QJsonDocument::fromJson(frame).array();
    Mirror viaJson;
    viaJson.applySnapshot(7, array.at(4).toObject().value(QLatin1String("entries")).toObject());
    QCOMPARE(normalizedRows(viaView), normalizedRows(viaJson));
    QCOMPARE(rows(viaView), S({"a=[1,2] set @7", "a b=1.25 float @7", "b/c=\"x\" string @7",
                               "f={\"_type\":\"file\",\"hash\":\"h\"} file @7"}));
}

void TestMirrorCatchUp::gapIsReported()
{
    Mirror m;
    QSignalSpy gaps(&m, &Mirror::gapDetected);
    m.apply(ev(1, Op::Set, "a", J("1")));
    m.apply(ev(2, Op::Set, "a", J("2")));
    QCOMPARE(gaps.count(), 0);
    m.apply(ev(5, Op::Set, "a", J("5")));
    QCOMPARE(gaps.count(), 1);
    QCOMPARE(gaps.at(0).at(0).toLongLong(), 2);
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 5);
}

void TestMirrorCatchUp::clearEmitsReset()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "a", J("1")));
    QSignalSpy reset(&m, &Mirror::reset);
    m.clear();
    QCOMPARE(reset.count(), 1);
    QCOMPARE(m.leafCount(), 0);
    QCOMPARE(m.lastSeq(), 0);
    QCOMPARE(m.apply(ev(1, Op::Set, "b", J("1"))), ApplyStatus::Applied);
}

// Each reset stamps a larger epoch, also across mirrors (a reader compares a stamp it saw
// with one announced later); nothing else moves it.
void TestMirrorCatchUp::resetEpochsIncrease()
{
    Mirror m;
    QCOMPARE(m.resetEpoch(), quint64(0));
    QSignalSpy reset(&m, &Mirror::reset);
    quint64 seen = 0;
    QCOMPARE(m.apply(ev(1, Op::Set, "a", J("1"))), ApplyStatus::Applied);
    QCOMPARE(m.resetEpoch(), quint64(0));
    for (int i = 0; i < 3; ++i) {
        m.clear();
        QVERIFY(m.resetEpoch() > seen);
        seen = m.resetEpoch();
    }
    // A bulk catch-up stamps once, at its end.
    m.beginCatchUp();
    m.apply(ev(1, Op::Set, "a", J("1")));
    QCOMPARE(m.resetEpoch(), seen);
    m.endCatchUp(1);
    QVERIFY(m.resetEpoch() > seen);
    seen = m.resetEpoch();
    QCOMPARE(reset.count(), 4);

    Mirror later;
    later.clear();
    QVERIFY(later.resetEpoch() > seen);
}

void TestMirrorCatchUp::clientOpIds()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "a", J("1"), QStringLiteral("op_applied")));
    m.beginCatchUp();
    m.apply(ev(3, Op::Set, "b", J("1"), QStringLiteral("op_buffered")), EventSource::Live);
    m.apply(ev(2, Op::Set, "c", J("1"), QStringLiteral("op_replayed")), EventSource::CatchUp);
    QVERIFY(m.hasSeenClientOpId(QStringLiteral("op_applied")));
    QVERIFY(m.hasSeenClientOpId(QStringLiteral("op_buffered")));
    QVERIFY(m.hasSeenClientOpId(QStringLiteral("op_replayed")));
    QVERIFY(!m.hasSeenClientOpId(QStringLiteral("op_never")));
    QVERIFY(!m.hasSeenClientOpId(QString()));
    m.endCatchUp(2);
    QVERIFY(m.hasSeenClientOpId(QStringLiteral("op_buffered")));
    // A duplicate event does not count twice, a rejected one still counts.
    ChangeEvent rejected = ev(4, Op::Merge, "x", J("1"), QStringLiteral("op_rejected"));
    m.apply(rejected);
    QVERIFY(m.hasSeenClientOpId(QStringLiteral("op_rejected")));
    // The fast path records them too.
    EventView v;
    v.storeSeq = 5;
    v.op = Op::Set;
    v.opText = "set";
    v.path = "v";
    v.value = "1";
    v.clientOpId = "op_fast_é";
    m.apply(v);
    QVERIFY(m.hasSeenClientOpId(QStringLiteral("op_fast_é")));
}

void TestMirrorCatchUp::clientOpIdMemoryIsBounded()
{
    Mirror m;
    m.setClientOpIdMemory(3);
    for (qint64 seq = 1; seq <= 5; ++seq)
        m.apply(ev(seq, Op::Set, "a", J("1"), QStringLiteral("op_%1").arg(seq)));
    QVERIFY(!m.hasSeenClientOpId(QStringLiteral("op_1")));
    QVERIFY(!m.hasSeenClientOpId(QStringLiteral("op_2")));
    for (int i = 3; i <= 5; ++i)
        QVERIFY(m.hasSeenClientOpId(QStringLiteral("op_%1").arg(i)));
    m.setClientOpIdMemory(2); // shrinking keeps the newest
    QVERIFY(!m.hasSeenClientOpId(QStringLiteral("op_3")));
    QVERIFY(m.hasSeenClientOpId(QStringLiteral("op_5")));
    m.setClientOpIdMemory(10); // growing keeps them all
    m.apply(ev(6, Op::Set, "a", J("1"), QStringLiteral("op_6")));
    QVERIFY(m.hasSeenClientOpId(QStringLiteral("op_4")));
    QVERIFY(m.hasSeenClientOpId(QStringLiteral("op_6")));
    m.setClientOpIdMemory(0);
    QVERIFY(!m.hasSeenClientOpId(QStringLiteral("op_6")));
}

QTEST_GUILESS_MAIN(TestMirrorCatchUp)
#include "tst_mirror_catchup.moc"
