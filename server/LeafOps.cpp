#include "LeafOps.h"

#include "protocol/Values.h"

#include <QJsonArray>

#include <cmath>

namespace dust::lite {

namespace {

const QLatin1String kLeaseType("lease");
const QLatin1String kFileType("file");

QJsonValue addNumbers(const QJsonValue &a, const QJsonValue &b)
{
    const auto ia = values::integerValue(a);
    const auto ib = values::integerValue(b);
    qint64 sum = 0;
    if (ia && ib && !__builtin_add_overflow(*ia, *ib, &sum))
        return QJsonValue(sum);
    return QJsonValue(a.toDouble() + b.toDouble());
}

// A total that no JSON number can write (QJsonValue stores infinity, and it reads back as
// null).
bool overflows(const QJsonValue &total)
{
    return !std::isfinite(total.toDouble());
}

QString overflowMessage(const QJsonValue &base, const QJsonValue &delta)
{
    return QStringLiteral("%1 + %2 is beyond the largest number a counter holds "
                          "(±1.7976931348623157e308); the counter keeps its value")
        .arg(base.toDouble(), 0, 'g', 17)
        .arg(delta.toDouble(), 0, 'g', 17);
}

void upsertFlattened(LeafSink &leaves, const Path &path, const QJsonValue &value, qint64 seq)
{
    for (const Leaf &leaf : values::flatten(path, value))
        leaves.upsert(leaf.path.rendered(), leaf.value, leaf.type, seq);
}

// A set of `value` at `path` that leaves the node's descendants to the caller: an object
// replaces the node's own leaf with its flattened leaves, anything else becomes the leaf.
void setNode(LeafSink &leaves, const Path &path, const QJsonValue &value, qint64 seq)
{
    if (values::isPlainObject(value)) {
        leaves.removeExact(path.rendered());
        upsertFlattened(leaves, path, value, seq);
    } else {
        leaves.upsert(path.rendered(), value, values::detectType(value), seq);
    }
}

QJsonArray withMember(Op op, const QJsonArray &members, const QJsonValue &value)
{
    QJsonArray result;
    if (op == Op::Add) {
        result.append(value);
        for (const QJsonValue &member : members) {
            if (!result.contains(member))
                result.append(member);
        }
        return result;
    }
    bool removed = false;
    for (const QJsonValue &member : members) {
        if (!removed && member == value) {
            removed = true;
            continue;
        }
        result.append(member);
    }
    return result;
}

} // namespace

QString LeafOps::validate(const WriteRequest &request, QJsonObject *extra)
{
    const Op op = request.op;
    if (op == Op::Unknown || op == Op::PutFile)
        return QStringLiteral("invalid op");
    if (!request.path.isValid())
        return QStringLiteral("missing_path");
    if (request.clientOpId.isEmpty())
        return QStringLiteral("missing_client_op_id");

    switch (op) {
    case Op::Set:
        if (values::validateKeys(request.value))
            return QStringLiteral("empty_segment");
        break;
    case Op::Merge:
        if (!request.value.isObject())
            return QStringLiteral("merge_requires_map_value");
        {
            const QJsonObject object = request.value.toObject();
            for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
                if (it.key().isEmpty() || values::validateKeys(it.value()))
                    return QStringLiteral("empty_segment");
            }
        }
        break;
    case Op::Increment:
        if (!request.value.isDouble() || !std::isfinite(request.value.toDouble()))
            return QStringLiteral("increment_requires_number_value");
        break;
    case Op::Add:
        if (request.value.isNull() || request.value.isUndefined())
            return QStringLiteral("add_requires_value");
        break;
    case Op::Remove:
        if (request.value.isNull() || request.value.isUndefined())
            return QStringLiteral("remove_requires_value");
        break;
    default:
        break;
    }

    const bool leaseOp = op == Op::Lease || op == Op::Renew || op == Op::Release;
    if (request.ifMatch && request.ifAbsent)
        return QStringLiteral("invalid_precondition");
    if (request.ifMatch) {
        if (op != Op::Set && op != Op::Delete) {
            extra->insert(QStringLiteral("op"), opName(op));
            return QStringLiteral("if_match_unsupported_op");
        }
        if (*request.ifMatch <= 0)
            return QStringLiteral("invalid_precondition");
        if (op == Op::Set && values::isPlainObject(request.value))
            return QStringLiteral("if_match_multi_leaf");
    }
    if (request.ifAbsent) {
        if (op != Op::Set) {
            extra->insert(QStringLiteral("op"), opName(op));
            return QStringLiteral("if_absent_unsupported_op");
        }
        if (values::isPlainObject(request.value))
            return QStringLiteral("if_absent_multi_leaf");
    }
    if (request.fence && !leaseOp && !request.fence->key.isValid())
        return QStringLiteral("fenced");
    return {};
}

