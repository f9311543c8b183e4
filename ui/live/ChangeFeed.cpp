#include "live/ChangeFeed.h"

#include "model/ChangeLogModel.h"
#include "transport/SdkTransport.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace dust {

ChangeFeed::ChangeFeed(SdkTransport *transport, const QString &store, ChangeLogModel *model,
                       QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(store)
    , m_model(model)
{
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &ChangeFeed::flush);
    m_rateTimer.setInterval(kRateTickMs);
    connect(&m_rateTimer, &QTimer::timeout, this, &ChangeFeed::updateRate);
    m_clock.start();
    m_sinceFlush.start();

    if (!transport) {
        m_error = tr("There is no live connection to follow.");
        return;
    }
    auto subscribed = transport->subscribe(store, QStringLiteral("**"));
    if (!subscribed) {
        m_error =
            tr("The changes of %1 cannot be followed: %2").arg(store, subscribed.error().message());
        return;
    }
    m_subscription = std::move(subscribed).value();
    connect(m_subscription.get(), &Subscription::changed, this, &ChangeFeed::onEvent);
    connect(m_subscription.get(), &Subscription::resyncRequired, this, &ChangeFeed::eventsSkipped);
}

ChangeFeed::~ChangeFeed()
{
    if (m_transport && m_subscription)
        m_transport->unsubscribe(m_subscription);
}

ChangeLogModel *ChangeFeed::model() const
{
    return m_model;
}

void ChangeFeed::setCoalescingThreshold(double eventsPerSecond)
{
    m_threshold = std::max(0.0, eventsPerSecond);
    updateRate();
}

void ChangeFeed::setFlushInterval(int ms)
{
    m_flushIntervalMs = std::max(1, ms);
}

void ChangeFeed::onEvent(const ChangeEvent &event)
{
    ++m_received;
    advanceTo(m_clock.elapsed() / kBucketMs);
    ++m_buckets[std::size_t(m_slot % kBuckets)];
    if (!m_rateTimer.isActive()) {
        m_rateTimer.start();
        updateRate();
    }

    m_pending.append(event);
    if (m_flushTimer.isActive())
        return;
    // A lone event goes out on the next turn of the event loop (with whatever else arrives
    // in this one); otherwise no sooner than the interval after the last batch.
    const qint64 wait = std::max<qint64>(0, m_flushIntervalMs - m_sinceFlush.elapsed());
    m_flushTimer.start(int(wait));
}

void ChangeFeed::flush()
{
    if (m_pending.isEmpty())
        return;
    const QList<ChangeEvent> batch = std::exchange(m_pending, {});
    m_sinceFlush.restart();
    ++m_batches;
    updateRate(); // the rate the batch arrived at, shown with it
    if (m_model)
        m_model->appendEvents(batch);
    emit eventsFlushed(batch);
    emit flushed(int(batch.size()));
}

void ChangeFeed::advanceTo(qint64 slot)
{
    if (slot <= m_slot)
        return;
    const qint64 passed = std::min<qint64>(slot - m_slot, kBuckets);
    for (qint64 i = 1; i <= passed; ++i)
        m_buckets[std::size_t((m_slot + i) % kBuckets)] = 0;
    m_slot = slot;
}

void ChangeFeed::updateRate()
{
    advanceTo(m_clock.elapsed() / kBucketMs);
    const int inWindow = std::accumulate(m_buckets.begin(), m_buckets.end(), 0);
    const double rate = double(inWindow); // the window is one second long
    const bool coalescing = rate > m_threshold;
    if (inWindow == 0)
        m_rateTimer.stop();
    if (rate == m_reportedRate && coalescing == m_reportedCoalescing)
        return;
    m_reportedRate = rate;
    m_reportedCoalescing = coalescing;
    emit rateChanged(rate, coalescing);
}

} // namespace dust
