// Tests of dust::Mirror: the server's write semantics, idempotency, catch-up bookkeeping,
// snapshots, reads and listings, change batches, client_op_id memory. The randomized tests
// print their seed; set DUST_TEST_SEED to replay one.

#include "protocol/Glob.h"
#include "protocol/JsonBytes.h"
#include "protocol/Values.h"
#include "sync/EventFrameDecoder.h"
#include "sync/Mirror.h"

#include "TestSeed.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <map>
#include <set>

using namespace dust;
using dust::test::testSeed;

namespace {

Path P(const QString &rendered)
{
    auto parsed = Path::parse(rendered);
    return parsed ? *parsed : Path();
}

Path P(const char *rendered)
{
    return P(QString::fromUtf8(rendered));
}

QJsonValue J(const char *json)
{
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray("[") + QByteArray(json) + QByteArray("]"));
    return doc.array().at(0);
}

ChangeEvent ev(qint64 seq, Op op, const QString &path, const QJsonValue &value = QJsonValue(),
               const QString &clientOpId = QString())
{
    ChangeEvent e;
    e.storeSeq = seq;
    e.op = op;
    e.opText = opName(op);
    e.path = P(path);
    e.value = value;
    e.deviceId = QStringLiteral("dev_test");
    e.clientOpId = clientOpId.isEmpty() ? QStringLiteral("op_%1").arg(seq) : clientOpId;
    return e;
}

ChangeEvent ev(qint64 seq, Op op, const char *path, const QJsonValue &value = QJsonValue(),
               const QString &clientOpId = QString())
{
    return ev(seq, op, QString::fromUtf8(path), value, clientOpId);
}

// "path=value type @revision" per leaf, in path order.
QStringList rows(const Mirror &m)
{
    QStringList out;
    m.forEachLeaf([&](const MirrorLeafView &leaf) {
        out.append(
            QStringLiteral("%1=%2 %3 @%4")
                .arg(leaf.renderedPath(), QString::fromUtf8(leaf.value), leaf.type.toString())
                .arg(leaf.revision));
    });
    return out;
}

QStringList S(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out.append(QString::fromUtf8(item));
    return out;
}

// --- An independent, naive model of the server's leaves --------------------------------

QString typeOf(const QJsonValue &v)
{
    if (v.isObject())
        return values::detectType(v); // an envelope (plain objects never get here)
    if (v.isNull())
        return QStringLiteral("null");
    if (v.isBool())
        return QStringLiteral("boolean");
    if (v.isDouble())
        return v.toVariant().typeId() == QMetaType::LongLong ? QStringLiteral("integer")
                                                             : QStringLiteral("float");
    return QStringLiteral("string"); // strings and arrays
}

bool isPlain(const QJsonValue &v)
{
    return v.isObject() && !values::isTypedEnvelope(v.toObject());
}

struct RefLeaf
{
    QJsonValue value;
    QString type;
    qint64 revision = 0;
};

class Reference
{
public:
    std::map<QByteArray, RefLeaf> leaves; // by rendered UTF-8 path
    qint64 lastSeq = 0;

    void apply(const ChangeEvent &e)
    {
        if (e.storeSeq <= lastSeq)
            return;
        lastSeq = e.storeSeq;
        const QByteArray p = e.path.rendered().toUtf8();
        switch (e.op) {
        case Op::Set:
            removeDescendants(p);
            if (isPlain(e.value)) {
                leaves.erase(p);
                flatten(e.path, e.value, e.storeSeq);
            } else {
                leaves[p] = {e.value, typeOf(e.value), e.storeSeq};
            }
            break;
        case Op::Delete:
            leaves.erase(p);
            removeDescendants(p);
            break;
        case Op::Merge: {
            const QJsonObject o = e.value.toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                const Path child = e.path.child(it.key());
                const QByteArray c = child.rendered().toUtf8();
                if (isPlain(it.value())) {
                    removeDescendants(c);
                    leaves.erase(c);
                    flatten(child, it.value(), e.storeSeq);
                } else {
                    leaves[c] = {it.value(), typeOf(it.value()), e.storeSeq};
                }
            }
            break;
        }
        case Op::Increment:
            leaves[p] = {e.value, QStringLiteral("counter"), e.storeSeq};
            break;
        case Op::Add:
        case Op::Remove:
            leaves[p] = {e.value, QStringLiteral("set"), e.storeSeq};
            break;
        case Op::PutFile:
            removeDescendants(p);
            leaves[p] = {e.value, QStringLiteral("file"), e.storeSeq};
            break;
        case Op::Lease:
        case Op::Renew:
            leaves[p] = {e.value, QStringLiteral("lease"), e.storeSeq};
            break;
        case Op::Release:
            leaves.erase(p);
            break;
        case Op::Unknown:
            break;
        }
    }

    QStringList rows() const
    {
        QStringList out;
        for (const auto &[path, leaf] : leaves)
            out.append(QStringLiteral("%1=%2 %3 @%4")
                           .arg(QString::fromUtf8(path),
                                QString::fromUtf8(jsonbytes::fromJsonValue(leaf.value)), leaf.type)
                           .arg(leaf.revision));
        return out;
    }

private:
    void removeDescendants(const QByteArray &p)
    {
        const QByteArray prefix = p + '/';
        for (auto it = leaves.lower_bound(prefix);
             it != leaves.end() && it->first.startsWith(prefix);)
            it = leaves.erase(it);
    }
    void flatten(const Path &base, const QJsonValue &v, qint64 seq)
    {
        if (!isPlain(v)) {
            leaves[base.rendered().toUtf8()] = {v, typeOf(v), seq};
            return;
        }
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            flatten(base.child(it.key()), it.value(), seq);
    }
};

