#pragma once

#include "protocol/Entry.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <array>
#include <memory>

namespace dust {

class ChangeLogModel;
class SdkTransport;
class Subscription;

// Follows one store of an SdkTransport (a `**` subscription: every change event of the
// store) and feeds a ChangeLogModel in batches: events are gathered and appended with one
// appendEvents() at most every flushInterval() (a lone event goes out on the next turn of
// the event loop), never one by one under a flood. It counts the events of the last second
// (ten 100 ms buckets) and says when it is coalescing: receiving more than
// coalescingThreshold() events per second, so the window shows them in batches.
//
// The transport and the model are not owned; the feed must not outlive the transport (it
// unsubscribes in its destructor). Everything runs on the GUI thread.
class ChangeFeed : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultFlushIntervalMs = 100;
    static constexpr double DefaultCoalescingThreshold = 200.0; // events per second

    ChangeFeed(SdkTransport *transport, const QString &store, ChangeLogModel *model,
               QObject *parent = nullptr);
    ~ChangeFeed() override;

    const QString &store() const { return m_store; }
    ChangeLogModel *model() const;
    // Empty once subscribed; otherwise why the store cannot be followed.
    const QString &errorString() const { return m_error; }

    // Events received in the last second (a sliding window of 100 ms steps).
    double eventsPerSecond() const { return m_reportedRate; }
    bool isCoalescing() const { return m_reportedCoalescing; }
    double coalescingThreshold() const { return m_threshold; }
    void setCoalescingThreshold(double eventsPerSecond);
    int flushInterval() const { return m_flushIntervalMs; }
    void setFlushInterval(int ms);

    // Events received since the feed started, and appendEvents() batches handed to the model.
    qint64 receivedCount() const { return m_received; }
    int batchCount() const { return m_batches; }

signals:
    // The rate changed: checked with each batch and every 250 ms while events arrive, and
    // once more when it falls to 0.
    void rateChanged(double eventsPerSecond, bool coalescing);
    // One batch of `count` events went to the model.
    void flushed(int count);
    // The events of that batch, in arrival order (emitted just before flushed()), for other
    // views that follow the store, such as the history pane.
    void eventsFlushed(const QList<dust::ChangeEvent> &events);
    // The store was reloaded (a snapshot or a long catch-up): the events in between are not
    // in the log.
    void eventsSkipped();

private:
    static constexpr int kBucketMs = 100;
    static constexpr int kBuckets = 10; // one second
    static constexpr int kRateTickMs = 250;

    void onEvent(const ChangeEvent &event);
    void flush();
    // Moves the window to `slot` (elapsed / kBucketMs), clearing the buckets it passed.
    void advanceTo(qint64 slot);
    void updateRate();

    QPointer<SdkTransport> m_transport;
    QString m_store;
    QPointer<ChangeLogModel> m_model;
    std::shared_ptr<Subscription> m_subscription;
    QString m_error;

    QList<ChangeEvent> m_pending;
    QTimer m_flushTimer;
    QElapsedTimer m_sinceFlush;
    int m_flushIntervalMs = DefaultFlushIntervalMs;

    QElapsedTimer m_clock;
    std::array<int, kBuckets> m_buckets{};
    qint64 m_slot = 0; // the slot of the newest bucket
    QTimer m_rateTimer;
    double m_threshold = DefaultCoalescingThreshold;
    double m_reportedRate = 0;
    bool m_reportedCoalescing = false;

    qint64 m_received = 0;
    int m_batches = 0;
};

} // namespace dust
