// The dustlite storage engine's history: compaction into snapshots, status, the audit log,
// diffs and rollbacks of a path or the whole store.

#include "StoreDbFixture.h"

#include <QDateTime>

using namespace storedbtest;

class TstStoreDbHistory : public StoreDbFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

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
};

QTEST_GUILESS_MAIN(TstStoreDbHistory)
#include "tst_storedb_history.moc"