QString LeafOps::validateBatchOp(const WriteRequest &request, QJsonObject *extra)
{
    if (request.op != Op::Set && request.op != Op::Delete)
        return QStringLiteral("invalid op");
    if (request.ifAbsent)
        return QStringLiteral("invalid_precondition");
    return validate(request, extra);
}

LeafOps::Plan LeafOps::plan(LeafSink &leaves, const WriteRequest &request, qint64 seq, qint64 nowMs)
{
    const QString &rendered = request.path.rendered();
    Plan plan;
    plan.value = request.value;
    auto refuse = [&plan](const QString &reason, std::optional<qint64> currentRevision = {}) {
        plan.answer = WriteResult::failed(reason);
        plan.answer->currentRevision = currentRevision;
        return plan;
    };

    switch (request.op) {
    case Op::Lease: {
        const LeaseState state = leaseState(leaves.leaf(rendered), nowMs);
        if (state == LeaseState::Live)
            return refuse(QStringLiteral("held"));
        if (state == LeaseState::Occupied)
            return refuse(QStringLiteral("occupied"));
        const qint64 expires = nowMs + request.ttlMs;
        const QJsonValue holder =
            request.holder.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(request.holder);
        plan.value = QJsonObject{{QStringLiteral("_type"), kLeaseType},
                                 {QStringLiteral("holder"), holder},
                                 {QStringLiteral("token"), seq},
                                 {QStringLiteral("expires_at"), expires}};
        plan.replyExtra = QJsonObject{{QStringLiteral("token"), seq},
                                      {QStringLiteral("expires_at"), expires},
                                      {QStringLiteral("holder"), holder}};
        return plan;
    }
    case Op::Renew: {
        const auto current = leaves.leaf(rendered);
        if (leaseState(current, nowMs) != LeaseState::Live || !request.token ||
            leaseToken(current) != request.token)
            return refuse(QStringLiteral("not_held"));
        QJsonObject envelope = current->value.toObject();
        const qint64 expires = nowMs + request.ttlMs;
        envelope.insert(QStringLiteral("expires_at"), expires);
        plan.value = envelope;
        plan.replyExtra =
            QJsonObject{{QStringLiteral("token"), *request.token},
                        {QStringLiteral("expires_at"), expires},
                        {QStringLiteral("holder"), envelope.value(QLatin1String("holder"))}};
        return plan;
    }
    case Op::Release: {
        const auto current = leaves.leaf(rendered);
        const LeaseState state = leaseState(current, nowMs);
        if ((state != LeaseState::Live && state != LeaseState::Expired) || !request.token ||
            leaseToken(current) != request.token) {
            WriteResult noop;
            noop.ok = true;
            noop.replyExtra = QJsonObject{{QStringLiteral("released"), false}};
            plan.answer = std::move(noop);
            return plan;
        }
        plan.value = QJsonValue(QJsonValue::Null);
        return plan;
    }
    default:
        break;
    }

    if (request.ifMatch) {
        const auto current = leaves.leaf(rendered);
        if (!current)
            return refuse(QStringLiteral("conflict"));
        if (current->seq != *request.ifMatch)
            return refuse(QStringLiteral("conflict"), current->seq);
    }
    if (request.ifAbsent) {
        if (const auto current = leaves.leaf(rendered))
            return refuse(QStringLiteral("exists"), current->seq);
    }
    if (request.fence) {
        const auto lease = leaves.leaf(request.fence->key.rendered());
        if (leaseState(lease, nowMs) != LeaseState::Live ||
            leaseToken(lease) != request.fence->token)
            return refuse(QStringLiteral("fenced"));
    }
    if (request.op == Op::Delete)
        plan.value = QJsonValue(QJsonValue::Null);
    if (request.op == Op::Increment) {
        // Refused here, with words, rather than stored as a total that reads back as null.
        const auto current = leaves.leaf(rendered);
        if (current && current->value.isDouble() &&
            overflows(addNumbers(current->value, request.value))) {
            plan.answer = WriteResult::failed(
                QStringLiteral("increment_overflow"),
                {{QStringLiteral("message"), overflowMessage(current->value, request.value)}});
            return plan;
        }
    }
    return plan;
}

