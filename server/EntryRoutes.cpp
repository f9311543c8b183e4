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
        return Result::failure(
            HttpResponse::invalidParams(RestJson::pathErrorDetail(path.error())));
    return std::move(path).value();
}

Expected<Path, QString> bodyPath(const QJsonValue &value)
{
    using Result = Expected<Path, QString>;
    if (!value.isString())
        return Result::failure(QStringLiteral("path must be a string"));
    auto path = Path::parse(value.toString());
    if (!path)
        return Result::failure(QStringLiteral("invalid path: ") +
                               RestJson::pathErrorDetail(path.error()));
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

HttpResponse commit(const RestContext &ctx, WriteRequest &request)
{
    request.deviceId = ctx.deviceId();
    request.clientOpId = ctx.clientOpId;
    const WriteResult result = ctx.store->write(request);
    if (!result.ok)
        return writeFailure(result);
    if (result.event)
        ctx.registry.notifyCommitted(ctx.storeName, *result.event, false);
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("revision"), result.storeSeq},
                                               {QStringLiteral("store_seq"), result.storeSeq}});
}

HttpResponse requireJsonContentType()
{
    return HttpResponse::invalidParams(QStringLiteral("Content-Type must be application/json"));
}

} // namespace

HttpResponse EntryRoutes::list(const RestContext &ctx)
{
    const HttpRequest &request = ctx.request;
    const auto pattern = request.queryValue(u"pattern");
    const auto from = request.queryValue(u"from");
    const auto to = request.queryValue(u"to");
    if (pattern && (from || to))
        return HttpResponse::error(400, QStringLiteral("conflicting_params"),
                                   QStringLiteral("use either pattern or from/to, not both"));
    if (from && !to)
        return HttpResponse::invalidParams(QStringLiteral("from requires to"));
    if (to && !from)
        return HttpResponse::invalidParams(QStringLiteral("to requires from"));

    ListQuery query;
    const bool rangeMode = from.has_value();
    std::optional<Glob> glob;
    if (rangeMode) {
        auto fromPath = Path::parse(*from);
        if (!fromPath)
            return HttpResponse::invalidParams(QStringLiteral("from must be a valid path: ") +
                                               RestJson::pathErrorDetail(fromPath.error()));
        auto toPath = Path::parse(*to);
        if (!toPath)
            return HttpResponse::invalidParams(QStringLiteral("to must be a valid path: ") +
                                               RestJson::pathErrorDetail(toPath.error()));
        query.from = std::move(fromPath).value();
        query.to = std::move(toPath).value();
    } else {
        query.pattern = pattern.value_or(QStringLiteral("**"));
        if (query.pattern.isEmpty())
            return HttpResponse::invalidParams(
                QStringLiteral("pattern must be a non-empty string"));
        auto compiled = Glob::compile(query.pattern);
        if (!compiled)
            return HttpResponse::invalidParams(QStringLiteral("pattern has empty segments"));
        glob = std::move(compiled).value();
    }

    if (const auto limit = request.queryValue(u"limit")) {
        const auto n = RestJson::nonNegativeInteger(*limit);
        if (!n || *n < 1 || *n > kMaxBatch)
            return HttpResponse::invalidParams(QStringLiteral("limit must be 1..1000"));
        query.limit = static_cast<int>(*n);
    }
    if (const auto order = request.queryValue(u"order")) {
        if (*order == QLatin1String("desc"))
            query.descending = true;
        else if (*order != QLatin1String("asc"))
            return HttpResponse::invalidParams(QStringLiteral("order must be asc or desc"));
    }
    if (const auto select = request.queryValue(u"select")) {
        if (*select == QLatin1String("keys")) {
            query.select = ListQuery::Select::Keys;
        } else if (*select == QLatin1String("prefixes")) {
            if (rangeMode)
                return HttpResponse::error(
                    400, QStringLiteral("unsupported_select"),
                    QStringLiteral("select=prefixes not supported for range"));
            bool literalBase = glob->endsWithMany();
            for (qsizetype i = 0; literalBase && i + 1 < glob->segments().size(); ++i)
                literalBase = glob->segments().at(i).kind == Glob::Kind::Literal;
            if (!literalBase)
                return HttpResponse::error(
                    400, QStringLiteral("invalid_pattern_for_prefixes"),
                    QStringLiteral("select=prefixes needs the pattern ** or <base>/**"));
            query.select = ListQuery::Select::Prefixes;
        } else if (*select != QLatin1String("entries")) {
            return HttpResponse::invalidParams(
                QStringLiteral("select must be entries, keys or prefixes"));
        }
    }
    query.after = request.queryValue(u"after").value_or(QString());

    const ListPage page = ctx.store->list(query);
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
    const auto entry = ctx.store->get(*path);
    if (!entry)
        return HttpResponse::error(404, QStringLiteral("not_found"));
    HttpResponse response = HttpResponse::json(200, RestJson::entryJson(*entry));
    response.setHeader("etag", '"' + QByteArray::number(entry->revision) + '"');
    return response;
}

