// TreeFilter matching and StoreTreeModel's filtering: matches plus their ancestors, computed
// off the GUI thread, applied in one layout change, kept up to date by live changes.

#include "StoreTreeTestUtil.h"

#include "model/StoreTreeModel.h"
#include "model/TreeFilter.h"
#include "protocol/Glob.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace dust;
using namespace dust::test;

class TestTreeFilter : public QObject
{
    Q_OBJECT

private slots:
    void globMatchingAgreesWithGlob();
    void pruningNeverHidesAMatch();
    void substringMatchesNames();
    void invalidGlobIsRejected();
    void showsMatchesAndTheirAncestors();
    void globFilterOnPaths();
    void filterChangeIsOneLayoutChange();
    void liveUpdatesUnderFilter();
    void supersededRunIsCancelled();
    void liveChangesWaitForTheRun();
    void rebuildKeepsTheFilter();
    void randomLiveUpdatesWithFilter_data();
    void randomLiveUpdatesWithFilter();
};

namespace {

TreeFilter glob(const QString &pattern)
{
    auto f = TreeFilter::glob(pattern);
    if (!f)
        qFatal("bad test pattern");
    return f.value();
}

bool applyFilter(StoreTreeModel &model, const TreeFilter &filter)
{
    QSignalSpy applied(&model, &StoreTreeModel::filterApplied);
    model.setFilter(filter);
    return !applied.isEmpty() || applied.wait(20000);
}

RefStore people()
{
    RefStore ref;
    for (const QString &p :
         {QStringLiteral("users/alice/name"), QStringLiteral("users/alice/age"),
          QStringLiteral("users/alice/prefs/theme"), QStringLiteral("users/bob/name"),
          QStringLiteral("users/Alicia/name"), QStringLiteral("teams/core/lead"),
          QStringLiteral("teams/web/lead"), QStringLiteral("config")})
        ref.set(mkpath(p), QStringLiteral("string"), p);
    return ref;
}

} // namespace

void TestTreeFilter::globMatchingAgreesWithGlob()
{
    const QStringList patterns = {
        QStringLiteral("**"),     QStringLiteral("*"),      QStringLiteral("a"),
        QStringLiteral("a/*"),    QStringLiteral("a/**"),   QStringLiteral("*/b"),
        QStringLiteral("*/*/c"),  QStringLiteral("a/\\*"),  QStringLiteral("a/\\**"),
        QStringLiteral("*/b/**"), QStringLiteral("x~1y/*"), QStringLiteral("a/b/c/d"),
    };
    const QStringList vocabulary = {QStringLiteral("a"),  QStringLiteral("b"), QStringLiteral("c"),
                                    QStringLiteral("d"),  QStringLiteral("*"), QStringLiteral("**"),
                                    QStringLiteral("x/y")};
    QRandomGenerator rng(17);
    for (const QString &pattern : patterns) {
        const auto g = Glob::compile(pattern);
        QVERIFY(g);
        const TreeFilter f = glob(pattern);
        QCOMPARE(f.mode(), TreeFilter::Mode::Glob);
        QVERIFY(f.isActive());
        for (int i = 0; i < 2000; ++i) {
            QStringList segs;
            const int depth = 1 + int(rng.bounded(5));
            for (int d = 0; d < depth; ++d)
                segs.append(vocabulary.at(rng.bounded(vocabulary.size())));
            QVERIFY2(f.matchesPath(segs) == g->matches(segs),
                     qPrintable(pattern + QStringLiteral(" vs ") + segs.join(QLatin1Char('|'))));
        }
    }
}

void TestTreeFilter::pruningNeverHidesAMatch()
{
    // When canMatchBelow() says no, no extension of the path matches.
    const TreeFilter f = glob(QStringLiteral("a/*/c"));
    QRandomGenerator rng(5);
    const QStringList vocabulary = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    for (int i = 0; i < 3000; ++i) {
        QStringList segs;
        const int depth = 1 + int(rng.bounded(5));
        for (int d = 0; d < depth; ++d)
            segs.append(vocabulary.at(rng.bounded(vocabulary.size())));
        TreeFilter::State s;
        for (qsizetype k = 0; k < segs.size(); ++k) {
            s = f.step(s, segs.at(k));
            if (!f.canMatchBelow(s)) {
                for (qsizetype m = k + 1; m < segs.size(); ++m)
                    QVERIFY(!f.matchesPath(segs.mid(0, m + 1)));
                break;
            }
        }
    }
}

