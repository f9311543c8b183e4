#include "protocol/Listing.h"

#include <QTest>

using dust::AuditQuery;
using dust::ListQuery;
using dust::QueryItems;

Q_DECLARE_METATYPE(QueryItems)
Q_DECLARE_METATYPE(dust::ListQuery)

namespace {

dust::Path path(const char *rendered)
{
    return *dust::Path::parse(QString::fromUtf8(rendered));
}

QueryItems items(std::initializer_list<std::pair<const char *, const char *>> list)
{
    QueryItems out;
    for (const auto &[key, value] : list)
        out.append({QString::fromUtf8(key), QString::fromUtf8(value)});
    return out;
}

ListQuery with(void (*set)(ListQuery &))
{
    ListQuery query;
    set(query);
    return query;
}

bool sameQuery(const ListQuery &a, const ListQuery &b)
{
    return a.pattern == b.pattern && a.from == b.from && a.to == b.to && a.limit == b.limit &&
           a.order == b.order && a.select == b.select && a.after == b.after;
}

} // namespace

class TestListing : public QObject
{
    Q_OBJECT

private slots:
    void validateList_data();
    void validateList();
    void parseList_data();
    void parseList();
    void itemsRoundTrip_data();
    void itemsRoundTrip();
    void parseAudit_data();
    void parseAudit();
    void auditItemsRoundTrip();
};

// Each rule once, with the server's error code and the hosted server's words (§4.3).
void TestListing::validateList_data()
{
    QTest::addColumn<ListQuery>("query");
    QTest::addColumn<QString>("reason"); // empty = valid
    QTest::addColumn<QString>("detail");

    auto row = [](const char *name, ListQuery q, const char *reason, const char *detail) {
        QTest::newRow(name) << q << QString::fromUtf8(reason) << QString::fromUtf8(detail);
    };
    row("defaults", ListQuery{}, "", "");
    row("pattern", with([](ListQuery &q) { q.pattern = QStringLiteral("users/*/name"); }), "", "");
    row("range", with([](ListQuery &q) {
            q.from = path("a");
            q.to = path("b");
        }),
        "", "");
    row("limit 1000", with([](ListQuery &q) { q.limit = 1000; }), "", "");
    row("limit 0", with([](ListQuery &q) { q.limit = 0; }), "invalid_params",
        "limit must be 1..1000");
    row("limit 1001", with([](ListQuery &q) { q.limit = 1001; }), "invalid_params",
        "limit must be 1..1000");
    row("pattern and range", with([](ListQuery &q) {
            q.pattern = QStringLiteral("a/**");
            q.from = path("a");
            q.to = path("b");
        }),
        "conflicting_params", "use either pattern or from/to, not both");
    row("from alone", with([](ListQuery &q) { q.from = path("a"); }), "invalid_params",
        "from requires to");
    row("to alone", with([](ListQuery &q) { q.to = path("b"); }), "invalid_params",
        "to requires from");
    row("invalid from", with([](ListQuery &q) {
            q.from = dust::Path();
            q.to = path("b");
        }),
        "invalid_params", "from must be a valid path");
    row("bad glob", with([](ListQuery &q) { q.pattern = QStringLiteral("a//b"); }),
        "invalid_params", "pattern has empty segments");
    row("** not last", with([](ListQuery &q) { q.pattern = QStringLiteral("**/a"); }),
        "invalid_params", "pattern has empty segments");
    row("prefixes of **", with([](ListQuery &q) { q.select = ListQuery::Select::Prefixes; }), "",
        "");
    row("prefixes of base/**", with([](ListQuery &q) {
            q.pattern = QStringLiteral("users/alice/**");
            q.select = ListQuery::Select::Prefixes;
        }),
        "", "");
    row("prefixes of a/*/**", with([](ListQuery &q) {
            q.pattern = QStringLiteral("a/*/**");
            q.select = ListQuery::Select::Prefixes;
        }),
        "invalid_pattern_for_prefixes", "select=prefixes needs the pattern ** or <base>/**");
    row("prefixes of range", with([](ListQuery &q) {
            q.from = path("a");
            q.to = path("b");
            q.select = ListQuery::Select::Prefixes;
        }),
        "unsupported_select", "select=prefixes not supported for range");
}

void TestListing::validateList()
{
    QFETCH(ListQuery, query);
    QFETCH(QString, reason);
    QFETCH(QString, detail);
    const auto error = dust::validateListQuery(query);
    if (reason.isEmpty()) {
        QVERIFY2(!error, qPrintable(error ? error->message() : QString()));
        return;
    }
    QVERIFY(error);
    QCOMPARE(error->kind(), dust::Error::Kind::InvalidParams);
    QCOMPARE(error->reason(), reason);
    QCOMPARE(error->detail(), detail);
}

