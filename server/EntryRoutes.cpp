#include "EntryRoutes.h"

#include "RestJson.h"
#include "protocol/Glob.h"

#include <QJsonArray>

namespace dust::lite {

namespace {

constexpr int kMaxBatch = 1000;

QString emptyBodyDetail()
{
    return QStringLiteral("request body is empty; send a JSON value (an empty object {} can only "
                          "be written with POST …/entries)");
}

Expected<Path, HttpResponse> urlPath(const RestContext &ctx)
{
    using Result = Expected<Path, HttpResponse>;
    if (ctx.entryPath.toLower().contains("%2f"))
        return Result::failure(HttpResponse::invalidParams(
            QStringLiteral("path segments cannot contain %2F; write '/' inside a segment as ~1")));
    auto path = Path::fromUrlEncoded(ctx.entryPath);
    if (!path)
        return Result::failure(HttpResponse::invalidParams(pathErrorDetail(path.error())));
    return std::move(path).value();
}

Expected<Path, QString> bodyPath(const QJsonValue &value)
{
    using Result = Expected<Path, QString>;
    if (!value.isString())
        return Result::failure(QStringLiteral("path must be a string"));
    auto path = Path::parse(value.toString());
    if (!path)
        return Result::failure(QStringLiteral("invalid path: ") + pathErrorDetail(path.error()));
    return std::move(path).value();
}

bool isPreconditionReason(const QString &reason)
{
    return reason == QLatin1String("if_match_multi_leaf") ||
           reason == QLatin1String("if_absent_multi_leaf") ||
           reason == QLatin1String("invalid_precondition") ||
           reason == QLatin1String("if_match_unsupported_op") ||
           reason == QLatin1String("if_absent_unsupported_op");
}

QString preconditionDetail(const QString &reason)
{
    if (reason == QLatin1String("if_match_multi_leaf"))
        return QStringLiteral("If-Match needs a single leaf value, not an object");
    if (reason == QLatin1String("if_absent_multi_leaf"))
        return QStringLiteral("If-None-Match needs a single leaf value, not an object");
    if (reason == QLatin1String("invalid_precondition"))
        return QStringLiteral("use either if_match or if_absent, not both");
    return QStringLiteral("precondition not supported for this operation");
}

QJsonValue revisionOrNull(const std::optional<qint64> &revision)
{
    return revision ? QJsonValue(*revision) : QJsonValue(QJsonValue::Null);
}

// The answer to a failed single write (PUT, DELETE, body-path POST/DELETE).
HttpResponse internalError(const QString &reason)
{
    qWarning("dustlite: %s", qPrintable(reason));
    return HttpResponse::json(
        500, QJsonObject{{QStringLiteral("errors"),
                          QJsonObject{{QStringLiteral("detail"),
                                       QStringLiteral("Internal Server Error")}}}});
}

bool isStorageError(const QString &reason)
{
    return reason.startsWith(QLatin1String("storage_error"));
}

HttpResponse writeFailure(const WriteResult &result)
{
    const QString &reason = result.reason;
    if (isStorageError(reason))
        return internalError(reason);
    if (reason == QLatin1String("conflict") || reason == QLatin1String("exists"))
        return HttpResponse::json(412, QJsonObject{{QStringLiteral("error"), reason},
                                                   {QStringLiteral("current_revision"),
                                                    revisionOrNull(result.currentRevision)}});
    if (isPreconditionReason(reason)) {
        QJsonObject body = result.errorExtra;
        body.insert(QStringLiteral("error"), reason);
        body.insert(QStringLiteral("detail"), preconditionDetail(reason));
        return HttpResponse::json(400, body);
    }
    return HttpResponse::invalidParams(reason.isEmpty() ? QStringLiteral("write failed") : reason);
}

// A single write with who made it.
PreparedWrite single(const RestContext &ctx, WriteRequest write)
{
    write.deviceId = ctx.deviceId();
    write.clientOpId = ctx.clientOpId;
    PreparedWrite prepared;
    prepared.writes.append(std::move(write));
    return prepared;
}

HttpResponse requireJsonContentType()
{
    return HttpResponse::invalidParams(QStringLiteral("Content-Type must be application/json"));
}

// The JSON object body of a POST or DELETE, or the 400 answer.
Expected<QJsonObject, HttpResponse> objectBody(const RestContext &ctx)
{
    using Result = Expected<QJsonObject, HttpResponse>;
    if (!RestJson::hasJsonContentType(ctx.request))
        return Result::failure(requireJsonContentType());
    auto body = RestJson::parseObject(ctx.request.body);
    if (!body)
        return Result::failure(HttpResponse::invalidParams(body.error()));
    return std::move(body).value();
}

// Reads an If-Match header, when there is one, into `write`; the 400 answer when it is not
// a bare positive integer.
std::optional<HttpResponse> readIfMatchHeader(const RestContext &ctx, WriteRequest &write)
{
    const auto ifMatch = ctx.request.header("if-match");
    if (!ifMatch)
        return std::nullopt;
    write.ifMatch = RestJson::positiveInteger(QByteArrayView(*ifMatch));
    if (!write.ifMatch)
        return HttpResponse::invalidParams(QStringLiteral("If-Match must be a positive integer"));
    return std::nullopt;
}

// The members a body-path write and a batch_write op share: "path", "value" (required for a
// set; `missingValue` is the detail when it is absent) and an optional positive "if_match".
// Fails with the 400 detail.
Expected<WriteRequest, QString> writeMembers(const QJsonObject &object, Op op,
                                             const QString &missingValue)
{
    using Result = Expected<WriteRequest, QString>;
    auto path = bodyPath(object.value(QStringLiteral("path")));
    if (!path)
        return Result::failure(path.error());
    WriteRequest write;
    write.op = op;
    write.path = std::move(path).value();
    if (op == Op::Set) {
        if (!object.contains(QStringLiteral("value")))
            return Result::failure(missingValue);
        write.value = object.value(QStringLiteral("value"));
    }
    if (object.contains(QStringLiteral("if_match"))) {
        write.ifMatch = RestJson::positiveInteger(object.value(QStringLiteral("if_match")));
        if (!write.ifMatch)
            return Result::failure(QStringLiteral("if_match must be a positive integer"));
    }
    return write;
}

// A body-path request (POST or DELETE …/entries): its body and the write it describes.
struct BodyPathWrite
{
    QJsonObject body;
    WriteRequest write;
};

Expected<BodyPathWrite, HttpResponse> bodyPathWrite(const RestContext &ctx, Op op)
{
    using Result = Expected<BodyPathWrite, HttpResponse>;
    auto body = objectBody(ctx);
    if (!body)
        return Result::failure(body.error());
    auto write = writeMembers(*body, op, QStringLiteral("value is required (it may be null)"));
    if (!write)
        return Result::failure(HttpResponse::invalidParams(write.error()));
    return BodyPathWrite{std::move(body).value(), std::move(write).value()};
}

} // namespace

HttpResponse EntryRoutes::list(const RestContext &ctx)
{
    const auto parsed = parseListQuery(ctx.request.query);
    if (!parsed)
        return HttpResponse::error(400, parsed.error().reason(), parsed.error().detail());
    const ListQuery &query = *parsed;
    const ListPage page = ctx.reader->list(query);
    QJsonArray items;
    if (query.select == ListQuery::Select::Entries) {
        for (const Entry &entry : page.entries)
            items.append(RestJson::entryJson(entry));
    } else {
        for (const QString &path : page.paths)
            items.append(path);
    }
    return HttpResponse::json(
        200, QJsonObject{{QStringLiteral("items"), items},
                         {QStringLiteral("next_cursor"), page.nextCursor.isEmpty()
                                                             ? QJsonValue(QJsonValue::Null)
                                                             : QJsonValue(page.nextCursor)}});
}

HttpResponse EntryRoutes::get(const RestContext &ctx)
{
    auto path = urlPath(ctx);
    if (!path)
        return path.error();
    const auto entry = ctx.reader->get(*path);
    if (!entry)
        return HttpResponse::error(404, QStringLiteral("not_found"));
    HttpResponse response = HttpResponse::json(200, RestJson::entryJson(*entry));
    response.setHeader("etag", '"' + QByteArray::number(entry->revision) + '"');
    return response;
}

EntryRoutes::Prepared EntryRoutes::preparePut(const RestContext &ctx)
{
    auto path = urlPath(ctx);
    if (!path)
        return Prepared::failure(path.error());

    WriteRequest write;
    write.op = Op::Set;
    write.path = *path;
    const auto ifNoneMatch = ctx.request.header("if-none-match");
    if (ifNoneMatch && ctx.request.header("if-match"))
        return Prepared::failure(HttpResponse::invalidParams(
            QStringLiteral("If-Match and If-None-Match are mutually exclusive")));
    if (auto invalid = readIfMatchHeader(ctx, write))
        return Prepared::failure(std::move(*invalid));
    if (ifNoneMatch) {
        if (ifNoneMatch->trimmed() != "*")
            return Prepared::failure(
                HttpResponse::invalidParams(QStringLiteral("If-None-Match must be *")));
        write.ifAbsent = true;
    }

    if (ctx.request.body.trimmed().isEmpty())
        return Prepared::failure(HttpResponse::invalidParams(emptyBodyDetail()));
    if (!RestJson::hasJsonContentType(ctx.request))
        return Prepared::failure(requireJsonContentType());
    auto value = RestJson::parseValue(ctx.request.body);
    if (!value)
        return Prepared::failure(HttpResponse::invalidParams(value.error()));
    if (value->isObject() && value->toObject().isEmpty())
        return Prepared::failure(HttpResponse::invalidParams(emptyBodyDetail()));
    write.value = *value;
    return single(ctx, std::move(write));
}

EntryRoutes::Prepared EntryRoutes::prepareRemove(const RestContext &ctx)
{
    auto path = urlPath(ctx);
    if (!path)
        return Prepared::failure(path.error());
    WriteRequest write;
    write.op = Op::Delete;
    write.path = *path;
    if (auto invalid = readIfMatchHeader(ctx, write))
        return Prepared::failure(std::move(*invalid));
    return single(ctx, std::move(write));
}

EntryRoutes::Prepared EntryRoutes::preparePostBodyPath(const RestContext &ctx)
{
    auto request = bodyPathWrite(ctx, Op::Set);
    if (!request)
        return Prepared::failure(request.error());
    WriteRequest &write = request->write;
    const QJsonObject &body = request->body;
    if (body.contains(QStringLiteral("if_absent"))) {
        const QJsonValue ifAbsent = body.value(QStringLiteral("if_absent"));
        if (!ifAbsent.isBool())
            return Prepared::failure(
                HttpResponse::invalidParams(QStringLiteral("if_absent must be true or false")));
        write.ifAbsent = ifAbsent.toBool();
    }
    if (write.ifMatch && write.ifAbsent)
        return Prepared::failure(HttpResponse::invalidParams(
            QStringLiteral("if_match and if_absent are mutually exclusive")));
    return single(ctx, std::move(write));
}

EntryRoutes::Prepared EntryRoutes::prepareDeleteBodyPath(const RestContext &ctx)
{
    auto request = bodyPathWrite(ctx, Op::Delete);
    if (!request)
        return Prepared::failure(request.error());
    return single(ctx, std::move(request->write));
}

HttpResponse EntryRoutes::batchRead(const RestContext &ctx)
{
    auto body = objectBody(ctx);
    if (!body)
        return body.error();
    const QJsonValue pathsValue = body->value(QStringLiteral("paths"));
    if (!pathsValue.isArray())
        return HttpResponse::invalidParams(QStringLiteral("paths required"));
    const QJsonArray paths = pathsValue.toArray();
    if (paths.size() > kMaxBatch)
        return HttpResponse::invalidParams(QStringLiteral("maximum 1000 paths per batch"));

    QList<Path> parsed;
    parsed.reserve(paths.size());
    for (const QJsonValue &value : paths) {
        if (!value.isString())
            return HttpResponse::invalidParams(QStringLiteral("paths must be strings"));
        auto path = Path::parse(value.toString());
        if (!path)
            return HttpResponse::invalidParams(QStringLiteral("invalid path: ") + value.toString());
        parsed.append(std::move(path).value());
    }

    QJsonObject entries;
    QJsonArray missing;
    for (const Path &path : parsed) {
        if (const auto entry = ctx.reader->getLeaf(path)) {
            entries.insert(path.rendered(),
                           QJsonObject{{QStringLiteral("value"), entry->value},
                                       {QStringLiteral("type"), entry->type},
                                       {QStringLiteral("revision"), entry->revision}});
        } else if (!missing.contains(path.rendered())) {
            missing.append(path.rendered());
        }
    }
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("entries"), entries},
                                               {QStringLiteral("missing"), missing}});
}

