#pragma once

#include "StoreWrite.h"
#include "protocol/Entry.h"
#include "protocol/Expected.h"
#include "protocol/Listing.h"
#include "protocol/Path.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>

namespace dust::lite {

struct Snapshot
{
    qint64 snapshotSeq = 0;
    QJsonObject entries; // rendered path -> {"value": <wrapped>, "type": …}
};

class StoreReader;
class StoreSql;

// One store's database: op log keyed by store_seq, materialized leaves, snapshots, all in one
// SQLite file (WAL) or in memory. Every write or batch is committed in a transaction before it
// returns (writeGroupWith() commits several writes in one), so an acknowledged write survives
// kill -9.
//
// Threads: its own connection belongs to the thread that opened it (the server's). Every
// method uses that connection under the store's write lock, and writeWith() applies writes
// through another thread's connection under the same lock, so the store has one writer at a
// time and its seqs stay in order whichever thread writes. Reads from other threads go
// through their own read-only connections (ReaderPool), not through this object.
class StoreDb
{
public:
    // `file` empty = in-memory. `fullName` is "org/name".
    static Expected<std::unique_ptr<StoreDb>, QString> open(const QString &file,
                                                            const QString &fullName);
    ~StoreDb();
    StoreDb(const StoreDb &) = delete;
    StoreDb &operator=(const StoreDb &) = delete;

    const QString &fullName() const;
    // The database file; empty for an in-memory store (which has no other connections).
    const QString &file() const;
    QString id() const;         // a UUID, stable for the life of the database
    QString insertedAt() const; // ISO-8601

    qint64 currentSeq() const; // max(op log, latest snapshot); 0 for an empty store
    qint64 entryCount() const;
    qint64 opCount() const;

    WriteResult write(const WriteRequest &request);
    // set/delete only, with if_match; all or nothing, consecutive seqs.
    BatchResult batchWrite(const QList<WriteRequest> &requests);
    // put_file: stores `content` in the blob store and writes the file-ref leaf.
    WriteResult putFile(const Path &path, const QByteArray &content, const QString &filename,
                        const QString &contentType, const QString &deviceId,
                        const QString &clientOpId);
    // Rollback of one path to its value at `toSeq` (one forward set/delete), or of the whole
    // store (`path` empty). Reasons: beyond_retention, no_ops.
    WriteResult rollback(const std::optional<Path> &path, qint64 toSeq, QJsonObject *reply);

    // GET: a leaf, or the assembled subtree (type "map", revision = max), or nullopt.
    std::optional<Entry> get(const Path &path) const;
    // Batch read: exact leaves only.
    std::optional<Entry> getLeaf(const Path &path) const;
    ListPage list(const ListQuery &query) const;

    // Catch-up: the latest snapshot if it is newer than `lastSeq`.
    std::optional<Snapshot> snapshotAfter(qint64 lastSeq) const;
    // Ops with store_seq > afterSeq, ascending, at most `limit`, as events with materialized
    // values (increment -> running total, add/remove -> running set).
    QList<ChangeEvent> eventsSince(qint64 afterSeq, int limit) const;
    // The same ops as compact JSON payloads of `event` frames (ChangeEvent::toJson), written
    // from the stored text without parsing the values: what catch-up sends.
    struct EventPayload
    {
        qint64 storeSeq = 0;
        QByteArray json;
    };
    QList<EventPayload> eventPayloadsSince(qint64 afterSeq, int limit) const;
    // Writes a snapshot at the current seq and deletes the ops it covers.
    void compact();
    // Keeps at most `keep` ops in the log (`--retain-ops`): the older ones are folded into a
    // snapshot at the seq of the newest of them, as compact() folds all of them. Nothing
    // when the log holds no more than `keep`, or `keep` is not positive.
    void retainOps(qint64 keep);
    qint64 latestSnapshotSeq() const;
    QString latestSnapshotAt() const;

    // The `status` reply fields that the database knows.
    QJsonObject status() const;
    // GET …/log: {"ops": [...], "pagination": {...}}, newest first, wrapped values.
    QJsonObject auditLog(const AuditQuery &query) const;
    // GET …/diff: {"from_seq","to_seq","changes"} or nullopt + earliestAvailable when compacted.
    // A negative `toSeq` means the current seq; a `toSeq` beyond it is clamped to it.
    std::optional<QJsonObject> diff(qint64 fromSeq, qint64 toSeq, qint64 *earliestAvailable) const;
    // Export: calls `line` with the header then one JSON object per leaf, in path order.
    void exportJsonl(const std::function<void(const QByteArray &line)> &line) const;

