#include "StoreSql.h"

#include "LeafOps.h"
#include "PathOrder.h"
#include "StoredJson.h"
#include "protocol/Values.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QUuid>

#include <algorithm>
#include <vector>

namespace dust::lite {

namespace {

// Rows read per step by scans of the leaves and the op log.
constexpr int kBlockRows = 1000;

} // namespace

Expected<std::unique_ptr<StoreSql>, QString> StoreSql::open(const QString &file,
                                                            const QString &fullName, Mode mode)
{
    using Result = Expected<std::unique_ptr<StoreSql>, QString>;
    std::unique_ptr<StoreSql> sql(new StoreSql());
    sql->m_mode = mode;
    sql->m_fullName = fullName;
    sql->m_connectionName = (mode == Mode::Reader ? QStringLiteral("dustlite-reader-")
                                                  : QStringLiteral("dustlite-store-")) +
                            QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString error = mode == Mode::Reader ? sql->setUpReader(file) : sql->setUp(file);
    if (!error.isEmpty())
        return Result::failure(error);
    return Result(std::move(sql));
}

StoreSql::~StoreSql()
{
    m_queries.clear();
    if (m_db.isValid())
        m_db.close();
    m_db = QSqlDatabase();
    if (!m_connectionName.isEmpty())
        QSqlDatabase::removeDatabase(m_connectionName);
}

QString StoreSql::nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QVariant StoreSql::bindable(const QVariant &value)
{
    constexpr QChar kFeff(0xFEFF);
    if (value.typeId() != QMetaType::QString)
        return value;
    const QString text = value.toString();
    return text.startsWith(kFeff) ? QVariant(kFeff + text) : value;
}

// Opens the database, creates the schema and reads the metadata and counters; the error
// message, empty on success.
QString StoreSql::setUp(const QString &file)
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return QStringLiteral("the Qt SQLite driver (QSQLITE) is not available");
    if (!file.isEmpty()) {
        const QFileInfo info(file);
        if (info.exists() && !info.isFile())
            return QStringLiteral("%1 is not a file").arg(file);
        if (!QDir().mkpath(info.absolutePath()))
            return QStringLiteral("cannot create the directory %1").arg(info.absolutePath());
    }

    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(file.isEmpty() ? QStringLiteral(":memory:") : file);
    // Another writer connection of this store (see StoreDb::writeWith) may hold the file
    // briefly while it checkpoints.
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (!m_db.open())
        return QStringLiteral("cannot open %1: %2")
            .arg(file.isEmpty() ? QStringLiteral("in-memory database") : file,
                 m_db.lastError().text());

    const QString where = file.isEmpty() ? QStringLiteral("in-memory database") : file;
    auto failure = [&](const QString &what) {
        return QStringLiteral("cannot open the store database %1: %2 (%3)")
            .arg(where, what, m_error);
    };

    // WAL with synchronous=FULL: every commit is on disk before a write returns.
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
        if (!execDirect(sql))
            return failure(QStringLiteral("setup failed"));
    }

    {
        QSqlQuery &q = query(QStringLiteral("SELECT id, inserted_at FROM store_meta LIMIT 1"));
        if (!exec(q))
            return failure(QStringLiteral("unreadable metadata"));
        if (q.next()) {
            m_id = q.value(0).toString();
            m_insertedAt = q.value(1).toString();
        }
        q.finish();
    }
    if (m_id.isEmpty()) {
        m_id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        m_insertedAt = nowIso();
        QSqlQuery &q = query(
            QStringLiteral("INSERT INTO store_meta (id, full_name, inserted_at) VALUES (?, ?, ?)"));
        q.bindValue(0, StoreSql::bindable(m_id));
        q.bindValue(1, StoreSql::bindable(m_fullName));
        q.bindValue(2, StoreSql::bindable(m_insertedAt));
        if (!exec(q))
            return failure(QStringLiteral("cannot write metadata"));
    }

    prepareHot();
    if (const QString error = readCounters(); !error.isEmpty())
        return failure(error);
    m_entryCount = countEntries();
    if (m_failed)
        return failure(QStringLiteral("unreadable tables"));
    return {};
}

