// The rules of writes without a database: what every op does to a set of leaves, write
// validation, preconditions, fences and the lease rules, each as a table of cases applied to
// an in-memory set of leaves.

#include "LeafOps.h"
#include "ReplaySink.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace dust;
using namespace dust::lite;

Q_DECLARE_METATYPE(dust::lite::WriteRequest)

namespace {

constexpr qint64 kNow = 1'000'000;
constexpr qint64 kSeq = 50;

QJsonValue json(const QByteArray &text)
{
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]");
    if (!doc.isArray() || doc.array().size() != 1)
        qFatal("bad test JSON %s", text.constData());
    return doc.array().at(0);
}

QByteArray text(const QJsonValue &value)
{
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

Path path(const char *rendered)
{
    auto parsed = Path::parse(QString::fromUtf8(rendered));
    if (!parsed)
        qFatal("bad test path %s", rendered);
    return *parsed;
}

// An in-memory set of leaves holding every path, filled from {"path": [value, type,
// revision]} (the revision defaults to 1).
struct Leaves
{
    explicit Leaves(const QByteArray &spec)
    {
        const QJsonObject object = json(spec).toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            const QJsonArray row = it.value().toArray();
            sink.state[it.key()] = LeafRow{row.at(0), row.at(1).toString(),
                                           row.size() > 2 ? row.at(2).toInteger() : 1};
        }
    }

    const ReplayScope all;
    ReplaySink sink{all};
};

// The leaves in the same form, every revision included.
QByteArray dump(const ReplaySink::State &state)
{
    QJsonObject object;
    for (const auto &[rendered, row] : state)
        object.insert(rendered, QJsonArray{row.value, row.type, row.seq});
    return text(object);
}

WriteRequest request(Op op, const char *at, const QByteArray &value = "null")
{
    WriteRequest r;
    r.op = op;
    r.path = path(at);
    r.value = json(value);
    r.deviceId = QStringLiteral("dev_test");
    r.clientOpId = QStringLiteral("op_1");
    return r;
}

WriteRequest ifMatch(WriteRequest r, qint64 revision)
{
    r.ifMatch = revision;
    return r;
}

WriteRequest ifAbsent(WriteRequest r)
{
    r.ifAbsent = true;
    return r;
}

WriteRequest fenced(WriteRequest r, const char *key, qint64 token)
{
    r.fence = Fence{key[0] ? path(key) : Path(), token};
    return r;
}

WriteRequest withToken(WriteRequest r, qint64 token)
{
    r.token = token;
    return r;
}

// A lease envelope leaf: token 7, held by "a", expiring at `expires`.
QByteArray leaseLeaf(qint64 expires)
{
    return R"({"job":[{"_type":"lease","holder":"a","token":7,"expires_at":)" +
           QByteArray::number(expires) + R"(},"lease",7]})";
}

} // namespace

class TstLeafOps : public QObject
{
    Q_OBJECT

private slots:
    void apply_data();
    void apply();
    void validate_data();
    void validate();
    void validateBatchOp_data();
    void validateBatchOp();
    void plan_data();
    void plan();
    void committedCarriesTheEvent();
    void sameValue();
};

