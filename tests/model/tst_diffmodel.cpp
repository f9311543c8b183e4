// DiffModel under QAbstractItemModelTester: kinds, order, the glob filter and its problems;
// and against a real dustlite, a diff between two seqs equals the naive difference of the
// store's exports at those seqs, leaf by leaf.

#include "InProcessDustlite.h"
#include "RestoreTestSupport.h"
#include "TestAwait.h"
#include "model/DiffModel.h"
#include "model/DiffSource.h"
#include "transport/HttpTransport.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QTest>

using namespace dust;
using namespace dust::test;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");

// A scripted write: set (value) or delete (undefined value).
struct Write
{
    QString path;
    QJsonValue value = QJsonValue::Undefined;
};
using Script = QList<Write>;

void run(lite::StoreDb &db, const Script &script)
{
    for (const Write &w : script) {
        const qint64 seq = w.value.isUndefined() ? del(db, w.path) : set(db, w.path, w.value);
        QVERIFY2(seq > 0, qPrintable(w.path));
    }
}

// What changed from `a` to `b`, as DiffModel rows would say it.
QList<DiffModel::Row> naiveDiff(const Leaves &a, const Leaves &b)
{
    QMap<QString, DiffModel::Row> rows;
    for (auto it = a.cbegin(); it != a.cend(); ++it) {
        const QJsonValue after = b.value(it.key(), QJsonValue::Undefined);
        if (after == it.value())
            continue;
        rows.insert(it.key(),
                    {it.key(), it.value(), after,
                     after.isUndefined() ? DiffModel::Kind::Removed : DiffModel::Kind::Changed});
    }
    for (auto it = b.cbegin(); it != b.cend(); ++it) {
        if (!a.contains(it.key()))
            rows.insert(it.key(),
                        {it.key(), QJsonValue::Undefined, it.value(), DiffModel::Kind::Added});
    }
    return rows.values();
}

} // namespace

Q_DECLARE_METATYPE(Script)

class TestDiffModel : public QObject
{
    Q_OBJECT

private slots:
    void kindsAndOrder();
    void filter_data();
    void filter();
    void badGlobKeepsFilter();
    void diffEqualsExportDifference_data();
    void diffEqualsExportDifference();
};

void TestDiffModel::kindsAndOrder()
{
    DiffModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChanges(
        {{QStringLiteral("b/x"), QJsonValue(1), QJsonValue(2)},
         {QStringLiteral("a"), QJsonValue(QJsonValue::Null), QJsonValue(QStringLiteral("new"))},
         {QStringLiteral("c"), QJsonValue(true), QJsonValue(QJsonValue::Null)}});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(DiffModel::ColumnCount));
    QCOMPARE(model.index(0, DiffModel::PathColumn).data().toString(), QStringLiteral("a"));
    QCOMPARE(model.rowAt(0).kind, DiffModel::Kind::Added);
    QVERIFY(model.rowAt(0).before.isUndefined());
    QCOMPARE(model.index(0, DiffModel::BeforeColumn).data().toString(),
             DiffModel::valueText(QJsonValue::Undefined));
    QCOMPARE(model.rowAt(1).kind, DiffModel::Kind::Changed);
    QCOMPARE(model.index(1, DiffModel::AfterColumn).data().toString(), QStringLiteral("2"));
    QCOMPARE(model.rowAt(2).kind, DiffModel::Kind::Removed);
    QCOMPARE(model.index(2, DiffModel::KindColumn).data().toString(),
             DiffModel::kindName(DiffModel::Kind::Removed));
    QCOMPARE(model.count(DiffModel::Kind::Added), 1);
    QCOMPARE(model.count(DiffModel::Kind::Changed), 1);
    QCOMPARE(model.count(DiffModel::Kind::Removed), 1);
    QCOMPARE(model.index(1, 0).data(DiffModel::PathRole).toString(), QStringLiteral("b/x"));
    QCOMPARE(model.rowOf(QStringLiteral("c")), 2);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestDiffModel::filter_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QStringList>("shown");
    const QStringList all{QStringLiteral("users/alice/name"), QStringLiteral("users/bob/name"),
                          QStringLiteral("users/bob/prefs/theme"), QStringLiteral("posts/1")};
    QTest::newRow("empty shows all") << QString() << QStringList{all[3], all[0], all[1], all[2]};
    QTest::newRow("one segment") << QStringLiteral("users/*/name") << QStringList{all[0], all[1]};
    QTest::newRow("many") << QStringLiteral("users/bob/**") << QStringList{all[1], all[2]};
    QTest::newRow("exact") << QStringLiteral("posts/1") << QStringList{all[3]};
    QTest::newRow("nothing") << QStringLiteral("nope/**") << QStringList{};
}

