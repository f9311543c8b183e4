// HttpTransport's batch read (getLeaves, dust-protocol.md §4.5) and import (importLines,
// §4.7) against a real dustlite, and what a server without the import route reads as.

#include "HttpTestSupport.h"

using namespace httptest;
using namespace Qt::Literals::StringLiterals;

class TestHttpTransportImport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void getLeavesReadsExactLeavesOnly();
    void getLeavesRefusesMoreThan1000Paths();
    void importLinesKeepsTypesAndAnswersPerLine();
    void importLinesNeedsTheWriteScope();
    void missingImportRouteIsNotImplemented();
    void baseTransportDoesNotSupportThem();

private:
    TestServer m_server;
};

void TestHttpTransportImport::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestHttpTransportImport::cleanupTestCase()
{
    m_server.stop();
}

void TestHttpTransportImport::getLeavesReadsExactLeavesOnly()
{
    const auto http = m_server.transport();
    EXPECT_OK(await(http->put(store(), path(u"gl/a"_s), 1)));
    EXPECT_OK(await(http->put(store(), path(u"gl/folder/x"_s), u"x"_s)));
    const auto leaves = await(
        http->getLeaves(store(), {path(u"gl/a"_s), path(u"gl/folder"_s), path(u"gl/none"_s)}));
    EXPECT_OK(leaves);
    QCOMPARE(leaves->size(), 1); // the folder is not assembled, the missing one left out
    QCOMPARE(leaves->first().path, path(u"gl/a"_s));
    QCOMPARE(leaves->first().value, QJsonValue(1));
    QCOMPARE(leaves->first().type, u"integer"_s);
    QVERIFY(leaves->first().revision > 0);
    const auto none = await(http->getLeaves(store(), {}));
    EXPECT_OK(none);
    QVERIFY(none->isEmpty());
}

void TestHttpTransportImport::getLeavesRefusesMoreThan1000Paths()
{
    const auto http = m_server.transport();
    QList<Path> paths;
    for (int i = 0; i < 1001; ++i)
        paths.append(path(u"p%1"_s.arg(i)));
    EXPECT_ERROR(await(http->getLeaves(store(), paths)), Error::Kind::InvalidParams);
}

void TestHttpTransportImport::importLinesKeepsTypesAndAnswersPerLine()
{
    const auto http = m_server.transport();
    const QByteArray body = R"({"_header":true})"
                            "\n"
                            R"({"path":"il/c","value":7,"type":"counter"})"
                            "\n"
                            R"({"path":"il//bad","value":1})"
                            "\n"
                            R"({"path":"il/s","value":["a"],"type":"set"})"
                            "\n";
    const auto reply = await(http->importLines(store(), body));
    EXPECT_OK(reply);
    QCOMPARE(reply->imported, 2);
    QCOMPARE(reply->failed, 1);
    QCOMPARE(reply->lines.size(), 4);
    QVERIFY(reply->lines.at(0).skipped);
    QCOMPARE(reply->lines.at(1).path, u"il/c"_s);
    QVERIFY(reply->lines.at(1).revision > 0);
    QCOMPARE(reply->lines.at(2).line, 3);
    QCOMPARE(reply->lines.at(2).error, u"invalid_path"_s);
    QVERIFY(!reply->lines.at(2).detail.isEmpty());
    QCOMPARE(reply->storeSeq, reply->lines.at(3).revision);
    const auto counter = await(http->get(store(), path(u"il/c"_s)));
    EXPECT_OK(counter);
    QCOMPARE(counter->type, u"counter"_s);
    EXPECT_ERROR(await(http->importLines(store(), "  \n")), Error::Kind::InvalidParams);
}

void TestHttpTransportImport::importLinesNeedsTheWriteScope()
{
    const auto http = m_server.transport(kReadOnlyToken);
    EXPECT_ERROR(await(http->importLines(store(), R"({"path":"x","value":1})")),
                 Error::Kind::Forbidden);
}

void TestHttpTransportImport::missingImportRouteIsNotImplemented()
{
    FakeHttpServer fake([](const RawRequest &, const FakeHttpServer::Exchange &exchange) {
        exchange.send(FakeHttpServer::response(404, R"({"errors":{"detail":"Not Found"}})"));
    });
    HttpTransport http(fake.baseUrl(), kToken);
    EXPECT_ERROR(await(http.importLines(store(), R"({"path":"x","value":1})")),
                 Error::Kind::NotImplemented);
}

void TestHttpTransportImport::baseTransportDoesNotSupportThem()
{
    // A transport that implements only the required operations.
    class Minimal : public Transport
    {
    public:
        QFuture<Result<ListPage>> list(const QString &, const ListQuery &) override { return {}; }
        QFuture<Result<Entry>> get(const QString &, const Path &) override { return {}; }
        QFuture<Result<bool>> exists(const QString &, const Path &) override { return {}; }
        QFuture<Result<dust::WriteResult>> put(const QString &, const Path &, const QJsonValue &,
                                               const WriteOptions &) override
        {
            return {};
        }
        QFuture<Result<dust::WriteResult>> remove(const QString &, const Path &,
                                                  const WriteOptions &) override
        {
            return {};
        }
        QFuture<Result<BatchWriteResult>> batchWrite(const QString &,
                                                     const QList<BatchOp> &) override
        {
            return {};
        }
        Result<std::shared_ptr<Subscription>> subscribe(const QString &, const QString &,
                                                        const SubscribeOptions &) override
        {
            return Result<std::shared_ptr<Subscription>>::failure(Error::notSupported({}));
        }
        void unsubscribe(const std::shared_ptr<Subscription> &) override {}
    } minimal;
    EXPECT_ERROR(await(minimal.getLeaves(store(), {path(u"a"_s)})), Error::Kind::NotSupported);
    EXPECT_ERROR(await(minimal.importLines(store(), "{}")), Error::Kind::NotSupported);
}

QTEST_GUILESS_MAIN(TestHttpTransportImport)
#include "tst_httptransport_import.moc"
