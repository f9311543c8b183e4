// Whole dustlite store databases: reopening a file, refusing a damaged one, bulk writes and
// seeding.

#include "Seeder.h"
#include "StoreDbFixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>

using namespace storedbtest;

class TstStoreDbLifecycle : public StoreDbFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

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

QTEST_GUILESS_MAIN(TstStoreDbLifecycle)
#include "tst_storedb_lifecycle.moc"
