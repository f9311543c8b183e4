#include "StoreDb.h"

#include "LeafOps.h"
#include "PathOrder.h"
#include "StoreLog.h"
#include "StoreReplay.h"
#include "StoreSql.h"
#include "StoredJson.h"
#include "protocol/Glob.h"
#include "protocol/Values.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QSet>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace dust::lite {

namespace {

// Rows read per step when a glob listing scans a range and filters it.
constexpr int kScanChunk = 500;
constexpr int kMaxStoredListLimit = 10000; // internal listings (export, snapshots)

qint64 systemClock()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

struct StoreDb::Private
{
    std::unique_ptr<StoreSql> sql;
    std::function<qint64()> clock = systemClock;
};

StoreDb::StoreDb()
    : d(std::make_unique<Private>())
{}

StoreDb::~StoreDb() = default;

Expected<std::unique_ptr<StoreDb>, QString> StoreDb::open(const QString &file,
                                                          const QString &fullName)
{
    using Result = Expected<std::unique_ptr<StoreDb>, QString>;
    auto sql = StoreSql::open(file, fullName);
    if (!sql)
        return Result::failure(sql.error());
    std::unique_ptr<StoreDb> store(new StoreDb());
    store->d->sql = std::move(sql).value();
    return Result(std::move(store));
}

const QString &StoreDb::fullName() const
{
    return d->sql->fullName();
}

QString StoreDb::id() const
{
    return d->sql->id();
}

QString StoreDb::insertedAt() const
{
    return d->sql->insertedAt();
}

qint64 StoreDb::currentSeq() const
{
    return d->sql->currentSeq();
}

qint64 StoreDb::entryCount() const
{
    return d->sql->entryCount();
}

qint64 StoreDb::opCount() const
{
    // Seqs are handed out one by one and ops are only ever removed from the front
    // (compaction), so the log is one contiguous run.
    const auto lo = d->sql->earliestOpSeq();
    const auto hi = d->sql->scalarInt(QStringLiteral("SELECT max(store_seq) FROM store_ops"));
    return lo && hi ? *hi - *lo + 1 : 0;
}

void StoreDb::setClock(std::function<qint64()> nowMs)
{
    d->clock = nowMs ? std::move(nowMs) : systemClock;
}

WriteResult StoreDb::write(const WriteRequest &request)
{
    return d->sql->write(request, d->clock());
}

BatchResult StoreDb::batchWrite(const QList<WriteRequest> &requests)
{
    StoreSql &sql = *d->sql;
    BatchResult batch;
    for (qsizetype i = 0; i < requests.size(); ++i) {
        QJsonObject extra;
        const QString invalid = LeafOps::validateBatchOp(requests.at(i), &extra);
        if (!invalid.isEmpty()) {
            batch.failedIndex = int(i);
            batch.failure = WriteResult::failed(invalid, extra);
            return batch;
        }
    }
    if (requests.isEmpty()) {
        batch.ok = true;
        batch.storeSeq = sql.currentSeq();
        return batch;
    }

    if (!sql.begin()) {
        batch.failedIndex = 0;
        batch.failure = sql.storageFailure();
        return batch;
    }
    for (qsizetype i = 0; i < requests.size(); ++i) {
        WriteResult result = sql.applyWrite(requests.at(i), d->clock());
        if (!result.ok) {
            sql.rollback();
            batch.failedIndex = int(i);
            batch.failure = std::move(result);
            batch.ops.clear();
            return batch;
        }
        batch.ops.append(std::move(result));
    }
    if (!sql.commit()) {
        batch.ops.clear();
        batch.failedIndex = 0;
        batch.failure = sql.storageFailure();
        return batch;
    }
    batch.ok = true;
    batch.storeSeq = sql.currentSeq();
    return batch;
}

WriteResult StoreDb::putFile(const Path &path, const QByteArray &content, const QString &filename,
                             const QString &contentType, const QString &deviceId,
                             const QString &clientOpId)
{
    if (!path.isValid())
        return WriteResult::failed(QStringLiteral("missing_path"));
    if (clientOpId.isEmpty())
        return WriteResult::failed(QStringLiteral("missing_client_op_id"));
    const QString hash =
        QStringLiteral("sha256:") +
        QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
    const QString type =
        contentType.isEmpty() ? QStringLiteral("application/octet-stream") : contentType;
    const QJsonObject ref{
        {QStringLiteral("_type"), QStringLiteral("file")},
        {QStringLiteral("hash"), hash},
        {QStringLiteral("size"), qint64(content.size())},
        {QStringLiteral("content_type"), type},
        {QStringLiteral("filename"),
         filename.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(filename)},
        {QStringLiteral("uploaded_at"), StoreSql::nowIso()},
    };

    StoreSql &sql = *d->sql;
    return sql.transact([&]() -> WriteResult {
        if (!sql.insertFile(hash, content, type, filename))
            return sql.storageFailure();
        WriteResult result = sql.commitOp(Op::PutFile, path, ref, deviceId, clientOpId);
        if (result.ok)
            result.replyExtra = QJsonObject{{QStringLiteral("hash"), hash}};
        return result;
    });
}

WriteResult StoreDb::rollback(const std::optional<Path> &path, qint64 toSeq, QJsonObject *reply)
{
    return StoreReplay(*d->sql).rollback(path, toSeq, d->clock(), reply);
}

std::optional<Entry> StoreDb::getLeaf(const Path &path) const
{
    if (!path.isValid())
        return std::nullopt;
    const auto leaf = d->sql->leaf(path.rendered());
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
    d->sql->scanLeaves(path.rendered(), [&](const QString &rendered, const QByteArray &value,
                                            const QString &type, qint64 seq) {
        descendants.append(StoredJson::entry(rendered, value, type, seq));
    });
    if (descendants.isEmpty())
        return std::nullopt;
    return values::assembleSubtree(path, descendants);
}

ListPage StoreDb::list(const ListQuery &query) const
{
    ListPage page;
    const int limit = std::clamp(query.limit, 1, kMaxStoredListLimit);
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
        if (PathOrder::compare(lo, hi) >= 0)
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
            const QString base = PathOrder::literalBase(*glob);
            lo = base + QLatin1Char('/');
            hi = PathOrder::descendantEnd(base);
        }
        // `**` and `<base>/**` match every row of the scanned range.
        filter = !(glob->endsWithMany() && glob->segments().size() == literal.size() + 1);
        if (query.select == ListQuery::Select::Prefixes) {
            if (filter)
                return page;
            prefixDepth = literal.size() + 1;
        }
    }

    const bool desc = query.descending();
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
        QSqlQuery &q = d->sql->query(sql);
        int bind = 0;
        if (!lo.isEmpty())
            q.bindValue(bind++, StoreSql::bindable(lo));
        if (!hi.isEmpty())
            q.bindValue(bind++, StoreSql::bindable(hi));
        if (!cursor.isEmpty())
            q.bindValue(bind++, StoreSql::bindable(cursor));
        q.bindValue(bind, StoreSql::bindable(chunk));
        d->sql->clearFailure();
        if (!d->sql->exec(q))
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
                page.entries.append(StoredJson::entry(path, q.value(1).toByteArray(),
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
    const qint64 seq = d->sql->snapshotSeq();
    if (seq <= 0 || seq <= lastSeq)
        return std::nullopt;
    const auto text = d->sql->snapshotText(seq);
    if (!text)
        return std::nullopt;
    Snapshot snapshot;
    snapshot.snapshotSeq = seq;
    snapshot.entries = StoredJson::parseRawOrNull(*text).toObject();
    return snapshot;
}

QList<ChangeEvent> StoreDb::eventsSince(qint64 afterSeq, int limit) const
{
    return StoreLog(*d->sql).eventsSince(afterSeq, limit);
}

QList<StoreDb::EventPayload> StoreDb::eventPayloadsSince(qint64 afterSeq, int limit) const
{
    return StoreLog(*d->sql).eventPayloadsSince(afterSeq, limit);
}

void StoreDb::compact()
{
    const qint64 seq = d->sql->currentSeq();
    if (seq <= 0 || seq == d->sql->snapshotSeq())
        return;
    const QString at = StoreSql::nowIso();
    const WriteResult result = d->sql->transact([&]() -> WriteResult {
        QByteArray text = "{";
        bool first = true;
        d->sql->scanLeaves(QString(), [&](const QString &path, const QByteArray &value,
                                          const QString &type, qint64) {
            if (!first)
                text += ',';
            first = false;
            text += StoredJson::string(path);
            text += ":{\"value\":";
            text += value;
            text += ",\"type\":";
            text += StoredJson::string(type);
            text += '}';
        });
        text += '}';
        QSqlQuery &insert = d->sql->query(
            QStringLiteral("INSERT OR REPLACE INTO store_snapshots (snapshot_seq, entries, "
                           "inserted_at) VALUES (?, CAST(? AS TEXT), ?)"));
        insert.bindValue(0, StoreSql::bindable(seq));
        insert.bindValue(1, StoreSql::bindable(text));
        insert.bindValue(2, StoreSql::bindable(at));
        d->sql->exec(insert);
        QSqlQuery &ops =
            d->sql->query(QStringLiteral("DELETE FROM store_ops WHERE store_seq <= ?"));
        ops.bindValue(0, StoreSql::bindable(seq));
        d->sql->exec(ops);
        QSqlQuery &older =
            d->sql->query(QStringLiteral("DELETE FROM store_snapshots WHERE snapshot_seq < ?"));
        older.bindValue(0, StoreSql::bindable(seq));
        d->sql->exec(older);
        // Blobs no leaf refers to any more have no history left to serve them either.
        d->sql->execDirect(QStringLiteral(
            "DELETE FROM files WHERE hash NOT IN (SELECT json_extract(value, '$.hash') FROM "
            "store_entries WHERE type = 'file')"));
        WriteResult r;
        r.ok = !d->sql->failed();
        r.reason = d->sql->error();
        return r;
    });
    if (result.ok) {
        d->sql->setSnapshot(seq, at);
    } else {
        qWarning("dustlite store %s: compaction failed: %s", qUtf8Printable(d->sql->fullName()),
                 qUtf8Printable(result.reason));
    }
}

qint64 StoreDb::latestSnapshotSeq() const
{
    return d->sql->snapshotSeq();
}

QString StoreDb::latestSnapshotAt() const
{
    return d->sql->snapshotAt();
}

QJsonObject StoreDb::status() const
{
    QJsonArray recent;
    QSqlQuery &q = d->sql->query(QStringLiteral(
        "SELECT store_seq, op, path, inserted_at FROM store_ops ORDER BY store_seq DESC LIMIT 5"));
    if (d->sql->exec(q)) {
        while (q.next())
            recent.append(QJsonObject{{QStringLiteral("store_seq"), q.value(0).toLongLong()},
                                      {QStringLiteral("op"), q.value(1).toString()},
                                      {QStringLiteral("path"), q.value(2).toString()},
                                      {QStringLiteral("inserted_at"), q.value(3).toString()}});
        q.finish();
    }
    const qint64 fileBytes =
        d->sql->scalarInt(QStringLiteral("SELECT coalesce(sum(size), 0) FROM files")).value_or(0);
    const qint64 pages = d->sql->scalarInt(QStringLiteral("PRAGMA page_count")).value_or(0);
    const qint64 pageSize = d->sql->scalarInt(QStringLiteral("PRAGMA page_size")).value_or(0);
    return QJsonObject{
        {QStringLiteral("current_seq"), d->sql->currentSeq()},
        {QStringLiteral("entry_count"), d->sql->entryCount()},
        {QStringLiteral("op_count"), opCount()},
        {QStringLiteral("file_storage_bytes"), fileBytes},
        {QStringLiteral("db_size_bytes"), pages * pageSize},
        {QStringLiteral("latest_snapshot_seq"), d->sql->snapshotSeq() > 0
                                                    ? QJsonValue(d->sql->snapshotSeq())
                                                    : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("latest_snapshot_at"), d->sql->snapshotAt().isEmpty()
                                                   ? QJsonValue(QJsonValue::Null)
                                                   : QJsonValue(d->sql->snapshotAt())},
        {QStringLiteral("recent_ops"), recent},
    };
}

QJsonObject StoreDb::auditLog(const AuditQuery &query) const
{
    return StoreLog(*d->sql).auditLog(query);
}

std::optional<QJsonObject> StoreDb::diff(qint64 fromSeq, qint64 toSeq,
                                         qint64 *earliestAvailable) const
{
    return StoreReplay(*d->sql).diff(fromSeq, toSeq, earliestAvailable);
}

void StoreDb::exportJsonl(const std::function<void(const QByteArray &line)> &line) const
{
    line(StoredJson::compact(QJsonObject{{QStringLiteral("_header"), true},
                                         {QStringLiteral("store"), d->sql->fullName()},
                                         {QStringLiteral("seq"), d->sql->currentSeq()},
                                         {QStringLiteral("entry_count"), d->sql->entryCount()},
                                         {QStringLiteral("path_schema_version"), 3},
                                         {QStringLiteral("exported_at"), StoreSql::nowIso()}}));
    d->sql->scanLeaves(QString(), [&](const QString &path, const QByteArray &value,
                                      const QString &type, qint64) {
        line(StoredJson::compact(QJsonObject{{QStringLiteral("path"), path},
                                             {QStringLiteral("value"), StoredJson::parse(value)},
                                             {QStringLiteral("type"), type}}));
    });
}

std::optional<QByteArray> StoreDb::fileContent(const QString &hash, QString *contentType,
                                               QString *filename) const
{
    QSqlQuery &ref =
        d->sql->query(QStringLiteral("SELECT 1 FROM store_entries WHERE type = 'file' AND "
                                     "json_extract(value, '$.hash') = ? LIMIT 1"));
    ref.bindValue(0, StoreSql::bindable(hash));
    if (!d->sql->exec(ref))
        return std::nullopt;
    const bool referenced = ref.next();
    ref.finish();
    if (!referenced)
        return std::nullopt;
    QSqlQuery &q = d->sql->query(
        QStringLiteral("SELECT content, content_type, filename FROM files WHERE hash = ?"));
    q.bindValue(0, StoreSql::bindable(hash));
    if (!d->sql->exec(q))
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
    StoreSql &sql = *d->sql;
    const WriteResult result = sql.transact([&]() -> WriteResult {
        const QString setName = opName(Op::Set);
        const QString at = StoreSql::nowIso();
        const QLatin1String idPrefix("bulk:");
        qint64 seq = sql.currentSeq();
        for (const auto &[path, value] : leaves) {
            ++seq;
            const QByteArray text = StoredJson::text(value);
            if (values::isPlainObject(value)) {
                LeafOps::apply(sql, Op::Set, path, value, seq);
            } else {
                sql.removeDescendants(path.rendered());
                sql.upsertText(path.rendered(), text, values::detectType(value), seq);
            }
            sql.insertOpText(seq, setName, path, text, QVariant(), deviceId,
                             idPrefix + QString::number(seq), at);
            if (sql.failed())
                return WriteResult::failed(sql.error());
        }
        sql.advanceTo(seq);
        WriteResult r;
        r.ok = true;
        r.storeSeq = seq;
        return r;
    });
    return result.ok ? result.storeSeq : -1;
}

} // namespace dust::lite
