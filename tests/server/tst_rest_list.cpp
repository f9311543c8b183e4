// Listing entries over REST (dust-protocol.md §4.3): defaults and shape, paging in both
// orders, globs and ranges, keys and prefixes, with the hosted server's quirks and bad
// parameters.

#include "RestTestFixture.h"

using namespace resttest;

class TestRestList : public RestSuite
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void listDefaultsAndShape();
    void listPagingBothOrders_data();
    void listPagingBothOrders();
    void listExactPatternListsNothing();
    void listGlobs();
    void listQueryPlusIsSpace();
    void listRange();
    void listKeys();
    void listPrefixesRepeatAcrossPages();
    void listParameterErrors_data();
    void listParameterErrors();
};

void TestRestList::init()
{
    startWith(standardConfig());
}

void TestRestList::cleanup()
{
    stop();
}

void TestRestList::listDefaultsAndShape()
{
    QCOMPARE(put("b", "2"), 1);
    QCOMPARE(put("a", R"({"x":"1"})"), 2);
    const HttpResult r = m_http->get(TestHttp::entries());
    QCOMPARE(r.status, 200);
    const QJsonArray items = r.object().value("items"_L1).toArray();
    QCOMPARE(items.size(), 2);
    QCOMPARE(items.at(0).toObject(),
             obj(R"({"path":"a/x","value":"1","type":"string","revision":2})"));
    QCOMPARE(items.at(1).toObject().value("path"_L1).toString(), QStringLiteral("b"));
    QVERIFY(r.object().contains("next_cursor"_L1));
    QVERIFY(r.object().value("next_cursor"_L1).isNull());
}

void TestRestList::listPagingBothOrders_data()
{
    QTest::addColumn<QByteArray>("order");
    QTest::newRow("asc") << QByteArray("asc");
    QTest::newRow("desc") << QByteArray("desc");
}

void TestRestList::listPagingBothOrders()
{
    QFETCH(QByteArray, order);
    QStringList expected;
    QJsonArray ops;
    for (int i = 0; i < 37; ++i) {
        const QString path = QStringLiteral("items/k%1").arg(i, 3, 10, QLatin1Char('0'));
        expected.append(path);
        ops.append(QJsonObject{{"op"_L1, "set"_L1}, {"path"_L1, path}, {"value"_L1, i}});
    }
    ops.append(QJsonObject{{"op"_L1, "set"_L1}, {"path"_L1, "other/x"_L1}, {"value"_L1, 1}});
    QCOMPARE(
        m_http
            ->post(TestHttp::entries("/batch_write"), TestHttp::json(QJsonObject{{"ops"_L1, ops}}))
            .status,
        200);
    if (order == "desc")
        std::reverse(expected.begin(), expected.end());

    int pages = 0;
    const QJsonArray all =
        listAll(*m_http, "pattern=items/*&select=keys&limit=10&order=" + order, &pages);
    QCOMPARE(pages, 4);
    QStringList got;
    for (const QJsonValue &item : all)
        got.append(item.toString());
    QCOMPARE(got, expected);

    // The cursor is the last item of the page; entries mode pages the same way.
    const HttpResult first =
        m_http->get(TestHttp::entries("?pattern=items/**&limit=5&order=" + order));
    const QJsonArray items = first.object().value("items"_L1).toArray();
    QCOMPARE(items.size(), 5);
    QCOMPARE(first.object().value("next_cursor"_L1).toString(),
             items.last().toObject().value("path"_L1).toString());
}

void TestRestList::listExactPatternListsNothing()
{
    QCOMPARE(put("config/theme", "\"dark\""), 1);
    HttpResult r = m_http->get(TestHttp::entries("?pattern=config/theme"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("items"_L1).toArray().size(), 0);
    r = m_http->get(TestHttp::entries("?pattern=config/*"));
    QCOMPARE(r.object().value("items"_L1).toArray().size(), 1);
}

void TestRestList::listGlobs()
{
    const QByteArray ops = R"({"ops":[{"op":"set","path":"posts","value":0},
                                     {"op":"set","path":"posts/hello/title","value":"t"},
                                     {"op":"set","path":"posts/hello2","value":1},
                                     {"op":"set","path":"x/*","value":"star"},
                                     {"op":"set","path":"x/y","value":"y"}]})";
    QCOMPARE(m_http->post(TestHttp::entries("/batch_write"), ops).status, 200);
    const auto keys = [this](const QByteArray &pattern) {
        QStringList out;
        const HttpResult r =
            m_http->get(TestHttp::entries("?select=keys&limit=1000&pattern=" + pattern));
        for (const QJsonValue &v : r.object().value("items"_L1).toArray())
            out.append(v.toString());
        return out;
    };
    QCOMPARE(keys("posts/*"), (strs({"posts/hello2"})));
    QCOMPARE(keys("posts/**"), (strs({"posts/hello/title", "posts/hello2"})));
    QCOMPARE(keys("*"), (strs({"posts"})));
    QCOMPARE(keys("x/%5C*"), (strs({"x/*"})));
    QCOMPARE(keys("x/*"), (strs({"x/*", "x/y"})));
    QCOMPARE(keys("*/hello/*"), (strs({"posts/hello/title"})));
}

void TestRestList::listQueryPlusIsSpace()
{
    QCOMPARE(put("a%20b/x", "1"), 1);
    QCOMPARE(put("a%2Bb/y", "2"), 2);
    const auto keys = [this](const QByteArray &pattern) {
        QStringList out;
        const HttpResult r = m_http->get(TestHttp::entries("?select=keys&pattern=" + pattern));
        for (const QJsonValue &v : r.object().value("items"_L1).toArray())
            out.append(v.toString());
        return out;
    };
    QCOMPARE(keys("a+b/*"), (strs({"a b/x"})));
    QCOMPARE(keys("a%20b/*"), (strs({"a b/x"})));
    QCOMPARE(keys("a%2Bb/*"), (strs({"a+b/y"})));
    QCOMPARE(keys("a%2bb/*"), (strs({"a+b/y"})));
}

