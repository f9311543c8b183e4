// Tests of dust::Mirror's reads: leaves and assembled subtrees, children, and listings by
// pattern and by range in byte order of the rendered path, paged by cursor, checked against
// a fixed store and, with random queries, against an independent reference. The randomized
// test prints its seed; set DUST_TEST_SEED to replay it.

#include "MirrorReference.h"
#include "MirrorTestUtil.h"
#include "RandomStore.h"
#include "TestSeed.h"
#include "protocol/Glob.h"
#include "sync/Mirror.h"

#include <QTest>

#include <set>
#include <vector>

using namespace dust;
using namespace dust::test;

Q_DECLARE_METATYPE(dust::ListQuery)

namespace {

QStringList keysOf(const Mirror &m, ListQuery q)
{
    q.select = ListQuery::Select::Keys;
    const auto page = m.list(q);
    if (!page)
        return {QStringLiteral("error: ") + page.error().message()};
    return page->paths;
}

ListQuery pattern(const char *p, int limit = 1000)
{
    ListQuery q;
    q.pattern = QString::fromUtf8(p);
    q.limit = limit;
    return q;
}

// Every path of the listing store, in byte order of the rendered path.
QStringList allKeys()
{
    return S({"a-b", "a/b", "a0", "posts", "posts/*", "posts/a b/title", "posts/hello/body",
              "posts/hello/title", "posts/hello2/title", "posts/x~1y/title", "posts/é/title",
              "users/alice", "users/bob/name"});
}

} // namespace

class TestMirrorList : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void getLeafSubtreeAndMissing();
    void existsAndChildren();
    void forEachLeafUnder();
    void listKeys_data();
    void listKeys();
    void listEntriesCarryValues();
    void listOrderCursorAndPaging();
    void listKeysAndPrefixes();
    void listErrors_data();
    void listErrors();
    void listRandomAgainstReference();

private:
    Mirror m_store; // the listing store, filled once: 13 leaves at seqs 1..13
};

void TestMirrorList::initTestCase()
{
    for (const char *p : {"posts", "posts/hello/title", "posts/hello/body", "posts/hello2/title",
                          "posts/a b/title", "posts/x~1y/title", "posts/é/title", "posts/*",
                          "users/alice", "users/bob/name", "a-b", "a/b", "a0"})
        m_store.apply(ev(m_store.lastSeq() + 1, Op::Set, p, J("1")));
}

void TestMirrorList::getLeafSubtreeAndMissing()
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

void TestMirrorList::existsAndChildren()
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

void TestMirrorList::forEachLeafUnder()
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

void TestMirrorList::listKeys_data()
{
    QTest::addColumn<ListQuery>("query");
    QTest::addColumn<QStringList>("expected");
    auto row = [](const char *name, const ListQuery &q, const QStringList &expected) {
        QTest::newRow(name) << q << expected;
    };
    // Patterns.
    row("posts/*/title", pattern("posts/*/title"),
        S({"posts/a b/title", "posts/hello/title", "posts/hello2/title", "posts/x~1y/title",
           "posts/é/title"}));
    row("posts/* matches one level", pattern("posts/*"), S({"posts/*"}));
    row("posts/\\* is the literal *", pattern("posts/\\*"), S({"posts/*"}));
    row("*", pattern("*"), S({"a-b", "a0", "posts"}));
    row("users/**", pattern("users/**"), S({"users/alice", "users/bob/name"}));
    row("a/**", pattern("a/**"), S({"a/b"}));
    row("**", pattern("**"), allKeys());
    row("empty pattern is **", pattern(""), allKeys());
    row("*/hello/*", pattern("*/hello/*"), S({"posts/hello/body", "posts/hello/title"}));
    row("escaped slash in a segment", pattern("posts/x~1y/*"), S({"posts/x~1y/title"}));
    // The hosted server lists nothing for an exact path; the mirror lists the leaf.
    row("exact path of a leaf", pattern("posts/hello/title"), S({"posts/hello/title"}));
    row("exact path of a folder", pattern("posts/hello"), QStringList());
    ListQuery q = pattern("posts/hello/title");
    q.after = QStringLiteral("posts/hello/title");
    row("exact path after itself", q, QStringList());
    // Ranges [from, to), both directions, a page of one after a cursor.
    q = ListQuery();
    q.from = P("a");
    q.to = P("posts/hello");
    row("range", q, S({"a-b", "a/b", "a0", "posts", "posts/*", "posts/a b/title"}));
    q.order = ListQuery::Order::Desc;
    row("range descending", q, S({"posts/a b/title", "posts/*", "posts", "a0", "a/b", "a-b"}));
    q.limit = 2;
    q.after = QStringLiteral("a0");
    row("range descending after a cursor", q, S({"a/b", "a-b"}));
    q.from = P("z");
    q.to = P("a");
    row("range from after to", q, QStringList());
    // Descending with a cursor.
    q = pattern("posts/**", 3);
    q.order = ListQuery::Order::Desc;
    q.after = QStringLiteral("posts/hello2/title");
    row("pattern descending after a cursor", q,
        S({"posts/hello/title", "posts/hello/body", "posts/a b/title"}));
}