void TstLeafOps::apply_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<int>("op");
    QTest::addColumn<QByteArray>("at");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("after");
    QTest::addColumn<QByteArray>("event"); // the event value, or the failure reason
    const int set = int(Op::Set);

    QTest::newRow("set a scalar replaces a subtree")
        << QByteArray(R"({"a/b":[1,"integer"],"ab":[2,"integer"]})") << set << QByteArray("a")
        << QByteArray(R"("x")") << QByteArray(R"({"a":["x","string",50],"ab":[2,"integer",1]})")
        << QByteArray(R"("x")");
    QTest::newRow("set an object flattens it")
        << QByteArray(R"({"a":[1,"integer"]})") << set << QByteArray("a")
        << QByteArray(R"({"b":1.5,"c":{"d":true}})")
        << QByteArray(R"({"a/b":[1.5,"float",50],"a/c/d":[true,"boolean",50]})")
        << QByteArray(R"({"b":1.5,"c":{"d":true}})");
    QTest::newRow("set {} clears the node")
        << QByteArray(R"({"a":[1,"integer"],"a/b":[2,"x"]})") << set << QByteArray("a")
        << QByteArray("{}") << QByteArray("{}") << QByteArray("{}");
    QTest::newRow("set an array is one leaf")
        << QByteArray("{}") << set << QByteArray("a") << QByteArray("[1,2]")
        << QByteArray(R"({"a":[[1,2],"string",50]})") << QByteArray("[1,2]");
    QTest::newRow("set null") << QByteArray("{}") << set << QByteArray("a") << QByteArray("null")
                              << QByteArray(R"({"a":[null,"null",50]})") << QByteArray("null");
    QTest::newRow("delete removes the leaf and its subtree, not its siblings")
        << QByteArray(R"({"a":[1,"integer"],"a/b":[2,"integer"],"ab":[3,"integer"]})")
        << int(Op::Delete) << QByteArray("a") << QByteArray("null")
        << QByteArray(R"({"ab":[3,"integer",1]})") << QByteArray("null");
    QTest::newRow("merge sets each key, replacing object keys' subtrees")
        << QByteArray(R"({"m/x":[1,"integer"],"m/y/z":[2,"integer"]})") << int(Op::Merge)
        << QByteArray("m") << QByteArray(R"({"y":{"w":3},"v":"s"})")
        << QByteArray(R"({"m/v":["s","string",50],"m/x":[1,"integer",1],"m/y/w":[3,"integer",50]})")
        << QByteArray(R"({"v":"s","y":{"w":3}})");
    QTest::newRow("increment an absent leaf starts at 0")
        << QByteArray("{}") << int(Op::Increment) << QByteArray("n") << QByteArray("5")
        << QByteArray(R"({"n":[5,"counter",50]})") << QByteArray("5");
    QTest::newRow("increment adds integers")
        << QByteArray(R"({"n":[40,"counter"]})") << int(Op::Increment) << QByteArray("n")
        << QByteArray("2") << QByteArray(R"({"n":[42,"counter",50]})") << QByteArray("42");
    QTest::newRow("increment a null leaf starts at 0")
        << QByteArray(R"({"n":[null,"null"]})") << int(Op::Increment) << QByteArray("n")
        << QByteArray("-3") << QByteArray(R"({"n":[-3,"counter",50]})") << QByteArray("-3");
    QTest::newRow("increment with a fraction")
        << QByteArray(R"({"n":[1,"counter"]})") << int(Op::Increment) << QByteArray("n")
        << QByteArray("0.5") << QByteArray(R"({"n":[1.5,"counter",50]})") << QByteArray("1.5");
    QTest::newRow("increment past qint64 goes on in doubles")
        << QByteArray(R"({"n":[9223372036854775807,"counter"]})") << int(Op::Increment)
        << QByteArray("n") << QByteArray("1")
        << QByteArray(R"({"n":[9223372036854776000,"counter",50]})")
        << QByteArray("9223372036854776000");
    QTest::newRow("increment a string fails")
        << QByteArray(R"({"n":["x","string"]})") << int(Op::Increment) << QByteArray("n")
        << QByteArray("1") << QByteArray(R"({"n":["x","string",1]})")
        << QByteArray("increment_requires_numeric_current_value");
    QTest::newRow("add to an absent set")
        << QByteArray("{}") << int(Op::Add) << QByteArray("s") << QByteArray(R"("a")")
        << QByteArray(R"({"s":[["a"],"set",50]})") << QByteArray(R"(["a"])");
    QTest::newRow("add puts the member first, once")
        << QByteArray(R"({"s":[["a","b"],"set"]})") << int(Op::Add) << QByteArray("s")
        << QByteArray(R"("b")") << QByteArray(R"({"s":[["b","a"],"set",50]})")
        << QByteArray(R"(["b","a"])");
    QTest::newRow("remove takes the first copy only")
        << QByteArray(R"({"s":[[1,2,1],"set"]})") << int(Op::Remove) << QByteArray("s")
        << QByteArray("1") << QByteArray(R"({"s":[[2,1],"set",50]})") << QByteArray("[2,1]");
    QTest::newRow("remove from a non-set leaf leaves an empty set")
        << QByteArray(R"({"s":["x","string"]})") << int(Op::Remove) << QByteArray("s")
        << QByteArray(R"("x")") << QByteArray(R"({"s":[[],"set",50]})") << QByteArray("[]");
    QTest::newRow("put_file replaces a subtree with the file ref")
        << QByteArray(R"({"f/old":[1,"integer"]})") << int(Op::PutFile) << QByteArray("f")
        << QByteArray(R"({"_type":"file","hash":"sha256:00"})")
        << QByteArray(R"({"f":[{"_type":"file","hash":"sha256:00"},"file",50]})")
        << QByteArray(R"({"_type":"file","hash":"sha256:00"})");
    QTest::newRow("lease writes the envelope")
        << QByteArray("{}") << int(Op::Lease) << QByteArray("job")
        << QByteArray(R"({"_type":"lease","token":50})")
        << QByteArray(R"({"job":[{"_type":"lease","token":50},"lease",50]})")
        << QByteArray(R"({"_type":"lease","token":50})");
    QTest::newRow("release removes the leaf only")
        << QByteArray(R"({"job":[{},"lease"],"job/x":[1,"integer"]})") << int(Op::Release)
        << QByteArray("job") << QByteArray("null") << QByteArray(R"({"job/x":[1,"integer",1]})")
        << QByteArray("null");
    QTest::newRow("an unknown op changes nothing")
        << QByteArray(R"({"a":[1,"integer"]})") << int(Op::Unknown) << QByteArray("a")
        << QByteArray("2") << QByteArray(R"({"a":[1,"integer",1]})") << QByteArray("invalid op");
}