// Opens an existing store file read-only: no schema, no metadata written.
QString StoreSql::setUpReader(const QString &file)
{
    if (file.isEmpty())
        return QStringLiteral("an in-memory store has no reader connections");
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(file);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=10000"));
    if (!m_db.open())
        return QStringLiteral("cannot open %1 for reading: %2").arg(file, m_db.lastError().text());
    if (!execDirect(QStringLiteral("PRAGMA query_only=1")) ||
        !execDirect(QStringLiteral("PRAGMA cache_size=-16384")))
        return QStringLiteral("cannot set up a reader of %1: %2").arg(file, m_error);
    QSqlQuery &q = query(QStringLiteral("SELECT id, inserted_at FROM store_meta LIMIT 1"));
    if (exec(q) && q.next()) {
        m_id = q.value(0).toString();
        m_insertedAt = q.value(1).toString();
    }
    q.finish();
    // The one statement of the write path that reads.
    m_hot.readLeaf = &query(
        QStringLiteral("SELECT CAST(value AS BLOB), type, seq FROM store_entries WHERE path = ?"));
    if (m_failed)
        return QStringLiteral("cannot read %1: %2").arg(file, m_error);
    return {};
}

// Reads the current seq and the latest snapshot from the tables; the error, empty on success.
QString StoreSql::readCounters()
{
    const auto maxOp = scalarInt(QStringLiteral("SELECT max(store_seq) FROM store_ops"));
    m_snapshotSeq = 0;
    m_snapshotAt.clear();
    QSqlQuery &q =
        query(QStringLiteral("SELECT snapshot_seq, inserted_at FROM store_snapshots ORDER BY "
                             "snapshot_seq DESC LIMIT 1"));
    if (exec(q) && q.next()) {
        m_snapshotSeq = q.value(0).toLongLong();
        m_snapshotAt = q.value(1).toString();
    }
    q.finish();
    if (m_failed)
        return QStringLiteral("unreadable tables");
    m_currentSeq = std::max(maxOp.value_or(0), m_snapshotSeq);
    return {};
}

qint64 StoreSql::countEntries()
{
    return scalarInt(QStringLiteral("SELECT count(*) FROM store_entries")).value_or(0);
}

void StoreSql::adoptCounters(const StoreSql &other)
{
    m_currentSeq = other.m_currentSeq;
    m_entryCount = other.m_entryCount;
    m_snapshotSeq = other.m_snapshotSeq;
    m_snapshotAt = other.m_snapshotAt;
}

bool StoreSql::beginRead()
{
    clearFailure();
    if (!m_db.transaction()) {
        fail(m_db.lastError().text());
        return false;
    }
    m_inTransaction = true;
    if (!readCounters().isEmpty()) {
        endRead();
        return false;
    }
    if (isReader())
        m_entryCount = -1; // counted on demand: countEntries()
    return true;
}

void StoreSql::endRead()
{
    if (!m_inTransaction)
        return;
    for (auto &entry : m_queries)
        entry.second->finish();
    m_db.rollback(); // a read transaction changes nothing
    m_inTransaction = false;
}

void StoreSql::prepareHot()
{
    m_hot.readLeaf = &query(
        QStringLiteral("SELECT CAST(value AS BLOB), type, seq FROM store_entries WHERE path = ?"));
    m_hot.insertLeaf =
        &query(QStringLiteral("INSERT OR IGNORE INTO store_entries (path, value, type, seq) "
                              "VALUES (?, CAST(? AS TEXT), ?, ?)"));
    m_hot.updateLeaf = &query(QStringLiteral(
        "UPDATE store_entries SET value = CAST(? AS TEXT), type = ?, seq = ? WHERE path = ?"));
    m_hot.deleteLeaf = &query(QStringLiteral("DELETE FROM store_entries WHERE path = ?"));
    m_hot.deleteRange =
        &query(QStringLiteral("DELETE FROM store_entries WHERE path >= ? AND path < ?"));
    m_hot.insertOp = &query(QStringLiteral(
        "INSERT INTO store_ops (store_seq, op, path, path_segments, value, event_value, "
        "device_id, client_op_id, inserted_at) VALUES (?, ?, ?, CAST(? AS TEXT), "
        "CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?)"));
}

void StoreSql::setSnapshot(qint64 seq, const QString &at)
{
    m_snapshotSeq = seq;
    m_snapshotAt = at;
}

// --- statements

QSqlQuery &StoreSql::query(const QString &sql)
{
    auto it = m_queries.find(sql);
    if (it != m_queries.end())
        return *it->second;
    auto q = std::make_unique<QSqlQuery>(m_db);
    q->setForwardOnly(true);
    if (!q->prepare(sql))
        fail(q->lastError().text());
    QSqlQuery &ref = *q;
    m_queries.emplace(sql, std::move(q));
    return ref;
}