void TestMirrorList::listKeys()
{
    QFETCH(ListQuery, query);
    QFETCH(QStringList, expected);
    QCOMPARE(keysOf(m_store, query), expected);
}

void TestMirrorList::listEntriesCarryValues()
{
    const auto page = m_store.list(pattern("users/*"));
    QVERIFY(page);
    QCOMPARE(page->entries.size(), 1);
    QCOMPARE(page->entries.at(0).path, P("users/alice"));
    QCOMPARE(page->entries.at(0).value, J("1"));
    QCOMPARE(page->entries.at(0).type, QStringLiteral("integer"));
    QCOMPARE(page->entries.at(0).revision, 9);
}

void TestMirrorList::listOrderCursorAndPaging()
{
    // Byte order of the rendered path: "a-b" < "a/b" < "a0", "posts/*" < "posts/a b".
    auto q = pattern("**", 4);
    auto page = m_store.list(q);
    QVERIFY(page);
    QCOMPARE(page->entries.size(), 4);
    QCOMPARE(page->nextCursor, QStringLiteral("posts"));
    QStringList all;
    for (const Entry &e : page->entries)
        all.append(e.path.rendered());
    while (!page->nextCursor.isEmpty()) {
        q.after = page->nextCursor;
        page = m_store.list(q);
        QVERIFY(page);
        QVERIFY(page->entries.size() <= 4);
        for (const Entry &e : page->entries)
            all.append(e.path.rendered());
    }
    QCOMPARE(all, allKeys());
    // The last page that ends exactly at the end has no cursor.
    page = m_store.list(pattern("users/**", 2));
    QVERIFY(page);
    QCOMPARE(page->nextCursor, QString());
}

void TestMirrorList::listKeysAndPrefixes()
{
    ListQuery q = pattern("**");
    q.select = ListQuery::Select::Prefixes;
    auto page = m_store.list(q);
    QVERIFY(page);
    QCOMPARE(page->paths, S({"a", "a-b", "a0", "posts", "users"}));
    q.pattern = QStringLiteral("posts/**");
    QCOMPARE(m_store.list(q)->paths,
             S({"posts/*", "posts/a b", "posts/hello", "posts/hello2", "posts/x~1y", "posts/é"}));
    // Paging over distinct prefixes, both directions, never repeating one.
    q.limit = 4;
    page = m_store.list(q);
    QCOMPARE(page->paths, S({"posts/*", "posts/a b", "posts/hello", "posts/hello2"}));
    QCOMPARE(page->nextCursor, QStringLiteral("posts/hello2"));
    q.after = page->nextCursor;
    page = m_store.list(q);
    QCOMPARE(page->paths, S({"posts/x~1y", "posts/é"}));
    QCOMPARE(page->nextCursor, QString());
    q.order = ListQuery::Order::Desc;
    q.after = QStringLiteral("posts/hello");
    QCOMPARE(m_store.list(q)->paths, S({"posts/a b", "posts/*"}));
}