void TstLeafOps::apply()
{
    QFETCH(QByteArray, before);
    QFETCH(int, op);
    QFETCH(QByteArray, at);
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, after);
    QFETCH(QByteArray, event);

    Leaves leaves(before);
    ReplaySink &sink = leaves.sink;
    const LeafOps::Applied applied =
        LeafOps::apply(sink, Op(op), path(at.constData()), json(value), kSeq);
    QCOMPARE(dump(sink.state), after);
    if (applied.ok)
        QCOMPARE(text(applied.eventValue), event);
    else
        QCOMPARE(applied.reason.toUtf8(), event);
}

void TstLeafOps::validate_data()
{
    QTest::addColumn<WriteRequest>("write");
    QTest::addColumn<QString>("reason"); // empty: valid
    QTest::addColumn<QString>("extraOp");

    auto row = [](const char *name, const WriteRequest &write, const char *reason,
                  const char *extraOp = "") {
        QTest::newRow(name) << write << QString::fromUtf8(reason) << QString::fromUtf8(extraOp);
    };
    row("set", request(Op::Set, "a", R"({"b":{"c":1}})"), "");
    row("set with an empty key", request(Op::Set, "a", R"({"b":{"":1}})"), "empty_segment");
    WriteRequest noPath = request(Op::Set, "a");
    noPath.path = Path();
    row("no path", noPath, "missing_path");
    WriteRequest noId = request(Op::Set, "a");
    noId.clientOpId.clear();
    row("no client_op_id", noId, "missing_client_op_id");
    row("unknown op", request(Op::Unknown, "a"), "invalid op");
    row("put_file is not a write op", request(Op::PutFile, "a", "{}"), "invalid op");
    row("merge", request(Op::Merge, "a", R"({"b":1})"), "");
    row("merge a scalar", request(Op::Merge, "a", "1"), "merge_requires_map_value");
    row("merge an empty key", request(Op::Merge, "a", R"({"":1})"), "empty_segment");
    row("merge a nested empty key", request(Op::Merge, "a", R"({"b":{"":1}})"), "empty_segment");
    row("increment", request(Op::Increment, "a", "2"), "");
    row("increment a string", request(Op::Increment, "a", R"("2")"),
        "increment_requires_number_value");
    row("add null", request(Op::Add, "a", "null"), "add_requires_value");
    row("remove null", request(Op::Remove, "a", "null"), "remove_requires_value");
    row("delete", request(Op::Delete, "a"), "");
    row("if_match on set", ifMatch(request(Op::Set, "a", "1"), 3), "");
    row("if_match on delete", ifMatch(request(Op::Delete, "a"), 3), "");
    row("if_match and if_absent", ifAbsent(ifMatch(request(Op::Set, "a", "1"), 3)),
        "invalid_precondition");
    row("if_match zero", ifMatch(request(Op::Set, "a", "1"), 0), "invalid_precondition");
    row("if_match on merge", ifMatch(request(Op::Merge, "a", R"({"b":1})"), 3),
        "if_match_unsupported_op", "merge");
    row("if_match on increment", ifMatch(request(Op::Increment, "a", "1"), 3),
        "if_match_unsupported_op", "increment");
    row("if_match with an object", ifMatch(request(Op::Set, "a", R"({"b":1})"), 3),
        "if_match_multi_leaf");
    row("if_absent on set", ifAbsent(request(Op::Set, "a", "1")), "");
    row("if_absent on delete", ifAbsent(request(Op::Delete, "a")), "if_absent_unsupported_op",
        "delete");
    row("if_absent with an object", ifAbsent(request(Op::Set, "a", R"({"b":1})")),
        "if_absent_multi_leaf");
    row("fence", fenced(request(Op::Set, "a", "1"), "job", 7), "");
    row("fence without a key", fenced(request(Op::Set, "a", "1"), "", 7), "fenced");
    row("lease ops ignore a fence", fenced(request(Op::Lease, "a"), "", 7), "");
}

