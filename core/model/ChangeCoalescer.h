#pragma once

#include "sync/MirrorChangeBatch.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include <climits>
#include <deque>
#include <functional>
#include <vector>

namespace dust {

// Gathers the Mirror's change batches between flushes and hands them on in chunks, so a
// burst of events costs one tree update per frame instead of one per event. add() only
// queues the batch (it is shared, not copied); sorting the changes out is the flush's
// work. A flush takes changes from the oldest batch on (a big batch, e.g. a subtree
// delete, in parts), keeps the latest change of each path, and gives them to `apply` in
// chunks of at most chunkSize() changes (each path once per chunk). It runs once the
// interval has passed since the first change came in (default 16 ms, one frame), stops
// after the chunk that used up its time budget (default 10 ms) or at maxPerFlush() changes
// (default unlimited), and leaves the rest to the next interval.
//
// While held (setHeld) nothing is applied; changes keep being gathered, and the flushes
// resume once released. Lives on one thread; every call must be made there.
class ChangeCoalescer : public QObject
{
    Q_OBJECT
public:
    // Applies one chunk of changes (in no particular order).
    using Apply = std::function<void(std::vector<MirrorLeafChange> changes)>;
    static constexpr int chunkSize() { return 1024; }

    explicit ChangeCoalescer(Apply apply, QObject *parent = nullptr);

    // Queues the changes of `batch` (an empty batch is ignored).
    void add(const MirrorChangeBatch &batch);
    // Drops everything gathered and not applied yet.
    void clear();
    // Changes gathered and not applied yet (a path changed twice may count twice until a
    // flush looks at it).
    qsizetype pendingCount() const { return m_pending.size() + m_queuedChanges; }
    bool isEmpty() const { return m_pending.isEmpty() && m_queue.empty(); }
    // Applies everything gathered now, in as many chunks as it takes (unless held).
    void flushAll();

    void setHeld(bool held);
    bool isHeld() const { return m_held; }

    void setInterval(int ms);
    int interval() const { return m_timer.interval(); }
    void setBudget(int ms);
    int budget() const { return m_budgetMs; }
    void setMaxPerFlush(int changes);
    int maxPerFlush() const { return m_maxPerFlush; }
    // Flushes that ran so far (each one emitted flushed()).
    int flushCount() const { return m_flushCount; }

signals:
    // A flush applied `changes` changes and took `elapsedNs`.
    void flushed(int changes, qint64 elapsedNs);

private:
    void schedule();
    void onTimer();
    void flush(int maxChanges, qint64 budgetNs);
    // Moves at most `atMost` changes from the queued batches into m_pending.
    void drain(qsizetype atMost);

    Apply m_apply;
    std::deque<MirrorChangeBatch> m_queue;      // received, not looked at yet
    qsizetype m_queuedChanges = 0;              // changes in m_queue not taken yet
    qsizetype m_frontOffset = 0;                // changes of the front batch already taken
    QHash<QString, MirrorLeafChange> m_pending; // rendered path -> latest change
    QTimer m_timer;
    int m_maxPerFlush = INT_MAX;
    int m_budgetMs = 10;
    int m_flushCount = 0;
    bool m_held = false;
};

} // namespace dust
