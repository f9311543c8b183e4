// HttpTransport's listings against a real dustlite on 127.0.0.1 (port 0): glob and range
// mode, keys and prefixes, paging both ways, and the parameters refused before any request.

#include "HttpTestSupport.h"

#include <QJsonObject>

using namespace httptest;
using namespace std::chrono_literals;

class TestHttpTransportListing : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void listSelectsKeysAndPrefixes();
    void listRangeMode();
    void listPagesThroughManyEntriesBothWays();
    void listRejectsBadQueries();

private:
    std::unique_ptr<HttpTransport> transport(const QString &token = kToken) const
    {
        return m_server.transport(token);
    }

    TestServer m_server;
};

void TestHttpTransportListing::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestHttpTransportListing::cleanupTestCase()
{
    m_server.stop();
}

void TestHttpTransportListing::listSelectsKeysAndPrefixes()
{
    auto http = transport();
    QList<BatchOp> ops;
    for (const QString &p :
         {QStringLiteral("ls/users/alice/name"), QStringLiteral("ls/users/alice/age"),
          QStringLiteral("ls/users/bob/name"), QStringLiteral("ls/users/carol"),
          QStringLiteral("ls/posts/1")})
        ops.append(BatchOp{Op::Set, path(p), p, std::nullopt});
    EXPECT_OK(await(http->batchWrite(store(), ops)));

    ListQuery options;
    options.limit = 100;
    const auto entries =
        await(http->list(store(), options.matching(QStringLiteral("ls/users/*/name"))));
    EXPECT_OK(entries);
    QCOMPARE(entries->entries.size(), 2);
    QCOMPARE(entries->entries.at(0).path.rendered(), QStringLiteral("ls/users/alice/name"));
    QCOMPARE(entries->entries.at(0).value, QJsonValue(QStringLiteral("ls/users/alice/name")));
    QVERIFY(entries->entries.at(0).revision > 0);
    QVERIFY(entries->nextCursor.isEmpty());

    options.select = ListQuery::Select::Keys;
    const auto keys = await(http->list(store(), options.matching(QStringLiteral("ls/**"))));
    EXPECT_OK(keys);
    QCOMPARE(keys->paths,
             (QStringList{QStringLiteral("ls/posts/1"), QStringLiteral("ls/users/alice/age"),
                          QStringLiteral("ls/users/alice/name"),
                          QStringLiteral("ls/users/bob/name"), QStringLiteral("ls/users/carol")}));
    QVERIFY(keys->entries.isEmpty());

    // Prefixes are de-duplicated within a page only; across pages that is the caller's job.
    options.select = ListQuery::Select::Prefixes;
    options.limit = 2;
    QStringList seen;
    QString cursor;
    int pages = 0;
    do {
        options.after = cursor;
        const auto page =
            await(http->list(store(), options.matching(QStringLiteral("ls/users/**"))));
        EXPECT_OK(page);
        for (const QString &prefix : page->paths) {
            if (!seen.contains(prefix))
                seen.append(prefix);
        }
        cursor = page->nextCursor;
        QVERIFY(++pages < 10);
    } while (!cursor.isEmpty());
    QCOMPARE(seen, (QStringList{QStringLiteral("ls/users/alice"), QStringLiteral("ls/users/bob"),
                                QStringLiteral("ls/users/carol")}));
}

void TestHttpTransportListing::listRangeMode()
{
    auto http = transport();
    QList<BatchOp> ops;
    for (const QString &p :
         {QStringLiteral("rg/a"), QStringLiteral("rg/b"), QStringLiteral("rg/b/x"),
          QStringLiteral("rg/c"), QStringLiteral("rg/d")})
        ops.append(BatchOp{Op::Set, path(p), 1, std::nullopt});
    EXPECT_OK(await(http->batchWrite(store(), ops)));
    ListQuery options;
    options.from = path(QStringLiteral("rg/b"));
    options.to = path(QStringLiteral("rg/d"));
    options.select = ListQuery::Select::Keys;
    const auto asc = await(http->list(store(), options));
    EXPECT_OK(asc);
    QCOMPARE(asc->paths, (QStringList{QStringLiteral("rg/b"), QStringLiteral("rg/b/x"),
                                      QStringLiteral("rg/c")}));
    options.order = ListQuery::Order::Desc;
    const auto desc = await(http->list(store(), options));
    EXPECT_OK(desc);
    QCOMPARE(desc->paths, (QStringList{QStringLiteral("rg/c"), QStringLiteral("rg/b/x"),
                                       QStringLiteral("rg/b")}));
}

