// StoreTreeModel in HTTP mode against a real dustlite on 127.0.0.1 (port 0): lazy children
// through REST listings, prefixes repeated across pages, loading state, errors on the node.

#include "StoreTreeTestUtil.h"

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "model/StoreTreeModel.h"
#include "protocol/Values.h"
#include "transport/HttpTransport.h"

#include <QAbstractItemModelTester>
#include <QFutureWatcher>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace dust;
using namespace dust::test;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");

using dust::test::await;

// Loads the whole tree the way a user expanding everything would: fetchMore where
// possible, data() on every row (which looks into values that may be folders too), until
// nothing is loading any more.
bool expandAll(StoreTreeModel &model)
{
    for (int round = 0; round < 200; ++round) {
        bool busy = false;
        std::vector<QModelIndex> stack{QModelIndex()};
        while (!stack.empty()) {
            const QModelIndex parent = stack.back();
            stack.pop_back();
            if (model.canFetchMore(parent))
                model.fetchMore(parent);
            if (model.isLoading(parent))
                busy = true;
            for (int r = 0; r < model.rowCount(parent); ++r) {
                const QModelIndex child = model.index(r, 0, parent);
                child.data(); // looks for children of values, once
                model.hasChildren(child);
                stack.push_back(child);
            }
        }
        if (!busy && model.requestCount() > 0) {
            // Settle: anything started by the pass above (probes, loads) must finish too.
            const int before = model.requestCount();
            QTest::qWait(50);
            if (model.requestCount() == before && !model.isLoading())
                return true;
        } else {
            QTest::qWait(10);
        }
    }
    return false;
}

} // namespace

class TestStoreTreeModelHttp : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void rootLoadsLazily();
    void wholeTreeMatchesTheStore_data();
    void wholeTreeMatchesTheStore();
    void repeatedPrefixesAreDeduplicated();
    void valueThatIsAlsoAFolder();
    void errorIsShownOnTheNode();
    void reloadListsAgain();
    void filterAppliesToLoadedRows();

private:
    void seed(const QList<std::pair<QString, QJsonValue>> &leaves);
    // Everything in the store, read with plain listings (not through the model).
    RefStore storeContent();

    std::unique_ptr<InProcessDustlite> m_server;
    std::unique_ptr<HttpTransport> m_http;
};

void TestStoreTreeModelHttp::init()
{
    m_server = std::make_unique<InProcessDustlite>();
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_http = std::make_unique<HttpTransport>(m_server->baseUrl(), kToken);
}

void TestStoreTreeModelHttp::cleanup()
{
    m_http.reset();
    m_server.reset();
}

void TestStoreTreeModelHttp::seed(const QList<std::pair<QString, QJsonValue>> &leaves)
{
    QList<std::pair<Path, QJsonValue>> parsed;
    for (const auto &[p, v] : leaves)
        parsed.append({mkpath(p), v});
    lite::StoreDb *db = m_server->store(kStore);
    QVERIFY(db);
    QVERIFY(db->bulkSet(parsed, QStringLiteral("dev_test")) > 0);
}

RefStore TestStoreTreeModelHttp::storeContent()
{
    RefStore ref;
    ListQuery options;
    options.limit = 1000;
    for (;;) {
        const auto page = await(m_http->list(kStore, options.matching(QStringLiteral("**"))));
        if (!page)
            qFatal("listing failed: %s", qPrintable(page.error().message()));
        for (const Entry &e : page->entries)
            ref.leaves[e.path.rendered()] =
                RefLeaf{e.path.segments(), e.type, values::preview(e.value, 80), e.revision};
        if (page->nextCursor.isEmpty())
            break;
        options.after = page->nextCursor;
    }
    return ref;
}

