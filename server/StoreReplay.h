#pragma once

#include "ReplayScope.h"
#include "ReplaySink.h"
#include "StoreWrite.h"
#include "protocol/Path.h"

#include <QJsonObject>

#include <optional>

namespace dust::lite {

class StoreSql;

// History from a store's latest snapshot and op log: the leaves as of an earlier seq, the
// rollback that restores them and the diff between two seqs. Only the subtrees that the ops
// in between touched are replayed.
class StoreReplay
{
public:
    explicit StoreReplay(StoreSql &sql);

    // StoreDb::rollback; leases expire by `nowMs`.
    WriteResult rollback(const std::optional<Path> &path, qint64 toSeq, qint64 nowMs,
                         QJsonObject *reply);
    // StoreDb::diff.
    std::optional<QJsonObject> diff(qint64 fromSeq, qint64 toSeq, qint64 *earliestAvailable);
    // The entries of a snapshot of the whole store as of `seq` (at or after the latest
    // snapshot), as the snapshot table keeps them: {"<path>":{"value":<stored>,"type":…}};
    // nullopt when the history cannot be read.
    std::optional<QByteArray> snapshotTextAt(qint64 seq);

private:
    // Rebuilds the leaves in scope as of `toSeq` (>= the latest snapshot) from the latest
    // snapshot and the op log; journals first touches of ops after `journalAfter`.
    bool replay(qint64 toSeq, ReplaySink &sink, const ReplayScope &scope, qint64 journalAfter);
    // The current leaves in scope.
    ReplaySink::State currentState(const ReplayScope &scope);
    WriteResult rollbackPath(const Path &path, qint64 toSeq, qint64 target, qint64 nowMs,
                             QJsonObject *reply);
    WriteResult rollbackStore(qint64 toSeq, qint64 target, qint64 nowMs, QJsonObject *reply);

    StoreSql &m_sql;
};

} // namespace dust::lite
