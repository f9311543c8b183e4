// DiffModel under QAbstractItemModelTester: kinds, order, the glob filter and its problems;
// and against a real dustlite, a diff between two seqs (DiffSource) equals the naive
// difference of the store's exports at those seqs, leaf by leaf, leaves holding null
// included (the wire writes null for "no leaf" too); where the log was compacted, such a
// side says it cannot tell.

#include "InProcessDustlite.h"
#include "RestoreTestSupport.h"
#include "TestAwait.h"
#include "model/DiffModel.h"
#include "model/DiffSource.h"
#include "model/NullSideResolver.h"
#include "transport/HttpTransport.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QTest>

using namespace dust;
using namespace dust::test;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");

// A scripted write: set (value) or delete (undefined value), or another op.
struct Write
{
    QString path;
    QJsonValue value = QJsonValue::Undefined;
    Op op = Op::Set;
};
using Script = QList<Write>;

void run(lite::StoreDb &db, const Script &script)
{
    for (const Write &w : script) {
        const qint64 seq =
            w.value.isUndefined() ? del(db, w.path) : writeOp(db, w.op, w.path, w.value);
        QVERIFY2(seq > 0, qPrintable(w.path));
    }
}

std::optional<Result<QList<DiffChange>>> sourceDiff(const DiffSource &source, qint64 from,
                                                    qint64 to, const Path &node, QObject *context)
{
    std::optional<Result<QList<DiffChange>>> out;
    source.diff(from, to, node, context, [&out](const Result<QList<DiffChange>> &r) { out = r; });
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, 10000))
        return std::nullopt;
    return out;
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
    void compactedNullSide_data();
    void compactedNullSide();
    void withoutAuditReadStateAnswers();
    void bigStoreLeavesOpenSidesUnknown();
};

