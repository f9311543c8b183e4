// ImportPlan and ImportJob against a real dustlite over real sockets: the preview's counts and
// revisions, types that round-trip exactly, the demo store's export re-imported leaf by leaf,
// a bad file that writes nothing, conflicts after the preview, replace mode and cancel.

#include "ImportTestSupport.h"

#include "Seeder.h"
#include "StoreDb.h"

#include <QJsonArray>

using namespace importtest;

class TestImportJob : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void planSortsLeavesWithTheirRevisions();
    void planUnderATargetIgnoresNeighbours();
    void typedValuesRoundTripExactly_data();
    void typedValuesRoundTripExactly();
    void demoExportReimportsIdentically();
    void malformedLine3Of10WritesNothing();
    void changeAfterPreviewStopsWithAConflict_data();
    void changeAfterPreviewStopsWithAConflict();
    void replaceModeRemoves();
    void cancelStopsBetweenBatches();

private:
    Fixture m_f;
};

void TestImportJob::init()
{
    QVERIFY2(m_f.start(), qPrintable(m_f.server->errorString()));
}

void TestImportJob::cleanup()
{
    m_f = Fixture();
}

void TestImportJob::planSortsLeavesWithTheirRevisions()
{
    const qint64 a = m_f.put(kTarget, "a", "1");
    const qint64 b = m_f.put(kTarget, "b", "2");
    const qint64 c = m_f.put(kTarget, "c", R"("keep?")");
    QVERIFY(a > 0 && b > 0 && c > 0);
    const auto data = m_f.read(R"({"path":"a","value":1,"type":"integer"})"
                               "\n"
                               R"({"path":"b","value":5,"type":"integer"})"
                               "\n"
                               R"({"path":"d","value":4})"
                               "\n"
                               R"({"path":"a","value":1})"
                               "\n");
    QVERIFY(data);
    const auto merge = m_f.plan(data->leaves);
    QVERIFY2(merge, qPrintable(merge ? QString() : merge.error().message()));
    QCOMPARE(merge->created.size(), 1);
    QCOMPARE(merge->created.first().path.rendered(), u"d"_s);
    QCOMPARE(merge->created.first().revision, 0);
    QCOMPARE(merge->changed.size(), 1);
    QCOMPARE(merge->changed.first().path.rendered(), u"b"_s);
    QCOMPARE(merge->changed.first().revision, b);
    QCOMPARE(merge->changed.first().current, QJsonValue(2));
    QCOMPARE(merge->unchanged.size(), 1); // "a" given twice counts once
    QCOMPARE(merge->unchanged.first().revision, a);
    QVERIFY(merge->removed.isEmpty());
    QCOMPARE(merge->summary(), u"1 to create, 1 to change, 1 unchanged"_s);

    const auto replace = m_f.plan(data->leaves, ImportMode::Replace);
    QVERIFY(replace);
    QCOMPARE(replace->removed.size(), 1);
    QCOMPARE(replace->removed.first().path.rendered(), u"c"_s);
    QCOMPARE(replace->removed.first().revision, c);
    QCOMPARE(replace->summary(), u"1 to create, 1 to change, 1 to remove, 1 unchanged"_s);
}

void TestImportJob::planUnderATargetIgnoresNeighbours()
{
    // The listing of [t, t0) also holds "t-x" and "t.y": not under t.
    QVERIFY(m_f.put(kTarget, "t", "0") > 0);
    QVERIFY(m_f.put(kTarget, "t/in", "1") > 0);
    QVERIFY(m_f.put(kTarget, "t-x", "2") > 0);
    QVERIFY(m_f.put(kTarget, "t.y", "3") > 0);
    QVERIFY(m_f.put(kTarget, "*/z", "4") > 0);
    const auto data = m_f.read(R"({"in":1,"new":2})");
    QVERIFY(data);
    const auto plan = m_f.plan(data->leaves, ImportMode::Replace, kTarget, test::path(u"t"_s));
    QVERIFY(plan);
    QCOMPARE(plan->unchanged.size(), 1);
    QCOMPARE(plan->created.size(), 1);
    QCOMPARE(plan->created.first().path.rendered(), u"t/new"_s);
    QCOMPARE(plan->removed.size(), 1); // the leaf at t itself
    QCOMPARE(plan->removed.first().path.rendered(), u"t"_s);
    // A target named "*" is a literal segment, not a wildcard.
    const auto star = m_f.plan(data->leaves, ImportMode::Replace, kTarget, test::path(u"*"_s));
    QVERIFY(star);
    QCOMPARE(star->removed.size(), 1);
    QCOMPARE(star->removed.first().path.rendered(), u"*/z"_s);
}

void TestImportJob::typedValuesRoundTripExactly_data()
{
    QTest::addColumn<QString>("kind");
    for (const char *kind :
         {"counter", "float counter", "set", "file", "lease", "null", "float", "integer",
          "integral float", "array typed string", "string", "boolean", "list"})
        QTest::newRow(kind) << QString::fromLatin1(kind);
}

