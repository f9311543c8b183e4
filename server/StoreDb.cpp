#include "StoreDb.h"

#include "protocol/Glob.h"
#include "protocol/Values.h"
#include "protocol/JsonBytes.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

namespace dust::lite {

namespace {

// Rows read per step when a glob listing scans a range and filters it.
constexpr int kScanChunk = 500;
// Rows read per step by exports and assembled reads.
constexpr int kExportChunk = 1000;
constexpr int kMaxListLimit = 10000;
// Above this many distinct paths touched, history queries replay the whole store rather than
// only the touched subtrees.
constexpr qsizetype kMaxReplayRoots = 20000;

const QLatin1String kScalarKey("_scalar");
const QLatin1String kLeaseType("lease");
const QLatin1String kFileType("file");

QString nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QByteArray jsonText(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray jsonText(const QJsonArray &array)
{
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

// A JSON string literal for `text`, quotes included.
QByteArray jsonString(const QString &text)
{
    const QByteArray array = jsonText(QJsonArray{text});
    return array.mid(1, array.size() - 2);
}

// Appends `text` as a JSON string literal (UTF-8, quotes included).
void appendJsonString(QByteArray &out, QStringView text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out += '"';
    for (const char c : utf8) {
        const uchar u = uchar(c);
        if (u == '"' || u == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else {
            out += c;
        }
    }
    out += '"';
}

// The JSON array of a path's raw segments, as the op log keeps it.
QByteArray segmentsText(const Path &path)
{
    QByteArray out = "[";
    bool first = true;
    for (const QString &segment : path.segments()) {
        if (!first)
            out += ',';
        first = false;
        appendJsonString(out, segment);
    }
    out += ']';
    return out;
}

// The stored form: objects as they are, anything else as {"_scalar": v}.
QJsonObject wrapStored(const QJsonValue &value)
{
    if (value.isObject())
        return value.toObject();
    QJsonObject wrapped;
    wrapped.insert(kScalarKey, value.isUndefined() ? QJsonValue(QJsonValue::Null) : value);
    return wrapped;
}

// The text of wrapStored(value); common scalars without building a document.
QByteArray storedText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String: {
        QByteArray out = "{\"_scalar\":";
        appendJsonString(out, value.toString());
        out += '}';
        return out;
    }
    case QJsonValue::Bool:
        return value.toBool() ? QByteArray("{\"_scalar\":true}")
                              : QByteArray("{\"_scalar\":false}");
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QByteArray("{\"_scalar\":null}");
    case QJsonValue::Double:
        if (const auto integer = values::integerValue(value))
            return QByteArray(QByteArray("{\"_scalar\":") + QByteArray::number(*integer) + '}');
        break;
    default:
        break;
    }
    return jsonText(wrapStored(value));
}

QJsonValue unwrapStored(const QJsonValue &value)
{
    return values::unwrapScalar(value);
}

// Parses stored JSON text (always an object or an array). nullopt when it is not JSON.
std::optional<QJsonValue> parseRaw(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError)
        return std::nullopt;
    if (doc.isObject())
        return QJsonValue(doc.object());
    if (doc.isArray())
        return QJsonValue(doc.array());
    return std::nullopt;
}

QJsonValue parseStored(const QByteArray &text)
{
    const auto raw = parseRaw(text);
    return raw ? unwrapStored(*raw) : QJsonValue(QJsonValue::Null);
}

QJsonValue parseRawOrNull(const QByteArray &text)
{
    const auto raw = parseRaw(text);
    return raw ? *raw : QJsonValue(QJsonValue::Null);
}

// The exclusive upper bound of the rendered range of `path`'s descendants: '0' follows '/'.
QString descendantEnd(const QString &rendered)
{
    return rendered + QLatin1Char('0');
}

// SQLite compares UTF-8 bytes, i.e. code points; QString compares UTF-16 units. This orders
// QStrings the way SQLite does (surrogates sort above the rest of the BMP).
char32_t codePointOrderKey(char16_t unit)
{
    if (unit >= 0xD800 && unit <= 0xDFFF)
        return char32_t(unit) + 0x2000;
    if (unit >= 0xE000)
        return char32_t(unit) - 0x800;
    return unit;
}

int compareCodePoints(QStringView a, QStringView b)
{
    const qsizetype n = std::min(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t x = a[i].unicode();
        const char16_t y = b[i].unicode();
        if (x != y)
            return codePointOrderKey(x) < codePointOrderKey(y) ? -1 : 1;
    }
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

struct CodePointLess
{
    bool operator()(const QString &a, const QString &b) const
    {
        return compareCodePoints(a, b) < 0;
    }
};

// One materialized leaf: its unwrapped value, type and revision.
struct LeafRow
{
    QJsonValue value;
    QString type;
    qint64 seq = 0;
};

bool sameLeafValue(const std::optional<LeafRow> &a, const std::optional<LeafRow> &b)
{
    if (a.has_value() != b.has_value())
        return false;
    return !a || a->value == b->value;
}

// Where the effects of an op on leaves go: the database, or an in-memory replay of the log.
class LeafSink
{
public:
    virtual ~LeafSink() = default;
    virtual std::optional<LeafRow> leaf(const QString &path) = 0;
    virtual void upsert(const QString &path, const QJsonValue &value, const QString &type,
                        qint64 seq) = 0;
    virtual void removeExact(const QString &path) = 0;
    virtual void removeDescendants(const QString &path) = 0;
};

struct Applied
{
    bool ok = true;
    QJsonValue eventValue;
    QString reason;
};

QJsonValue addNumbers(const QJsonValue &a, const QJsonValue &b)
{
    const auto ia = values::integerValue(a);
    const auto ib = values::integerValue(b);
    qint64 sum = 0;
    if (ia && ib && !__builtin_add_overflow(*ia, *ib, &sum))
        return QJsonValue(sum);
    return QJsonValue(a.toDouble() + b.toDouble());
}

void upsertFlattened(LeafSink &sink, const Path &path, const QJsonValue &value, qint64 seq)
{
    const QList<Leaf> leaves = values::flatten(path, value);
    for (const Leaf &leaf : leaves)
        sink.upsert(leaf.path.rendered(), leaf.value, leaf.type, seq);
}

// Applies one op to the leaves (dust-protocol.md §3.2–3.5, §5.6). The value is the op's
// input: the set value, merge object, delta, member, file ref or lease envelope.
Applied applyOp(LeafSink &sink, Op op, const Path &path, const QJsonValue &value, qint64 seq)
{
    const QString &rendered = path.rendered();
    switch (op) {
    case Op::Set:
        sink.removeDescendants(rendered);
        if (values::isPlainObject(value)) {
            sink.removeExact(rendered);
            upsertFlattened(sink, path, value, seq);
        } else {
            sink.upsert(rendered, value, values::detectType(value), seq);
        }
        return {true, value, {}};
    case Op::Delete:
        sink.removeExact(rendered);
        sink.removeDescendants(rendered);
        return {true, QJsonValue(QJsonValue::Null), {}};
    case Op::Merge: {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            const Path child = path.child(it.key());
            if (!child.isValid())
                continue;
            const QJsonValue childValue = it.value();
            if (values::isPlainObject(childValue)) {
                sink.removeDescendants(child.rendered());
                sink.removeExact(child.rendered());
                upsertFlattened(sink, child, childValue, seq);
            } else {
                sink.upsert(child.rendered(), childValue, values::detectType(childValue), seq);
            }
        }
        return {true, QJsonValue(object), {}};
    }
    case Op::Increment: {
        const auto current = sink.leaf(rendered);
        QJsonValue base(qint64(0));
        if (current && !current->value.isNull()) {
            if (!current->value.isDouble())
                return {false, {}, QStringLiteral("increment_requires_numeric_current_value")};
            base = current->value;
        }
        const QJsonValue total = addNumbers(base, value);
        sink.upsert(rendered, total, QStringLiteral("counter"), seq);
        return {true, total, {}};
    }
    case Op::Add:
    case Op::Remove: {
        const auto current = sink.leaf(rendered);
        const QJsonArray members =
            current && current->value.isArray() ? current->value.toArray() : QJsonArray();
        QJsonArray result;
        if (op == Op::Add) {
            result.append(value);
            for (const QJsonValue &member : members) {
                if (!result.contains(member))
                    result.append(member);
            }
        } else {
            bool removed = false;
            for (const QJsonValue &member : members) {
                if (!removed && member == value) {
                    removed = true;
                    continue;
                }
                result.append(member);
            }
        }
        sink.upsert(rendered, result, QStringLiteral("set"), seq);
        return {true, QJsonValue(result), {}};
    }
    case Op::PutFile:
        sink.removeDescendants(rendered);
        sink.upsert(rendered, value, kFileType, seq);
        return {true, value, {}};
    case Op::Lease:
    case Op::Renew:
        sink.upsert(rendered, value, kLeaseType, seq);
        return {true, value, {}};
    case Op::Release:
        sink.removeExact(rendered);
        return {true, QJsonValue(QJsonValue::Null), {}};
    case Op::Unknown:
        break;
    }
    return {false, {}, QStringLiteral("invalid op")};
}

// A lease envelope's state for a reader at `nowMs`.
enum class LeaseState { Absent, Live, Expired, Occupied };

LeaseState leaseState(const std::optional<LeafRow> &leaf, qint64 nowMs)
{
    if (!leaf)
        return LeaseState::Absent;
    if (leaf->type != kLeaseType)
        return LeaseState::Occupied;
    const auto expires =
        values::integerValue(leaf->value.toObject().value(QLatin1String("expires_at")));
    return expires && *expires <= nowMs ? LeaseState::Expired : LeaseState::Live;
}

std::optional<qint64> leaseToken(const std::optional<LeafRow> &leaf)
{
    if (!leaf)
        return std::nullopt;
    return values::integerValue(leaf->value.toObject().value(QLatin1String("token")));
}

// The subtrees a history query looks at: leaves at or under one of `roots` (all leaves when
// `all`). Roots never nest.
struct ReplayScope
{
    bool all = true;
    std::set<QString, CodePointLess> roots;