void StoreSql::fail(const QString &message)
{
    if (!m_failed) {
        m_failed = true;
        m_error = message;
    }
    qWarning("dustlite store %s: %s", qUtf8Printable(m_fullName), qUtf8Printable(message));
}

bool StoreSql::exec(QSqlQuery &q)
{
    if (q.exec())
        return true;
    fail(q.lastError().text());
    return false;
}

bool StoreSql::execDirect(const QString &sql)
{
    QSqlQuery q(m_db);
    if (q.exec(sql))
        return true;
    fail(q.lastError().text() + QStringLiteral(" (") + sql + QLatin1Char(')'));
    return false;
}

std::optional<qint64> StoreSql::scalarInt(const QString &sql, const QVariantList &binds)
{
    QSqlQuery &q = query(sql);
    for (int i = 0; i < binds.size(); ++i)
        q.bindValue(i, StoreSql::bindable(binds.at(i)));
    if (!exec(q))
        return std::nullopt;
    std::optional<qint64> value;
    if (q.next() && !q.value(0).isNull())
        value = q.value(0).toLongLong();
    q.finish();
    return value;
}

void StoreSql::clearFailure()
{
    m_failed = false;
    m_error.clear();
}

WriteResult StoreSql::storageFailure() const
{
    return WriteResult::failed(QStringLiteral("storage_error: ") + m_error);
}

// --- transactions

bool StoreSql::begin()
{
    clearFailure();
    if (!m_db.transaction()) {
        fail(m_db.lastError().text());
        return false;
    }
    m_inTransaction = true;
    m_savedSeq = m_currentSeq;
    m_savedEntryCount = m_entryCount;
    return true;
}

bool StoreSql::commit()
{
    if (m_failed) {
        rollback();
        return false;
    }
    if (!m_db.commit()) {
        fail(m_db.lastError().text());
        rollback();
        return false;
    }
    m_inTransaction = false;
    return true;
}

void StoreSql::rollback()
{
    if (!m_inTransaction)
        return;
    for (auto &entry : m_queries)
        entry.second->finish();
    m_db.rollback();
    m_inTransaction = false;
    m_currentSeq = m_savedSeq;
    m_entryCount = m_savedEntryCount;
}

WriteResult StoreSql::transact(const std::function<WriteResult()> &body)
{
    if (!begin())
        return storageFailure();
    WriteResult result = body();
    if (!result.ok) {
        rollback();
        return result;
    }
    if (!commit())
        return storageFailure();
    return result;
}

namespace {
constexpr QLatin1String kSavepoint("dustlite_write");
} // namespace

bool StoreSql::savepoint()
{
    if (!m_inTransaction || m_failed)
        return false;
    if (!execDirect(QStringLiteral("SAVEPOINT ") + kSavepoint))
        return false;
    m_savepointSeq = m_currentSeq;
    m_savepointEntryCount = m_entryCount;
    return true;
}

bool StoreSql::releaseSavepoint()
{
    return !m_failed && execDirect(QStringLiteral("RELEASE ") + kSavepoint);
}

bool StoreSql::rollbackToSavepoint()
{
    for (auto &entry : m_queries)
        entry.second->finish();
    // sqlite3_get_autocommit() is not reachable through QSqlDatabase: a ROLLBACK TO that
    // fails says as much (no such savepoint once SQLite dropped the transaction).
    const bool failedBefore = m_failed;
    const QString errorBefore = m_error;
    clearFailure();
    if (!execDirect(QStringLiteral("ROLLBACK TO ") + kSavepoint) ||
        !execDirect(QStringLiteral("RELEASE ") + kSavepoint)) {
        if (failedBefore) { // report the first error, the one that lost the transaction
            m_error = errorBefore;
        }
        return false;
    }
    m_currentSeq = m_savepointSeq;
    m_entryCount = m_savepointEntryCount;
    return true;
}

// --- leaves

std::optional<LeafRow> StoreSql::leaf(const QString &path)
{
    QSqlQuery &q = *m_hot.readLeaf;
    q.bindValue(0, StoreSql::bindable(path));
    if (!exec(q))
        return std::nullopt;
    std::optional<LeafRow> row;
    if (q.next())
        row = LeafRow{StoredJson::parse(q.value(0).toByteArray()), q.value(1).toString(),
                      q.value(2).toLongLong()};
    q.finish();
    return row;
}

void StoreSql::upsert(const QString &path, const QJsonValue &value, const QString &type, qint64 seq)
{
    upsertText(path, StoredJson::text(value), type, seq);
}

