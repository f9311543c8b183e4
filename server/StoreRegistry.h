#pragma once

#include "StoreDb.h"
#include "protocol/Entry.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace dust::lite {

class PendingWrites;
class ReaderPool;
class StoreSql;

// The stores one dustlite serves, each with its database, opened on demand from the data
// directory (or in memory). Lives on the server's thread; every write path reports its
// commits through `committed` so the WebSocket side can broadcast them. Owns the ReaderPool
// whose threads serve reads and apply writes away from the server's event loop.
class StoreRegistry : public QObject
{
    Q_OBJECT
public:
    // `dataDir` empty = every store in memory.
    explicit StoreRegistry(QString dataDir, QObject *parent = nullptr);
    ~StoreRegistry() override;

    // Opens the store, creating it if missing. Error text on failure (bad name, I/O).
    Expected<StoreDb *, QString> openOrCreate(const QString &fullName);
    // An open or existing store, or nullptr. Does not create.
    StoreDb *find(QStringView fullName);
    QList<StoreDb *> stores() const;
    // Every store this registry can serve: the open ones plus the databases found in the
    // data directory, sorted by full name.
    QStringList knownNames() const;
    // The database file of a store ("<dataDir>/<org>/<name>.sqlite"); empty in memory.
    QString fileFor(QStringView fullName) const;

    // Every committed op, in commit order. `viaSocket` is true for WebSocket writes (which
    // are always broadcast), false for REST writes (broadcast only when configured).
    // The REST writes another thread committed to that store before it (StoreDb::writeWith)
    // are announced first, so `committed` always comes in seq order. After the signal, a store
    // holding at least compactAfter() ops is compacted, and one holding more than
    // retainOps() ops keeps only the newest of them.
    void notifyCommitted(const QString &fullName, const dust::ChangeEvent &event, bool viaSocket);
    // Announces the REST writes another thread committed to the store (StoreDb::writeWith)
    // and not announced yet, oldest first.
    void deliverCommitted(const QString &fullName);
    // Compact a store once its op log holds this many ops (0 = never).
    void setCompactAfter(qint64 ops) { m_compactAfter = ops; }
    qint64 compactAfter() const { return m_compactAfter; }
    // Keep at most this many ops in each store's log, folding older ones into its snapshot
    // after each commit (0 = keep all).
    void setRetainOps(qint64 ops) { m_retainOps = ops; }
    qint64 retainOps() const { return m_retainOps; }

    static bool isValidFullName(QStringView fullName);

    // The threads that read and write the stores away from the server's event loop.
    ReaderPool &pool() { return *m_pool; }

    // One commit to a store: `body` runs on a pool thread with that thread's writer connection
    // (in-memory stores: at once, here, with the store's own), and is one of the StoreDb *With()
    // methods (writeWith, putFileWith, rollbackWith). Then, on this thread, what it committed is
    // announced (`committed`, in seq order, with the `viaSocket` given to the *With() method)
    // and `done` gets the result. The WebSocket side commits this way, instead of through the
    // store's own connection, to keep its writes off the event loop; two commits given at once
    // may apply in either order (the pool has more than one write thread), so a connection
    // gives its next one once `done` has the last one.
    using Commit = std::function<WriteResult(StoreDb &db, StoreSql &sql)>;
    using WriteDone = std::function<void(const WriteResult &result)>;
    void commit(const QString &fullName, Commit body, WriteDone done);
    // One write, committed and announced as commit() does, with group commit: the write
    // waits in the store's PendingWrites, and the pool thread that next gets the store's write
    // lock commits every write waiting by then in one transaction (StoreDb::writeGroupWith),
    // each in its own savepoint, so concurrent writers share one fsync. A write arriving while
    // nothing commits goes at once, alone: a group only takes what is already waiting. Every
    // write of a group is answered, and its event announced, only after the group's COMMIT.
    // (In-memory stores: at once, here.) The order of two writes given at once is not fixed.
    void write(const QString &fullName, const WriteRequest &request, bool viaSocket,
               WriteDone done);
    // The writes to `fullName` given to write() and not yet taken by a pool thread (for tests).
    qsizetype queuedWrites(const QString &fullName) const;
    // The most writes one group commit takes; the rest wait for the next.
    static constexpr qsizetype kMaxGroupWrites = 256;

signals:
    void committed(const QString &fullName, const dust::ChangeEvent &event, bool viaSocket);

private:
    void compactIfDue(StoreDb *db);

    QString m_dataDir;
    QHash<QString, std::shared_ptr<StoreDb>> m_stores;
    // By store: the writes waiting to be committed in a group; shared with the pool's jobs.
    QHash<QString, std::shared_ptr<PendingWrites>> m_pending;
    qint64 m_compactAfter = 0;
    qint64 m_retainOps = 0;
    std::unique_ptr<ReaderPool> m_pool; // last: goes first, waiting for the jobs on the stores
};

} // namespace dust::lite
