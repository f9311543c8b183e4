#pragma once

#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <optional>

namespace dust {

// One leaf a restore (or its undo or redo) writes: the value to put back, or nullopt to
// delete the leaf, and what the leaf must still be for the write to go ahead — the revision
// it had when the person saw it, or 0 for "absent".
struct RestoreStep
{
    Path path;
    std::optional<QJsonValue> value; // nullopt: delete
    qint64 expectRevision = 0;       // 0: the leaf must not exist
};

// Writes RestoreSteps as conditional REST `batch_write`s (dust-protocol.md §4.6) of at most
// 1,000 ops: deletes first, then sets in path order (as the server's own rollback does, so a
// set of a parent comes before its descendants). Each op whose leaf exists carries `if_match`
// with the step's revision, so a leaf someone changed since is refused by the server and the
// whole batch with it, the path named. Batches have no `if_absent`: a step that expects the
// leaf absent is read just before its batch is sent (`POST …/entries/batch`) and refused if
// the leaf is there — that read leaves a window of one round trip, the only one.
//
// One batch is atomic; more than one are not: a refusal or Cancel in a later batch leaves the
// earlier ones written, and the report says how many. A step with nothing to do (delete of a
// leaf expected absent) is skipped. `rest` must be a transport that can batch (HttpTransport).
class RestoreBatch : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype kMaxOps = 1000;

    RestoreBatch(Transport *rest, QString store, QList<RestoreStep> steps,
                 QObject *parent = nullptr);

    void start();
    // Stops before the next batch (a batch sent is not taken back).
    void cancel();

    // After finished(true): each step's revision now (the seq that wrote it, 0 when deleted),
    // in the order of steps() as given.
    const QList<RestoreStep> &steps() const { return m_steps; }
    const QList<qint64> &revisions() const { return m_revisions; }
    qint64 lastSeq() const { return m_lastSeq; }
    // The path a conflict named (empty when none).
    const QString &conflictPath() const { return m_conflictPath; }
    // How many ops were written before a failure (earlier batches).
    qint64 written() const { return m_written; }

signals:
    void progress(qint64 done, qint64 total, const QString &phase);
    void finished(bool ok, const QString &report);

private:
    void next();
    void check(qsizetype begin, qsizetype end);
    void write(qsizetype begin, qsizetype end);
    void fail(const QString &report);
    QString soFar() const;

    QPointer<Transport> m_rest;
    QString m_store;
    QList<RestoreStep> m_steps;
    QList<qsizetype> m_order; // indexes into m_steps, in write order, no-ops left out
    QList<qint64> m_revisions;
    qsizetype m_next = 0;
    qint64 m_written = 0;
    qint64 m_lastSeq = 0;
    QString m_conflictPath;
    bool m_running = false;
    bool m_cancelled = false;
};

} // namespace dust