// The mirror's leaves in the same text form as Reference::rows() (values re-serialized by
// Qt, so the byte form of numbers does not matter).
QStringList normalizedRows(const Mirror &m)
{
    QStringList out;
    m.forEachLeaf([&](const MirrorLeafView &leaf) {
        out.append(QStringLiteral("%1=%2 %3 @%4")
                       .arg(leaf.renderedPath(),
                            QString::fromUtf8(jsonbytes::fromJsonValue(leaf.jsonValue())),
                            leaf.type.toString())
                       .arg(leaf.revision));
    });
    return out;
}

// --- Random stores and events ------------------------------------------------------------

const QStringList &segmentAlphabet()
{
    static const QStringList segments = {
        QStringLiteral("a"),      QStringLiteral("b"),     QStringLiteral("a-b"),
        QStringLiteral("a b"),    QStringLiteral("ab"),    QStringLiteral("a.b"),
        QStringLiteral("x~y"),    QStringLiteral("s/t"),   QStringLiteral("~"),
        QStringLiteral("é"),      QStringLiteral("😀"),     QStringLiteral("\u00ff"),
        QStringLiteral("0"),      QStringLiteral("*"),     QStringLiteral("A"),
        QStringLiteral("\uffee"), QStringLiteral("users"), QStringLiteral("!"),
    };
    return segments;
}

class RandomStore
{
public:
    explicit RandomStore(quint32 seed)
        : rng(seed)
    {}

    QRandomGenerator rng;

    int below(int n) { return int(rng.bounded(n)); }
    bool chance(int percent) { return below(100) < percent; }

    QString segment()
    {
        const QStringList &alphabet = segmentAlphabet();
        return alphabet.at(below(int(alphabet.size())));
    }

    Path path(int maxDepth = 3)
    {
        QStringList segments;
        const int depth = 1 + below(maxDepth);
        for (int i = 0; i < depth; ++i)
            segments.append(segment());
        return *Path::fromSegments(segments);
    }

    QJsonValue scalar()
    {
        switch (below(8)) {
        case 0:
            return QJsonValue(QJsonValue::Null);
        case 1:
            return QJsonValue(chance(50));
        case 2:
            return QJsonValue(qint64(below(2000)) - 1000);
        case 3:
            return QJsonValue(double(below(2000) - 1000) + 0.25);
        case 4:
            return QJsonValue(QStringLiteral("quote \" back \\ nl \n tab \t é 😀"));
        case 5:
            return QJsonValue(QJsonArray{1, QStringLiteral("two"), QJsonValue::Null});
        default:
            return QJsonValue(QStringLiteral("v%1").arg(below(100)));
        }
    }

    QJsonValue value(int depth = 2)
    {
        const int r = below(100);
        if (depth > 0 && r < 25) {
            QJsonObject o;
            const int n = below(4);
            for (int i = 0; i < n; ++i)
                o.insert(segment(), value(depth - 1));
            return o;
        }
        if (r < 30)
            return fileRef();
        if (r < 33)
            return QJsonObject{{QStringLiteral("_typed"), QStringLiteral("1.50")},
                               {QStringLiteral("_type"), QStringLiteral("decimal")}};
        return scalar();
    }

    QJsonObject fileRef()
    {
        return QJsonObject{{QStringLiteral("_type"), QStringLiteral("file")},
                           {QStringLiteral("hash"), QStringLiteral("sha256:%1").arg(below(1000))},
                           {QStringLiteral("size"), below(5000)},
                           {QStringLiteral("content_type"), QStringLiteral("image/png")},
                           {QStringLiteral("filename"), QJsonValue::Null},
                           {QStringLiteral("uploaded_at"), QStringLiteral("2026-06-28T00:00:00Z")}};
    }

    QJsonObject lease(qint64 seq)
    {
        return QJsonObject{{QStringLiteral("_type"), QStringLiteral("lease")},
                           {QStringLiteral("holder"), QStringLiteral("node-a")},
                           {QStringLiteral("token"), seq},
                           {QStringLiteral("expires_at"), qint64(1790000000000) + seq}};
    }

    // A valid event of a random op at a random path.
    ChangeEvent event(qint64 seq)
    {
        const Path p = path();
        ChangeEvent e;
        e.storeSeq = seq;
        e.path = p;
        e.deviceId = QStringLiteral("dev_rand");
        e.clientOpId = QStringLiteral("op_r%1").arg(seq);
        const int r = below(100);
        if (r < 45) {
            e.op = Op::Set;
            e.value = value();
        } else if (r < 55) {
            e.op = Op::Delete;
        } else if (r < 65) {
            e.op = Op::Merge;
            QJsonObject o;
            const int n = 1 + below(3);
            for (int i = 0; i < n; ++i)
                o.insert(segment(), value(1));
            e.value = o;
        } else if (r < 72) {
            e.op = Op::Increment;
            e.value = chance(50) ? QJsonValue(qint64(below(100))) : QJsonValue(below(100) + 0.5);
        } else if (r < 79) {
            e.op = chance(50) ? Op::Add : Op::Remove;
            e.value = QJsonArray{QStringLiteral("m%1").arg(below(5)), below(3)};
        } else if (r < 85) {
            e.op = Op::PutFile;
            e.value = fileRef();
        } else if (r < 92) {
            e.op = chance(50) ? Op::Lease : Op::Renew;
            e.value = lease(seq);
        } else {
            e.op = Op::Release;
            e.value = QJsonValue(QJsonValue::Null);
        }
        e.opText = opName(e.op);
        return e;
    }
};

// The JSON text of an `event` frame for a ChangeEvent.
QByteArray eventFrame(const ChangeEvent &e)
{
    QJsonObject payload = e.toJson();
    const QJsonArray frame{QJsonValue::Null, QJsonValue::Null, QStringLiteral("store:acme/site"),
                           QStringLiteral("event"), payload};
    return QJsonDocument(frame).toJson(QJsonDocument::Compact);
}