void TestImportJob::typedValuesRoundTripExactly()
{
    QFETCH(QString, kind);
    lite::StoreDb *db = m_f.server->store(kSource);
    QVERIFY(db);
    const Path at = test::path(u"typed/leaf"_s);
    const auto write = [&](Op op, const QJsonValue &value) {
        lite::WriteRequest request;
        request.op = op;
        request.path = at;
        request.value = value;
        request.deviceId = u"test"_s;
        request.clientOpId = u"op_%1"_s.arg(db->currentSeq() + 1);
        request.holder = u"worker"_s;
        return db->write(request).ok;
    };
    if (kind == u"counter"_s)
        QVERIFY(write(Op::Increment, 5) && write(Op::Increment, 3));
    else if (kind == u"float counter"_s)
        QVERIFY(write(Op::Increment, 0.25));
    else if (kind == u"set"_s)
        QVERIFY(write(Op::Add, u"b"_s) && write(Op::Add, u"a"_s));
    else if (kind == u"file"_s)
        QVERIFY(db->putFile(at, "bytes", u"f.txt"_s, u"text/plain"_s, u"t"_s, u"op_f"_s).ok);
    else if (kind == u"lease"_s)
        QVERIFY(write(Op::Lease, {}));
    else if (kind == u"null"_s)
        QVERIFY(write(Op::Set, QJsonValue::Null));
    else if (kind == u"float"_s)
        QVERIFY(write(Op::Set, 2.5));
    else if (kind == u"integer"_s)
        QVERIFY(write(Op::Set, 2));
    else if (kind == u"integral float"_s)
        QVERIFY(m_f.http
                    ->post("/api/stores/local/demo/import",
                           R"({"path":"typed/leaf","value":2.0,"type":"float"})")
                    .status == 200);
    else if (kind == u"array typed string"_s)
        QVERIFY(write(Op::Set, QJsonArray{1, u"x"_s, QJsonArray{}}));
    else if (kind == u"string"_s)
        QVERIFY(write(Op::Set, u"s"_s));
    else if (kind == u"boolean"_s)
        QVERIFY(write(Op::Set, false));
    else if (kind == u"list"_s)
        QVERIFY(m_f.http
                    ->post("/api/stores/local/demo/import",
                           R"({"path":"typed/leaf","value":[1],"type":"list"})")
                    .status == 200);
    const QList<QJsonObject> source = m_f.leavesOf(kSource);
    QCOMPARE(source.size(), 1);

    const auto data = m_f.read(m_f.exportOf(kSource));
    QVERIFY2(data, qPrintable(data ? QString() : data.error().text()));
    const auto plan = m_f.plan(data->leaves);
    QVERIFY(plan);
    QCOMPARE(plan->created.size(), 1);
    ImportJob job(m_f.transport.get(), kTarget, *plan);
    const auto [ok, words] = run(job);
    QVERIFY2(ok, qPrintable(words));
    QCOMPARE(m_f.leavesOf(kTarget), source);
}

void TestImportJob::demoExportReimportsIdentically()
{
    QVERIFY(lite::seedDemo(*m_f.server->store(kSource)) > 0);
    const auto data = m_f.read(m_f.exportOf(kSource));
    QVERIFY2(data, qPrintable(data ? QString() : data.error().text()));
    QCOMPARE(data->format, ExchangeFormat::Ndjson);
    QVERIFY(!data->header.isEmpty());
    const auto plan = m_f.plan(data->leaves);
    QVERIFY(plan);
    QCOMPARE(plan->created.size(), data->leaves.size());
    ImportJob job(m_f.transport.get(), kTarget, *plan);
    QSignalSpy progress(&job, &ImportJob::progress);
    const auto [ok, words] = run(job);
    QVERIFY2(ok, qPrintable(words));
    QVERIFY2(words.startsWith(u"Imported: %1 to create"_s.arg(data->leaves.size())),
             qPrintable(words));
    QCOMPARE(progress.last().at(0).toLongLong(), qint64(data->leaves.size()));
    const QList<QJsonObject> source = m_f.leavesOf(kSource);
    QVERIFY(source.size() > 40);
    QCOMPARE(m_f.leavesOf(kTarget), source);

    // Again: everything is unchanged now.
    const auto again = m_f.plan(data->leaves);
    QVERIFY(again);
    QCOMPARE(again->unchanged.size(), data->leaves.size());
    QCOMPARE(again->writeCount(), 0);
}

void TestImportJob::malformedLine3Of10WritesNothing()
{
    QByteArray text;
    for (int i = 1; i <= 10; ++i) {
        if (i == 3)
            text += R"({"path":"k3","value":)"
                    "\n"; // cut short
        else
            text += R"({"path":"k)" + QByteArray::number(i) +
                    R"(","value":1})"
                    "\n";
    }
    const auto data = m_f.read(text);
    QVERIFY(!data);
    QCOMPARE(data.error().line, 3);
    QVERIFY2(data.error().text().startsWith(u"line 3, column "_s), qPrintable(data.error().text()));
    // Nothing reached the store: the file is refused before a plan exists.
    QVERIFY(m_f.leavesOf(kTarget).isEmpty());
}