HttpResponse EntryRoutes::put(const RestContext &ctx)
{
    auto path = urlPath(ctx);
    if (!path)
        return path.error();

    WriteRequest write;
    write.op = Op::Set;
    write.path = *path;
    const auto ifMatch = ctx.request.header("if-match");
    const auto ifNoneMatch = ctx.request.header("if-none-match");
    if (ifMatch && ifNoneMatch)
        return HttpResponse::error(
            400, QStringLiteral("invalid_precondition"),
            QStringLiteral("use either If-Match or If-None-Match, not both"));
    if (ifMatch) {
        write.ifMatch = RestJson::positiveInteger(QByteArrayView(*ifMatch));
        if (!write.ifMatch)
            return HttpResponse::invalidParams(
                QStringLiteral("If-Match must be a positive integer"));
    }
    if (ifNoneMatch) {
        if (ifNoneMatch->trimmed() != "*")
            return HttpResponse::invalidParams(QStringLiteral("If-None-Match must be *"));
        write.ifAbsent = true;
    }

    if (ctx.request.body.trimmed().isEmpty())
        return HttpResponse::invalidParams(emptyBodyDetail());
    if (!RestJson::hasJsonContentType(ctx.request))
        return requireJsonContentType();
    auto value = RestJson::parseValue(ctx.request.body);
    if (!value)
        return HttpResponse::invalidParams(value.error());
    if (value->isObject() && value->toObject().isEmpty())
        return HttpResponse::invalidParams(emptyBodyDetail());
    write.value = *value;
    return commit(ctx, write);
}

HttpResponse EntryRoutes::remove(const RestContext &ctx)
{
    auto path = urlPath(ctx);
    if (!path)
        return path.error();
    WriteRequest write;
    write.op = Op::Delete;
    write.path = *path;
    if (const auto ifMatch = ctx.request.header("if-match")) {
        write.ifMatch = RestJson::positiveInteger(QByteArrayView(*ifMatch));
        if (!write.ifMatch)
            return HttpResponse::invalidParams(
                QStringLiteral("If-Match must be a positive integer"));
    }
    return commit(ctx, write);
}

HttpResponse EntryRoutes::postBodyPath(const RestContext &ctx)
{
    if (!RestJson::hasJsonContentType(ctx.request))
        return requireJsonContentType();
    auto body = RestJson::parseObject(ctx.request.body);
    if (!body)
        return HttpResponse::invalidParams(body.error());
    auto path = bodyPath(body->value(QStringLiteral("path")));
    if (!path)
        return HttpResponse::invalidParams(path.error());
    if (!body->contains(QStringLiteral("value")))
        return HttpResponse::invalidParams(QStringLiteral("value is required (it may be null)"));

    WriteRequest write;
    write.op = Op::Set;
    write.path = *path;
    write.value = body->value(QStringLiteral("value"));
    if (body->contains(QStringLiteral("if_match"))) {
        write.ifMatch = RestJson::positiveInteger(body->value(QStringLiteral("if_match")));
        if (!write.ifMatch)
            return HttpResponse::invalidParams(
                QStringLiteral("if_match must be a positive integer"));
    }
    if (body->contains(QStringLiteral("if_absent"))) {
        const QJsonValue ifAbsent = body->value(QStringLiteral("if_absent"));
        if (!ifAbsent.isBool())
            return HttpResponse::invalidParams(QStringLiteral("if_absent must be true or false"));
        write.ifAbsent = ifAbsent.toBool();
    }
    if (write.ifMatch && write.ifAbsent)
        return HttpResponse::error(400, QStringLiteral("invalid_precondition"),
                                   QStringLiteral("use either if_match or if_absent, not both"));
    return commit(ctx, write);
}

