// Tests of dust::Mirror's write semantics: every op as the server applies it, rejected
// events, and random ops against an independent reference, through ChangeEvent and the
// decoded-frame fast path. The randomized tests print their seed; set DUST_TEST_SEED to
// replay one.

#include "MirrorReference.h"
#include "MirrorTestUtil.h"
#include "RandomStore.h"
#include "TestSeed.h"
#include "protocol/Values.h"
#include "sync/EventFrameDecoder.h"
#include "sync/Mirror.h"

#include <QSignalSpy>
#include <QTest>

using namespace dust;
using namespace dust::test;

class TestMirror : public QObject
{
    Q_OBJECT

private slots:
    void setScalarsAndTypes_data();
    void setScalarsAndTypes();
    void setObjectFlattensAndClears();
    void setEmptyObjectClearsSubtree();
    void setEnvelopesStayLeaves();
    void setScalarClearsDescendants();
    void deleteRemovesSubtreeOnly();
    void deleteOfMissingPathAdvancesSeq();
    void mergeSemantics();
    void rejectedValueChangesNothing_data();
    void rejectedValueChangesNothing();
    void incrementStoresTotal();
    void addRemoveStoreWholeSet();
    void putFileClearsDescendants();
    void leaseRenewRelease();
    void unknownOpIsRejected();
    void invalidPathIsRejected();
    void invalidEventBytesAreRejected_data();
    void invalidEventBytesAreRejected();
    void revisionsArePerLeaf();
    void randomOpsMatchReference();
    void fastPathMatchesChangeEventPath();
};

void TestMirror::setScalarsAndTypes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("row"); // the leaf at "k" as rows() shows it
    QTest::newRow("string") << QByteArray(R"("text")") << QStringLiteral(R"(k="text" string @1)");
    QTest::newRow("integer") << QByteArray("42") << QStringLiteral("k=42 integer @1");
    QTest::newRow("float") << QByteArray("1.5") << QStringLiteral("k=1.5 float @1");
    QTest::newRow("boolean") << QByteArray("true") << QStringLiteral("k=true boolean @1");
    QTest::newRow("null") << QByteArray("null") << QStringLiteral("k=null null @1");
    QTest::newRow("array") << QByteArray(R"([1,"x"])") << QStringLiteral(R"(k=[1,"x"] string @1)");
}

void TestMirror::setScalarsAndTypes()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, row);
    Mirror m;
    QCOMPARE(m.apply(ev(1, Op::Set, "k", J(json.constData()))), ApplyStatus::Applied);
    QCOMPARE(rows(m), QStringList{row});
    QCOMPARE(m.lastSeq(), 1);
    QCOMPARE(m.leafCount(), 1);
    // Every scalar is a leaf that exists, a null one too.
    QVERIFY(m.exists(P("k")));
    QCOMPARE(m.get(P("k"))->value, J(json.constData()));
}

void TestMirror::setObjectFlattensAndClears()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "users/alice", J("\"old leaf\"")));
    m.apply(ev(2, Op::Set, "users/alice/old", J("1")));
    m.apply(ev(3, Op::Set, "users/alice-x", J("2")));
    m.apply(ev(4, Op::Set, "users/alicex", J("3")));
    m.apply(ev(5, Op::Set, "users/alice",
               J("{\"name\":\"Alice\",\"prefs\":{\"theme\":\"dark\",\"a/b\":[1]},\"e\":{}}")));
    QCOMPARE(rows(m),
             S({"users/alice-x=2 integer @3", "users/alice/name=\"Alice\" string @5",
                "users/alice/prefs/a~1b=[1] string @5",
                "users/alice/prefs/theme=\"dark\" string @5", "users/alicex=3 integer @4"}));
}

void TestMirror::setEmptyObjectClearsSubtree()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "a", J("1")));
    m.apply(ev(2, Op::Set, "a/b", J("2")));
    m.apply(ev(3, Op::Set, "ab", J("3")));
    m.apply(ev(4, Op::Set, "a", J("{}")));
    QCOMPARE(rows(m), S({"ab=3 integer @3"}));
    QCOMPARE(m.lastSeq(), 4);
}

