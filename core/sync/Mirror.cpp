#include "Mirror.h"

#include "LeafKey.h"
#include "LeafTable.h"
#include "MirrorReader.h"
#include "protocol/Glob.h"
#include "protocol/JsonBytes.h"
#include "protocol/RawPath.h"
#include "protocol/Values.h"

#include <QJsonArray>
#include <QMetaMethod>

#include <algorithm>
#include <chrono>

namespace dust {

namespace {

// Type ids registered first, in this order, by every Mirror.
enum : quint16 {
    TypeString,
    TypeInteger,
    TypeFloat,
    TypeBoolean,
    TypeNull,
    TypeMap,
    TypeCounter,
    TypeSet,
    TypeFile,
    TypeLease,
};

quint16 typeIdForKind(jsonbytes::Kind kind)
{
    switch (kind) {
    case jsonbytes::Kind::Null:
        return TypeNull;
    case jsonbytes::Kind::Boolean:
        return TypeBoolean;
    case jsonbytes::Kind::Integer:
        return TypeInteger;
    case jsonbytes::Kind::Float:
        return TypeFloat;
    default:
        return TypeString; // strings and (a server quirk) arrays
    }
}

// True if a plain object (or a plain object nested in it) has an empty key, which would make
// an empty path segment. Iterative.
bool hasEmptyKey(const QJsonObject &root)
{
    std::vector<QJsonObject> stack{root};
    while (!stack.empty()) {
        const QJsonObject object = std::move(stack.back());
        stack.pop_back();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (it.key().isEmpty())
                return true;
            if (values::isPlainObject(it.value()))
                stack.push_back(it.value().toObject());
        }
    }
    return false;
}

} // namespace

struct Mirror::PendingChange
{
    std::string path;
    bool existedBefore = false;
};

// ---------------------------------------------------------------------------------------

Path MirrorLeafView::toPath() const
{
    return leafkey::toPath(leafkey::view(path));
}

QJsonValue MirrorLeafView::jsonValue() const
{
    return jsonbytes::toJsonValue(leafkey::view(value));
}

QString MirrorLeafView::preview(int maxChars) const
{
    return jsonbytes::preview(leafkey::view(value), maxChars);
}

// ---------------------------------------------------------------------------------------

Mirror::Mirror(QObject *parent)
    : QObject(parent)
    , m_table(std::make_unique<LeafTable>())
    , m_changedSignal(QMetaMethod::fromSignal(&Mirror::changed))
{
    qRegisterMetaType<dust::MirrorChangeBatch>();
    for (const char *name : {"string", "integer", "float", "boolean", "null", "map", "counter",
                             "set", "file", "lease"})
        typeId(QString::fromLatin1(name));
}

Mirror::~Mirror() = default;

quint16 Mirror::typeId(const QString &type)
{
    const auto it = m_typeIds.constFind(type);
    if (it != m_typeIds.cend())
        return it.value();
    if (m_typeNames.size() >= 0xffff)
        return TypeString; // an absurd number of distinct types: keep going
    const auto id = quint16(m_typeNames.size());
    m_typeNames.append(type);
    m_typeIds.insert(type, id);
    return id;
}

quint16 Mirror::typeIdForRaw(std::string_view raw, const QJsonValue *parsedObject)
{
    const jsonbytes::Kind kind = jsonbytes::kindOf(raw);
    if (kind != jsonbytes::Kind::Object)
        return typeIdForKind(kind);
    const QJsonValue object =
        parsedObject && parsedObject->isObject() ? *parsedObject : jsonbytes::toJsonValue(raw);
    return typeId(values::detectType(object));
}

qsizetype Mirror::leafCount() const
{
    return qsizetype(m_table->size());
}

// --- Applying ----------------------------------------------------------------------------

ApplyStatus Mirror::apply(const ChangeEvent &event, EventSource source)
{
    const RawEvent raw = RawEvent::fromChangeEvent(event);
    if (source == EventSource::Live && m_catchingUp) {
        if (raw.storeSeq <= m_lastSeq)
            return ApplyStatus::Duplicate;
        m_opIds.remember(raw.clientOpId);
        m_buffer.push_back(raw);
        return ApplyStatus::Buffered;
    }
    return applyNow(raw.view(), &event.value);
}