void TestStoreTreeModelHttp::rootLoadsLazily()
{
    QList<std::pair<QString, QJsonValue>> leaves = {
        {QStringLiteral("config"), QStringLiteral("on")},
        {QStringLiteral("users/alice/name"), QStringLiteral("Alice")},
        {QStringLiteral("users/alice/age"), 42},
        {QStringLiteral("users/bob/name"), QStringLiteral("Bob")},
    };
    for (int i = 1; i <= 12; ++i)
        leaves.append({QStringLiteral("items/item%1").arg(i), i});
    seed(leaves);

    StoreTreeModel model;
    model.setHttpSource(m_http.get(), kStore);
    QCOMPARE(model.source(), StoreTreeModel::Source::Http);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.hasChildren());
    QVERIFY(model.canFetchMore({}));

    QSignalSpy loading(&model, &StoreTreeModel::loadingChanged);
    model.fetchMore({});
    QVERIFY(model.isLoading());
    QVERIFY(!model.canFetchMore({})); // no second load while one runs
    // From here on the tester watches (it also fetches whatever it can).
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY(!model.isLoading());
    QList<bool> rootStates; // the tester loads folders too: keep the root's signals
    for (const auto &args : loading) {
        if (!args.at(0).value<QModelIndex>().isValid())
            rootStates.append(args.at(1).toBool());
    }
    QCOMPARE(rootStates, (QList<bool>{true, false}));
    QCOMPARE(childNames(model), (QStringList{QStringLiteral("config"), QStringLiteral("items"),
                                             QStringLiteral("users")}));

    const QModelIndex config = model.index(mkpath(QStringLiteral("config")));
    QVERIFY(config.data(StoreTreeModel::HasValueRole).toBool());
    QCOMPARE(config.siblingAtColumn(StoreTreeModel::ValueColumn).data().toString(),
             QStringLiteral("on"));
    QCOMPARE(config.siblingAtColumn(StoreTreeModel::TypeColumn).data().toString(),
             QStringLiteral("string"));
    QVERIFY(config.data(StoreTreeModel::RevisionRole).toLongLong() > 0);

    const QModelIndex items = model.index(mkpath(QStringLiteral("items")));
    QVERIFY(!items.data(StoreTreeModel::HasValueRole).toBool());
    QVERIFY(model.hasChildren(items));
    // The tester fetched it already when the row appeared: loading, then rows.
    QVERIFY(!model.canFetchMore(items));
    QTRY_VERIFY(!items.data(StoreTreeModel::LoadingRole).toBool());
    QStringList expected;
    for (int i = 1; i <= 12; ++i)
        expected.append(QStringLiteral("item%1").arg(i));
    QCOMPARE(childNames(model, items), expected); // natural order, not the server's
    QCOMPARE(model.index(mkpath(QStringLiteral("items/item10")), 2).data().toString(),
             QStringLiteral("10"));
    QVERIFY(!model.canFetchMore(items));
    QVERIFY(items.data(StoreTreeModel::ErrorRole).toString().isEmpty());
}

void TestStoreTreeModelHttp::wholeTreeMatchesTheStore_data()
{
    QTest::addColumn<int>("pageLimit");
    QTest::addColumn<bool>("skip");
    QTest::newRow("limit-1000") << 1000 << true;
    QTest::newRow("limit-3") << 3 << false;
    QTest::newRow("limit-3-skip") << 3 << true;
    QTest::newRow("limit-1") << 1 << false;
}

void TestStoreTreeModelHttp::wholeTreeMatchesTheStore()
{
    QFETCH(int, pageLimit);
    QFETCH(bool, skip);
    QList<std::pair<QString, QJsonValue>> leaves;
    for (int u = 0; u < 6; ++u) {
        leaves.append({QStringLiteral("users/u%1/name").arg(u), QStringLiteral("n%1").arg(u)});
        leaves.append({QStringLiteral("users/u%1/tags/t1").arg(u), u});
        leaves.append({QStringLiteral("users/u%1/tags/t2").arg(u), true});
    }
    leaves.append({QStringLiteral("a"), 1});
    leaves.append({QStringLiteral("a.b/c"), 2}); // sorts between "a" and "a/…" byte-wise
    leaves.append({QStringLiteral("a/x"), 3});   // "a" is a value and a folder
    leaves.append({QStringLiteral("files/image~1logo"), QStringLiteral("png")});
    leaves.append({QStringLiteral("hello world/x y"), QStringLiteral("space")});
    leaves.append({QStringLiteral("plus+sign/v"), 1.5});
    seed(leaves);
    const RefStore ref = storeContent();
    QCOMPARE(ref.leaves.size(), size_t(leaves.size()));

    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPageLimit(pageLimit);
    model.setSkipListedSubtrees(skip);
    model.setHttpSource(m_http.get(), kStore);
    QVERIFY(expandAll(model));
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
    QCOMPARE(model.leafCount(), qsizetype(leaves.size()));
    qInfo("%d requests", model.requestCount());
}

