#include "Entry.h"

#include "Values.h"

#include <QJsonObject>

#include <array>
#include <utility>

namespace dust {

namespace {

struct OpNameEntry
{
    Op op;
    QLatin1String name;
};

constexpr std::array<OpNameEntry, 10> kOpNames{{
    {Op::Set, QLatin1String("set")},
    {Op::Delete, QLatin1String("delete")},
    {Op::Merge, QLatin1String("merge")},
    {Op::Increment, QLatin1String("increment")},
    {Op::Add, QLatin1String("add")},
    {Op::Remove, QLatin1String("remove")},
    {Op::PutFile, QLatin1String("put_file")},
    {Op::Lease, QLatin1String("lease")},
    {Op::Renew, QLatin1String("renew")},
    {Op::Release, QLatin1String("release")},
}};

using EventResult = Expected<ChangeEvent, QString>;

EventResult eventError(QString message)
{
    return EventResult::failure(QStringLiteral("invalid event: ") + message);
}

// An optional string field: missing or null gives an empty string, anything but a string
// is an error.
bool optionalString(const QJsonObject &payload, QLatin1String key, QString *out, QString *error)
{
    const QJsonValue v = payload.value(key);
    if (v.isUndefined() || v.isNull()) {
        out->clear();
        return true;
    }
    if (!v.isString()) {
        *error = key + QStringLiteral(" must be a string, got ") + values::jsonTypeName(v);
        return false;
    }
    *out = v.toString();
    return true;
}

} // namespace

QString opName(Op op)
{
    for (const OpNameEntry &e : kOpNames) {
        if (e.op == op)
            return e.name;
    }
    return QStringLiteral("unknown");
}

Op opFromName(QStringView name)
{
    for (const OpNameEntry &e : kOpNames) {
        if (name == e.name)
            return e.op;
    }
    return Op::Unknown;
}

// Required: store_seq (a positive integer), op (a string; unknown names are kept in
// opText with Op::Unknown) and a path (`path_segments` when present and not null, else
// `path`). Optional: value (missing reads as null), device_id and client_op_id (missing
// or null read as empty strings). A field that is present with the wrong type is an error.
Expected<ChangeEvent, QString> ChangeEvent::fromJson(const QJsonObject &payload)
{
    ChangeEvent event;

    const QJsonValue seq = payload.value(QLatin1String("store_seq"));
    if (seq.isUndefined())
        return eventError(QStringLiteral("store_seq is missing"));
    const std::optional<qint64> seqValue = values::integerValue(seq);
    if (!seqValue)
        return eventError(
            QStringLiteral("store_seq must be an integer, got ") +
            (seq.isDouble() ? QString::number(seq.toDouble()) : values::jsonTypeName(seq)));
    if (*seqValue < 1)
        return eventError(QStringLiteral("store_seq must be positive, got ") +
                          QString::number(*seqValue));
    event.storeSeq = *seqValue;

    const QJsonValue op = payload.value(QLatin1String("op"));
    if (op.isUndefined())
        return eventError(QStringLiteral("op is missing"));
    if (!op.isString())
        return eventError(QStringLiteral("op must be a string, got ") + values::jsonTypeName(op));
    event.opText = op.toString();
    event.op = opFromName(event.opText);

    const QJsonValue segments = payload.value(QLatin1String("path_segments"));
    const QJsonValue rendered = payload.value(QLatin1String("path"));
    if (!segments.isUndefined() && !segments.isNull()) {
        auto path = Path::fromJson(segments);
        if (!path)
            return eventError(QStringLiteral("path_segments is not a valid path (") +
                              pathErrorName(path.error()) + QLatin1Char(')'));
        event.path = std::move(path).value();
    } else if (rendered.isString()) {
        auto path = Path::parse(rendered.toString());
        if (!path)
            return eventError(QStringLiteral("path \"") + rendered.toString() +
                              QStringLiteral("\" is not a valid path (") +
                              pathErrorName(path.error()) + QLatin1Char(')'));
        event.path = std::move(path).value();
    } else if (rendered.isUndefined() || rendered.isNull()) {
        return eventError(QStringLiteral("path and path_segments are both missing"));
    } else {
        return eventError(QStringLiteral("path must be a string, got ") +
                          values::jsonTypeName(rendered));
    }

    const QJsonValue value = payload.value(QLatin1String("value"));
    event.value = value.isUndefined() ? QJsonValue(QJsonValue::Null) : value;

    QString error;
    if (!optionalString(payload, QLatin1String("device_id"), &event.deviceId, &error) ||
        !optionalString(payload, QLatin1String("client_op_id"), &event.clientOpId, &error))
        return eventError(error);
    return event;
}

QJsonObject ChangeEvent::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("store_seq"), storeSeq);
    o.insert(QLatin1String("op"), op == Op::Unknown && !opText.isEmpty() ? opText : opName(op));
    o.insert(QLatin1String("path"), path.rendered());
    o.insert(QLatin1String("path_segments"), path.segmentsJson());
    o.insert(QLatin1String("value"), value.isUndefined() ? QJsonValue(QJsonValue::Null) : value);
    o.insert(QLatin1String("device_id"), deviceId);
    o.insert(QLatin1String("client_op_id"), clientOpId);
    return o;
}

} // namespace dust