ApplyStatus Mirror::apply(const EventView &event, EventSource source)
{
    if (source == EventSource::Live && m_catchingUp) {
        if (event.storeSeq <= m_lastSeq)
            return ApplyStatus::Duplicate;
        m_opIds.remember(event.clientOpId);
        m_buffer.push_back(RawEvent::fromView(event));
        return ApplyStatus::Buffered;
    }
    return applyNow(event, nullptr);
}

ApplyStatus Mirror::applyNow(const EventView &event, const QJsonValue *parsedValue)
{
    if (event.storeSeq <= m_lastSeq)
        return ApplyStatus::Duplicate;
    if (event.storeSeq > m_lastSeq + 1)
        emit gapDetected(m_lastSeq, event.storeSeq);
    m_opIds.remember(event.clientOpId);

    if (m_catchingUp && ++m_catchUpApplied > m_resetThreshold)
        m_bulk = true; // a long catch-up: one reset() at its end instead of batches
    m_collecting = !m_bulk && isSignalConnected(m_changedSignal);
    m_pending.clear();

    const QString error = applyOp(event, parsedValue);
    m_lastSeq = event.storeSeq;

    if (!error.isEmpty()) {
        m_pending.clear();
        m_collecting = false;
        emit eventRejected(event.storeSeq, error);
        return ApplyStatus::Rejected;
    }
    if (m_collecting)
        emitBatch(event);
    m_collecting = false;
    return ApplyStatus::Applied;
}

QString Mirror::applyOp(const EventView &event, const QJsonValue *parsedValue)
{
    const std::string_view path = leafkey::view(event.path);
    if (!event.checked && !rawpath::isValid(path))
        return QStringLiteral("invalid path '%1'").arg(QString::fromUtf8(event.path));
    std::string_view raw =
        event.checked ? leafkey::view(event.value) : jsonbytes::trimmed(leafkey::view(event.value));
    if (raw.empty())
        raw = "null";
    const qint64 seq = event.storeSeq;

    if (event.op == Op::Delete) {
        removeLeaf(path);
        removeDescendants(path);
        return {};
    }
    if (event.op == Op::Release) {
        removeLeaf(path);
        return {};
    }
    if (event.op == Op::Unknown)
        return QStringLiteral("unknown op '%1'").arg(QString::fromUtf8(event.opText));
    if (!event.checked && !jsonbytes::isValid(raw))
        return QStringLiteral("the value is not valid JSON");
    const jsonbytes::Kind kind = jsonbytes::kindOf(raw);
    auto parsedObject = [&]() {
        return parsedValue && parsedValue->isObject() ? parsedValue->toObject()
                                                      : jsonbytes::toJsonValue(raw).toObject();
    };

    switch (event.op) {
    case Op::Set:
        if (kind == jsonbytes::Kind::Object) {
            const QJsonObject object = parsedObject();
            if (values::isTypedEnvelope(object)) {
                replaceSubtree(path, raw, typeId(values::detectType(object)), seq);
                return {};
            }
            if (hasEmptyKey(object))
                return QStringLiteral("the value holds an empty key");
            removeDescendants(path);
            removeLeaf(path);
            writeObject(path, object, seq);
            return {};
        }
        replaceSubtree(path, raw, typeIdForKind(kind), seq);
        return {};
    case Op::Merge: {
        if (kind != jsonbytes::Kind::Object)
            return QStringLiteral("a merge value must be an object");
        const QJsonObject object = parsedObject();
        if (values::isTypedEnvelope(object))
            return QStringLiteral("a merge value must be a plain object");
        if (hasEmptyKey(object))
            return QStringLiteral("the value holds an empty key");
        QByteArray child;
        for (auto it = object.begin(); it != object.end(); ++it) {
            child.clear();
            child.append(event.path.data(), event.path.size());
            child.append('/');
            child.append(rawpath::escaped(it.key()));
            const std::string_view childPath = rawpath::view(child);
            const QJsonValue value = it.value();
            if (values::isPlainObject(value)) {
                removeDescendants(childPath);
                removeLeaf(childPath);
                writeObject(childPath, value.toObject(), seq);
            } else {
                const QByteArray bytes = jsonbytes::fromJsonValue(value);
                setLeaf(childPath, rawpath::view(bytes), typeIdForRaw(rawpath::view(bytes), &value),
                        seq);
            }
        }
        return {};
    }
    case Op::Increment:
        if (kind != jsonbytes::Kind::Integer && kind != jsonbytes::Kind::Float)
            return QStringLiteral("an increment event must carry the new total as a number");
        setLeaf(path, raw, TypeCounter, seq);
        return {};
    case Op::Add:
    case Op::Remove:
        if (kind != jsonbytes::Kind::Array)
            return QStringLiteral("an add/remove event must carry the whole set as an array");
        setLeaf(path, raw, TypeSet, seq);
        return {};
    case Op::PutFile:
        replaceSubtree(path, raw, TypeFile, seq);
        return {};
    case Op::Lease:
    case Op::Renew:
        setLeaf(path, raw, TypeLease, seq);
        return {};
    case Op::Delete:
    case Op::Release:
    case Op::Unknown:
        break;
    }
    return {};
}

