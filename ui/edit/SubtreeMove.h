#pragma once

#include "protocol/Entry.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <optional>

namespace dust {

class LeafDeleter;

// Moves (renames) the subtree at `from` to `to`: every leaf at or under `from` is set at the
// same place under `to` and deleted at `from`. No widgets; progress and the outcome in words
// come as signals. `transport` must support batchWrite (an HttpTransport: batch_write is
// REST only, dust-protocol.md §4.6).
//
// Refused before anything is written, with the reason: `to` inside `from` (or equal), `to`
// already existing (a move never overwrites), nothing at `from`, and leaves whose type a
// plain `set` cannot re-create (setKeepsType): a counter's number would become an integer, a
// set's array a string, an imported "decimal" a string, and a lease held under the old path
// would stop guarding anything — moving them "as values" would silently change what they
// are, so the report lists them and the person decides (files and other envelopes move
// unchanged).
//
// Up to 500 leaves (1,000 ops) the move is ONE atomic batch_write: the sets at the new
// paths, then a delete of every source leaf with if_match its listed revision. If any source
// changed after it was listed, the server refuses the whole batch: nothing moves, nothing is
// deleted, and the report names the path.
//
// More leaves cannot be one batch (the server's limit), so the move is copy, verify, delete:
//   1. copy in batches of 1,000 sets (no precondition exists for a new path in a batch);
//   2. read every copy back (listing `to`) and compare value and type with its source;
//   3. only then delete the sources, in batches, each delete on the source's revision
//      (LeafDeleter): a source changed during the move keeps its place and is named.
// A failure or cancel() before step 3 deletes nothing: every source stays, the copies made
// may remain under `to` and the report says so. A failure during step 3 leaves the sources
// not yet deleted in place; each deleted one had its copy verified first.
//
// Caveat of the protocol: a delete removes a leaf's descendants too, so a leaf someone adds
// under a moved leaf path during a move goes with it.
class SubtreeMove : public QObject
{
    Q_OBJECT
public:
    enum class Phase { Idle, Listing, Checking, Moving, Copying, Verifying, Deleting, Done };

    // At most this many leaves move in one atomic batch (two ops each).
    static constexpr int kMaxAtomicLeaves = 500;

    SubtreeMove(Transport *transport, QString store, Path from, Path to, QObject *parent = nullptr);
    ~SubtreeMove() override;

    // The leaves under `from` as the caller knows them (e.g. from the mirror), with their
    // revisions: no listing is made. Call before start().
    void setLeaves(QList<Entry> leaves);
    // Splitting point between the atomic batch and copy-verify-delete (tests use a small one).
    void setMaxAtomicLeaves(int leaves) { m_maxAtomic = leaves; }

    // With this on, a move too big for one atomic batch stops before its first write and
    // emits needsConfirmation() saying so; proceed() goes on, cancel() ends it with nothing
    // written. Off by default.
    void setConfirmNonAtomic(bool on) { m_confirmNonAtomic = on; }

    void start();
    // After needsConfirmation(): copy, verify, delete.
    void proceed();
    // Stops at the next step; the batch on the wire is answered first.
    void cancel();

    const Path &from() const { return m_from; }
    const Path &to() const { return m_to; }
    Phase phase() const { return m_phase; }
    bool isRunning() const { return m_phase != Phase::Idle && m_phase != Phase::Done; }
    // The source leaves as listed.
    const QList<Entry> &sources() const { return m_sources; }
    // The leaves now at `to` that this move wrote, with the revisions they got.
    const QList<Entry> &movedLeaves() const { return m_copies; }
    // Source leaves kept because they changed during the move.
    const QList<Entry> &changedSources() const { return m_changed; }
    const QString &report() const { return m_report; }

    // Whether a plain `set` of the leaf's value gives back its type (dust-protocol.md §3.3):
    // not for counters, sets, leases and imported types such as "decimal".
    static bool setKeepsType(const Entry &leaf);
    // Where `source` (at or under `from`) goes under `to`.
    static Path destination(const Path &from, const Path &to, const Path &source);

signals:
    // The move of `leaves` leaves cannot be one atomic write: `text` says so and how it will
    // be done instead, for a question to the person (see setConfirmNonAtomic).
    void needsConfirmation(qint64 leaves, const QString &text);
    void progress(qint64 done, qint64 total, const QString &phase);
    void finished(bool ok, const QString &report);

private:
    void setPhase(Phase phase, qint64 done, qint64 total);
    void listed(QList<Entry> leaves);
    void checkDestination();
    void moveAtomically();
    void copyNext();
    void verify();
    void deleteSources();
    void sendBatch(const QList<BatchOp> &ops,
                   std::function<void(const Result<BatchWriteResult> &)> done);
    void finish(bool ok, const QString &report);
    QString stoppedWhileCopying(const QString &why) const;
    QString phaseName() const;

    QPointer<Transport> m_transport;
    QString m_store;
    Path m_from;
    Path m_to;
    std::optional<QList<Entry>> m_given;
    int m_maxAtomic = kMaxAtomicLeaves;
    Phase m_phase = Phase::Idle;
    bool m_cancelRequested = false;
    bool m_confirmNonAtomic = false;
    bool m_waitingForConfirmation = false;
    QList<Entry> m_sources; // path order
    QList<Entry> m_copies;
    QList<Entry> m_changed;
    qsizetype m_copied = 0; // sources whose copy batch was answered
    LeafDeleter *m_deleter = nullptr;
    QString m_report;
};

} // namespace dust
