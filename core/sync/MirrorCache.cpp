#include "MirrorCache.h"

#include "Mirror.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>
#include <QtEndian>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace dust {

namespace {

// PRAGMA application_id of a cache file: "DUSC".
constexpr qint64 ApplicationId = 0x44555343;
// Per leaf in a chunk: path length (u32), value length (u32), type index (u16), revision
// (i64), all little-endian, then the path and value bytes.
constexpr qsizetype LeafHeader = 4 + 4 + 2 + 8;
constexpr qsizetype MaxIncrementalLeaves = 50000;

// A fast 64-bit hash (8 bytes per step, multiply-rotate mixing, final avalanche) for chunk
// and header checksums: catches damage, not attacks.
quint64 hash64(QByteArrayView bytes, quint64 seed = 0x9e3779b97f4a7c15ULL)
{
    constexpr quint64 m1 = 0x87c37b91114253d5ULL;
    constexpr quint64 m2 = 0x4cf5ad432745937fULL;
    quint64 h = seed ^ (quint64(bytes.size()) * m1);
    const char *p = bytes.data();
    qsizetype n = bytes.size();
    while (n >= 8) {
        quint64 k;
        std::memcpy(&k, p, 8);
        k = qFromLittleEndian(k);
        k *= m1;
        k = (k << 31) | (k >> 33);
        k *= m2;
        h ^= k;
        h = ((h << 27) | (h >> 37)) * 5 + 0x52dce729;
        p += 8;
        n -= 8;
    }
    quint64 tail = 0;
    for (qsizetype i = 0; i < n; ++i)
        tail |= quint64(quint8(p[i])) << (8 * i);
    h ^= tail * m2;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

void appendLe(QByteArray &out, auto value)
{
    const auto le = qToLittleEndian(value);
    out.append(reinterpret_cast<const char *>(&le), qsizetype(sizeof(le)));
}

void appendLeaf(QByteArray &out, QByteArrayView path, QByteArrayView value, quint16 type,
                qint64 revision)
{
    appendLe(out, quint32(path.size()));
    appendLe(out, quint32(value.size()));
    appendLe(out, type);
    appendLe(out, revision);
    out.append(path);
    out.append(value);
}

// Reads leaves out of one chunk's bytes, checking every bound.
class ChunkReader
{
public:
    explicit ChunkReader(QByteArrayView data)
        : m_data(data)
    {}

    bool atEnd() const { return m_pos == m_data.size(); }

    bool next(MirrorRestoredLeaf &leaf)
    {
        if (m_data.size() - m_pos < LeafHeader)
            return false;
        const char *p = m_data.data() + m_pos;
        const auto pathLen = qFromLittleEndian<quint32>(p);
        const auto valueLen = qFromLittleEndian<quint32>(p + 4);
        const auto type = qFromLittleEndian<quint16>(p + 8);
        const auto revision = qFromLittleEndian<qint64>(p + 10);
        const qint64 body = qint64(pathLen) + qint64(valueLen);
        if (body > m_data.size() - m_pos - LeafHeader)
            return false;
        leaf.path = m_data.sliced(m_pos + LeafHeader, qsizetype(pathLen));
        leaf.value = m_data.sliced(m_pos + LeafHeader + qsizetype(pathLen), qsizetype(valueLen));
        leaf.typeIndex = type;
        leaf.revision = revision;
        m_pos += LeafHeader + qsizetype(body);
        return true;
    }

private:
    QByteArrayView m_data;
    qsizetype m_pos = 0;
};

// One leaf with its own bytes (an incremental save edits a chunk as a list of these).
struct OwnedLeaf
{
    QByteArray path;
    QByteArray value;
    quint16 type = 0;
    qint64 revision = 0;
};

// A named QSqlDatabase connection for the length of one call.
class Connection
{
public:
    Connection(const QString &file, bool readOnly)
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
    ~Connection()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    bool isOpen() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    QSqlDatabase &db() { return m_db; }

    // Runs a statement without results; false (with `error` set) on failure.
    bool exec(const QString &sql, QString *error)
    {
        QSqlQuery q(m_db);
        if (q.exec(sql))
            return true;
        if (error)
            *error = QStringLiteral("%1: %2").arg(sql, q.lastError().text());
        return false;
    }

private:
    QString m_name;
    QSqlDatabase m_db;
    QString m_error;
};

QString typesToText(const QStringList &types)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(types)).toJson(QJsonDocument::Compact));
}

