// HistoryModel against a real dustlite on 127.0.0.1 (port 0): a scripted sequence of writes
// by two devices (a WebSocket client with its own device id, and REST, whose device is
// "http:<token id>") read back as the history of a leaf and of subtrees exactly as written;
// paging with a small page; the op, device and since filters; live rows from the change
// stream, confirmed by the log without duplicates; and the error a token without audit:read
// gets. Under QAbstractItemModelTester throughout.

#include "../transport/SdkTestSupport.h"

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "model/HistoryModel.h"
#include "protocol/Values.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

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

const QString kStore = QStringLiteral("local/demo");
const QString kAlpha = QStringLiteral("dev_alpha");

QJsonValue js(const char *json)
{
    return QJsonDocument::fromJson(QByteArray("[") + json + "]").array().first();
}

// One op of the script, as the log must report it.
struct Step
{
    qint64 seq;
    QString op;
    QString path;
    QJsonValue value; // the log's value, unwrapped
    bool alpha;       // written by dev_alpha over the WebSocket, else over REST
    QString preview;  // the value column
};

using Seqs = QList<qint64>;

} // namespace

class TestHistoryModel : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void historyMatchesTheScript_data();
    void historyMatchesTheScript();
    void pagesWithASmallLimit();
    void filters_data();
    void filters();
    void liveRowsAreInsertedAndConfirmed();
    void forbiddenWithoutAuditRead();
    void unreachableSaysSo();
    void valuePreview_data();
    void valuePreview();

private:
    // Writes the script (seqs 1..10) and checks each seq as it commits.
    void writeScript();
    // A model on the node under QAbstractItemModelTester, with its first page read.
    std::unique_ptr<HistoryModel> modelFor(const QString &node, int pageSize = 100);
    static Seqs seqsOf(const HistoryModel &model);
    // Reads every page.
    static bool readAll(HistoryModel &model);

    QList<Step> m_script;
    QString m_restDevice;
    std::unique_ptr<InProcessDustlite> m_server;
    std::unique_ptr<HttpTransport> m_rest;
    std::unique_ptr<SdkTransport> m_alpha;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestHistoryModel::init()
{
    m_server = std::make_unique<InProcessDustlite>();
    m_server->config().tokens = {
        {QStringLiteral("dust_tok_dev"), {}, {}},
        {QStringLiteral("dust_tok_noaudit"),
         {},
         {QStringLiteral("entries:read"), QStringLiteral("entries:write")}}};
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_rest = std::make_unique<HttpTransport>(m_server->baseUrl(), QStringLiteral("dust_tok_dev"));
    SdkOptions options = sdkOptions(m_server->wsUrl());
    options.deviceId = kAlpha;
    m_alpha = std::make_unique<SdkTransport>(options);
    QVERIFY(sdktest::waitLive(*m_alpha, kStore));
}

void TestHistoryModel::cleanup()
{
    m_tester.reset();
    m_alpha.reset();
    m_rest.reset();
    m_server.reset();
}

