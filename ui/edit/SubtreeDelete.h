#pragma once

#include "protocol/Entry.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

namespace dust {

class LeafDeleter;

// Deletes one subtree or a selection of nodes. No widgets. `transport` must support
// batchWrite (an HttpTransport).
//
// countLeaves() first lists every leaf at or under each selected node (a node under another
// selected node counts once) and emits counted(); the person confirms with that count
// (DeleteConfirmDialog); start() then deletes exactly those leaves. start() without a count
// counts first.
//
// Decision: not one `delete` of each node, which would also remove whatever someone wrote
// under it after the count was shown, but batches of conditional deletes, one per listed
// leaf with if_match its listed revision (LeafDeleter). A leaf that changed after it was
// shown is kept and named in the report; a leaf added meanwhile is not deleted; and the
// deleted leaves are exactly the values saved in deletedLeaves(), which is what an undo
// re-creates. Each batch of up to 1,000 is atomic; a selection of more leaves is deleted
// batch by batch (the report says how far it got if one fails). cancel() stops after the
// batch on the wire is answered.
class SubtreeDelete : public QObject
{
    Q_OBJECT
public:
    SubtreeDelete(Transport *transport, QString store, QList<Path> nodes,
                  QObject *parent = nullptr);
    ~SubtreeDelete() override;

    // Uses these leaves (e.g. from the mirror, with revisions) instead of listing.
    void setLeaves(QList<Entry> leaves);

    void countLeaves();
    void start();
    void cancel();

    // The selected nodes, without those under another selected node.
    const QList<Path> &nodes() const { return m_nodes; }
    bool isCounted() const { return m_counted; }
    const QList<Entry> &leaves() const { return m_leaves; }
    // What was deleted, with the values and revisions it had: what an undo re-creates.
    QList<Entry> deletedLeaves() const;
    // Leaves kept because they changed after they were counted.
    QList<Entry> changedLeaves() const;
    const QString &report() const { return m_report; }

signals:
    void counted(qint64 leaves);
    // Counting failed (nothing was deleted): the reason in words.
    void countFailed(const QString &reason);
    void progress(qint64 done, qint64 total, const QString &phase);
    void finished(bool ok, const QString &report);

private:
    void deleteCounted();
    void finish(bool ok, const QString &report);

    QPointer<Transport> m_transport;
    QString m_store;
    QList<Path> m_nodes;
    QList<Entry> m_leaves;
    bool m_counted = false;
    bool m_counting = false;
    bool m_startAfterCount = false;
    bool m_cancelRequested = false;
    bool m_done = false;
    LeafDeleter *m_deleter = nullptr;
    QString m_report;
};

} // namespace dust