    static ReplayScope fromPaths(const QStringList &paths)
    {
        ReplayScope scope;
        if (paths.size() > kMaxReplayRoots)
            return scope;
        scope.all = false;
        std::set<QString, CodePointLess> sorted(paths.begin(), paths.end());
        for (const QString &path : sorted) {
            if (!scope.hasSelfOrAncestor(path))
                scope.roots.insert(path);
        }
        return scope;
    }

    bool hasSelfOrAncestor(const QString &path) const
    {
        if (roots.count(path))
            return true;
        for (qsizetype i = path.indexOf(QLatin1Char('/')); i >= 0;
             i = path.indexOf(QLatin1Char('/'), i + 1)) {
            if (roots.count(path.left(i)))
                return true;
        }
        return false;
    }

    bool hasDescendant(const QString &path) const
    {
        const QString prefix = path + QLatin1Char('/');
        const auto it = roots.lower_bound(prefix);
        return it != roots.end() && it->startsWith(prefix);
    }

    // Whether a leaf at `path` is in scope.
    bool contains(const QString &path) const { return all || hasSelfOrAncestor(path); }
    // Whether an op at `path` can change a leaf in scope.
    bool relevant(const QString &path) const
    {
        return all || hasSelfOrAncestor(path) || hasDescendant(path);
    }
};

// The leaves of a replayed store, limited to a scope, with an optional journal of the value
// every leaf had before it was first touched once journaling is on.
class ReplaySink final : public LeafSink
{
public:
    using State = std::map<QString, LeafRow, CodePointLess>;
    using Journal = std::map<QString, std::optional<LeafRow>, CodePointLess>;

    explicit ReplaySink(const ReplayScope &scope)
        : m_scope(scope)
    {}

    State state;
    Journal journal;
    bool journaling = false;

    std::optional<LeafRow> leaf(const QString &path) override
    {
        const auto it = state.find(path);
        if (it == state.end())
            return std::nullopt;
        return it->second;
    }

    void upsert(const QString &path, const QJsonValue &value, const QString &type,
                qint64 seq) override
    {
        if (!m_scope.contains(path))
            return;
        note(path);
        state[path] = LeafRow{value, type, seq};
    }

    void removeExact(const QString &path) override
    {
        const auto it = state.find(path);
        if (it == state.end())
            return;
        note(path);
        state.erase(it);
    }

    void removeDescendants(const QString &path) override
    {
        const QString prefix = path + QLatin1Char('/');
        auto it = state.lower_bound(prefix);
        while (it != state.end() && it->first.startsWith(prefix)) {
            note(it->first);
            it = state.erase(it);
        }
    }

private:
    void note(const QString &path)
    {
        if (!journaling || journal.count(path))
            return;
        const auto it = state.find(path);
        journal.emplace(path,
                        it == state.end() ? std::nullopt : std::optional<LeafRow>(it->second));
    }

    const ReplayScope &m_scope;
};

QString validationFailure(const WriteRequest &request, QJsonObject *extra)
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
        if (!request.value.isDouble())
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

WriteResult failure(QString reason, QJsonObject extra = {})
{
    WriteResult result;
    result.ok = false;
    result.reason = std::move(reason);
    result.errorExtra = std::move(extra);
    return result;
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

} // namespace

struct StoreDb::Private
{
    QString connectionName;
    QSqlDatabase db;
    QString file;
    QString fullName;
    QString id;
    QString insertedAt;
    qint64 currentSeq = 0;
    qint64 entryCount = 0;
    qint64 snapshotSeq = 0;
    QString snapshotAt;
    std::function<qint64()> clock = [] {
        return QDateTime::currentMSecsSinceEpoch();
    };
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>> queries;

    // Set by any failed statement; a write that sees it rolls back and reports it.
    bool failed = false;
    QString error;

    // The state to restore when a transaction rolls back.
    bool inTransaction = false;
    qint64 savedSeq = 0;
    qint64 savedEntryCount = 0;

    // Leaf changes made through SQL, counted so entryCount stays exact.
    class DbSink final : public LeafSink
    {
    public:
        explicit DbSink(Private &d)
            : m_d(d)
        {}
        std::optional<LeafRow> leaf(const QString &path) override { return m_d.readLeaf(path); }
        void upsert(const QString &path, const QJsonValue &value, const QString &type,
                    qint64 seq) override
        {
            m_d.upsertLeaf(path, value, type, seq);
        }
        void removeExact(const QString &path) override
        {
            QSqlQuery &q = *m_d.hot.deleteLeaf;
            q.bindValue(0, path);
            if (m_d.exec(q))
                m_d.entryCount -= q.numRowsAffected();
        }
        void removeDescendants(const QString &path) override
        {
            QSqlQuery &q = *m_d.hot.deleteRange;
            q.bindValue(0, QString(path + QLatin1Char('/')));
            q.bindValue(1, descendantEnd(path));
            if (m_d.exec(q))
                m_d.entryCount -= q.numRowsAffected();
        }

    private:
        Private &m_d;
    };

    ~Private()
    {
        queries.clear();
        if (db.isValid())
            db.close();
        db = QSqlDatabase();
        if (!connectionName.isEmpty())
            QSqlDatabase::removeDatabase(connectionName);
    }

    QSqlQuery &query(const QString &sql)
    {
        auto it = queries.find(sql);
        if (it != queries.end())
            return *it->second;
        auto q = std::make_unique<QSqlQuery>(db);
        q->setForwardOnly(true);
        if (!q->prepare(sql))
            fail(q->lastError().text());
        QSqlQuery &ref = *q;
        queries.emplace(sql, std::move(q));
        return ref;
    }

    void fail(const QString &message)
    {
        if (!failed) {
            failed = true;
            error = message;
        }
        qWarning("dustlite store %s: %s", qUtf8Printable(fullName), qUtf8Printable(message));
    }

    bool exec(QSqlQuery &q)
    {
        if (q.exec())
            return true;
        fail(q.lastError().text());
        return false;
    }

    bool execDirect(const QString &sql)
    {
        QSqlQuery q(db);
        if (q.exec(sql))
            return true;
        fail(q.lastError().text() + QStringLiteral(" (") + sql + QLatin1Char(')'));
        return false;
    }

    std::optional<qint64> scalarInt(const QString &sql, const QVariantList &binds = {})
    {
        QSqlQuery &q = query(sql);
        for (int i = 0; i < binds.size(); ++i)
            q.bindValue(i, binds.at(i));
        if (!exec(q))
            return std::nullopt;
        std::optional<qint64> value;
        if (q.next() && !q.value(0).isNull())
            value = q.value(0).toLongLong();
        q.finish();
        return value;
    }

    // --- transactions

    bool begin()
    {
        failed = false;
        error.clear();
        if (!db.transaction()) {
            fail(db.lastError().text());
            return false;
        }
        inTransaction = true;
        savedSeq = currentSeq;
        savedEntryCount = entryCount;
        return true;
    }

