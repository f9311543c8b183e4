// The REST success-body parsers on their own: bytes in, typed results (or a Protocol error
// that says what is wrong) out. No server involved; each result is compared as one line of
// text so that every field shows in a failure.

#include "transport/RestReplies.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace dust;

namespace {

QString jsonText(const QJsonValue &value)
{
    if (value.isUndefined())
        return QStringLiteral("undefined");
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.sliced(1, array.size() - 2));
}

QString describe(const Entry &entry)
{
    return QStringLiteral("%1@%2 %3 %4")
        .arg(entry.path.rendered())
        .arg(entry.revision)
        .arg(entry.type, jsonText(entry.value));
}

QString describe(const ListPage &page)
{
    QStringList items;
    for (const Entry &entry : page.entries)
        items.append(describe(entry));
    items.append(page.paths);
    QString text = items.join(QStringLiteral(" | "));
    if (!page.nextCursor.isEmpty())
        text += QStringLiteral(" next=") + page.nextCursor;
    return text;
}

QString describe(const WriteResult &result)
{
    return QStringLiteral("seq=%1 extra=%2")
        .arg(result.storeSeq)
        .arg(QString::fromUtf8(QJsonDocument(result.extra).toJson(QJsonDocument::Compact)));
}

QString describe(const BatchWriteResult &result)
{
    QStringList revisions;
    for (const qint64 revision : result.revisions)
        revisions.append(QString::number(revision));
    return QStringLiteral("seq=%1 revisions=%2").arg(result.storeSeq).arg(revisions.join(u','));
}

QString describe(const AuditPage &page)
{
    QStringList ops;
    for (const AuditOp &op : page.ops)
        ops.append(QStringList{QString::number(op.storeSeq), op.op, op.path, jsonText(op.value),
                               op.deviceId, op.insertedAt}
                       .join(u','));
    return QStringLiteral("page %1/%2 of %3: %4")
        .arg(page.page)
        .arg(page.totalPages)
        .arg(page.total)
        .arg(ops.join(QStringLiteral(" | ")));
}

QString describe(const QList<DiffChange> &changes)
{
    QStringList out;
    for (const DiffChange &change : changes)
        out.append(QStringLiteral("%1: %2 -> %3")
                       .arg(change.path, jsonText(change.before), jsonText(change.after)));
    return out.join(QStringLiteral(" | "));
}

QString describe(const QList<StoreInfo> &stores)
{
    QStringList out;
    for (const StoreInfo &info : stores)
        out.append(
            QStringList{info.id, info.name, info.fullName, info.status, info.insertedAt}.join(
                u','));
    return out.join(QStringLiteral(" | "));
}

// The common columns: the body, the result as text, or (when `error` is set) a Protocol
// error whose detail contains `error`.
void addColumns()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("error");
}

template <typename T> void verify(const Result<T> &result)
{
    QFETCH(QString, expected);
    QFETCH(QString, error);
    if (error.isEmpty()) {
        if (!result)
            QFAIL(qPrintable(QStringLiteral("unexpected error: ") + result.error().message()));
        QCOMPARE(describe(*result), expected);
        return;
    }
    QVERIFY2(!result, "expected a Protocol error, got a value");
    QCOMPARE(result.error().kind(), Error::Kind::Protocol);
    QVERIFY2(result.error().detail().contains(error), qPrintable(result.error().detail()));
    QVERIFY(!result.error().retryable());
}

Path testPath(const QString &rendered)
{
    auto parsed = Path::parse(rendered);
    if (!parsed)
        qFatal("bad test path %s", qPrintable(rendered));
    return parsed.value();
}

} // namespace

class TestRestReplies : public QObject
{
    Q_OBJECT

private slots:
    void listPage_data();
    void listPage();
    void entry_data();
    void entry();
    void writeResult_data();
    void writeResult();
    void batchWriteResult_data();
    void batchWriteResult();
    void auditPage_data();
    void auditPage();
    void diffChanges_data();
    void diffChanges();
    void stores_data();
    void stores();
};