std::optional<QStringList> typesFromText(const QString &text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (!doc.isArray())
        return std::nullopt;
    QStringList types;
    for (const QJsonValue &v : doc.array()) {
        if (!v.isString() || v.toString().isEmpty())
            return std::nullopt;
        types.append(v.toString());
    }
    if (types.size() > 0xffff)
        return std::nullopt;
    return types;
}

// The cache-local index of a mirror type name, adding it when new.
class TypeMapper
{
public:
    explicit TypeMapper(QStringList &types)
        : m_types(types)
    {}

    quint16 index(QStringView type)
    {
        if (m_last && type.data() == m_lastData && type.size() == m_lastSize)
            return m_lastIndex;
        auto i = m_types.indexOf(type);
        if (i < 0) {
            i = m_types.size();
            m_types.append(type.toString());
        }
        m_last = true;
        m_lastData = type.data();
        m_lastSize = type.size();
        m_lastIndex = quint16(i);
        return m_lastIndex;
    }

private:
    QStringList &m_types;
    bool m_last = false;
    const QChar *m_lastData = nullptr;
    qsizetype m_lastSize = 0;
    quint16 m_lastIndex = 0;
};

bool insertChunk(QSqlQuery &insert, const QByteArray &firstPath, qint64 count,
                 const QByteArray &data, quint64 checksum, QString *error)
{
    insert.bindValue(0, firstPath);
    insert.bindValue(1, count);
    insert.bindValue(2, qint64(checksum));
    insert.bindValue(3, data);
    if (insert.exec())
        return true;
    *error = QStringLiteral("cannot write a chunk: %1").arg(insert.lastError().text());
    return false;
}

bool writeMeta(QSqlQuery &q, const QString &key, const QVariant &value, QString *error)
{
    q.bindValue(0, key);
    q.bindValue(1, value);
    if (q.exec())
        return true;
    *error = QStringLiteral("cannot write the header: %1").arg(q.lastError().text());
    return false;
}

} // namespace

// ---------------------------------------------------------------------------------------

MirrorCache::MirrorCache(const QUrl &serverUrl, const QString &store, const QString &directory,
                         QObject *parent)
    : QObject(parent)
    , m_serverUrl(cleanUrl(serverUrl))
    , m_store(store)
    , m_directory(directory.isEmpty() ? defaultDirectory() : directory)
{}

MirrorCache::~MirrorCache() = default;

QString MirrorCache::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
           QStringLiteral("/mirrors");
}

QUrl MirrorCache::cleanUrl(const QUrl &serverUrl)
{
    return serverUrl.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment |
                              QUrl::StripTrailingSlash | QUrl::NormalizePathSegments);
}

QString MirrorCache::fileNameFor(const QUrl &serverUrl, const QString &store)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(cleanUrl(serverUrl).toString(QUrl::FullyEncoded).toUtf8());
    hash.addData(QByteArrayView("\n"));
    hash.addData(store.toUtf8());
    return QStringLiteral("mirror-") + QString::fromLatin1(hash.result().toHex().left(32)) +
           QStringLiteral(".sqlite");
}

QString MirrorCache::filePath() const
{
    return QDir(m_directory).filePath(fileNameFor(m_serverUrl, m_store));
}

bool MirrorCache::exists() const
{
    return QFileInfo::exists(filePath());
}

bool MirrorCache::discard()
{
    forgetIndex();
    m_fullNeeded = true;
    m_dirty.clear();
    const QString file = filePath();
    QFile::remove(file + QStringLiteral("-journal"));
    return !QFileInfo::exists(file) || QFile::remove(file);
}

void MirrorCache::forgetIndex()
{
    m_indexValid = false;
    m_index.clear();
    m_types.clear();
    m_checksum = 0;
}

