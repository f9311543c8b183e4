#pragma once

// Shared by the import suites: a dustlite with an empty target store, an HTTP transport to
// it, reading a store back leaf by leaf and running an import to its end.

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestHttp.h"
#include "exchange/ImportJob.h"
#include "exchange/ImportPlan.h"
#include "exchange/ImportReader.h"
#include "transport/HttpTransport.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace importtest {

using namespace dust;
using namespace Qt::Literals::StringLiterals;

inline const QString kSource = u"local/demo"_s;
inline const QString kTarget = u"local/second"_s;

struct Fixture
{
    std::unique_ptr<test::InProcessDustlite> server;
    std::unique_ptr<HttpTransport> transport;
    std::unique_ptr<test::TestHttp> http;

    bool start()
    {
        server = std::make_unique<test::InProcessDustlite>();
        server->config().stores = {kSource, kTarget};
        if (!server->start())
            return false;
        transport = std::make_unique<HttpTransport>(server->baseUrl(), u"dust_tok_dev"_s);
        http = std::make_unique<test::TestHttp>(server->baseUrl());
        return true;
    }

    // The export of `store` (dustlite's GET …/export?format=jsonl).
    QByteArray exportOf(const QString &store) const
    {
        return http->get("/api/stores/" + store.toUtf8() + "/export?format=jsonl").body;
    }

    // Every leaf of `store` as {"path","value","type"} objects in path order (the export's
    // lines without the header).
    QList<QJsonObject> leavesOf(const QString &store) const
    {
        QList<QJsonObject> leaves;
        for (const QByteArray &line : exportOf(store).split('\n')) {
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            if (!object.isEmpty() && !object.contains(u"_header"_s))
                leaves.append(object);
        }
        return leaves;
    }

    qint64 put(const QString &store, const QByteArray &path, const QByteArray &json) const
    {
        const auto r = http->put(test::TestHttp::entries("/" + path, store.toUtf8()), json);
        return r.status == 200 ? r.object().value(u"store_seq"_s).toInteger() : -1;
    }

    Expected<ImportData, ImportFileError> read(const QByteArray &text,
                                               std::optional<ExchangeFormat> format = {}) const
    {
        QBuffer buffer;
        buffer.setData(text);
        buffer.open(QIODevice::ReadOnly);
        return ImportReader::read(buffer, format);
    }

    Result<ImportPlan> plan(const QList<ImportLeaf> &leaves, ImportMode mode = ImportMode::Merge,
                            const QString &store = kTarget, const Path &target = {}) const
    {
        QObject context;
        return test::await(
            ImportPlan::build(transport.get(), store, target, leaves, mode, &context));
    }
};

// Runs `job` to its end: whether it succeeded and its words.
inline std::pair<bool, QString> run(ImportJob &job)
{
    QSignalSpy finished(&job, &ImportJob::finished);
    job.start();
    if (finished.isEmpty() && !finished.wait(60000))
        return {false, u"the job did not finish"_s};
    return {finished.first().at(0).toBool(), finished.first().at(1).toString()};
}

} // namespace importtest
