// The dustlite storage engine: every write op and error reason, flattening and assembly,
// listings and their quirks, batches, catch-up, compaction, history and durability.

#include "Seeder.h"
#include "StoreDb.h"
#include "protocol/Glob.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <memory>

using namespace dust;
using namespace dust::lite;

namespace {

Path P(const QString &rendered)
{
    auto path = Path::parse(rendered);
    if (!path)
        qFatal("bad test path %s", qUtf8Printable(rendered));
    return *path;
}

Path P(const char *rendered)
{
    return P(QString::fromUtf8(rendered));
}

QString S(const char *text)
{
    return QString::fromUtf8(text);
}

// Compact JSON text of any value, for readable comparisons.
QByteArray J(const QJsonValue &value)
{
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return text.mid(1, text.size() - 2);
}

QJsonValue parse(const char *json)
{
    const QByteArray text = QByteArray("[") + json + "]";
    const QJsonDocument doc = QJsonDocument::fromJson(text);
    if (!doc.isArray())
        qFatal("bad test JSON %s", json);
    return doc.array().at(0);
}

// Byte-wise (UTF-8) order, as SQLite compares.
bool utf8Less(const QString &a, const QString &b)
{
    return a.toUtf8() < b.toUtf8();
}

} // namespace

class TstStoreDb : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_files = 0;
    int m_ops = 0;

    std::unique_ptr<StoreDb> open(bool onDisk, const QString &name = QString())
    {
        const QString file =
            onDisk ? m_dir.filePath(name.isEmpty() ? QStringLiteral("store%1.db").arg(++m_files)
                                                   : name)
                   : QString();
        auto opened = StoreDb::open(file, QStringLiteral("acme/test"));
        if (!opened) {
            qWarning("open failed: %s", qUtf8Printable(opened.error()));
            return nullptr;
        }
        return std::move(opened).value();
    }

    WriteRequest req(Op op, const char *path, const QJsonValue &value = QJsonValue())
    {
        WriteRequest r;
        r.op = op;
        r.path = P(path);
        r.value = value;
        r.deviceId = QStringLiteral("dev_test");
        r.clientOpId = QStringLiteral("op_%1").arg(++m_ops);
        return r;
    }

    WriteResult write(StoreDb &db, Op op, const char *path, const QJsonValue &value = QJsonValue())
    {
        return db.write(req(op, path, value));
    }

    static QJsonValue valueAt(const StoreDb &db, const char *path)
    {
        const auto entry = db.get(P(path));
        return entry ? entry->value : QJsonValue(QJsonValue::Undefined);
    }

    static QStringList keys(const StoreDb &db, const QString &pattern, int limit = 1000)
    {
        ListQuery q;
        q.pattern = pattern;
        q.limit = limit;
        q.select = ListQuery::Select::Keys;
        return db.list(q).paths;
    }

    static void addModes()
    {
        QTest::addColumn<bool>("onDisk");
        QTest::newRow("memory") << false;
        QTest::newRow("disk") << true;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void openCreatesMetadata_data() { addModes(); }
    void openCreatesMetadata()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QCOMPARE(db->fullName(), QStringLiteral("acme/test"));
        QVERIFY(!QUuid::fromString(db->id()).isNull());
        QVERIFY(QDateTime::fromString(db->insertedAt(), Qt::ISODateWithMs).isValid());
        QCOMPARE(db->currentSeq(), 0);
        QCOMPARE(db->entryCount(), 0);
        QCOMPARE(db->opCount(), 0);
        QVERIFY(!db->get(P("anything")));
    }

    void independentInMemoryStores()
    {
        auto a = open(false);
        auto b = open(false);
        QVERIFY(a && b);
        QVERIFY(write(*a, Op::Set, "x", 1).ok);
        QVERIFY(!b->get(P("x")));
        QVERIFY(a->id() != b->id());
    }

    void setScalarsAndTypes_data() { addModes(); }
    void setScalarsAndTypes()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        const QList<std::pair<QJsonValue, QString>> cases = {
            {QJsonValue(S("hello")), S("string")},
            {QJsonValue(42), S("integer")},
            {QJsonValue(2.5), S("float")},
            {QJsonValue(true), S("boolean")},
            {QJsonValue(), S("null")},
            {parse("[1,\"a\"]"), S("string")},
            {parse(R"({"_typed":"1.50","_type":"decimal"})"), S("map")},
        };
        qint64 seq = 0;
        for (const auto &[value, type] : cases) {
            const WriteResult r = write(*db, Op::Set, "v", value);
            QVERIFY2(r.ok, qPrintable(r.reason));
            QCOMPARE(r.storeSeq, ++seq);
            QVERIFY(r.event);
            QCOMPARE(r.event->storeSeq, seq);
            QCOMPARE(r.event->op, Op::Set);
            QCOMPARE(J(r.event->value), J(value));
            QCOMPARE(r.event->deviceId, S("dev_test"));
            QVERIFY(r.event->clientOpId.startsWith(S("op_")));
            const auto e = db->get(P("v"));
            QVERIFY(e);
            QCOMPARE(J(e->value), J(value));
            QCOMPARE(e->type, type);
            QCOMPARE(e->revision, seq);
        }
        QCOMPARE(db->currentSeq(), seq);
        QCOMPARE(db->entryCount(), 1);
        QCOMPARE(db->opCount(), seq);
        // A big integer keeps every digit.
        QVERIFY(write(*db, Op::Set, "big", QJsonValue(qint64(9007199254740993))).ok);
        QCOMPARE(db->get(P("big"))->value.toInteger(), qint64(9007199254740993));
    }

    void setObjectFlattensAndAssembles_data() { addModes(); }
    void setObjectFlattensAndAssembles()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QVERIFY(write(*db, Op::Set, "users/alice", S("scalar first")).ok);
        QVERIFY(write(*db, Op::Set, "users/alice/old/deep", 1).ok);
        const WriteResult r =
            write(*db, Op::Set, "users/alice", parse(R"({"name":"Alice","prefs":{"theme":"dark"},
                                              "a/b":{"c~d":true},"empty":{}})"));
        QVERIFY(r.ok);
        // The leaf at the path and the old subtree are gone; one leaf per non-object value.
        QCOMPARE(keys(*db, S("**")), (QStringList{S("users/alice/a~1b/c~0d"), S("users/alice/name"),
                                                  S("users/alice/prefs/theme")}));
        QVERIFY(!db->getLeaf(P("users/alice")));
        const auto name = db->getLeaf(P("users/alice/name"));
        QVERIFY(name);
        QCOMPARE(name->revision, r.storeSeq);
        QCOMPARE(name->type, S("string"));

        QVERIFY(write(*db, Op::Set, "users/alice/prefs/size", 12).ok);
        const auto assembled = db->get(P("users/alice"));
        QVERIFY(assembled);
        QCOMPARE(assembled->type, S("map"));
        QCOMPARE(assembled->revision, db->currentSeq());
        QCOMPARE(
            J(assembled->value),
            J(parse(R"({"a/b":{"c~d":true},"name":"Alice","prefs":{"size":12,"theme":"dark"}})")));
        // Batch-read style access never assembles.
        QVERIFY(!db->getLeaf(P("users/alice")));
        QVERIFY(!db->get(P("users/al")));

        // `{}` leaves nothing but is logged.
        const qint64 before = db->currentSeq();
        const WriteResult empty = write(*db, Op::Set, "users/alice", QJsonObject());
        QVERIFY(empty.ok);
        QCOMPARE(empty.storeSeq, before + 1);
        QVERIFY(!db->get(P("users/alice")));
        QCOMPARE(db->entryCount(), 0);
        QCOMPARE(db->opCount(), before + 1);

        // An object with an empty key is refused before anything is written.
        const WriteResult bad = write(*db, Op::Set, "x", parse(R"({"a":{"":1}})"));
        QVERIFY(!bad.ok);
        QCOMPARE(bad.reason, S("empty_segment"));
        QCOMPARE(db->currentSeq(), before + 1);
    }

    void valueAndFolder_data() { addModes(); }
    void valueAndFolder()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QVERIFY(write(*db, Op::Set, "config", S("v2")).ok);
        QVERIFY(write(*db, Op::Set, "config/theme", S("dark")).ok);
        // Writing a descendant never removes the ancestor's leaf.
        QCOMPARE(J(valueAt(*db, "config")), J(S("v2")));
        QCOMPARE(db->get(P("config"))->type, S("string"));
        QCOMPARE(J(valueAt(*db, "config/theme")), J(S("dark")));
        QCOMPARE(keys(*db, S("**")), (QStringList{S("config"), S("config/theme")}));
        // A set on the ancestor clears its descendants.
        QVERIFY(write(*db, Op::Set, "config", S("v3")).ok);
        QCOMPARE(keys(*db, S("**")), QStringList{S("config")});
    }

    void deleteSubtree_data() { addModes(); }
    void deleteSubtree()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QVERIFY(write(*db, Op::Set, "posts", parse(R"({"a":{"t":1,"u":2},"b":3})")).ok);
        QVERIFY(write(*db, Op::Set, "posts/a", S("leaf too")).ok);
        QVERIFY(write(*db, Op::Set, "postsX", 1).ok);
        QVERIFY(write(*db, Op::Set, "posts0", 1).ok);
        const WriteResult r = write(*db, Op::Delete, "posts/a");
        QVERIFY(r.ok);
        QVERIFY(r.event);
        QCOMPARE(r.event->op, Op::Delete);
        QVERIFY(r.event->value.isNull());
        QCOMPARE(keys(*db, S("**")), (QStringList{S("posts/b"), S("posts0"), S("postsX")}));
        // Deleting nothing is still logged and consumes a seq.
        const qint64 seq = db->currentSeq();
        const WriteResult none = write(*db, Op::Delete, "missing/path");
        QVERIFY(none.ok);
        QCOMPARE(none.storeSeq, seq + 1);
        QCOMPARE(db->opCount(), seq + 1);
        QCOMPARE(db->entryCount(), 3);
    }

    void merge_data() { addModes(); }
    void merge()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QVERIFY(write(*db, Op::Set, "u", S("self")).ok);
        QVERIFY(write(*db, Op::Set, "u/keep", 1).ok);
        QVERIFY(write(*db, Op::Set, "u/name", S("old")).ok);
        QVERIFY(write(*db, Op::Set, "u/name/first", S("stays")).ok);
        QVERIFY(write(*db, Op::Set, "u/prefs/old", S("gone")).ok);
        const QJsonValue object = parse(R"({"name":"new","prefs":{"theme":"dark"}})");
        const WriteResult r = write(*db, Op::Merge, "u", object);
        QVERIFY2(r.ok, qPrintable(r.reason));
        QCOMPARE(J(r.event->value), J(object));
        QCOMPARE(r.event->op, Op::Merge);
        QCOMPARE(J(valueAt(*db, "u")), J(S("self")));             // leaf at the path untouched
        QCOMPARE(J(valueAt(*db, "u/keep")), J(1));                // unmentioned sibling
        QCOMPARE(J(valueAt(*db, "u/name")), J(S("new")));         // scalar child upserted ...
        QCOMPARE(J(valueAt(*db, "u/name/first")), J(S("stays"))); // ... its subtree kept
        QVERIFY(!db->get(P("u/prefs/old")));                      // object child replaced
        QCOMPARE(J(valueAt(*db, "u/prefs/theme")), J(S("dark")));
        QCOMPARE(db->getLeaf(P("u/prefs/theme"))->revision, r.storeSeq);

        for (const QJsonValue &bad :
             {QJsonValue(1), QJsonValue(S("x")), parse("[1]"), QJsonValue()}) {
            const WriteResult f = write(*db, Op::Merge, "u", bad);
            QVERIFY(!f.ok);
            QCOMPARE(f.reason, S("merge_requires_map_value"));
        }
        QCOMPARE(db->currentSeq(), r.storeSeq);
    }

    void increment_data() { addModes(); }
    void increment()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        WriteResult r = write(*db, Op::Increment, "stats/views", 5);
        QVERIFY(r.ok);
        QCOMPARE(J(r.event->value), J(5));
        r = write(*db, Op::Increment, "stats/views", -2);
        QCOMPARE(J(r.event->value), J(3));
        const auto e = db->get(P("stats/views"));
        QCOMPARE(e->type, S("counter"));
        QCOMPARE(J(e->value), J(3));
        QCOMPARE(e->revision, r.storeSeq);
        r = write(*db, Op::Increment, "stats/views", 0.5);
        QCOMPARE(J(r.event->value), J(3.5));
        // A null value counts as 0.
        QVERIFY(write(*db, Op::Set, "stats/nothing", QJsonValue()).ok);
        r = write(*db, Op::Increment, "stats/nothing", 2);
        QVERIFY(r.ok);
        QCOMPARE(J(r.event->value), J(2));

        const qint64 seq = db->currentSeq();
        for (const QJsonValue &bad :
             {QJsonValue(S("1")), QJsonValue(), QJsonValue(true), parse("{}")}) {
            const WriteResult f = write(*db, Op::Increment, "stats/views", bad);
            QVERIFY(!f.ok);
            QCOMPARE(f.reason, S("increment_requires_number_value"));
        }
        QVERIFY(write(*db, Op::Set, "stats/label", S("text")).ok);
        const WriteResult f = write(*db, Op::Increment, "stats/label", 1);
        QVERIFY(!f.ok);
        QVERIFY(!f.reason.isEmpty());
        QCOMPARE(db->currentSeq(), seq + 1);
        QCOMPARE(J(valueAt(*db, "stats/label")), J(S("text")));
    }

    void addRemove_data() { addModes(); }
    void addRemove()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        for (const char *m : {"a", "b", "a", "c"})
            QVERIFY(write(*db, Op::Add, "tags", S(m)).ok);
        QCOMPARE(J(valueAt(*db, "tags")), J(parse(R"(["c","a","b"])")));
        QCOMPARE(db->get(P("tags"))->type, S("set"));
        WriteResult r = write(*db, Op::Add, "tags", parse(R"({"k":1})"));
        QCOMPARE(J(r.event->value), J(parse(R"([{"k":1},"c","a","b"])")));
        r = write(*db, Op::Remove, "tags", S("a"));
        QVERIFY(r.ok);
        QCOMPARE(r.event->op, Op::Remove);
        QCOMPARE(J(r.event->value), J(parse(R"([{"k":1},"c","b"])")));
        r = write(*db, Op::Remove, "tags", S("zzz"));
        QCOMPARE(J(r.event->value), J(parse(R"([{"k":1},"c","b"])")));
        // A non-array current value counts as [].
        QVERIFY(write(*db, Op::Set, "scalar", 7).ok);
        r = write(*db, Op::Add, "scalar", 1);
        QCOMPARE(J(r.event->value), J(parse("[1]")));
        r = write(*db, Op::Remove, "fresh", 1);
        QCOMPARE(J(r.event->value), J(parse("[]")));

        const WriteResult addNull = write(*db, Op::Add, "tags", QJsonValue());
        QCOMPARE(addNull.reason, S("add_requires_value"));
        const WriteResult removeNull = write(*db, Op::Remove, "tags", QJsonValue());
        QCOMPARE(removeNull.reason, S("remove_requires_value"));
        QVERIFY(!addNull.ok && !removeNull.ok);
    }

    void leases_data() { addModes(); }
    void leases()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        qint64 now = 1'000'000;
        db->setClock([&now] { return now; });

        WriteRequest lease = req(Op::Lease, "jobs/nightly");
        lease.holder = S("node-a");
        lease.ttlMs = 60000;
        const WriteResult acquired = db->write(lease);
        QVERIFY2(acquired.ok, qPrintable(acquired.reason));
        const qint64 token = acquired.storeSeq;
        QCOMPARE(acquired.replyExtra.value(S("token")).toInteger(), token);
        QCOMPARE(acquired.replyExtra.value(S("expires_at")).toInteger(), now + 60000);
        QCOMPARE(acquired.replyExtra.value(S("holder")).toString(), S("node-a"));
        QCOMPARE(J(acquired.event->value), J(QJsonObject{{S("_type"), S("lease")},
                                                         {S("holder"), S("node-a")},
                                                         {S("token"), token},
                                                         {S("expires_at"), now + 60000}}));
        const auto stored = db->get(P("jobs/nightly"));
        QCOMPARE(stored->type, S("lease"));

        lease.clientOpId = S("op_again");
        QCOMPARE(db->write(lease).reason, S("held"));
        QVERIFY(write(*db, Op::Set, "jobs/plain", 1).ok);
        WriteRequest occupied = req(Op::Lease, "jobs/plain");
        QCOMPARE(db->write(occupied).reason, S("occupied"));

        // Renew keeps the token and moves expires_at.
        now += 30000;
        WriteRequest renew = req(Op::Renew, "jobs/nightly");
        renew.token = token;
        renew.ttlMs = 60000;
        const WriteResult renewed = db->write(renew);
        QVERIFY2(renewed.ok, qPrintable(renewed.reason));
        QCOMPARE(renewed.replyExtra.value(S("token")).toInteger(), token);
        QCOMPARE(renewed.replyExtra.value(S("expires_at")).toInteger(), now + 60000);
        QCOMPARE(db->get(P("jobs/nightly"))->value.toObject().value(S("token")).toInteger(), token);
        WriteRequest wrongRenew = req(Op::Renew, "jobs/nightly");
        wrongRenew.token = token + 100;
        QCOMPARE(db->write(wrongRenew).reason, S("not_held"));

        // Fencing: a live lease with the right token lets a write through.
        WriteRequest fenced = req(Op::Set, "jobs/result", S("done"));
        fenced.fence = Fence{P("jobs/nightly"), token};
        QVERIFY(db->write(fenced).ok);
        fenced.fence = Fence{P("jobs/nightly"), token + 1};
        fenced.clientOpId = S("op_fence2");
        QCOMPARE(db->write(fenced).reason, S("fenced"));
        fenced.fence = Fence{P("jobs/none"), token};
        QCOMPARE(db->write(fenced).reason, S("fenced"));

        // Expired: renew fails, fencing fails, a new lease steals it with a new token.
        now += 60001;
        renew.clientOpId = S("op_renew_late");
        QCOMPARE(db->write(renew).reason, S("not_held"));
        fenced.fence = Fence{P("jobs/nightly"), token};
        QCOMPARE(db->write(fenced).reason, S("fenced"));
        WriteRequest steal = req(Op::Lease, "jobs/nightly");
        steal.holder = S("node-b");
        const WriteResult stolen = db->write(steal);
        QVERIFY(stolen.ok);
        QVERIFY(stolen.storeSeq > token);
        QCOMPARE(stolen.replyExtra.value(S("token")).toInteger(), stolen.storeSeq);
        QCOMPARE(stolen.replyExtra.value(S("expires_at")).toInteger(), now + 30000); // default ttl

        // Release with the old token: a no-op, not logged, no event.
        const qint64 seq = db->currentSeq();
        WriteRequest release = req(Op::Release, "jobs/nightly");
        release.token = token;
        const WriteResult noop = db->write(release);
        QVERIFY(noop.ok);
        QVERIFY(!noop.event);
        QCOMPARE(noop.replyExtra, (QJsonObject{{S("released"), false}}));
        QCOMPARE(db->currentSeq(), seq);
        QCOMPARE(db->opCount(), seq);
        QVERIFY(db->get(P("jobs/nightly")));
        // With the right token, even expired, the entry goes.
        now += 1'000'000;
        release.token = stolen.storeSeq;
        release.clientOpId = S("op_release");
        const WriteResult released = db->write(release);
        QVERIFY(released.ok);
        QVERIFY(released.event);
        QCOMPARE(released.event->op, Op::Release);
        QVERIFY(released.event->value.isNull());
        QCOMPARE(released.storeSeq, seq + 1);
        QVERIFY(!db->get(P("jobs/nightly")));
    }

    void preconditions_data() { addModes(); }
    void preconditions()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        const qint64 rev = write(*db, Op::Set, "doc/title", S("v1")).storeSeq;
        QVERIFY(write(*db, Op::Set, "doc/body", S("b")).ok);

        WriteRequest r = req(Op::Set, "doc/title", S("v2"));
        r.ifMatch = rev;
        const WriteResult ok = db->write(r);
        QVERIFY(ok.ok);

        r.clientOpId = S("op_stale");
        const WriteResult stale = db->write(r);
        QVERIFY(!stale.ok);
        QCOMPARE(stale.reason, S("conflict"));
        QCOMPARE(stale.currentRevision, std::optional<qint64>(ok.storeSeq));

        WriteRequest missing = req(Op::Set, "doc/nothing", 1);
        missing.ifMatch = 1;
        const WriteResult none = db->write(missing);
        QCOMPARE(none.reason, S("conflict"));
        QVERIFY(!none.currentRevision);

        WriteRequest subtree = req(Op::Delete, "doc");
        subtree.ifMatch = ok.storeSeq;
        QCOMPARE(db->write(subtree).reason, S("conflict"));

        WriteRequest del = req(Op::Delete, "doc/body");
        del.ifMatch = db->get(P("doc/body"))->revision;
        QVERIFY(db->write(del).ok);

        WriteRequest absent = req(Op::Set, "doc/new", 1);
        absent.ifAbsent = true;
        QVERIFY(db->write(absent).ok);
        absent.clientOpId = S("op_absent2");
        const WriteResult exists = db->write(absent);
        QCOMPARE(exists.reason, S("exists"));
        QCOMPARE(exists.currentRevision, db->get(P("doc/new"))->revision);

        const qint64 seq = db->currentSeq();
        auto expectReason = [&](WriteRequest request, const QString &reason,
                                const QJsonObject &extra = {}) {
            const WriteResult result = db->write(request);
            QVERIFY(!result.ok);
            QCOMPARE(result.reason, reason);
            QCOMPARE(result.errorExtra, extra);
        };
        WriteRequest both = req(Op::Set, "doc/title", 1);
        both.ifMatch = 1;
        both.ifAbsent = true;
        expectReason(both, S("invalid_precondition"));
        WriteRequest mergeMatch = req(Op::Merge, "doc", parse(R"({"a":1})"));
        mergeMatch.ifMatch = 1;
        expectReason(mergeMatch, S("if_match_unsupported_op"), {{S("op"), S("merge")}});
        WriteRequest incMatch = req(Op::Increment, "doc/n", 1);
        incMatch.ifMatch = 1;
        expectReason(incMatch, S("if_match_unsupported_op"), {{S("op"), S("increment")}});
        WriteRequest multi = req(Op::Set, "doc", parse(R"({"a":1})"));
        multi.ifMatch = 1;
        expectReason(multi, S("if_match_multi_leaf"));
        WriteRequest absentDelete = req(Op::Delete, "doc");
        absentDelete.ifAbsent = true;
        expectReason(absentDelete, S("if_absent_unsupported_op"), {{S("op"), S("delete")}});
        WriteRequest absentMulti = req(Op::Set, "doc2", parse(R"({"a":1})"));
        absentMulti.ifAbsent = true;
        expectReason(absentMulti, S("if_absent_multi_leaf"));
        expectReason(req(Op::Unknown, "doc"), S("invalid op"));
        WriteRequest noId = req(Op::Set, "doc/x", 1);
        noId.clientOpId.clear();
        expectReason(noId, S("missing_client_op_id"));
        WriteRequest noPath = req(Op::Set, "doc/x", 1);
        noPath.path = Path();
        expectReason(noPath, S("missing_path"));
        QCOMPARE(db->currentSeq(), seq);
        QCOMPARE(db->opCount(), seq);
    }

    void putFile_data() { addModes(); }
    void putFile()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QVERIFY(write(*db, Op::Set, "files/image~1logo/old", 1).ok);
        const QByteArray bytes("\x89PNG\r\n\x1a\n-not-really-a-png", 25);
        const QString hash =
            S("sha256:") + QString::fromLatin1(
                               QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        const WriteResult r = db->putFile(P("files/image~1logo"), bytes, S("logo.png"),
                                          S("image/png"), S("dev_up"), S("op_file"));
        QVERIFY2(r.ok, qPrintable(r.reason));
        QCOMPARE(r.replyExtra.value(S("hash")).toString(), hash);
        QCOMPARE(r.event->op, Op::PutFile);
        QCOMPARE(r.event->opText, S("put_file"));
        const QJsonObject ref = r.event->value.toObject();
        QCOMPARE(ref.value(S("_type")).toString(), S("file"));
        QCOMPARE(ref.value(S("hash")).toString(), hash);
        QVERIFY(QRegularExpression(S("^sha256:[0-9a-f]{64}$")).match(hash).hasMatch());
        QCOMPARE(ref.value(S("size")).toInteger(), 25);
        QCOMPARE(ref.value(S("content_type")).toString(), S("image/png"));
        QCOMPARE(ref.value(S("filename")).toString(), S("logo.png"));
        QVERIFY(QDateTime::fromString(ref.value(S("uploaded_at")).toString(), Qt::ISODateWithMs)
                    .isValid());
        const auto entry = db->get(P("files/image~1logo"));
        QCOMPARE(entry->type, S("file"));
        QCOMPARE(J(entry->value), J(ref));
        QVERIFY(!db->get(P("files/image~1logo/old"))); // a file write clears the subtree
        QCOMPARE(entry->path.segments(), (QStringList{S("files"), S("image/logo")}));

        QString type;
        QString name;
        QCOMPARE(db->fileContent(hash, &type, &name), std::optional<QByteArray>(bytes));
        QCOMPARE(type, S("image/png"));
        QCOMPARE(name, S("logo.png"));
        QCOMPARE(db->status().value(S("file_storage_bytes")).toInteger(), 25);
        QVERIFY(!db->fileContent(S("sha256:") + QString(64, QLatin1Char('0')), nullptr, nullptr));

        // No filename, no content type: null and the default.
        const WriteResult plain =
            db->putFile(P("files/blob"), QByteArray("abc"), {}, {}, S("dev_up"), S("op_file2"));
        QVERIFY(plain.ok);
        QVERIFY(plain.event->value.toObject().value(S("filename")).isNull());
        QCOMPARE(plain.event->value.toObject().value(S("content_type")).toString(),
                 S("application/octet-stream"));
        QCOMPARE(db->putFile(P("files/x"), "x", {}, {}, S("dev"), {}).reason,
                 S("missing_client_op_id"));

        // Once no leaf refers to it, the blob is not served.
        QVERIFY(write(*db, Op::Delete, "files/image~1logo").ok);
        QVERIFY(!db->fileContent(hash, nullptr, nullptr));
    }

    void batchWrite_data() { addModes(); }
    void batchWrite()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        const qint64 rev = write(*db, Op::Set, "p/owner", S("bob")).storeSeq;
        QVERIFY(write(*db, Op::Set, "legacy/x", 1).ok);

        WriteRequest owner = req(Op::Set, "p/owner", S("alice"));
        owner.ifMatch = rev;
        const BatchResult ok =
            db->batchWrite({req(Op::Set, "p/title", S("Alpha")), owner, req(Op::Delete, "legacy")});
        QVERIFY(ok.ok);
        QCOMPARE(ok.ops.size(), 3);
        QCOMPARE(ok.ops[0].storeSeq, rev + 2);
        QCOMPARE(ok.ops[1].storeSeq, rev + 3);
        QCOMPARE(ok.ops[2].storeSeq, rev + 4);
        QCOMPARE(ok.storeSeq, rev + 4);
        QCOMPARE(ok.ops[2].event->op, Op::Delete);
        QCOMPARE(J(valueAt(*db, "p/owner")), J(S("alice")));
        QVERIFY(!db->get(P("legacy")));

        // An if_match inside a batch sees the ops before it.
        WriteRequest chained = req(Op::Set, "p/owner", S("dave"));
        chained.ifMatch = db->currentSeq() + 1;
        const BatchResult seq = db->batchWrite({req(Op::Set, "p/owner", S("x")), chained});
        QVERIFY2(seq.ok, qPrintable(seq.failure.reason));

        // A conflict anywhere applies nothing.
        const qint64 before = db->currentSeq();
        WriteRequest stale = req(Op::Set, "p/owner", S("eve"));
        stale.ifMatch = rev;
        const BatchResult conflict =
            db->batchWrite({req(Op::Set, "p/title", S("Beta")), stale, req(Op::Delete, "p")});
        QVERIFY(!conflict.ok);
        QCOMPARE(conflict.failedIndex, 1);
        QCOMPARE(conflict.failure.reason, S("conflict"));
        QCOMPARE(conflict.failure.currentRevision, std::optional<qint64>(before));
        QCOMPARE(db->currentSeq(), before);
        QCOMPARE(J(valueAt(*db, "p/title")), J(S("Alpha")));
        QCOMPARE(db->opCount(), before);
        // ... and the next write continues the seqs without a gap.
        QCOMPARE(write(*db, Op::Set, "after", 1).storeSeq, before + 1);

        WriteRequest multi = req(Op::Set, "p", parse(R"({"a":1})"));
        multi.ifMatch = 3;
        const BatchResult multiLeaf = db->batchWrite({req(Op::Set, "p/z", 1), multi});
        QCOMPARE(multiLeaf.failedIndex, 1);
        QCOMPARE(multiLeaf.failure.reason, S("if_match_multi_leaf"));
        const BatchResult merge = db->batchWrite({req(Op::Merge, "p", parse(R"({"a":1})"))});
        QCOMPARE(merge.failedIndex, 0);
        QCOMPARE(merge.failure.reason, S("invalid op"));
        QCOMPARE(db->currentSeq(), before + 1);
    }

    void listPatterns_data() { addModes(); }
    void listPatterns()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        for (const char *p :
             {"users", "users/alice/name", "users/alice/prefs/theme", "users/bob/name", "usersX/a",
              "posts/hello", "posts/hello2/title", "x/*", "top"})
            QVERIFY(write(*db, Op::Set, p, S(p)).ok);

        QCOMPARE(keys(*db, S("users/*")), QStringList());
        QCOMPARE(keys(*db, S("users/*/name")),
                 (QStringList{S("users/alice/name"), S("users/bob/name")}));
        QCOMPARE(keys(*db, S("users/**")),
                 (QStringList{S("users/alice/name"), S("users/alice/prefs/theme"),
                              S("users/bob/name")}));
        QCOMPARE(keys(*db, S("*")), (QStringList{S("top"), S("users")}));
        QCOMPARE(keys(*db, S("**")).size(), 9);
        QCOMPARE(keys(*db, QString()).size(), 9);
        QCOMPARE(keys(*db, S("posts/*")), QStringList{S("posts/hello")});
        QCOMPARE(keys(*db, S("x/\\*")), QStringList{S("x/*")});
        QCOMPARE(keys(*db, S("*/hello2/*")), QStringList{S("posts/hello2/title")});
        // The quirk: an exact pattern lists nothing, even when the leaf exists.
        QCOMPARE(keys(*db, S("users/alice/name")), QStringList());
        QCOMPARE(keys(*db, S("top")), QStringList());
        // Bad patterns list nothing.
        QCOMPARE(keys(*db, S("a/**/b")), QStringList());
        QCOMPARE(keys(*db, S("a//b")), QStringList());

        ListQuery q;
        q.pattern = S("users/**");
        q.limit = 2;
        const ListPage page = db->list(q);
        QCOMPARE(page.entries.size(), 2);
        QCOMPARE(page.entries[0].path, P("users/alice/name"));
        QCOMPARE(J(page.entries[0].value), J(S("users/alice/name")));
        QCOMPARE(page.entries[0].type, S("string"));
        QCOMPARE(page.nextCursor, S("users/alice/prefs/theme"));
        q.after = page.nextCursor;
        const ListPage last = db->list(q);
        QCOMPARE(last.entries.size(), 1);
        QCOMPARE(last.entries[0].path, P("users/bob/name"));
        QVERIFY(last.nextCursor.isEmpty());
        // Exactly `limit` matches: no cursor.
        q.after.clear();
        q.limit = 3;
        QVERIFY(db->list(q).nextCursor.isEmpty());

        q.descending = true;
        q.limit = 2;
        const ListPage down = db->list(q);
        QCOMPARE(down.entries[0].path, P("users/bob/name"));
        QCOMPARE(down.nextCursor, S("users/alice/prefs/theme"));
        q.after = down.nextCursor;
        QCOMPARE(db->list(q).entries.size(), 1);
    }

    void listByteOrder_data() { addModes(); }
    void listByteOrder()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        const QStringList paths = {S("a/b"), S("a-b"),    S("a0"),   S("ab"), S("a~1b"),
                                   S("A"),   S("é"),      S("日本"), S("😀"),  S("\xef\xbf\xbd"),
                                   S("a b"), S("item10"), S("item2")};
        QList<std::pair<Path, QJsonValue>> leaves;
        for (const QString &p : paths)
            leaves.append({P(p), p});
        QVERIFY(db->bulkSet(leaves, S("dev")) > 0);
        QStringList expected = paths;
        std::sort(expected.begin(), expected.end(), utf8Less);
        QCOMPARE(keys(*db, S("**")), expected);
        // Paged with a small limit, both directions, through the cursor.
        for (const bool desc : {false, true}) {
            QStringList got;
            ListQuery q;
            q.select = ListQuery::Select::Keys;
            q.limit = 3;
            q.descending = desc;
            for (int guard = 0; guard < 100; ++guard) {
                const ListPage page = db->list(q);
                got += page.paths;
                if (page.nextCursor.isEmpty())
                    break;
                q.after = page.nextCursor;
            }
            QStringList want = expected;
            if (desc)
                std::reverse(want.begin(), want.end());
            QCOMPARE(got, want);
        }
    }

    void listPagingThousands_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<int>("limit");
        QTest::newRow("everything") << S("**") << 250;
        QTest::newRow("subtree") << S("t/t1/**") << 97;
        QTest::newRow("glob middle") << S("t/*/u/*/name") << 64;
        QTest::newRow("glob leading") << S("*/*/u/*/prefs/*") << 500;
    }
    void listPagingThousands()
    {
        QFETCH(QString, pattern);
        QFETCH(int, limit);
        auto db = open(true);
        QVERIFY(db);
        QList<std::pair<Path, QJsonValue>> leaves;
        for (int t = 0; t < 3; ++t)
            for (int u = 0; u < 300; ++u) {
                const QString base = QStringLiteral("t/t%1/u/u%2/").arg(t).arg(u);
                leaves.append({P(base + S("name")), QStringLiteral("n%1").arg(u)});
                leaves.append({P(base + S("age")), u});
                leaves.append({P(base + S("prefs/theme")), S("dark")});
                leaves.append({P(base + S("prefs/lang")), S("en")});
            }
        QVERIFY(db->bulkSet(leaves, S("dev")) == 3600);
        QCOMPARE(db->entryCount(), 3600);

        const Glob glob = *Glob::compile(pattern);
        QStringList expected;
        for (const auto &leaf : leaves)
            if (glob.matches(leaf.first))
                expected.append(leaf.first.rendered());
        std::sort(expected.begin(), expected.end(), utf8Less);
        QVERIFY(expected.size() > limit * 2);

        for (const bool desc : {false, true}) {
            ListQuery q;
            q.pattern = pattern;
            q.limit = limit;
            q.descending = desc;
            QStringList got;
            int pages = 0;
            while (true) {
                const ListPage page = db->list(q);
                ++pages;
                QVERIFY(page.entries.size() <= limit);
                for (const Entry &e : page.entries)
                    got.append(e.path.rendered());
                if (page.nextCursor.isEmpty())
                    break;
                QCOMPARE(page.entries.size(), limit);
                QCOMPARE(page.nextCursor, page.entries.last().path.rendered());
                q.after = page.nextCursor;
                QVERIFY(pages < 1000);
            }
            QStringList want = expected;
            if (desc)
                std::reverse(want.begin(), want.end());
            QCOMPARE(got.size(), want.size());
            QCOMPARE(got, want);
        }
    }

    void listPrefixes()
    {
        auto db = open(false);
        QVERIFY(db);
        QList<std::pair<Path, QJsonValue>> leaves;
        for (const char *p :
             {"users/alice/name", "users/alice/email", "users/alice/prefs/theme", "users/bob/name",
              "users/bob/email", "users/carol/name", "posts/a", "posts/b", "zeta"})
            leaves.append({P(p), 1});
        QVERIFY(db->bulkSet(leaves, S("dev")) > 0);

        ListQuery q;
        q.pattern = S("**");
        q.select = ListQuery::Select::Prefixes;
        q.limit = 1000;
        QCOMPARE(db->list(q).paths, (QStringList{S("posts"), S("users"), S("zeta")}));
        q.pattern = S("users/**");
        QCOMPARE(db->list(q).paths,
                 (QStringList{S("users/alice"), S("users/bob"), S("users/carol")}));

        // Prefixes come from one page of entries: the same prefix shows again on later pages.
        q.limit = 2;
        QStringList all;
        QList<QStringList> pages;
        for (int guard = 0; guard < 20; ++guard) {
            const ListPage page = db->list(q);
            pages.append(page.paths);
            all += page.paths;
            if (page.nextCursor.isEmpty())
                break;
            q.after = page.nextCursor;
        }
        QCOMPARE(pages.first(), QStringList{S("users/alice")}); // two entries, one prefix
        QVERIFY(all.count(S("users/alice")) >= 2);
        QStringList unique = all;
        unique.removeDuplicates();
        QCOMPARE(unique, (QStringList{S("users/alice"), S("users/bob"), S("users/carol")}));

        q.after.clear();
        q.pattern = S("users/*/name");
        QCOMPARE(db->list(q).paths, QStringList());
        q.pattern.clear();
        q.from = P("a");
        q.to = P("z");
        QCOMPARE(db->list(q).paths, QStringList());
    }

    void listRange_data() { addModes(); }
    void listRange()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QList<std::pair<Path, QJsonValue>> leaves;
        for (const char *p : {"logs/2026-04-01/a", "logs/2026-04-02/a", "logs/2026-04-02/b",
                              "logs/2026-04-03/a", "logs/2026-04-04/a"})
            leaves.append({P(p), 1});
        QVERIFY(db->bulkSet(leaves, S("dev")) > 0);
        ListQuery q;
        q.from = P("logs/2026-04-02");
        q.to = P("logs/2026-04-04");
        q.select = ListQuery::Select::Keys;
        QCOMPARE(db->list(q).paths, (QStringList{S("logs/2026-04-02/a"), S("logs/2026-04-02/b"),
                                                 S("logs/2026-04-03/a")}));
        q.limit = 2;
        const ListPage first = db->list(q);
        QCOMPARE(first.nextCursor, S("logs/2026-04-02/b"));
        q.after = first.nextCursor;
        QCOMPARE(db->list(q).paths, QStringList{S("logs/2026-04-03/a")});
        q.after.clear();
        q.descending = true;
        QCOMPARE(db->list(q).paths, (QStringList{S("logs/2026-04-03/a"), S("logs/2026-04-02/b")}));
        q.from = P("z");
        QCOMPARE(db->list(q).paths, QStringList());
    }

    void eventsSinceMaterializes_data() { addModes(); }
    void eventsSinceMaterializes()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        const QJsonValue object = parse(R"({"a":1,"b":{"c":2}})");
        QList<WriteResult> live;
        live << write(*db, Op::Set, "obj", object) << write(*db, Op::Increment, "n", 2)
             << write(*db, Op::Increment, "n", 3) << write(*db, Op::Add, "s", S("x"))
             << write(*db, Op::Add, "s", S("y")) << write(*db, Op::Remove, "s", S("x"))
             << write(*db, Op::Merge, "obj", parse(R"({"d":4})")) << write(*db, Op::Delete, "obj");
        live << db->putFile(P("f"), "data", S("f.txt"), S("text/plain"), S("dev_f"), S("op_f"));
        WriteRequest lease = req(Op::Lease, "l");
        lease.holder = S("me");
        live << db->write(lease);
        for (const WriteResult &r : live)
            QVERIFY2(r.ok && r.event, qPrintable(r.reason));

        const QList<ChangeEvent> events = db->eventsSince(0, 1000);
        QCOMPARE(events.size(), live.size());
        for (qsizetype i = 0; i < events.size(); ++i) {
            const ChangeEvent &replayed = events[i];
            const ChangeEvent &broadcast = *live[i].event;
            QCOMPARE(replayed.storeSeq, broadcast.storeSeq);
            QCOMPARE(replayed.op, broadcast.op);
            QCOMPARE(replayed.opText, broadcast.opText);
            QCOMPARE(replayed.path, broadcast.path);
            QCOMPARE(J(replayed.value), J(broadcast.value));
            QCOMPARE(replayed.deviceId, broadcast.deviceId);
            QCOMPARE(replayed.clientOpId, broadcast.clientOpId);
        }
        QCOMPARE(J(events[2].value), J(5));
        QCOMPARE(J(events[5].value), J(parse(R"(["y"])")));
        QCOMPARE(J(events[0].value), J(object));
        QVERIFY(events[7].value.isNull());

        const QList<ChangeEvent> tail = db->eventsSince(3, 2);
        QCOMPARE(tail.size(), 2);
        QCOMPARE(tail[0].storeSeq, 4);
        QCOMPARE(tail[1].storeSeq, 5);
        QVERIFY(db->eventsSince(db->currentSeq(), 1000).isEmpty());
    }

    // Catch-up frames its events from the stored text (eventPayloadsSince); they must say
    // exactly what the parsed events (eventsSince) say, for every kind of value and path.
    void eventPayloadsMatchEvents()
    {
        auto db = open(false);
        QVERIFY(db);
        QList<WriteResult> live;
        live << write(*db, Op::Set, "s",
                      S("quote \" backslash \\ newline \n tab \t \u00e9 \U0001F600"))
             << write(*db, Op::Set, "n", 42) << write(*db, Op::Set, "f", 2.5)
             << write(*db, Op::Set, "big", 1e300) << write(*db, Op::Set, "t", true)
             << write(*db, Op::Set, "nul", QJsonValue(QJsonValue::Null))
             << write(*db, Op::Set, "arr", parse(R"([1,"two",{"three":3},[]])"))
             << write(*db, Op::Set, "obj", parse(R"({"_scalar":1,"x":{"_scalar":2}})"))
             << write(*db, Op::Set, "wrapped", parse(R"({"_scalar":"inner"})"))
             << write(*db, Op::Set, "empty", parse(R"({})"))
             << write(*db, Op::Increment, "counter", 7) << write(*db, Op::Add, "set", S("a"))
             << write(*db, Op::Merge, "obj", parse(R"({"y":[null]})"))
             << write(*db, Op::Delete, "obj");
        WriteRequest odd = req(Op::Set, "x", S("odd path"));
        odd.path = Path::fromSegments({S("a/b"), S("~"), S("\u00fc \" \\"), S("x")}).value();
        live << db->write(odd);
        for (const WriteResult &r : live)
            QVERIFY2(r.ok && r.event, qPrintable(r.reason));

        const QList<ChangeEvent> events = db->eventsSince(0, 1000);
        const QList<StoreDb::EventPayload> payloads = db->eventPayloadsSince(0, 1000);
        QCOMPARE(payloads.size(), events.size());
        QCOMPARE(payloads.size(), live.size());
        for (qsizetype i = 0; i < payloads.size(); ++i) {
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(payloads[i].json, &error);
            QVERIFY2(error.error == QJsonParseError::NoError, payloads[i].json.constData());
            QCOMPARE(payloads[i].storeSeq, events[i].storeSeq);
            QCOMPARE(doc.object(), events[i].toJson());
            // An object that is exactly {"_scalar": v} cannot be told from a wrapped scalar
            // once stored, so its replay says v (as the hosted server's does).
            if (i != 8)
                QCOMPARE(doc.object(), live[i].event->toJson());
        }
        QCOMPARE(QJsonDocument::fromJson(payloads[8].json).object().value(S("value")), S("inner"));
        // The wrapper the store adds around scalars is gone; a user's own "_scalar" key with
        // company stays.
        QVERIFY(payloads[0].json.contains(R"("value":"quote \" backslash)"));
        QCOMPARE(QJsonDocument::fromJson(payloads[7].json).object().value(S("value")),
                 parse(R"({"_scalar":1,"x":{"_scalar":2}})"));
        QCOMPARE(db->eventPayloadsSince(3, 2).size(), 2);
        QCOMPARE(db->eventPayloadsSince(3, 2).first().storeSeq, 4);
        QVERIFY(db->eventPayloadsSince(db->currentSeq(), 1000).isEmpty());
    }

    void compactionAndSnapshot_data() { addModes(); }
    void compactionAndSnapshot()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QVERIFY(!db->snapshotAfter(0));
        QVERIFY(write(*db, Op::Set, "users/alice", parse(R"({"name":"Alice","age":30})")).ok);
        QVERIFY(write(*db, Op::Increment, "stats/views", 42).ok);
        QVERIFY(
            db->putFile(P("files/logo"), "png", S("logo.png"), S("image/png"), S("d"), S("op_logo"))
                .ok);
        QVERIFY(write(*db, Op::Set, "gone", 1).ok);
        QVERIFY(write(*db, Op::Delete, "gone").ok);
        const qint64 seq = db->currentSeq();
        db->compact();
        QCOMPARE(db->latestSnapshotSeq(), seq);
        QVERIFY(QDateTime::fromString(db->latestSnapshotAt(), Qt::ISODateWithMs).isValid());
        QCOMPARE(db->opCount(), 0);
        QCOMPARE(db->currentSeq(), seq);
        QVERIFY(db->eventsSince(0, 1000).isEmpty());

        const auto snapshot = db->snapshotAfter(0);
        QVERIFY(snapshot);
        QCOMPARE(snapshot->snapshotSeq, seq);
        QCOMPARE(snapshot->entries.size(), 4);
        QCOMPARE(J(snapshot->entries.value(S("users/alice/name"))),
                 J(parse(R"({"value":{"_scalar":"Alice"},"type":"string"})")));
        QCOMPARE(J(snapshot->entries.value(S("stats/views"))),
                 J(parse(R"({"value":{"_scalar":42},"type":"counter"})")));
        const QJsonObject file = snapshot->entries.value(S("files/logo")).toObject();
        QCOMPARE(file.value(S("type")).toString(), S("file"));
        QCOMPARE(file.value(S("value")).toObject().value(S("_type")).toString(), S("file"));
        QVERIFY(!db->snapshotAfter(seq));
        QVERIFY(db->snapshotAfter(seq - 1));

        // Seqs continue after the snapshot; the file is still served.
        const WriteResult next = write(*db, Op::Increment, "stats/views", 1);
        QCOMPARE(next.storeSeq, seq + 1);
        QCOMPARE(J(next.event->value), J(43));
        QCOMPARE(db->eventsSince(seq, 1000).size(), 1);
        QCOMPARE(db->opCount(), 1);
        const QString hash = file.value(S("value")).toObject().value(S("hash")).toString();
        QVERIFY(db->fileContent(hash, nullptr, nullptr));
        const QJsonObject status = db->status();
        QCOMPARE(status.value(S("latest_snapshot_seq")).toInteger(), seq);
        QCOMPARE(status.value(S("latest_snapshot_at")).toString(), db->latestSnapshotAt());

        // A second compaction replaces the first snapshot.
        db->compact();
        QCOMPARE(db->latestSnapshotSeq(), seq + 1);
        QCOMPARE(J(db->snapshotAfter(0)->entries.value(S("stats/views"))),
                 J(parse(R"({"value":{"_scalar":43},"type":"counter"})")));
    }

    void statusFields_data() { addModes(); }
    void statusFields()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QJsonObject status = db->status();
        QCOMPARE(status.value(S("current_seq")).toInteger(), 0);
        QVERIFY(status.value(S("latest_snapshot_seq")).isNull());
        QVERIFY(status.value(S("latest_snapshot_at")).isNull());
        QCOMPARE(status.value(S("recent_ops")).toArray().size(), 0);
        for (int i = 0; i < 7; ++i)
            QVERIFY(write(*db, Op::Set, "k", i).ok);
        QVERIFY(write(*db, Op::Set, "obj", parse(R"({"a":1,"b":2})")).ok);
        status = db->status();
        QCOMPARE(status.value(S("current_seq")).toInteger(), 8);
        QCOMPARE(status.value(S("entry_count")).toInteger(), 3);
        QCOMPARE(status.value(S("op_count")).toInteger(), 8);
        QCOMPARE(status.value(S("file_storage_bytes")).toInteger(), 0);
        QVERIFY(status.value(S("db_size_bytes")).toInteger() > 0);
        const QJsonArray recent = status.value(S("recent_ops")).toArray();
        QCOMPARE(recent.size(), 5);
        const QJsonObject newest = recent.at(0).toObject();
        QCOMPARE(newest.value(S("store_seq")).toInteger(), 8);
        QCOMPARE(newest.value(S("op")).toString(), S("set"));
        QCOMPARE(newest.value(S("path")).toString(), S("obj"));
        QVERIFY(newest.contains(S("inserted_at")));
        QCOMPARE(recent.at(4).toObject().value(S("store_seq")).toInteger(), 4);
    }

    void auditLog_data() { addModes(); }
    void auditLog()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        const QString start =
            QDateTime::currentDateTimeUtc().addSecs(-1).toString(Qt::ISODateWithMs);
        QVERIFY(write(*db, Op::Set, "users/alice/name", S("Alice")).ok);
        QVERIFY(write(*db, Op::Set, "users/bob", parse(R"({"name":"Bob"})")).ok);
        QVERIFY(write(*db, Op::Increment, "stats/n", 5).ok);
        QVERIFY(write(*db, Op::Add, "tags", S("x")).ok);
        WriteRequest other = req(Op::Delete, "users/alice/name");
        other.deviceId = S("dev_other");
        QVERIFY(db->write(other).ok);

        AuditQuery q;
        QJsonObject log = db->auditLog(q);
        QJsonArray ops = log.value(S("ops")).toArray();
        QCOMPARE(ops.size(), 5);
        QCOMPARE(ops.at(0).toObject().value(S("store_seq")).toInteger(), 5); // newest first
        QCOMPARE(ops.at(0).toObject().value(S("device_id")).toString(), S("dev_other"));
        QCOMPARE(J(ops.at(4).toObject().value(S("value"))), J(parse(R"({"_scalar":"Alice"})")));
        QCOMPARE(J(ops.at(3).toObject().value(S("value"))), J(parse(R"({"name":"Bob"})")));
        QCOMPARE(J(ops.at(2).toObject().value(S("value"))), J(parse(R"({"_scalar":5})")));
        QCOMPARE(J(ops.at(1).toObject().value(S("value"))), J(parse(R"({"_scalar":"x"})")));
        QCOMPARE(ops.at(1).toObject().value(S("op")).toString(), S("add"));
        QVERIFY(ops.at(0).toObject().value(S("inserted_at")).toString().endsWith(QLatin1Char('Z')));
        QVERIFY(ops.at(0).toObject().contains(S("path")));
        QCOMPARE(J(log.value(S("pagination"))),
                 J(parse(R"({"page":1,"limit":50,"total":5,"total_pages":1})")));

        q.path = S("users/alice/name");
        QCOMPARE(db->auditLog(q).value(S("ops")).toArray().size(), 2);
        q.path = S("users/*");
        ops = db->auditLog(q).value(S("ops")).toArray();
        QCOMPARE(ops.size(), 1);
        QCOMPARE(ops.at(0).toObject().value(S("path")).toString(), S("users/bob"));
        q.path = S("users/**");
        QCOMPARE(db->auditLog(q).value(S("ops")).toArray().size(), 3);
        q.path.clear();
        q.deviceId = S("dev_other");
        QCOMPARE(db->auditLog(q).value(S("ops")).toArray().size(), 1);
        q.deviceId.clear();
        q.op = S("set");
        QCOMPARE(db->auditLog(q).value(S("ops")).toArray().size(), 2);
        q.op.clear();
        q.since = start;
        QCOMPARE(db->auditLog(q).value(S("ops")).toArray().size(), 5);
        q.since = QDateTime::currentDateTimeUtc().addSecs(3600).toString(Qt::ISODate);
        QCOMPARE(db->auditLog(q).value(S("ops")).toArray().size(), 0);
        q.since.clear();

        q.limit = 2;
        q.page = 3;
        log = db->auditLog(q);
        ops = log.value(S("ops")).toArray();
        QCOMPARE(ops.size(), 1);
        QCOMPARE(ops.at(0).toObject().value(S("store_seq")).toInteger(), 1);
        QCOMPARE(J(log.value(S("pagination"))),
                 J(parse(R"({"page":3,"limit":2,"total":5,"total_pages":3})")));
        q.path = S("users/**");
        q.page = 2;
        log = db->auditLog(q);
        QCOMPARE(log.value(S("ops")).toArray().size(), 1);
        QCOMPARE(log.value(S("ops")).toArray().at(0).toObject().value(S("store_seq")).toInteger(),
                 1);
        QCOMPARE(log.value(S("pagination")).toObject().value(S("total")).toInteger(), 3);
        QCOMPARE(log.value(S("pagination")).toObject().value(S("total_pages")).toInteger(), 2);
    }

    void diff_data() { addModes(); }
    void diff()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QVERIFY(write(*db, Op::Set, "a", 1).ok);                                          // 1
        QVERIFY(write(*db, Op::Set, "users/alice", parse(R"({"name":"A","age":3})")).ok); // 2
        QVERIFY(write(*db, Op::Set, "same", 1).ok);                                       // 3
        QVERIFY(write(*db, Op::Set, "a", 2).ok);                                          // 4
        QVERIFY(write(*db, Op::Delete, "users").ok);                                      // 5
        QVERIFY(write(*db, Op::Set, "same", 1).ok);                                       // 6
        QVERIFY(write(*db, Op::Increment, "n", 4).ok);                                    // 7

        qint64 earliest = -1;
        const auto d = db->diff(3, 7, &earliest);
        QVERIFY(d);
        QCOMPARE(d->value(S("from_seq")).toInteger(), 3);
        QCOMPARE(d->value(S("to_seq")).toInteger(), 7);
        QCOMPARE(J(d->value(S("changes"))), J(parse(R"([
            {"path":"a","before":1,"after":2},
            {"path":"n","before":null,"after":4},
            {"path":"users/alice/age","before":3,"after":null},
            {"path":"users/alice/name","before":"A","after":null}])")));
        const auto fromZero = db->diff(0, 2, &earliest);
        QCOMPARE(fromZero->value(S("changes")).toArray().size(), 3);
        const auto reverse = db->diff(4, 1, &earliest);
        QCOMPARE(J(reverse->value(S("changes")).toArray().at(0)),
                 J(parse(R"({"path":"a","before":2,"after":1})")));
        QCOMPARE(earliest, -1);

        db->compact();
        QVERIFY(write(*db, Op::Set, "a", 3).ok); // 8
        QVERIFY(!db->diff(3, 8, &earliest));
        QCOMPARE(earliest, 7);
        const auto after = db->diff(7, 8, &earliest);
        QVERIFY(after);
        QCOMPARE(J(after->value(S("changes"))), J(parse(R"([{"path":"a","before":2,"after":3}])")));
    }

    void rollbackPath_data() { addModes(); }
    void rollbackPath()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QJsonObject reply;
        QCOMPARE(db->rollback(P("a"), 1, &reply).reason, S("no_ops"));

        QVERIFY(write(*db, Op::Set, "a", 1).ok);                                   // 1
        QVERIFY(write(*db, Op::Set, "a", 2).ok);                                   // 2
        QVERIFY(write(*db, Op::Set, "doc", parse(R"({"t":"x","b":{"c":1}})")).ok); // 3
        QVERIFY(write(*db, Op::Set, "doc/b/c", 2).ok);                             // 4
        QVERIFY(write(*db, Op::Increment, "n", 5).ok);                             // 5
        QVERIFY(write(*db, Op::Increment, "n", 5).ok);                             // 6

        WriteResult r = db->rollback(P("a"), 1, &reply);
        QVERIFY2(r.ok, qPrintable(r.reason));
        QCOMPARE(r.storeSeq, 7);
        QCOMPARE(reply, (QJsonObject{{S("store_seq"), 7}}));
        QVERIFY(r.event);
        QCOMPARE(r.event->op, Op::Set);
        QCOMPARE(r.event->deviceId, S("system:rollback"));
        QCOMPARE(r.event->clientOpId, S("rollback:1:a"));
        QCOMPARE(J(valueAt(*db, "a")), J(1));

        // Already equal: a no-op reply, nothing written.
        r = db->rollback(P("a"), 1, &reply);
        QVERIFY(r.ok);
        QVERIFY(!r.event);
        QCOMPARE(reply, (QJsonObject{{S("store_seq"), 7}, {S("noop"), true}}));
        QCOMPARE(db->currentSeq(), 7);

        // A subtree goes back to its assembled value; a counter to its total.
        r = db->rollback(P("doc"), 3, &reply);
        QVERIFY(r.ok);
        QCOMPARE(J(valueAt(*db, "doc")), J(parse(R"({"t":"x","b":{"c":1}})")));
        r = db->rollback(P("doc/b/c"), 3, &reply);
        QVERIFY(r.ok);
        QCOMPARE(reply.value(S("noop")).toBool(), true);
        r = db->rollback(P("n"), 5, &reply);
        QVERIFY(r.ok);
        QCOMPARE(J(valueAt(*db, "n")), J(5));
        // A path that did not exist then is deleted.
        r = db->rollback(P("n"), 2, &reply);
        QVERIFY(r.ok);
        QCOMPARE(r.event->op, Op::Delete);
        QVERIFY(!db->get(P("n")));

        db->compact();
        // Compaction leaves no op to roll back over.
        QCOMPARE(db->rollback(P("a"), db->currentSeq(), &reply).reason, S("no_ops"));
        QVERIFY(write(*db, Op::Set, "a", 99).ok);
        QCOMPARE(db->rollback(P("a"), 2, &reply).reason, S("beyond_retention"));
        r = db->rollback(P("a"), db->latestSnapshotSeq(), &reply);
        QVERIFY2(r.ok, qPrintable(r.reason));
        QCOMPARE(J(valueAt(*db, "a")), J(1));
    }

    void rollbackStore_data() { addModes(); }
    void rollbackStore()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QVERIFY(write(*db, Op::Set, "keep", 1).ok);
        QVERIFY(write(*db, Op::Set, "cfg", S("v1")).ok);
        QVERIFY(write(*db, Op::Set, "cfg/theme", S("light")).ok);
        QVERIFY(write(*db, Op::Set, "users/a", parse(R"({"n":"A"})")).ok);
        const qint64 target = db->currentSeq();
        auto snapshot = [&] {
            QStringList lines;
            db->exportJsonl([&](const QByteArray &line) {
                if (!line.contains("\"_header\""))
                    lines.append(QString::fromUtf8(line));
            });
            return lines;
        };
        const QStringList expected = snapshot();

        QVERIFY(write(*db, Op::Set, "cfg", S("v2")).ok); // clears cfg/theme
        QVERIFY(write(*db, Op::Set, "users/b", parse(R"({"n":"B"})")).ok);
        QVERIFY(write(*db, Op::Delete, "users/a").ok);
        QVERIFY(write(*db, Op::Increment, "counter", 3).ok);
        QVERIFY(snapshot() != expected);

        QJsonObject reply;
        const qint64 before = db->currentSeq();
        const WriteResult r = db->rollback(std::nullopt, target, &reply);
        QVERIFY2(r.ok, qPrintable(r.reason));
        const qint64 written = reply.value(S("ops_written")).toInteger();
        QVERIFY(written >= 5);
        QCOMPARE(db->currentSeq(), before + written);
        QCOMPARE(db->opCount(), before + written);
        QCOMPARE(snapshot(), expected);
        AuditQuery q;
        q.deviceId = S("system:rollback");
        QCOMPARE(db->auditLog(q).value(S("pagination")).toObject().value(S("total")).toInteger(),
                 written);
        // Rolling back to the same point again writes nothing.
        QVERIFY(db->rollback(std::nullopt, target, &reply).ok);
        QCOMPARE(reply.value(S("ops_written")).toInteger(), 0);
        QCOMPARE(db->rollback(std::nullopt, 0, &reply).reason, S("beyond_retention"));
    }

    void exportJsonl_data() { addModes(); }
    void exportJsonl()
    {
        QFETCH(bool, onDisk);
        auto db = open(onDisk);
        QVERIFY(db);
        QVERIFY(write(*db, Op::Set, "b", parse(R"({"x":[1,2],"y":null})")).ok);
        QVERIFY(write(*db, Op::Set, "a", S("é")).ok);
        QVERIFY(write(*db, Op::Increment, "c", 2).ok);
        QList<QJsonObject> lines;
        db->exportJsonl([&](const QByteArray &line) {
            QVERIFY(!line.contains('\n'));
            lines.append(QJsonDocument::fromJson(line).object());
        });
        QCOMPARE(lines.size(), 5);
        const QJsonObject header = lines.first();
        QCOMPARE(header.value(S("_header")).toBool(), true);
        QCOMPARE(header.value(S("store")).toString(), S("acme/test"));
        QCOMPARE(header.value(S("seq")).toInteger(), 3);
        QCOMPARE(header.value(S("entry_count")).toInteger(), 4);
        QCOMPARE(header.value(S("path_schema_version")).toInteger(), 3);
        QVERIFY(header.contains(S("exported_at")));
        QCOMPARE(J(lines[1]), J(parse(R"({"path":"a","value":"é","type":"string"})")));
        QCOMPARE(J(lines[2]), J(parse(R"({"path":"b/x","value":[1,2],"type":"string"})")));
        QCOMPARE(J(lines[3]), J(parse(R"({"path":"b/y","value":null,"type":"null"})")));
        QCOMPARE(J(lines[4]), J(parse(R"({"path":"c","value":2,"type":"counter"})")));
    }

    void reopenFileDatabase()
    {
        const QString name = S("reopen.db");
        QString id;
        qint64 seq = 0;
        {
            auto db = open(true, name);
            QVERIFY(db);
            id = db->id();
            QVERIFY(write(*db, Op::Set, "users/alice", parse(R"({"name":"Alice"})")).ok);
            QVERIFY(write(*db, Op::Increment, "n", 2).ok);
            QVERIFY(db->putFile(P("f"), "bytes", S("f.bin"), {}, S("d"), S("op_f")).ok);
            db->compact();
            QVERIFY(write(*db, Op::Add, "s", 1).ok);
            seq = db->currentSeq();
        }
        QVERIFY(QFile::exists(m_dir.filePath(name)));
        auto db = open(true, name);
        QVERIFY(db);
        QCOMPARE(db->id(), id);
        QCOMPARE(db->currentSeq(), seq);
        QCOMPARE(db->entryCount(), 4);
        QCOMPARE(db->opCount(), 1);
        QCOMPARE(db->latestSnapshotSeq(), seq - 1);
        QCOMPARE(J(valueAt(*db, "users/alice")), J(parse(R"({"name":"Alice"})")));
        QCOMPARE(J(valueAt(*db, "n")), J(2));
        const QString hash = valueAt(*db, "f").toObject().value(S("hash")).toString();
        QCOMPARE(db->fileContent(hash, nullptr, nullptr), std::optional<QByteArray>("bytes"));
        // The log continues where it was.
        const WriteResult r = write(*db, Op::Increment, "n", 1);
        QCOMPARE(r.storeSeq, seq + 1);
        QCOMPARE(J(r.event->value), J(3));
        QCOMPARE(db->eventsSince(seq - 1, 10).size(), 2);
    }

    void corruptDatabaseFile()
    {
        const QString file = m_dir.filePath(S("corrupt.db"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray garbage;
        for (int i = 0; i < 8192; ++i)
            garbage.append(char((i * 7919) % 251));
        f.write(garbage);
        f.close();
        const auto opened = StoreDb::open(file, S("acme/corrupt"));
        QVERIFY(!opened);
        QVERIFY(!opened.error().isEmpty());
        QVERIFY2(opened.error().contains(file), qPrintable(opened.error()));

        // A directory where the file should be.
        QVERIFY(QDir(m_dir.path()).mkpath(S("adir.db")));
        QVERIFY(!StoreDb::open(m_dir.filePath(S("adir.db")), S("acme/dir")));

        // A SQLite database whose tables have other columns.
        const QString other = m_dir.filePath(S("other.db"));
        {
            const QString connection = S("tst_storedb_other");
            {
                QSqlDatabase sql = QSqlDatabase::addDatabase(S("QSQLITE"), connection);
                sql.setDatabaseName(other);
                QVERIFY(sql.open());
                QSqlQuery q(sql);
                QVERIFY(q.exec(S("CREATE TABLE store_entries (something TEXT)")));
                sql.close();
            }
            QSqlDatabase::removeDatabase(connection);
        }
        const auto mismatched = StoreDb::open(other, S("acme/other"));
        QVERIFY(!mismatched);
        QVERIFY(!mismatched.error().isEmpty());

        // A valid database whose first page is then overwritten.
        const QString foreign = m_dir.filePath(S("foreign.db"));
        {
            auto db = StoreDb::open(foreign, S("acme/foreign"));
            QVERIFY(db);
        }
        // Truncating the file in the middle of its pages breaks it.
        QFile g(foreign);
        QVERIFY(g.open(QIODevice::ReadWrite));
        QVERIFY(g.size() > 1024);
        g.seek(100);
        g.write(QByteArray(4096, '\xff'));
        g.close();
        const auto broken = StoreDb::open(foreign, S("acme/foreign"));
        if (broken) {
            // Some damage only shows on use: it must surface as errors, never as a crash.
            const WriteResult r = write(*broken.value(), Op::Set, "x", 1);
            QVERIFY(!r.ok);
            QVERIFY(r.reason.startsWith(S("storage_error")));
        }
    }

    void bulkSetAndSeedGenerated()
    {
        auto db = open(true);
        QVERIFY(db);
        QCOMPARE(db->bulkSet({}, S("dev")), 0);
        QCOMPARE(db->bulkSet({{P("ok"), 1}, {Path(), 2}}, S("dev")), -1);
        QCOMPARE(db->bulkSet({{P("ok"), parse(R"({"":1})")}}, S("dev")), -1);
        QCOMPARE(db->currentSeq(), 0);

        QElapsedTimer timer;
        timer.start();
        QCOMPARE(seedGenerated(*db, 50000), 50000);
        qInfo("seedGenerated(50000): %lld ms", timer.elapsed());
        QCOMPARE(db->entryCount(), 50000);
        QCOMPARE(db->currentSeq(), 50000);
        QCOMPARE(db->opCount(), 50000);
        QCOMPARE(seedGenerated(*db, 10), 0); // only into an empty store
        QCOMPARE(seedDemo(*db), 0);

        const auto user = db->get(P("tenants/t000/users/u000000"));
        QVERIFY(user);
        QCOMPARE(user->type, S("map"));
        const QJsonObject fields = user->value.toObject();
        for (const char *key : {"name", "email", "age", "active", "score", "tags", "prefs"})
            QVERIFY2(fields.contains(S(key)), key);
        QCOMPARE(fields.value(S("prefs")).toObject().value(S("notifications")).toObject().size(),
                 1);
        QVERIFY(db->get(P("tenants/t000/orders/o0000000/total")));
        QVERIFY(keys(*db, S("logs/*/*"), 5).size() == 5);
        ListQuery q;
        q.pattern = S("tenants/*/users/*/name");
        q.limit = 1000;
        QCOMPARE(db->list(q).entries.size(), 1000);
        QVERIFY(!db->list(q).nextCursor.isEmpty());

        // A second bulk continues the seqs.
        QCOMPARE(db->bulkSet({{P("extra/a"), 1}, {P("extra"), 2}}, S("dev")), 50002);
        QVERIFY(!db->get(P("extra/a"))); // the second set cleared the first
        QCOMPARE(db->entryCount(), 50001);
    }

    void seedDemoStore()
    {
        auto db = open(false);
        QVERIFY(db);
        const qint64 ops = seedDemo(*db);
        QVERIFY(ops > 30);
        QCOMPARE(db->currentSeq(), ops);
        QCOMPARE(seedDemo(*db), 0);

        QCOMPARE(J(valueAt(*db, "config")), J(S("v2")));
        QCOMPARE(J(valueAt(*db, "config/theme")), J(S("dark")));
        const auto logo = db->get(P("files/image~1logo"));
        QVERIFY(logo);
        QCOMPARE(logo->type, S("file"));
        QString type;
        const auto png =
            db->fileContent(logo->value.toObject().value(S("hash")).toString(), &type, nullptr);
        QVERIFY(png && png->startsWith("\x89PNG"));
        QCOMPARE(type, S("image/png"));
        QCOMPARE(db->get(P("files/readme"))->type, S("file"));
        QCOMPARE(J(valueAt(*db, "stats/visits")), J(15));
        QCOMPARE(db->get(P("stats/visits"))->type, S("counter"));
        QCOMPARE(J(valueAt(*db, "tags/popular")), J(parse(R"(["qt","dust","sqlite"])")));
        QCOMPARE(db->get(P("jobs/nightly-backup"))->type, S("lease"));
        QVERIFY(db->get(P("home~0user/shell")));
        QVERIFY(db->get(P("my documents/report 2026.pdf/pages")));
        QVERIFY(db->get(P("domains/example.com/owner")));
        QCOMPARE(J(valueAt(*db, "cities/café")), J(S("Paris")));
        QCOMPARE(J(valueAt(*db, "cities/日本/capital")), J(S("東京")));
        QCOMPARE(J(valueAt(*db, "users/alice/status")), J(S("active")));
        QCOMPARE(J(valueAt(*db, "users/jean luc/prefs/theme")), J(S("dark")));
        QVERIFY(!db->get(P("drafts")));
        QCOMPARE(db->get(P("flags/new_editor"))->type, S("boolean"));
        ListQuery q;
        q.pattern = S("items/**");
        q.select = ListQuery::Select::Prefixes;
        QCOMPARE(db->list(q).paths,
                 (QStringList{S("items/item1"), S("items/item10"), S("items/item100"),
                              S("items/item2"), S("items/item20")}));
    }

    // Opt-in: DUST_SEED_BENCH=1000000 measures the generated seed on disk.
    void seedGeneratedLarge()
    {
        const qint64 n = qEnvironmentVariableIntValue("DUST_SEED_BENCH");
        if (n <= 0)
            QSKIP("set DUST_SEED_BENCH=<leaves> to run");
        auto db = open(true, S("bench.db"));
        QVERIFY(db);
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(seedGenerated(*db, n), n);
        const qint64 seedMs = timer.elapsed();
        QCOMPARE(db->entryCount(), n);
        timer.restart();
        ListQuery q;
        q.pattern = S("tenants/*/users/*/name");
        q.limit = 1000;
        QCOMPARE(db->list(q).entries.size(), 1000);
        const qint64 listMs = timer.elapsed();
        timer.restart();
        const auto tenant = db->get(P("tenants/t000/users"));
        QVERIFY(tenant);
        qInfo("seedGenerated(%lld): %lld ms; glob page: %lld ms; get(tenants/t000/users): %lld ms; "
              "db %lld bytes",
              n, seedMs, listMs, timer.elapsed(),
              db->status().value(S("db_size_bytes")).toInteger());
        QVERIFY(seedMs < 60000);
    }
};

QTEST_GUILESS_MAIN(TstStoreDb)
#include "tst_storedb.moc"