void MirrorCache::track(Mirror *mirror)
{
    if (m_tracked)
        m_tracked->disconnect(this);
    m_tracked = mirror;
    m_dirty.clear();
    // Changes made before tracking started are unknown: unless the mirror stands where
    // the file does, the next save is a full one.
    m_fullNeeded =
        !(m_indexValid && mirror && mirror->lastSeq() == m_savedSeq && m_indexedMirror == mirror);
    if (!mirror)
        return;
    connect(mirror, &Mirror::changed, this, &MirrorCache::onChanged);
    connect(mirror, &Mirror::reset, this, &MirrorCache::onReset);
}

void MirrorCache::onChanged(const MirrorChangeBatch &batch)
{
    if (m_loading || m_fullNeeded)
        return;
    for (const MirrorLeafChange &change : batch.changes())
        m_dirty.insert(change.path.rendered().toUtf8());
    if (qsizetype(m_dirty.size()) > MaxIncrementalLeaves) {
        m_fullNeeded = true;
        m_dirty.clear();
    }
}

void MirrorCache::onReset()
{
    if (m_loading)
        return;
    m_fullNeeded = true;
    m_dirty.clear();
    if (m_tracked && m_tracked->lastSeq() == 0)
        discard();
}

quint64 MirrorCache::headerChecksum(qint64 lastSeq, qint64 leafCount, const QStringList &types,
                                    const ChunkIndex &chunks) const
{
    QByteArray bytes;
    appendLe(bytes, qint32(FormatVersion));
    bytes.append(m_serverUrl.toString(QUrl::FullyEncoded).toUtf8()).append('\n');
    bytes.append(m_store.toUtf8()).append('\n');
    appendLe(bytes, lastSeq);
    appendLe(bytes, leafCount);
    bytes.append(typesToText(types).toUtf8()).append('\n');
    for (const auto &[firstPath, info] : chunks) {
        appendLe(bytes, quint32(firstPath.size()));
        bytes.append(firstPath);
        appendLe(bytes, info.leafCount);
        appendLe(bytes, info.checksum);
    }
    return hash64(bytes);
}

MirrorCacheLoad MirrorCache::fail(const QString &problem)
{
    forgetIndex();
    m_fullNeeded = true;
    const QString file = filePath();
    QFile::remove(file + QStringLiteral("-journal"));
    QFile::remove(file);
    emit rebuilt(problem);
    MirrorCacheLoad result;
    result.status = MirrorCacheLoad::Status::Rebuilt;
    result.problem = problem;
    return result;
}

// --- Loading -----------------------------------------------------------------------------