// A model of leaves kept only from change batches and resets, like a tree model would.
class BatchModel : public QObject
{
public:
    explicit BatchModel(Mirror &mirror)
        : m_mirror(mirror)
    {
        connect(&mirror, &Mirror::changed, this, &BatchModel::onChanged);
        connect(&mirror, &Mirror::reset, this, &BatchModel::onReset);
        onReset();
    }

    std::map<QByteArray, QString> leaves; // rendered UTF-8 path -> "type @rev preview"
    QStringList problems;
    int batches = 0;
    int resets = 0;

    QStringList rows() const
    {
        QStringList out;
        for (const auto &[path, text] : leaves)
            out.append(QString::fromUtf8(path) + QLatin1Char(' ') + text);
        return out;
    }

    static QStringList mirrorRows(const Mirror &mirror)
    {
        QStringList out;
        mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
            out.append(leaf.renderedPath() + QLatin1Char(' ') +
                       describe(leaf.type.toString(), leaf.revision, leaf.preview()));
        });
        return out;
    }

private:
    static QString describe(const QString &type, qint64 revision, const QString &preview)
    {
        return QStringLiteral("%1 @%2 %3").arg(type).arg(revision).arg(preview);
    }

    void onChanged(const MirrorChangeBatch &batch)
    {
        ++batches;
        QByteArray previous;
        for (const MirrorLeafChange &c : batch.changes()) {
            const QByteArray path = c.path.rendered().toUtf8();
            if (!previous.isNull() && !(previous < path))
                problems.append(QStringLiteral("batch not in path order at ") +
                                QString::fromUtf8(path));
            previous = path;
            if (c.revision != batch.lastSeq())
                problems.append(
                    QStringLiteral("revision %1 in batch %2").arg(c.revision).arg(batch.lastSeq()));
            const bool known = leaves.count(path) > 0;
            switch (c.kind) {
            case MirrorLeafChange::Kind::Added:
                if (known)
                    problems.append(QStringLiteral("added twice: ") + QString::fromUtf8(path));
                leaves[path] = describe(c.type, c.revision, c.preview);
                break;
            case MirrorLeafChange::Kind::Updated:
                if (!known)
                    problems.append(QStringLiteral("updated unknown: ") + QString::fromUtf8(path));
                leaves[path] = describe(c.type, c.revision, c.preview);
                break;
            case MirrorLeafChange::Kind::Removed:
                if (!known)
                    problems.append(QStringLiteral("removed unknown: ") + QString::fromUtf8(path));
                leaves.erase(path);
                break;
            }
        }
    }

    void onReset()
    {
        ++resets;
        leaves.clear();
        m_mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
            leaves[leaf.path.toByteArray()] =
                describe(leaf.type.toString(), leaf.revision, leaf.preview());
        });
    }

    Mirror &m_mirror;
};

} // namespace

class TestMirror : public QObject
{
    Q_OBJECT

private slots:
    // --- write semantics ---
    void setScalarsAndTypes();
    void setObjectFlattensAndClears();
    void setEmptyObjectClearsSubtree();
    void setEnvelopesStayLeaves();
    void setScalarClearsDescendants();
    void deleteRemovesSubtreeOnly();
    void deleteOfMissingPathAdvancesSeq();
    void mergeSemantics();
    void mergeRejectsNonObject();
    void valueWithEmptyKeyIsRejected();
    void incrementStoresTotal();
    void addRemoveStoreWholeSet();
    void putFileClearsDescendants();
    void leaseRenewRelease();
    void unknownOpIsRejected();
    void invalidPathIsRejected();
    void revisionsArePerLeaf();
    void randomOpsMatchReference();
    void fastPathMatchesChangeEventPath();

    // --- idempotency, catch-up, snapshots ---
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
    void clientOpIds();
    void clientOpIdMemoryIsBounded();

    // --- reads ---
    void getLeafSubtreeAndMissing();
    void existsAndChildren();
    void forEachLeafUnder();
    void listPatterns();
    void listExactPatternListsTheLeaf();
    void listRange();
    void listOrderCursorAndPaging();
    void listKeysAndPrefixes();
    void listErrors();
    void listRandomAgainstReference();

    // --- change batches ---
    void batchDescribesEachChange();
    void batchCarriesTheEvent();
    void batchesRebuildTheMirror();
    void batchCrossesThreads();
    void noBatchWithoutReceivers();
};

// --- write semantics ---------------------------------------------------------------------

void TestMirror::setScalarsAndTypes()
{
    Mirror m;
    QCOMPARE(m.apply(ev(1, Op::Set, "s", J("\"text\""))), ApplyStatus::Applied);
    m.apply(ev(2, Op::Set, "i", J("42")));
    m.apply(ev(3, Op::Set, "f", J("1.5")));
    m.apply(ev(4, Op::Set, "b", J("true")));
    m.apply(ev(5, Op::Set, "n", J("null")));
    m.apply(ev(6, Op::Set, "arr", J("[1,\"x\"]")));
    QCOMPARE(rows(m), S({"arr=[1,\"x\"] string @6", "b=true boolean @4", "f=1.5 float @3",
                         "i=42 integer @2", "n=null null @5", "s=\"text\" string @1"}));
    QCOMPARE(m.lastSeq(), 6);
    QCOMPARE(m.leafCount(), 6);
    // A null leaf exists.
    QVERIFY(m.exists(P("n")));
    QCOMPARE(m.get(P("n"))->value, QJsonValue(QJsonValue::Null));
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

void TestMirror::mergeRejectsNonObject()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "p/a", J("1")));
    QSignalSpy rejected(&m, &Mirror::eventRejected);
    QSignalSpy changed(&m, &Mirror::changed);
    QCOMPARE(m.apply(ev(2, Op::Merge, "p", J("5"))), ApplyStatus::Rejected);
    QCOMPARE(rejected.count(), 1);
    QCOMPARE(rejected.at(0).at(0).toLongLong(), 2);
    QVERIFY(!rejected.at(0).at(1).toString().isEmpty());
    QCOMPARE(changed.count(), 0);
    QCOMPARE(m.lastSeq(), 2); // consumed, so the next event is not a gap
    QCOMPARE(rows(m), S({"p/a=1 integer @1"}));
}