EntryRoutes::Prepared EntryRoutes::prepareBatchWrite(const RestContext &ctx)
{
    auto body = objectBody(ctx);
    if (!body)
        return Prepared::failure(body.error());
    const QJsonValue opsValue = body->value(QStringLiteral("ops"));
    if (!opsValue.isArray() || opsValue.toArray().isEmpty() ||
        opsValue.toArray().size() > kMaxBatch)
        return Prepared::failure(HttpResponse::invalidParams(
            QStringLiteral("ops must be a list of 1..1000 operations")));
    const QJsonArray ops = opsValue.toArray();

    QList<WriteRequest> writes;
    writes.reserve(ops.size());
    for (qsizetype i = 0; i < ops.size(); ++i) {
        const QString prefix = QStringLiteral("op %1: ").arg(i);
        if (!ops.at(i).isObject())
            return Prepared::failure(
                HttpResponse::invalidParams(prefix + QStringLiteral("must be an object")));
        const QJsonObject op = ops.at(i).toObject();
        Op kind = Op::Set;
        const QJsonValue name = op.value(QStringLiteral("op"));
        if (name == QJsonValue(QStringLiteral("set")))
            kind = Op::Set;
        else if (name == QJsonValue(QStringLiteral("delete")))
            kind = Op::Delete;
        else if (name.isString())
            return Prepared::failure(HttpResponse::invalidParams(
                prefix + QStringLiteral("unknown op \"%1\"").arg(name.toString())));
        else
            return Prepared::failure(HttpResponse::invalidParams(
                prefix + QStringLiteral("op must be \"set\" or \"delete\"")));
        auto parsed = writeMembers(op, kind, QStringLiteral("value is required for set"));
        if (!parsed)
            return Prepared::failure(HttpResponse::invalidParams(prefix + parsed.error()));
        WriteRequest write = std::move(parsed).value();
        write.deviceId = ctx.deviceId();
        write.clientOpId = ctx.clientOpId + QLatin1Char(':') + QString::number(i);
        writes.append(std::move(write));
    }
    return PreparedWrite{std::move(writes), true};
}

