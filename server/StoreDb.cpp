#include "StoreDb.h"

#include "GroupCommit.h"
#include "LeafOps.h"
#include "PathOrder.h"
#include "StoreLog.h"
#include "StoreReader.h"
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
#include <mutex>

namespace dust::lite {

namespace {

qint64 systemClock()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

struct StoreDb::Private
{
    // Held around every use of `sql` and every write through another connection.
    mutable std::recursive_mutex lock;
    std::unique_ptr<StoreSql> sql;
    QString file;
    std::function<qint64()> clock = systemClock;
    // By writeWith(), not yet taken; appended under `lock`, taken under `committedLock` alone
    // so the server's thread never waits for a commit in progress to take them.
    std::mutex committedLock;
    QList<Committed> committed;
    GroupStats groupStats; // under `lock`

    std::unique_lock<std::recursive_mutex> guard() const
    {
        return std::unique_lock<std::recursive_mutex>(lock);
    }
    void queueCommitted(Committed op)
    {
        const std::lock_guard queue(committedLock);
        committed.append(std::move(op));
    }

    static QList<ChangeEvent> eventsOf(const WriteResult &result)
    {
        if (result.ok && result.event)
            return {*result.event};
        return {};
    }
    static QList<ChangeEvent> eventsOf(const BatchResult &batch)
    {
        QList<ChangeEvent> events;
        if (batch.ok) {
            for (const WriteResult &op : batch.ops) {
                if (op.event)
                    events.append(*op.event);
            }
        }
        return events;
    }