void TestMirror::valueWithEmptyKeyIsRejected()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "p/a", J("1")));
    QSignalSpy rejected(&m, &Mirror::eventRejected);
    QCOMPARE(m.apply(ev(2, Op::Set, "p", J("{\"ok\":1,\"x\":{\"\":2}}"))), ApplyStatus::Rejected);
    QCOMPARE(m.apply(ev(3, Op::Merge, "p", J("{\"\":2}"))), ApplyStatus::Rejected);
    QCOMPARE(rejected.count(), 2);
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
    // The byte path: bad escapes, empty segments, bad JSON.
    const QByteArray bad[] = {"a//b", "/a", "a/", "a~2", "a~", ""};
    qint64 seq = 1;
    for (const QByteArray &path : bad) {
        EventView v;
        v.storeSeq = ++seq;
        v.op = Op::Set;
        v.opText = "set";
        v.path = path;
        v.value = "1";
        QCOMPARE(m.apply(v), ApplyStatus::Rejected);
    }
    EventView v;
    v.storeSeq = ++seq;
    v.op = Op::Set;
    v.opText = "set";
    v.path = "ok";
    v.value = "[1,";
    QCOMPARE(m.apply(v), ApplyStatus::Rejected);
    QCOMPARE(rejected.count(), 8);
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
        Reference ref;
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

// --- idempotency, catch-up, snapshots ------------------------------------------------------

void TestMirror::sameEventTwiceAppliesOnce()
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

void TestMirror::olderEventsAreIgnored()
{
    Mirror m;
    m.apply(ev(5, Op::Set, "a", J("5")));
    QCOMPARE(m.apply(ev(3, Op::Set, "a", J("3"))), ApplyStatus::Duplicate);
    QCOMPARE(m.apply(ev(4, Op::Delete, "a")), ApplyStatus::Duplicate);
    QCOMPARE(rows(m), S({"a=5 integer @5"}));
}

void TestMirror::catchUpBuffersLiveEvents()
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

void TestMirror::catchUpDropsReplayedDuplicates()
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

void TestMirror::catchUpOutOfOrderLiveEvents()
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

void TestMirror::smallCatchUpEmitsBatches()
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

void TestMirror::bulkCatchUpEmitsOneReset()
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

void TestMirror::longCatchUpSwitchesToReset()
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

void TestMirror::interruptedBulkCatchUpStillResets()
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

void TestMirror::catchUpIncompleteIsReported()
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

void TestMirror::snapshotReplacesState()
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

void TestMirror::snapshotOutsideCatchUp()
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

void TestMirror::snapshotRejectsBadEntries()
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

void TestMirror::decodedSnapshotMatchesJsonSnapshot()
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

void TestMirror::gapIsReported()
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

void TestMirror::clearEmitsReset()
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

void TestMirror::clientOpIds()
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

void TestMirror::clientOpIdMemoryIsBounded()
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

// --- reads -------------------------------------------------------------------------------

void TestMirror::getLeafSubtreeAndMissing()
{
    Mirror m;
    m.apply(
        ev(1, Op::Set, "users/alice", J("{\"name\":\"Alice\",\"prefs\":{\"theme\":\"dark\"}}")));
    m.apply(ev(2, Op::Set, "users/bob/name", J("\"Bob\"")));
    m.apply(ev(3, Op::Set, "users/alice-x", J("1")));

    const auto leaf = m.get(P("users/alice/name"));
    QVERIFY(leaf);
    QCOMPARE(leaf->path, P("users/alice/name"));
    QCOMPARE(leaf->value, J("\"Alice\""));
    QCOMPARE(leaf->type, QStringLiteral("string"));
    QCOMPARE(leaf->revision, 1);

    const auto users = m.get(P("users"));
    QVERIFY(users);
    QCOMPARE(users->type, QStringLiteral("map"));
    QCOMPARE(users->revision, 3);
    QCOMPARE(users->value, J("{\"alice\":{\"name\":\"Alice\",\"prefs\":{\"theme\":\"dark\"}},"
                             "\"alice-x\":1,\"bob\":{\"name\":\"Bob\"}}"));
    const auto alice = m.get(P("users/alice"));
    QVERIFY(alice);
    QCOMPARE(alice->revision, 1);
    QCOMPARE(alice->value, J("{\"name\":\"Alice\",\"prefs\":{\"theme\":\"dark\"}}"));

    QVERIFY(!m.get(P("users/carol")));
    QVERIFY(!m.get(P("users/alic")));
    QVERIFY(!m.get(Path()));
}