void TestRestReplies::listPage_data()
{
    addColumns();
    QTest::addColumn<int>("select");
    const int entries = int(ListQuery::Select::Entries);
    const int keys = int(ListQuery::Select::Keys);
    const int prefixes = int(ListQuery::Select::Prefixes);

    QTest::newRow("entries")
        << QByteArray(R"({"items":[{"path":"a","value":1,"type":"integer","revision":3},)"
                      R"({"path":"b~1c","value":{"x":[1]},"type":"map","revision":4}],)"
                      R"("next_cursor":"b~1c"})")
        << QStringLiteral(R"(a@3 integer 1 | b~1c@4 map {"x":[1]} next=b~1c)") << QString()
        << entries;
    QTest::newRow("value missing is null") << QByteArray(R"({"items":[{"path":"a","revision":1}]})")
                                           << QStringLiteral("a@1  null") << QString() << entries;
    QTest::newRow("keys") << QByteArray(R"({"items":["a","b/c"],"next_cursor":null})")
                          << QStringLiteral("a | b/c") << QString() << keys;
    QTest::newRow("prefixes") << QByteArray(R"({"items":["users","users~1x"],"next_cursor":"x"})")
                              << QStringLiteral("users | users~1x next=x") << QString() << prefixes;
    QTest::newRow("empty") << QByteArray(R"({"items":[]})") << QString() << QString() << entries;
    QTest::newRow("garbage") << QByteArray("{\"items\": [1, 2,") << QString()
                             << QStringLiteral("the server's answer to a listing is not valid JSON")
                             << entries;
    QTest::newRow("empty body") << QByteArray() << QString() << QStringLiteral("is not valid JSON")
                                << keys;
    QTest::newRow("array") << QByteArray("[1,2,3]") << QString()
                           << QStringLiteral("the server's answer to a listing is not a JSON "
                                             "object: [1,2,3]")
                           << entries;
    QTest::newRow("no items") << QByteArray(R"({"next_cursor":null})") << QString()
                              << QStringLiteral("the listing has no items array") << entries;
    QTest::newRow("bad item path")
        << QByteArray(R"({"items":[{"path":"a//b","revision":1}]})") << QString()
        << QStringLiteral("listing item 0: invalid path \"a//b\"") << entries;
    QTest::newRow("no path") << QByteArray(R"({"items":[{"revision":1}]})") << QString()
                             << QStringLiteral("listing item 0: no path") << entries;
    QTest::newRow("no revision") << QByteArray(R"({"items":[{"path":"a","value":1}]})") << QString()
                                 << QStringLiteral("listing item 0: no integer revision")
                                 << entries;
    QTest::newRow("fractional revision")
        << QByteArray(R"({"items":[{"path":"a","revision":1},{"path":"b","revision":1.5}]})")
        << QString() << QStringLiteral("listing item 1: no integer revision") << entries;
    QTest::newRow("huge revision")
        << QByteArray(R"({"items":[{"path":"a","revision":1e300}]})") << QString()
        << QStringLiteral("listing item 0: no integer revision") << entries;
    QTest::newRow("item not an object")
        << QByteArray(R"({"items":[5]})") << QString()
        << QStringLiteral("listing item 0: not an object") << entries;
    QTest::newRow("key not a string")
        << QByteArray(R"({"items":["a",1]})") << QString()
        << QStringLiteral("listing item 1 is not a path string") << keys;
    QTest::newRow("bad cursor") << QByteArray(R"({"items":[],"next_cursor":5})") << QString()
                                << QStringLiteral("next_cursor is not a string") << entries;
}

void TestRestReplies::listPage()
{
    QFETCH(QByteArray, body);
    QFETCH(int, select);
    verify(restreplies::listPage(body, static_cast<ListQuery::Select>(select)));
}

void TestRestReplies::entry_data()
{
    addColumns();
    QTest::addColumn<QByteArray>("etag");

    QTest::newRow("full") << QByteArray(
                                 R"({"path":"a/b","value":"x","type":"string","revision":9})")
                          << QStringLiteral(R"(a/b@9 string "x")") << QString() << QByteArray();
    QTest::newRow("path from the request")
        << QByteArray(R"({"value":true,"type":"boolean","revision":2})")
        << QStringLiteral("p/q@2 boolean true") << QString() << QByteArray();
    QTest::newRow("revision from the etag")
        << QByteArray(R"({"value":1,"type":"integer"})") << QStringLiteral("p/q@42 integer 1")
        << QString() << QByteArray("\"42\"");
    QTest::newRow("weak etag") << QByteArray(R"({"value":1,"type":"integer"})")
                               << QStringLiteral("p/q@7 integer 1") << QString()
                               << QByteArray("W/\"7\"");
    QTest::newRow("etag with spaces")
        << QByteArray(R"({"value":null,"type":"null"})") << QStringLiteral("p/q@5 null null")
        << QString() << QByteArray(" \"5\" ");
    QTest::newRow("unquoted etag")
        << QByteArray(R"({"value":[1,2],"type":"string"})") << QStringLiteral("p/q@11 string [1,2]")
        << QString() << QByteArray("11");
    QTest::newRow("the body's revision wins")
        << QByteArray(R"({"value":1,"type":"integer","revision":3})")
        << QStringLiteral("p/q@3 integer 1") << QString() << QByteArray("\"8\"");
    QTest::newRow("no revision") << QByteArray(R"({"value":1})") << QString()
                                 << QStringLiteral("the entry read from p/q: no integer revision")
                                 << QByteArray("\"abc\"");
    QTest::newRow("null path") << QByteArray(R"({"path":null,"value":1,"revision":1})") << QString()
                               << QStringLiteral("the entry read from p/q: no path")
                               << QByteArray();
    QTest::newRow("not json") << QByteArray("<html>hello</html>") << QString()
                              << QStringLiteral("the server's answer to a read is not valid JSON")
                              << QByteArray("\"1\"");
}

void TestRestReplies::entry()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, etag);
    verify(restreplies::entry(body, etag, testPath(QStringLiteral("p/q"))));
}