    bool commit()
    {
        if (failed) {
            rollback();
            return false;
        }
        if (!db.commit()) {
            fail(db.lastError().text());
            rollback();
            return false;
        }
        inTransaction = false;
        return true;
    }

    void rollback()
    {
        if (!inTransaction)
            return;
        for (auto &entry : queries)
            entry.second->finish();
        db.rollback();
        inTransaction = false;
        currentSeq = savedSeq;
        entryCount = savedEntryCount;
    }

    // --- leaves

    std::optional<LeafRow> readLeaf(const QString &path)
    {
        QSqlQuery &q = *hot.readLeaf;
        q.bindValue(0, path);
        if (!exec(q))
            return std::nullopt;
        std::optional<LeafRow> row;
        if (q.next())
            row = LeafRow{parseStored(q.value(0).toByteArray()), q.value(1).toString(),
                          q.value(2).toLongLong()};
        q.finish();
        return row;
    }

    void upsertLeaf(const QString &path, const QJsonValue &value, const QString &type, qint64 seq)
    {
        upsertLeafText(path, storedText(value), type, seq);
    }

    void upsertLeafText(const QString &path, const QByteArray &text, const QString &type,
                        qint64 seq)
    {
        QSqlQuery &insert = *hot.insertLeaf;
        insert.bindValue(0, path);
        insert.bindValue(1, text);
        insert.bindValue(2, type);
        insert.bindValue(3, seq);
        if (!exec(insert))
            return;
        if (insert.numRowsAffected() > 0) {
            ++entryCount;
            return;
        }
        QSqlQuery &update = *hot.updateLeaf;
        update.bindValue(0, text);
        update.bindValue(1, type);
        update.bindValue(2, seq);
        update.bindValue(3, path);
        exec(update);
    }

    static Entry toEntry(const QString &rendered, const QByteArray &value, const QString &type,
                         qint64 seq)
    {
        Entry entry;
        if (auto parsed = Path::parse(rendered))
            entry.path = std::move(parsed).value();
        entry.value = parseStored(value);
        entry.type = type;
        entry.revision = seq;
        return entry;
    }

    // Calls `row` for every leaf strictly under `path` (or every leaf when `path` is empty), in
    // path order, in chunks so no statement stays open while `row` runs.
    void scanLeaves(const QString &path,
                    const std::function<void(const QString &, const QByteArray &, const QString &,
                                             qint64)> &row)
    {
        const bool ranged = !path.isEmpty();
        const QString lo = ranged ? path + QLatin1Char('/') : QString();
        const QString hi = ranged ? descendantEnd(path) : QString();
        QString cursor;
        bool first = true;
        while (true) {
            QString sql = QStringLiteral(
                "SELECT path, CAST(value AS BLOB), type, seq FROM store_entries WHERE 1=1");
            if (ranged)
                sql += QStringLiteral(" AND path >= ? AND path < ?");
            if (!first)
                sql += QStringLiteral(" AND path > ?");
            sql += QStringLiteral(" ORDER BY path LIMIT ?");
            QSqlQuery &q = query(sql);
            int i = 0;
            if (ranged) {
                q.bindValue(i++, lo);
                q.bindValue(i++, hi);
            }
            if (!first)
                q.bindValue(i++, cursor);
            q.bindValue(i, kExportChunk);
            if (!exec(q))
                return;
            struct Row
            {
                QString path;
                QByteArray value;
                QString type;
                qint64 seq;
            };
            std::vector<Row> rows;
            rows.reserve(kExportChunk);
            while (q.next())
                rows.push_back(Row{q.value(0).toString(), q.value(1).toByteArray(),
                                   q.value(2).toString(), q.value(3).toLongLong()});
            q.finish();
            for (const Row &r : rows)
                row(r.path, r.value, r.type, r.seq);
            if (rows.size() < size_t(kExportChunk))
                return;
            cursor = rows.back().path;
            first = false;
        }
    }

    // --- the op log

    bool insertOp(qint64 seq, Op op, const Path &path, const QJsonValue &value,
                  const std::optional<QJsonValue> &eventValue, const QString &deviceId,
                  const QString &clientOpId)
    {
        return insertOpText(seq, opName(op), path, storedText(value),
                            eventValue ? QVariant(storedText(*eventValue)) : QVariant(), deviceId,
                            clientOpId, nowIso());
    }

    bool insertOpText(qint64 seq, const QString &op, const Path &path, const QByteArray &value,
                      const QVariant &eventValue, const QString &deviceId,
                      const QString &clientOpId, const QString &insertedAt)
    {
        QSqlQuery &q = *hot.insertOp;
        q.bindValue(0, seq);
        q.bindValue(1, op);
        q.bindValue(2, path.rendered());
        q.bindValue(3, segmentsText(path));
        q.bindValue(4, value);
        q.bindValue(5, eventValue);
        q.bindValue(6, deviceId);
        q.bindValue(7, clientOpId);
        q.bindValue(8, insertedAt);
        return exec(q);
    }

    // The statements every write runs, prepared once.
    struct Hot
    {
        QSqlQuery *readLeaf = nullptr;
        QSqlQuery *insertLeaf = nullptr;
        QSqlQuery *updateLeaf = nullptr;
        QSqlQuery *deleteLeaf = nullptr;
        QSqlQuery *deleteRange = nullptr;
        QSqlQuery *insertOp = nullptr;
    } hot;

    void prepareHot()
    {
        hot.readLeaf = &query(QStringLiteral(
            "SELECT CAST(value AS BLOB), type, seq FROM store_entries WHERE path = ?"));
        hot.insertLeaf =
            &query(QStringLiteral("INSERT OR IGNORE INTO store_entries (path, value, type, seq) "
                                  "VALUES (?, CAST(? AS TEXT), ?, ?)"));
        hot.updateLeaf = &query(QStringLiteral(
            "UPDATE store_entries SET value = CAST(? AS TEXT), type = ?, seq = ? WHERE path = ?"));
        hot.deleteLeaf = &query(QStringLiteral("DELETE FROM store_entries WHERE path = ?"));
        hot.deleteRange =
            &query(QStringLiteral("DELETE FROM store_entries WHERE path >= ? AND path < ?"));
        hot.insertOp = &query(QStringLiteral(
            "INSERT INTO store_ops (store_seq, op, path, path_segments, value, event_value, "
            "device_id, client_op_id, inserted_at) VALUES (?, ?, ?, CAST(? AS TEXT), "
            "CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?)"));
    }

