// SearchResultsModel under QAbstractItemModelTester: rows in path order, one insertion per
// batch, updates in place, removals, the row limit; then a search on a live store whose
// results follow the store's changes (a listed value changed, no longer matching, deleted, a
// new value that matches) as another client writes over its own WebSocket.

#include "InProcessDustlite.h"
#include "SearchTestSupport.h"
#include "StoreDb.h"
#include "TestSdkOptions.h"

using namespace dust;
using namespace dust::test;

namespace {

const QString kStore = QStringLiteral("local/demo");

SearchHit hit(const char *path, const char *excerpt = "x")
{
    SearchHit h;
    h.path = QByteArray(path);
    h.type = QStringLiteral("string");
    h.revision = 1;
    h.excerpt.text = QString::fromUtf8(excerpt);
    h.excerpt.spans = {0, 1};
    return h;
}

QList<QByteArray> bytes(std::initializer_list<const char *> paths)
{
    QList<QByteArray> out;
    for (const char *p : paths)
        out.append(QByteArray(p));
    return out;
}

} // namespace

class TestSearchResultsModel : public QObject
{
    Q_OBJECT

private slots:
    void scanBatchesAreOneInsertionEach();
    void rowsStayInPathOrder();
    void upsertUpdatesInPlace();
    void removeAndClear();
    void rowLimitLeavesOut();
    void rolesDescribeTheHit();

    void liveChangesUpdateTheResults();
    void resetSearchesAgain();
};

void TestSearchResultsModel::scanBatchesAreOneInsertionEach()
{
    SearchResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QCOMPARE(model.upsert({hit("a/1"), hit("a/2"), hit("a/3")}), qsizetype(0));
    QCOMPARE(model.upsert({hit("b/1"), hit("b/2")}), qsizetype(0));
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 3);
    QCOMPARE(inserted.at(1).at(2).toInt(), 4);
    QCOMPARE(listedPaths(model), bytes({"a/1", "a/2", "a/3", "b/1", "b/2"}));
}

void TestSearchResultsModel::rowsStayInPathOrder()
{
    SearchResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.upsert({hit("m"), hit("c")});
    model.upsert({hit("z"), hit("a"), hit("n"), hit("b")});
    // Byte order: "a/b" sorts before "a~" and after "a", and UTF-8 after ASCII.
    model.upsert({hit("\xc3\xa9"), hit("a/b"), hit("a~0")});
    QCOMPARE(listedPaths(model), bytes({"a", "a/b", "a~0", "b", "c", "m", "n", "z", "\xc3\xa9"}));
    QCOMPARE(model.rowOf("n"), 6);
    QCOMPARE(model.rowOf("nope"), -1);
}

void TestSearchResultsModel::upsertUpdatesInPlace()
{
    SearchResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.upsert({hit("a"), hit("b"), hit("c")});
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.upsert({hit("b", "new text")});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().first().value<QModelIndex>().row(), 1);
    QCOMPARE(model.index(1).data(SearchResultsModel::ExcerptRole).toString(),
             QStringLiteral("new text"));
    // The same path twice in one batch: the last one counts.
    model.upsert({hit("d", "first"), hit("d", "second")});
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(3).data(SearchResultsModel::ExcerptRole).toString(),
             QStringLiteral("second"));
}

void TestSearchResultsModel::removeAndClear()
{
    SearchResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.upsert({hit("a"), hit("b"), hit("c"), hit("d")});
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.remove({"b", "x", "d"});
    QCOMPARE(listedPaths(model), bytes({"a", "c"}));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(reset.count(), 0);
}

void TestSearchResultsModel::rowLimitLeavesOut()
{
    SearchResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(3);
    QCOMPARE(model.upsert({hit("a"), hit("b")}), qsizetype(0));
    QCOMPARE(model.upsert({hit("c"), hit("d"), hit("e")}), qsizetype(2));
    QCOMPARE(listedPaths(model), bytes({"a", "b", "c"}));
    // A listed row is still updated at the limit.
    QCOMPARE(model.upsert({hit("b", "changed")}), qsizetype(0));
    QCOMPARE(model.index(1).data(SearchResultsModel::ExcerptRole).toString(),
             QStringLiteral("changed"));
}