LeafOps::Applied LeafOps::apply(LeafSink &leaves, Op op, const Path &path, const QJsonValue &value,
                                qint64 seq)
{
    const QString &rendered = path.rendered();
    switch (op) {
    case Op::Set:
        leaves.removeDescendants(rendered);
        setNode(leaves, path, value, seq);
        return {true, value, {}};
    case Op::Delete:
        leaves.removeExact(rendered);
        leaves.removeDescendants(rendered);
        return {true, QJsonValue(QJsonValue::Null), {}};
    case Op::Merge: {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            const Path child = path.child(it.key());
            if (!child.isValid())
                continue;
            if (values::isPlainObject(it.value()))
                leaves.removeDescendants(child.rendered());
            setNode(leaves, child, it.value(), seq);
        }
        return {true, QJsonValue(object), {}};
    }
    case Op::Increment: {
        const auto current = leaves.leaf(rendered);
        QJsonValue base(qint64(0));
        if (current && !current->value.isNull()) {
            if (!current->value.isDouble())
                return {false, {}, QStringLiteral("increment_requires_numeric_current_value")};
            base = current->value;
        }
        const QJsonValue total = addNumbers(base, value);
        if (overflows(total))
            return {false, {}, QStringLiteral("increment_overflow")};
        leaves.upsert(rendered, total, QStringLiteral("counter"), seq);
        return {true, total, {}};
    }
    case Op::Add:
    case Op::Remove: {
        const auto current = leaves.leaf(rendered);
        const QJsonArray members =
            current && current->value.isArray() ? current->value.toArray() : QJsonArray();
        const QJsonArray result = withMember(op, members, value);
        leaves.upsert(rendered, result, QStringLiteral("set"), seq);
        return {true, QJsonValue(result), {}};
    }
    case Op::PutFile:
        leaves.removeDescendants(rendered);
        leaves.upsert(rendered, value, kFileType, seq);
        return {true, value, {}};
    case Op::Lease:
    case Op::Renew:
        leaves.upsert(rendered, value, kLeaseType, seq);
        return {true, value, {}};
    case Op::Release:
        leaves.removeExact(rendered);
        return {true, QJsonValue(QJsonValue::Null), {}};
    case Op::Unknown:
        break;
    }
    return {false, {}, QStringLiteral("invalid op")};
}

bool LeafOps::logsEventValue(Op op)
{
    return op == Op::Increment || op == Op::Add || op == Op::Remove;
}

WriteResult LeafOps::committed(Op op, const Path &path, qint64 seq, const QJsonValue &eventValue,
                               const QString &deviceId, const QString &clientOpId)
{
    WriteResult result;
    result.ok = true;
    result.storeSeq = seq;
    ChangeEvent event;
    event.storeSeq = seq;
    event.op = op;
    event.opText = opName(op);
    event.path = path;
    event.value = eventValue;
    event.deviceId = deviceId;
    event.clientOpId = clientOpId;
    result.event = std::move(event);
    return result;
}

LeafOps::LeaseState LeafOps::leaseState(const std::optional<LeafRow> &leaf, qint64 nowMs)
{
    if (!leaf)
        return LeaseState::Absent;
    if (leaf->type != kLeaseType)
        return LeaseState::Occupied;
    const auto expires =
        values::integerValue(leaf->value.toObject().value(QLatin1String("expires_at")));
    return expires && *expires <= nowMs ? LeaseState::Expired : LeaseState::Live;
}

std::optional<qint64> LeafOps::leaseToken(const std::optional<LeafRow> &leaf)
{
    if (!leaf)
        return std::nullopt;
    return values::integerValue(leaf->value.toObject().value(QLatin1String("token")));
}

bool LeafOps::sameValue(const std::optional<LeafRow> &a, const std::optional<LeafRow> &b)
{
    if (a.has_value() != b.has_value())
        return false;
    return !a || a->value == b->value;
}

} // namespace dust::lite
