#pragma once

#include "CacheChunk.h"
#include "MirrorCacheHeader.h"
#include "MirrorChangeBatch.h"
#include "protocol/Expected.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <set>

namespace dust {

class Mirror;

// What load() found.
struct MirrorCacheLoad
{
    enum class Status {
        Loaded,  // the mirror now holds the cached state
        Missing, // no cache file: start from 0
        Rebuilt, // the file was unusable (see `problem`); it was deleted: start from 0
    };
    Status status = Status::Missing;
    qint64 lastSeq = 0;
    qsizetype leafCount = 0;
    QString problem;
};

// What save() wrote.
struct MirrorCacheSave
{
    bool incremental = false; // only the chunks holding changed leaves were rewritten
    qsizetype leafCount = 0;  // leaves in the cache now
    qsizetype chunksWritten = 0;
    qint64 fileBytes = 0;
};

// The on-disk cache of one store's Mirror: one SQLite file per server and store, so that
// reopening a big store loads it locally and only catches up the delta (join with the
// cached last_store_seq, dust-protocol.md §5.4, §5.8).
//
// The file name is a hash of the server URL (without user info, query or fragment, so a
// token never reaches the name or the file) and the store. The file holds a header (format
// version, server URL, store, last_store_seq, leaf count, type names, checksum) and the
// leaves in path order, packed into chunks of about ChunkLeaves leaves (path, compact JSON
// value, type, revision), each chunk with its own checksum. The whole-file checksum covers
// the header and every chunk's checksum.
//
// Loading checks everything (application id, format, server, store, each chunk's checksum
// and bounds, path and value syntax, order, revisions, count, header checksum) before the
// mirror changes; an unusable file is deleted and reported, never trusted, never a crash.
//
// Saving is atomic: a full save builds a new file and renames it over the old one; an
// incremental save (after track(), when the file is the one last loaded or saved and few
// leaves changed) rewrites only the affected chunks in one transaction.
//
// Use it on the mirror's thread; every call opens and closes its own database connection.
class MirrorCache : public QObject
{
    Q_OBJECT
public:
    static constexpr int FormatVersion = MirrorCacheHeader::FormatVersion;
    static constexpr int ChunkLeaves = 1024;

    // `directory` empty = defaultDirectory().
    MirrorCache(const QUrl &serverUrl, const QString &store, const QString &directory = {},
                QObject *parent = nullptr);
    ~MirrorCache() override;

    // QStandardPaths::CacheLocation + "/mirrors".
    static QString defaultDirectory();
    // The server URL as the cache records it: no user info, query or fragment.
    static QUrl cleanUrl(const QUrl &serverUrl);
    // "mirror-<32 hex digits>.sqlite", from a SHA-256 of the clean URL and the store.
    static QString fileNameFor(const QUrl &serverUrl, const QString &store);

    QUrl serverUrl() const { return m_serverUrl; }
    QString store() const { return m_store; }
    QString directory() const { return m_directory; }
    QString filePath() const;
    bool exists() const;

    // Replaces `mirror`'s state with the cached one (Loaded), or leaves it alone (Missing,
    // Rebuilt: an unusable file is deleted first).
    MirrorCacheLoad load(Mirror &mirror);
    // Writes `mirror`'s state: incrementally when possible, otherwise a whole new file.
    Expected<MirrorCacheSave, QString> save(const Mirror &mirror);
    // Deletes the file (e.g. the server turned out to be behind the cache). True if there is
    // no file afterwards.
    bool discard();

    // Follows `mirror`'s changes so that the next save() can be incremental. A reset()
    // means a full save next time; a reset to lastSeq 0 (a rejoin from scratch, e.g. after
    // a server reset) discards the file at once.
    void track(Mirror *mirror);

    // Changed leaves above this share of the mirror (or above 50,000) make save() write a
    // whole new file.
    void setIncrementalLimit(double share) { m_incrementalShare = share; }

signals:
    // A load() found the file unusable and deleted it.
    void rebuilt(const QString &problem);

private:
    void onChanged(const MirrorChangeBatch &batch);
    void onReset();
    Expected<MirrorCacheSave, QString> saveFull(const Mirror &mirror);
    Expected<MirrorCacheSave, QString> saveIncremental(const Mirror &mirror);
    // The header of a file for this server and store (checksum still 0).
    MirrorCacheHeader headerFor(qint64 lastSeq, qint64 leafCount, const QStringList &types) const;
    // Records what the file holds after `mirror` was loaded from or saved to it.
    void remember(cachechunk::Index index, const MirrorCacheHeader &header, const Mirror &mirror);
    MirrorCacheLoad fail(const QString &problem);
    void forgetIndex();

    QUrl m_serverUrl;
    QString m_store;
    QString m_directory;

    // What the file holds, as of the last load() or save() (valid when m_indexValid).
    bool m_indexValid = false;
    cachechunk::Index m_index;
    QStringList m_types;
    quint64 m_checksum = 0;

    QPointer<const Mirror>
        m_indexedMirror; // the mirror the file was last loaded into or saved from
    qint64 m_savedSeq = 0;

    QPointer<Mirror> m_tracked;
    bool m_fullNeeded = true;
    bool m_loading = false;
    std::set<QByteArray> m_dirty; // rendered paths changed since the file was written
    double m_incrementalShare = 0.1;
};

} // namespace dust