void TstLeafOps::validate()
{
    QFETCH(WriteRequest, write);
    QFETCH(QString, reason);
    QFETCH(QString, extraOp);
    QJsonObject extra;
    QCOMPARE(LeafOps::validate(write, &extra), reason);
    const QJsonObject expected =
        extraOp.isEmpty() ? QJsonObject() : QJsonObject{{QStringLiteral("op"), extraOp}};
    QCOMPARE(extra, expected);
}

void TstLeafOps::validateBatchOp_data()
{
    QTest::addColumn<WriteRequest>("write");
    QTest::addColumn<QString>("reason");
    QTest::newRow("set") << request(Op::Set, "a", "1") << QString();
    QTest::newRow("delete with if_match") << ifMatch(request(Op::Delete, "a"), 2) << QString();
    QTest::newRow("merge") << request(Op::Merge, "a", R"({"b":1})") << QStringLiteral("invalid op");
    QTest::newRow("increment") << request(Op::Increment, "a", "1") << QStringLiteral("invalid op");
    QTest::newRow("if_absent") << ifAbsent(request(Op::Set, "a", "1"))
                               << QStringLiteral("invalid_precondition");
    QTest::newRow("the single-write rules too")
        << ifMatch(request(Op::Set, "a", R"({"b":1})"), 2) << QStringLiteral("if_match_multi_leaf");
}

void TstLeafOps::validateBatchOp()
{
    QFETCH(WriteRequest, write);
    QFETCH(QString, reason);
    QJsonObject extra;
    QCOMPARE(LeafOps::validateBatchOp(write, &extra), reason);
}

