#include "MirrorCache.h"

#include "CacheChunk.h"
#include "Mirror.h"
#include "MirrorCacheDb.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

namespace dust {

namespace {

constexpr qsizetype MaxIncrementalLeaves = 50000;

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

MirrorCacheHeader MirrorCache::headerFor(qint64 lastSeq, qint64 leafCount,
                                         const QStringList &types) const
{
    MirrorCacheHeader header;
    header.server = m_serverUrl.toString(QUrl::FullyEncoded);
    header.store = m_store;
    header.lastSeq = lastSeq;
    header.leafCount = leafCount;
    header.types = types;
    return header;
}

void MirrorCache::remember(cachechunk::Index index, const MirrorCacheHeader &header,
                           const Mirror &mirror)
{
    m_index = std::move(index);
    m_types = header.types;
    m_checksum = header.checksum;
    m_indexValid = true;
    m_indexedMirror = &mirror;
    m_savedSeq = header.lastSeq;
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
    MirrorCacheHeader header;
    cachechunk::Index index;
    {
        MirrorCacheDb conn(file, true);
        if (!conn.isOpen())
            return fail(QStringLiteral("cannot open the cache: %1").arg(conn.error()));
        const auto meta = conn.readMeta();
        if (!meta)
            return fail(meta.error());
        auto parsed =
            MirrorCacheHeader::fromMeta(*meta, m_serverUrl.toString(QUrl::FullyEncoded), m_store);
        if (!parsed)
            return fail(parsed.error());
        header = std::move(parsed).value();
        if (!conn.beginChunkScan(&problem))
            return fail(problem);

        MirrorCacheDb::StoredChunk chunk;
        std::optional<cachechunk::Reader> reader;
        qint64 chunkLeft = 0;
        qint64 seen = 0;
        bool firstOfChunk = false;
        auto source = [&](MirrorRestoredLeaf &leaf, QString &error) {
            for (;;) {
                if (chunkLeft > 0) {
                    if (!reader->next(leaf)) {
                        error = QStringLiteral("a chunk is truncated");
                        return Mirror::RestoreStep::Fail;
                    }
                    if (firstOfChunk && leaf.path != QByteArrayView(chunk.firstPath)) {
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
                const auto more = conn.nextChunk(chunk);
                if (!more) {
                    error = more.error();
                    return Mirror::RestoreStep::Fail;
                }
                if (!*more) {
                    if (seen != header.leafCount) {
                        error = QStringLiteral("%1 leaves, the header says %2")
                                    .arg(seen)
                                    .arg(header.leafCount);
                        return Mirror::RestoreStep::Fail;
                    }
                    if (header.checksumWith(index) != header.checksum) {
                        error = QStringLiteral("checksum mismatch");
                        return Mirror::RestoreStep::Fail;
                    }
                    return Mirror::RestoreStep::End;
                }
                if (chunk.leafCount < 1 || cachechunk::checksum(chunk.data) != chunk.checksum) {
                    error = QStringLiteral("chunk %1 fails its checksum").arg(chunk.id);
                    return Mirror::RestoreStep::Fail;
                }
                index.emplace(chunk.firstPath,
                              cachechunk::Info{chunk.id, chunk.leafCount, chunk.checksum});
                reader.emplace(chunk.data);
                chunkLeft = chunk.leafCount;
                firstOfChunk = true;
            }
        };
        m_loading = true;
        const auto restored =
            mirror.restore(header.lastSeq, header.types, source, qsizetype(header.leafCount));
        m_loading = false;
        if (!restored)
            problem = restored.error();
    }
    if (!problem.isEmpty())
        return fail(problem);

    remember(std::move(index), header, mirror);
    if (m_tracked == &mirror) {
        m_fullNeeded = false;
        m_dirty.clear();
    }
    MirrorCacheLoad result;
    result.status = MirrorCacheLoad::Status::Loaded;
    result.lastSeq = header.lastSeq;
    result.leafCount = qsizetype(header.leafCount);
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
    cachechunk::Index index;
    QStringList types;
    MirrorCacheHeader header;
    MirrorCacheSave stats;
    const qint64 lastSeq = mirror.lastSeq();
    bool ok = false;
    {
        MirrorCacheDb conn(temp, false);
        ok = conn.isOpen();
        if (!ok)
            error = conn.error();
        ok = ok && conn.createSchema(&error) && conn.db().transaction();
        if (ok) {
            TypeMapper mapper(types);
            QByteArray data;
            QByteArray firstPath;
            qint64 inChunk = 0;
            auto flush = [&] {
                if (inChunk == 0 || !ok)
                    return;
                const quint64 sum = cachechunk::checksum(data);
                const auto id = conn.insertChunk(firstPath, inChunk, data, sum, &error);
                ok = id.has_value();
                index.emplace(firstPath, cachechunk::Info{id.value_or(0), inChunk, sum});
                ++stats.chunksWritten;
                stats.leafCount += qsizetype(inChunk);
                data.clear();
                inChunk = 0;
            };
            mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
                if (inChunk == 0)
                    firstPath = leaf.path.toByteArray();
                cachechunk::appendLeaf(data, leaf.path, leaf.value, mapper.index(leaf.type),
                                       leaf.revision);
                if (++inChunk >= ChunkLeaves)
                    flush();
            });
            flush();
            if (ok) {
                header = headerFor(lastSeq, stats.leafCount, types);
                header.checksum = header.checksumWith(index);
                ok = conn.writeMeta(header.metaRows(), &error);
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
    remember(std::move(index), header, mirror);
    m_fullNeeded = m_tracked != &mirror;
    m_dirty.clear();
    stats.fileBytes = QFileInfo(file).size();
    return Result(stats);
}

Expected<MirrorCacheSave, QString> MirrorCache::saveIncremental(const Mirror &mirror)
{
    using Result = Expected<MirrorCacheSave, QString>;
    const QString file = filePath();
    cachechunk::Index index = m_index;
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

    MirrorCacheDb conn(file, false);
    if (!conn.isOpen())
        return Result::failure(conn.error());
    // Only touch the file we know: same header checksum as the last load or save.
    if (conn.storedChecksum() != std::optional<quint64>(m_checksum))
        return Result::failure(QStringLiteral("the cache file changed"));
    if (!conn.exec(QStringLiteral("PRAGMA synchronous=NORMAL"), &error) || !conn.db().transaction())
        return Result::failure(error.isEmpty() ? conn.db().lastError().text() : error);

    auto abort = [&](const QString &why) {
        conn.db().rollback();
        return Result::failure(why);
    };

    for (const auto &[key, paths] : groups) {
        std::vector<cachechunk::OwnedLeaf> leaves;
        const auto existing = index.find(key);
        if (existing != index.end()) {
            const qint64 id = existing->second.id;
            const auto stored = conn.readChunk(id);
            if (!stored)
                return abort(QStringLiteral("chunk %1 is missing").arg(id));
            const QByteArray &data = stored->first;
            if (cachechunk::checksum(data) != stored->second)
                return abort(QStringLiteral("chunk %1 fails its checksum").arg(id));
            cachechunk::Reader reader(data);
            MirrorRestoredLeaf leaf;
            leaves.reserve(size_t(existing->second.leafCount) + paths.size());
            while (reader.next(leaf)) {
                if (leaf.typeIndex >= types.size())
                    return abort(QStringLiteral("chunk %1 is damaged").arg(id));
                leaves.push_back({leaf.path.toByteArray(), leaf.value.toByteArray(), leaf.typeIndex,
                                  leaf.revision});
            }
            if (!reader.atEnd() || qint64(leaves.size()) != existing->second.leafCount)
                return abort(QStringLiteral("chunk %1 is damaged").arg(id));
            if (!conn.deleteChunk(id, &error))
                return abort(error);
            index.erase(existing);
        }
        // Merge: the chunk's leaves minus the dirty paths, plus the mirror's leaf at each.
        std::vector<cachechunk::OwnedLeaf> merged;
        merged.reserve(leaves.size() + paths.size());
        auto less = [](const cachechunk::OwnedLeaf &a, const QByteArray &b) {
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
                cachechunk::appendLeaf(data, merged[i].path, merged[i].value, merged[i].type,
                                       merged[i].revision);
            const quint64 sum = cachechunk::checksum(data);
            const auto id =
                conn.insertChunk(merged[start].path, qint64(end - start), data, sum, &error);
            if (!id)
                return abort(error);
            index.emplace(merged[start].path, cachechunk::Info{*id, qint64(end - start), sum});
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
    MirrorCacheHeader header = headerFor(lastSeq, total, types);
    header.checksum = header.checksumWith(index);
    if (!conn.writeMeta(header.metaRows(), &error))
        return abort(error);
    if (!conn.db().commit())
        return abort(conn.db().lastError().text());

    remember(std::move(index), header, mirror);
    m_dirty.clear();
    stats.leafCount = qsizetype(total);
    stats.fileBytes = QFileInfo(file).size();
    return Result(stats);
}

} // namespace dust