MirrorCacheLoad MirrorCache::load(Mirror &mirror)
{
    const QString file = filePath();
    if (!QFileInfo::exists(file)) {
        forgetIndex();
        return {};
    }
    QString problem;
    qint64 lastSeq = 0;
    qint64 leafCount = 0;
    QStringList types;
    ChunkIndex index;
    quint64 checksum = 0;
    {
        Connection conn(file, true);
        if (!conn.isOpen())
            return fail(QStringLiteral("cannot open the cache: %1").arg(conn.error()));
        QSqlQuery q(conn.db());
        q.setForwardOnly(true);
        if (!q.exec(QStringLiteral("PRAGMA application_id")) || !q.next())
            return fail(QStringLiteral("not a database: %1").arg(q.lastError().text()));
        if (q.value(0).toLongLong() != ApplicationId)
            return fail(QStringLiteral("not a mirror cache (application id %1)")
                            .arg(q.value(0).toLongLong()));
        q.finish();

        QHash<QString, QVariant> meta;
        if (!q.exec(QStringLiteral("SELECT key, value FROM meta")))
            return fail(QStringLiteral("no header: %1").arg(q.lastError().text()));
        while (q.next())
            meta.insert(q.value(0).toString(), q.value(1));
        if (q.lastError().isValid())
            return fail(QStringLiteral("unreadable header: %1").arg(q.lastError().text()));
        q.finish();

        bool ok = false;
        const int format = meta.value(QStringLiteral("format")).toInt(&ok);
        if (!ok || format != FormatVersion)
            return fail(QStringLiteral("format version %1, expected %2")
                            .arg(meta.value(QStringLiteral("format")).toString())
                            .arg(FormatVersion));
        if (meta.value(QStringLiteral("server")).toString() !=
            m_serverUrl.toString(QUrl::FullyEncoded))
            return fail(QStringLiteral("the cache belongs to another server"));
        if (meta.value(QStringLiteral("store")).toString() != m_store)
            return fail(QStringLiteral("the cache belongs to another store"));
        bool seqOk = false;
        bool countOk = false;
        bool sumOk = false;
        lastSeq = meta.value(QStringLiteral("last_store_seq")).toLongLong(&seqOk);
        leafCount = meta.value(QStringLiteral("leaf_count")).toLongLong(&countOk);
        checksum = quint64(meta.value(QStringLiteral("checksum")).toLongLong(&sumOk));
        if (!seqOk || !countOk || !sumOk || lastSeq < 0 || leafCount < 0)
            return fail(QStringLiteral("damaged header"));
        const auto parsedTypes = typesFromText(meta.value(QStringLiteral("types")).toString());
        if (!parsedTypes)
            return fail(QStringLiteral("damaged type list"));
        types = *parsedTypes;

        if (!q.exec(QStringLiteral("SELECT id, first_path, leaf_count, checksum, data FROM chunks "
                                   "ORDER BY first_path")))
            return fail(QStringLiteral("no leaves: %1").arg(q.lastError().text()));

        QByteArray chunk;
        std::optional<ChunkReader> reader;
        qint64 chunkLeft = 0;
        qint64 seen = 0;
        QByteArray chunkFirst;
        bool firstOfChunk = false;
        auto source = [&](MirrorRestoredLeaf &leaf, QString &error) {
            for (;;) {
                if (chunkLeft > 0) {
                    if (!reader->next(leaf)) {
                        error = QStringLiteral("a chunk is truncated");
                        return Mirror::RestoreStep::Fail;
                    }
                    if (firstOfChunk && leaf.path != QByteArrayView(chunkFirst)) {
                        error = QStringLiteral("a chunk does not start where its key says");
                        return Mirror::RestoreStep::Fail;
                    }
                    firstOfChunk = false;
                    --chunkLeft;
                    ++seen;
                    return Mirror::RestoreStep::Leaf;
                }
                if (reader && !reader->atEnd()) {
                    error = QStringLiteral("a chunk holds more bytes than its leaves");
                    return Mirror::RestoreStep::Fail;
                }
                if (!q.next()) {
                    if (q.lastError().isValid()) {
                        error = QStringLiteral("unreadable leaves: %1").arg(q.lastError().text());
                        return Mirror::RestoreStep::Fail;
                    }
                    if (seen != leafCount) {
                        error = QStringLiteral("%1 leaves, the header says %2")
                                    .arg(seen)
                                    .arg(leafCount);
                        return Mirror::RestoreStep::Fail;
                    }
                    if (headerChecksum(lastSeq, leafCount, types, index) != checksum) {
                        error = QStringLiteral("checksum mismatch");
                        return Mirror::RestoreStep::Fail;
                    }
                    return Mirror::RestoreStep::End;
                }
                ChunkInfo info;
                info.id = q.value(0).toLongLong();
                chunkFirst = q.value(1).toByteArray();
                info.leafCount = q.value(2).toLongLong();
                info.checksum = quint64(q.value(3).toLongLong());
                chunk = q.value(4).toByteArray();
                if (info.leafCount < 1 || hash64(chunk) != info.checksum) {
                    error = QStringLiteral("chunk %1 fails its checksum").arg(info.id);
                    return Mirror::RestoreStep::Fail;
                }
                index.emplace(chunkFirst, info);
                reader.emplace(chunk);
                chunkLeft = info.leafCount;
                firstOfChunk = true;
            }
        };
        m_loading = true;
        const auto restored = mirror.restore(lastSeq, types, source, qsizetype(leafCount));
        m_loading = false;
        if (!restored)
            problem = restored.error();
    }
    if (!problem.isEmpty())
        return fail(problem);

    m_index = std::move(index);
    m_types = types;
    m_checksum = checksum;
    m_indexValid = true;
    m_indexedMirror = &mirror;
    m_savedSeq = lastSeq;
    if (m_tracked == &mirror) {
        m_fullNeeded = false;
        m_dirty.clear();
    }
    MirrorCacheLoad result;
    result.status = MirrorCacheLoad::Status::Loaded;
    result.lastSeq = lastSeq;
    result.leafCount = qsizetype(leafCount);
    return result;
}