void TestHistoryModel::writeScript()
{
    const Path alice = path(QStringLiteral("users/alice"));
    const Path name = path(QStringLiteral("users/alice/name"));
    const Path visits = path(QStringLiteral("users/alice/visits"));
    const Path tags = path(QStringLiteral("users/alice/tags"));
    auto seqOf = [](const Result<WriteResult> &r) {
        return r ? r->storeSeq : -1;
    };
    QCOMPARE(seqOf(await(m_alpha->put(kStore, alice, js(R"({"name":"Alice","age":30})")))), 1);
    QCOMPARE(seqOf(await(m_rest->put(kStore, name, QStringLiteral("Alicia")))), 2);
    QCOMPARE(seqOf(await(m_alpha->increment(kStore, visits, 5))), 3);
    QCOMPARE(seqOf(await(m_alpha->increment(kStore, visits, -2))), 4);
    QCOMPARE(seqOf(await(m_rest->put(kStore, path(QStringLiteral("users/bob/name")),
                                     QStringLiteral("Bob")))),
             5);
    QCOMPARE(seqOf(await(m_alpha->addMember(kStore, tags, QStringLiteral("x")))), 6);
    QCOMPARE(seqOf(await(m_alpha->removeMember(kStore, tags, QStringLiteral("x")))), 7);
    QCOMPARE(seqOf(await(m_rest->remove(kStore, name))), 8);
    QCOMPARE(seqOf(await(m_alpha->merge(kStore, alice, js(R"({"age":31})").toObject()))), 9);
    QCOMPARE(seqOf(await(m_rest->put(kStore, path(QStringLiteral("other")), 1))), 10);

    // The REST device is named after the token; read it from the log once.
    AuditQuery query;
    query.path = QStringLiteral("other");
    const auto page = await(m_rest->auditLog(kStore, query));
    QVERIFY(page && page->ops.size() == 1);
    m_restDevice = page->ops.first().deviceId;
    QVERIFY(m_restDevice.startsWith(QLatin1String("http:")));

    const QString minus(QChar(0x2212));
    auto same = [](const QJsonValue &value) {
        return values::preview(value);
    };
    const QJsonValue first = js(R"({"name":"Alice","age":30})");
    const QJsonValue merged = js(R"({"age":31})");
    m_script = {
        {1, u"set"_s, u"users/alice"_s, first, true, same(first)},
        {2, u"set"_s, u"users/alice/name"_s, u"Alicia"_s, false, u"Alicia"_s},
        {3, u"increment"_s, u"users/alice/visits"_s, 5, true, u"+5"_s},
        {4, u"increment"_s, u"users/alice/visits"_s, -2, true, minus + u"2"_s},
        {5, u"set"_s, u"users/bob/name"_s, u"Bob"_s, false, u"Bob"_s},
        {6, u"add"_s, u"users/alice/tags"_s, u"x"_s, true, u"+ x"_s},
        {7, u"remove"_s, u"users/alice/tags"_s, u"x"_s, true, minus + u" x"_s},
        {8, u"delete"_s, u"users/alice/name"_s, QJsonValue::Null, false, QString()},
        {9, u"merge"_s, u"users/alice"_s, merged, true, same(merged)},
        {10, u"set"_s, u"other"_s, 1, false, u"1"_s},
    };
}

std::unique_ptr<HistoryModel> TestHistoryModel::modelFor(const QString &node, int pageSize)
{
    auto model = std::make_unique<HistoryModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    model->setPageSize(pageSize);
    model->setNode(node.isEmpty() ? Path() : path(node));
    QSignalSpy page(model.get(), &HistoryModel::pageLoaded);
    model->setSource(m_rest.get(), kStore);
    if (!page.wait(30000))
        qWarning("the first page did not arrive: %s", qPrintable(model->errorText()));
    return model;
}

Seqs TestHistoryModel::seqsOf(const HistoryModel &model)
{
    Seqs seqs;
    for (int row = 0; row < model.rowCount(); ++row)
        seqs.append(model.opAt(row).storeSeq);
    return seqs;
}

bool TestHistoryModel::readAll(HistoryModel &model)
{
    for (int guard = 0; guard < 100 && model.canFetchMore(QModelIndex()); ++guard) {
        QSignalSpy page(&model, &HistoryModel::pageLoaded);
        model.fetchMore(QModelIndex());
        if (model.isLoading() && !page.wait(30000))
            return false;
    }
    return model.atEnd();
}

