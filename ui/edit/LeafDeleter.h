#pragma once

#include "protocol/Entry.h"
#include "protocol/Error.h"
#include "transport/Transport.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <optional>

namespace dust {

// Deletes a list of leaves, each on the condition that it still has the revision it was
// listed with, in `batch_write`s of at most 1,000 deletes (dust-protocol.md §4.6). The
// deletes go deepest path first, because a delete of a leaf removes its descendants too and
// a conditional delete of a leaf that is gone fails.
//
// A batch is all or nothing: when one of its leaves changed, the server refuses the whole
// batch naming the op, so that leaf is dropped (kept where it is, named in changed()) and the
// rest of the batch is sent again. A rate limit is waited out. Any other failure stops: the
// leaves of the batches already answered are gone, the others are all still there.
// cancel() stops after the batch in flight is answered (a request on the wire cannot be
// taken back). Used by SubtreeDelete and by SubtreeMove's delete phase.
class LeafDeleter : public QObject
{
    Q_OBJECT
public:
    LeafDeleter(Transport *transport, QString store, QList<Entry> leaves,
                QObject *parent = nullptr);

    void start();
    void cancel();

    qint64 total() const { return m_total; }
    const QList<Entry> &deleted() const { return m_deleted; }
    // Leaves that changed after they were listed and were therefore kept.
    const QList<Entry> &changed() const { return m_changed; }
    bool wasCancelled() const { return m_cancelled; }
    // The failure that stopped the deletes, if one did.
    const std::optional<Error> &error() const { return m_error; }

signals:
    void progress(qint64 done, qint64 total);
    // All batches answered (ok), or stopped by an error or cancel (not ok).
    void finished(bool ok);

private:
    void sendNext();
    void done(bool ok);

    QPointer<Transport> m_transport;
    QString m_store;
    QList<Entry> m_pending; // deepest first
    QList<Entry> m_batch;   // in flight
    QList<Entry> m_deleted;
    QList<Entry> m_changed;
    qint64 m_total = 0;
    bool m_cancelled = false;
    bool m_running = false;
    std::optional<Error> m_error;
};

} // namespace dust