void TstLeafOps::plan_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<WriteRequest>("write");
    // The answer that ends the write ("" when it goes ahead, "released=false" for a no-op
    // release) and the current revision it reports (-1: none).
    QTest::addColumn<QString>("answer");
    QTest::addColumn<qint64>("currentRevision");
    QTest::addColumn<QByteArray>("value"); // what the write stores when it goes ahead
    QTest::addColumn<QByteArray>("replyExtra");

    const QByteArray doc(R"({"doc":["v1","string",3]})");
    const QByteArray live = leaseLeaf(kNow + 1);
    const QByteArray expired = leaseLeaf(kNow);
    auto ahead = [](const char *name, const QByteArray &before, const WriteRequest &write,
                    const QByteArray &value, const QByteArray &reply = "{}") {
        QTest::newRow(name) << before << write << QString() << qint64(-1) << value << reply;
    };
    auto refused = [](const char *name, const QByteArray &before, const WriteRequest &write,
                      const char *answer, qint64 currentRevision = -1) {
        QTest::newRow(name) << before << write << QString::fromUtf8(answer) << currentRevision
                            << QByteArray() << QByteArray();
    };

    ahead("set", doc, request(Op::Set, "doc", R"("v2")"), R"("v2")");
    ahead("delete stores null", doc, request(Op::Delete, "doc", "1"), "null");
    ahead("if_match holds", doc, ifMatch(request(Op::Set, "doc", "1"), 3), "1");
    refused("if_match is stale", doc, ifMatch(request(Op::Set, "doc", "1"), 2), "conflict", 3);
    refused("if_match on an absent leaf", doc, ifMatch(request(Op::Delete, "new"), 2), "conflict");
    ahead("if_absent on an absent leaf", doc, ifAbsent(request(Op::Set, "new", "1")), "1");
    refused("if_absent on a present leaf", doc, ifAbsent(request(Op::Set, "doc", "1")), "exists",
            3);
    ahead("fence with a live lease and its token", live,
          fenced(request(Op::Set, "out", "1"), "job", 7), "1");
    refused("fence with another token", live, fenced(request(Op::Set, "out", "1"), "job", 8),
            "fenced");
    refused("fence with an expired lease", expired, fenced(request(Op::Set, "out", "1"), "job", 7),
            "fenced");
    refused("fence without a lease", doc, fenced(request(Op::Set, "out", "1"), "job", 7), "fenced");

    WriteRequest lease = request(Op::Lease, "job");
    lease.holder = QStringLiteral("b");
    lease.ttlMs = 500;
    const QByteArray envelope = R"({"_type":"lease","expires_at":1000500,"holder":"b","token":50})";
    const QByteArray leaseReply = R"({"expires_at":1000500,"holder":"b","token":50})";
    ahead("lease a free path", doc, lease, envelope, leaseReply);
    ahead("lease over an expired lease", expired, lease, envelope, leaseReply);
    refused("lease a live lease", live, lease, "held");
    refused("lease over a plain leaf", R"({"job":[1,"integer"]})", lease, "occupied");
    WriteRequest anonymous = request(Op::Lease, "job");
    ahead("lease without a holder", doc, anonymous,
          R"({"_type":"lease","expires_at":1030000,"holder":null,"token":50})",
          R"({"expires_at":1030000,"holder":null,"token":50})");

    WriteRequest renew = withToken(request(Op::Renew, "job"), 7);
    renew.ttlMs = 500;
    ahead("renew a live lease", live, renew,
          R"({"_type":"lease","expires_at":1000500,"holder":"a","token":7})",
          R"({"expires_at":1000500,"holder":"a","token":7})");
    refused("renew with another token", live, withToken(renew, 8), "not_held");
    refused("renew an expired lease", expired, renew, "not_held");
    WriteRequest renewNoToken = renew;
    renewNoToken.token.reset();
    refused("renew without a token", live, renewNoToken, "not_held");

    ahead("release a live lease", live, withToken(request(Op::Release, "job"), 7), "null");
    ahead("release an expired lease", expired, withToken(request(Op::Release, "job"), 7), "null");
    refused("release with another token", live, withToken(request(Op::Release, "job"), 8),
            "released=false");
    refused("release a plain leaf", R"({"job":[1,"integer"]})",
            withToken(request(Op::Release, "job"), 1), "released=false");
}

