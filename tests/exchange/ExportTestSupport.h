#pragma once

// What the export suites share: the test store's awkward leaves, a run of an ExportJob to a
// file, NDJSON compared without its exported_at.

#include "TestAwait.h"
#include "exchange/ExportJob.h"
#include "transport/Transport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>

namespace dust::test::exporttest {

inline const QString kStore = QStringLiteral("local/demo");

// A store with what exports get wrong: escapes and unicode in paths, numbers Qt prints its
// own way, arrays, an envelope-like object, control characters, a node that is a value and
// a folder, with a sibling that sorts between the two ("tree/node-x").
inline QList<BatchOp> seedOps()
{
    auto set = [](const QStringList &segments, const QJsonValue &value) {
        BatchOp op;
        op.op = Op::Set;
        op.path = dust::test::segments(segments);
        op.value = value;
        return op;
    };
    return {
        set({QStringLiteral("users"), QStringLiteral("alice")},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("Alice")},
                        {QStringLiteral("age"), 30},
                        {QStringLiteral("prefs"),
                         QJsonObject{{QStringLiteral("theme"), QStringLiteral("dark")}}}}),
        set({QStringLiteral("users"), QStringLiteral("bob"), QStringLiteral("name")},
            QStringLiteral("Bob")),
        set({QStringLiteral("hello world"), QStringLiteral("title")},
            QStringLiteral("\u00dcn\u00efc\u00f8d\u00e9 \u20ac \U0001F600")),
        set({QStringLiteral("files"), QStringLiteral("image/logo")}, 1.5),
        set({QStringLiteral("k~tilde")}, -0.25),
        set({QStringLiteral("big")}, QJsonValue(qint64(9007199254740993))),
        set({QStringLiteral("huge")}, 1e300),
        set({QStringLiteral("arr")},
            QJsonArray{1, QStringLiteral("two"), QJsonValue(),
                       QJsonObject{{QStringLiteral("b"), 1}, {QStringLiteral("a"), 2}}}),
        set({QStringLiteral("ctrl")}, QStringLiteral("tab\there\nnew \u0001 \"q\" \\")),
        set({QStringLiteral("quote\"s"), QStringLiteral("back\\slash")}, true),
        set({QStringLiteral("nul")}, QJsonValue()),
        set({QStringLiteral("tree"), QStringLiteral("node")}, QStringLiteral("value")),
        set({QStringLiteral("tree"), QStringLiteral("node"), QStringLiteral("child")}, 1),
        set({QStringLiteral("tree"), QStringLiteral("node"), QStringLiteral("deep"),
             QStringLiteral("er")},
            false),
        set({QStringLiteral("tree"), QStringLiteral("node-x")}, 2),
    };
}

inline QByteArray withoutExportedAt(QByteArray bytes)
{
    static const QRegularExpression stamp(QStringLiteral("\"exported_at\":\"[^\"]*\""));
    return QString::fromUtf8(bytes).replace(stamp, QStringLiteral("\"exported_at\":\"\"")).toUtf8();
}

struct Run
{
    bool ok = false;
    QString words;
    QByteArray bytes;
    qint64 leaves = 0;
    bool streamed = false;
    qint64 seq = 0;
};

// `useServerExport` false pages a REST export whatever its scope.
inline Run runExport(Transport &transport, const ExportScope &scope, ExchangeFormat format,
                     const QString &fileName, bool useServerExport = true)
{
    Run run;
    ExportJob job(kStore, scope, format);
    job.setFileName(fileName);
    job.setUseServerExport(useServerExport);
    QSignalSpy finished(&job, &ExportJob::finished);
    job.start(&transport);
    if (!finished.wait(60000))
        return run;
    run.ok = finished.first().at(0).toBool();
    run.words = finished.first().at(1).toString();
    run.leaves = job.outcome().leaves;
    run.streamed = job.outcome().streamed;
    run.seq = job.outcome().seq;
    QFile file(fileName);
    if (file.open(QIODevice::ReadOnly))
        run.bytes = file.readAll();
    return run;
}

} // namespace dust::test::exporttest