void TestMirror::existsAndChildren()
{
    Mirror m;
    for (const char *p : {"a", "a/b", "a/c/d", "a-b", "a b/x", "x~1y", "é/z", "😀", "a/c/e"})
        m.apply(ev(m.lastSeq() + 1, Op::Set, p, J("1")));
    QVERIFY(m.exists(P("a")));
    QVERIFY(m.exists(P("a/c")));
    QVERIFY(m.exists(P("a b")));
    QVERIFY(!m.exists(P("a/c/d/e")));
    QVERIFY(!m.exists(P("a/x")));
    QVERIFY(!m.exists(P("x")));

    const QList<MirrorChild> root = m.children();
    QCOMPARE(root, (QList<MirrorChild>{{QStringLiteral("a"), true, true},
                                       {QStringLiteral("a b"), false, true},
                                       {QStringLiteral("a-b"), true, false},
                                       {QStringLiteral("x/y"), true, false},
                                       {QStringLiteral("é"), false, true},
                                       {QStringLiteral("😀"), true, false}}));
    QCOMPARE(m.children(P("a")), (QList<MirrorChild>{{QStringLiteral("b"), true, false},
                                                     {QStringLiteral("c"), false, true}}));
    QCOMPARE(m.children(P("a/c")), (QList<MirrorChild>{{QStringLiteral("d"), true, false},
                                                       {QStringLiteral("e"), true, false}}));
    QVERIFY(m.children(P("a-b")).isEmpty());
    QVERIFY(m.children(P("nothing")).isEmpty());
}

void TestMirror::forEachLeafUnder()
{
    Mirror m;
    for (const char *p : {"a", "a/b", "a!", "a/c/d", "ab", "b"})
        m.apply(ev(m.lastSeq() + 1, Op::Set, p, J("1")));
    QStringList seen;
    m.forEachLeafUnder(P("a"), [&](const MirrorLeafView &v) { seen.append(v.renderedPath()); });
    QCOMPARE(seen, S({"a", "a/b", "a/c/d"}));
    seen.clear();
    m.forEachLeafUnder(P("a/c"), [&](const MirrorLeafView &v) { seen.append(v.renderedPath()); });
    QCOMPARE(seen, S({"a/c/d"}));
    seen.clear();
    m.forEachLeafUnder(P("zz"), [&](const MirrorLeafView &v) { seen.append(v.renderedPath()); });
    QVERIFY(seen.isEmpty());
}

namespace {

Mirror *listStore(Mirror &m)
{
    for (const char *p : {"posts", "posts/hello/title", "posts/hello/body", "posts/hello2/title",
                          "posts/a b/title", "posts/x~1y/title", "posts/é/title", "posts/*",
                          "users/alice", "users/bob/name", "a-b", "a/b", "a0"})
        m.apply(ev(m.lastSeq() + 1, Op::Set, p, J("1")));
    return &m;
}

QStringList keysOf(const Mirror &m, MirrorListQuery q)
{
    q.select = MirrorListQuery::Select::Keys;
    const auto page = m.list(q);
    if (!page)
        return {QStringLiteral("error: ") + page.error().message()};
    return page->paths;
}

MirrorListQuery pattern(const char *p, int limit = 1000)
{
    MirrorListQuery q;
    q.pattern = QString::fromUtf8(p);
    q.limit = limit;
    return q;
}

} // namespace

void TestMirror::listPatterns()
{
    Mirror m;
    listStore(m);
    QCOMPARE(keysOf(m, pattern("posts/*/title")),
             S({"posts/a b/title", "posts/hello/title", "posts/hello2/title", "posts/x~1y/title",
                "posts/é/title"}));
    QCOMPARE(keysOf(m, pattern("posts/*")), S({"posts/*"}));
    QCOMPARE(keysOf(m, pattern("posts/\\*")), S({"posts/*"}));
    QCOMPARE(keysOf(m, pattern("*")), S({"a-b", "a0", "posts"}));
    QCOMPARE(keysOf(m, pattern("users/**")), S({"users/alice", "users/bob/name"}));
    QCOMPARE(keysOf(m, pattern("a/**")), S({"a/b"}));
    QCOMPARE(keysOf(m, pattern("**")).size(), 13);
    QCOMPARE(keysOf(m, pattern("")).size(), 13); // empty = "**"
    QCOMPARE(keysOf(m, pattern("*/hello/*")), S({"posts/hello/body", "posts/hello/title"}));
    QCOMPARE(keysOf(m, pattern("posts/x~1y/*")), S({"posts/x~1y/title"}));
    // Entries carry values, types and revisions.
    auto q = pattern("users/*");
    const auto page = m.list(q);
    QVERIFY(page);
    QCOMPARE(page->entries.size(), 1);
    QCOMPARE(page->entries.at(0).path, P("users/alice"));
    QCOMPARE(page->entries.at(0).value, J("1"));
    QCOMPARE(page->entries.at(0).type, QStringLiteral("integer"));
    QCOMPARE(page->entries.at(0).revision, 9);
}

void TestMirror::listExactPatternListsTheLeaf()
{
    Mirror m;
    listStore(m);
    // The hosted server lists nothing for an exact path; the mirror lists the leaf.
    QCOMPARE(keysOf(m, pattern("posts/hello/title")), S({"posts/hello/title"}));
    QCOMPARE(keysOf(m, pattern("posts/hello")), QStringList());
    auto q = pattern("posts/hello/title");
    q.after = QStringLiteral("posts/hello/title");
    QCOMPARE(keysOf(m, q), QStringList());
}

void TestMirror::listRange()
{
    Mirror m;
    listStore(m);
    MirrorListQuery q;
    q.from = P("a");
    q.to = P("posts/hello");
    QCOMPARE(keysOf(m, q), S({"a-b", "a/b", "a0", "posts", "posts/*", "posts/a b/title"}));
    q.descending = true;
    QCOMPARE(keysOf(m, q), S({"posts/a b/title", "posts/*", "posts", "a0", "a/b", "a-b"}));
    q.limit = 2;
    q.after = QStringLiteral("a0");
    QCOMPARE(keysOf(m, q), S({"a/b", "a-b"}));
    q.from = P("z");
    q.to = P("a");
    QCOMPARE(keysOf(m, q), QStringList());
}