void TestTreeFilter::substringMatchesNames()
{
    const TreeFilter f = TreeFilter::substring(QStringLiteral("ali"));
    QVERIFY(f.isActive());
    QVERIFY(f.matchesPath({QStringLiteral("users"), QStringLiteral("Alice")}));
    QVERIFY(!f.matchesPath({QStringLiteral("alice"), QStringLiteral("name")})); // names only
    const TreeFilter cs = TreeFilter::substring(QStringLiteral("ali"), Qt::CaseSensitive);
    QVERIFY(!cs.matchesPath({QStringLiteral("Alice")}));
    QVERIFY(!TreeFilter::substring(QString()).isActive());
    QVERIFY(!TreeFilter().isActive());
}

void TestTreeFilter::invalidGlobIsRejected()
{
    const auto bad = TreeFilter::glob(QStringLiteral("a/**/b"));
    QVERIFY(!bad);
    QCOMPARE(bad.error(), GlobError::WildcardManyNotTail);
    QVERIFY(!TreeFilter::glob(QStringLiteral("a//b")));
    QVERIFY(!TreeFilter::glob(QString()));
}

void TestTreeFilter::showsMatchesAndTheirAncestors()
{
    const RefStore ref = people();
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    QSignalSpy applied(&model, &StoreTreeModel::filterApplied);
    model.setFilter(TreeFilter::substring(QStringLiteral("ali")));
    QVERIFY(model.isFilterRunning());
    QVERIFY(applied.wait(10000));
    QCOMPARE(applied.count(), 1);
    QCOMPARE(applied.at(0).at(0).toLongLong(), 2); // alice, Alicia
    QVERIFY(model.isFiltered());
    QCOMPARE(childNames(model), QStringList{QStringLiteral("users")});
    const QModelIndex users = model.index(mkpath(QStringLiteral("users")));
    QCOMPARE(childNames(model, users),
             (QStringList{QStringLiteral("alice"), QStringLiteral("Alicia")}));
    QVERIFY(!users.data(StoreTreeModel::MatchesFilterRole).toBool());
    QVERIFY(model.index(mkpath(QStringLiteral("users/alice")))
                .data(StoreTreeModel::MatchesFilterRole)
                .toBool());
    // Hidden rows have no index; the tree itself still has them.
    QVERIFY(!model.index(mkpath(QStringLiteral("users/bob"))).isValid());
    QVERIFY(!model.index(mkpath(QStringLiteral("users/alice/name"))).isValid());
    QCOMPARE(model.leafCount(), qsizetype(ref.leaves.size()));

    auto expected = expectedTree(ref);
    pruneForFilter(*expected, {}, model.filter());
    QCOMPARE(diffTree(model, {}, *expected), QString());

    model.clearFilter();
    QVERIFY(!model.isFiltered());
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
}

void TestTreeFilter::globFilterOnPaths()
{
    const RefStore ref = people();
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    for (const QString &pattern :
         {QStringLiteral("users/*/name"), QStringLiteral("teams/**"), QStringLiteral("*"),
          QStringLiteral("*/*/prefs/theme"), QStringLiteral("nothing/here")}) {
        QVERIFY(applyFilter(model, glob(pattern)));
        auto expected = expectedTree(ref);
        pruneForFilter(*expected, {}, model.filter());
        QCOMPARE(diffTree(model, {}, *expected), QString());
    }
    QVERIFY(applyFilter(model, glob(QStringLiteral("users/*/name"))));
    QCOMPARE(
        childNames(model, model.index(mkpath(QStringLiteral("users")))),
        (QStringList{QStringLiteral("alice"), QStringLiteral("Alicia"), QStringLiteral("bob")}));
    QCOMPARE(childNames(model, model.index(mkpath(QStringLiteral("users/alice")))),
             QStringList{QStringLiteral("name")});
}

void TestTreeFilter::filterChangeIsOneLayoutChange()
{
    const RefStore ref = people();
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    const QPersistentModelIndex alice(model.index(mkpath(QStringLiteral("users/alice")), 2));
    const QPersistentModelIndex bob(model.index(mkpath(QStringLiteral("users/bob"))));
    const QPersistentModelIndex theme(
        model.index(mkpath(QStringLiteral("users/alice/prefs/theme"))));
    QCOMPARE(alice.row(), 0);
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy removes(&model, &QAbstractItemModel::rowsRemoved);

    QVERIFY(applyFilter(model, glob(QStringLiteral("users/*/prefs/**"))));
    QCOMPARE(layouts.count(), 1);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(removes.count(), 0);
    // Shown rows keep their persistent indexes (rows updated), hidden ones lose them.
    QVERIFY(alice.isValid());
    QCOMPARE(alice.column(), 2);
    QCOMPARE(alice.data(StoreTreeModel::PathRole).toString(), QStringLiteral("users/alice"));
    QVERIFY(theme.isValid());
    QCOMPARE(QModelIndex(theme), model.index(mkpath(QStringLiteral("users/alice/prefs/theme"))));
    QVERIFY(!bob.isValid());

    model.clearFilter();
    QCOMPARE(layouts.count(), 2);
    QVERIFY(alice.isValid());
    QVERIFY(theme.isValid());
    QCOMPARE(model.rowCount(model.index(mkpath(QStringLiteral("users")))), 3);
}

