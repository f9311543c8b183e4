#include "GroupCommit.h"

#include "LeafOps.h"
#include "StoreSql.h"

namespace dust::lite {

namespace {

// Every write of a group whose transaction was lost gets the same storage error.
QList<WriteResult> allFailed(const StoreSql &sql, qsizetype count)
{
    return QList<WriteResult>(count, sql.storageFailure());
}

} // namespace

QList<WriteResult> GroupCommit::apply(StoreSql &sql, const QList<WriteRequest> &requests,
                                      qint64 nowMs)
{
    QList<WriteResult> results;
    results.reserve(requests.size());
    if (!sql.begin())
        return allFailed(sql, requests.size());
    for (const WriteRequest &request : requests) {
        QJsonObject extra;
        if (const QString invalid = LeafOps::validate(request, &extra); !invalid.isEmpty()) {
            results.append(WriteResult::failed(invalid, extra)); // nothing written: no savepoint
            continue;
        }
        if (!sql.savepoint()) {
            sql.rollback();
            return allFailed(sql, requests.size());
        }
        WriteResult result = sql.applyWrite(request, nowMs);
        if (result.ok && sql.failed())
            result = sql.storageFailure();
        // What the write did stays only when it succeeded (as StoreSql::write commits only then).
        const bool kept = result.ok ? sql.releaseSavepoint() : sql.rollbackToSavepoint();
        if (!kept) {
            sql.rollback();
            return allFailed(sql, requests.size());
        }
        results.append(std::move(result));
    }
    if (!sql.commit()) // rolled back: none of it is durable, so none of it is acknowledged
        return allFailed(sql, requests.size());
    return results;
}

} // namespace dust::lite