void TestStoreTreeModelHttp::repeatedPrefixesAreDeduplicated()
{
    // Five children with many descendants each: with two entries per page the server
    // returns the same prefix page after page.
    QList<std::pair<QString, QJsonValue>> leaves;
    for (int c = 1; c <= 5; ++c)
        for (int k = 0; k < 6; ++k)
            leaves.append({QStringLiteral("f/c%1/k%2").arg(c).arg(k), k});
    seed(leaves);

    // What the server does: the same prefix on several pages.
    ListQuery options;
    options.limit = 2;
    options.select = ListQuery::Select::Prefixes;
    QStringList raw;
    for (;;) {
        const auto page = await(m_http->list(kStore, options.matching(QStringLiteral("f/**"))));
        QVERIFY(page);
        raw += page->paths;
        if (page->nextCursor.isEmpty())
            break;
        options.after = page->nextCursor;
    }
    QVERIFY(raw.size() > 5);
    QCOMPARE(raw.count(QStringLiteral("f/c1")), 3);

    int plainRequests = 0;
    for (const bool skip : {false, true}) {
        StoreTreeModel model; // no tester: it would load more than the request count is about
        model.setPageLimit(2);
        model.setSkipListedSubtrees(skip);
        model.setHttpSource(m_http.get(), kStore);
        model.fetchMore({});
        QTRY_VERIFY(!model.isLoading());
        const QModelIndex f = model.index(mkpath(QStringLiteral("f")));
        QVERIFY(f.isValid());
        const int before = model.requestCount();
        model.fetchMore(f);
        QTRY_VERIFY(!model.isLoading(f));
        QCOMPARE(childNames(model, f),
                 (QStringList{QStringLiteral("c1"), QStringLiteral("c2"), QStringLiteral("c3"),
                              QStringLiteral("c4"), QStringLiteral("c5")}));
        for (int r = 0; r < 5; ++r) {
            const QModelIndex c = model.index(r, 0, f);
            QVERIFY(!c.data(StoreTreeModel::HasValueRole).toBool());
            QVERIFY(c.data(StoreTreeModel::HasChildrenRole).toBool());
        }
        const int requests = model.requestCount() - before;
        if (!skip)
            plainRequests = requests;
        else
            QVERIFY2(requests < plainRequests,
                     qPrintable(QStringLiteral("%1 vs %2").arg(requests).arg(plainRequests)));
    }
}

void TestStoreTreeModelHttp::valueThatIsAlsoAFolder()
{
    seed({{QStringLiteral("both"), 1},
          {QStringLiteral("both/child"), 2},
          {QStringLiteral("leaf"), 3}});
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHttpSource(m_http.get(), kStore);
    model.fetchMore({});
    QTRY_VERIFY(!model.isLoading());
    const QPersistentModelIndex both(model.index(mkpath(QStringLiteral("both"))));
    const QPersistentModelIndex leaf(model.index(mkpath(QStringLiteral("leaf"))));
    QVERIFY(both.data(StoreTreeModel::HasValueRole).toBool());
    // Showing the row looks for children below the value; they appear as rows.
    both.data();
    leaf.data();
    QTRY_COMPARE(model.rowCount(both), 1);
    QCOMPARE(model.index(0, 0, both).data().toString(), QStringLiteral("child"));
    QVERIFY(model.hasChildren(both));
    QTRY_VERIFY(!model.isLoading(both));
    QTest::qWait(50);
    QVERIFY(!model.hasChildren(leaf));
    QVERIFY(!model.canFetchMore(leaf));
}