void TestImportJob::changeAfterPreviewStopsWithAConflict_data()
{
    QTest::addColumn<QByteArray>("changed");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("a changed leaf") << QByteArray("b/2") << QByteArray("99");
    QTest::newRow("a leaf to create") << QByteArray("b/new") << QByteArray("1");
    QTest::newRow("a typed leaf") << QByteArray("b/counter") << QByteArray("8");
}

void TestImportJob::changeAfterPreviewStopsWithAConflict()
{
    QFETCH(QByteArray, changed);
    QFETCH(QByteArray, json);
    QVERIFY(m_f.put(kTarget, "b/1", "1") > 0);
    QVERIFY(m_f.put(kTarget, "b/2", "2") > 0);
    QVERIFY(m_f.http
                ->post("/api/stores/local/second/import",
                       R"({"path":"b/counter","value":1,"type":"counter"})")
                .status == 200);
    const auto data = m_f.read(R"({"path":"b/1","value":10})"
                               "\n"
                               R"({"path":"b/2","value":20})"
                               "\n"
                               R"({"path":"b/counter","value":7,"type":"counter"})"
                               "\n"
                               R"({"path":"b/new","value":"n"})"
                               "\n");
    QVERIFY(data);
    const auto plan = m_f.plan(data->leaves);
    QVERIFY(plan);
    QCOMPARE(plan->changed.size(), 3);
    QCOMPARE(plan->created.size(), 1);
    // A second client writes after the preview.
    QVERIFY(m_f.put(kTarget, changed, json) > 0);
    const QList<QJsonObject> before = m_f.leavesOf(kTarget);

    ImportJob job(m_f.transport.get(), kTarget, *plan);
    const auto [ok, words] = run(job);
    QVERIFY(!ok);
    QCOMPARE(job.conflictPath(), QString::fromUtf8(changed));
    QVERIFY2(words.contains(QString::fromUtf8(changed)), qPrintable(words));
    QVERIFY2(words.startsWith(u"Stopped: "_s), qPrintable(words));
    // The second client's value stands.
    QCOMPARE(m_f.http->get(test::TestHttp::entries("/" + changed, "local/second"))
                 .object()
                 .value(u"value"_s),
             QJsonDocument::fromJson("[" + json + "]").array().first());
    // A batch_write is atomic: b/1 shares the batch of b/2, so it was not written either.
    if (changed == "b/2")
        QCOMPARE(m_f.leavesOf(kTarget), before);
}

void TestImportJob::replaceModeRemoves()
{
    QVERIFY(m_f.put(kTarget, "r/keep", "1") > 0);
    QVERIFY(m_f.put(kTarget, "r/drop", "2") > 0);
    QVERIFY(m_f.put(kTarget, "other", "3") > 0);
    const auto data = m_f.read(R"({"keep":1,"add":2})");
    QVERIFY(data);
    const auto plan = m_f.plan(data->leaves, ImportMode::Replace, kTarget, test::path(u"r"_s));
    QVERIFY(plan);
    QCOMPARE(plan->removed.size(), 1);
    ImportJob job(m_f.transport.get(), kTarget, *plan);
    const auto [ok, words] = run(job);
    QVERIFY2(ok, qPrintable(words));
    QStringList paths;
    for (const QJsonObject &leaf : m_f.leavesOf(kTarget))
        paths.append(leaf.value(u"path"_s).toString());
    QCOMPARE(paths, (QStringList{u"other"_s, u"r/add"_s, u"r/keep"_s}));
}

void TestImportJob::cancelStopsBetweenBatches()
{
    QList<ImportLeaf> leaves;
    for (int i = 0; i < 2500; ++i)
        leaves.append(
            ImportLeaf{test::path(u"many/%1"_s.arg(i, 4, 10, QLatin1Char('0'))), i, {}, 0});
    const auto plan = m_f.plan(leaves);
    QVERIFY(plan);
    ImportJob job(m_f.transport.get(), kTarget, *plan);
    QSignalSpy finished(&job, &ImportJob::finished);
    QSignalSpy progress(&job, &ImportJob::progress);
    job.start();
    job.cancel(); // the first batch is on its way; nothing after it goes
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QVERIFY2(finished.first().at(1).toString().startsWith(u"Cancelled after 1000 of 2500"_s),
             qPrintable(finished.first().at(1).toString()));
    QCOMPARE(job.written(), 1000);
    QCOMPARE(m_f.leavesOf(kTarget).size(), 1000);
    QCOMPARE(progress.last().at(0).toLongLong(), 1000);
}

QTEST_GUILESS_MAIN(TestImportJob)
#include "tst_importjob.moc"