void StoreSql::upsertText(const QString &path, const QByteArray &text, const QString &type,
                          qint64 seq)
{
    QSqlQuery &insert = *m_hot.insertLeaf;
    insert.bindValue(0, StoreSql::bindable(path));
    insert.bindValue(1, StoreSql::bindable(text));
    insert.bindValue(2, StoreSql::bindable(type));
    insert.bindValue(3, StoreSql::bindable(seq));
    if (!exec(insert))
        return;
    if (insert.numRowsAffected() > 0) {
        ++m_entryCount;
        return;
    }
    QSqlQuery &update = *m_hot.updateLeaf;
    update.bindValue(0, StoreSql::bindable(text));
    update.bindValue(1, StoreSql::bindable(type));
    update.bindValue(2, StoreSql::bindable(seq));
    update.bindValue(3, StoreSql::bindable(path));
    exec(update);
}

void StoreSql::removeExact(const QString &path)
{
    QSqlQuery &q = *m_hot.deleteLeaf;
    q.bindValue(0, StoreSql::bindable(path));
    if (exec(q))
        m_entryCount -= q.numRowsAffected();
}

void StoreSql::removeDescendants(const QString &path)
{
    QSqlQuery &q = *m_hot.deleteRange;
    q.bindValue(0, StoreSql::bindable(QString(path + QLatin1Char('/'))));
    q.bindValue(1, StoreSql::bindable(PathOrder::descendantEnd(path)));
    if (exec(q))
        m_entryCount -= q.numRowsAffected();
}

void StoreSql::scanLeaves(const QString &path, const LeafRowVisitor &row)
{
    const bool ranged = !path.isEmpty();
    const QString lo = ranged ? path + QLatin1Char('/') : QString();
    const QString hi = ranged ? PathOrder::descendantEnd(path) : QString();
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
            q.bindValue(i++, StoreSql::bindable(lo));
            q.bindValue(i++, StoreSql::bindable(hi));
        }
        if (!first)
            q.bindValue(i++, StoreSql::bindable(cursor));
        q.bindValue(i, StoreSql::bindable(kBlockRows));
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
        rows.reserve(kBlockRows);
        while (q.next())
            rows.push_back(Row{q.value(0).toString(), q.value(1).toByteArray(),
                               q.value(2).toString(), q.value(3).toLongLong()});
        q.finish();
        for (const Row &r : rows)
            row(r.path, r.value, r.type, r.seq);
        if (rows.size() < size_t(kBlockRows))
            return;
        cursor = rows.back().path;
        first = false;
    }
}

// --- the op log

bool StoreSql::insertOp(qint64 seq, Op op, const Path &path, const QJsonValue &value,
                        const std::optional<QJsonValue> &eventValue, const QString &deviceId,
                        const QString &clientOpId)
{
    return insertOpText(seq, opName(op), path, StoredJson::text(value),
                        eventValue ? QVariant(StoredJson::text(*eventValue)) : QVariant(), deviceId,
                        clientOpId, nowIso());
}

bool StoreSql::insertOpText(qint64 seq, const QString &op, const Path &path,
                            const QByteArray &value, const QVariant &eventValue,
                            const QString &deviceId, const QString &clientOpId,
                            const QString &insertedAt)
{
    QSqlQuery &q = *m_hot.insertOp;
    q.bindValue(0, StoreSql::bindable(seq));
    q.bindValue(1, StoreSql::bindable(op));
    q.bindValue(2, StoreSql::bindable(path.rendered()));
    q.bindValue(3, StoreSql::bindable(StoredJson::segments(path)));
    q.bindValue(4, StoreSql::bindable(value));
    q.bindValue(5, StoreSql::bindable(eventValue));
    q.bindValue(6, StoreSql::bindable(deviceId));
    q.bindValue(7, StoreSql::bindable(clientOpId));
    q.bindValue(8, StoreSql::bindable(insertedAt));
    return exec(q);
}

bool StoreSql::scanOps(qint64 afterSeq, qint64 toSeq,
                       const std::function<bool(const QString &)> &wanted,
                       const std::function<void(const OpRow &)> &row)
{
    qint64 cursor = afterSeq;
    while (cursor < toSeq) {
        QSqlQuery &q = query(
            QStringLiteral("SELECT store_seq, op, path, CAST(value AS BLOB) FROM store_ops "
                           "WHERE store_seq > ? AND store_seq <= ? ORDER BY store_seq LIMIT ?"));
        q.bindValue(0, StoreSql::bindable(cursor));
        q.bindValue(1, StoreSql::bindable(toSeq));
        q.bindValue(2, StoreSql::bindable(kBlockRows));
        if (!exec(q))
            return false;
        int rows = 0;
        std::vector<OpRow> block;
        while (q.next()) {
            ++rows;
            cursor = q.value(0).toLongLong();
            const QString path = q.value(2).toString();
            if (!wanted(path))
                continue;
            block.push_back(
                OpRow{cursor, opFromName(q.value(1).toString()), path, q.value(3).toByteArray()});
        }
        q.finish();
        for (const OpRow &op : block)
            row(op);
        if (rows < kBlockRows)
            break;
    }
    return true;
}