void TestRestReplies::writeResult_data()
{
    addColumns();
    QTest::newRow("store_seq") << QByteArray(R"({"store_seq":5,"revision":5})")
                               << QStringLiteral(R"(seq=5 extra={"revision":5})") << QString();
    QTest::newRow("revision only") << QByteArray(R"({"revision":4})")
                                   << QStringLiteral(R"(seq=4 extra={"revision":4})") << QString();
    QTest::newRow("extra fields") << QByteArray(R"({"store_seq":6,"lease_token":"t","noop":false})")
                                  << QStringLiteral(
                                         R"(seq=6 extra={"lease_token":"t","noop":false})")
                                  << QString();
    QTest::newRow("no seq") << QByteArray(R"({"ok":true})") << QString()
                            << QStringLiteral(R"(the write reply has no store_seq: {"ok":true})");
    QTest::newRow("not an object")
        << QByteArray("[5]") << QString()
        << QStringLiteral("the server's answer to a write is not a JSON object: [5]");
}

void TestRestReplies::writeResult()
{
    QFETCH(QByteArray, body);
    verify(restreplies::writeResult(body));
}

void TestRestReplies::batchWriteResult_data()
{
    addColumns();
    QTest::addColumn<int>("count");
    QTest::newRow("revisions") << QByteArray(
                                      R"({"store_seq":9,"ops":[{"revision":8},{"revision":9}]})")
                               << QStringLiteral("seq=9 revisions=8,9") << QString() << 2;
    QTest::newRow("store_seq per op") << QByteArray(R"({"store_seq":3,"ops":[{"store_seq":3}]})")
                                      << QStringLiteral("seq=3 revisions=3") << QString() << 1;
    QTest::newRow("fewer ops than sent")
        << QByteArray(R"({"store_seq":9,"ops":[{"revision":8},{"revision":9}]})") << QString()
        << QStringLiteral("the batch reply has 2 ops for 3 sent") << 3;
    QTest::newRow("op without revision") << QByteArray(R"({"store_seq":3,"ops":[{}]})") << QString()
                                         << QStringLiteral("a batch reply op has no revision") << 1;
    QTest::newRow("no ops") << QByteArray(R"({"store_seq":3})") << QString()
                            << QStringLiteral(
                                   R"(the batch reply lacks store_seq or ops: {"store_seq":3})")
                            << 1;
    QTest::newRow("no seq") << QByteArray(R"({"ops":[{"revision":1}]})") << QString()
                            << QStringLiteral("the batch reply lacks store_seq or ops") << 1;
}