void Mirror::writeObject(std::string_view path, const QJsonObject &object, qint64 seq)
{
    const QList<Leaf> leaves = values::flatten(leafkey::toPath(path), QJsonValue(object));
    for (const Leaf &leaf : leaves) {
        if (!leaf.path.isValid())
            continue; // excluded by hasEmptyKey() before
        const QByteArray leafPath = leaf.path.rendered().toUtf8();
        const QByteArray bytes = jsonbytes::fromJsonValue(leaf.value);
        const jsonbytes::Kind kind = jsonbytes::kindOf(rawpath::view(bytes));
        const quint16 type =
            kind == jsonbytes::Kind::Object ? typeId(leaf.type) : typeIdForKind(kind);
        setLeaf(rawpath::view(leafPath), rawpath::view(bytes), type, seq);
    }
}

void Mirror::setLeaf(std::string_view path, std::string_view value, quint16 type, qint64 seq)
{
    const bool added = m_table->upsert(path, value, type, seq);
    if (m_collecting)
        m_pending.push_back({std::string(path), !added});
}

void Mirror::replaceSubtree(std::string_view path, std::string_view value, quint16 type, qint64 seq)
{
    const bool added =
        m_table->replaceSubtree(path, value, type, seq, [this](const LeafTable::Record &r) {
            if (m_collecting)
                m_pending.push_back({std::string(r.path()), true});
        });
    if (m_collecting)
        m_pending.push_back({std::string(path), !added});
}

void Mirror::removeLeaf(std::string_view path)
{
    if (m_table->erase(path) && m_collecting)
        m_pending.push_back({std::string(path), true});
}

void Mirror::removeDescendants(std::string_view path)
{
    m_rangeFrom.assign(path);
    m_rangeFrom.push_back('/');
    m_rangeTo.assign(path);
    m_rangeTo.push_back('0');
    m_table->eraseRange(m_rangeFrom, m_rangeTo, [this](const LeafTable::Record &r) {
        if (m_collecting)
            m_pending.push_back({std::string(r.path()), true});
    });
}