void TestMirror::listOrderCursorAndPaging()
{
    Mirror m;
    listStore(m);
    // Byte order of the rendered path: "a-b" < "a/b" < "a0", "posts/*" < "posts/a b".
    auto q = pattern("**", 4);
    auto page = m.list(q);
    QVERIFY(page);
    QCOMPARE(page->entries.size(), 4);
    QCOMPARE(page->nextCursor, QStringLiteral("posts"));
    QStringList all;
    for (const Entry &e : page->entries)
        all.append(e.path.rendered());
    while (!page->nextCursor.isEmpty()) {
        q.after = page->nextCursor;
        page = m.list(q);
        QVERIFY(page);
        QVERIFY(page->entries.size() <= 4);
        for (const Entry &e : page->entries)
            all.append(e.path.rendered());
    }
    QCOMPARE(all, S({"a-b", "a/b", "a0", "posts", "posts/*", "posts/a b/title", "posts/hello/body",
                     "posts/hello/title", "posts/hello2/title", "posts/x~1y/title", "posts/é/title",
                     "users/alice", "users/bob/name"}));
    // The last page that ends exactly at the end has no cursor.
    q = pattern("users/**", 2);
    page = m.list(q);
    QVERIFY(page);
    QCOMPARE(page->nextCursor, QString());
    // Descending with a cursor.
    q = pattern("posts/**", 3);
    q.descending = true;
    q.after = QStringLiteral("posts/hello2/title");
    QCOMPARE(keysOf(m, q), S({"posts/hello/title", "posts/hello/body", "posts/a b/title"}));
}

void TestMirror::listKeysAndPrefixes()
{
    Mirror m;
    listStore(m);
    MirrorListQuery q = pattern("**");
    q.select = MirrorListQuery::Select::Prefixes;
    auto page = m.list(q);
    QVERIFY(page);
    QCOMPARE(page->paths, S({"a", "a-b", "a0", "posts", "users"}));
    q.pattern = QStringLiteral("posts/**");
    QCOMPARE(m.list(q)->paths,
             S({"posts/*", "posts/a b", "posts/hello", "posts/hello2", "posts/x~1y", "posts/é"}));
    // Paging over distinct prefixes, both directions, never repeating one.
    q.limit = 4;
    page = m.list(q);
    QCOMPARE(page->paths, S({"posts/*", "posts/a b", "posts/hello", "posts/hello2"}));
    QCOMPARE(page->nextCursor, QStringLiteral("posts/hello2"));
    q.after = page->nextCursor;
    page = m.list(q);
    QCOMPARE(page->paths, S({"posts/x~1y", "posts/é"}));
    QCOMPARE(page->nextCursor, QString());
    q.descending = true;
    q.after = QStringLiteral("posts/hello");
    QCOMPARE(m.list(q)->paths, S({"posts/a b", "posts/*"}));
}

void TestMirror::listErrors()
{
    Mirror m;
    listStore(m);
    auto reason = [&](const MirrorListQuery &q) {
        const auto page = m.list(q);
        return page ? QStringLiteral("ok") : page.error().reason();
    };
    MirrorListQuery q;
    q.limit = 0;
    QCOMPARE(reason(q), QStringLiteral("invalid_params"));
    q.limit = 1001;
    QCOMPARE(reason(q), QStringLiteral("invalid_params"));
    QCOMPARE(m.list(q).error().kind(), Error::Kind::InvalidParams);
    q = pattern("a//b");
    QCOMPARE(reason(q), QStringLiteral("invalid_params"));
    q = pattern("**/a");
    QCOMPARE(reason(q), QStringLiteral("invalid_params"));
    q = pattern("posts/*");
    q.from = P("a");
    q.to = P("b");
    QCOMPARE(reason(q), QStringLiteral("conflicting_params"));
    q = MirrorListQuery();
    q.from = P("a");
    QCOMPARE(reason(q), QStringLiteral("invalid_params"));
    q = MirrorListQuery();
    q.to = P("a");
    QCOMPARE(reason(q), QStringLiteral("invalid_params"));
    q = MirrorListQuery();
    q.from = P("a");
    q.to = P("b");
    q.select = MirrorListQuery::Select::Prefixes;
    QCOMPARE(reason(q), QStringLiteral("unsupported_select"));
    q = pattern("posts/*");
    q.select = MirrorListQuery::Select::Prefixes;
    QCOMPARE(reason(q), QStringLiteral("invalid_pattern_for_prefixes"));
    q = pattern("*/x/**");
    q.select = MirrorListQuery::Select::Prefixes;
    QCOMPARE(reason(q), QStringLiteral("invalid_pattern_for_prefixes"));
}