// --- Saving ------------------------------------------------------------------------------

Expected<MirrorCacheSave, QString> MirrorCache::save(const Mirror &mirror)
{
    const bool canIncrement = m_indexValid && !m_fullNeeded && m_tracked == &mirror &&
                              m_indexedMirror == &mirror && exists();
    const auto limit =
        std::clamp<qsizetype>(qsizetype(double(mirror.leafCount()) * m_incrementalShare),
                              ChunkLeaves, MaxIncrementalLeaves);
    if (canIncrement && qsizetype(m_dirty.size()) <= limit) {
        auto result = saveIncremental(mirror);
        if (result)
            return result;
        // The file is not what we thought: write it whole.
    }
    return saveFull(mirror);
}

Expected<MirrorCacheSave, QString> MirrorCache::saveFull(const Mirror &mirror)
{
    using Result = Expected<MirrorCacheSave, QString>;
    if (!QDir().mkpath(m_directory))
        return Result::failure(QStringLiteral("cannot create %1").arg(m_directory));
    const QString file = filePath();
    const QString temp =
        file + QStringLiteral(".new-") + QUuid::createUuid().toString(QUuid::Id128);
    QString error;
    ChunkIndex index;
    QStringList types;
    quint64 checksum = 0;
    MirrorCacheSave stats;
    const qint64 lastSeq = mirror.lastSeq();
    bool ok = false;
    {
        Connection conn(temp, false);
        ok = conn.isOpen();
        if (!ok)
            error = conn.error();
        ok = ok && conn.exec(QStringLiteral("PRAGMA page_size=65536"), &error) &&
             conn.exec(QStringLiteral("PRAGMA journal_mode=OFF"), &error) &&
             conn.exec(QStringLiteral("PRAGMA synchronous=FULL"), &error) &&
             conn.exec(QStringLiteral("PRAGMA application_id=%1").arg(ApplicationId), &error) &&
             conn.exec(QStringLiteral("CREATE TABLE meta(key TEXT PRIMARY KEY, value)"), &error) &&
             conn.exec(QStringLiteral("CREATE TABLE chunks(id INTEGER PRIMARY KEY, "
                                      "first_path BLOB NOT NULL UNIQUE, leaf_count INTEGER "
                                      "NOT NULL, checksum INTEGER NOT NULL, data BLOB NOT "
                                      "NULL)"),
                       &error) &&
             conn.db().transaction();
        if (ok) {
            QSqlQuery insert(conn.db());
            insert.prepare(QStringLiteral(
                "INSERT INTO chunks(first_path, leaf_count, checksum, data) VALUES(?, ?, ?, ?)"));
            TypeMapper mapper(types);
            QByteArray data;
            QByteArray firstPath;
            qint64 inChunk = 0;
            qint64 id = 0;
            auto flush = [&] {
                if (inChunk == 0 || !ok)
                    return;
                const quint64 sum = hash64(data);
                ok = insertChunk(insert, firstPath, inChunk, data, sum, &error);
                index.emplace(firstPath, ChunkInfo{++id, inChunk, sum});
                ++stats.chunksWritten;
                stats.leafCount += qsizetype(inChunk);
                data.clear();
                inChunk = 0;
            };
            mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
                if (inChunk == 0)
                    firstPath = leaf.path.toByteArray();
                appendLeaf(data, leaf.path, leaf.value, mapper.index(leaf.type), leaf.revision);
                if (++inChunk >= ChunkLeaves)
                    flush();
            });
            flush();
            if (ok) {
                checksum = headerChecksum(lastSeq, stats.leafCount, types, index);
                QSqlQuery meta(conn.db());
                meta.prepare(QStringLiteral("INSERT INTO meta(key, value) VALUES(?, ?)"));
                ok = writeMeta(meta, QStringLiteral("format"), FormatVersion, &error) &&
                     writeMeta(meta, QStringLiteral("server"),
                               m_serverUrl.toString(QUrl::FullyEncoded), &error) &&
                     writeMeta(meta, QStringLiteral("store"), m_store, &error) &&
                     writeMeta(meta, QStringLiteral("last_store_seq"), lastSeq, &error) &&
                     writeMeta(meta, QStringLiteral("leaf_count"), qint64(stats.leafCount),
                               &error) &&
                     writeMeta(meta, QStringLiteral("types"), typesToText(types), &error) &&
                     writeMeta(meta, QStringLiteral("checksum"), qint64(checksum), &error);
            }
            if (ok && !conn.db().commit()) {
                ok = false;
                error = conn.db().lastError().text();
            }
            if (!ok)
                conn.db().rollback();
        }
    }
    if (ok) {
        std::error_code ec;
        std::filesystem::rename(std::filesystem::path(temp.toStdU16String()),
                                std::filesystem::path(file.toStdU16String()), ec);
        if (ec) {
            ok = false;
            error = QStringLiteral("cannot replace %1: %2")
                        .arg(file, QString::fromLocal8Bit(ec.message()));
        }
    }
    if (!ok) {
        QFile::remove(temp);
        return Result::failure(QStringLiteral("cannot write the mirror cache: %1").arg(error));
    }
    QFile::remove(file + QStringLiteral("-journal"));
    m_index = std::move(index);
    m_types = types;
    m_checksum = checksum;
    m_indexValid = true;
    m_indexedMirror = &mirror;
    m_savedSeq = lastSeq;
    m_fullNeeded = m_tracked != &mirror;
    m_dirty.clear();
    stats.fileBytes = QFileInfo(file).size();
    return Result(stats);
}