void TestStoreTreeModelHttp::errorIsShownOnTheNode()
{
    seed({{QStringLiteral("a/b"), 1}, {QStringLiteral("c/d"), 2}});
    StoreTreeModel model; // no tester here: it would load "a" before the server goes
    model.setHttpSource(m_http.get(), kStore);
    model.fetchMore({});
    QTRY_VERIFY(!model.isLoading());
    QCOMPARE(model.rowCount(), 2);

    m_server->stop(); // the server is gone
    const QModelIndex a = model.index(mkpath(QStringLiteral("a")));
    QSignalSpy failed(&model, &StoreTreeModel::loadFailed);
    model.fetchMore(a);
    QVERIFY(failed.wait(20000));
    QCOMPARE(failed.at(0).at(0).value<QModelIndex>(), a);
    QVERIFY(!a.data(StoreTreeModel::LoadingRole).toBool());
    const QString error = a.data(StoreTreeModel::ErrorRole).toString();
    QVERIFY(!error.isEmpty());
    QVERIFY(a.siblingAtColumn(StoreTreeModel::ValueColumn)
                .data()
                .toString()
                .startsWith(QStringLiteral("Error")));
    QCOMPARE(a.data(Qt::ToolTipRole).toString(), error);
    QCOMPARE(model.errorText(a), error);
    QCOMPARE(model.rowCount(a), 0);
    QVERIFY(!model.canFetchMore(a)); // no retry storm: reload() retries
    failed.clear();
    model.reload(a);
    QVERIFY(a.data(StoreTreeModel::LoadingRole).toBool());
    QVERIFY(a.data(StoreTreeModel::ErrorRole).toString().isEmpty());
    QVERIFY(failed.wait(20000));
    QVERIFY(!a.data(StoreTreeModel::ErrorRole).toString().isEmpty());
    // The rest of the tree is unaffected.
    QVERIFY(model.index(mkpath(QStringLiteral("c")))
                .data(StoreTreeModel::ErrorRole)
                .toString()
                .isEmpty());
}

void TestStoreTreeModelHttp::reloadListsAgain()
{
    seed({{QStringLiteral("r/one"), 1}});
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHttpSource(m_http.get(), kStore);
    model.fetchMore({});
    QTRY_VERIFY(!model.isLoading());
    const QPersistentModelIndex r(model.index(mkpath(QStringLiteral("r"))));
    model.fetchMore(r);
    QTRY_VERIFY(!model.isLoading(r));
    QCOMPARE(childNames(model, r), QStringList{QStringLiteral("one")});

    seed({{QStringLiteral("r/two"), 2}, {QStringLiteral("r/three"), 3}});
    model.reload(r);
    QVERIFY(model.isLoading(r));
    QTRY_VERIFY(!model.isLoading(r));
    QCOMPARE(childNames(model, r),
             (QStringList{QStringLiteral("one"), QStringLiteral("three"), QStringLiteral("two")}));

    model.reload();
    QTRY_VERIFY(!model.isLoading());
    QCOMPARE(childNames(model), QStringList{QStringLiteral("r")});
}

void TestStoreTreeModelHttp::filterAppliesToLoadedRows()
{
    seed({{QStringLiteral("users/alice/name"), QStringLiteral("A")},
          {QStringLiteral("users/bob/name"), QStringLiteral("B")},
          {QStringLiteral("teams/alpha"), 1}});
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHttpSource(m_http.get(), kStore);
    QVERIFY(expandAll(model));
    QSignalSpy applied(&model, &StoreTreeModel::filterApplied);
    model.setFilter(TreeFilter::substring(QStringLiteral("al")));
    QVERIFY(applied.wait(10000));
    QCOMPARE(childNames(model), (QStringList{QStringLiteral("teams"), QStringLiteral("users")}));
    QCOMPARE(childNames(model, model.index(mkpath(QStringLiteral("users")))),
             QStringList{QStringLiteral("alice")});

    // Rows loaded while filtering are filtered too.
    seed({{QStringLiteral("users/alan/name"), QStringLiteral("Al")},
          {QStringLiteral("users/carl/name"), QStringLiteral("C")}});
    model.reload(model.index(mkpath(QStringLiteral("users"))));
    QTRY_COMPARE(childNames(model, model.index(mkpath(QStringLiteral("users")))),
                 (QStringList{QStringLiteral("alan"), QStringLiteral("alice")}));
    QVERIFY(expandAll(model));
    QCOMPARE(childNames(model, model.index(mkpath(QStringLiteral("users")))),
             (QStringList{QStringLiteral("alan"), QStringLiteral("alice")}));
}

QTEST_GUILESS_MAIN(TestStoreTreeModelHttp)
#include "tst_storetreemodel_http.moc"