void TestSearchResultsModel::rolesDescribeTheHit()
{
    SearchResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SearchHit h = hit("cities/caf\xc3\xa9", "Paris");
    h.type = QStringLiteral("string");
    h.revision = 42;
    h.excerpt.spans = {1, 3};
    model.upsert({h});
    const QModelIndex i = model.index(0);
    QCOMPARE(i.data().toString(), QString::fromUtf8("cities/caf\xc3\xa9"));
    QCOMPARE(i.data(SearchResultsModel::PathRole).value<Path>(),
             path(QString::fromUtf8("cities/caf\xc3\xa9")));
    QCOMPARE(i.data(SearchResultsModel::TypeRole).toString(), QStringLiteral("string"));
    QCOMPARE(i.data(SearchResultsModel::RevisionRole).toLongLong(), 42LL);
    QCOMPARE(i.data(SearchResultsModel::MatchSpansRole).value<QList<int>>(), QList<int>({1, 3}));
    QVERIFY(i.data(Qt::AccessibleTextRole).toString().contains(QLatin1String("Paris")));
}

void TestSearchResultsModel::liveChangesUpdateTheResults()
{
    InProcessDustlite dustlite;
    dustlite.config().seed = QStringLiteral("demo");
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkTransport live(sdkOptions(dustlite.wsUrl()));
    SdkTransport writer(sdkOptions(dustlite.wsUrl())); // another client
    QVERIFY(waitLive(live, kStore) > 0);
    QVERIFY(waitLive(writer, kStore) > 0);

    SearchResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ValueSearch search(&model);
    search.setSource(&live, kStore);
    search.setRecheckDelay(0);
    QSignalSpy finished(&search, &ValueSearch::finished);
    SearchQuery query;
    query.text = QStringLiteral("martin");
    query.scope = path(QStringLiteral("users"));
    QVERIFY(search.start(query));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(listedPaths(model), bytes({"users/alice/name"}));
    QCOMPARE(search.matchCount(), qint64(1));

    const auto put = [&](const char *p, const QJsonValue &value) {
        return await(writer.put(kStore, path(QString::fromUtf8(p)), value)).hasValue();
    };
    // A listed value changes and still matches: its row is updated.
    QVERIFY(put("users/alice/name", QStringLiteral("Alice Martinez")));
    QTRY_COMPARE(model.rowCount() == 1
                     ? model.index(0).data(SearchResultsModel::ExcerptRole).toString()
                     : QString(),
                 QStringLiteral("Alice Martinez"));
    // A new value in the scope that matches is added, in path order.
    QVERIFY(put("users/bruno/name", QStringLiteral("Bruno Martin")));
    QTRY_COMPARE(listedPaths(model), bytes({"users/alice/name", "users/bruno/name"}));
    // A value out of the scope is not.
    QVERIFY(put("settings/site_name", QStringLiteral("Martin's site")));
    // A listed value that no longer matches is removed.
    QVERIFY(put("users/alice/name", QStringLiteral("Alice Smith")));
    QTRY_COMPARE(listedPaths(model), bytes({"users/bruno/name"}));
    // A deleted subtree takes its rows away.
    QVERIFY(await(writer.remove(kStore, path(QStringLiteral("users/bruno")))).hasValue());
    QTRY_COMPARE(model.rowCount(), 0);
    QCOMPARE(search.matchCount(), qint64(0));
    // A new match under a unicode segment; the write out of the scope never showed up.
    QVERIFY(put("users/chlo\xc3\xa9/name", QString::fromUtf8("Chlo\xc3\xa9 Martin")));
    QTRY_COMPARE(listedPaths(model), bytes({"users/chlo\xc3\xa9/name"}));
}

void TestSearchResultsModel::resetSearchesAgain()
{
    InProcessDustlite dustlite;
    dustlite.config().seed = QStringLiteral("demo");
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkTransport live(sdkOptions(dustlite.wsUrl()));
    QVERIFY(waitLive(live, kStore) > 0);

    SearchResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ValueSearch search(&model);
    search.setSource(&live, kStore);
    QSignalSpy started(&search, &ValueSearch::started);
    QSignalSpy finished(&search, &ValueSearch::finished);
    SearchQuery query;
    query.text = QStringLiteral("example");
    QVERIFY(search.start(query));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    const qsizetype found = model.rowCount();
    QVERIFY(found > 0);
    // The store is reloaded (as after a snapshot): the search runs again by itself.
    emit live.storeReset(kStore, 0);
    QCOMPARE(started.count(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
    QCOMPARE(qsizetype(model.rowCount()), found);
}

QTEST_GUILESS_MAIN(TestSearchResultsModel)
#include "tst_searchresultsmodel.moc"