void TestHistoryModel::historyMatchesTheScript_data()
{
    QTest::addColumn<QString>("node");
    QTest::addColumn<Seqs>("seqs");
    // A set of an ancestor writes over its whole subtree; its merge only the fields it names.
    QTest::newRow("a leaf") << u"users/alice/name"_s << Seqs{8, 2, 1};
    QTest::newRow("a leaf merged into by its parent") << u"users/alice/age"_s << Seqs{9, 1};
    QTest::newRow("a counter") << u"users/alice/visits"_s << Seqs{4, 3, 1};
    QTest::newRow("a subtree: the node and everything under it")
        << u"users/alice"_s << Seqs{9, 8, 7, 6, 4, 3, 2, 1};
    QTest::newRow("a subtree with ops only below the node")
        << u"users"_s << Seqs{9, 8, 7, 6, 5, 4, 3, 2, 1};
    QTest::newRow("the whole store") << QString() << Seqs{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    QTest::newRow("nothing there") << u"nobody"_s << Seqs{};
}

void TestHistoryModel::historyMatchesTheScript()
{
    QFETCH(QString, node);
    QFETCH(Seqs, seqs);
    writeScript();
    auto model = modelFor(node);
    QVERIFY2(model->errorText().isEmpty(), qPrintable(model->errorText()));
    QCOMPARE(seqsOf(*model), seqs);
    QVERIFY(model->atEnd());
    QCOMPARE(model->totalOps(), qint64(seqs.size()));
    for (int row = 0; row < model->rowCount(); ++row) {
        const AuditOp op = model->index(row, 0).data(HistoryModel::AuditOpRole).value<AuditOp>();
        const Step &step = m_script.at(op.storeSeq - 1);
        const QByteArray where = "seq " + QByteArray::number(op.storeSeq) + " " +
                                 QJsonDocument(QJsonArray{op.value}).toJson(QJsonDocument::Compact);
        QVERIFY2(op.op == step.op, where.constData());
        QVERIFY2(op.path == step.path, where.constData());
        QVERIFY2(op.value == step.value, where.constData());
        QVERIFY2(op.deviceId == (step.alpha ? kAlpha : m_restDevice), where.constData());
        QCOMPARE(model->index(row, HistoryModel::ValueColumn).data().toString(), step.preview);
        QCOMPARE(model->index(row, HistoryModel::SeqColumn).data().toLongLong(), step.seq);
        QCOMPARE(model->index(row, HistoryModel::OpColumn).data().toString(), step.op);
        QCOMPARE(model->index(row, HistoryModel::PathColumn).data().toString(), step.path);
        QCOMPARE(model->index(row, HistoryModel::DeviceColumn).data().toString(), op.deviceId);
        QVERIFY(model->index(row, 0).data(HistoryModel::TimeRole).toDateTime().isValid());
        QVERIFY(!model->index(row, HistoryModel::TimeColumn).data().toString().isEmpty());
        QCOMPARE(model->index(row, 0).data(HistoryModel::LiveRole).toBool(), false);
    }
}

void TestHistoryModel::pagesWithASmallLimit()
{
    writeScript();
    // users/alice: 2 ops at the node itself, 6 under it, read two at a time from each query.
    auto model = modelFor(QStringLiteral("users/alice"), 2);
    QCOMPARE(seqsOf(*model), (Seqs{9, 8}));
    QCOMPARE(model->loadedPages(), 1);
    QVERIFY(model->canFetchMore(QModelIndex()));
    QSignalSpy resets(model.get(), &QAbstractItemModel::modelReset);
    QSignalSpy inserts(model.get(), &QAbstractItemModel::rowsInserted);
    QVERIFY(readAll(*model));
    QCOMPARE(seqsOf(*model), (Seqs{9, 8, 7, 6, 4, 3, 2, 1}));
    QCOMPARE(model->loadedPages(), 4);
    QVERIFY(!model->canFetchMore(QModelIndex()));
    QCOMPARE(resets.count(), 0);
    // Each page appended at the end, as one insertion.
    QCOMPARE(inserts.count(), 3);
    for (const QList<QVariant> &args : std::as_const(inserts))
        QCOMPARE(args.at(2).toInt() - args.at(1).toInt() + 1, 2);
    QCOMPARE(model->totalOps(), 8);
}

void TestHistoryModel::filters_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<bool>("byAlpha");
    QTest::addColumn<int>("sinceHours"); // 0 = none, else now + that many hours
    QTest::addColumn<Seqs>("seqs");
    QTest::newRow("op increment") << u"increment"_s << false << 0 << Seqs{4, 3};
    QTest::newRow("op delete") << u"delete"_s << false << 0 << Seqs{8};
    QTest::newRow("device alpha") << QString() << true << 0 << Seqs{9, 7, 6, 4, 3, 1};
    QTest::newRow("device alpha, op set") << u"set"_s << true << 0 << Seqs{1};
    QTest::newRow("since an hour ago") << QString() << false << -1 << Seqs{9, 8, 7, 6, 4, 3, 2, 1};
    QTest::newRow("since an hour ahead") << QString() << false << 1 << Seqs{};
}

void TestHistoryModel::filters()
{
    QFETCH(QString, op);
    QFETCH(bool, byAlpha);
    QFETCH(int, sinceHours);
    QFETCH(Seqs, seqs);
    writeScript();
    auto model = modelFor(QStringLiteral("users/alice"));
    QCOMPARE(model->rowCount(), 8);
    HistoryModel::Filter filter;
    filter.op = op;
    filter.deviceId = byAlpha ? kAlpha : QString();
    if (sinceHours != 0)
        filter.since = QDateTime::currentDateTimeUtc().addSecs(3600 * sinceHours);
    QSignalSpy page(model.get(), &HistoryModel::pageLoaded);
    model->setFilter(filter);
    QVERIFY(page.count() > 0 || page.wait(30000));
    QVERIFY(readAll(*model));
    QCOMPARE(seqsOf(*model), seqs);
}