    // Checks and applies one validated write at `seq` inside an open transaction.
    WriteResult applyWrite(const WriteRequest &request, qint64 seq)
    {
        DbSink sink(*this);
        const QString &rendered = request.path.rendered();
        QJsonValue opValue = request.value;
        QJsonObject replyExtra;
        const qint64 now = clock();

        switch (request.op) {
        case Op::Lease: {
            const auto current = readLeaf(rendered);
            const LeaseState state = leaseState(current, now);
            if (state == LeaseState::Live)
                return failure(QStringLiteral("held"));
            if (state == LeaseState::Occupied)
                return failure(QStringLiteral("occupied"));
            const qint64 expires = now + request.ttlMs;
            const QJsonValue holder =
                request.holder.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(request.holder);
            opValue = QJsonObject{{QStringLiteral("_type"), kLeaseType},
                                  {QStringLiteral("holder"), holder},
                                  {QStringLiteral("token"), seq},
                                  {QStringLiteral("expires_at"), expires}};
            replyExtra = QJsonObject{{QStringLiteral("token"), seq},
                                     {QStringLiteral("expires_at"), expires},
                                     {QStringLiteral("holder"), holder}};
            break;
        }
        case Op::Renew: {
            const auto current = readLeaf(rendered);
            if (leaseState(current, now) != LeaseState::Live || !request.token ||
                leaseToken(current) != request.token)
                return failure(QStringLiteral("not_held"));
            QJsonObject envelope = current->value.toObject();
            const qint64 expires = now + request.ttlMs;
            envelope.insert(QStringLiteral("expires_at"), expires);
            opValue = envelope;
            replyExtra =
                QJsonObject{{QStringLiteral("token"), *request.token},
                            {QStringLiteral("expires_at"), expires},
                            {QStringLiteral("holder"), envelope.value(QLatin1String("holder"))}};
            break;
        }
        case Op::Release: {
            const auto current = readLeaf(rendered);
            const LeaseState state = leaseState(current, now);
            if ((state != LeaseState::Live && state != LeaseState::Expired) || !request.token ||
                leaseToken(current) != request.token) {
                WriteResult noop;
                noop.ok = true;
                noop.replyExtra = QJsonObject{{QStringLiteral("released"), false}};
                return noop;
            }
            opValue = QJsonValue(QJsonValue::Null);
            break;
        }
        default: {
            if (request.ifMatch) {
                const auto current = readLeaf(rendered);
                if (!current || current->seq != *request.ifMatch) {
                    WriteResult result = failure(QStringLiteral("conflict"));
                    if (current)
                        result.currentRevision = current->seq;
                    return result;
                }
            }
            if (request.ifAbsent) {
                if (const auto current = readLeaf(rendered)) {
                    WriteResult result = failure(QStringLiteral("exists"));
                    result.currentRevision = current->seq;
                    return result;
                }
            }
            if (request.fence) {
                const auto lease = readLeaf(request.fence->key.rendered());
                if (leaseState(lease, now) != LeaseState::Live ||
                    leaseToken(lease) != request.fence->token)
                    return failure(QStringLiteral("fenced"));
            }
            if (request.op == Op::Delete)
                opValue = QJsonValue(QJsonValue::Null);
            break;
        }
        }
        if (failed)
            return failure(QStringLiteral("storage_error: ") + error);

        const Applied applied = applyOp(sink, request.op, request.path, opValue, seq);
        if (!applied.ok)
            return failure(applied.reason);
        const bool materialized =
            request.op == Op::Increment || request.op == Op::Add || request.op == Op::Remove;
        insertOp(seq, request.op, request.path, opValue,
                 materialized ? std::optional<QJsonValue>(applied.eventValue) : std::nullopt,
                 request.deviceId, request.clientOpId);
        if (failed)
            return failure(QStringLiteral("storage_error: ") + error);

        WriteResult result;
        result.ok = true;
        result.storeSeq = seq;
        result.replyExtra = replyExtra;
        ChangeEvent event;
        event.storeSeq = seq;
        event.op = request.op;
        event.opText = opName(request.op);
        event.path = request.path;
        event.value = applied.eventValue;
        event.deviceId = request.deviceId;
        event.clientOpId = request.clientOpId;
        result.event = std::move(event);
        currentSeq = seq;
        return result;
    }

    // Runs `body` in a transaction; commits if it reports success.
    WriteResult transact(const std::function<WriteResult()> &body)
    {
        if (!begin())
            return failure(QStringLiteral("storage_error: ") + error);
        WriteResult result = body();
        if (!result.ok) {
            rollback();
            return result;
        }
        if (!commit())
            return failure(QStringLiteral("storage_error: ") + error);
        return result;
    }

    // --- history

    std::optional<qint64> earliestOpSeq()
    {
        return scalarInt(QStringLiteral("SELECT min(store_seq) FROM store_ops"));
    }

    QStringList opPathsBetween(qint64 afterSeq, qint64 toSeq)
    {
        QStringList paths;
        QSqlQuery &q = query(QStringLiteral(
            "SELECT DISTINCT path FROM store_ops WHERE store_seq > ? AND store_seq <= ?"));
        q.bindValue(0, afterSeq);
        q.bindValue(1, toSeq);
        if (!exec(q))
            return paths;
        while (q.next()) {
            paths.append(q.value(0).toString());
            if (paths.size() > kMaxReplayRoots)
                break;
        }
        q.finish();
        return paths;
    }

    // Rebuilds the leaves in scope as of `toSeq` (>= the latest snapshot) from the latest
    // snapshot and the op log; journals first touches of ops after `journalAfter`.
    bool replay(qint64 toSeq, ReplaySink &sink, const ReplayScope &scope, qint64 journalAfter)
    {
        qint64 fromSeq = 0;
        if (snapshotSeq > 0 && snapshotSeq <= toSeq) {
            fromSeq = snapshotSeq;
            QSqlQuery &q = query(QStringLiteral(
                "SELECT CAST(entries AS BLOB) FROM store_snapshots WHERE snapshot_seq = ?"));
            q.bindValue(0, snapshotSeq);
            if (!exec(q))
                return false;
            QByteArray text;
            if (q.next())
                text = q.value(0).toByteArray();
            q.finish();
            const QJsonObject entries = parseRawOrNull(text).toObject();
            for (auto it = entries.constBegin(); it != entries.constEnd(); ++it) {
                if (!scope.contains(it.key()))
                    continue;
                const QJsonObject entry = it.value().toObject();
                sink.state[it.key()] =
                    LeafRow{unwrapStored(entry.value(QLatin1String("value"))),
                            entry.value(QLatin1String("type")).toString(), snapshotSeq};
            }
        }
        sink.journaling = fromSeq >= journalAfter;

        // Ops are read in blocks so the replay holds no statement open across blocks.
        qint64 cursor = fromSeq;
        while (cursor < toSeq) {
            QSqlQuery &q = query(QStringLiteral(
                "SELECT store_seq, op, path, CAST(value AS BLOB) FROM store_ops "
                "WHERE store_seq > ? AND store_seq <= ? ORDER BY store_seq LIMIT ?"));
            q.bindValue(0, cursor);
            q.bindValue(1, toSeq);
            q.bindValue(2, kExportChunk);
            if (!exec(q))
                return false;
            int rows = 0;
            struct OpRow
            {
                qint64 seq;
                Op op;
                QString path;
                QByteArray value;
            };
            std::vector<OpRow> block;
            while (q.next()) {
                ++rows;
                cursor = q.value(0).toLongLong();
                const QString path = q.value(2).toString();
                if (!scope.relevant(path))
                    continue;
                block.push_back(OpRow{cursor, opFromName(q.value(1).toString()), path,
                                      q.value(3).toByteArray()});
            }
            q.finish();
            for (const OpRow &row : block) {
                const auto path = Path::parse(row.path);
                if (!path)
                    continue;
                if (row.seq > journalAfter)
                    sink.journaling = true;
                QJsonValue value = parseStored(row.value);
                applyOp(sink, row.op, *path, value, row.seq);
            }
            if (rows < kExportChunk)
                break;
        }
        return true;
    }

    // The current leaves in scope.
    ReplaySink::State currentState(const ReplayScope &scope)
    {
        ReplaySink::State state;
        auto collect = [&](const QString &path, const QByteArray &value, const QString &type,
                           qint64 seq) {
            state[path] = LeafRow{parseStored(value), type, seq};
        };
        if (scope.all) {
            scanLeaves(QString(), collect);
            return state;
        }
        for (const QString &root : scope.roots) {
            if (auto leaf = readLeaf(root))
                state[root] = *leaf;
            scanLeaves(root, collect);
        }
        return state;
    }
};

StoreDb::StoreDb()
    : d(std::make_unique<Private>())
{}

StoreDb::~StoreDb() = default;

Expected<std::unique_ptr<StoreDb>, QString> StoreDb::open(const QString &file,
                                                          const QString &fullName)
{
    using Result = Expected<std::unique_ptr<StoreDb>, QString>;
    std::unique_ptr<StoreDb> store(new StoreDb());
    Private &d = *store->d;
    d.file = file;
    d.fullName = fullName;
    d.connectionName =
        QStringLiteral("dustlite-store-") + QUuid::createUuid().toString(QUuid::WithoutBraces);

    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return Result::failure(QStringLiteral("the Qt SQLite driver (QSQLITE) is not available"));
    if (!file.isEmpty()) {
        const QFileInfo info(file);
        if (info.exists() && !info.isFile())
            return Result::failure(QStringLiteral("%1 is not a file").arg(file));
        if (!QDir().mkpath(info.absolutePath()))
            return Result::failure(
                QStringLiteral("cannot create the directory %1").arg(info.absolutePath()));
    }

    d.db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d.connectionName);
    d.db.setDatabaseName(file.isEmpty() ? QStringLiteral(":memory:") : file);
    if (!d.db.open())
        return Result::failure(
            QStringLiteral("cannot open %1: %2")
                .arg(file.isEmpty() ? QStringLiteral("in-memory database") : file,
                     d.db.lastError().text()));

    const QString where = file.isEmpty() ? QStringLiteral("in-memory database") : file;
    auto fail = [&](const QString &what) {
        return Result::failure(
            QStringLiteral("cannot open the store database %1: %2 (%3)").arg(where, what, d.error));
    };