void TestMirror::listRandomAgainstReference()
{
    const quint32 seed = testSeed();
    RandomStore r(seed);
    Mirror m;
    Reference ref;
    for (qint64 seq = 1; seq <= 400; ++seq) {
        const ChangeEvent e = r.event(seq);
        m.apply(e);
        ref.apply(e);
    }
    QVERIFY(m.leafCount() > 20);

    std::vector<QByteArray> keys;
    for (const auto &[key, leaf] : ref.leaves)
        keys.push_back(key);

    auto patternFor = [&]() {
        const int kind = r.below(6);
        QStringList parts;
        const int depth = 1 + r.below(3);
        for (int i = 0; i < depth; ++i) {
            const int c = r.below(4);
            parts.append(c == 0 ? QStringLiteral("*") : Path::escapeSegment(r.segment()));
        }
        if (kind < 2)
            parts.append(QStringLiteral("**"));
        else if (kind == 2)
            parts = QStringList{QStringLiteral("**")};
        return parts.join(QLatin1Char('/'));
    };

    for (int round = 0; round < 300; ++round) {
        MirrorListQuery q;
        q.limit = 1 + r.below(7);
        q.descending = r.chance(40);
        const bool range = r.chance(25);
        std::vector<QByteArray> expected;
        if (range) {
            Path a = r.path(2);
            Path b = r.path(2);
            q.from = a;
            q.to = b;
            const QByteArray lo = a.rendered().toUtf8();
            const QByteArray hi = b.rendered().toUtf8();
            for (const QByteArray &k : keys)
                if (!(k < lo) && k < hi)
                    expected.push_back(k);
            q.select =
                r.chance(50) ? MirrorListQuery::Select::Keys : MirrorListQuery::Select::Entries;
        } else if (r.chance(30)) {
            // Prefixes of ** or <base>/**.
            QStringList base;
            const int depth = r.below(2);
            for (int i = 0; i < depth; ++i)
                base.append(r.segment());
            q.select = MirrorListQuery::Select::Prefixes;
            QByteArray baseText;
            QString globBase;
            if (!base.isEmpty()) {
                baseText = Path::fromSegments(base)->rendered().toUtf8() + '/';
                for (const QString &segment : base) {
                    // A literal "*" or "**" segment is written \* or \** in a glob.
                    const QString escaped = Path::escapeSegment(segment);
                    globBase += (segment == QLatin1String("*") || segment == QLatin1String("**")
                                     ? QLatin1Char('\\') + escaped
                                     : escaped) +
                                QLatin1Char('/');
                }
            }
            q.pattern = globBase + QStringLiteral("**");
            std::set<QByteArray> prefixes;
            for (const QByteArray &k : keys) {
                if (!k.startsWith(baseText) || k.size() == baseText.size())
                    continue;
                const QByteArray rest = k.mid(baseText.size());
                const qsizetype slash = rest.indexOf('/');
                prefixes.insert(baseText + (slash < 0 ? rest : rest.left(slash)));
            }
            expected.assign(prefixes.begin(), prefixes.end());
        } else {
            q.pattern = patternFor();
            const auto glob = Glob::compile(q.pattern);
            QVERIFY(glob);
            for (const QByteArray &k : keys)
                if (glob->matches(P(QString::fromUtf8(k))))
                    expected.push_back(k);
            q.select =
                r.chance(50) ? MirrorListQuery::Select::Keys : MirrorListQuery::Select::Entries;
        }
        if (q.descending)
            std::reverse(expected.begin(), expected.end());

        // Page through everything.
        QStringList got;
        for (int pageNo = 0; pageNo < 1000; ++pageNo) {
            const auto page = m.list(q);
            QVERIFY2(page, qPrintable(q.pattern + QLatin1Char(' ') +
                                      (page ? QString() : page.error().message())));
            const qsizetype n = q.select == MirrorListQuery::Select::Entries ? page->entries.size()
                                                                             : page->paths.size();
            QVERIFY(n <= q.limit);
            if (!page->nextCursor.isEmpty())
                QCOMPARE(n, qsizetype(q.limit));
            if (q.select == MirrorListQuery::Select::Entries) {
                for (const Entry &e : page->entries) {
                    got.append(e.path.rendered());
                    const RefLeaf &leaf = ref.leaves.at(e.path.rendered().toUtf8());
                    QCOMPARE(e.value, leaf.value);
                    QCOMPARE(e.type, leaf.type);
                    QCOMPARE(e.revision, leaf.revision);
                }
            } else {
                got.append(page->paths);
            }
            if (page->nextCursor.isEmpty())
                break;
            QCOMPARE(page->nextCursor, got.last());
            q.after = page->nextCursor;
        }
        QStringList want;
        for (const QByteArray &k : expected)
            want.append(QString::fromUtf8(k));
        if (got != want)
            qWarning() << "query" << q.pattern << (q.from ? q.from->rendered() : QString())
                       << (q.to ? q.to->rendered() : QString()) << "desc" << q.descending << "limit"
                       << q.limit;
        QCOMPARE(got, want);
    }
}

// --- change batches ----------------------------------------------------------------------

void TestMirror::batchDescribesEachChange()
{
    Mirror m;
    m.apply(ev(1, Op::Set, "u", J("{\"keep\":1,\"drop\":2,\"same\":3}")));
    m.apply(ev(2, Op::Set, "u-sibling", J("1")));
    QSignalSpy changed(&m, &Mirror::changed);
    m.apply(ev(3, Op::Set, "u", J("{\"keep\":10,\"new\":\"n\",\"same\":3}")));
    QCOMPARE(changed.count(), 1);
    const auto batch = changed.at(0).at(0).value<MirrorChangeBatch>();
    QCOMPARE(batch.firstSeq(), 3);
    QCOMPARE(batch.lastSeq(), 3);
    using K = MirrorLeafChange::Kind;
    const QList<MirrorLeafChange> expected = {
        {K::Removed, P("u/drop"), QString(), 3, QString()},
        {K::Updated, P("u/keep"), QStringLiteral("integer"), 3, values::preview(J("10"))},
        {K::Added, P("u/new"), QStringLiteral("string"), 3, values::preview(J("\"n\""))},
        {K::Updated, P("u/same"), QStringLiteral("integer"), 3, values::preview(J("3"))},
    };
    QCOMPARE(batch.changes(), expected);

    // A value over a subtree: the leaves under it go, the leaf comes.
    changed.clear();
    m.apply(ev(4, Op::Set, "u", J("true")));
    const auto batch2 = changed.at(0).at(0).value<MirrorChangeBatch>();
    QCOMPARE(batch2.changes(),
             (QList<MirrorLeafChange>{
                 {K::Added, P("u"), QStringLiteral("boolean"), 4, values::preview(J("true"))},
                 {K::Removed, P("u/keep"), QString(), 4, QString()},
                 {K::Removed, P("u/new"), QString(), 4, QString()},
                 {K::Removed, P("u/same"), QString(), 4, QString()}}));
    // An object set that writes nothing new over nothing: an empty batch.
    changed.clear();
    m.apply(ev(5, Op::Set, "zz", J("{}")));
    QVERIFY(changed.at(0).at(0).value<MirrorChangeBatch>().isEmpty());
}

