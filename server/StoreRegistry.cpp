#include "StoreRegistry.h"

#include "PendingWrites.h"
#include "ReaderPool.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace dust::lite {

namespace {

constexpr QLatin1String kFileSuffix(".sqlite");

bool isSlugChar(QChar c, bool first, bool storeName)
{
    const char16_t u = c.unicode();
    if ((u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9'))
        return true;
    if (first)
        return false;
    if (u == u'-')
        return true;
    return storeName && (u == u'.' || u == u'_');
}

bool isValidPart(QStringView part, bool storeName)
{
    if (part.isEmpty())
        return false;
    for (qsizetype i = 0; i < part.size(); ++i) {
        if (!isSlugChar(part[i], i == 0, storeName))
            return false;
    }
    return true;
}

} // namespace

StoreRegistry::StoreRegistry(QString dataDir, QObject *parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_pool(std::make_unique<ReaderPool>())
{}

StoreRegistry::~StoreRegistry()
{
    m_pool.reset(); // before the stores its jobs use
}

void StoreRegistry::commit(const QString &fullName, Commit body, WriteDone done)
{
    StoreDb *db = find(fullName);
    if (!db) {
        done(WriteResult::failed(QStringLiteral("store_not_found")));
        return;
    }
    if (db->file().isEmpty()) {
        const WriteResult result =
            db->withOwnConnection([&body, db](StoreSql &sql) { return body(*db, sql); });
        deliverCommitted(fullName);
        done(result);
        return;
    }
    m_pool->start(ReaderPool::Lane::Write,
                  [this, db, fullName, body = std::move(body),
                   done = std::move(done)]() -> ReaderPool::Completion {
                      QString error;
                      StoreSql *writer = m_pool->writer(*db, &error);
                      const WriteResult result =
                          writer ? body(*db, *writer)
                                 : WriteResult::failed(QStringLiteral("storage_error: ") + error);
                      return [this, fullName, result, done] {
                          deliverCommitted(fullName);
                          done(result);
                      };
                  });
}

void StoreRegistry::write(const QString &fullName, const WriteRequest &request, bool viaSocket,
                          WriteDone done)
{
    StoreDb *db = find(fullName);
    if (!db || db->file().isEmpty()) {
        commit(
            fullName,
            [request, viaSocket](StoreDb &store, StoreSql &sql) {
                return store.writeWith(sql, request, viaSocket);
            },
            std::move(done));
        return;
    }
    std::shared_ptr<PendingWrites> &slot = m_pending[fullName];
    if (!slot)
        slot = std::make_shared<PendingWrites>();
    slot->push({GroupedWrite{request, viaSocket}, std::move(done)});
    // One job per write, so there are always as many jobs as writes waiting: each job takes
    // whatever waits once it holds the lock (perhaps nothing, when an earlier job took it).
    m_pool->start(
        ReaderPool::Lane::Write, [this, db, fullName, pending = slot]() -> ReaderPool::Completion {
            if (pending->size() == 0)
                return {}; // an earlier job took this write along: no need to wait for the lock
            const auto held = db->lockWrites();
            const QList<PendingWrites::Write> group = pending->take(kMaxGroupWrites);
            if (group.isEmpty())
                return {};
            QList<GroupedWrite> writes;
            writes.reserve(group.size());
            for (const PendingWrites::Write &write : group)
                writes.append(write.write);
            QString error;
            StoreSql *writer = m_pool->writer(*db, &error);
            const QList<WriteResult> results =
                writer ? db->writeGroupWith(*writer, writes)
                       : QList<WriteResult>(
                             group.size(),
                             WriteResult::failed(QStringLiteral("storage_error: ") + error));
            return [this, fullName, group, results] {
                deliverCommitted(fullName);
                for (qsizetype i = 0; i < group.size(); ++i)
                    group.at(i).done(results.at(i));
            };
        });
}

qsizetype StoreRegistry::queuedWrites(const QString &fullName) const
{
    const auto found = m_pending.constFind(fullName);
    return found == m_pending.cend() ? 0 : (*found)->size();
}

bool StoreRegistry::isValidFullName(QStringView fullName)
{
    const qsizetype slash = fullName.indexOf(QLatin1Char('/'));
    if (slash < 0)
        return false;
    return isValidPart(fullName.left(slash), false) && isValidPart(fullName.mid(slash + 1), true);
}

QString StoreRegistry::fileFor(QStringView fullName) const
{
    if (m_dataDir.isEmpty())
        return {};
    const qsizetype slash = fullName.indexOf(QLatin1Char('/'));
    return QDir(m_dataDir).filePath(fullName.left(slash).toString() + QLatin1Char('/') +
                                    fullName.mid(slash + 1).toString() + kFileSuffix);
}

Expected<StoreDb *, QString> StoreRegistry::openOrCreate(const QString &fullName)
{
    using Result = Expected<StoreDb *, QString>;
    if (!isValidFullName(fullName))
        return Result::failure(QStringLiteral("invalid store name \"%1\" (expected org/name, "
                                              "lowercase letters, digits and -._)")
                                   .arg(fullName));
    if (const auto it = m_stores.constFind(fullName); it != m_stores.cend())
        return it->get();

    const QString file = fileFor(fullName);
    if (!file.isEmpty()) {
        const QString dir = QFileInfo(file).absolutePath();
        if (!QDir().mkpath(dir))
            return Result::failure(QStringLiteral("cannot create directory %1").arg(dir));
    }
    auto opened = StoreDb::open(file, fullName);
    if (!opened)
        return Result::failure(opened.error());
    std::shared_ptr<StoreDb> db(std::move(opened).value());
    StoreDb *raw = db.get();
    m_stores.insert(fullName, std::move(db));
    return raw;
}

StoreDb *StoreRegistry::find(QStringView fullName)
{
    const QString name = fullName.toString();
    if (const auto it = m_stores.constFind(name); it != m_stores.cend())
        return it->get();
    if (!isValidFullName(name) || m_dataDir.isEmpty() || !QFileInfo::exists(fileFor(name)))
        return nullptr;
    auto opened = openOrCreate(name);
    return opened ? opened.value() : nullptr;
}

QList<StoreDb *> StoreRegistry::stores() const
{
    QList<StoreDb *> result;
    result.reserve(m_stores.size());
    for (const auto &db : m_stores)
        result.append(db.get());
    std::sort(result.begin(), result.end(),
              [](const StoreDb *a, const StoreDb *b) { return a->fullName() < b->fullName(); });
    return result;
}

QStringList StoreRegistry::knownNames() const
{
    QStringList names = m_stores.keys();
    if (!m_dataDir.isEmpty()) {
        const QDir root(m_dataDir);
        const QStringList orgs = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString &org : orgs) {
            const QStringList files =
                QDir(root.filePath(org)).entryList({QLatin1Char('*') + kFileSuffix}, QDir::Files);
            for (const QString &file : files) {
                const QString name =
                    org + QLatin1Char('/') + file.left(file.size() - kFileSuffix.size());
                if (isValidFullName(name) && !names.contains(name))
                    names.append(name);
            }
        }
    }
    names.sort();
    return names;
}

void StoreRegistry::notifyCommitted(const QString &fullName, const dust::ChangeEvent &event,
                                    bool viaSocket)
{
    StoreDb *db = find(fullName);
    if (db) {
        // Only those before it: a pool thread may already have committed after it.
        const QList<StoreDb::Committed> earlier = db->takeCommitted(event.storeSeq);
        for (const StoreDb::Committed &before : earlier)
            emit committed(fullName, before.event, before.viaSocket);
    }
    emit committed(fullName, event, viaSocket);
    compactIfDue(db);
}

void StoreRegistry::deliverCommitted(const QString &fullName)
{
    StoreDb *db = find(fullName);
    if (!db)
        return;
    const QList<StoreDb::Committed> events = db->takeCommitted();
    for (const StoreDb::Committed &done : events)
        emit committed(fullName, done.event, done.viaSocket);
    if (!events.isEmpty())
        compactIfDue(db);
}

void StoreRegistry::compactIfDue(StoreDb *db)
{
    if (!db)
        return;
    if (m_compactAfter > 0 && db->opCount() >= m_compactAfter)
        db->compact();
    if (m_retainOps > 0 && db->opCount() > m_retainOps)
        db->retainOps(m_retainOps);
}

} // namespace dust::lite