void Mirror::emitBatch(const EventView &event)
{
    std::stable_sort(
        m_pending.begin(), m_pending.end(),
        [](const PendingChange &a, const PendingChange &b) { return a.path < b.path; });
    QList<MirrorLeafChange> changes;
    changes.reserve(qsizetype(m_pending.size()));
    for (size_t i = 0; i < m_pending.size();) {
        const PendingChange &first = m_pending[i];
        size_t j = i + 1;
        while (j < m_pending.size() && m_pending[j].path == first.path)
            ++j;
        const LeafTable::Record *now = m_table->find(first.path);
        if (first.existedBefore || now) {
            MirrorLeafChange change;
            change.path = leafkey::toPath(first.path);
            if (now) {
                change.kind = first.existedBefore ? MirrorLeafChange::Kind::Updated
                                                  : MirrorLeafChange::Kind::Added;
                change.type = m_typeNames.at(now->type);
                change.revision = now->seq;
                change.preview = jsonbytes::preview(now->value());
            } else {
                change.kind = MirrorLeafChange::Kind::Removed;
                change.revision = event.storeSeq;
            }
            changes.append(std::move(change));
        }
        i = j;
    }
    m_pending.clear();

    MirrorEventInfo info;
    info.storeSeq = event.storeSeq;
    info.op = event.op;
    info.opText = jsonbytes::textFromUtf8(event.opText);
    info.path = leafkey::toPath(leafkey::view(event.path));
    info.deviceId = jsonbytes::textFromUtf8(event.deviceId);
    info.clientOpId = jsonbytes::textFromUtf8(event.clientOpId);
    emit changed(MirrorChangeBatch(event.storeSeq, event.storeSeq, std::move(changes), {info}));
}

bool Mirror::hasSeenClientOpId(const QString &clientOpId) const
{
    return m_opIds.contains(clientOpId.toUtf8());
}

void Mirror::setClientOpIdMemory(qsizetype count)
{
    m_opIds.setCapacity(count);
}

void Mirror::beginCatchUp()
{
    m_catchingUp = true;
    m_buffer.clear();
    m_catchUpApplied = 0;
    // A catch-up interrupted in bulk mode still owes its reset().
    m_bulk = m_bulk || m_table->isEmpty();
}

int Mirror::applySnapshot(qint64 snapshotSeq, const QJsonObject &entries)
{
    std::vector<QByteArray> storage;
    storage.reserve(size_t(entries.size()) * 3);
    std::vector<SnapshotEntryView> views;
    views.reserve(size_t(entries.size()));
    int rejected = 0;
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        if (!it.value().isObject()) {
            ++rejected;
            emit eventRejected(
                snapshotSeq, QStringLiteral("snapshot entry '%1' is not an object").arg(it.key()));
            continue;
        }
        const QJsonObject entry = it.value().toObject();
        const QJsonValue value = values::unwrapScalar(entry.value(QLatin1String("value")));
        SnapshotEntryView view;
        view.path = storage.emplace_back(it.key().toUtf8());
        view.value = storage.emplace_back(jsonbytes::fromJsonValue(value));
        view.type = storage.emplace_back(entry.value(QLatin1String("type")).toString().toUtf8());
        views.push_back(view);
    }
    return rejected + replaceState(snapshotSeq, views);
}

int Mirror::applySnapshot(const SnapshotView &snapshot)
{
    return replaceState(snapshot.snapshotSeq, snapshot.entries);
}

int Mirror::replaceState(qint64 snapshotSeq, const std::vector<SnapshotEntryView> &entries)
{
    int rejected = 0;
    m_table->clear(); // first, so that the old state's memory is reused
    std::vector<LeafTable::RecordPtr> records;
    records.reserve(entries.size());
    QByteArrayView lastType;
    quint16 lastTypeId = 0;
    bool haveLastType = false;
    for (const SnapshotEntryView &e : entries) {
        const std::string_view path = leafkey::view(e.path);
        std::string_view value = jsonbytes::trimmed(leafkey::view(e.value));
        if (value.empty())
            value = "null";
        if (!rawpath::isValid(path) || !jsonbytes::isValid(value)) {
            ++rejected;
            emit eventRejected(snapshotSeq,
                               QStringLiteral("snapshot entry '%1' has an invalid %2")
                                   .arg(QString::fromUtf8(e.path), rawpath::isValid(path)
                                                                       ? QStringLiteral("value")
                                                                       : QStringLiteral("path")));
            continue;
        }
        quint16 type = 0;
        if (e.type.isEmpty()) {
            type = typeIdForRaw(value, nullptr);
        } else if (haveLastType && e.type == lastType) {
            type = lastTypeId;
        } else {
            type = typeId(QString::fromUtf8(e.type));
            lastType = e.type;
            lastTypeId = type;
            haveLastType = true;
        }
        // The snapshot carries no per-leaf revision: every leaf gets the snapshot's seq.
        records.push_back(m_table->makeRecord(path, value, type, snapshotSeq));
    }
    std::stable_sort(records.begin(), records.end(),
                     [](const LeafTable::RecordPtr &a, const LeafTable::RecordPtr &b) {
                         return a->path() < b->path();
                     });
    // Duplicate paths (a malformed snapshot): the last one wins, as in a JSON object.
    std::vector<LeafTable::RecordPtr> unique;
    unique.reserve(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
        if (i + 1 < records.size() && records[i + 1]->path() == records[i]->path())
            continue;
        unique.push_back(std::move(records[i]));
    }
    records.clear();
    m_table->assignSorted(std::move(unique));
    m_lastSeq = snapshotSeq;
    m_pending.clear();
    if (m_catchingUp)
        m_bulk = true;
    else
        announceReset();
    return rejected;
}