void TestTreeFilter::liveUpdatesUnderFilter()
{
    RefStore ref = people();
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    QVERIFY(applyFilter(model, TreeFilter::substring(QStringLiteral("lead"))));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    auto check = [&] {
        auto expected = expectedTree(ref);
        pruneForFilter(*expected, {}, model.filter());
        return diffTree(model, {}, *expected);
    };

    // A match deep under hidden folders: one row appears at the first shown ancestor.
    model.applyBatch(ref.set(mkpath(QStringLiteral("orgs/acme/dept/lead")),
                             QStringLiteral("string"), QStringLiteral("x")));
    model.flushPendingChanges();
    QCOMPARE(inserted.count(), 1);
    QVERIFY(!inserted.at(0).at(0).value<QModelIndex>().isValid());
    QCOMPARE(check(), QString());

    // Under a shown folder: one row there.
    inserted.clear();
    model.applyBatch(ref.set(mkpath(QStringLiteral("teams/ops/lead")), QStringLiteral("string"),
                             QStringLiteral("x")));
    model.flushPendingChanges();
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(0).value<QModelIndex>(),
             model.index(mkpath(QStringLiteral("teams"))));
    QCOMPARE(check(), QString());

    // Not matching: the tree grows, the view sees nothing.
    inserted.clear();
    changed.clear();
    model.applyBatch(ref.set(mkpath(QStringLiteral("teams/ops/size")), QStringLiteral("integer"),
                             QStringLiteral("3")));
    model.applyBatch(ref.set(mkpath(QStringLiteral("users/bob/name")), QStringLiteral("string"),
                             QStringLiteral("B")));
    model.flushPendingChanges();
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(check(), QString());

    // A shown leaf changes value: dataChanged.
    model.applyBatch(ref.set(mkpath(QStringLiteral("teams/web/lead")), QStringLiteral("string"),
                             QStringLiteral("new")));
    model.flushPendingChanges();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(check(), QString());

    // The last match under orgs goes: its shown ancestors go with it (one removal at the top).
    removed.clear();
    model.applyBatch(ref.remove(mkpath(QStringLiteral("orgs/acme/dept/lead"))));
    model.flushPendingChanges();
    QCOMPARE(removed.count(), 1);
    QCOMPARE(check(), QString());
    QVERIFY(!model.index(mkpath(QStringLiteral("orgs"))).isValid());

    // A shown folder that keeps hidden children but loses its last match disappears from view.
    removed.clear();
    model.applyBatch(ref.remove(mkpath(QStringLiteral("teams/ops/lead"))));
    model.flushPendingChanges();
    QCOMPARE(check(), QString());
    QVERIFY(!model.index(mkpath(QStringLiteral("teams/ops"))).isValid());
    QCOMPARE(layouts.count(), 0);

    model.clearFilter();
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
    QVERIFY(model.index(mkpath(QStringLiteral("teams/ops/size"))).isValid());
}

void TestTreeFilter::supersededRunIsCancelled()
{
    RefStore ref;
    StoreTreeSnapshot snapshot;
    for (int i = 0; i < 200000; ++i)
        snapshot.append(QStringLiteral("g%1/item%2/v").arg(i % 100).arg(i), u"integer",
                        QString::number(i), i + 1);
    StoreTreeModel model;
    model.rebuildNow(snapshot);
    QSignalSpy applied(&model, &StoreTreeModel::filterApplied);
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    model.setFilter(TreeFilter::substring(QStringLiteral("item1")));
    model.setFilter(TreeFilter::substring(QStringLiteral("item7")));
    model.setFilter(glob(QStringLiteral("g7/item1007/*")));
    QTRY_VERIFY(!model.isFilterRunning());
    QTest::qWait(0);
    QCOMPARE(applied.count(), 1);
    QCOMPARE(applied.at(0).at(0).toLongLong(), 1);
    QCOMPARE(layouts.count(), 1);
    QCOMPARE(childNames(model), QStringList{QStringLiteral("g7")});
    QCOMPARE(childNames(model, model.index(mkpath(QStringLiteral("g7")))),
             QStringList{QStringLiteral("item1007")});
    QVERIFY(model.index(mkpath(QStringLiteral("g7/item1007/v"))).isValid());
}