    // WAL with synchronous=FULL: every commit is on disk before write() returns.
    const QStringList setup = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("PRAGMA synchronous=FULL"),
        QStringLiteral("PRAGMA foreign_keys=OFF"),
        QStringLiteral("PRAGMA cache_size=-32768"),
        QStringLiteral("PRAGMA temp_store=MEMORY"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS store_meta (id TEXT NOT NULL, full_name TEXT "
                       "NOT NULL, inserted_at TEXT NOT NULL)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS store_ops (store_seq INTEGER PRIMARY KEY, op "
                       "TEXT NOT NULL, path TEXT NOT NULL, path_segments TEXT, value TEXT, "
                       "event_value TEXT, device_id TEXT NOT NULL, client_op_id TEXT NOT NULL, "
                       "inserted_at TEXT NOT NULL)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS store_ops_by_path ON store_ops (path)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS store_entries (path TEXT NOT NULL COLLATE "
                       "BINARY PRIMARY KEY, value TEXT NOT NULL, type TEXT NOT NULL, seq "
                       "INTEGER NOT NULL) WITHOUT ROWID"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS store_entries_files ON store_entries (type) "
                       "WHERE type = 'file'"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS store_snapshots (snapshot_seq INTEGER "
                       "PRIMARY KEY, entries TEXT NOT NULL, inserted_at TEXT NOT NULL)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS files (hash TEXT PRIMARY KEY, content BLOB "
                       "NOT NULL, size INTEGER NOT NULL, content_type TEXT NOT NULL, filename "
                       "TEXT, inserted_at TEXT NOT NULL)"),
    };
    for (const QString &sql : setup) {
        if (!d.execDirect(sql))
            return fail(QStringLiteral("setup failed"));
    }

    {
        QSqlQuery &q = d.query(QStringLiteral("SELECT id, inserted_at FROM store_meta LIMIT 1"));
        if (!d.exec(q))
            return fail(QStringLiteral("unreadable metadata"));
        if (q.next()) {
            d.id = q.value(0).toString();
            d.insertedAt = q.value(1).toString();
        }
        q.finish();
    }
    if (d.id.isEmpty()) {
        d.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        d.insertedAt = nowIso();
        QSqlQuery &q = d.query(
            QStringLiteral("INSERT INTO store_meta (id, full_name, inserted_at) VALUES (?, ?, ?)"));
        q.bindValue(0, d.id);
        q.bindValue(1, fullName);
        q.bindValue(2, d.insertedAt);
        if (!d.exec(q))
            return fail(QStringLiteral("cannot write metadata"));
    }

    d.prepareHot();
    const auto maxOp = d.scalarInt(QStringLiteral("SELECT max(store_seq) FROM store_ops"));
    const auto count = d.scalarInt(QStringLiteral("SELECT count(*) FROM store_entries"));
    {
        QSqlQuery &q = d.query(QStringLiteral(
            "SELECT snapshot_seq, inserted_at FROM store_snapshots ORDER BY snapshot_seq DESC "
            "LIMIT 1"));
        if (d.exec(q) && q.next()) {
            d.snapshotSeq = q.value(0).toLongLong();
            d.snapshotAt = q.value(1).toString();
        }
        q.finish();
    }
    if (d.failed)
        return fail(QStringLiteral("unreadable tables"));
    d.currentSeq = std::max(maxOp.value_or(0), d.snapshotSeq);
    d.entryCount = count.value_or(0);
    return Result(std::move(store));
}

const QString &StoreDb::fullName() const
{
    return d->fullName;
}

QString StoreDb::id() const
{
    return d->id;
}

QString StoreDb::insertedAt() const
{
    return d->insertedAt;
}

qint64 StoreDb::currentSeq() const
{
    return d->currentSeq;
}

qint64 StoreDb::entryCount() const
{
    return d->entryCount;
}

qint64 StoreDb::opCount() const
{
    // Seqs are handed out one by one and ops are only ever removed from the front
    // (compaction), so the log is one contiguous run.
    const auto lo = d->scalarInt(QStringLiteral("SELECT min(store_seq) FROM store_ops"));
    const auto hi = d->scalarInt(QStringLiteral("SELECT max(store_seq) FROM store_ops"));
    return lo && hi ? *hi - *lo + 1 : 0;
}

void StoreDb::setClock(std::function<qint64()> nowMs)
{
    d->clock = nowMs ? std::move(nowMs) : [] {
        return QDateTime::currentMSecsSinceEpoch();
    };
}

WriteResult StoreDb::write(const WriteRequest &request)
{
    QJsonObject extra;
    const QString invalid = validationFailure(request, &extra);
    if (!invalid.isEmpty())
        return failure(invalid, extra);
    return d->transact([&] { return d->applyWrite(request, d->currentSeq + 1); });
}

BatchResult StoreDb::batchWrite(const QList<WriteRequest> &requests)
{
    BatchResult batch;
    for (qsizetype i = 0; i < requests.size(); ++i) {
        const WriteRequest &request = requests.at(i);
        QJsonObject extra;
        QString invalid;
        if (request.op != Op::Set && request.op != Op::Delete)
            invalid = QStringLiteral("invalid op");
        else if (request.ifAbsent)
            invalid = QStringLiteral("invalid_precondition");
        else
            invalid = validationFailure(request, &extra);
        if (!invalid.isEmpty()) {
            batch.failedIndex = int(i);
            batch.failure = failure(invalid, extra);
            return batch;
        }
    }
    if (requests.isEmpty()) {
        batch.ok = true;
        batch.storeSeq = d->currentSeq;
        return batch;
    }

    if (!d->begin()) {
        batch.failedIndex = 0;
        batch.failure = failure(QStringLiteral("storage_error: ") + d->error);
        return batch;
    }
    for (qsizetype i = 0; i < requests.size(); ++i) {
        WriteResult result = d->applyWrite(requests.at(i), d->currentSeq + 1);
        if (!result.ok) {
            d->rollback();
            batch.failedIndex = int(i);
            batch.failure = std::move(result);
            batch.ops.clear();
            return batch;
        }
        batch.ops.append(std::move(result));
    }
    if (!d->commit()) {
        batch.ops.clear();
        batch.failedIndex = 0;
        batch.failure = failure(QStringLiteral("storage_error: ") + d->error);
        return batch;
    }
    batch.ok = true;
    batch.storeSeq = d->currentSeq;
    return batch;
}

WriteResult StoreDb::putFile(const Path &path, const QByteArray &content, const QString &filename,
                             const QString &contentType, const QString &deviceId,
                             const QString &clientOpId)
{
    if (!path.isValid())
        return failure(QStringLiteral("missing_path"));
    if (clientOpId.isEmpty())
        return failure(QStringLiteral("missing_client_op_id"));
    const QString hash =
        QStringLiteral("sha256:") +
        QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
    const QString type =
        contentType.isEmpty() ? QStringLiteral("application/octet-stream") : contentType;
    const QJsonObject ref{
        {QStringLiteral("_type"), kFileType},
        {QStringLiteral("hash"), hash},
        {QStringLiteral("size"), qint64(content.size())},
        {QStringLiteral("content_type"), type},
        {QStringLiteral("filename"),
         filename.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(filename)},
        {QStringLiteral("uploaded_at"), nowIso()},
    };

    return d->transact([&]() -> WriteResult {
        QSqlQuery &q = d->query(
            QStringLiteral("INSERT OR IGNORE INTO files (hash, content, size, content_type, "
                           "filename, inserted_at) VALUES (?, ?, ?, ?, ?, ?)"));
        q.bindValue(0, hash);
        q.bindValue(1, content);
        q.bindValue(2, qint64(content.size()));
        q.bindValue(3, type);
        q.bindValue(4, filename.isEmpty() ? QVariant() : QVariant(filename));
        q.bindValue(5, nowIso());
        if (!d->exec(q))
            return failure(QStringLiteral("storage_error: ") + d->error);

        const qint64 seq = d->currentSeq + 1;
        Private::DbSink sink(*d);
        const Applied applied = applyOp(sink, Op::PutFile, path, ref, seq);
        d->insertOp(seq, Op::PutFile, path, ref, std::nullopt, deviceId, clientOpId);
        if (d->failed)
            return failure(QStringLiteral("storage_error: ") + d->error);
        WriteResult result;
        result.ok = true;
        result.storeSeq = seq;
        result.replyExtra = QJsonObject{{QStringLiteral("hash"), hash}};
        ChangeEvent event;
        event.storeSeq = seq;
        event.op = Op::PutFile;
        event.opText = opName(Op::PutFile);
        event.path = path;
        event.value = applied.eventValue;
        event.deviceId = deviceId;
        event.clientOpId = clientOpId;
        result.event = std::move(event);
        d->currentSeq = seq;
        return result;
    });
}

WriteResult StoreDb::rollback(const std::optional<Path> &path, qint64 toSeq, QJsonObject *reply)
{
    const auto earliestOp = d->earliestOpSeq();
    if (!earliestOp)
        return failure(d->failed ? QStringLiteral("storage_error: ") + d->error
                                 : QStringLiteral("no_ops"));
    const qint64 earliest = d->snapshotSeq > 0 ? d->snapshotSeq : *earliestOp;
    if (toSeq < earliest)
        return failure(QStringLiteral("beyond_retention"));
    const qint64 target = std::min(toSeq, d->currentSeq);
    const QString device = QStringLiteral("system:rollback");

    if (path) {
        if (!path->isValid())
            return failure(QStringLiteral("missing_path"));
        const QString &rendered = path->rendered();
        ReplayScope scope;
        scope.all = false;
        scope.roots.insert(rendered);
        ReplaySink historic(scope);
        d->failed = false;
        if (!d->replay(target, historic, scope, std::numeric_limits<qint64>::max()))
            return failure(QStringLiteral("storage_error: ") + d->error);
        const ReplaySink::State now = d->currentState(scope);
        bool equal = now.size() == historic.state.size();
        for (auto a = now.cbegin(), b = historic.state.cbegin(); equal && a != now.cend(); ++a, ++b)
            equal = a->first == b->first && a->second.value == b->second.value;
        if (equal) {
            WriteResult result;
            result.ok = true;
            result.storeSeq = d->currentSeq;
            if (reply)
                *reply = QJsonObject{{QStringLiteral("store_seq"), d->currentSeq},
                                     {QStringLiteral("noop"), true}};
            return result;
        }

        WriteRequest request;
        request.path = *path;
        request.deviceId = device;
        request.clientOpId = QStringLiteral("rollback:%1:%2").arg(toSeq).arg(rendered);
        const auto self = historic.state.find(rendered);
        if (self != historic.state.end()) {
            request.op = Op::Set;
            request.value = self->second.value;
        } else if (!historic.state.empty()) {
            QList<Entry> descendants;
            for (const auto &[leafPath, row] : historic.state) {
                if (auto parsed = Path::parse(leafPath))
                    descendants.append(Entry{*parsed, row.value, row.type, row.seq});
            }
            request.op = Op::Set;
            request.value = values::assembleSubtree(*path, descendants).value;
        } else {
            request.op = Op::Delete;
        }
        WriteResult result = write(request);
        if (result.ok && reply)
            *reply = QJsonObject{{QStringLiteral("store_seq"), result.storeSeq}};
        return result;
    }

    // The whole store: only subtrees touched after the target can differ.
    d->failed = false;
    const ReplayScope scope = ReplayScope::fromPaths(d->opPathsBetween(target, d->currentSeq));
    ReplaySink historic(scope);
    if (!d->replay(target, historic, scope, std::numeric_limits<qint64>::max()))
        return failure(QStringLiteral("storage_error: ") + d->error);
    const ReplaySink::State now = d->currentState(scope);
    if (d->failed)
        return failure(QStringLiteral("storage_error: ") + d->error);

    qint64 written = 0;
    WriteResult outcome = d->transact([&]() -> WriteResult {
        auto writeOne = [&](Op op, const QString &rendered, const QJsonValue &value) {
            WriteRequest request;
            request.op = op;
            request.path = *Path::parse(rendered);
            request.value = value;
            request.deviceId = device;
            request.clientOpId = QStringLiteral("rollback:%1:%2").arg(toSeq).arg(rendered);
            ++written;
            return d->applyWrite(request, d->currentSeq + 1);
        };
        for (const auto &[leafPath, row] : now) {
            if (historic.state.count(leafPath) || !Path::parse(leafPath))
                continue;
            // An earlier delete of an ancestor may already have removed it.
            if (!d->readLeaf(leafPath) && !d->failed)
                continue;
            WriteResult r = writeOne(Op::Delete, leafPath, QJsonValue());
            if (!r.ok)
                return r;
        }
        // Ascending order puts every parent before its descendants, so a set that clears a
        // subtree is followed by the leaves it must restore.
        for (const auto &[leafPath, row] : historic.state) {
            if (!Path::parse(leafPath))
                continue;
            if (sameLeafValue(d->readLeaf(leafPath), row))
                continue;
            WriteResult r = writeOne(Op::Set, leafPath, row.value);
            if (!r.ok)
                return r;
        }
        WriteResult done;
        done.ok = true;
        done.storeSeq = d->currentSeq;
        return done;
    });
    if (outcome.ok && reply)
        *reply = QJsonObject{{QStringLiteral("ops_written"), written}};
    return outcome;
}

std::optional<Entry> StoreDb::getLeaf(const Path &path) const
{
    if (!path.isValid())
        return std::nullopt;
    const auto leaf = d->readLeaf(path.rendered());
    if (!leaf)
        return std::nullopt;
    return Entry{path, leaf->value, leaf->type, leaf->seq};
}

std::optional<Entry> StoreDb::get(const Path &path) const
{
    if (!path.isValid())
        return std::nullopt;
    if (auto leaf = getLeaf(path))
        return leaf;
    QList<Entry> descendants;
    d->scanLeaves(path.rendered(), [&](const QString &rendered, const QByteArray &value,
                                       const QString &type, qint64 seq) {
        descendants.append(Private::toEntry(rendered, value, type, seq));
    });
    if (descendants.isEmpty())
        return std::nullopt;
    return values::assembleSubtree(path, descendants);
}

ListPage StoreDb::list(const ListQuery &query) const
{
    ListPage page;
    const int limit = std::clamp(query.limit, 1, kMaxListLimit);
    QString lo;
    QString hi;
    std::optional<Glob> glob;
    bool filter = false;
    qsizetype prefixDepth = 0;

    if (query.from || query.to) {
        if (!query.from || !query.to || !query.from->isValid() || !query.to->isValid() ||
            query.select == ListQuery::Select::Prefixes)
            return page;
        lo = query.from->rendered();
        hi = query.to->rendered();
        if (compareCodePoints(lo, hi) >= 0)
            return page;
    } else {
        auto compiled = Glob::compile(query.pattern.isEmpty() ? QStringView(u"**")
                                                              : QStringView(query.pattern));
        if (!compiled)
            return page;
        glob = std::move(compiled).value();
        // A pattern with no '*' at all scans the descendants of that very path and matches
        // none of them: an exact path lists nothing.
        const QStringList literal = glob->literalPrefix();
        if (literal.size() == glob->segments().size())
            return page;
        if (!literal.isEmpty()) {
            QStringList escaped;
            for (const QString &segment : literal)
                escaped.append(Path::escapeSegment(segment));
            const QString base = escaped.join(QLatin1Char('/'));
            lo = base + QLatin1Char('/');
            hi = descendantEnd(base);
        }
        // `**` and `<base>/**` match every row of the scanned range.
        filter = !(glob->endsWithMany() && glob->segments().size() == literal.size() + 1);
        if (query.select == ListQuery::Select::Prefixes) {
            if (filter)
                return page;
            prefixDepth = literal.size() + 1;
        }
    }

    const bool desc = query.descending;
    const bool withValues = query.select == ListQuery::Select::Entries;
    const int chunk = filter ? kScanChunk : limit + 1;
    QString cursor = query.after;
    int matched = 0;
    QString lastMatched;
    bool more = false;
    QSet<QString> prefixes;

    while (!more) {
        QString sql = withValues ? QStringLiteral("SELECT path, CAST(value AS BLOB), type, seq")
                                 : QStringLiteral("SELECT path");
        sql += QStringLiteral(" FROM store_entries WHERE 1=1");
        if (!lo.isEmpty())
            sql += QStringLiteral(" AND path >= ?");
        if (!hi.isEmpty())
            sql += QStringLiteral(" AND path < ?");
        if (!cursor.isEmpty())
            sql += desc ? QStringLiteral(" AND path < ?") : QStringLiteral(" AND path > ?");
        sql += desc ? QStringLiteral(" ORDER BY path DESC LIMIT ?")
                    : QStringLiteral(" ORDER BY path LIMIT ?");
        QSqlQuery &q = d->query(sql);
        int bind = 0;
        if (!lo.isEmpty())
            q.bindValue(bind++, lo);
        if (!hi.isEmpty())
            q.bindValue(bind++, hi);
        if (!cursor.isEmpty())
            q.bindValue(bind++, cursor);
        q.bindValue(bind, chunk);
        d->failed = false;
        if (!d->exec(q))
            return page;
        int rows = 0;
        while (q.next()) {
            ++rows;
            const QString path = q.value(0).toString();
            cursor = path;
            if (filter) {
                const auto parsed = Path::parse(path);
                if (!parsed || !glob->matches(*parsed))
                    continue;
            }
            if (matched == limit) {
                more = true;
                break;
            }
            ++matched;
            lastMatched = path;
            switch (query.select) {
            case ListQuery::Select::Entries:
                page.entries.append(Private::toEntry(path, q.value(1).toByteArray(),
                                                     q.value(2).toString(),
                                                     q.value(3).toLongLong()));
                break;
            case ListQuery::Select::Keys:
                page.paths.append(path);
                break;
            case ListQuery::Select::Prefixes: {
                // Rendered segments hold no '/', so the first pieces are the prefix.
                const QString prefix = path.section(QLatin1Char('/'), 0, int(prefixDepth) - 1);
                if (!prefixes.contains(prefix)) {
                    prefixes.insert(prefix);
                    page.paths.append(prefix);
                }
                break;
            }
            }
        }
        q.finish();
        if (rows < chunk)
            break;
    }
    if (more)
        page.nextCursor = lastMatched;
    return page;
}

std::optional<Snapshot> StoreDb::snapshotAfter(qint64 lastSeq) const
{
    if (d->snapshotSeq <= 0 || d->snapshotSeq <= lastSeq)
        return std::nullopt;
    QSqlQuery &q = d->query(
        QStringLiteral("SELECT CAST(entries AS BLOB) FROM store_snapshots WHERE snapshot_seq = ?"));
    q.bindValue(0, d->snapshotSeq);
    if (!d->exec(q))
        return std::nullopt;
    Snapshot snapshot;
    snapshot.snapshotSeq = d->snapshotSeq;
    if (q.next())
        snapshot.entries = parseRawOrNull(q.value(0).toByteArray()).toObject();
    q.finish();
    return snapshot;
}

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
    const auto segments = parseRaw(q.value(3).toByteArray());
    auto path = segments ? Path::fromJson(*segments) : Path::parse(q.value(2).toString());
    if (!path)
        path = Path::parse(q.value(2).toString());
    if (path)
        event.path = std::move(path).value();
    if (!q.value(5).isNull())
        event.value = parseStored(q.value(5).toByteArray());
    else if (event.op == Op::Delete || event.op == Op::Release)
        event.value = QJsonValue(QJsonValue::Null);
    else
        event.value = parseStored(q.value(4).toByteArray());
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
        // Stored text is always an object or an array (see storedText).
        if (!(raw.starts_with('{') || raw.starts_with('[')) || !jsonbytes::isValid(raw))
            return std::nullopt;
        value = jsonbytes::scalarWrapperInner(raw).value_or(raw);
    }
    // The keys in ChangeEvent::toJson's (sorted) order.
    QByteArray out;
    out.reserve(segments.size() * 2 + qsizetype(value.size()) + 160);
    out += "{\"client_op_id\":";
    appendJsonString(out, q.value(7).toString());
    out += ",\"device_id\":";
    appendJsonString(out, q.value(6).toString());
    out += ",\"op\":";
    appendJsonString(out, opText);
    out += ",\"path\":";
    appendJsonString(out, q.value(2).toString());
    out += ",\"path_segments\":";
    out += segments;
    out += ",\"store_seq\":";
    out += QByteArray::number(q.value(0).toLongLong());
    out += ",\"value\":";
    out.append(value.data(), qsizetype(value.size()));
    out += '}';
    return out;
}

} // namespace