void TestRestReplies::batchWriteResult()
{
    QFETCH(QByteArray, body);
    QFETCH(int, count);
    verify(restreplies::batchWriteResult(body, count));
}

void TestRestReplies::auditPage_data()
{
    addColumns();
    QTest::newRow("ops")
        << QByteArray(R"({"ops":[{"store_seq":4,"op":"set","path":"a","value":{"_scalar":1},)"
                      R"("device_id":"d1","inserted_at":"2024-01-01T00:00:00Z"},)"
                      R"({"store_seq":3,"op":"delete","path":"b","value":{"x":1}}],)"
                      R"("pagination":{"page":2,"total_pages":5,"total":41}})")
        << QStringLiteral(
               R"(page 2/5 of 41: 4,set,a,1,d1,2024-01-01T00:00:00Z | 3,delete,b,{"x":1},,)")
        << QString();
    QTest::newRow("no pagination")
        << QByteArray(R"({"ops":[]})") << QStringLiteral("page 1/0 of 0: ") << QString();
    QTest::newRow("op without store_seq")
        << QByteArray(R"({"ops":[{"op":"set","path":"a"}]})") << QString()
        << QStringLiteral("an audit op has no store_seq");
    QTest::newRow("no ops") << QByteArray(R"({"pagination":{}})") << QString()
                            << QStringLiteral("the audit log has no ops array");
}

void TestRestReplies::auditPage()
{
    QFETCH(QByteArray, body);
    verify(restreplies::auditPage(body));
}

void TestRestReplies::diffChanges_data()
{
    addColumns();
    QTest::newRow("changes")
        << QByteArray(R"({"changes":[{"path":"a","before":1,"after":2},{"path":"b","after":"x"}]})")
        << QStringLiteral(R"(a: 1 -> 2 | b: undefined -> "x")") << QString();
    QTest::newRow("none") << QByteArray(R"({"changes":[]})") << QString() << QString();
    QTest::newRow("change without path") << QByteArray(R"({"changes":[{"before":1}]})") << QString()
                                         << QStringLiteral("a diff change has no path");
    QTest::newRow("no changes") << QByteArray(R"({"error":"x"})") << QString()
                                << QStringLiteral(
                                       "the server's answer to a diff has no changes array");
}

void TestRestReplies::diffChanges()
{
    QFETCH(QByteArray, body);
    verify(restreplies::diffChanges(body));
}

void TestRestReplies::stores_data()
{
    addColumns();
    QTest::newRow("stores")
        << QByteArray(R"({"stores":[{"id":"1","name":"site","full_name":"acme/site",)"
                      R"("status":"active","inserted_at":"t"},{"full_name":"acme/b"}]})")
        << QStringLiteral("1,site,acme/site,active,t | ,,acme/b,,") << QString();
    QTest::newRow("store without full_name")
        << QByteArray(R"({"stores":[{"id":"1","name":"site"}]})") << QString()
        << QStringLiteral("a store has no full_name");
    QTest::newRow("no stores") << QByteArray(R"({"stores":{}})") << QString()
                               << QStringLiteral(
                                      "the server's answer to a store listing has no stores array");
}

void TestRestReplies::stores()
{
    QFETCH(QByteArray, body);
    verify(restreplies::stores(body));
}

QTEST_GUILESS_MAIN(TestRestReplies)
#include "tst_restreplies.moc"