void TstLeafOps::plan()
{
    QFETCH(QByteArray, before);
    QFETCH(WriteRequest, write);
    QFETCH(QString, answer);
    QFETCH(qint64, currentRevision);
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, replyExtra);

    Leaves leaves(before);
    ReplaySink &sink = leaves.sink;
    const QByteArray unchanged = dump(sink.state);
    const LeafOps::Plan plan = LeafOps::plan(sink, write, kSeq, kNow);
    QCOMPARE(dump(sink.state), unchanged); // planning only reads

    if (answer.isEmpty()) {
        QVERIFY2(!plan.answer, qPrintable(plan.answer ? plan.answer->reason : QString()));
        QCOMPARE(text(plan.value), value);
        QCOMPARE(text(plan.replyExtra), replyExtra);
        return;
    }
    QVERIFY(plan.answer);
    if (answer == QLatin1String("released=false")) {
        QVERIFY(plan.answer->ok);
        QVERIFY(!plan.answer->event);
        QCOMPARE(text(plan.answer->replyExtra), QByteArray(R"({"released":false})"));
        return;
    }
    QVERIFY(!plan.answer->ok);
    QCOMPARE(plan.answer->reason, answer);
    const std::optional<qint64> expected =
        currentRevision < 0 ? std::nullopt : std::optional<qint64>(currentRevision);
    QCOMPARE(plan.answer->currentRevision, expected);
}

void TstLeafOps::committedCarriesTheEvent()
{
    const WriteResult result = LeafOps::committed(Op::Increment, path("n"), 9, QJsonValue(4),
                                                  QStringLiteral("dev_a"), QStringLiteral("op_9"));
    QVERIFY(result.ok);
    QCOMPARE(result.storeSeq, 9);
    QVERIFY(result.event);
    QCOMPARE(result.event->storeSeq, 9);
    QCOMPARE(result.event->op, Op::Increment);
    QCOMPARE(result.event->opText, QStringLiteral("increment"));
    QCOMPARE(result.event->path, path("n"));
    QCOMPARE(result.event->value, QJsonValue(4));
    QCOMPARE(result.event->deviceId, QStringLiteral("dev_a"));
    QCOMPARE(result.event->clientOpId, QStringLiteral("op_9"));

    QVERIFY(LeafOps::logsEventValue(Op::Increment));
    QVERIFY(LeafOps::logsEventValue(Op::Add));
    QVERIFY(LeafOps::logsEventValue(Op::Remove));
    QVERIFY(!LeafOps::logsEventValue(Op::Set));
    QVERIFY(!LeafOps::logsEventValue(Op::Merge));
}

void TstLeafOps::sameValue()
{
    const std::optional<LeafRow> none;
    const std::optional<LeafRow> one = LeafRow{QJsonValue(1), QStringLiteral("integer"), 1};
    const std::optional<LeafRow> oneLater = LeafRow{QJsonValue(1), QStringLiteral("counter"), 9};
    const std::optional<LeafRow> two = LeafRow{QJsonValue(2), QStringLiteral("integer"), 1};
    QVERIFY(LeafOps::sameValue(none, none));
    QVERIFY(LeafOps::sameValue(one, oneLater));
    QVERIFY(!LeafOps::sameValue(one, two));
    QVERIFY(!LeafOps::sameValue(one, none));
    QVERIFY(!LeafOps::sameValue(none, one));
}

QTEST_GUILESS_MAIN(TstLeafOps)
#include "tst_leafops.moc"