// What the server reads from a request's query string, including the words it cannot read.
void TestListing::parseList_data()
{
    QTest::addColumn<QueryItems>("input");
    QTest::addColumn<QString>("detail"); // empty = parses
    QTest::addColumn<ListQuery>("expected");

    auto ok = [](const char *name, QueryItems in, ListQuery q) {
        QTest::newRow(name) << in << QString() << q;
    };
    auto bad = [](const char *name, QueryItems in, const char *detail) {
        QTest::newRow(name) << in << QString::fromUtf8(detail) << ListQuery{};
    };
    ok("nothing", {}, ListQuery{});
    ok("everything",
       items({{"pattern", "a/**"},
              {"limit", "7"},
              {"order", "desc"},
              {"select", "keys"},
              {"after", "a/x"}}),
       with([](ListQuery &q) {
           q.pattern = QStringLiteral("a/**");
           q.limit = 7;
           q.order = ListQuery::Order::Desc;
           q.select = ListQuery::Select::Keys;
           q.after = QStringLiteral("a/x");
       }));
    ok("range", items({{"from", "a"}, {"to", "a~1b"}}), with([](ListQuery &q) {
           q.from = path("a");
           q.to = path("a~1b");
       }));
    ok("empty after is no cursor", items({{"after", ""}}), ListQuery{});
    bad("empty pattern", items({{"pattern", ""}}), "pattern must be a non-empty string");
    bad("limit word", items({{"limit", "ten"}}), "limit must be 1..1000");
    bad("limit negative", items({{"limit", "-1"}}), "limit must be 1..1000");
    bad("limit exponent", items({{"limit", "1e3"}}), "limit must be 1..1000");
    bad("limit huge", items({{"limit", "99999999999"}}), "limit must be 1..1000");
    bad("limit zero", items({{"limit", "0"}}), "limit must be 1..1000");
    bad("order", items({{"order", "up"}}), "order must be asc or desc");
    bad("select", items({{"select", "all"}}), "select must be entries, keys or prefixes");
    bad("from alone", items({{"from", "a"}}), "from requires to");
    bad("to alone", items({{"to", "a"}}), "to requires from");
    bad("both modes", items({{"pattern", "**"}, {"from", "a"}, {"to", "b"}}),
        "use either pattern or from/to, not both");
    bad("bad from", items({{"from", "a//b"}, {"to", "c"}}),
        "from must be a valid path: path cannot contain empty segments");
    bad("bad to", items({{"from", "a"}, {"to", "c~2"}}),
        "to must be a valid path: invalid_escape: '~' must be followed by 0 or 1");
    bad("bad glob", items({{"pattern", "a/**/b"}}), "pattern has empty segments");
}

void TestListing::parseList()
{
    QFETCH(QueryItems, input);
    QFETCH(QString, detail);
    QFETCH(ListQuery, expected);
    const auto parsed = dust::parseListQuery(input);
    if (!detail.isEmpty()) {
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().detail(), detail);
        return;
    }
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message()));
    QVERIFY(sameQuery(*parsed, expected));
}

// What the client sends is what the server reads back.
void TestListing::itemsRoundTrip_data()
{
    QTest::addColumn<ListQuery>("query");
    QTest::newRow("defaults") << ListQuery{};
    QTest::newRow("pattern, desc, prefixes") << with([](ListQuery &q) {
        q.pattern = QStringLiteral("users/**");
        q.limit = 1000;
        q.order = ListQuery::Order::Desc;
        q.select = ListQuery::Select::Prefixes;
        q.after = QStringLiteral("users/b");
    });
    QTest::newRow("range, keys") << with([](ListQuery &q) {
        q.from = path("a/~0x");
        q.to = path("a/z");
        q.limit = 1;
        q.select = ListQuery::Select::Keys;
    });
}

void TestListing::itemsRoundTrip()
{
    QFETCH(ListQuery, query);
    const auto parsed = dust::parseListQuery(dust::listQueryItems(query));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message()));
    QVERIFY(sameQuery(*parsed, query));
}

void TestListing::parseAudit_data()
{
    QTest::addColumn<QueryItems>("input");
    QTest::addColumn<QString>("detail");
    QTest::newRow("nothing") << QueryItems{} << QString();
    QTest::newRow("glob path") << items({{"path", "users/**"}, {"page", "3"}}) << QString();
    QTest::newRow("bad path") << items({{"path", "a//b"}})
                              << QStringLiteral("path must be a valid path or pattern");
    QTest::newRow("limit 0") << items({{"limit", "0"}}) << QStringLiteral("limit must be 1..1000");
    QTest::newRow("limit 1001") << items({{"limit", "1001"}})
                                << QStringLiteral("limit must be 1..1000");
    QTest::newRow("page 0") << items({{"page", "0"}})
                            << QStringLiteral("page must be a positive integer");
    QTest::newRow("page word") << items({{"page", "next"}})
                               << QStringLiteral("page must be a positive integer");
}

void TestListing::parseAudit()
{
    QFETCH(QueryItems, input);
    QFETCH(QString, detail);
    const auto parsed = dust::parseAuditQuery(input);
    if (detail.isEmpty()) {
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message()));
        return;
    }
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().reason(), QStringLiteral("invalid_params"));
    QCOMPARE(parsed.error().detail(), detail);
}

void TestListing::auditItemsRoundTrip()
{
    AuditQuery query;
    query.path = QStringLiteral("users/*");
    query.deviceId = QStringLiteral("laptop");
    query.op = QStringLiteral("set");
    query.since = QStringLiteral("2026-01-01T00:00:00Z");
    query.limit = 20;
    query.page = 4;
    const auto parsed = dust::parseAuditQuery(dust::auditQueryItems(query));
    QVERIFY(parsed);
    QCOMPARE(parsed->path, query.path);
    QCOMPARE(parsed->deviceId, query.deviceId);
    QCOMPARE(parsed->op, query.op);
    QCOMPARE(parsed->since, query.since);
    QCOMPARE(parsed->limit, query.limit);
    QCOMPARE(parsed->page, query.page);
}

QTEST_APPLESS_MAIN(TestListing)
#include "tst_listing.moc"