QList<ChangeEvent> StoreDb::eventsSince(qint64 afterSeq, int limit) const
{
    QList<ChangeEvent> events;
    QSqlQuery &q = d->query(QString::fromLatin1(kEventColumns));
    q.bindValue(0, afterSeq);
    q.bindValue(1, std::max(limit, 1));
    if (!d->exec(q))
        return events;
    while (q.next())
        events.append(eventFromRow(q));
    q.finish();
    return events;
}

QList<StoreDb::EventPayload> StoreDb::eventPayloadsSince(qint64 afterSeq, int limit) const
{
    QList<EventPayload> payloads;
    QSqlQuery &q = d->query(QString::fromLatin1(kEventColumns));
    q.bindValue(0, afterSeq);
    q.bindValue(1, std::max(limit, 1));
    if (!d->exec(q))
        return payloads;
    while (q.next()) {
        EventPayload payload;
        payload.storeSeq = q.value(0).toLongLong();
        if (auto fast = eventPayloadFromRow(q))
            payload.json = std::move(*fast);
        else
            payload.json = jsonText(eventFromRow(q).toJson());
        payloads.append(std::move(payload));
    }
    q.finish();
    return payloads;
}

void StoreDb::compact()
{
    const qint64 seq = d->currentSeq;
    if (seq <= 0 || seq == d->snapshotSeq)
        return;
    const QString at = nowIso();
    const WriteResult result = d->transact([&]() -> WriteResult {
        QByteArray text = "{";
        bool first = true;
        d->scanLeaves(QString(), [&](const QString &path, const QByteArray &value,
                                     const QString &type, qint64) {
            if (!first)
                text += ',';
            first = false;
            text += jsonString(path);
            text += ":{\"value\":";
            text += value;
            text += ",\"type\":";
            text += jsonString(type);
            text += '}';
        });
        text += '}';
        QSqlQuery &insert = d->query(
            QStringLiteral("INSERT OR REPLACE INTO store_snapshots (snapshot_seq, entries, "
                           "inserted_at) VALUES (?, CAST(? AS TEXT), ?)"));
        insert.bindValue(0, seq);
        insert.bindValue(1, text);
        insert.bindValue(2, at);
        d->exec(insert);
        QSqlQuery &ops = d->query(QStringLiteral("DELETE FROM store_ops WHERE store_seq <= ?"));
        ops.bindValue(0, seq);
        d->exec(ops);
        QSqlQuery &older =
            d->query(QStringLiteral("DELETE FROM store_snapshots WHERE snapshot_seq < ?"));
        older.bindValue(0, seq);
        d->exec(older);
        // Blobs no leaf refers to any more have no history left to serve them either.
        d->execDirect(QStringLiteral(
            "DELETE FROM files WHERE hash NOT IN (SELECT json_extract(value, '$.hash') FROM "
            "store_entries WHERE type = 'file')"));
        WriteResult r;
        r.ok = !d->failed;
        r.reason = d->error;
        return r;
    });
    if (result.ok) {
        d->snapshotSeq = seq;
        d->snapshotAt = at;
    } else {
        qWarning("dustlite store %s: compaction failed: %s", qUtf8Printable(d->fullName),
                 qUtf8Printable(result.reason));
    }
}