std::optional<qint64> StoreSql::earliestOpSeq()
{
    return scalarInt(QStringLiteral("SELECT min(store_seq) FROM store_ops"));
}

QStringList StoreSql::opPathsBetween(qint64 afterSeq, qint64 toSeq, qsizetype maxPaths)
{
    QStringList paths;
    QSqlQuery &q = query(QStringLiteral(
        "SELECT DISTINCT path FROM store_ops WHERE store_seq > ? AND store_seq <= ?"));
    q.bindValue(0, StoreSql::bindable(afterSeq));
    q.bindValue(1, StoreSql::bindable(toSeq));
    if (!exec(q))
        return paths;
    while (q.next()) {
        paths.append(q.value(0).toString());
        if (paths.size() > maxPaths)
            break;
    }
    q.finish();
    return paths;
}

std::optional<QByteArray> StoreSql::snapshotText(qint64 seq)
{
    QSqlQuery &q = query(
        QStringLiteral("SELECT CAST(entries AS BLOB) FROM store_snapshots WHERE snapshot_seq = ?"));
    q.bindValue(0, StoreSql::bindable(seq));
    if (!exec(q))
        return std::nullopt;
    QByteArray text;
    if (q.next())
        text = q.value(0).toByteArray();
    q.finish();
    return text;
}

bool StoreSql::insertFile(const QString &hash, const QByteArray &content,
                          const QString &contentType, const QString &filename)
{
    QSqlQuery &q = query(QStringLiteral("INSERT OR IGNORE INTO files (hash, content, size, "
                                        "content_type, filename, inserted_at) VALUES (?, ?, ?, "
                                        "?, ?, ?)"));
    q.bindValue(0, StoreSql::bindable(hash));
    q.bindValue(1, StoreSql::bindable(content));
    q.bindValue(2, StoreSql::bindable(qint64(content.size())));
    q.bindValue(3, StoreSql::bindable(contentType));
    q.bindValue(4, StoreSql::bindable(filename.isEmpty() ? QVariant() : QVariant(filename)));
    q.bindValue(5, StoreSql::bindable(nowIso()));
    return exec(q);
}

// --- writes

WriteResult StoreSql::commitOp(Op op, const Path &path, const QJsonValue &value,
                               const QString &deviceId, const QString &clientOpId)
{
    const qint64 seq = m_currentSeq + 1;
    const LeafOps::Applied applied = LeafOps::apply(*this, op, path, value, seq);
    if (!applied.ok)
        return WriteResult::failed(applied.reason);
    insertOp(seq, op, path, value,
             LeafOps::logsEventValue(op) ? std::optional<QJsonValue>(applied.eventValue)
                                         : std::nullopt,
             deviceId, clientOpId);
    if (m_failed)
        return storageFailure();
    m_currentSeq = seq;
    return LeafOps::committed(op, path, seq, applied.eventValue, deviceId, clientOpId);
}

WriteResult StoreSql::applyWrite(const WriteRequest &request, qint64 nowMs)
{
    LeafOps::Plan plan = LeafOps::plan(*this, request, m_currentSeq + 1, nowMs);
    if (plan.answer)
        return std::move(*plan.answer);
    if (m_failed)
        return storageFailure();
    WriteResult result =
        commitOp(request.op, request.path, plan.value, request.deviceId, request.clientOpId);
    if (result.ok && !request.type.isEmpty() && !values::isPlainObject(plan.value))
        upsert(request.path.rendered(), plan.value, request.type, result.storeSeq); // import
    if (result.ok)
        result.replyExtra = std::move(plan.replyExtra);
    return result;
}

WriteResult StoreSql::write(const WriteRequest &request, qint64 nowMs)
{
    QJsonObject extra;
    const QString invalid = LeafOps::validate(request, &extra);
    if (!invalid.isEmpty())
        return WriteResult::failed(invalid, extra);
    return transact([&] { return applyWrite(request, nowMs); });
}

} // namespace dust::lite