Expected<qsizetype, QString> Mirror::restore(qint64 lastSeq, const QStringList &typeNames,
                                             const RestoreSource &next, qsizetype expectedCount)
{
    using Result = Expected<qsizetype, QString>;
    if (lastSeq < 0)
        return Result::failure(QStringLiteral("negative store_seq %1").arg(lastSeq));
    std::vector<LeafTable::RecordPtr> records;
    // A hint only (it may come from a damaged file): never reserve more than 4M slots.
    records.reserve(size_t(std::clamp<qsizetype>(expectedCount, 0, qsizetype(1) << 22)));
    // Records come from this mirror's table but enter it only once all are good: on a
    // failure they go back to its pool and the state is untouched.
    std::vector<quint16> ids;
    ids.reserve(size_t(typeNames.size()));
    for (const QString &name : typeNames) {
        if (name.isEmpty())
            return Result::failure(QStringLiteral("empty type name"));
        ids.push_back(typeId(name));
    }
    MirrorRestoredLeaf leaf;
    QString sourceError;
    for (;;) {
        const RestoreStep step = next(leaf, sourceError);
        if (step == RestoreStep::End)
            break;
        if (step == RestoreStep::Fail)
            return Result::failure(sourceError.isEmpty() ? QStringLiteral("the source failed")
                                                         : sourceError);
        const std::string_view path = leafkey::view(leaf.path);
        const std::string_view value = leafkey::view(leaf.value);
        const qsizetype index = qsizetype(records.size());
        if (!rawpath::isValid(path))
            return Result::failure(QStringLiteral("leaf %1 has an invalid path").arg(index));
        if (!records.empty() && !(records.back()->path() < path))
            return Result::failure(QStringLiteral("leaf %1 ('%2') is out of order")
                                       .arg(index)
                                       .arg(QString::fromUtf8(leaf.path)));
        if (value.empty() || jsonbytes::trimmed(value).size() != value.size() ||
            !jsonbytes::isValid(value))
            return Result::failure(
                QStringLiteral("leaf '%1' has an invalid value").arg(QString::fromUtf8(leaf.path)));
        if (leaf.typeIndex >= ids.size())
            return Result::failure(
                QStringLiteral("leaf '%1' has an unknown type").arg(QString::fromUtf8(leaf.path)));
        if (leaf.revision < 1 || leaf.revision > lastSeq)
            return Result::failure(QStringLiteral("leaf '%1' has revision %2 outside 1..%3")
                                       .arg(QString::fromUtf8(leaf.path))
                                       .arg(leaf.revision)
                                       .arg(lastSeq));
        records.push_back(m_table->makeRecord(path, value, ids[leaf.typeIndex], leaf.revision));
    }
    const auto count = qsizetype(records.size());
    m_table->assignSorted(std::move(records));
    m_lastSeq = lastSeq;
    m_pending.clear();
    if (m_catchingUp)
        m_bulk = true;
    else
        announceReset();
    return Result(count);
}