HttpResponse EntryRoutes::deleteBodyPath(const RestContext &ctx)
{
    if (!RestJson::hasJsonContentType(ctx.request))
        return requireJsonContentType();
    auto body = RestJson::parseObject(ctx.request.body);
    if (!body)
        return HttpResponse::invalidParams(body.error());
    auto path = bodyPath(body->value(QStringLiteral("path")));
    if (!path)
        return HttpResponse::invalidParams(path.error());
    WriteRequest write;
    write.op = Op::Delete;
    write.path = *path;
    if (body->contains(QStringLiteral("if_match"))) {
        write.ifMatch = RestJson::positiveInteger(body->value(QStringLiteral("if_match")));
        if (!write.ifMatch)
            return HttpResponse::invalidParams(
                QStringLiteral("if_match must be a positive integer"));
    }
    return commit(ctx, write);
}

HttpResponse EntryRoutes::batchRead(const RestContext &ctx)
{
    if (!RestJson::hasJsonContentType(ctx.request))
        return requireJsonContentType();
    auto body = RestJson::parseObject(ctx.request.body);
    if (!body)
        return HttpResponse::invalidParams(body.error());
    const QJsonValue pathsValue = body->value(QStringLiteral("paths"));
    if (!pathsValue.isArray())
        return HttpResponse::invalidParams(QStringLiteral("paths must be a list of strings"));
    const QJsonArray paths = pathsValue.toArray();
    if (paths.size() > kMaxBatch)
        return HttpResponse::invalidParams(QStringLiteral("at most 1000 paths per batch"));

    QList<Path> parsed;
    parsed.reserve(paths.size());
    for (const QJsonValue &value : paths) {
        if (!value.isString())
            return HttpResponse::invalidParams(QStringLiteral("paths must be a list of strings"));
        auto path = Path::parse(value.toString());
        if (!path)
            return HttpResponse::invalidParams(QStringLiteral("invalid path: ") + value.toString());
        parsed.append(std::move(path).value());
    }

    QJsonObject entries;
    QJsonArray missing;
    for (const Path &path : parsed) {
        if (const auto entry = ctx.store->getLeaf(path)) {
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

HttpResponse EntryRoutes::batchWrite(const RestContext &ctx)
{
    if (!RestJson::hasJsonContentType(ctx.request))
        return requireJsonContentType();
    auto body = RestJson::parseObject(ctx.request.body);
    if (!body)
        return HttpResponse::invalidParams(body.error());
    const QJsonValue opsValue = body->value(QStringLiteral("ops"));
    if (!opsValue.isArray() || opsValue.toArray().isEmpty() ||
        opsValue.toArray().size() > kMaxBatch)
        return HttpResponse::invalidParams(
            QStringLiteral("ops must be a list of 1..1000 operations"));
    const QJsonArray ops = opsValue.toArray();

    QList<WriteRequest> writes;
    writes.reserve(ops.size());
    for (qsizetype i = 0; i < ops.size(); ++i) {
        const QString prefix = QStringLiteral("op %1: ").arg(i);
        if (!ops.at(i).isObject())
            return HttpResponse::invalidParams(prefix + QStringLiteral("must be an object"));
        const QJsonObject op = ops.at(i).toObject();
        WriteRequest write;
        const QJsonValue name = op.value(QStringLiteral("op"));
        if (name == QJsonValue(QStringLiteral("set")))
            write.op = Op::Set;
        else if (name == QJsonValue(QStringLiteral("delete")))
            write.op = Op::Delete;
        else if (name.isString())
            return HttpResponse::invalidParams(
                prefix + QStringLiteral("unknown op \"%1\"").arg(name.toString()));
        else
            return HttpResponse::invalidParams(prefix +
                                               QStringLiteral("op must be \"set\" or \"delete\""));
        auto path = bodyPath(op.value(QStringLiteral("path")));
        if (!path)
            return HttpResponse::invalidParams(prefix + path.error());
        write.path = *path;
        if (write.op == Op::Set) {
            if (!op.contains(QStringLiteral("value")))
                return HttpResponse::invalidParams(prefix +
                                                   QStringLiteral("value is required for set"));
            write.value = op.value(QStringLiteral("value"));
        }
        if (op.contains(QStringLiteral("if_match"))) {
            write.ifMatch = RestJson::positiveInteger(op.value(QStringLiteral("if_match")));
            if (!write.ifMatch)
                return HttpResponse::invalidParams(
                    prefix + QStringLiteral("if_match must be a positive integer"));
        }
        write.deviceId = ctx.deviceId();
        write.clientOpId = ctx.clientOpId + QLatin1Char(':') + QString::number(i);
        writes.append(std::move(write));
    }

    const BatchResult result = ctx.store->batchWrite(writes);
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
        if (op.event)
            ctx.registry.notifyCommitted(ctx.storeName, *op.event, false);
    }
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("ops"), applied},
                                               {QStringLiteral("store_seq"), result.storeSeq}});
}

} // namespace dust::lite
