// DeletedPathsModel against a real dustlite on 127.0.0.1 (port 0): after a scripted sequence
// of writes and deletes, the paths at or under a node whose last op was a delete are listed,
// newest deletion first, with what they held just before (a leaf's value, a subtree
// assembled and each of its leaves, nothing for a delete of nothing); paths written again
// since are not. A delete of an ancestor lists the leaves it removed at or under the node,
// with their values (null included) and the delete that removed them; the row cap is said.
// Under QAbstractItemModelTester.

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "model/DeletedPathsModel.h"
#include "protocol/Values.h"
#include "transport/HttpTransport.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace dust;
using namespace dust::test;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kStore = u"local/demo"_s;

QJsonValue js(const char *json)
{
    return QJsonDocument::fromJson(QByteArray("[") + json + "]").array().first();
}

// The row of the deleted subtree a/y: its leaves assembled, previewed as the tree shows them.
QString ySubtree()
{
    return u"a/y 5 "_s + values::preview(js(R"({"k":"v"})"));
}

} // namespace

class TestDeletedPaths : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void deletedPathsWithTheirLastValues_data();
    void deletedPathsWithTheirLastValues();
    void failsInWordsWithoutAuditRead();
    void ancestorDeleteListsRemovedLeaves_data();
    void ancestorDeleteListsRemovedLeaves();
    void rowCapIsSaid();

private:
    // The rows as "path seq value deleted-with".
    static QStringList rowsOf(const DeletedPathsModel &model);
    bool load(DeletedPathsModel &model, const QString &node);
    qint64 put(const QString &rendered, const QJsonValue &value);
    qint64 remove(const QString &rendered);

    std::unique_ptr<InProcessDustlite> m_server;
    std::unique_ptr<HttpTransport> m_rest;
};

void TestDeletedPaths::init()
{
    m_server = std::make_unique<InProcessDustlite>();
    m_server->config().tokens = {{u"dust_tok_dev"_s, {}, {}},
                                 {u"dust_tok_noaudit"_s, {}, {u"entries:read"_s}}};
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_rest = std::make_unique<HttpTransport>(m_server->baseUrl(), u"dust_tok_dev"_s);
}

void TestDeletedPaths::cleanup()
{
    m_rest.reset();
    m_server.reset();
}

qint64 TestDeletedPaths::put(const QString &rendered, const QJsonValue &value)
{
    const auto written = await(m_rest->put(kStore, path(rendered), value));
    return written ? written->storeSeq : -1;
}

qint64 TestDeletedPaths::remove(const QString &rendered)
{
    const auto written = await(m_rest->remove(kStore, path(rendered)));
    return written ? written->storeSeq : -1;
}

void TestDeletedPaths::deletedPathsWithTheirLastValues_data()
{
    QTest::addColumn<QString>("node");
    // path, seq of the delete, last value preview
    QTest::addColumn<QStringList>("rows");
    const QStringList underA = {u"a/w 9 (nothing)"_s, ySubtree(),
                                u"a/y/k 5 "_s + values::preview(js(R"("v")")), u"a/x 4 1"_s};
    QTest::newRow("a subtree") << u"a"_s << underA;
    QTest::newRow("the whole store") << QString() << (QStringList{u"b 11 true"_s} + underA);
    QTest::newRow("a deleted leaf itself") << u"a/x"_s << QStringList{u"a/x 4 1"_s};
    QTest::newRow("a path written again") << u"a/z"_s << QStringList{};
}

void TestDeletedPaths::deletedPathsWithTheirLastValues()
{
    QFETCH(QString, node);
    QFETCH(QStringList, rows);
    QCOMPARE(put(u"a/x"_s, 1), 1);
    QCOMPARE(put(u"a/y"_s, js(R"({"k":"v"})")), 2);
    QCOMPARE(put(u"a/z"_s, 3), 3);
    QCOMPARE(remove(u"a/x"_s), 4); // a leaf
    QCOMPARE(remove(u"a/y"_s), 5); // a subtree
    QCOMPARE(put(u"a/z"_s, 4), 6);
    QCOMPARE(remove(u"a/z"_s), 7);
    QCOMPARE(put(u"a/z/deeper"_s, 5), 8); // a/z lives again, as a folder
    QCOMPARE(remove(u"a/w"_s), 9);        // nothing was there
    QCOMPARE(put(u"b"_s, true), 10);
    QCOMPARE(remove(u"b"_s), 11);

    DeletedPathsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy values(&model, &DeletedPathsModel::valuesLoaded);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setScope(m_rest.get(), kStore, node.isEmpty() ? Path() : path(node));
    QVERIFY2(values.wait(30000), qPrintable(model.errorText()));
    QVERIFY(model.valuesComplete());
    QStringList shown;
    for (int row = 0; row < model.rowCount(); ++row) {
        shown.append(model.index(row, DeletedPathsModel::PathColumn).data().toString() + ' '_L1 +
                     model.index(row, DeletedPathsModel::SeqColumn).data().toString() + ' '_L1 +
                     model.index(row, DeletedPathsModel::LastValueColumn).data().toString());
        QCOMPARE(model.index(row, 0).data(DeletedPathsModel::LastValueStateRole).toInt(),
                 int(DeletedPathsModel::ValueState::Known));
        QVERIFY(model.index(row, 0)
                    .data(DeletedPathsModel::DeviceRole)
                    .toString()
                    .startsWith("http:"_L1));
        QVERIFY(model.index(row, 0).data(DeletedPathsModel::DeletedAtRole).toDateTime().isValid());
    }
    QCOMPARE(shown, rows);
    if (!rows.isEmpty()) {
        // The exact values, not only their previews.
        const int y = int(rows.indexOf(ySubtree()));
        if (y >= 0)
            QCOMPARE(model.index(y, 0).data(DeletedPathsModel::LastValueRole).toJsonValue(),
                     js(R"({"k":"v"})"));
        QCOMPARE(model.pathAt(int(rows.size()) - 1), path(u"a/x"_s));
    }
    QCOMPARE(resets.count(), 1); // setScope() only: rows and values are not resets
}

