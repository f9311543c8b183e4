#include "edit/WritePlan.h"

#include "protocol/Values.h"

#include <QJsonArray>
#include <QJsonObject>

namespace dust {

namespace {

using Check = WritePlan::Check;
using Kind = EditRequest::Kind;

bool isMap(const QJsonValue &value, const QString &type)
{
    return values::isPlainObject(value) || type == QLatin1String("map");
}

// Whether a plain set of `value` gives back the type `type` (empty: not known, taken as
// plain; a map is written leaf by leaf). A counter's total, a set's members or a file's
// metadata would come back as a number, an array or a map.
bool plainSetKeeps(const QJsonValue &value, const QString &type)
{
    if (type.isEmpty() || type == QLatin1String("map"))
        return true;
    const QString written = values::detectType(value);
    if (written == type)
        return true;
    const auto isNumber = [](const QString &t) {
        return t == QLatin1String("integer") || t == QLatin1String("float");
    };
    return isNumber(written) && isNumber(type); // 2.0 travels as 2
}

EditRequest unconditional(EditRequest request)
{
    request.ifMatch.reset();
    request.ifAbsent = false;
    return request;
}

EditRequest writeOf(Kind kind, const Path &path, const QJsonValue &value)
{
    EditRequest request;
    request.kind = kind;
    request.path = path;
    request.value = value;
    return request;
}

EditRequest typedOf(const Path &path, const QJsonValue &value, const QString &type)
{
    EditRequest request = writeOf(Kind::PutTyped, path, value);
    request.valueType = type;
    return request;
}

Check absentAt(const Path &path)
{
    Check check;
    check.path = path;
    check.expectAbsent = true;
    return check;
}

Check valueAt(const Path &path, Check::Revision rule, qint64 revision, const QJsonValue &value)
{
    Check check;
    check.path = path;
    check.rule = revision > 0 ? rule : Check::Revision::Any;
    check.revision = revision;
    check.value = value;
    if (value.isUndefined() && rule == Check::Revision::Any)
        check.expectAbsent = true;
    return check;
}

// What a merge of `value` into `base` leaves there (the top-level keys replaced).
QJsonValue merged(const QJsonValue &base, const QJsonValue &value)
{
    QJsonObject out = base.isObject() ? base.toObject() : QJsonObject();
    const QJsonObject changes = value.toObject();
    for (auto it = changes.begin(); it != changes.end(); ++it)
        out.insert(it.key(), it.value());
    return out;
}

QJsonValue fileDescription(const EditRequest &request)
{
    return QJsonObject{{QStringLiteral("_type"), QStringLiteral("file")},
                       {QStringLiteral("filename"), request.fileName},
                       {QStringLiteral("content_type"), request.contentType},
                       {QStringLiteral("size"), qint64(request.fileContent.size())}};
}

bool containsMember(const QJsonValue &set, const QJsonValue &member)
{
    return set.isArray() && set.toArray().contains(member);
}

} // namespace

QJsonValue WritePlan::normalized(const QJsonValue &value)
{
    if (!values::isPlainObject(value))
        return value;
    QJsonObject out;
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QJsonValue child = normalized(it.value());
        if (!child.isUndefined())
            out.insert(it.key(), child);
    }
    if (out.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    return out;
}

bool WritePlan::satisfied(const Check &check, const std::optional<Entry> &seen)
{
    const QJsonValue expected = normalized(check.value);
    const bool expectAbsent =
        check.expectAbsent || (!check.value.isUndefined() && expected.isUndefined());
    if (expectAbsent)
        return !seen.has_value();
    if (!seen)
        return false;
    switch (check.rule) {
    case Check::Revision::Any:
        break;
    case Check::Revision::Equal:
        if (seen->revision != check.revision)
            return false;
        break;
    case Check::Revision::AtMost:
        if (seen->revision > check.revision)
            return false;
        break;
    }
    return check.value.isUndefined() || normalized(seen->value) == expected;
}

WritePlan WritePlan::forRequest(const EditRequest &request)
{
    WritePlan plan;
    plan.path = request.path;
    plan.base = request.baseValue;
    plan.baseRevision = request.ifMatch.value_or(request.baseRevision);
    plan.mine = request.value;

    switch (request.kind) {
    case Kind::Set:
    case Kind::Delete: {
        if (request.kind == Kind::Delete)
            plan.mine = QJsonValue(QJsonValue::Undefined);
        const bool multiLeaf =
            (request.kind == Kind::Set && values::isPlainObject(request.value)) ||
            isMap(request.baseValue, request.baseType);
        if (!multiLeaf) {
            plan.writes.append(request);
            break;
        }
        // An interior path has no leaf revision and an object is several leaves: read first.
        if (request.ifAbsent)
            plan.checks.append(absentAt(request.path));
        else if (request.ifMatch)
            plan.checks.append(
                valueAt(request.path, Check::Revision::Equal, *request.ifMatch, request.baseValue));
        else if (request.baseRevision > 0)
            plan.checks.append(valueAt(request.path, Check::Revision::Equal, request.baseRevision,
                                       request.baseValue));
        plan.writes.append(unconditional(request));
        break;
    }
    case Kind::Merge: {
        // Each changed child must be as the person saw it: no newer than the map they loaded
        // and holding the same value (or still absent).
        plan.mine = merged(request.baseValue, request.value);
        const qint64 seen = request.ifMatch.value_or(request.baseRevision);
        const QJsonObject base = request.baseValue.toObject();
        const QJsonObject changes = request.value.toObject();
        for (auto it = changes.begin(); it != changes.end(); ++it) {
            const Path child = request.path.child(it.key());
            const QJsonValue before = base.value(it.key());
            plan.checks.append(before.isUndefined()
                                   ? absentAt(child)
                                   : valueAt(child, Check::Revision::AtMost, seen, before));
        }
        plan.writes.append(unconditional(request));
        break;
    }
    case Kind::PutFile:
        plan.mine = fileDescription(request);
        if (request.ifAbsent)
            plan.checks.append(absentAt(request.path));
        else if (request.ifMatch)
            plan.checks.append(valueAt(request.path, Check::Revision::Equal, *request.ifMatch,
                                       QJsonValue(QJsonValue::Undefined)));
        plan.writes.append(unconditional(request));
        break;
    case Kind::Increment:
    case Kind::AddMember:
    case Kind::RemoveMember:
    case Kind::LeaseRenew:
    case Kind::LeaseRelease:
    case Kind::PutTyped:
        plan.writes.append(unconditional(request));
        break;
    }
    return plan;
}

WritePlan WritePlan::undoOf(const EditRequest &request, qint64 doneSeq)
{
    WritePlan plan;
    plan.path = request.path;
    plan.baseRevision = doneSeq;
    plan.mine = request.baseValue;
    const QJsonValue &before = request.baseValue;

    switch (request.kind) {
    case Kind::Set:
    case Kind::PutFile: {
        plan.base = request.kind == Kind::Set ? request.value : fileDescription(request);
        if (!before.isUndefined() && !plainSetKeeps(before, request.baseType)) {
            // A counter, set, file … comes back with its type (the store's import), once a
            // read shows the entry is still as this edit left it.
            plan.checks.append(valueAt(
                request.path, Check::Revision::Equal, doneSeq,
                request.kind == Kind::Set ? request.value : QJsonValue(QJsonValue::Undefined)));
            plan.writes.append(typedOf(request.path, before, request.baseType));
            break;
        }
        const bool multiLeaf =
            (request.kind == Kind::Set && values::isPlainObject(request.value)) ||
            values::isPlainObject(before);
        if (!multiLeaf) {
            EditRequest back = before.isUndefined() ? writeOf(Kind::Delete, request.path, {})
                                                    : writeOf(Kind::Set, request.path, before);
            back.ifMatch = doneSeq;
            plan.writes.append(back);
            break;
        }
        plan.checks.append(
            valueAt(request.path, Check::Revision::Equal, doneSeq,
                    request.kind == Kind::Set ? request.value : QJsonValue(QJsonValue::Undefined)));
        plan.writes.append(before.isUndefined() ? writeOf(Kind::Delete, request.path, {})
                                                : writeOf(Kind::Set, request.path, before));
        break;
    }
    case Kind::Delete:
        if (before.isUndefined())
            break; // nothing was there: nothing to put back
        if (!plainSetKeeps(before, request.baseType)) {
            plan.checks.append(absentAt(request.path));
            plan.writes.append(typedOf(request.path, before, request.baseType));
            break;
        }
        if (values::isPlainObject(before)) {
            plan.checks.append(absentAt(request.path));
            plan.writes.append(writeOf(Kind::Set, request.path, before));
        } else {
            EditRequest back = writeOf(Kind::Set, request.path, before);
            back.ifAbsent = true;
            plan.writes.append(back);
        }
        break;
    case Kind::Merge: {
        plan.base = merged(before, request.value);
        const QJsonObject base = before.toObject();
        const QJsonObject changes = request.value.toObject();
        for (auto it = changes.begin(); it != changes.end(); ++it) {
            const Path child = request.path.child(it.key());
            plan.checks.append(valueAt(child, Check::Revision::Equal, doneSeq, it.value()));
            const QJsonValue old = base.value(it.key());
            plan.writes.append(old.isUndefined() ? writeOf(Kind::Delete, child, {})
                                                 : writeOf(Kind::Set, child, old));
        }
        break;
    }
    case Kind::Increment:
        plan.writes.append(writeOf(Kind::Increment, request.path, -request.value.toDouble()));
        break;
    case Kind::AddMember:
        // A member that was already there stays: undoing the add removes nothing.
        if (!containsMember(before, request.value))
            plan.writes.append(writeOf(Kind::RemoveMember, request.path, request.value));
        break;
    case Kind::RemoveMember:
        if (containsMember(before, request.value))
            plan.writes.append(writeOf(Kind::AddMember, request.path, request.value));
        break;
    case Kind::LeaseRenew:
    case Kind::LeaseRelease:
    case Kind::PutTyped:
        break; // never on the undo stack
    }
    return plan;
}

WritePlan WritePlan::redoOf(const EditRequest &request, qint64 undoneSeq)
{
    EditRequest again = request;
    switch (request.kind) {
    case Kind::Set:
    case Kind::Delete:
    case Kind::PutFile:
        again.ifMatch.reset();
        again.ifAbsent = false;
        again.baseRevision = undoneSeq;
        if (request.baseValue.isUndefined())
            again.ifAbsent = request.kind != Kind::Delete;
        else if (undoneSeq > 0)
            again.ifMatch = undoneSeq;
        break;
    case Kind::Merge:
        again.ifMatch.reset();
        again.baseRevision = undoneSeq;
        break;
    case Kind::Increment:
    case Kind::AddMember:
    case Kind::RemoveMember:
    case Kind::LeaseRenew:
    case Kind::LeaseRelease:
    case Kind::PutTyped:
        break;
    }
    return forRequest(again);
}

WritePlan WritePlan::conditionalOn(const QList<std::optional<Entry>> &seenAtChecks,
                                   const std::optional<Entry> &theirs) const
{
    WritePlan plan = *this;
    for (qsizetype i = 0; i < plan.checks.size() && i < seenAtChecks.size(); ++i) {
        const std::optional<Entry> &seen = seenAtChecks[i];
        plan.checks[i] =
            seen ? valueAt(plan.checks[i].path, Check::Revision::Equal, seen->revision, seen->value)
                 : absentAt(plan.checks[i].path);
    }
    if (!plan.checks.isEmpty() || plan.writes.size() != 1)
        return plan;
    // One write refused on the wire: the same write, conditional on their revision.
    EditRequest &write = plan.writes.first();
    if (write.kind != Kind::Set && write.kind != Kind::Delete)
        return plan;
    write.ifMatch.reset();
    write.ifAbsent = false;
    if (!theirs) {
        write.ifAbsent = write.kind == Kind::Set;
    } else if (theirs->type == QLatin1String("map")) {
        // Their entry is an interior path: no leaf revision to match, so read first.
        plan.checks.append(
            valueAt(write.path, Check::Revision::Equal, theirs->revision, theirs->value));
    } else {
        write.ifMatch = theirs->revision;
    }
    return plan;
}

} // namespace dust