Expected<MirrorCacheSave, QString> MirrorCache::saveIncremental(const Mirror &mirror)
{
    using Result = Expected<MirrorCacheSave, QString>;
    const QString file = filePath();
    ChunkIndex index = m_index;
    QStringList types = m_types;
    TypeMapper mapper(types);
    MirrorCacheSave stats;
    stats.incremental = true;
    QString error;
    const qint64 lastSeq = mirror.lastSeq();

    // The dirty paths grouped by the chunk that holds (or would hold) them; paths before the
    // first chunk go to the first chunk. An empty key with no chunk means "no chunk yet".
    std::map<QByteArray, std::vector<QByteArray>> groups;
    for (const QByteArray &path : m_dirty) {
        auto it = index.upper_bound(path);
        if (it != index.begin())
            --it;
        groups[it == index.end() ? QByteArray() : it->first].push_back(path);
    }

    Connection conn(file, false);
    if (!conn.isOpen())
        return Result::failure(conn.error());
    QSqlQuery q(conn.db());
    // Only touch the file we know: same header checksum as the last load or save.
    if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'checksum'")) || !q.next() ||
        quint64(q.value(0).toLongLong()) != m_checksum)
        return Result::failure(QStringLiteral("the cache file changed"));
    q.finish();
    if (!conn.exec(QStringLiteral("PRAGMA synchronous=NORMAL"), &error) || !conn.db().transaction())
        return Result::failure(error.isEmpty() ? conn.db().lastError().text() : error);

    auto abort = [&](const QString &why) {
        conn.db().rollback();
        return Result::failure(why);
    };

    QSqlQuery read(conn.db());
    read.prepare(QStringLiteral("SELECT data, checksum FROM chunks WHERE id = ?"));
    QSqlQuery remove(conn.db());
    remove.prepare(QStringLiteral("DELETE FROM chunks WHERE id = ?"));
    QSqlQuery insert(conn.db());
    insert.prepare(QStringLiteral(
        "INSERT INTO chunks(first_path, leaf_count, checksum, data) VALUES(?, ?, ?, ?)"));

    for (const auto &[key, paths] : groups) {
        std::vector<OwnedLeaf> leaves;
        const auto existing = index.find(key);
        if (existing != index.end()) {
            read.bindValue(0, existing->second.id);
            if (!read.exec() || !read.next())
                return abort(QStringLiteral("chunk %1 is missing").arg(existing->second.id));
            const QByteArray data = read.value(0).toByteArray();
            if (hash64(data) != quint64(read.value(1).toLongLong()))
                return abort(
                    QStringLiteral("chunk %1 fails its checksum").arg(existing->second.id));
            read.finish();
            ChunkReader reader(data);
            MirrorRestoredLeaf leaf;
            leaves.reserve(size_t(existing->second.leafCount) + paths.size());
            while (reader.next(leaf)) {
                if (leaf.typeIndex >= types.size())
                    return abort(QStringLiteral("chunk %1 is damaged").arg(existing->second.id));
                leaves.push_back({leaf.path.toByteArray(), leaf.value.toByteArray(), leaf.typeIndex,
                                  leaf.revision});
            }
            if (!reader.atEnd() || qint64(leaves.size()) != existing->second.leafCount)
                return abort(QStringLiteral("chunk %1 is damaged").arg(existing->second.id));
            remove.bindValue(0, existing->second.id);
            if (!remove.exec())
                return abort(remove.lastError().text());
            index.erase(existing);
        }
        // Merge: the chunk's leaves minus the dirty paths, plus the mirror's leaf at each.
        std::vector<OwnedLeaf> merged;
        merged.reserve(leaves.size() + paths.size());
        auto less = [](const OwnedLeaf &a, const QByteArray &b) {
            return a.path < b;
        };
        size_t from = 0;
        for (const QByteArray &path : paths) { // sorted: they come from a std::set
            const auto at =
                std::lower_bound(leaves.begin() + qsizetype(from), leaves.end(), path, less);
            const auto atIndex = size_t(at - leaves.begin());
            std::move(leaves.begin() + qsizetype(from), at, std::back_inserter(merged));
            from = atIndex;
            if (from < leaves.size() && leaves[from].path == path)
                ++from;
            mirror.visitLeaf(path, [&](const MirrorLeafView &view) {
                merged.push_back({view.path.toByteArray(), view.value.toByteArray(),
                                  mapper.index(view.type), view.revision});
            });
        }
        std::move(leaves.begin() + qsizetype(from), leaves.end(), std::back_inserter(merged));

        // Write it back, split in ChunkLeaves pieces when it grew past twice that.
        const size_t pieceSize =
            merged.size() > size_t(2 * ChunkLeaves) ? size_t(ChunkLeaves) : merged.size();
        for (size_t start = 0; start < merged.size(); start += pieceSize) {
            const size_t end = std::min(merged.size(), start + pieceSize);
            QByteArray data;
            for (size_t i = start; i < end; ++i)
                appendLeaf(data, merged[i].path, merged[i].value, merged[i].type,
                           merged[i].revision);
            const quint64 sum = hash64(data);
            if (!insertChunk(insert, merged[start].path, qint64(end - start), data, sum, &error))
                return abort(error);
            index.emplace(merged[start].path,
                          ChunkInfo{insert.lastInsertId().toLongLong(), qint64(end - start), sum});
            ++stats.chunksWritten;
        }
    }

    qint64 total = 0;
    for (const auto &entry : index)
        total += entry.second.leafCount;
    if (total != qint64(mirror.leafCount()))
        return abort(QStringLiteral("the cache would hold %1 leaves, the mirror has %2")
                         .arg(total)
                         .arg(mirror.leafCount()));
    const quint64 checksum = headerChecksum(lastSeq, total, types, index);
    QSqlQuery meta(conn.db());
    meta.prepare(QStringLiteral("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
    if (!writeMeta(meta, QStringLiteral("last_store_seq"), lastSeq, &error) ||
        !writeMeta(meta, QStringLiteral("leaf_count"), total, &error) ||
        !writeMeta(meta, QStringLiteral("types"), typesToText(types), &error) ||
        !writeMeta(meta, QStringLiteral("checksum"), qint64(checksum), &error))
        return abort(error);
    if (!conn.db().commit())
        return abort(conn.db().lastError().text());

    m_index = std::move(index);
    m_types = types;
    m_checksum = checksum;
    m_savedSeq = lastSeq;
    m_dirty.clear();
    stats.leafCount = qsizetype(total);
    stats.fileBytes = QFileInfo(file).size();
    return Result(stats);
}

} // namespace dust