void TestHttpTransportListing::listPagesThroughManyEntriesBothWays()
{
    auto http = transport();
    constexpr int total = 2500;
    for (int start = 0; start < total; start += 1000) {
        QList<BatchOp> ops;
        for (int i = start; i < qMin(total, start + 1000); ++i)
            ops.append(BatchOp{Op::Set,
                               path(QStringLiteral("many/k%1").arg(i, 5, 10, QLatin1Char('0'))), i,
                               std::nullopt});
        EXPECT_OK(await(http->batchWrite(store(), ops)));
    }
    for (const auto order : {ListQuery::Order::Asc, ListQuery::Order::Desc}) {
        ListQuery options;
        options.limit = 1000;
        options.order = order;
        QList<Entry> all;
        int pages = 0;
        do {
            const auto page =
                await(http->list(store(), options.matching(QStringLiteral("many/*"))));
            EXPECT_OK(page);
            all += page->entries;
            options.after = page->nextCursor;
            ++pages;
            QVERIFY(pages <= 4);
        } while (!options.after.isEmpty());
        QCOMPARE(all.size(), total);
        QCOMPARE(pages, 3);
        for (int i = 0; i < total; ++i) {
            const int expected = order == ListQuery::Order::Asc ? i : total - 1 - i;
            QCOMPARE(all.at(i).value.toInt(), expected);
        }
    }
}

void TestHttpTransportListing::listRejectsBadQueries()
{
    auto http = transport();
    ListQuery options;
    const auto badGlob = http->list(store(), options.matching(QStringLiteral("a/**/b"))).result();
    EXPECT_ERROR(badGlob, Error::Kind::InvalidParams);
    QCOMPARE(badGlob.error().reason(), QStringLiteral("invalid_params"));
    QCOMPARE(badGlob.error().detail(), QStringLiteral("pattern has empty segments"));
    EXPECT_ERROR(http->list(store(), options.matching(QStringLiteral("a//b"))).result(),
                 Error::Kind::InvalidParams);
    options.limit = 1001;
    EXPECT_ERROR(http->list(store(), options).result(), Error::Kind::InvalidParams);
    ListQuery half;
    half.from = path(QStringLiteral("a"));
    EXPECT_ERROR(http->list(store(), half).result(), Error::Kind::InvalidParams);
    half.to = path(QStringLiteral("b"));
    EXPECT_ERROR(http->list(store(), half.matching(QStringLiteral("**"))).result(),
                 Error::Kind::InvalidParams);

    // What the server would refuse is refused before it is sent, with the server's code.
    ListQuery prefixesInRange = half;
    prefixesInRange.select = ListQuery::Select::Prefixes;
    const auto unsupported = await(http->list(store(), prefixesInRange));
    EXPECT_ERROR(unsupported, Error::Kind::InvalidParams);
    QCOMPARE(unsupported.error().reason(), QStringLiteral("unsupported_select"));
    QCOMPARE(unsupported.error().httpStatus(), 0);
    ListQuery prefixes;
    prefixes.select = ListQuery::Select::Prefixes;
    const auto badPrefixes = await(http->list(store(), prefixes.matching(QStringLiteral("a/*"))));
    EXPECT_ERROR(badPrefixes, Error::Kind::InvalidParams);
    QCOMPARE(badPrefixes.error().reason(), QStringLiteral("invalid_pattern_for_prefixes"));
}

QTEST_GUILESS_MAIN(TestHttpTransportListing)
#include "tst_httptransport_listing.moc"