void TestTreeFilter::liveChangesWaitForTheRun()
{
    RefStore ref;
    for (int i = 0; i < 3000; ++i)
        ref.set(mkpath(QStringLiteral("w/n%1/leaf").arg(i)), QStringLiteral("integer"),
                QString::number(i));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    QSignalSpy applied(&model, &StoreTreeModel::filterApplied);
    model.setFilter(TreeFilter::substring(QStringLiteral("n1")));
    for (int i = 0; i < 50; ++i) {
        model.applyBatch(ref.set(mkpath(QStringLiteral("w/n1x%1/leaf").arg(i)),
                                 QStringLiteral("integer"), QStringLiteral("x")));
        model.applyBatch(ref.remove(mkpath(QStringLiteral("w/n%1").arg(i * 7))));
    }
    if (model.isFilterRunning()) {
        model.flushPendingChanges(); // must not touch the tree while the run reads it
        QVERIFY(model.pendingChangeCount() > 0);
    }
    QVERIFY(!applied.isEmpty() || applied.wait(10000));
    QTRY_COMPARE(model.pendingChangeCount(), 0);
    auto expected = expectedTree(ref);
    pruneForFilter(*expected, {}, model.filter());
    QCOMPARE(diffTree(model, {}, *expected), QString());
}

void TestTreeFilter::rebuildKeepsTheFilter()
{
    RefStore ref = people();
    StoreTreeModel model;
    model.rebuildNow(ref.snapshot());
    QVERIFY(applyFilter(model, TreeFilter::substring(QStringLiteral("lead"))));
    ref.set(mkpath(QStringLiteral("extra/lead")), QStringLiteral("string"), QStringLiteral("x"));
    QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
    model.rebuild(ref.snapshot());
    QVERIFY(rebuilt.wait(10000));
    QVERIFY(model.isFiltered());
    auto expected = expectedTree(ref);
    pruneForFilter(*expected, {}, model.filter());
    QCOMPARE(diffTree(model, {}, *expected), QString());
    // And synchronously.
    ref.remove(mkpath(QStringLiteral("teams")));
    model.rebuildNow(ref.snapshot());
    expected = expectedTree(ref);
    pruneForFilter(*expected, {}, model.filter());
    QCOMPARE(diffTree(model, {}, *expected), QString());
}

void TestTreeFilter::randomLiveUpdatesWithFilter_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("text");
    QTest::newRow("substring") << QStringLiteral("substring") << QStringLiteral("1");
    QTest::newRow("glob-one") << QStringLiteral("glob") << QStringLiteral("*/item1/*");
    QTest::newRow("glob-many") << QStringLiteral("glob") << QStringLiteral("a/**");
    QTest::newRow("glob-deep") << QStringLiteral("glob") << QStringLiteral("*/*/*/b");
}

void TestTreeFilter::randomLiveUpdatesWithFilter()
{
    QFETCH(QString, mode);
    QFETCH(QString, text);
    const TreeFilter filter =
        mode == QLatin1String("glob") ? glob(text) : TreeFilter::substring(text);
    QRandomGenerator rng(qHash(text));
    const QStringList vocabulary = {QStringLiteral("a"),      QStringLiteral("b"),
                                    QStringLiteral("item1"),  QStringLiteral("item2"),
                                    QStringLiteral("item10"), QStringLiteral("c1")};
    auto randomPath = [&] {
        QStringList segs;
        const int depth = 1 + int(rng.bounded(4));
        for (int d = 0; d < depth; ++d)
            segs.append(vocabulary.at(rng.bounded(vocabulary.size())));
        return mkpath(segs);
    };
    RefStore ref;
    for (int i = 0; i < 40; ++i)
        ref.set(randomPath(), QStringLiteral("string"), QString::number(i));
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.rebuildNow(ref.snapshot());
    QVERIFY(applyFilter(model, filter));
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    for (int step = 0; step < 300; ++step) {
        const int n = 1 + int(rng.bounded(5));
        for (int k = 0; k < n; ++k) {
            if (rng.bounded(5) < 2)
                model.applyBatch(ref.remove(randomPath()));
            else
                model.applyBatch(
                    ref.set(randomPath(), QStringLiteral("string"), QString::number(step)));
        }
        model.flushPendingChanges();
        auto expected = expectedTree(ref);
        pruneForFilter(*expected, {}, filter);
        const QString d = diffTree(model, {}, *expected);
        if (!d.isEmpty())
            QFAIL(qPrintable(QStringLiteral("step %1: %2").arg(step).arg(d)));
    }
    QCOMPARE(layouts.count(), 0);
    QCOMPARE(resets.count(), 0);
    model.clearFilter();
    QCOMPARE(diffTree(model, {}, *expectedTree(ref)), QString());
}

QTEST_GUILESS_MAIN(TestTreeFilter)
#include "tst_treefilter.moc"
