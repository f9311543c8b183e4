#pragma once

#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QPointer>
#include <QString>

#include <functional>

namespace dust {

// Where a store's history is read for a diff, a restore or time travel: `rest` answers the
// diff (`GET …/diff`, a REST route) and batch reads; `live`, when the store has a WebSocket
// session (SdkTransport), answers the store's seq (`status`, §5.5) and rollbacks. Either may
// be the same transport. Not owned (tracked with QPointer); a copyable value.
class DiffSource
{
public:
    DiffSource() = default;
    DiffSource(Transport *rest, Transport *live, QString store);

    Transport *rest() const { return m_rest; }
    Transport *live() const { return m_live; }
    const QString &store() const { return m_store; }

    // The store's seq now: the live session's `status`, else over REST the newest op of the
    // audit log (`GET …/log?limit=1`; REST has no status). An empty log (a new store, or a
    // compaction with no op since) fails with NotSupported in words.
    void currentSeq(QObject *context, std::function<void(const Result<qint64> &)> done) const;
    // The changes from `fromSeq` to `toSeq`, only those at or under `node` (all when `node`
    // is invalid), in path order. A side the wire gave as null is told apart with the audit
    // log (NullSideResolver): Undefined for no leaf, null for a leaf holding null, Undefined
    // with the side's `…Unknown` flag when the log no longer tells. A compacted start fails
    // with the server's error, whose earliestAvailable() says where the op log starts.
    void diff(qint64 fromSeq, qint64 toSeq, const Path &node, QObject *context,
              std::function<void(const Result<QList<DiffChange>> &)> done) const;
    // Whether the rendered leaf path `leaf` is `node` or under it (invalid node: everything).
    static bool inScope(const Path &node, const QString &leaf);

private:
    QPointer<Transport> m_rest;
    QPointer<Transport> m_live;
    QString m_store;
};

} // namespace dust
