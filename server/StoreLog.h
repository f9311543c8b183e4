#pragma once

#include "StoreDb.h"
#include "protocol/Entry.h"

#include <QJsonObject>
#include <QList>

namespace dust::lite {

class StoreSql;

// Reads of a store's op log: the events catch-up sends (parsed, or written straight from
// the stored text) and the audit log.
class StoreLog
{
public:
    explicit StoreLog(StoreSql &sql);

    // StoreDb::eventsSince.
    QList<ChangeEvent> eventsSince(qint64 afterSeq, int limit);
    // StoreDb::eventPayloadsSince.
    QList<StoreDb::EventPayload> eventPayloadsSince(qint64 afterSeq, int limit);
    // StoreDb::auditLog.
    QJsonObject auditLog(const AuditQuery &query);

private:
    StoreSql &m_sql;
};

} // namespace dust::lite
