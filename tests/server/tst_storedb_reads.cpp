// The dustlite storage engine's reads: listings and their quirks (byte order, paging,
// prefixes, ranges), catch-up events and export.

#include "StoreDbFixture.h"
#include "protocol/Glob.h"

#include <algorithm>

using namespace storedbtest;

class TstStoreDbReads : public StoreDbFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

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

        q.order = ListQuery::Order::Desc;
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
            ListQuery q;
            q.select = ListQuery::Select::Keys;
            q.limit = 3;
            q.order = desc ? ListQuery::Order::Desc : ListQuery::Order::Asc;
            const QStringList got = listAllPages(*db, q);
            QStringList want = expected;
            if (desc)
                std::reverse(want.begin(), want.end());
            QCOMPARE(got, want);
        }
    }

    // A pattern without `**` skips a deeper row's subtree in one seek; what it lists must be
    // what the pattern matches, whatever sorts around the skipped subtrees ('!' and '.' sort
    // before '/', "b0" right after "b/…"), paged through the cursor in both orders.
    void listFixedDepthSkipsSubtrees_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<int>("limit");
        for (const char *pattern : {"*", "*/*", "a/*", "*/x", "*/*/*", "a/*/c/*"})
            for (const int limit : {1, 2, 1000})
                QTest::newRow(qPrintable(S(pattern) + QStringLiteral(" limit %1").arg(limit)))
                    << S(pattern) << limit;
    }

    void listFixedDepthSkipsSubtrees()
    {
        QFETCH(QString, pattern);
        QFETCH(int, limit);
        auto db = open(false);
        QVERIFY(db);
        const QStringList paths = {S("a"),         S("a/b"),     S("a/b/c/d"), S("a/b/c/e/f"),
                                   S("a/b!/x"),    S("a/b.c"),   S("a/b0"),    S("a/c"),
                                   S("a!x"),       S("a.b/x"),   S("b/x"),     S("b/x/y"),
                                   S("b/z"),       S("é/x"),     S("é/x/y/z"), S("z"),
                                   S("z/x/x/x/x"), S("a/c/c/d"), S("a/b0/c/d")};
        QList<std::pair<Path, QJsonValue>> leaves;
        for (const QString &p : paths)
            leaves.append({P(p), p});
        QVERIFY(db->bulkSet(leaves, S("dev")) > 0);

        // What the store holds, filtered naively.
        const QStringList stored = keys(*db, S("**"));
        QCOMPARE(stored.size(), paths.size());
        const Glob glob = *Glob::compile(pattern);
        QStringList expected;
        for (const QString &p : stored)
            if (glob.matches(P(p)))
                expected.append(p);
        QVERIFY(!expected.isEmpty());

        for (const bool desc : {false, true}) {
            for (const auto select : {ListQuery::Select::Keys, ListQuery::Select::Entries}) {
                ListQuery q;
                q.pattern = pattern;
                q.limit = limit;
                q.select = select;
                q.order = desc ? ListQuery::Order::Desc : ListQuery::Order::Asc;
                const QStringList got = listAllPages(*db, q);
                QStringList want = expected;
                if (desc)
                    std::reverse(want.begin(), want.end());
                QCOMPARE(got, want);
            }
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
            q.order = desc ? ListQuery::Order::Desc : ListQuery::Order::Asc;
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
        q.order = ListQuery::Order::Desc;
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
};

QTEST_GUILESS_MAIN(TstStoreDbReads)
#include "tst_storedb_reads.moc"