HttpResponse EntryRoutes::writeAnswer(const WriteResult &result)
{
    if (!result.ok)
        return writeFailure(result);
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("revision"), result.storeSeq},
                                               {QStringLiteral("store_seq"), result.storeSeq}});
}

HttpResponse EntryRoutes::batchAnswer(const PreparedWrite &prepared, const BatchResult &result)
{
    const QList<WriteRequest> &writes = prepared.writes;

    if (!result.ok) {
        const int index = result.failedIndex;
        const QString failedPath =
            index >= 0 && index < writes.size() ? writes.at(index).path.rendered() : QString();
        const QString &reason = result.failure.reason;
        if (isStorageError(reason))
            return internalError(reason);
        QJsonObject answer{{QStringLiteral("error"), reason},
                           {QStringLiteral("op_index"), index},
                           {QStringLiteral("path"), failedPath}};
        if (reason == QLatin1String("conflict")) {
            answer.insert(QStringLiteral("current_revision"),
                          revisionOrNull(result.failure.currentRevision));
            return HttpResponse::json(412, answer);
        }
        if (isPreconditionReason(reason)) {
            answer.insert(QStringLiteral("detail"), preconditionDetail(reason));
            return HttpResponse::json(400, answer);
        }
        answer.insert(QStringLiteral("error"), QStringLiteral("invalid_params"));
        answer.insert(QStringLiteral("detail"), QStringLiteral("op %1: %2").arg(index).arg(reason));
        return HttpResponse::json(400, answer);
    }

    QJsonArray applied;
    for (qsizetype i = 0; i < result.ops.size(); ++i) {
        const WriteResult &op = result.ops.at(i);
        applied.append(QJsonObject{{QStringLiteral("path"), writes.at(i).path.rendered()},
                                   {QStringLiteral("revision"), op.storeSeq},
                                   {QStringLiteral("store_seq"), op.storeSeq}});
    }
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("ops"), applied},
                                               {QStringLiteral("store_seq"), result.storeSeq}});
}

} // namespace dust::lite
