#pragma once

#include "StoreWrite.h"

#include <QList>

namespace dust::lite {

class StoreSql;

// Several independent writes committed as one SQLite transaction: one COMMIT, so one fsync,
// for all of them (group commit). Each write runs inside its own savepoint, so a write that
// fails (invalid, a precondition, a lease, a statement SQLite refused) is undone alone and
// answered with the error it gets on its own, takes no seq, and the others still commit, at
// consecutive seqs in the order given. When the transaction as a whole fails (BEGIN, a
// savepoint SQLite lost, the COMMIT), nothing of the group is committed and every write gets
// the storage error. No locking and no events: StoreDb::writeGroupWith does both.
class GroupCommit
{
public:
    // The results of `requests` applied through `sql` (a writer, no transaction open) with
    // leases expiring by `nowMs`, one per request, in order.
    static QList<WriteResult> apply(StoreSql &sql, const QList<WriteRequest> &requests,
                                    qint64 nowMs);
};

} // namespace dust::lite