qint64 StoreDb::latestSnapshotSeq() const
{
    return d->snapshotSeq;
}

QString StoreDb::latestSnapshotAt() const
{
    return d->snapshotAt;
}

QJsonObject StoreDb::status() const
{
    QJsonArray recent;
    QSqlQuery &q = d->query(QStringLiteral(
        "SELECT store_seq, op, path, inserted_at FROM store_ops ORDER BY store_seq DESC LIMIT 5"));
    if (d->exec(q)) {
        while (q.next())
            recent.append(QJsonObject{{QStringLiteral("store_seq"), q.value(0).toLongLong()},
                                      {QStringLiteral("op"), q.value(1).toString()},
                                      {QStringLiteral("path"), q.value(2).toString()},
                                      {QStringLiteral("inserted_at"), q.value(3).toString()}});
        q.finish();
    }
    const qint64 fileBytes =
        d->scalarInt(QStringLiteral("SELECT coalesce(sum(size), 0) FROM files")).value_or(0);
    const qint64 pages = d->scalarInt(QStringLiteral("PRAGMA page_count")).value_or(0);
    const qint64 pageSize = d->scalarInt(QStringLiteral("PRAGMA page_size")).value_or(0);
    return QJsonObject{
        {QStringLiteral("current_seq"), d->currentSeq},
        {QStringLiteral("entry_count"), d->entryCount},
        {QStringLiteral("op_count"), opCount()},
        {QStringLiteral("file_storage_bytes"), fileBytes},
        {QStringLiteral("db_size_bytes"), pages * pageSize},
        {QStringLiteral("latest_snapshot_seq"),
         d->snapshotSeq > 0 ? QJsonValue(d->snapshotSeq) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("latest_snapshot_at"),
         d->snapshotAt.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(d->snapshotAt)},
        {QStringLiteral("recent_ops"), recent},
    };
}