void TestHistoryModel::liveRowsAreInsertedAndConfirmed()
{
    writeScript();
    auto model = modelFor(QStringLiteral("users/alice"));
    QCOMPARE(model->rowCount(), 8);
    auto subscription = sdktest::watch(*m_alpha, kStore, QStringLiteral("**"));
    connect(subscription.get(), &Subscription::changed, model.get(),
            [&model](const ChangeEvent &event) { model->applyLiveEvents({event}); });
    QSignalSpy resets(model.get(), &QAbstractItemModel::modelReset);
    QSignalSpy inserts(model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy confirmed(model.get(), &HistoryModel::liveRowsConfirmed);

    // A REST write nobody is told about, then a live one: the live row comes first, the
    // log then confirms it and brings in the REST op between, each once.
    QCOMPARE(await(m_rest->put(kStore, path(QStringLiteral("users/alice/age")), 40))->storeSeq, 11);
    QCOMPARE(
        await(m_alpha->increment(kStore, path(QStringLiteral("users/alice/visits")), 3))->storeSeq,
        12);
    QTRY_VERIFY_WITH_TIMEOUT(model->rowOfSeq(12) == 0, 10000);
    // Not under the node: never a row.
    QCOMPARE(await(m_alpha->put(kStore, path(QStringLiteral("users/bob/name")), 1))->storeSeq, 13);
    QVERIFY(confirmed.count() > 0 || confirmed.wait(10000));
    QTRY_COMPARE_WITH_TIMEOUT(seqsOf(*model), (Seqs{12, 11, 9, 8, 7, 6, 4, 3, 2, 1}), 10000);
    QCOMPARE(resets.count(), 0);
    QVERIFY(inserts.count() >= 2);
    const QModelIndex top = model->index(0, HistoryModel::ValueColumn);
    QCOMPARE(top.data().toString(), QStringLiteral("+3")); // the delta, from the log
    QCOMPARE(top.data(HistoryModel::LiveRole).toBool(), false);
    QCOMPARE(top.data(HistoryModel::DeviceRole).toString(), kAlpha);
    QCOMPARE(model->index(1, 0).data(HistoryModel::DeviceRole).toString(), m_restDevice);
    QCOMPARE(model->totalOps(), 10);

    // An event the model already shows changes nothing.
    ChangeEvent again;
    again.storeSeq = 12;
    again.op = Op::Increment;
    again.path = path(QStringLiteral("users/alice/visits"));
    again.value = 6;
    const int before = int(inserts.count());
    model->applyLiveEvents({again});
    QCOMPARE(int(inserts.count()), before);
    QCOMPARE(model->rowCount(), 10);
}

void TestHistoryModel::forbiddenWithoutAuditRead()
{
    HttpTransport noAudit(m_server->baseUrl(), QStringLiteral("dust_tok_noaudit"));
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failed(&model, &HistoryModel::loadFailed);
    model.setSource(&noAudit, kStore);
    QVERIFY(failed.wait(30000));
    QVERIFY2(model.errorText().contains(QLatin1String("audit:read")),
             qPrintable(model.errorText()));
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.canFetchMore(QModelIndex()));
}

void TestHistoryModel::unreachableSaysSo()
{
    // A port nothing listens on: the server that was there is gone.
    const QUrl gone = m_server->baseUrl();
    m_alpha.reset();
    m_rest.reset();
    m_server.reset();
    HttpTransport rest(gone, u"dust_tok_dev"_s);
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failed(&model, &HistoryModel::loadFailed);
    model.setSource(&rest, kStore);
    QVERIFY(failed.wait(30000));
    QVERIFY2(model.errorText().contains(u"cannot be reached"_s), qPrintable(model.errorText()));
    QCOMPARE(model.lastError()->kind(), Error::Kind::Network);
}

void TestHistoryModel::valuePreview_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("preview");
    const QString minus(QChar(0x2212));
    QTest::newRow("increment") << u"increment"_s << QJsonValue(5) << u"+5"_s;
    QTest::newRow("decrement") << u"increment"_s << QJsonValue(-2.5) << minus + u"2.5"_s;
    QTest::newRow("add") << u"add"_s << QJsonValue(u"m"_s) << u"+ m"_s;
    QTest::newRow("remove") << u"remove"_s << QJsonValue(3) << minus + u" 3"_s;
    QTest::newRow("set") << u"set"_s << QJsonValue(true) << u"true"_s;
    QTest::newRow("delete") << u"delete"_s << QJsonValue(QJsonValue::Null) << QString();
}

void TestHistoryModel::valuePreview()
{
    QFETCH(QString, op);
    QFETCH(QJsonValue, value);
    QFETCH(QString, preview);
    QCOMPARE(HistoryModel::valuePreview(op, value), preview);
}

QTEST_GUILESS_MAIN(TestHistoryModel)
#include "tst_historymodel.moc"