void TestMirror::setEnvelopesStayLeaves()
{
    Mirror m;
    RandomStore r(1);
    const QJsonObject file = r.fileRef();
    const QJsonObject lease = r.lease(2);
    const QJsonObject typed{{QStringLiteral("_typed"), QStringLiteral("1.50")},
                            {QStringLiteral("_type"), QStringLiteral("decimal")}};
    m.apply(ev(1, Op::Set, "f/x", J("1")));
    m.apply(ev(2, Op::Set, "f", file));
    m.apply(ev(3, Op::Set, "l", lease));
    m.apply(ev(4, Op::Set, "t", typed));
    QCOMPARE(m.leafCount(), 3);
    QVERIFY(!m.exists(P("f/x")));
    const auto f = m.get(P("f"));
    QVERIFY(f);
    QCOMPARE(f->value, QJsonValue(file));
    QCOMPARE(f->type, QStringLiteral("file"));
    QCOMPARE(m.get(P("l"))->type, QStringLiteral("lease"));
    QCOMPARE(m.get(P("t"))->type, values::detectType(typed));
    QCOMPARE(m.get(P("t"))->value, QJsonValue(typed));
}

void TestMirror::setScalarClearsDescendants()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "a/b", J("1")));
    m.apply(ev(2, Op::Set, "a/c/d", J("2")));
    m.apply(ev(3, Op::Set, "a!", J("3")));
    m.apply(ev(4, Op::Set, "a-", J("4")));
    m.apply(ev(5, Op::Set, "a", J("5")));
    QCOMPARE(rows(m), S({"a=5 integer @5", "a!=3 integer @3", "a-=4 integer @4"}));
    // Writing a descendant keeps the ancestor leaf (a node can be a value and a folder).
    m.apply(ev(6, Op::Set, "a/z", J("6")));
    QCOMPARE(rows(m),
             S({"a=5 integer @5", "a!=3 integer @3", "a-=4 integer @4", "a/z=6 integer @6"}));
    QCOMPARE(m.get(P("a"))->value, J("5"));
}

void TestMirror::deleteRemovesSubtreeOnly()
{
    Mirror m;
    for (const char *p : {"a", "a/b", "a/b/c", "a-b", "ab", "a0", "b"})
        m.apply(ev(m.lastSeq() + 1, Op::Set, p, J("1")));
    m.apply(ev(10, Op::Delete, "a"));
    QCOMPARE(rows(m),
             S({"a-b=1 integer @4", "a0=1 integer @6", "ab=1 integer @5", "b=1 integer @7"}));
}

void TestMirror::deleteOfMissingPathAdvancesSeq()
{
    Mirror m;
    QSignalSpy spy(&m, &Mirror::changed);
    QCOMPARE(m.apply(ev(1, Op::Delete, "nothing/here")), ApplyStatus::Applied);
    QCOMPARE(m.lastSeq(), 1);
    QCOMPARE(spy.count(), 1);
    QVERIFY(spy.at(0).at(0).value<MirrorChangeBatch>().isEmpty());
}

void TestMirror::mergeSemantics()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "p", J("\"leaf at p\"")));
    m.apply(ev(2, Op::Set, "p/keep", J("1")));
    m.apply(ev(3, Op::Set, "p/obj", J("\"leaf at obj\"")));
    m.apply(ev(4, Op::Set, "p/obj/old", J("2")));
    m.apply(ev(5, Op::Set, "p/val/deep", J("3")));
    // obj: a plain object -> its subtree (and leaf) replaced; val: a scalar -> upserted, its
    // descendants kept; keep: not mentioned -> kept; the leaf at p is untouched.
    m.apply(ev(6, Op::Merge, "p", J("{\"obj\":{\"new\":true},\"val\":7,\"s/t\":\"x\"}")));
    QCOMPARE(rows(m),
             S({"p=\"leaf at p\" string @1", "p/keep=1 integer @2", "p/obj/new=true boolean @6",
                "p/s~1t=\"x\" string @6", "p/val=7 integer @6", "p/val/deep=3 integer @5"}));
    // A merge child that is an envelope is a leaf; `{}` clears that child.
    RandomStore r(2);
    m.apply(ev(7, Op::Merge, "p",
               QJsonObject{{QStringLiteral("obj"), QJsonObject()},
                           {QStringLiteral("file"), r.fileRef()}}));
    QVERIFY(!m.exists(P("p/obj")));
    QCOMPARE(m.get(P("p/file"))->type, QStringLiteral("file"));
}

