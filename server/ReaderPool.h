#pragma once

#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QThreadStorage>

#include <functional>
#include <memory>
#include <unordered_map>

namespace dust::lite {

class StoreDb;
class StoreReader;
class StoreSql;

// The threads that serve REST reads, and parse and apply REST writes, away from the server's
// event loop, so one slow request (a scan, a diff, a big write) does not hold up the others.
//
// Each pool thread keeps its own connections to each store file it has served: a read-only
// one (WAL lets it read the last committed state while the writer writes) and a writer, used
// only under the store's write lock (StoreDb::writeWith), so a store still has one writer at a
// time. Connections are opened on first use and closed on their thread when the pool goes.
// A job returns a completion, which runs on the thread that owns the pool (the server's).
// In-memory stores have no file to open: their requests stay on the server's thread.
class ReaderPool : public QObject
{
    Q_OBJECT
public:
    // Reads and writes wait in separate queues, so a write never waits behind scans.
    enum class Lane { Read, Write };
    using Completion = std::function<void()>;
    using Job = std::function<Completion()>;

    // `readThreads` and `writeThreads` 0 = a default for this machine.
    explicit ReaderPool(int readThreads = 0, int writeThreads = 0, QObject *parent = nullptr);
    // Drops the jobs not started yet, waits for the running ones, closes every connection.
    ~ReaderPool() override;

    // Runs `job` on a thread of `lane`; its completion is then called on this object's thread
    // (unless the pool is gone by then).
    void start(Lane lane, Job job);

    // On a pool thread: runs `body` with a reader of `store` inside one read transaction, or
    // with nullptr and `error` set when the store cannot be opened for reading.
    void withReader(const StoreDb &store, const std::function<void(StoreReader *)> &body,
                    QString *error);
    // On a pool thread: this thread's writer connection to `store`, or nullptr and `error`.
    StoreSql *writer(const StoreDb &store, QString *error);

private:
    struct Connections;
    Connections &connections();

    QThreadStorage<Connections *> m_connections; // declared first: outlives the pools' threads
    QThreadPool m_reads;
    QThreadPool m_writes;
};

} // namespace dust::lite