    // Files: the blob for a "sha256:<hex>" hash if this store references it.
    std::optional<QByteArray> fileContent(const QString &hash, QString *contentType,
                                          QString *filename) const;

    // Runs `body` with a reader over the store's own connection, under the write lock.
    void read(const std::function<void(StoreReader &reader)> &body) const;

    // write() and batchWrite() through `sql`, a writer connection to file() that belongs to the
    // calling thread (a ReaderPool thread keeps one), under the store's write lock. The events
    // of what they commit queue up for takeCommitted(), in seq order, with `viaSocket`.
    WriteResult writeWith(StoreSql &sql, const WriteRequest &request, bool viaSocket = false);
    BatchResult batchWriteWith(StoreSql &sql, const QList<WriteRequest> &requests);
    // putFile() and rollback() the same way. The put_file event and a path rollback's op queue
    // up with `viaSocket`; a whole-store rollback's ops are not announced (as with rollback()).
    WriteResult putFileWith(StoreSql &sql, const Path &path, const QByteArray &content,
                            const QString &filename, const QString &contentType,
                            const QString &deviceId, const QString &clientOpId,
                            bool viaSocket = false);
    WriteResult rollbackWith(StoreSql &sql, const std::optional<Path> &path, qint64 toSeq,
                             QJsonObject *reply, bool viaSocket = false);
    // Group commit through `sql` (as writeWith()): `writes` in one transaction, each in its own
    // savepoint (GroupCommit), so one COMMIT makes them all durable; a lone write commits as
    // writeWith() does. One result per write, in order. The events of what committed queue up
    // for takeCommitted() only once the COMMIT succeeded, in seq order, each with its
    // `viaSocket`.
    QList<WriteResult> writeGroupWith(StoreSql &sql, const QList<GroupedWrite> &writes);
    // POST …/import through `sql` (as writeWith()): each of `lines` (a set, with its type) in
    // its own savepoint of one transaction, so a line that fails leaves the others written
    // (not atomic, unlike batchWriteWith) and one COMMIT makes them durable. One result per
    // line, in order; the events queue up for takeCommitted(), not via a socket.
    QList<WriteResult> importWith(StoreSql &sql, const QList<WriteRequest> &lines);
    // Holds the store's write lock while the returned guard lives, for a caller that decides
    // under it what to write (group commit: the writes waiting once it has the lock). The
    // methods above take it again; it is recursive.
    [[nodiscard]] std::unique_lock<std::recursive_mutex> lockWrites() const;
    // How writeGroupWith() grouped: its transactions (calls) and the writes they carried.
    struct GroupStats
    {
        qint64 groups = 0;
        qint64 writes = 0;
    };
    GroupStats groupStats() const;

    // Runs `body` with the store's own connection, under the write lock: for a store with no
    // other connection (in memory), what a pool thread does with its writer, so the *With()
    // methods serve it too.
    WriteResult withOwnConnection(const std::function<WriteResult(StoreSql &sql)> &body);
    // An op one of the *With() methods committed, not announced yet.
    struct Committed
    {
        ChangeEvent event;
        bool viaSocket = false;
    };
    // What the *With() methods committed and was not taken yet, oldest first: all
    // of it, or only the ops before `beforeSeq`. It never waits for the write lock.
    QList<Committed> takeCommitted(qint64 beforeSeq = std::numeric_limits<qint64>::max());

    // Seeding: many leaves in one transaction (one set op each), fast. Returns the store_seq of
    // the last op (the current seq for an empty list), or -1 when nothing was written (an
    // invalid path or key, or a storage error).
    qint64 bulkSet(const QList<std::pair<Path, QJsonValue>> &leaves, const QString &deviceId);

    // Lease expiry reads this clock (unix milliseconds); tests may replace it. An empty
    // function restores the system clock.
    void setClock(std::function<qint64()> nowMs);

private:
    StoreDb();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace dust::lite