void TestMirror::rejectedValueChangesNothing_data()
{
    QTest::addColumn<ChangeEvent>("event"); // seq 2, at "p" over the leaf p/a = 1 (seq 1)
    QTest::newRow("merge of a number") << ev(2, Op::Merge, "p", J("5"));
    QTest::newRow("set of an object with an empty key")
        << ev(2, Op::Set, "p", J(R"({"ok":1,"x":{"":2}})"));
    QTest::newRow("merge with an empty key") << ev(2, Op::Merge, "p", J(R"({"":2})"));
}

void TestMirror::rejectedValueChangesNothing()
{
    QFETCH(ChangeEvent, event);
    Mirror m;
    m.apply(ev(1, Op::Set, "p/a", J("1")));
    QSignalSpy rejected(&m, &Mirror::eventRejected);
    QSignalSpy changed(&m, &Mirror::changed);
    QCOMPARE(m.apply(event), ApplyStatus::Rejected);
    QCOMPARE(rejected.count(), 1);
    QCOMPARE(rejected.at(0).at(0).toLongLong(), 2);
    QVERIFY(!rejected.at(0).at(1).toString().isEmpty());
    QCOMPARE(changed.count(), 0);
    QCOMPARE(m.lastSeq(), 2);                   // consumed, so the next event is not a gap
    QCOMPARE(rows(m), S({"p/a=1 integer @1"})); // nothing half-applied
}

void TestMirror::incrementStoresTotal()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "c/x", J("1")));
    m.apply(ev(2, Op::Increment, "c", J("5")));
    m.apply(ev(3, Op::Increment, "c", J("7.5")));
    QCOMPARE(rows(m), S({"c=7.5 counter @3", "c/x=1 integer @1"}));
    QCOMPARE(m.apply(ev(4, Op::Increment, "c", J("\"x\""))), ApplyStatus::Rejected);
    QCOMPARE(m.get(P("c"))->value, J("7.5"));
}

void TestMirror::addRemoveStoreWholeSet()
{
    Mirror m;
    m.apply(ev(1, Op::Add, "tags", J("[\"a\"]")));
    m.apply(ev(2, Op::Add, "tags", J("[\"b\",\"a\"]")));
    m.apply(ev(3, Op::Remove, "tags", J("[\"b\"]")));
    QCOMPARE(rows(m), S({"tags=[\"b\"] set @3"}));
    QCOMPARE(m.apply(ev(4, Op::Add, "tags", J("\"c\""))), ApplyStatus::Rejected);
}

void TestMirror::putFileClearsDescendants()
{
    Mirror m;
    RandomStore r(3);
    m.apply(ev(1, Op::Set, "img/meta", J("1")));
    m.apply(ev(2, Op::Set, "img-x", J("2")));
    m.apply(ev(3, Op::PutFile, "img", r.fileRef()));
    QCOMPARE(m.leafCount(), 2);
    QCOMPARE(m.get(P("img"))->type, QStringLiteral("file"));
    QCOMPARE(m.get(P("img"))->revision, 3);
    QVERIFY(m.exists(P("img-x")));
}

void TestMirror::leaseRenewRelease()
{
    Mirror m;
    RandomStore r(4);
    m.apply(ev(1, Op::Set, "jobs/nightly/log", J("1")));
    m.apply(ev(2, Op::Lease, "jobs/nightly", r.lease(2)));
    QCOMPARE(m.get(P("jobs/nightly"))->type, QStringLiteral("lease"));
    QCOMPARE(m.leafCount(), 2); // a lease does not clear descendants
    QJsonObject renewed = r.lease(2);
    renewed.insert(QStringLiteral("expires_at"), qint64(1799999999999));
    m.apply(ev(3, Op::Renew, "jobs/nightly", renewed));
    QCOMPARE(m.get(P("jobs/nightly"))->value, QJsonValue(renewed));
    QCOMPARE(m.get(P("jobs/nightly"))->revision, 3);
    m.apply(ev(4, Op::Release, "jobs/nightly", J("null")));
    QCOMPARE(rows(m), S({"jobs/nightly/log=1 integer @1"})); // only the leaf goes
}