int Mirror::endCatchUp(qint64 throughSeq)
{
    m_catchingUp = false;
    std::vector<RawEvent> buffered = std::move(m_buffer);
    m_buffer.clear();
    std::stable_sort(buffered.begin(), buffered.end(),
                     [](const RawEvent &a, const RawEvent &b) { return a.storeSeq < b.storeSeq; });
    int applied = 0;
    for (const RawEvent &e : buffered) {
        const ApplyStatus status = applyNow(e.view(), nullptr);
        if (status == ApplyStatus::Applied || status == ApplyStatus::Rejected)
            ++applied;
    }
    const bool wasBulk = m_bulk;
    m_bulk = false;
    m_catchUpApplied = 0;
    if (wasBulk)
        announceReset();
    if (m_lastSeq < throughSeq)
        emit catchUpIncomplete(m_lastSeq, throughSeq);
    emit caughtUp(m_lastSeq);
    return applied;
}

void Mirror::clear()
{
    m_table->clear();
    m_lastSeq = 0;
    m_buffer.clear();
    m_pending.clear();
    if (m_catchingUp) {
        m_bulk = true; // the reset comes at the end of the catch-up
        m_catchUpApplied = 0;
    }
    announceReset();
}

void Mirror::announceReset()
{
    const auto now = quint64(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count());
    m_resetEpoch = std::max(m_resetEpoch + 1, now);
    emit reset();
}

// --- Reading -----------------------------------------------------------------------------

MirrorLeafView Mirror::leafView(const void *record) const
{
    const auto *r = static_cast<const LeafTable::Record *>(record);
    return {leafkey::bytes(r->path()), leafkey::bytes(r->value()), m_typeNames.at(r->type), r->seq};
}

std::optional<Entry> Mirror::get(const Path &path) const
{
    return MirrorReader(*m_table, m_typeNames).get(path);
}

bool Mirror::exists(const Path &path) const
{
    return MirrorReader(*m_table, m_typeNames).exists(path);
}

QList<MirrorChild> Mirror::children(const Path &parent) const
{
    return MirrorReader(*m_table, m_typeNames).children(parent);
}

bool Mirror::visitLeaf(QByteArrayView renderedPath,
                       const std::function<void(const MirrorLeafView &)> &visit) const
{
    const LeafTable::Record *r = m_table->find(leafkey::view(renderedPath));
    if (!r)
        return false;
    visit(leafView(r));
    return true;
}

void Mirror::forEachLeaf(const std::function<void(const MirrorLeafView &)> &visit) const
{
    m_table->forEach([&](const LeafTable::Record &r) { visit(leafView(&r)); });
}

void Mirror::forEachLeafUnder(const Path &base,
                              const std::function<void(const MirrorLeafView &)> &visit) const
{
    if (!base.isValid())
        return;
    const QByteArray rendered = base.rendered().toUtf8();
    if (const LeafTable::Record *r = m_table->find(rawpath::view(rendered)))
        visit(leafView(r));
    const QByteArray from = rawpath::descendantsBegin(rawpath::view(rendered));
    const QByteArray to = rawpath::descendantsEnd(rawpath::view(rendered));
    for (auto pos = m_table->lowerBound(rawpath::view(from)); pos != m_table->end();
         pos = m_table->next(pos)) {
        const LeafTable::Record &r = m_table->at(pos);
        if (!(r.path() < rawpath::view(to)))
            break;
        visit(leafView(&r));
    }
}

void Mirror::forEachLeafFrom(std::string_view from, bool inclusive,
                             const std::function<bool(const MirrorLeafView &)> &visit) const
{
    auto pos = m_table->lowerBound(from);
    if (!inclusive && pos != m_table->end() && m_table->at(pos).path() == from)
        pos = m_table->next(pos);
    for (; pos != m_table->end(); pos = m_table->next(pos)) {
        if (!visit(leafView(&m_table->at(pos))))
            return;
    }
}

Expected<ListPage, Error> Mirror::list(const ListQuery &q) const
{
    return MirrorReader(*m_table, m_typeNames).list(q);
}

} // namespace dust