void TestDiffModel::filter()
{
    QFETCH(QString, pattern);
    QFETCH(QStringList, shown);
    DiffModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<DiffChange> changes;
    for (const QString &p : {QStringLiteral("users/alice/name"), QStringLiteral("users/bob/name"),
                             QStringLiteral("users/bob/prefs/theme"), QStringLiteral("posts/1")})
        changes.append({p, QJsonValue(1), QJsonValue(2)});
    model.setChanges(changes);
    QCOMPARE(model.setFilter(pattern), QString());
    QStringList got;
    for (int r = 0; r < model.rowCount(); ++r)
        got.append(model.index(r, 0).data().toString());
    QCOMPARE(got, shown);
    // The counts are of every change, not of the shown ones.
    QCOMPARE(model.count(DiffModel::Kind::Changed), 4);
}

void TestDiffModel::badGlobKeepsFilter()
{
    DiffModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChanges({{QStringLiteral("a/b"), QJsonValue(1), QJsonValue(2)},
                      {QStringLiteral("c"), QJsonValue(1), QJsonValue(2)}});
    QCOMPARE(model.setFilter(QStringLiteral("a/**")), QString());
    const QString problem = model.setFilter(QStringLiteral("a/**/b"));
    QVERIFY2(problem.contains(QStringLiteral("a/**/b")), qPrintable(problem));
    QCOMPARE(model.filter(), QStringLiteral("a/**"));
    QCOMPARE(model.rowCount(), 1);
}

void TestDiffModel::diffEqualsExportDifference_data()
{
    QTest::addColumn<Script>("before");  // written before seq A
    QTest::addColumn<Script>("between"); // written between A and B
    QTest::addColumn<Script>("after");   // written after B (not in the diff)
    const QJsonObject alice{
        {QStringLiteral("name"), QStringLiteral("Alice")},
        {QStringLiteral("prefs"), QJsonObject{{QStringLiteral("theme"), QStringLiteral("dark")}}}};
    QTest::newRow("sets, deletes, re-creates")
        << Script{{QStringLiteral("a"), 1},
                  {QStringLiteral("b"), QStringLiteral("x")},
                  {QStringLiteral("gone"), true}}
        << Script{{QStringLiteral("a"), 2},
                  {QStringLiteral("gone")},
                  {QStringLiteral("new"), QJsonArray{1, 2}},
                  {QStringLiteral("b"), QStringLiteral("y")},
                  {QStringLiteral("b"), QStringLiteral("x")}}
        << Script{{QStringLiteral("a"), 3}, {QStringLiteral("later"), 1}};
    QTest::newRow("object sets replace subtrees")
        << Script{{QStringLiteral("users/alice"), alice},
                  {QStringLiteral("users/bob/name"), QStringLiteral("Bob")}}
        << Script{{QStringLiteral("users/alice"),
                   QJsonObject{{QStringLiteral("name"), QStringLiteral("Al")}}},
                  {QStringLiteral("users")},
                  {QStringLiteral("users/bob/name"), QStringLiteral("Bobby")}}
        << Script{{QStringLiteral("users")}};
    QTest::newRow("nothing between")
        << Script{{QStringLiteral("a"), 1}} << Script{} << Script{{QStringLiteral("a"), 2}};
}

void TestDiffModel::diffEqualsExportDifference()
{
    QFETCH(Script, before);
    QFETCH(Script, between);
    QFETCH(Script, after);
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    QVERIFY(db);
    run(*db, before);
    const qint64 seqA = db->currentSeq();
    const Leaves atA = exportLeaves(*db);
    run(*db, between);
    const qint64 seqB = db->currentSeq();
    const Leaves atB = exportLeaves(*db);
    run(*db, after);

    HttpTransport http(dustlite.baseUrl(), kToken);
    const auto changes = await(http.diff(kStore, seqA, seqB));
    QVERIFY2(changes, changes ? "" : qPrintable(changes.error().message()));
    DiffModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChanges(*changes);

    const QList<DiffModel::Row> expected = naiveDiff(atA, atB);
    QCOMPARE(model.rowCount(), expected.size());
    for (int i = 0; i < expected.size(); ++i) {
        const DiffModel::Row &row = model.rowAt(i);
        QCOMPARE(row.path, expected.at(i).path);
        QCOMPARE(row.before, expected.at(i).before);
        QCOMPARE(row.after, expected.at(i).after);
        QCOMPARE(row.kind, expected.at(i).kind);
    }

    // Restricted to a node, the same rows under it.
    DiffSource source(&http, nullptr, kStore);
    const Path node = path(QStringLiteral("users"));
    std::optional<Result<QList<DiffChange>>> under;
    source.diff(seqA, seqB, node, this,
                [&under](const Result<QList<DiffChange>> &r) { under = r; });
    QTRY_VERIFY(under.has_value());
    QVERIFY(*under);
    QCOMPARE((*under)->size(), naiveDiff(leavesUnder(atA, QStringLiteral("users")),
                                         leavesUnder(atB, QStringLiteral("users")))
                                   .size());
}

QTEST_GUILESS_MAIN(TestDiffModel)
#include "tst_diffmodel.moc"