void TestDiffModel::kindsAndOrder()
{
    DiffModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // As DiffSource gives them: Undefined is no leaf, null a leaf holding null.
    model.setChanges(
        {{QStringLiteral("b/x"), QJsonValue(1), QJsonValue(2)},
         {QStringLiteral("a"), QJsonValue(QJsonValue::Undefined),
          QJsonValue(QStringLiteral("new"))},
         {QStringLiteral("c"), QJsonValue(true), QJsonValue(QJsonValue::Undefined)},
         {QStringLiteral("d"), QJsonValue(QJsonValue::Null), QJsonValue(1)},
         {QStringLiteral("e"), QJsonValue(QJsonValue::Undefined), QJsonValue(QJsonValue::Null)},
         {QStringLiteral("f"), QJsonValue(QJsonValue::Undefined), QJsonValue(1), true, false}});
    QCOMPARE(model.rowCount(), 6);
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
    // A leaf that held null changed: not an addition, and its null is shown as null.
    QCOMPARE(model.rowAt(3).kind, DiffModel::Kind::Changed);
    QCOMPARE(model.index(3, DiffModel::BeforeColumn).data().toString(), QStringLiteral("null"));
    QCOMPARE(model.rowAt(4).kind, DiffModel::Kind::Added);
    QCOMPARE(model.index(4, DiffModel::AfterColumn).data().toString(), QStringLiteral("null"));
    // A side the log could not tell says so.
    QCOMPARE(model.index(5, DiffModel::BeforeColumn).data().toString(),
             DiffModel::valueText(QJsonValue::Undefined, 120, true));
    QVERIFY(model.index(5, 0).data(DiffModel::UnknownSideRole).toBool());
    QVERIFY(!model.index(3, 0).data(DiffModel::UnknownSideRole).toBool());
    QCOMPARE(model.count(DiffModel::Kind::Added), 3);
    QCOMPARE(model.count(DiffModel::Kind::Changed), 2);
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
    const QJsonValue null(QJsonValue::Null);
    QTest::newRow("leaves holding null")
        << Script{{QStringLiteral("n/deleted"), null},
                  {QStringLiteral("n/changed"), null},
                  {QStringLiteral("n/kept"), null},
                  {QStringLiteral("o"), QJsonObject{{QStringLiteral("x"), null}}},
                  {QStringLiteral("m/y"), null}}
        << Script{{QStringLiteral("n/added"), null},
                  {QStringLiteral("n/deleted")},
                  {QStringLiteral("n/changed"), 1},
                  {QStringLiteral("o")},
                  {QStringLiteral("p"), QJsonObject{{QStringLiteral("q"), null}}},
                  {QStringLiteral("m"), QJsonObject{{QStringLiteral("z"), null}}, Op::Merge},
                  {QStringLiteral("n/cleared"), null},
                  {QStringLiteral("n/cleared"), QJsonObject{}}}
        << Script{{QStringLiteral("n/added"), 2}};
    Script many{{QStringLiteral("w/n"), null}, {QStringLiteral("w/gone"), 1}};
    Script manyBetween{{QStringLiteral("w/n"), 1}, {QStringLiteral("w/gone")}};
    for (int i = 0; i < NullSideResolver::kPerPathLimit + 8; ++i)
        manyBetween.append({QStringLiteral("w/%1").arg(i), i});
    manyBetween.append({QStringLiteral("w/nn"), null});
    QTest::newRow("more null sides than read one by one") << many << manyBetween << Script{};
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
    DiffSource source(&http, nullptr, kStore);
    const auto changes = sourceDiff(source, seqA, seqB, Path(), this);
    QVERIFY(changes.has_value());
    QVERIFY2(*changes, *changes ? "" : qPrintable(changes->error().message()));
    DiffModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChanges(**changes);

    const QList<DiffModel::Row> expected = naiveDiff(atA, atB);
    QCOMPARE(model.rowCount(), expected.size());
    for (int i = 0; i < expected.size(); ++i) {
        const DiffModel::Row &row = model.rowAt(i);
        QCOMPARE(row.path, expected.at(i).path);
        QCOMPARE(row.before, expected.at(i).before);
        QCOMPARE(row.after, expected.at(i).after);
        QCOMPARE(row.kind, expected.at(i).kind);
        QVERIFY(!row.beforeUnknown && !row.afterUnknown);
    }

    // With few null sides, the audit log alone tells them all (the store's state is not read).
    if (model.rowCount() <= NullSideResolver::kPerPathLimit) {
        HostedDiffTransport logOnly(dustlite.baseUrl(), kToken, *db, true);
        const auto fromLog =
            sourceDiff(DiffSource(&logOnly, nullptr, kStore), seqA, seqB, Path(), this);
        QVERIFY(fromLog.has_value() && *fromLog);
        QCOMPARE((*fromLog)->size(), expected.size());
        for (int i = 0; i < expected.size(); ++i) {
            const DiffChange &change = (*fromLog)->at(i);
            QCOMPARE(change.path, expected.at(i).path);
            QCOMPARE(change.before, expected.at(i).before);
            QCOMPARE(change.after, expected.at(i).after);
            QVERIFY(!change.beforeUnknown && !change.afterUnknown);
        }
    }

    // Restricted to a node, the same rows under it.
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

// The op that set the leaf to null was folded into the snapshot, so the log cannot tell a
// leaf holding null from no leaf: the store's state at that seq (a diff from 0, which
// dustlite answers from its snapshot) does. A server that refuses that read (as the hosted
// one does for a compacted store) leaves the side unknown, and the row says so instead of
// guessing; what the log holds is still told.
void TestDiffModel::compactedNullSide_data()
{
    QTest::addColumn<bool>("refuseState");
    QTest::newRow("state read") << false;
    QTest::newRow("state refused") << true;
}

void TestDiffModel::compactedNullSide()
{
    QFETCH(bool, refuseState);
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store(kStore);
    QVERIFY(db);
    QVERIFY(set(*db, QStringLiteral("n"), QJsonValue::Null) > 0);
    QVERIFY(set(*db, QStringLiteral("other"), 1) > 0);
    QVERIFY(set(*db, QStringLiteral("other"), 2) > 0);
    db->retainOps(1); // n's set is folded away
    QVERIFY(db->latestSnapshotSeq() >= 2);
    const qint64 seqA = db->currentSeq();
    QVERIFY(set(*db, QStringLiteral("n"), 1) > 0);
    QVERIFY(set(*db, QStringLiteral("fresh"), QJsonValue::Null) > 0);
    QVERIFY(set(*db, QStringLiteral("added"), 2) > 0);

    std::unique_ptr<HttpTransport> http =
        refuseState ? std::make_unique<HostedDiffTransport>(dustlite.baseUrl(), kToken, *db)
                    : std::make_unique<HttpTransport>(dustlite.baseUrl(), kToken);
    const auto changes =
        sourceDiff(DiffSource(http.get(), nullptr, kStore), seqA, db->currentSeq(), Path(), this);
    QVERIFY(changes.has_value() && *changes);
    DiffModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChanges(**changes);
    QCOMPARE(model.rowCount(), 3);
    const int n = model.rowOf(QStringLiteral("n"));
    QVERIFY(n >= 0);
    QVERIFY(!model.rowAt(n).afterUnknown);
    QCOMPARE(model.rowAt(n).beforeUnknown, refuseState);
    if (refuseState) {
        QCOMPARE(model.index(n, DiffModel::BeforeColumn).data().toString(),
                 DiffModel::valueText(QJsonValue::Undefined, 120, true));
        QVERIFY(model.index(n, 0).data(DiffModel::UnknownSideRole).toBool());
    } else {
        QCOMPARE(model.rowAt(n).kind, DiffModel::Kind::Changed);
        QVERIFY(model.rowAt(n).before.isNull());
    }
    const int added = model.rowOf(QStringLiteral("added"));
    QVERIFY(added >= 0);
    QCOMPARE(model.rowAt(added).beforeUnknown, refuseState);
    // "fresh" became null after the snapshot: its later side is always in the log.
    const int fresh = model.rowOf(QStringLiteral("fresh"));
    QVERIFY(fresh >= 0);
    QVERIFY(!model.rowAt(fresh).beforeUnknown && !model.rowAt(fresh).afterUnknown);
    QCOMPARE(model.rowAt(fresh).kind, DiffModel::Kind::Added);
    QVERIFY(model.rowAt(fresh).after.isNull());
}

namespace {

// Starts `dustlite` with kToken and "dust_tok_noaudit" (entries:read only); its store, or null.
lite::StoreDb *startWithoutAuditToken(InProcessDustlite &dustlite)
{
    dustlite.config().tokens = {
        {kToken, {}, {}},
        {QStringLiteral("dust_tok_noaudit"), {}, {QStringLiteral("entries:read")}}};
    if (!dustlite.start()) {
        qWarning("%s", qPrintable(dustlite.errorString()));
        return nullptr;
    }
    return dustlite.store(kStore);
}

} // namespace

// A token that may read entries but not the audit log still gets an exact diff: the store's
// state at each side's seq answers instead of the log.
void TestDiffModel::withoutAuditReadStateAnswers()
{
    InProcessDustlite dustlite;
    lite::StoreDb *db = startWithoutAuditToken(dustlite);
    QVERIFY(db);
    QVERIFY(set(*db, QStringLiteral("n/changed"), QJsonValue::Null) > 0);
    QVERIFY(set(*db, QStringLiteral("n/deleted"), QJsonValue::Null) > 0);
    const qint64 seqA = db->currentSeq();
    const Leaves atA = exportLeaves(*db);
    QVERIFY(set(*db, QStringLiteral("n/changed"), 1) > 0);
    QVERIFY(del(*db, QStringLiteral("n/deleted")) > 0);
    QVERIFY(set(*db, QStringLiteral("n/added"), QJsonValue::Null) > 0);
    const qint64 seqB = db->currentSeq();

    HttpTransport noAudit(dustlite.baseUrl(), QStringLiteral("dust_tok_noaudit"));
    AuditQuery anyOp;
    QVERIFY(!await(noAudit.auditLog(kStore, anyOp))); // the log is refused indeed
    const auto changes =
        sourceDiff(DiffSource(&noAudit, nullptr, kStore), seqA, seqB, Path(), this);
    QVERIFY(changes.has_value());
    QVERIFY2(*changes, *changes ? "" : qPrintable(changes->error().message()));
    DiffModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChanges(**changes);
    const QList<DiffModel::Row> expected = naiveDiff(atA, exportLeaves(*db));
    QCOMPARE(model.rowCount(), expected.size());
    for (int i = 0; i < expected.size(); ++i) {
        QCOMPARE(model.rowAt(i).path, expected.at(i).path);
        QCOMPARE(model.rowAt(i).before, expected.at(i).before);
        QCOMPARE(model.rowAt(i).after, expected.at(i).after);
        QCOMPARE(model.rowAt(i).kind, expected.at(i).kind);
    }
}

// A store of more than kMaxStateLeaves leaves is not read whole to tell a null side: the
// side the log cannot tell (here: no audit:read) stays unknown, and says so.
void TestDiffModel::bigStoreLeavesOpenSidesUnknown()
{
    InProcessDustlite dustlite;
    lite::StoreDb *db = startWithoutAuditToken(dustlite);
    QVERIFY(db);
    QList<std::pair<Path, QJsonValue>> filler;
    for (int i = 0; i <= NullSideResolver::kMaxStateLeaves; ++i)
        filler.append({path(QStringLiteral("filler/%1").arg(i)), i});
    QVERIFY(db->bulkSet(filler, QStringLiteral("dev")) > 0);
    const qint64 seqA = db->currentSeq();
    QVERIFY(set(*db, QStringLiteral("n/added"), QJsonValue::Null) > 0);
    const qint64 seqB = db->currentSeq();

    HttpTransport noAudit(dustlite.baseUrl(), QStringLiteral("dust_tok_noaudit"));
    const auto changes =
        sourceDiff(DiffSource(&noAudit, nullptr, kStore), seqA, seqB, Path(), this);
    QVERIFY(changes.has_value());
    QVERIFY2(*changes, *changes ? "" : qPrintable(changes->error().message()));
    QCOMPARE((*changes)->size(), 1);
    const DiffChange &change = (*changes)->first();
    QCOMPARE(change.path, QStringLiteral("n/added"));
    // "after" (null at seqB) is the side resolved; neither the log nor the state can tell it.
    QVERIFY(change.beforeUnknown || change.afterUnknown);
}

QTEST_GUILESS_MAIN(TestDiffModel)
#include "tst_diffmodel.moc"
