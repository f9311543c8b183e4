#pragma once

#include "model/DiffSource.h"
#include "model/RestoreBatch.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <optional>

namespace dust {

// One leaf of a restore: its value at the target seq (nullopt: it did not exist), its value
// when previewed (nullopt: absent now) with the revision it had, and after the restore the
// revision it was written at (0 when the restore deleted it).
struct RestoreLeaf
{
    Path path;
    std::optional<QJsonValue> restored;
    std::optional<QJsonValue> current;
    qint64 currentRevision = 0;
    qint64 restoredRevision = 0;
    // The op log no longer tells whether the leaf held null or did not exist at the target
    // (compacted): `restored` is nullopt and only the server's rollback can restore it.
    bool restoredUnknown = false;
};

// What "restore this version" of a node (a leaf, a subtree, or the whole store when `node` is
// invalid) to `targetSeq` will do, and doing it (no widgets).
//
// prepare(): reads the store's seq now (DiffSource::currentSeq), the diff from `targetSeq` to
// it restricted to the node, and the current leaves of those paths with their revisions
// (batch read); if the store moved between the two reads it starts over (three times at
// most). The result is leaves(): one per path that differs, with the value to put back.
// A leaf that held JSON null at the target is put back as null: DiffSource::diff() tells it
// from no leaf, which the wire cannot (dust-protocol.md §4.7). Where the op log no longer
// tells (compacted), the leaf is marked restoredUnknown and the restore takes the server's
// rollback, which knows.
//
// apply() writes it one of two ways (method()):
// - Batch: the leaves as one conditional REST `batch_write` (RestoreBatch) when they fit in
//   1,000 ops: `if_match` with the previewed revision on every leaf that exists now, a read
//   just before for the leaves that must be created again (batches have no `if_absent`). It
//   is atomic: a write by anyone to any of these leaves after the preview refuses the whole
//   restore, naming the path, and nothing is written.
// - Rollback: the protocol's `rollback` WebSocket event (§5.5) for more than 1,000 leaves or
//   when preferRollback is set: first a fresh diff from the preview's seq must show nothing
//   under the node (else it stops, naming the path), then the server rolls back; between
//   that check and the server's rollback a small window remains. A whole-store rollback is
//   not broadcast (§5.10): the caller catches up. Without a live (WebSocket) connection it
//   cannot be done; canApply() is false and whyNot() says so.
// Counters and sets are written back as their values by `set` (type integer / string), as
// the server's own rollback does. Rollback writes new forward ops; the history stays as it is.
class RestorePlan : public QObject
{
    Q_OBJECT
public:
    enum class Method { Batch, Rollback };

    RestorePlan(const DiffSource &source, Path node, qint64 targetSeq, QObject *parent = nullptr);

    // Use the server's rollback even when a batch would do (whole-store restores offered as
    // "Restore Store to Seq"; tests).
    void setPreferRollback(bool prefer) { m_preferRollback = prefer; }

    void prepare();
    void apply();
    // Stops a batch restore between batches (a rollback cannot be stopped once sent).
    void cancel();

    const Path &node() const { return m_node; }
    qint64 targetSeq() const { return m_targetSeq; }
    // The seq the preview was read at ("now" of the preview).
    qint64 previewSeq() const { return m_previewSeq; }
    bool isPrepared() const { return m_prepared; }
    const QList<RestoreLeaf> &leaves() const { return m_leaves; }
    // The preview as diff changes from now (before) to the restored state (after), for a
    // DiffModel: "added" rows are leaves restored, "removed" ones leaves the restore deletes.
    QList<DiffChange> changes() const;
    int changedCount() const;
    int addedBackCount() const;
    int removedCount() const;
    // Leaves whose value at the target the op log no longer tells (null or absent).
    int unknownCount() const;
    Method method() const;
    bool canApply() const { return whyNot().isEmpty(); }
    // Whether the server's rollback is at hand (a live WebSocket connection).
    bool canRollBack() const { return m_source.live() != nullptr; }
    QString whyNot() const;
    // "3 changed, 1 added back, 2 removed"
    QString countsText() const;
    // After finished(true): the seq of the restore's last write.
    qint64 appliedSeq() const { return m_appliedSeq; }
    const QString &conflictPath() const { return m_conflictPath; }

    // The steps that undo a restore of `leaves` (after it committed): every leaf back to its
    // previewed value, conditional on the revision the restore wrote (absent when it deleted).
    static QList<RestoreStep> undoSteps(const QList<RestoreLeaf> &leaves);

signals:
    void prepared();
    // `earliestAvailable` when the target is before the op log's start (compacted).
    void prepareFailed(const QString &words, std::optional<qint64> earliestAvailable);
    void progress(qint64 done, qint64 total, const QString &phase);
    void finished(bool ok, const QString &report);

private:
    void startPrepare(int attempt);
    void readLeaves(int attempt, qint64 now, QList<DiffChange> changes);
    void applyBatch();
    void applyRollback();
    void rollbackChecked();
    void readBack();
    void finish(bool ok, const QString &report);

    DiffSource m_source;
    Path m_node;
    qint64 m_targetSeq;
    bool m_preferRollback = false;
    bool m_prepared = false;
    bool m_applying = false;
    qint64 m_previewSeq = 0;
    QList<RestoreLeaf> m_leaves;
    qint64 m_appliedSeq = 0;
    QString m_conflictPath;
    QPointer<RestoreBatch> m_batch;
};

} // namespace dust
