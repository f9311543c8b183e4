#include "StoreRoutes.h"

#include "FileHeaders.h"

#include "RestJson.h"
#include "protocol/Glob.h"

#include <QJsonArray>

namespace dust::lite {

QList<std::pair<QString, StoreDb *>> StoreRoutes::visibleStores(const RestContext &ctx)
{
    QList<std::pair<QString, StoreDb *>> stores;
    for (const QString &name : ctx.registry.knownNames()) {
        if (!ctx.principal.canAccess(name))
            continue;
        if (StoreDb *db = ctx.registry.find(name))
            stores.append({name, db});
    }
    return stores;
}

HttpResponse StoreRoutes::listStores(const RestContext &ctx)
{
    QJsonArray stores;
    for (const auto &[name, db] : visibleStores(ctx)) {
        stores.append(
            QJsonObject{{QStringLiteral("id"), db->id()},
                        {QStringLiteral("name"), name.mid(name.indexOf(QLatin1Char('/')) + 1)},
                        {QStringLiteral("full_name"), name},
                        {QStringLiteral("status"), QStringLiteral("active")},
                        {QStringLiteral("inserted_at"), db->insertedAt()},
                        {QStringLiteral("expires_at"), QJsonValue(QJsonValue::Null)}});
    }
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("org"), ctx.principal.org},
                                               {QStringLiteral("stores"), stores}});
}

HttpResponse StoreRoutes::auditLog(const RestContext &ctx)
{
    const auto query = parseAuditQuery(ctx.request.query);
    if (!query)
        return HttpResponse::error(400, query.error().reason(), query.error().detail());
    return HttpResponse::json(200, ctx.reader->auditLog(*query));
}

HttpResponse StoreRoutes::diff(const RestContext &ctx)
{
    const auto fromText = ctx.request.queryValue(u"from_seq");
    const auto from = fromText ? RestJson::nonNegativeInteger(*fromText) : std::nullopt;
    if (!from)
        return HttpResponse::invalidParams(
            QStringLiteral("from_seq must be a non-negative integer"));
    qint64 to = ctx.reader->currentSeq();
    if (const auto toText = ctx.request.queryValue(u"to_seq")) {
        const auto parsed = RestJson::nonNegativeInteger(*toText);
        if (!parsed)
            return HttpResponse::invalidParams(
                QStringLiteral("to_seq must be a non-negative integer"));
        to = *parsed;
    }
    if (to < *from)
        return HttpResponse::invalidParams(QStringLiteral("to_seq must not be below from_seq"));
    qint64 earliest = 0;
    const auto changes = ctx.reader->diff(*from, to, &earliest);
    if (!changes)
        return HttpResponse::json(
            409, QJsonObject{{QStringLiteral("error"), QStringLiteral("compacted")},
                             {QStringLiteral("earliest_available"), earliest}});
    return HttpResponse::json(200, *changes);
}

HttpResponse StoreRoutes::exportStore(const RestContext &ctx)
{
    const QString format = ctx.request.queryValue(u"format").value_or(QStringLiteral("jsonl"));
    if (format != QLatin1String("jsonl"))
        return HttpResponse::invalidParams(
            format == QLatin1String("sqlite")
                ? QStringLiteral("format=sqlite is not available from dustlite; use format=jsonl")
                : QStringLiteral("format must be jsonl"));
    HttpResponse response;
    response.status = 200;
    response.setHeader("content-type", "application/x-ndjson; charset=utf-8");
    QString fileName = ctx.storeName;
    fileName.replace(QLatin1Char('/'), QLatin1Char('-'));
    response.setHeader("content-disposition",
                       "attachment; filename=\"" + fileName.toUtf8() + ".jsonl\"");
    StoreReader *reader = ctx.reader;
    response.stream = [reader](const HttpResponse::Sink &sink) {
        reader->exportJsonl([&sink](const QByteArray &line) {
            if (line.endsWith('\n'))
                sink(line);
            else
                sink(line + '\n');
        });
    };
    return response;
}

HttpResponse StoreRoutes::file(const QList<StoreDb *> &stores, const FileReader &read)
{
    for (StoreDb *db : stores) {
        QString contentType;
        QString fileName;
        const auto content = read(db, &contentType, &fileName);
        if (!content)
            continue;
        HttpResponse response;
        response.status = 200;
        response.body = *content;
        FileHeaders::apply(response, contentType, fileName);
        return response;
    }
    return HttpResponse::error(404, QStringLiteral("not_found"));
}

HttpResponse StoreRoutes::realtime(const RestContext &ctx)
{
    const QString host =
        ctx.request.host.isEmpty() ? QStringLiteral("127.0.0.1") : ctx.request.host;
    return HttpResponse::json(
        426,
        QJsonObject{{QStringLiteral("error"), QStringLiteral("upgrade_required")},
                    {QStringLiteral("detail"),
                     QStringLiteral("Realtime is via WebSocket: connect to ws_url + /websocket "
                                    "with token, device_id, capver=3 and vsn=2.0.0, then join "
                                    "store:%1")
                         .arg(ctx.storeName)},
                    {QStringLiteral("ws_url"), QStringLiteral("ws://%1/ws/sync").arg(host)},
                    {QStringLiteral("docs"), QStringLiteral("https://dustlayer.io/docs")}});
}

} // namespace dust::lite
