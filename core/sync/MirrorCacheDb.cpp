#include "MirrorCacheDb.h"

#include <QSqlError>
#include <QUuid>

namespace dust {

MirrorCacheDb::MirrorCacheDb(const QString &file, bool readOnly)
    : m_name(QStringLiteral("dust-mirror-cache-") +
             QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    m_db.setDatabaseName(file);
    if (readOnly)
        m_db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    if (!m_db.open())
        m_error = m_db.lastError().text();
}

MirrorCacheDb::~MirrorCacheDb()
{
    // Statements first: a connection is only removed once nothing uses it.
    for (auto *slot : {&m_scan, &m_meta, &m_read, &m_insert, &m_delete})
        slot->reset();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_name);
}

QSqlQuery &MirrorCacheDb::statement(std::optional<QSqlQuery> &slot, const QString &sql)
{
    if (!slot) {
        slot.emplace(m_db);
        slot->prepare(sql);
    }
    return *slot;
}

bool MirrorCacheDb::exec(const QString &sql, QString *error)
{
    QSqlQuery q(m_db);
    if (q.exec(sql))
        return true;
    if (error)
        *error = QStringLiteral("%1: %2").arg(sql, q.lastError().text());
    return false;
}

bool MirrorCacheDb::createSchema(QString *error)
{
    return exec(QStringLiteral("PRAGMA page_size=65536"), error) &&
           exec(QStringLiteral("PRAGMA journal_mode=OFF"), error) &&
           exec(QStringLiteral("PRAGMA synchronous=FULL"), error) &&
           exec(QStringLiteral("PRAGMA application_id=%1").arg(ApplicationId), error) &&
           exec(QStringLiteral("CREATE TABLE meta(key TEXT PRIMARY KEY, value)"), error) &&
           exec(QStringLiteral("CREATE TABLE chunks(id INTEGER PRIMARY KEY, "
                               "first_path BLOB NOT NULL UNIQUE, leaf_count INTEGER "
                               "NOT NULL, checksum INTEGER NOT NULL, data BLOB NOT "
                               "NULL)"),
                error);
}

Expected<QHash<QString, QVariant>, QString> MirrorCacheDb::readMeta()
{
    using Result = Expected<QHash<QString, QVariant>, QString>;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("PRAGMA application_id")) || !q.next())
        return Result::failure(QStringLiteral("not a database: %1").arg(q.lastError().text()));
    if (q.value(0).toLongLong() != ApplicationId)
        return Result::failure(
            QStringLiteral("not a mirror cache (application id %1)").arg(q.value(0).toLongLong()));
    q.finish();

    QHash<QString, QVariant> meta;
    if (!q.exec(QStringLiteral("SELECT key, value FROM meta")))
        return Result::failure(QStringLiteral("no header: %1").arg(q.lastError().text()));
    while (q.next())
        meta.insert(q.value(0).toString(), q.value(1));
    if (q.lastError().isValid())
        return Result::failure(QStringLiteral("unreadable header: %1").arg(q.lastError().text()));
    return meta;
}

std::optional<quint64> MirrorCacheDb::storedChecksum()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'checksum'")) || !q.next())
        return std::nullopt;
    return quint64(q.value(0).toLongLong());
}

bool MirrorCacheDb::writeMeta(const QList<std::pair<QString, QVariant>> &rows, QString *error)
{
    QSqlQuery &q =
        statement(m_meta, QStringLiteral("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
    for (const auto &[key, value] : rows) {
        q.bindValue(0, key);
        q.bindValue(1, value);
        if (!q.exec()) {
            *error = QStringLiteral("cannot write the header: %1").arg(q.lastError().text());
            return false;
        }
    }
    return true;
}

bool MirrorCacheDb::beginChunkScan(QString *error)
{
    m_scan.emplace(m_db);
    m_scan->setForwardOnly(true);
    if (m_scan->exec(QStringLiteral(
            "SELECT id, first_path, leaf_count, checksum, data FROM chunks ORDER BY first_path")))
        return true;
    *error = QStringLiteral("no leaves: %1").arg(m_scan->lastError().text());
    return false;
}

Expected<bool, QString> MirrorCacheDb::nextChunk(StoredChunk &chunk)
{
    if (!m_scan->next()) {
        if (m_scan->lastError().isValid())
            return Expected<bool, QString>::failure(
                QStringLiteral("unreadable leaves: %1").arg(m_scan->lastError().text()));
        return false;
    }
    chunk.id = m_scan->value(0).toLongLong();
    chunk.firstPath = m_scan->value(1).toByteArray();
    chunk.leafCount = m_scan->value(2).toLongLong();
    chunk.checksum = quint64(m_scan->value(3).toLongLong());
    chunk.data = m_scan->value(4).toByteArray();
    return true;
}

std::optional<std::pair<QByteArray, quint64>> MirrorCacheDb::readChunk(qint64 id)
{
    QSqlQuery &q =
        statement(m_read, QStringLiteral("SELECT data, checksum FROM chunks WHERE id = ?"));
    q.bindValue(0, id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    std::pair<QByteArray, quint64> chunk{q.value(0).toByteArray(),
                                         quint64(q.value(1).toLongLong())};
    q.finish();
    return chunk;
}

std::optional<qint64> MirrorCacheDb::insertChunk(const QByteArray &firstPath, qint64 leafCount,
                                                 const QByteArray &data, quint64 checksum,
                                                 QString *error)
{
    QSqlQuery &q = statement(
        m_insert,
        QStringLiteral(
            "INSERT INTO chunks(first_path, leaf_count, checksum, data) VALUES(?, ?, ?, ?)"));
    q.bindValue(0, firstPath);
    q.bindValue(1, leafCount);
    q.bindValue(2, qint64(checksum));
    q.bindValue(3, data);
    if (q.exec())
        return q.lastInsertId().toLongLong();
    *error = QStringLiteral("cannot write a chunk: %1").arg(q.lastError().text());
    return std::nullopt;
}

bool MirrorCacheDb::deleteChunk(qint64 id, QString *error)
{
    QSqlQuery &q = statement(m_delete, QStringLiteral("DELETE FROM chunks WHERE id = ?"));
    q.bindValue(0, id);
    if (q.exec())
        return true;
    *error = q.lastError().text();
    return false;
}

} // namespace dust
