#pragma once

// Shared by the history suites (diff, restore, time travel): writes straight into a dustlite
// store, and the store's export as a map of leaves, so a test compares states leaf by leaf.

#include "StoreDb.h"
#include "StoreWrite.h"
#include "TestAwait.h"
#include "transport/HttpTransport.h"

#include <QFuture>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QString>

namespace dust::test {

// Leaf path → value, as the store's `/export` lists them.
using Leaves = QMap<QString, QJsonValue>;

inline Leaves exportLeaves(const lite::StoreDb &db)
{
    Leaves out;
    db.exportJsonl([&out](const QByteArray &line) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QLatin1String("_header")).toBool())
            return;
        out.insert(o.value(QLatin1String("path")).toString(), o.value(QLatin1String("value")));
    });
    return out;
}

// The leaves of `all` at or under `root` (all of them when `root` is empty).
inline Leaves leavesUnder(const Leaves &all, const QString &root)
{
    if (root.isEmpty())
        return all;
    Leaves out;
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        if (it.key() == root || it.key().startsWith(root + QLatin1Char('/')))
            out.insert(it.key(), it.value());
    }
    return out;
}

// Writes `op` of `value` at `rendered` as device "dev"; the store_seq it got (0 on failure).
inline qint64 writeOp(lite::StoreDb &db, Op op, const QString &rendered,
                      const QJsonValue &value = {})
{
    static int counter = 0;
    lite::WriteRequest request;
    request.op = op;
    request.path = path(rendered);
    request.value = value;
    request.deviceId = QStringLiteral("dev");
    request.clientOpId = QStringLiteral("op-%1").arg(++counter);
    const lite::WriteResult result = db.write(request);
    return result.ok ? result.storeSeq : 0;
}

inline qint64 set(lite::StoreDb &db, const QString &rendered, const QJsonValue &value)
{
    return writeOp(db, Op::Set, rendered, value);
}

inline qint64 del(lite::StoreDb &db, const QString &rendered)
{
    return writeOp(db, Op::Delete, rendered);
}

// dustlite's REST over real sockets, except that a diff from seq 0 of a compacted store is
// refused as the hosted server refuses a start before its op log (409 compacted,
// dust-protocol.md §4.7); dustlite answers it from its snapshot. With `refuseAnyFromZero`,
// every diff from seq 0 is refused (what is then known came from the audit log alone).
class HostedDiffTransport : public HttpTransport
{
public:
    HostedDiffTransport(const QUrl &baseUrl, const QString &token, const lite::StoreDb &db,
                        bool refuseAnyFromZero = false)
        : HttpTransport(baseUrl, token)
        , m_db(db)
        , m_refuseAnyFromZero(refuseAnyFromZero)
    {}

    QFuture<Result<QList<DiffChange>>> diff(const QString &store, qint64 fromSeq,
                                            qint64 toSeq) override
    {
        const qint64 earliest = m_db.latestSnapshotSeq();
        if (fromSeq < earliest || (m_refuseAnyFromZero && fromSeq == 0)) {
            Error e = Error::http(409, QStringLiteral("compacted"));
            e.setEarliestAvailable(earliest);
            return QtFuture::makeReadyFuture(Result<QList<DiffChange>>::failure(e));
        }
        return HttpTransport::diff(store, fromSeq, toSeq);
    }

private:
    const lite::StoreDb &m_db;
    bool m_refuseAnyFromZero = false;
};

} // namespace dust::test