void TestDeletedPaths::failsInWordsWithoutAuditRead()
{
    HttpTransport noAudit(m_server->baseUrl(), u"dust_tok_noaudit"_s);
    DeletedPathsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failed(&model, &DeletedPathsModel::loadFailed);
    model.setSource(&noAudit, kStore);
    QVERIFY(failed.wait(30000));
    QVERIFY(!model.isLoading());
    QVERIFY2(model.errorText().contains("audit:read"_L1), qPrintable(model.errorText()));
    QCOMPARE(model.rowCount(), 0);
}

QStringList TestDeletedPaths::rowsOf(const DeletedPathsModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row) {
        QStringList cells;
        for (const int column :
             {DeletedPathsModel::PathColumn, DeletedPathsModel::SeqColumn,
              DeletedPathsModel::LastValueColumn, DeletedPathsModel::DeletedByColumn})
            cells << model.index(row, column).data().toString();
        out << cells.join(' '_L1);
    }
    return out;
}

bool TestDeletedPaths::load(DeletedPathsModel &model, const QString &node)
{
    QSignalSpy values(&model, &DeletedPathsModel::valuesLoaded);
    model.setScope(m_rest.get(), kStore, node.isEmpty() ? Path() : path(node));
    return values.wait(30000) && model.valuesComplete() && model.errorText().isEmpty();
}

void TestDeletedPaths::ancestorDeleteListsRemovedLeaves_data()
{
    QTest::addColumn<QString>("node");
    QTest::addColumn<QStringList>("rows");
    const QString alice = values::preview(js(R"("Alice")"));
    const QStringList aliceRows{u"users/alice/age 5 30 users"_s,
                                u"users/alice/name 5 "_s + alice + u" users"_s};
    const QStringList all = aliceRows + QStringList{u"users/carol/name 5 null users"_s};
    QTest::newRow("a node under the deleted one") << u"users/alice"_s << aliceRows;
    QTest::newRow("a leaf under the deleted one")
        << u"users/alice/name"_s << QStringList{aliceRows.at(1)};
    QTest::newRow("the deleted node") << u"users"_s << all;
    QTest::newRow("the store") << QString() << all;
    QTest::newRow("a node written again") << u"users/bob"_s << QStringList{};
    QTest::newRow("a leaf written again") << u"users/bob/name"_s << QStringList{};
}

// users (alice with two leaves, bob, carol holding null) deleted in one op at seq 5; bob's
// name written again after it. "users" itself is there again (a folder), so it has no row.
void TestDeletedPaths::ancestorDeleteListsRemovedLeaves()
{
    QFETCH(QString, node);
    QFETCH(QStringList, rows);
    QCOMPARE(put(u"users/alice"_s, js(R"({"name":"Alice","age":30})")), 1);
    QCOMPARE(put(u"users/bob/name"_s, u"Bob"_s), 2);
    QCOMPARE(put(u"users/carol/name"_s, QJsonValue::Null), 3);
    QCOMPARE(put(u"other"_s, 1), 4);
    QCOMPARE(remove(u"users"_s), 5);
    QCOMPARE(put(u"users/bob/name"_s, u"Bobby"_s), 6);

    DeletedPathsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY2(load(model, node), qPrintable(model.errorText()));
    QCOMPARE(rowsOf(model), rows);
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex index = model.index(row, 0);
        QCOMPARE(index.data(DeletedPathsModel::DeletedByRole).toString(), u"users"_s);
        QCOMPARE(index.data(DeletedPathsModel::DeletedSeqRole).toLongLong(), 5);
        QVERIFY2(index.data(Qt::ToolTipRole).toString().contains(u"delete of users"_s),
                 qPrintable(index.data(Qt::ToolTipRole).toString()));
    }
    if (rows.size() == 3) // carol's leaf held null: a value, not "nothing"
        QVERIFY(model.index(2, 0).data(DeletedPathsModel::LastValueRole).toJsonValue().isNull());
    QVERIFY(model.limitText().isEmpty());
}

void TestDeletedPaths::rowCapIsSaid()
{
    QCOMPARE(put(u"users"_s, js(R"({"a":1,"b":2,"c":3})")), 1);
    QCOMPARE(remove(u"users"_s), 2);
    DeletedPathsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(2);
    QVERIFY2(load(model, QString()), qPrintable(model.errorText()));
    QCOMPARE(
        rowsOf(model),
        (QStringList{u"users 2 "_s + values::preview(js(R"({"a":1,"b":2,"c":3})")) + u" users"_s,
                     u"users/a 2 1 users"_s}));
    QVERIFY2(model.limitText().contains('2'_L1), qPrintable(model.limitText()));
    model.setMaxRows(10);
    model.reload();
    QSignalSpy values(&model, &DeletedPathsModel::valuesLoaded);
    QVERIFY(values.wait(30000));
    QCOMPARE(model.rowCount(), 4);
    QVERIFY(model.limitText().isEmpty());
}

QTEST_GUILESS_MAIN(TestDeletedPaths)
#include "tst_deletedpaths.moc"
