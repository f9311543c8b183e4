#pragma once

#include "protocol/Entry.h"
#include "protocol/Listing.h"
#include "protocol/Path.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <optional>

namespace dust::lite {

class StoreSql;

// The reads of one store over one connection: the store's writer (StoreDb's own reads, on
// its thread) or a read-only connection of a ReaderPool thread, which sees the committed
// state of its read transaction. Every REST read is one of these; none of them writes.
class StoreReader
{
public:
    explicit StoreReader(StoreSql &sql);

    const QString &fullName() const;
    qint64 currentSeq() const;

    // StoreDb::get, getLeaf, list, auditLog, diff, exportJsonl, fileContent.
    std::optional<Entry> get(const Path &path);
    std::optional<Entry> getLeaf(const Path &path);
    ListPage list(const ListQuery &query);
    QJsonObject auditLog(const AuditQuery &query);
    std::optional<QJsonObject> diff(qint64 fromSeq, qint64 toSeq, qint64 *earliestAvailable);
    void exportJsonl(const std::function<void(const QByteArray &line)> &line);
    std::optional<QByteArray> fileContent(const QString &hash, QString *contentType,
                                          QString *filename);

private:
    StoreSql &m_sql;
};

} // namespace dust::lite
