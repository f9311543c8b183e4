// The dustlite storage engine's writes: opening a store, every write op and error reason,
// flattening and assembly, leases, preconditions, files and batches.

#include "StoreDbFixture.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QRegularExpression>
#include <QUuid>

using namespace storedbtest;

class TstStoreDb : public StoreDbFixture
{
    Q_OBJECT

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
};

QTEST_GUILESS_MAIN(TstStoreDb)
#include "tst_storedb.moc"