void TestMirror::unknownOpIsRejected()
{
    Mirror m;
    ChangeEvent e = ev(1, Op::Unknown, "a", J("1"));
    e.opText = QStringLiteral("teleport");
    QSignalSpy rejected(&m, &Mirror::eventRejected);
    QCOMPARE(m.apply(e), ApplyStatus::Rejected);
    QVERIFY(rejected.at(0).at(1).toString().contains(QStringLiteral("teleport")));
    QCOMPARE(m.leafCount(), 0);
    QCOMPARE(m.lastSeq(), 1);
}

void TestMirror::invalidPathIsRejected()
{
    Mirror m;
    QSignalSpy rejected(&m, &Mirror::eventRejected);
    ChangeEvent e = ev(1, Op::Set, "a", J("1"));
    e.path = Path();
    QCOMPARE(m.apply(e), ApplyStatus::Rejected);
    QCOMPARE(rejected.count(), 1);
    QCOMPARE(m.leafCount(), 0);
}

void TestMirror::invalidEventBytesAreRejected_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("empty segment") << QByteArray("a//b") << QByteArray("1");
    QTest::newRow("leading slash") << QByteArray("/a") << QByteArray("1");
    QTest::newRow("trailing slash") << QByteArray("a/") << QByteArray("1");
    QTest::newRow("unknown escape") << QByteArray("a~2") << QByteArray("1");
    QTest::newRow("dangling escape") << QByteArray("a~") << QByteArray("1");
    QTest::newRow("empty path") << QByteArray("") << QByteArray("1");
    QTest::newRow("truncated JSON") << QByteArray("ok") << QByteArray("[1,");
}

// The fast path (EventView): the path and value as bytes, checked by the Mirror.
void TestMirror::invalidEventBytesAreRejected()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, value);
    Mirror m;
    QSignalSpy rejected(&m, &Mirror::eventRejected);
    EventView v;
    v.storeSeq = 1;
    v.op = Op::Set;
    v.opText = "set";
    v.path = path;
    v.value = value;
    QCOMPARE(m.apply(v), ApplyStatus::Rejected);
    QCOMPARE(rejected.count(), 1);
    QCOMPARE(m.leafCount(), 0);
}

void TestMirror::revisionsArePerLeaf()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "r", J("{\"a\":1,\"b\":{\"c\":2}}")));
    m.apply(ev(2, Op::Merge, "r", J("{\"a\":3}")));
    m.apply(ev(3, Op::Set, "other", J("1")));
    QCOMPARE(rows(m), S({"other=1 integer @3", "r/a=3 integer @2", "r/b/c=2 integer @1"}));
    const auto subtree = m.get(P("r"));
    QVERIFY(subtree);
    QCOMPARE(subtree->type, QStringLiteral("map"));
    QCOMPARE(subtree->revision, 2);
    QCOMPARE(subtree->value, J("{\"a\":3,\"b\":{\"c\":2}}"));
}

void TestMirror::randomOpsMatchReference()
{
    const quint32 seed = testSeed();
    for (int round = 0; round < 20; ++round) {
        RandomStore r(seed + quint32(round));
        Mirror m;
        MirrorReference ref;
        for (qint64 seq = 1; seq <= 300; ++seq) {
            const ChangeEvent e = r.event(seq);
            QCOMPARE(m.apply(e), ApplyStatus::Applied);
            ref.apply(e);
        }
        QCOMPARE(normalizedRows(m), ref.rows());
        QCOMPARE(m.lastSeq(), ref.lastSeq);
        QCOMPARE(m.leafCount(), qsizetype(ref.leaves.size()));
    }
}

void TestMirror::fastPathMatchesChangeEventPath()
{
    const quint32 seed = testSeed();
    RandomStore r(seed);
    Mirror viaEvents;
    Mirror viaFrames;
    EventFrameDecoder decoder;
    for (qint64 seq = 1; seq <= 2000; ++seq) {
        const ChangeEvent e = r.event(seq);
        viaEvents.apply(e);
        const QByteArray frame = eventFrame(e);
        const auto decoded = decoder.decode(QByteArrayView(frame));
        QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error()));
        QCOMPARE(decoded->kind, DecodedFrame::Kind::Event);
        QCOMPARE(viaFrames.apply(decoded->change), ApplyStatus::Applied);
    }
    QCOMPARE(normalizedRows(viaFrames), normalizedRows(viaEvents));
    QVERIFY(viaEvents.leafCount() > 0);
}

QTEST_GUILESS_MAIN(TestMirror)
#include "tst_mirror.moc"
