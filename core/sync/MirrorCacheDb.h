#pragma once

#include "protocol/Expected.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <optional>
#include <utility>

namespace dust {

// One connection to a MirrorCache file for the length of one load or save, and the SQL the
// cache runs on it: the schema (PRAGMA application_id "DUSC", a `meta` key/value table and a
// `chunks` table of first_path, leaf_count, checksum and data), the header rows and the
// chunk statements. Statements are prepared on first use and go away with the connection.
class MirrorCacheDb
{
public:
    // PRAGMA application_id of a cache file: "DUSC".
    static constexpr qint64 ApplicationId = 0x44555343;

    // One chunk as stored.
    struct StoredChunk
    {
        qint64 id = 0;
        QByteArray firstPath;
        qint64 leafCount = 0;
        quint64 checksum = 0;
        QByteArray data;
    };

    MirrorCacheDb(const QString &file, bool readOnly);
    ~MirrorCacheDb();
    MirrorCacheDb(const MirrorCacheDb &) = delete;
    MirrorCacheDb &operator=(const MirrorCacheDb &) = delete;

    bool isOpen() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    QSqlDatabase &db() { return m_db; }

    // Runs a statement without results; false (with `error` set) on failure.
    bool exec(const QString &sql, QString *error);

    // Sets up a new, empty file: large pages, no journal, full sync, the application id and
    // both tables.
    bool createSchema(QString *error);

    // The meta rows of a file whose application id is the cache's; otherwise why not.
    Expected<QHash<QString, QVariant>, QString> readMeta();
    // The stored whole-file checksum, if the header has one.
    std::optional<quint64> storedChecksum();
    // Inserts or replaces header rows.
    bool writeMeta(const QList<std::pair<QString, QVariant>> &rows, QString *error);

    // Starts reading every chunk in first-path order.
    bool beginChunkScan(QString *error);
    // The next chunk of the scan into `chunk` (true), the end of the scan (false), or why
    // the scan failed.
    Expected<bool, QString> nextChunk(StoredChunk &chunk);

    // The data and stored checksum of chunk `id`, if there is one.
    std::optional<std::pair<QByteArray, quint64>> readChunk(qint64 id);
    // Inserts a chunk; its id, or nullopt with `error` set.
    std::optional<qint64> insertChunk(const QByteArray &firstPath, qint64 leafCount,
                                      const QByteArray &data, quint64 checksum, QString *error);
    bool deleteChunk(qint64 id, QString *error);

private:
    QSqlQuery &statement(std::optional<QSqlQuery> &slot, const QString &sql);

    QString m_name;
    QSqlDatabase m_db;
    QString m_error;
    std::optional<QSqlQuery> m_scan;
    std::optional<QSqlQuery> m_meta;
    std::optional<QSqlQuery> m_read;
    std::optional<QSqlQuery> m_insert;
    std::optional<QSqlQuery> m_delete;
};

} // namespace dust