void TestRestList::listRange()
{
    for (const QByteArray p :
         {"logs/2026-04-01", "logs/2026-04-02", "logs/2026-04-03", "logs/2026-05-01"})
        QVERIFY(put(p, "1") > 0);
    HttpResult r =
        m_http->get(TestHttp::entries("?from=logs/2026-04-02&to=logs/2026-05-01&select=keys"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value("items"_L1).toArray(),
             arr(R"(["logs/2026-04-02","logs/2026-04-03"])"));
    r = m_http->get(TestHttp::entries("?from=logs/2026-04-01&to=logs/2026-05-02&limit=2"));
    QCOMPARE(r.object().value("items"_L1).toArray().size(), 2);
    QCOMPARE(r.object().value("next_cursor"_L1).toString(), QStringLiteral("logs/2026-04-02"));
    r = m_http->get(TestHttp::entries(
        "?from=logs/2026-04-01&to=logs/2026-05-02&limit=2&after=logs/2026-04-02"));
    QCOMPARE(r.object().value("items"_L1).toArray().at(0).toObject().value("path"_L1).toString(),
             QStringLiteral("logs/2026-04-03"));
}

void TestRestList::listKeys()
{
    QCOMPARE(put("k/a", "1"), 1);
    QCOMPARE(put("k/b", R"({"c":1})"), 2);
    const HttpResult r = m_http->get(TestHttp::entries("?pattern=k/**&select=keys"));
    QCOMPARE(r.object().value("items"_L1).toArray(), arr(R"(["k/a","k/b/c"])"));
}

void TestRestList::listPrefixesRepeatAcrossPages()
{
    const QByteArray ops = R"({"ops":[{"op":"set","path":"users/a/x","value":1},
                                     {"op":"set","path":"users/a/y","value":1},
                                     {"op":"set","path":"users/a/z","value":1},
                                     {"op":"set","path":"users/b/x","value":1},
                                     {"op":"set","path":"zeta","value":1}]})";
    QCOMPARE(m_http->post(TestHttp::entries("/batch_write"), ops).status, 200);
    const QJsonArray all = listAll(*m_http, "pattern=users/**&select=prefixes&limit=2");
    QStringList seen;
    for (const QJsonValue &v : all)
        seen.append(v.toString());
    // Prefixes come from pages of entries and repeat across pages: clients de-duplicate.
    QVERIFY2(seen.count("users/a"_L1) >= 2, qPrintable(seen.join(u',')));
    seen.removeDuplicates();
    QCOMPARE(seen, (strs({"users/a", "users/b"})));

    const HttpResult top = m_http->get(TestHttp::entries("?select=prefixes"));
    QCOMPARE(top.status, 200);
    QCOMPARE(top.object().value("items"_L1).toArray(), arr(R"(["users","zeta"])"));
}

void TestRestList::listParameterErrors_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("detail");
    const QString invalid = QStringLiteral("invalid_params");
    QTest::newRow("empty pattern")
        << QByteArray("pattern=") << invalid << str("pattern must be a non-empty string");
    QTest::newRow("empty segment")
        << QByteArray("pattern=a//b") << invalid << str("pattern has empty segments");
    QTest::newRow("many not tail")
        << QByteArray("pattern=a/**/b") << invalid << str("pattern has empty segments");
    QTest::newRow("bad escape") << QByteArray("pattern=a~2") << invalid
                                << str("pattern has empty segments");
    QTest::newRow("pattern and range")
        << QByteArray("pattern=**&from=a&to=b") << str("conflicting_params")
        << str("use either pattern or from/to, not both");
    QTest::newRow("from alone") << QByteArray("from=a") << invalid << str("from requires to");
    QTest::newRow("to alone") << QByteArray("to=b") << invalid << str("to requires from");
    QTest::newRow("limit 0") << QByteArray("limit=0") << invalid << str("limit must be 1..1000");
    QTest::newRow("limit 1001") << QByteArray("limit=1001") << invalid
                                << str("limit must be 1..1000");
    QTest::newRow("limit text") << QByteArray("limit=ten") << invalid
                                << str("limit must be 1..1000");
    QTest::newRow("limit negative")
        << QByteArray("limit=-5") << invalid << str("limit must be 1..1000");
    QTest::newRow("order") << QByteArray("order=up") << invalid << QString();
    QTest::newRow("select") << QByteArray("select=values") << invalid << QString();
    QTest::newRow("prefixes bad pattern") << QByteArray("select=prefixes&pattern=users/*")
                                          << str("invalid_pattern_for_prefixes") << QString();
    QTest::newRow("prefixes wildcard base") << QByteArray("select=prefixes&pattern=*/**")
                                            << str("invalid_pattern_for_prefixes") << QString();
    QTest::newRow("prefixes range")
        << QByteArray("select=prefixes&from=a&to=b") << str("unsupported_select")
        << str("select=prefixes not supported for range");
    QTest::newRow("bad from") << QByteArray("from=a//b&to=c") << invalid << QString();
}

void TestRestList::listParameterErrors()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, error);
    QFETCH(QString, detail);
    const HttpResult r = m_http->get(TestHttp::entries("?" + query));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error(), error);
    if (!detail.isEmpty())
        QCOMPARE(r.detail(), detail);
    else
        QVERIFY(!r.detail().isEmpty());
}

QTEST_GUILESS_MAIN(TestRestList)
#include "tst_rest_list.moc"