    // What every *With() method does: runs `body(via, nowMs)` under the write lock with the
    // counters adopted both ways, then queues the events of what it committed, in seq order,
    // for takeCommitted().
    template <typename Body> auto commitThrough(StoreSql &via, bool viaSocket, Body &&body)
    {
        const auto held = guard();
        via.adoptCounters(*sql);
        auto outcome = body(via, clock());
        sql->adoptCounters(via);
        const QList<ChangeEvent> events = eventsOf(outcome);
        for (const ChangeEvent &event : events)
            queueCommitted(Committed{event, viaSocket});
        return outcome;
    }
};

namespace {

// put_file on `sql`: the blob and the file-ref leaf, in one transaction.
WriteResult putFileOn(StoreSql &sql, const Path &path, const QByteArray &content,
                      const QString &filename, const QString &contentType, const QString &deviceId,
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
    return sql.transact([&]() -> WriteResult {
        if (!sql.insertFile(hash, content, type, filename))
            return sql.storageFailure();
        WriteResult result = sql.commitOp(Op::PutFile, path, ref, deviceId, clientOpId);
        if (result.ok)
            result.replyExtra = QJsonObject{{QStringLiteral("hash"), hash}};
        return result;
    });
}

} // namespace

// Validates a batch and applies it in one transaction of `sql`.
static BatchResult applyBatch(StoreSql &sql, const QList<WriteRequest> &requests, qint64 nowMs)
{
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
        WriteResult result = sql.applyWrite(requests.at(i), nowMs);
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
    store->d->file = file;
    return Result(std::move(store));
}

const QString &StoreDb::fullName() const
{
    return d->sql->fullName();
}

const QString &StoreDb::file() const
{
    return d->file;
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
    const auto guard = d->guard();
    return d->sql->currentSeq();
}

qint64 StoreDb::entryCount() const
{
    const auto guard = d->guard();
    return d->sql->entryCount();
}

qint64 StoreDb::opCount() const
{
    const auto guard = d->guard();
    // Seqs are handed out one by one and ops are only ever removed from the front
    // (compaction), so the log is one contiguous run.
    const auto lo = d->sql->earliestOpSeq();
    const auto hi = d->sql->scalarInt(QStringLiteral("SELECT max(store_seq) FROM store_ops"));
    return lo && hi ? *hi - *lo + 1 : 0;
}

void StoreDb::setClock(std::function<qint64()> nowMs)
{
    const auto guard = d->guard();
    d->clock = nowMs ? std::move(nowMs) : systemClock;
}

WriteResult StoreDb::write(const WriteRequest &request)
{
    const auto guard = d->guard();
    return d->sql->write(request, d->clock());
}

BatchResult StoreDb::batchWrite(const QList<WriteRequest> &requests)
{
    const auto guard = d->guard();
    return applyBatch(*d->sql, requests, d->clock());
}

WriteResult StoreDb::writeWith(StoreSql &sql, const WriteRequest &request, bool viaSocket)
{
    return d->commitThrough(sql, viaSocket, [&request](StoreSql &via, qint64 nowMs) {
        return via.write(request, nowMs);
    });
}

BatchResult StoreDb::batchWriteWith(StoreSql &sql, const QList<WriteRequest> &requests)
{
    return d->commitThrough(sql, false, [&requests](StoreSql &via, qint64 nowMs) {
        return applyBatch(via, requests, nowMs);
    });
}

WriteResult StoreDb::putFileWith(StoreSql &sql, const Path &path, const QByteArray &content,
                                 const QString &filename, const QString &contentType,
                                 const QString &deviceId, const QString &clientOpId, bool viaSocket)
{
    return d->commitThrough(sql, viaSocket, [&](StoreSql &via, qint64) {
        return putFileOn(via, path, content, filename, contentType, deviceId, clientOpId);
    });
}

WriteResult StoreDb::rollbackWith(StoreSql &sql, const std::optional<Path> &path, qint64 toSeq,
                                  QJsonObject *reply, bool viaSocket)
{
    return d->commitThrough(sql, viaSocket, [&](StoreSql &via, qint64 nowMs) {
        // A whole-store rollback's result has no event: its ops are not announced.
        return StoreReplay(via).rollback(path, toSeq, nowMs, reply);
    });
}

QList<WriteResult> StoreDb::writeGroupWith(StoreSql &sql, const QList<GroupedWrite> &writes)
{
    if (writes.isEmpty())
        return {};
    const auto held = d->guard();
    sql.adoptCounters(*d->sql);
    const qint64 nowMs = d->clock();
    QList<WriteResult> results;
    if (writes.size() == 1) {
        results.append(sql.write(writes.constFirst().request, nowMs));
    } else {
        QList<WriteRequest> requests;
        requests.reserve(writes.size());
        for (const GroupedWrite &write : writes)
            requests.append(write.request);
        results = GroupCommit::apply(sql, requests, nowMs);
    }
    d->sql->adoptCounters(sql);
    ++d->groupStats.groups;
    d->groupStats.writes += writes.size();
    // Only now, after the COMMIT: a write of a group that failed to commit has no event.
    for (qsizetype i = 0; i < results.size(); ++i) {
        const WriteResult &result = results.at(i);
        if (result.ok && result.event)
            d->queueCommitted(Committed{*result.event, writes.at(i).viaSocket});
    }
    return results;
}

QList<WriteResult> StoreDb::importWith(StoreSql &sql, const QList<WriteRequest> &lines)
{
    if (lines.isEmpty())
        return {};
    const auto held = d->guard();
    if (&sql != d->sql.get())
        sql.adoptCounters(*d->sql);
    const QList<WriteResult> results = GroupCommit::apply(sql, lines, d->clock());
    if (&sql != d->sql.get())
        d->sql->adoptCounters(sql);
    for (const WriteResult &result : results) {
        if (result.ok && result.event)
            d->queueCommitted(Committed{*result.event, false});
    }
    return results;
}

std::unique_lock<std::recursive_mutex> StoreDb::lockWrites() const
{
    return d->guard();
}

StoreDb::GroupStats StoreDb::groupStats() const
{
    const auto held = d->guard();
    return d->groupStats;
}

WriteResult StoreDb::withOwnConnection(const std::function<WriteResult(StoreSql &sql)> &body)
{
    const auto guard = d->guard();
    return body(*d->sql);
}

QList<StoreDb::Committed> StoreDb::takeCommitted(qint64 beforeSeq)
{
    const std::lock_guard queue(d->committedLock);
    qsizetype n = 0;
    while (n < d->committed.size() && d->committed.at(n).event.storeSeq < beforeSeq)
        ++n;
    QList<Committed> taken = d->committed.first(n);
    d->committed.remove(0, n);
    return taken;
}

void StoreDb::read(const std::function<void(StoreReader &reader)> &body) const
{
    const auto guard = d->guard();
    StoreReader reader(*d->sql);
    body(reader);
}

WriteResult StoreDb::putFile(const Path &path, const QByteArray &content, const QString &filename,
                             const QString &contentType, const QString &deviceId,
                             const QString &clientOpId)
{
    const auto guard = d->guard();
    return putFileOn(*d->sql, path, content, filename, contentType, deviceId, clientOpId);
}

WriteResult StoreDb::rollback(const std::optional<Path> &path, qint64 toSeq, QJsonObject *reply)
{
    const auto guard = d->guard();
    return StoreReplay(*d->sql).rollback(path, toSeq, d->clock(), reply);
}

std::optional<Entry> StoreDb::get(const Path &path) const
{
    const auto guard = d->guard();
    return StoreReader(*d->sql).get(path);
}

std::optional<Entry> StoreDb::getLeaf(const Path &path) const
{
    const auto guard = d->guard();
    return StoreReader(*d->sql).getLeaf(path);
}

ListPage StoreDb::list(const ListQuery &query) const
{
    const auto guard = d->guard();
    return StoreReader(*d->sql).list(query);
}

void StoreDb::exportJsonl(const std::function<void(const QByteArray &line)> &line) const
{
    const auto guard = d->guard();
    StoreReader(*d->sql).exportJsonl(line);
}

std::optional<QByteArray> StoreDb::fileContent(const QString &hash, QString *contentType,
                                               QString *filename) const
{
    const auto guard = d->guard();
    return StoreReader(*d->sql).fileContent(hash, contentType, filename);
}

std::optional<Snapshot> StoreDb::snapshotAfter(qint64 lastSeq) const
{
    const auto guard = d->guard();
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
    const auto guard = d->guard();
    return StoreLog(*d->sql).eventsSince(afterSeq, limit);
}

QList<StoreDb::EventPayload> StoreDb::eventPayloadsSince(qint64 afterSeq, int limit) const
{
    const auto guard = d->guard();
    return StoreLog(*d->sql).eventPayloadsSince(afterSeq, limit);
}

namespace {

// Inside a transaction: the snapshot at `seq` with `entries` (the snapshot table's text)
// replaces the older ones and the ops it covers.
void replaceHistoryUpTo(StoreSql &sql, qint64 seq, const QByteArray &entries, const QString &at)
{
    QSqlQuery &insert =
        sql.query(QStringLiteral("INSERT OR REPLACE INTO store_snapshots (snapshot_seq, entries, "
                                 "inserted_at) VALUES (?, CAST(? AS TEXT), ?)"));
    insert.bindValue(0, StoreSql::bindable(seq));
    insert.bindValue(1, StoreSql::bindable(entries));
    insert.bindValue(2, StoreSql::bindable(at));
    sql.exec(insert);
    QSqlQuery &ops = sql.query(QStringLiteral("DELETE FROM store_ops WHERE store_seq <= ?"));
    ops.bindValue(0, StoreSql::bindable(seq));
    sql.exec(ops);
    QSqlQuery &older =
        sql.query(QStringLiteral("DELETE FROM store_snapshots WHERE snapshot_seq < ?"));
    older.bindValue(0, StoreSql::bindable(seq));
    sql.exec(older);
}

} // namespace

void StoreDb::compact()
{
    const auto guard = d->guard();
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
        replaceHistoryUpTo(*d->sql, seq, text, at);
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

void StoreDb::retainOps(qint64 keep)
{
    const auto guard = d->guard();
    if (keep <= 0)
        return;
    // The newest op to fold: the one just older than the `keep` newest.
    const auto fold = d->sql->scalarInt(
        QStringLiteral("SELECT store_seq FROM store_ops ORDER BY store_seq DESC LIMIT 1 OFFSET ?"),
        {keep});
    if (!fold || *fold <= d->sql->snapshotSeq())
        return;
    const QString at = StoreSql::nowIso();
    // The state at `fold` is the older snapshot with the ops up to it replayed. Blobs stay:
    // the ops still in the log may refer to them.
    const auto text = StoreReplay(*d->sql).snapshotTextAt(*fold);
    const WriteResult result = d->sql->transact([&]() -> WriteResult {
        if (text)
            replaceHistoryUpTo(*d->sql, *fold, *text, at);
        WriteResult r;
        r.ok = text && !d->sql->failed();
        r.reason = text ? d->sql->error() : QStringLiteral("the history could not be replayed");
        return r;
    });
    if (result.ok) {
        d->sql->setSnapshot(*fold, at);
    } else {
        qWarning("dustlite store %s: folding old ops failed: %s",
                 qUtf8Printable(d->sql->fullName()), qUtf8Printable(result.reason));
    }
}

qint64 StoreDb::latestSnapshotSeq() const
{
    const auto guard = d->guard();
    return d->sql->snapshotSeq();
}

QString StoreDb::latestSnapshotAt() const
{
    const auto guard = d->guard();
    return d->sql->snapshotAt();
}

QJsonObject StoreDb::status() const
{
    const auto guard = d->guard();
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
    const auto guard = d->guard();
    return StoreReader(*d->sql).auditLog(query);
}

std::optional<QJsonObject> StoreDb::diff(qint64 fromSeq, qint64 toSeq,
                                         qint64 *earliestAvailable) const
{
    const auto guard = d->guard();
    return StoreReader(*d->sql).diff(fromSeq, toSeq, earliestAvailable);
}

qint64 StoreDb::bulkSet(const QList<std::pair<Path, QJsonValue>> &leaves, const QString &deviceId)
{
    const auto guard = d->guard();
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
