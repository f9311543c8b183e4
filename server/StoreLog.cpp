#include "StoreLog.h"

#include "PathOrder.h"
#include "StoreSql.h"
#include "StoredJson.h"
#include "protocol/Glob.h"
#include "protocol/JsonBytes.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>

namespace dust::lite {

namespace {

// The columns both catch-up readers select, in this order.
constexpr auto kEventColumns =
    "SELECT store_seq, op, path, CAST(path_segments AS BLOB), CAST(value AS BLOB), "
    "CAST(event_value AS BLOB), device_id, client_op_id FROM store_ops WHERE store_seq > ? "
    "ORDER BY store_seq LIMIT ?";

// The event of the current row of a kEventColumns query.
ChangeEvent eventFromRow(const QSqlQuery &q)
{
    ChangeEvent event;
    event.storeSeq = q.value(0).toLongLong();
    event.opText = q.value(1).toString();
    event.op = opFromName(event.opText);
    const auto segments = StoredJson::parseRaw(q.value(3).toByteArray());
    auto path = segments ? Path::fromJson(*segments) : Path::parse(q.value(2).toString());
    if (!path)
        path = Path::parse(q.value(2).toString());
    if (path)
        event.path = std::move(path).value();
    if (!q.value(5).isNull())
        event.value = StoredJson::parse(q.value(5).toByteArray());
    else if (event.op == Op::Delete || event.op == Op::Release)
        event.value = QJsonValue(QJsonValue::Null);
    else
        event.value = StoredJson::parse(q.value(4).toByteArray());
    event.deviceId = q.value(6).toString();
    event.clientOpId = q.value(7).toString();
    return event;
}

// The payload text of the current row of a kEventColumns query, written straight from the
// stored text; nullopt when a column is not in the form the op log writes (then the row
// takes the parsing way, eventFromRow()).
std::optional<QByteArray> eventPayloadFromRow(const QSqlQuery &q)
{
    const QByteArray segments = q.value(3).toByteArray();
    const std::string_view segmentsView = jsonbytes::view(segments);
    if (!segmentsView.starts_with('[') || !jsonbytes::isValid(segmentsView))
        return std::nullopt;
    const QString opText = q.value(1).toString();
    const Op op = opFromName(opText);
    std::string_view value = "null";
    const QVariant eventValue = q.value(5);
    QByteArray stored;
    if (!eventValue.isNull())
        stored = eventValue.toByteArray();
    else if (op != Op::Delete && op != Op::Release)
        stored = q.value(4).toByteArray();
    if (!stored.isNull()) {
        const std::string_view raw = jsonbytes::view(stored);
        // Stored text is always an object or an array (see StoredJson::text).
        if (!(raw.starts_with('{') || raw.starts_with('[')) || !jsonbytes::isValid(raw))
            return std::nullopt;
        value = jsonbytes::scalarWrapperInner(raw).value_or(raw);
    }
    // The keys in ChangeEvent::toJson's (sorted) order.
    QByteArray out;
    out.reserve(segments.size() * 2 + qsizetype(value.size()) + 160);
    out += "{\"client_op_id\":";
    StoredJson::appendString(out, q.value(7).toString());
    out += ",\"device_id\":";
    StoredJson::appendString(out, q.value(6).toString());
    out += ",\"op\":";
    StoredJson::appendString(out, opText);
    out += ",\"path\":";
    StoredJson::appendString(out, q.value(2).toString());
    out += ",\"path_segments\":";
    out += segments;
    out += ",\"store_seq\":";
    out += QByteArray::number(q.value(0).toLongLong());
    out += ",\"value\":";
    out.append(value.data(), qsizetype(value.size()));
    out += '}';
    return out;
}

QString isoForComparison(const QString &since)
{
    QDateTime parsed = QDateTime::fromString(since, Qt::ISODateWithMs);
    if (!parsed.isValid())
        parsed = QDateTime::fromString(since, Qt::ISODate);
    if (!parsed.isValid())
        return {};
    return parsed.toUTC().toString(Qt::ISODateWithMs);
}

// One row of the audit log's columns query, with the fields the hosted server serializes
// (no client_op_id, dust-protocol.md §4.7).
QJsonObject auditOp(const QSqlQuery &q)
{
    return QJsonObject{
        {QStringLiteral("store_seq"), q.value(0).toLongLong()},
        {QStringLiteral("op"), q.value(1).toString()},
        {QStringLiteral("path"), q.value(2).toString()},
        {QStringLiteral("value"), StoredJson::parseRawOrNull(q.value(3).toByteArray())},
        {QStringLiteral("device_id"), q.value(4).toString()},
        {QStringLiteral("inserted_at"), q.value(5).toString()}};
}

} // namespace

StoreLog::StoreLog(StoreSql &sql)
    : m_sql(sql)
{}

QList<ChangeEvent> StoreLog::eventsSince(qint64 afterSeq, int limit)
{
    QList<ChangeEvent> events;
    QSqlQuery &q = m_sql.query(QString::fromLatin1(kEventColumns));
    q.bindValue(0, StoreSql::bindable(afterSeq));
    q.bindValue(1, StoreSql::bindable(std::max(limit, 1)));
    if (!m_sql.exec(q))
        return events;
    while (q.next())
        events.append(eventFromRow(q));
    q.finish();
    return events;
}

QList<StoreDb::EventPayload> StoreLog::eventPayloadsSince(qint64 afterSeq, int limit)
{
    QList<StoreDb::EventPayload> payloads;
    QSqlQuery &q = m_sql.query(QString::fromLatin1(kEventColumns));
    q.bindValue(0, StoreSql::bindable(afterSeq));
    q.bindValue(1, StoreSql::bindable(std::max(limit, 1)));
    if (!m_sql.exec(q))
        return payloads;
    while (q.next()) {
        StoreDb::EventPayload payload;
        payload.storeSeq = q.value(0).toLongLong();
        if (auto fast = eventPayloadFromRow(q))
            payload.json = std::move(*fast);
        else
            payload.json = StoredJson::compact(eventFromRow(q).toJson());
        payloads.append(std::move(payload));
    }
    q.finish();
    return payloads;
}

QJsonObject StoreLog::auditLog(const AuditQuery &query)
{
    const int limit = query.limit > 0 ? query.limit : 50;
    const int page = query.page > 0 ? query.page : 1;
    const qint64 offset = qint64(page - 1) * limit;

    QString where = QStringLiteral(" WHERE 1=1");
    QVariantList binds;
    std::optional<Glob> glob;
    if (!query.path.isEmpty()) {
        auto compiled = query.path.contains(QLatin1Char('*'))
                            ? Glob::compile(query.path)
                            : Expected<Glob, GlobError>::failure(GlobError::EmptyPath);
        if (compiled && !compiled->isExact()) {
            glob = std::move(compiled).value();
            const QString base = PathOrder::literalBase(*glob);
            if (!base.isEmpty()) {
                where += QStringLiteral(" AND path >= ? AND path < ?");
                binds << QString(base + QLatin1Char('/')) << PathOrder::descendantEnd(base);
            }
        } else {
            where += QStringLiteral(" AND path = ?");
            binds << query.path;
        }
    }
    if (!query.deviceId.isEmpty()) {
        where += QStringLiteral(" AND device_id = ?");
        binds << query.deviceId;
    }
    if (!query.op.isEmpty()) {
        where += QStringLiteral(" AND op = ?");
        binds << query.op;
    }
    if (!query.since.isEmpty()) {
        const QString since = isoForComparison(query.since);
        if (!since.isEmpty()) {
            where += QStringLiteral(" AND inserted_at >= ?");
            binds << since;
        }
    }

    QJsonArray ops;
    qint64 total = 0;
    const QString columns = QStringLiteral(
        "SELECT store_seq, op, path, CAST(value AS BLOB), device_id, inserted_at FROM store_ops");

    if (glob) {
        // Glob filters need the path's segments: count and page in one pass, newest first,
        // reading values only for the rows on the page.
        QSqlQuery &q = m_sql.query(QStringLiteral("SELECT store_seq, path FROM store_ops") + where +
                                   QStringLiteral(" ORDER BY store_seq DESC"));
        for (int i = 0; i < binds.size(); ++i)
            q.bindValue(i, StoreSql::bindable(binds.at(i)));
        QList<qint64> pageSeqs;
        if (m_sql.exec(q)) {
            while (q.next()) {
                const auto parsed = Path::parse(q.value(1).toString());
                if (!parsed || !glob->matches(*parsed))
                    continue;
                if (total >= offset && total < offset + limit)
                    pageSeqs.append(q.value(0).toLongLong());
                ++total;
            }
            q.finish();
        }
        QSqlQuery &one = m_sql.query(columns + QStringLiteral(" WHERE store_seq = ?"));
        for (const qint64 seq : pageSeqs) {
            one.bindValue(0, StoreSql::bindable(seq));
            if (m_sql.exec(one) && one.next())
                ops.append(auditOp(one));
            one.finish();
        }
    } else {
        total = m_sql.scalarInt(QStringLiteral("SELECT count(*) FROM store_ops") + where, binds)
                    .value_or(0);
        QSqlQuery &q = m_sql.query(columns + where +
                                   QStringLiteral(" ORDER BY store_seq DESC LIMIT ? OFFSET ?"));
        int i = 0;
        for (; i < binds.size(); ++i)
            q.bindValue(i, StoreSql::bindable(binds.at(i)));
        q.bindValue(i++, StoreSql::bindable(limit));
        q.bindValue(i, StoreSql::bindable(offset));
        if (m_sql.exec(q)) {
            while (q.next())
                ops.append(auditOp(q));
            q.finish();
        }
    }

    const qint64 totalPages = std::max<qint64>(1, (total + limit - 1) / limit);
    return QJsonObject{
        {QStringLiteral("ops"), ops},
        {QStringLiteral("pagination"), QJsonObject{{QStringLiteral("page"), page},
                                                   {QStringLiteral("limit"), limit},
                                                   {QStringLiteral("total"), total},
                                                   {QStringLiteral("total_pages"), totalPages}}}};
}

} // namespace dust::lite
