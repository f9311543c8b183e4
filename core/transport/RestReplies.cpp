#include "RestReplies.h"

#include "RestJson.h"
#include "protocol/JsonBytes.h"
#include "protocol/Values.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <utility>

namespace dust::restreplies {

namespace {

using restjson::integerOf;
using restjson::shortText;

template <typename T> Result<T> protocolError(const QString &detail)
{
    return Result<T>::failure(Error::protocol(detail));
}

Expected<QJsonObject, Error> parseObject(const QByteArray &body, const char *what)
{
    QJsonParseError parseError;
    // Not QJsonDocument::fromJson: it drops a leading U+FEFF of a string ("\ufeffbom/x").
    const QJsonDocument doc = jsonbytes::parseDocument(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Expected<QJsonObject, Error>::failure(Error::protocol(
            QStringLiteral("the server's answer to %1 is not valid JSON (%2 at byte %3): %4")
                .arg(QLatin1String(what), parseError.errorString())
                .arg(parseError.offset)
                .arg(shortText(body))));
    }
    if (!doc.isObject()) {
        return Expected<QJsonObject, Error>::failure(
            Error::protocol(QStringLiteral("the server's answer to %1 is not a JSON object: %2")
                                .arg(QLatin1String(what), shortText(body))));
    }
    return doc.object();
}

// The array `field` of a JSON object answer (a listing of diff changes, of stores ...).
Expected<QJsonArray, Error> arrayIn(const QByteArray &body, const char *what, QLatin1String field)
{
    auto object = parseObject(body, what);
    if (!object)
        return Expected<QJsonArray, Error>::failure(object.error());
    const QJsonValue array = object->value(field);
    if (!array.isArray())
        return Expected<QJsonArray, Error>::failure(
            Error::protocol(QStringLiteral("the server's answer to %1 has no %2 array")
                                .arg(QLatin1String(what), field)));
    return array.toArray();
}

// Every element of the array `field` read as an object and turned into a T by `parse`,
// which says what is missing when the object does not make one.
template <typename T, typename Parse>
Result<QList<T>> itemsIn(const QByteArray &body, const char *what, QLatin1String field, Parse parse)
{
    const auto array = arrayIn(body, what, field);
    if (!array)
        return Result<QList<T>>::failure(array.error());
    QList<T> out;
    for (const QJsonValue &value : *array) {
        Expected<T, QString> item = parse(value.toObject());
        if (!item)
            return protocolError<QList<T>>(item.error());
        out.append(std::move(item).value());
    }
    return out;
}

// An entry object {"path","value","type","revision"}; `fallbackPath` when "path" is absent.
Expected<Entry, QString> entryFrom(const QJsonObject &object, const Path &fallbackPath)
{
    Entry entry;
    const QJsonValue pathValue = object.value(QLatin1String("path"));
    if (pathValue.isString()) {
        auto parsed = Path::parse(pathValue.toString());
        if (!parsed)
            return Expected<Entry, QString>::failure(
                QStringLiteral("invalid path \"%1\" (%2)")
                    .arg(pathValue.toString(), pathErrorName(parsed.error())));
        entry.path = std::move(parsed).value();
    } else if (pathValue.isUndefined() && fallbackPath.isValid()) {
        entry.path = fallbackPath;
    } else {
        return Expected<Entry, QString>::failure(QStringLiteral("no path"));
    }
    const auto revision = integerOf(object.value(QLatin1String("revision")));
    if (!revision)
        return Expected<Entry, QString>::failure(QStringLiteral("no integer revision"));
    entry.revision = *revision;
    entry.value = object.value(QLatin1String("value"));
    if (entry.value.isUndefined())
        entry.value = QJsonValue(QJsonValue::Null);
    entry.type = object.value(QLatin1String("type")).toString();
    return entry;
}

} // namespace

Result<ListPage> listPage(const QByteArray &body, ListQuery::Select select)
{
    auto object = parseObject(body, "a listing");
    if (!object)
        return Result<ListPage>::failure(object.error());
    const QJsonValue items = object->value(QLatin1String("items"));
    if (!items.isArray())
        return protocolError<ListPage>(QStringLiteral("the listing has no items array"));
    ListPage page;
    const QJsonArray array = items.toArray();
    qsizetype index = 0;
    for (const QJsonValue &item : array) {
        if (select == ListQuery::Select::Entries) {
            auto entry = item.isObject()
                             ? entryFrom(item.toObject(), Path())
                             : Expected<Entry, QString>::failure(QStringLiteral("not an object"));
            if (!entry)
                return protocolError<ListPage>(
                    QStringLiteral("listing item %1: %2").arg(index).arg(entry.error()));
            page.entries.append(std::move(entry).value());
        } else {
            if (!item.isString())
                return protocolError<ListPage>(
                    QStringLiteral("listing item %1 is not a path string").arg(index));
            page.paths.append(item.toString());
        }
        ++index;
    }
    const QJsonValue cursor = object->value(QLatin1String("next_cursor"));
    if (cursor.isString())
        page.nextCursor = cursor.toString();
    else if (!cursor.isNull() && !cursor.isUndefined())
        return protocolError<ListPage>(QStringLiteral("next_cursor is not a string"));
    return page;
}

Result<Entry> entry(const QByteArray &body, QByteArrayView etag, const Path &path)
{
    auto object = parseObject(body, "a read");
    if (!object)
        return Result<Entry>::failure(object.error());
    QJsonObject fields = *object;
    if (!fields.contains(QLatin1String("revision"))) {
        // The ETag carries the revision too ("42", quoted).
        QByteArrayView tag = etag.trimmed();
        if (tag.startsWith("W/"))
            tag = tag.sliced(2);
        if (tag.size() >= 2 && tag.startsWith('"') && tag.endsWith('"'))
            tag = tag.sliced(1, tag.size() - 2);
        bool ok = false;
        const qint64 revision = tag.toLongLong(&ok);
        if (ok)
            fields.insert(QLatin1String("revision"), revision);
    }
    auto parsed = entryFrom(fields, path);
    if (!parsed)
        return protocolError<Entry>(
            QStringLiteral("the entry read from %1: %2").arg(path.rendered(), parsed.error()));
    return std::move(parsed).value();
}

Result<WriteResult> writeResult(const QByteArray &body)
{
    auto object = parseObject(body, "a write");
    if (!object)
        return Result<WriteResult>::failure(object.error());
    QJsonObject extra = *object;
    auto seq = integerOf(extra.value(QLatin1String("store_seq")));
    if (!seq)
        seq = integerOf(extra.value(QLatin1String("revision")));
    if (!seq)
        return protocolError<WriteResult>(
            QStringLiteral("the write reply has no store_seq: %1").arg(shortText(body)));
    extra.remove(QLatin1String("store_seq"));
    WriteResult result;
    result.storeSeq = *seq;
    result.extra = std::move(extra);
    return result;
}

Result<BatchWriteResult> batchWriteResult(const QByteArray &body, qsizetype opCount)
{
    auto object = parseObject(body, "a batch write");
    if (!object)
        return Result<BatchWriteResult>::failure(object.error());
    BatchWriteResult result;
    const auto seq = integerOf(object->value(QLatin1String("store_seq")));
    const QJsonValue opsValue = object->value(QLatin1String("ops"));
    if (!seq || !opsValue.isArray())
        return protocolError<BatchWriteResult>(
            QStringLiteral("the batch reply lacks store_seq or ops: %1").arg(shortText(body)));
    result.storeSeq = *seq;
    const QJsonArray replies = opsValue.toArray();
    if (replies.size() != opCount)
        return protocolError<BatchWriteResult>(
            QStringLiteral("the batch reply has %1 ops for %2 sent")
                .arg(replies.size())
                .arg(opCount));
    for (const QJsonValue &reply : replies) {
        const QJsonObject op = reply.toObject();
        auto revision = integerOf(op.value(QLatin1String("revision")));
        if (!revision)
            revision = integerOf(op.value(QLatin1String("store_seq")));
        if (!revision)
            return protocolError<BatchWriteResult>(
                QStringLiteral("a batch reply op has no revision"));
        result.revisions.append(*revision);
    }
    return result;
}

Result<AuditPage> auditPage(const QByteArray &body)
{
    auto object = parseObject(body, "an audit log read");
    if (!object)
        return Result<AuditPage>::failure(object.error());
    const QJsonValue ops = object->value(QLatin1String("ops"));
    if (!ops.isArray())
        return protocolError<AuditPage>(QStringLiteral("the audit log has no ops array"));
    AuditPage page;
    for (const QJsonValue &value : ops.toArray()) {
        const QJsonObject o = value.toObject();
        AuditOp op;
        const auto seq = integerOf(o.value(QLatin1String("store_seq")));
        if (!seq)
            return protocolError<AuditPage>(QStringLiteral("an audit op has no store_seq"));
        op.storeSeq = *seq;
        op.op = o.value(QLatin1String("op")).toString();
        op.path = o.value(QLatin1String("path")).toString();
        op.value = values::unwrapScalar(o.value(QLatin1String("value")));
        op.deviceId = o.value(QLatin1String("device_id")).toString();
        op.insertedAt = o.value(QLatin1String("inserted_at")).toString();
        page.ops.append(std::move(op));
    }
    const QJsonObject pagination = object->value(QLatin1String("pagination")).toObject();
    page.page = static_cast<int>(integerOf(pagination.value(QLatin1String("page"))).value_or(1));
    page.totalPages =
        static_cast<int>(integerOf(pagination.value(QLatin1String("total_pages"))).value_or(0));
    page.total = integerOf(pagination.value(QLatin1String("total"))).value_or(0);
    return page;
}

Result<QList<DiffChange>> diffChanges(const QByteArray &body)
{
    return itemsIn<DiffChange>(body, "a diff", QLatin1String("changes"),
                               [](const QJsonObject &o) -> Expected<DiffChange, QString> {
                                   DiffChange change;
                                   change.path = o.value(QLatin1String("path")).toString();
                                   if (change.path.isEmpty())
                                       return Expected<DiffChange, QString>::failure(
                                           QStringLiteral("a diff change has no path"));
                                   change.before = o.value(QLatin1String("before"));
                                   change.after = o.value(QLatin1String("after"));
                                   return change;
                               });
}

Result<QList<StoreInfo>> stores(const QByteArray &body)
{
    return itemsIn<StoreInfo>(body, "a store listing", QLatin1String("stores"),
                              [](const QJsonObject &o) -> Expected<StoreInfo, QString> {
                                  StoreInfo info;
                                  info.id = o.value(QLatin1String("id")).toString();
                                  info.name = o.value(QLatin1String("name")).toString();
                                  info.fullName = o.value(QLatin1String("full_name")).toString();
                                  info.status = o.value(QLatin1String("status")).toString();
                                  info.insertedAt =
                                      o.value(QLatin1String("inserted_at")).toString();
                                  if (info.fullName.isEmpty())
                                      return Expected<StoreInfo, QString>::failure(
                                          QStringLiteral("a store has no full_name"));
                                  return info;
                              });
}

} // namespace dust::restreplies
