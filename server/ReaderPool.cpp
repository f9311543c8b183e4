#include "ReaderPool.h"

#include "StoreDb.h"
#include "StoreReader.h"
#include "StoreSql.h"

#include <QThread>

#include <algorithm>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace dust::lite {

// One pool thread's connections, by store file.
struct ReaderPool::Connections
{
    std::unordered_map<QString, std::unique_ptr<StoreSql>> readers;
    std::unordered_map<QString, std::unique_ptr<StoreSql>> writers;
};

namespace {

// How much nicer than the server's thread a pool thread is: a scan may take seconds, the
// event loop must answer in milliseconds, and on a busy machine the kernel should know which
// one waits. (Linux only; elsewhere thread priorities do not apply to ordinary threads.)
constexpr int kPoolNice = 5;

void lowerThisThreadsPriority()
{
#ifdef Q_OS_LINUX
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    const int current = getpriority(PRIO_PROCESS, tid);
    setpriority(PRIO_PROCESS, tid, std::min(current + kPoolNice, 19));
#endif
}

StoreSql *connection(std::unordered_map<QString, std::unique_ptr<StoreSql>> &map,
                     const StoreDb &store, StoreSql::Mode mode, QString *error)
{
    if (store.file().isEmpty()) {
        *error = QStringLiteral("store %1 is in memory").arg(store.fullName());
        return nullptr;
    }
    const auto found = map.find(store.file());
    if (found != map.end())
        return found->second.get();
    auto opened = StoreSql::open(store.file(), store.fullName(), mode);
    if (!opened) {
        *error = opened.error();
        return nullptr;
    }
    StoreSql *sql = opened.value().get();
    map.emplace(store.file(), std::move(opened).value());
    return sql;
}

} // namespace

ReaderPool::ReaderPool(int readThreads, int writeThreads, QObject *parent)
    : QObject(parent)
{
    const int ideal = QThread::idealThreadCount();
    m_reads.setMaxThreadCount(readThreads > 0 ? readThreads : std::max(4, ideal));
    m_writes.setMaxThreadCount(writeThreads > 0 ? writeThreads : 2);
    // Threads live as long as the pool, so their connections stay open between jobs.
    m_reads.setExpiryTimeout(-1);
    m_writes.setExpiryTimeout(-1);
    m_reads.setObjectName(QStringLiteral("dustlite-reads"));
    m_writes.setObjectName(QStringLiteral("dustlite-writes"));
}

ReaderPool::~ReaderPool()
{
    m_reads.clear();
    m_writes.clear();
    // Waits for the threads to exit: each one closes its connections as it ends.
    m_reads.waitForDone();
    m_writes.waitForDone();
}

void ReaderPool::start(Lane lane, Job job)
{
    QThreadPool &pool = lane == Lane::Read ? m_reads : m_writes;
    pool.start([this, job = std::move(job)] {
        connections(); // a new thread lowers its priority first
        Completion done = job();
        if (!done)
            return;
        // The pool waits for its jobs before it goes, so `this` is alive here; a completion
        // queued while it is being destroyed is dropped with it.
        QMetaObject::invokeMethod(this, std::move(done), Qt::QueuedConnection);
    });
}

ReaderPool::Connections &ReaderPool::connections()
{
    if (!m_connections.hasLocalData()) {
        m_connections.setLocalData(new Connections);
        lowerThisThreadsPriority();
    }
    return *m_connections.localData();
}

void ReaderPool::withReader(const StoreDb &store, const std::function<void(StoreReader *)> &body,
                            QString *error)
{
    StoreSql *sql = connection(connections().readers, store, StoreSql::Mode::Reader, error);
    if (!sql || !sql->beginRead()) {
        if (sql)
            *error = sql->error();
        body(nullptr);
        return;
    }
    StoreReader reader(*sql);
    body(&reader);
    sql->endRead();
}

StoreSql *ReaderPool::writer(const StoreDb &store, QString *error)
{
    return connection(connections().writers, store, StoreSql::Mode::Writer, error);
}

} // namespace dust::lite
