#pragma once

#include "Entry.h"
#include "Path.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace dust {

// A leaf as the server stores it after a write: its path, its (unwrapped) value and type.
struct Leaf
{
    Path path;
    QJsonValue value;
    QString type;

    friend bool operator==(const Leaf &, const Leaf &) = default;
};

namespace values {

// True for an object stored as one leaf: `_type` "file" or "lease", or an object holding
// both `_typed` and `_type` (dust-protocol.md §3.2).
bool isTypedEnvelope(const QJsonObject &object);
// True for a plain JSON object, i.e. one that a set flattens.
bool isPlainObject(const QJsonValue &value);

// The type the server derives for a value written by `set` (§3.3): string (also arrays),
// integer, float, boolean, null, file, lease, map (a `_typed` envelope).
QString detectType(const QJsonValue &value);

// The leaves a `set` of `value` at `base` writes: a plain object becomes one leaf per
// non-object value found by descending into it (keys become raw segments); `{}` and objects
// holding only `{}` yield nothing; arrays, scalars and envelopes yield one leaf at `base`.
// Iterative: 10,000 levels of nesting do not touch the stack.
QList<Leaf> flatten(const Path &base, const QJsonValue &value);
// An object key that would become an empty segment has no path, so flatten() cannot store
// it: returns PathError::EmptySegment when some key flatten() descends through is "", so
// a writer can reject the whole value instead of storing part of it.
std::optional<PathError> validateKeys(const QJsonValue &value);

// {"_scalar": v} -> v; anything else unchanged (snapshot frames and the audit log).
QJsonValue unwrapScalar(const QJsonValue &value);
// The stored form: scalars, arrays and null wrapped as {"_scalar": v}, envelopes as is.
QJsonValue wrapScalar(const QJsonValue &value);

// Assembles the subtree under `base` from its descendant leaves, given as (path, value,
// revision) entries whose paths all lie strictly under `base`: a nested object keyed by
// raw segments, type "map", revision = the highest revision. When a leaf and deeper
// leaves share a prefix (a node that is both a value and a folder) the deeper leaves win
// inside the object, as on the server. Iterative, no recursion.
Entry assembleSubtree(const Path &base, const QList<Entry> &descendants);

// The value of a JSON number as an integer when it is one (for counters and if_match).
std::optional<qint64> integerValue(const QJsonValue &value);

// A short one-line preview of a value for lists and trees: at most `maxChars` characters,
// never serialising more of a big value than needed.
QString preview(const QJsonValue &value, int maxChars = 80);

// What kind of JSON value `value` is, for messages: "null", "a boolean", "a number",
// "a string", "an array", "an object", or "missing" (Undefined).
QString jsonTypeName(const QJsonValue &value);

} // namespace values
} // namespace dust