void TestMirror::batchCarriesTheEvent()
{
    Mirror m;
    QSignalSpy changed(&m, &Mirror::changed);
    m.apply(ev(7, Op::Increment, "stats/views", J("3"), QStringLiteral("op_x")));
    const auto batch = changed.at(0).at(0).value<MirrorChangeBatch>();
    QCOMPARE(batch.events().size(), 1);
    const MirrorEventInfo &info = batch.events().at(0);
    QCOMPARE(info.storeSeq, 7);
    QCOMPARE(info.op, Op::Increment);
    QCOMPARE(info.opText, QStringLiteral("increment"));
    QCOMPARE(info.path, P("stats/views"));
    QCOMPARE(info.deviceId, QStringLiteral("dev_test"));
    QCOMPARE(info.clientOpId, QStringLiteral("op_x"));
    // Copies share the data.
    const MirrorChangeBatch copy = batch;
    QCOMPARE(copy, batch);
    QCOMPARE(copy.changes().constData(), batch.changes().constData());
}

void TestMirror::batchesRebuildTheMirror()
{
    const quint32 seed = testSeed();
    for (int round = 0; round < 10; ++round) {
        RandomStore r(seed + quint32(round) * 7919u);
        Mirror m;
        BatchModel model(m);
        m.setResetThreshold(20);
        qint64 seq = 0;
        for (int step = 0; step < 600; ++step) {
            const int what = r.below(100);
            if (what < 2) {
                // A snapshot of a few entries.
                QJsonObject entries;
                for (int i = 0; i < 3; ++i)
                    entries.insert(
                        r.path().rendered(),
                        QJsonObject{{QStringLiteral("value"), values::wrapScalar(r.scalar())}});
                m.applySnapshot(seq += 5, entries);
            } else if (what < 5) {
                // A catch-up with live events interleaved and duplicated.
                m.beginCatchUp();
                const int n = 1 + r.below(30);
                QList<ChangeEvent> live;
                for (int i = 0; i < n; ++i) {
                    const ChangeEvent e = r.event(++seq);
                    if (r.chance(30)) {
                        live.append(e);
                        m.apply(e, EventSource::Live);
                    } else {
                        m.apply(e, EventSource::CatchUp);
                    }
                    if (!live.isEmpty() && r.chance(20))
                        m.apply(live.at(r.below(int(live.size()))), EventSource::Live);
                }
                m.endCatchUp(seq);
            } else {
                m.apply(r.event(++seq));
                if (r.chance(10))
                    m.apply(r.event(seq - r.below(3))); // duplicates are ignored
            }
            if (!model.problems.isEmpty())
                QFAIL(qPrintable(model.problems.join(QLatin1Char('\n'))));
            if (model.rows() != BatchModel::mirrorRows(m)) {
                const QStringList a = model.rows();
                const QStringList b = BatchModel::mirrorRows(m);
                for (const QString &row : a)
                    if (!b.contains(row))
                        qWarning() << "model only:" << row;
                for (const QString &row : b)
                    if (!a.contains(row))
                        qWarning() << "mirror only:" << row;
                qWarning() << "after step" << step << "what" << what << "seq" << seq;
                QFAIL("the model built from batches differs from the mirror");
            }
        }
        QCOMPARE(model.rows(), BatchModel::mirrorRows(m));
        QVERIFY(model.batches > 0);
    }
}

namespace {

class BatchReceiver : public QObject
{
    Q_OBJECT
public:
    void take(const dust::MirrorChangeBatch &batch)
    {
        threadOk = QThread::currentThread() == thread();
        received = batch;
        emit got();
    }
    MirrorChangeBatch received;
    bool threadOk = false;
signals:
    void got();
};

} // namespace

void TestMirror::batchCrossesThreads()
{
    // The mirror lives on a sync thread, the receiver here: a queued connection carries the
    // batch (a registered, implicitly shared metatype).
    QThread syncThread;
    auto *mirror = new Mirror;
    mirror->moveToThread(&syncThread);
    connect(&syncThread, &QThread::finished, mirror, &QObject::deleteLater);
    BatchReceiver receiver;
    connect(mirror, &Mirror::changed, &receiver, &BatchReceiver::take, Qt::QueuedConnection);
    QSignalSpy got(&receiver, &BatchReceiver::got);
    syncThread.start();
    QMetaObject::invokeMethod(
        mirror, [mirror] { mirror->apply(ev(1, Op::Set, "x", J("{\"a\":1,\"b\":2}"))); });
    QTRY_COMPARE(got.count(), 1);
    QVERIFY(receiver.threadOk);
    QCOMPARE(receiver.received.changes().size(), 2);
    QCOMPARE(receiver.received.changes().at(1).path, P("x/b"));
    syncThread.quit();
    QVERIFY(syncThread.wait(5000));
}

void TestMirror::noBatchWithoutReceivers()
{
    // Nobody listens: the mirror does not build batches, but still counts and resets.
    Mirror m;
    m.apply(ev(1, Op::Set, "a", J("1")));
    QSignalSpy changed(&m, &Mirror::changed);
    m.apply(ev(2, Op::Set, "b", J("1")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m.leafCount(), 2);
}

QTEST_GUILESS_MAIN(TestMirror)
#include "tst_mirror.moc"
