#pragma once

#include "exchange/ImportPlan.h"

#include <QObject>
#include <QPointer>
#include <QString>

namespace dust {

class Transport;

// Writes an ImportPlan to a store over REST, in steps of at most 1,000 leaves, in this order:
// the removals (replace mode), then the writes in path order (so a leaf that is also a
// folder is written before what lies under it).
//
// - Plain leaves (a type a `set` of the value gives anyway) go in atomic `batch_write`s
//   (dust-protocol.md §4.6): a changed leaf with `if_match` = its previewed revision, a
//   removal as a `delete` with `if_match`. Batches have no `if_absent`, so the leaves a batch
//   creates are first read back (`POST …/entries/batch`); one that exists now stops the
//   import as a conflict (a write between that read and the batch is not caught).
// - Typed leaves (counter, set, file, lease, an array typed "list", any type a `set` would
//   not give) go through `POST …/import` (§4.7), which keeps each line's type: the typed ops
//   would not (an increment adds to what is there, add/remove reorder, put_file needs the
//   bytes, a lease takes a new token and expiry). Import has no preconditions, so the step's
//   leaves are read back first and must still be missing or at their previewed revision.
//
// A conflict stops the import and names the path; what earlier steps wrote stays. cancel()
// stops between steps. finished() comes once, with the outcome in words.
class ImportJob : public QObject
{
    Q_OBJECT

public:
    static constexpr int kMaxStep = 1000;

    ImportJob(Transport *transport, QString store, ImportPlan plan, QObject *parent = nullptr);
    ~ImportJob() override;

    void start();
    // Stops before the next step (the step on its way completes).
    void cancel();
    bool isRunning() const { return m_running; }

    qint64 total() const { return m_total; }
    qint64 written() const { return m_written; }
    // The path of the conflict that stopped the import, empty otherwise.
    const QString &conflictPath() const { return m_conflictPath; }

signals:
    void progress(qint64 written, qint64 total);
    void finished(bool ok, const QString &words);

private:
    struct Step
    {
        enum class Kind { Remove, Batch, Import } kind = Kind::Batch;
        QList<PlannedLeaf> leaves;
    };
    void runNext();
    void checkThenWrite(qsizetype index);
    void write(qsizetype index);
    void stepDone(qsizetype count);
    void fail(const QString &words);
    void conflict(const QString &path, const QString &why);

    QPointer<Transport> m_transport;
    QString m_store;
    ImportPlan m_plan;
    QList<Step> m_steps;
    qsizetype m_next = 0;
    qint64 m_total = 0;
    qint64 m_written = 0;
    bool m_running = false;
    bool m_cancelled = false;
    QString m_conflictPath;
    QString m_summary; // the plan's, for the words at the end
};

} // namespace dust