void TestMirrorList::listErrors_data()
{
    QTest::addColumn<ListQuery>("query");
    QTest::addColumn<QString>("reason");
    auto row = [](const char *name, const ListQuery &q, const char *reason) {
        QTest::newRow(name) << q << QString::fromUtf8(reason);
    };
    ListQuery q;
    q.limit = 0;
    row("limit 0", q, "invalid_params");
    q.limit = 1001;
    row("limit 1001", q, "invalid_params");
    row("empty segment in the pattern", pattern("a//b"), "invalid_params");
    row("** not last", pattern("**/a"), "invalid_params");
    q = pattern("posts/*");
    q.from = P("a");
    q.to = P("b");
    row("pattern and range", q, "conflicting_params");
    q = ListQuery();
    q.from = P("a");
    row("from without to", q, "invalid_params");
    q = ListQuery();
    q.to = P("a");
    row("to without from", q, "invalid_params");
    q = ListQuery();
    q.from = P("a");
    q.to = P("b");
    q.select = ListQuery::Select::Prefixes;
    row("prefixes of a range", q, "unsupported_select");
    q = pattern("posts/*");
    q.select = ListQuery::Select::Prefixes;
    row("prefixes of a pattern without **", q, "invalid_pattern_for_prefixes");
    q = pattern("*/x/**");
    q.select = ListQuery::Select::Prefixes;
    row("prefixes of a pattern with *", q, "invalid_pattern_for_prefixes");
}

// Every refused listing is an InvalidParams error; the reason says which rule it broke.
void TestMirrorList::listErrors()
{
    QFETCH(ListQuery, query);
    QFETCH(QString, reason);
    const auto page = m_store.list(query);
    QVERIFY(!page);
    QCOMPARE(page.error().reason(), reason);
    QCOMPARE(page.error().kind(), Error::Kind::InvalidParams);
}

void TestMirrorList::listRandomAgainstReference()
{
    const quint32 seed = testSeed();
    RandomStore r(seed);
    Mirror m;
    MirrorReference ref;
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
        ListQuery q;
        q.limit = 1 + r.below(7);
        q.order = r.chance(40) ? ListQuery::Order::Desc : ListQuery::Order::Asc;
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
            q.select = r.chance(50) ? ListQuery::Select::Keys : ListQuery::Select::Entries;
        } else if (r.chance(30)) {
            // Prefixes of ** or <base>/**.
            QStringList base;
            const int depth = r.below(2);
            for (int i = 0; i < depth; ++i)
                base.append(r.segment());
            q.select = ListQuery::Select::Prefixes;
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
            q.select = r.chance(50) ? ListQuery::Select::Keys : ListQuery::Select::Entries;
        }
        if (q.descending())
            std::reverse(expected.begin(), expected.end());

        // Page through everything.
        QStringList got;
        for (int pageNo = 0; pageNo < 1000; ++pageNo) {
            const auto page = m.list(q);
            QVERIFY2(page, qPrintable(q.pattern + QLatin1Char(' ') +
                                      (page ? QString() : page.error().message())));
            const qsizetype n =
                q.select == ListQuery::Select::Entries ? page->entries.size() : page->paths.size();
            QVERIFY(n <= q.limit);
            if (!page->nextCursor.isEmpty())
                QCOMPARE(n, qsizetype(q.limit));
            if (q.select == ListQuery::Select::Entries) {
                for (const Entry &e : page->entries) {
                    got.append(e.path.rendered());
                    const MirrorReference::Leaf &leaf = ref.leaves.at(e.path.rendered().toUtf8());
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
                       << (q.to ? q.to->rendered() : QString()) << "desc" << q.descending()
                       << "limit" << q.limit;
        QCOMPARE(got, want);
    }
}

QTEST_GUILESS_MAIN(TestMirrorList)
#include "tst_mirror_list.moc"
