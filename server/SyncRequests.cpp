#include "SyncRequests.h"

#include "FileHeaders.h"

#include "protocol/Entry.h"
#include "protocol/Values.h"

namespace dust::lite::sync {

namespace {

using WriteExpected = Expected<WriteRequest, QJsonObject>;
using FileExpected = Expected<FileUpload, QJsonObject>;

QString reasonOf(PathError error)
{
    return pathErrorName(error);
}

// A positive integer field, or nullopt when it is absent or null; `ok` false when it is
// present with another type or value.
std::optional<qint64> positiveInteger(const QJsonValue &value, bool *ok)
{
    *ok = true;
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    const auto n = values::integerValue(value);
    if (!n || *n <= 0) {
        *ok = false;
        return std::nullopt;
    }
    return n;
}

QString optionalString(const QJsonValue &value)
{
    return value.isString() ? value.toString() : QString();
}

} // namespace

QJsonObject errorResponse(const QString &reason, const QJsonObject &extra)
{
    QJsonObject response = extra;
    response.insert(QStringLiteral("reason"), reason);
    return response;
}

QString closeReason(const QString &text)
{
    QString reason = text;
    while (reason.toUtf8().size() > 123)
        reason.chop(1);
    return reason;
}

QJsonObject missingScope(const QString &scope)
{
    return errorResponse(
        QStringLiteral("missing_scope"),
        {{QStringLiteral("scope"), scope},
         {QStringLiteral("message"), QStringLiteral("Token is missing %1 scope").arg(scope)}});
}

QJsonObject storeNotAllowed()
{
    return errorResponse(
        QStringLiteral("store_not_allowed"),
        {{QStringLiteral("message"), QStringLiteral("Token does not have access to this store")}});
}

Expected<Path, QString> stringPath(const QJsonValue &path)
{
    using Result = Expected<Path, QString>;
    if (path.isUndefined() || path.isNull())
        return Result::failure(QStringLiteral("missing_path"));
    if (!path.isString())
        return Result::failure(QStringLiteral("invalid_path"));
    auto parsed = Path::parse(path.toString());
    if (!parsed)
        return Result::failure(reasonOf(parsed.error()));
    return std::move(parsed).value();
}

Expected<Path, QString> writePath(const QJsonObject &payload)
{
    using Result = Expected<Path, QString>;
    const QJsonValue segments = payload.value(QLatin1String("path_segments"));
    if (!segments.isUndefined() && !segments.isNull()) {
        auto parsed = Path::fromJson(segments);
        if (!parsed)
            return Result::failure(reasonOf(parsed.error()));
        return std::move(parsed).value();
    }
    return stringPath(payload.value(QLatin1String("path")));
}

Expected<WriteRequest, QJsonObject> readWrite(const QJsonObject &payload, const QString &deviceId)
{
    WriteRequest request;
    request.deviceId = deviceId;

    const QJsonValue opValue = payload.value(QLatin1String("op"));
    request.op = opValue.isString() ? opFromName(opValue.toString()) : Op::Unknown;
    if (request.op == Op::Unknown)
        return WriteExpected::failure(errorResponse(QStringLiteral("invalid op")));

    auto path = writePath(payload);
    if (!path)
        return WriteExpected::failure(errorResponse(path.error()));
    request.path = std::move(path).value();

    const QJsonValue value = payload.value(QLatin1String("value"));
    request.value = value.isUndefined() ? QJsonValue(QJsonValue::Null) : value;
    switch (request.op) {
    case Op::Merge:
        if (!value.isObject())
            return WriteExpected::failure(
                errorResponse(QStringLiteral("merge_requires_map_value")));
        break;
    case Op::Increment:
        if (!value.isDouble())
            return WriteExpected::failure(
                errorResponse(QStringLiteral("increment_requires_number_value")));
        break;
    case Op::Add:
        if (value.isUndefined() || value.isNull())
            return WriteExpected::failure(errorResponse(QStringLiteral("add_requires_value")));
        break;
    case Op::Remove:
        if (value.isUndefined() || value.isNull())
            return WriteExpected::failure(errorResponse(QStringLiteral("remove_requires_value")));
        break;
    default:
        break;
    }

    bool ok = true;
    request.ifMatch = positiveInteger(payload.value(QLatin1String("if_match")), &ok);
    if (!ok)
        return WriteExpected::failure(errorResponse(
            QStringLiteral("invalid_precondition"),
            {{QStringLiteral("message"), QStringLiteral("if_match must be a positive integer")}}));

    const QJsonValue ifAbsent = payload.value(QLatin1String("if_absent"));
    if (ifAbsent.isBool())
        request.ifAbsent = ifAbsent.toBool();
    else if (!ifAbsent.isUndefined() && !ifAbsent.isNull())
        return WriteExpected::failure(errorResponse(
            QStringLiteral("invalid_precondition"),
            {{QStringLiteral("message"), QStringLiteral("if_absent must be true or false")}}));

    const QJsonValue fence = payload.value(QLatin1String("fence"));
    if (!fence.isUndefined() && !fence.isNull()) {
        const QJsonObject object = fence.toObject();
        const QJsonValue key = object.value(QLatin1String("key"));
        auto keyPath = key.isString() ? Path::parse(key.toString())
                                      : Expected<Path, PathError>::failure(PathError::EmptyPath);
        const auto token = values::integerValue(object.value(QLatin1String("token")));
        if (!fence.isObject() || !keyPath || !token)
            return WriteExpected::failure(errorResponse(
                QStringLiteral("invalid_precondition"),
                {{QStringLiteral("message"),
                  QStringLiteral("fence must be {\"key\": <path>, \"token\": <int>}")}}));
        request.fence = Fence{std::move(keyPath).value(), *token};
    }

    if (const auto ttl = positiveInteger(payload.value(QLatin1String("ttl_ms")), &ok); ttl)
        request.ttlMs = *ttl;
    else if (!ok)
        return WriteExpected::failure(errorResponse(
            QStringLiteral("invalid_ttl_ms"),
            {{QStringLiteral("message"), QStringLiteral("ttl_ms must be a positive integer")}}));

    request.holder = optionalString(payload.value(QLatin1String("holder")));
    request.token = values::integerValue(payload.value(QLatin1String("token")));
    request.clientOpId = optionalString(payload.value(QLatin1String("client_op_id")));
    return request;
}

Expected<FileUpload, QJsonObject> readFile(const QJsonObject &payload,
                                           const std::optional<Path> &resolvedPath)
{
    FileUpload upload;
    if (resolvedPath) {
        upload.path = *resolvedPath;
    } else {
        auto path = stringPath(payload.value(QLatin1String("path")));
        if (!path)
            return FileExpected::failure(errorResponse(path.error()));
        upload.path = std::move(path).value();
    }

    const QJsonValue content = payload.value(QLatin1String("content"));
    if (!content.isString())
        return FileExpected::failure(errorResponse(QStringLiteral("invalid_base64")));
    // Any byte outside the base64 alphabet (including every non-ASCII character) fails.
    auto decoded = QByteArray::fromBase64Encoding(content.toString().toUtf8(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return FileExpected::failure(errorResponse(QStringLiteral("invalid_base64")));
    upload.content = std::move(*decoded);

    upload.filename = optionalString(payload.value(QLatin1String("filename")));
    upload.contentType = optionalString(payload.value(QLatin1String("content_type")));
    if (upload.contentType.isEmpty())
        upload.contentType = QStringLiteral("application/octet-stream");
    // Both are served back as header values (GET /api/files/…): nothing that could end one.
    if (!FileHeaders::isValidContentType(upload.contentType))
        return FileExpected::failure(errorResponse(
            QStringLiteral("invalid_content_type"),
            {{QStringLiteral("message"),
              QStringLiteral("content_type must be a media type such as image/png or "
                             "text/plain; charset=utf-8 (ASCII, at most %1 characters)")
                  .arg(FileHeaders::kMaxContentTypeLength)}}));
    if (!upload.filename.isEmpty() && !FileHeaders::isValidFilename(upload.filename))
        return FileExpected::failure(errorResponse(
            QStringLiteral("invalid_filename"),
            {{QStringLiteral("message"),
              QStringLiteral("filename must be at most %1 characters, without control "
                             "characters, quotes or backslashes")
                  .arg(FileHeaders::kMaxFilenameLength)}}));
    upload.clientOpId = optionalString(payload.value(QLatin1String("client_op_id")));
    return upload;
}

QJsonObject writeResponse(const WriteResult &result)
{
    QJsonObject response = result.replyExtra;
    if (result.event || response.isEmpty())
        response.insert(QStringLiteral("store_seq"), result.storeSeq);
    return response;
}

QJsonObject writeErrorResponse(const WriteResult &result)
{
    QString reason = result.reason;
    if (reason.isEmpty())
        reason = QStringLiteral("write_failed");
    QJsonObject extra = result.errorExtra;
    extra.remove(QStringLiteral("current_revision"));
    return errorResponse(reason, extra);
}

} // namespace dust::lite::sync