QJsonObject StoreDb::auditLog(const AuditQuery &query) const
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
            const QStringList literal = glob->literalPrefix();
            if (!literal.isEmpty()) {
                QStringList escaped;
                for (const QString &segment : literal)
                    escaped.append(Path::escapeSegment(segment));
                const QString base = escaped.join(QLatin1Char('/'));
                where += QStringLiteral(" AND path >= ? AND path < ?");
                binds << QString(base + QLatin1Char('/')) << descendantEnd(base);
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
    auto opJson = [](const QSqlQuery &q) {
        return QJsonObject{{QStringLiteral("store_seq"), q.value(0).toLongLong()},
                           {QStringLiteral("op"), q.value(1).toString()},
                           {QStringLiteral("path"), q.value(2).toString()},
                           {QStringLiteral("value"), parseRawOrNull(q.value(3).toByteArray())},
                           {QStringLiteral("device_id"), q.value(4).toString()},
                           {QStringLiteral("client_op_id"), q.value(5).toString()},
                           {QStringLiteral("inserted_at"), q.value(6).toString()}};
    };
    const QString columns = QStringLiteral(
        "SELECT store_seq, op, path, CAST(value AS BLOB), device_id, client_op_id, inserted_at "
        "FROM store_ops");

    if (glob) {
        // Glob filters need the path's segments: count and page in one pass, newest first,
        // reading values only for the rows on the page.
        QSqlQuery &q = d->query(QStringLiteral("SELECT store_seq, path FROM store_ops") + where +
                                QStringLiteral(" ORDER BY store_seq DESC"));
        for (int i = 0; i < binds.size(); ++i)
            q.bindValue(i, binds.at(i));
        QList<qint64> pageSeqs;
        if (d->exec(q)) {
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
        QSqlQuery &one = d->query(columns + QStringLiteral(" WHERE store_seq = ?"));
        for (const qint64 seq : pageSeqs) {
            one.bindValue(0, seq);
            if (d->exec(one) && one.next())
                ops.append(opJson(one));
            one.finish();
        }
    } else {
        QSqlQuery &count = d->query(QStringLiteral("SELECT count(*) FROM store_ops") + where);
        for (int i = 0; i < binds.size(); ++i)
            count.bindValue(i, binds.at(i));
        if (d->exec(count) && count.next())
            total = count.value(0).toLongLong();
        count.finish();
        QSqlQuery &q =
            d->query(columns + where + QStringLiteral(" ORDER BY store_seq DESC LIMIT ? OFFSET ?"));
        int i = 0;
        for (; i < binds.size(); ++i)
            q.bindValue(i, binds.at(i));
        q.bindValue(i++, limit);
        q.bindValue(i, offset);
        if (d->exec(q)) {
            while (q.next())
                ops.append(opJson(q));
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

std::optional<QJsonObject> StoreDb::diff(qint64 fromSeq, qint64 toSeq,
                                         qint64 *earliestAvailable) const
{
    const qint64 current = d->currentSeq;
    const qint64 to = toSeq < 0 ? current : std::min(toSeq, current);
    const qint64 from = std::clamp<qint64>(fromSeq, 0, current);
    const qint64 lo = std::min(from, to);
    const qint64 hi = std::max(from, to);
    const qint64 earliest = d->snapshotSeq;
    if (lo > 0 && lo < earliest) {
        if (earliestAvailable)
            *earliestAvailable = earliest;
        return std::nullopt;
    }

    d->failed = false;
    ReplaySink::Journal journal;
    ReplaySink::State state;
    if (lo == 0) {
        // From the empty store: every leaf at `hi` is new.
        const ReplayScope all;
        ReplaySink sink(all);
        d->replay(hi, sink, all, std::numeric_limits<qint64>::max());
        state = std::move(sink.state);
        for (const auto &entry : state)
            journal.emplace(entry.first, std::nullopt);
    } else {
        const ReplayScope scope = ReplayScope::fromPaths(d->opPathsBetween(lo, hi));
        ReplaySink sink(scope);
        d->replay(hi, sink, scope, lo);
        state = std::move(sink.state);
        journal = std::move(sink.journal);
    }

    QJsonArray changes;
    for (const auto &[path, before] : journal) {
        const auto found = state.find(path);
        const std::optional<LeafRow> after =
            found == state.end() ? std::nullopt : std::optional<LeafRow>(found->second);
        if (sameLeafValue(before, after))
            continue;
        QJsonValue beforeValue = before ? before->value : QJsonValue(QJsonValue::Null);
        QJsonValue afterValue = after ? after->value : QJsonValue(QJsonValue::Null);
        if (from > to)
            std::swap(beforeValue, afterValue);
        changes.append(QJsonObject{{QStringLiteral("path"), path},
                                   {QStringLiteral("before"), beforeValue},
                                   {QStringLiteral("after"), afterValue}});
    }
    return QJsonObject{{QStringLiteral("from_seq"), fromSeq},
                       {QStringLiteral("to_seq"), to},
                       {QStringLiteral("changes"), changes}};
}

void StoreDb::exportJsonl(const std::function<void(const QByteArray &line)> &line) const
{
    line(jsonText(QJsonObject{{QStringLiteral("_header"), true},
                              {QStringLiteral("store"), d->fullName},
                              {QStringLiteral("seq"), d->currentSeq},
                              {QStringLiteral("entry_count"), d->entryCount},
                              {QStringLiteral("path_schema_version"), 3},
                              {QStringLiteral("exported_at"), nowIso()}}));
    d->scanLeaves(QString(),
                  [&](const QString &path, const QByteArray &value, const QString &type, qint64) {
                      line(jsonText(QJsonObject{{QStringLiteral("path"), path},
                                                {QStringLiteral("value"), parseStored(value)},
                                                {QStringLiteral("type"), type}}));
                  });
}

std::optional<QByteArray> StoreDb::fileContent(const QString &hash, QString *contentType,
                                               QString *filename) const
{
    QSqlQuery &ref = d->query(QStringLiteral("SELECT 1 FROM store_entries WHERE type = 'file' AND "
                                             "json_extract(value, '$.hash') = ? LIMIT 1"));
    ref.bindValue(0, hash);
    if (!d->exec(ref))
        return std::nullopt;
    const bool referenced = ref.next();
    ref.finish();
    if (!referenced)
        return std::nullopt;
    QSqlQuery &q = d->query(
        QStringLiteral("SELECT content, content_type, filename FROM files WHERE hash = ?"));
    q.bindValue(0, hash);
    if (!d->exec(q))
        return std::nullopt;
    std::optional<QByteArray> content;
    if (q.next()) {
        content = q.value(0).toByteArray();
        if (contentType)
            *contentType = q.value(1).toString();
        if (filename)
            *filename = q.value(2).toString();
    }
    q.finish();
    return content;
}

qint64 StoreDb::bulkSet(const QList<std::pair<Path, QJsonValue>> &leaves, const QString &deviceId)
{
    for (const auto &[path, value] : leaves) {
        if (!path.isValid() || values::validateKeys(value))
            return -1;
    }
    const WriteResult result = d->transact([&]() -> WriteResult {
        Private::DbSink sink(*d);
        const QString setName = opName(Op::Set);
        const QString at = nowIso();
        const QLatin1String idPrefix("bulk:");
        qint64 seq = d->currentSeq;
        for (const auto &[path, value] : leaves) {
            ++seq;
            const QByteArray text = storedText(value);
            if (values::isPlainObject(value)) {
                applyOp(sink, Op::Set, path, value, seq);
            } else {
                sink.removeDescendants(path.rendered());
                d->upsertLeafText(path.rendered(), text, values::detectType(value), seq);
            }
            d->insertOpText(seq, setName, path, text, QVariant(), deviceId,
                            idPrefix + QString::number(seq), at);
            if (d->failed)
                return failure(d->error);
        }
        d->currentSeq = seq;
        WriteResult r;
        r.ok = true;
        r.storeSeq = seq;
        return r;
    });
    return result.ok ? result.storeSeq : -1;
}

} // namespace dust::lite
