#include "live/ConnectionStatus.h"

#include "protocol/Error.h"
#include "sync/MirrorChangeBatch.h"
#include "transport/SdkTransport.h"

#include <QAccessible>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>

#include <cmath>

namespace dust {

namespace {

constexpr int kTickMs = 250;
constexpr int kSeqRefreshMs = 250;
constexpr int kProgressSteps = 1000;

} // namespace

ConnectionStatus::ConnectionStatus(SdkTransport *transport, const QString &store, QWidget *parent)
    : QWidget(parent)
    , m_transport(transport)
    , m_store(store)
    , m_label(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_resume(new QPushButton(tr("Catch up"), this))
    , m_rate(new QLabel(this))
{
    setAccessibleName(tr("Connection status"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    layout->addWidget(m_resume);
    layout->addWidget(m_rate);

    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setRange(0, kProgressSteps);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(160);
    m_progress->setAccessibleName(tr("Catch-up progress"));
    m_progress->hide();
    m_cancel->setAccessibleName(tr("Cancel catching up"));
    m_cancel->setAccessibleDescription(tr("Stops downloading the store's changes and keeps "
                                          "showing what is already here."));
    m_cancel->setToolTip(m_cancel->accessibleDescription());
    m_cancel->hide();
    m_resume->setAccessibleName(tr("Resume catching up"));
    m_resume->setAccessibleDescription(tr("Joins the store again and catches up from the "
                                          "copy shown."));
    m_resume->setToolTip(m_resume->accessibleDescription());
    m_resume->hide();
    m_rate->setAccessibleName(tr("Events per second"));
    m_rate->setToolTip(tr("Changes received in the last second; while coalescing, the views "
                          "show them in batches"));
    m_rate->hide();
    connect(m_cancel, &QPushButton::clicked, this, &ConnectionStatus::cancel);
    connect(m_resume, &QPushButton::clicked, this, &ConnectionStatus::resume);

    m_tick.setInterval(kTickMs);
    connect(&m_tick, &QTimer::timeout, this, &ConnectionStatus::refresh);
    m_seqTimer.setSingleShot(true);
    m_seqTimer.setInterval(kSeqRefreshMs);
    connect(&m_seqTimer, &QTimer::timeout, this, &ConnectionStatus::refresh);

    if (transport) {
        connect(transport, &SdkTransport::connectionStateChanged, this,
                &ConnectionStatus::onConnectionState);
        connect(transport, &SdkTransport::reconnectScheduled, this,
                &ConnectionStatus::onReconnectScheduled);
        connect(transport, &SdkTransport::connectionError, this,
                &ConnectionStatus::onConnectionError);
        connect(transport, &SdkTransport::catchUpProgress, this, &ConnectionStatus::onProgress);
        connect(transport, &SdkTransport::storeChanged, this, &ConnectionStatus::onChanged);
        connect(transport, &SdkTransport::storeJoined, this,
                [this](const QString &joined, const sdk::StorePermissions &permissions) {
                    if (joined != m_store)
                        return;
                    m_readOnlyJoin = !permissions.write;
                    refresh();
                });
        connect(transport, &SdkTransport::storeLive, this, [this](const QString &live, qint64 seq) {
            if (live != m_store)
                return;
            m_seq = seq;
            m_wasLive = true;
            setPhase(Phase::Live);
        });
        connect(transport, &SdkTransport::storeError, this,
                [this](const QString &failed, const Error &error) {
                    if (failed != m_store)
                        return;
                    m_failure = error.message();
                    setPhase(Phase::Failed);
                });
        connect(transport, &SdkTransport::storeLoadedFromCache, this,
                [this](const QString &loaded, qint64 seq, const QDateTime &savedAt) {
                    if (loaded != m_store)
                        return;
                    m_hasCache = true;
                    m_cacheSavedAt = savedAt;
                    m_seq = seq;
                    refresh();
                });
        connect(transport, &SdkTransport::catchUpCancelled, this,
                [this](const QString &cancelled, qint64 lastSeq) {
                    if (cancelled != m_store)
                        return;
                    m_seq = lastSeq;
                    setPhase(Phase::Cancelled);
                });
        if (const auto permissions = transport->permissions(store))
            m_readOnlyJoin = !permissions->write;
        if (transport->isLive(store)) {
            m_wasLive = true;
            m_phase = Phase::Live;
        }
    }
    refresh();
}

ConnectionStatus::~ConnectionStatus() = default;

QString ConnectionStatus::text() const
{
    return m_label->text();
}

QString ConnectionStatus::rateText() const
{
    return m_rate->isHidden() ? QString() : m_rate->text();
}

void ConnectionStatus::setReadOnlyProfile(bool readOnly)
{
    m_readOnlyProfile = readOnly;
    refresh();
}

QString ConnectionStatus::ageText(qint64 seconds)
{
    seconds = std::max<qint64>(0, seconds);
    if (seconds < 60)
        return tr("%n s ago", nullptr, int(seconds));
    if (seconds < 3600)
        return tr("%n min ago", nullptr, int(seconds / 60));
    if (seconds < 48 * 3600)
        return tr("%n h ago", nullptr, int(seconds / 3600));
    return tr("%n days ago", nullptr, int(seconds / 86400));
}

void ConnectionStatus::showRate(double eventsPerSecond, bool coalescing)
{
    if (eventsPerSecond <= 0 && !coalescing) {
        m_rate->clear();
        m_rate->hide();
        return;
    }
    QString text = tr("%1 ev/s").arg(QLocale().toString(qRound64(eventsPerSecond)));
    if (coalescing)
        text += tr(" — coalescing");
    m_rate->setText(text);
    m_rate->show();
}

void ConnectionStatus::setPhase(Phase phase)
{
    m_phase = phase;
    if (phase != Phase::Reconnecting)
        m_reconnectAt = QDeadlineTimer();
    refresh();
}

void ConnectionStatus::onConnectionState(SdkConnectionState state)
{
    if (m_phase == Phase::Cancelled || m_phase == Phase::Failed)
        return; // the store is held (or refused) whatever the connection does
    switch (state) {
    case SdkConnectionState::Connecting:
        setPhase(Phase::Connecting);
        break;
    case SdkConnectionState::Disconnected:
        // reconnectScheduled() follows with the wait.
        setPhase(Phase::Reconnecting);
        break;
    case SdkConnectionState::Connected:
        break; // the join and its catch-up follow
    }
}

void ConnectionStatus::onReconnectScheduled(qint64 delayMs)
{
    if (m_phase == Phase::Cancelled || m_phase == Phase::Failed)
        return;
    m_phase = Phase::Reconnecting;
    m_reconnectAt = QDeadlineTimer(delayMs);
    refresh();
}

void ConnectionStatus::onConnectionError(const Error &error)
{
    const QString why = tr("Last connection error: %1").arg(error.message());
    m_label->setToolTip(why);
    m_label->setAccessibleDescription(why);
}

void ConnectionStatus::onProgress(const QString &store, qint64 received, qint64 expected)
{
    if (store != m_store || m_phase == Phase::Cancelled)
        return;
    m_received = received;
    m_expected = expected;
    m_progress->setValue(expected > 0 ? int(double(received) / double(expected) * kProgressSteps)
                                      : 0);
    if (m_phase != Phase::CatchingUp)
        setPhase(Phase::CatchingUp);
    else
        refresh();
}

void ConnectionStatus::onChanged(const QString &store, const MirrorChangeBatch &batch)
{
    if (store != m_store || batch.lastSeq() <= m_seq)
        return;
    m_seq = batch.lastSeq();
    // Under a flood the label follows a few times a second, not per batch.
    if (m_phase == Phase::Live && !m_seqTimer.isActive())
        m_seqTimer.start();
}

void ConnectionStatus::cancel()
{
    if (m_transport)
        m_transport->cancelCatchUp(m_store);
}

void ConnectionStatus::resume()
{
    if (!m_transport)
        return;
    setPhase(Phase::Connecting);
    m_transport->open(m_store);
}

bool ConnectionStatus::showsCachedCopy() const
{
    return m_hasCache && !m_wasLive &&
           (m_phase == Phase::Reconnecting || m_phase == Phase::Cancelled);
}

QString ConnectionStatus::composeText() const
{
    const QLocale locale;
    QString base;
    switch (m_phase) {
    case Phase::Connecting:
        base = tr("connecting…");
        break;
    case Phase::CatchingUp:
        base = tr("catching up %1 of %2 events")
                   .arg(locale.toString(m_received), locale.toString(m_expected));
        break;
    case Phase::Live:
        base = tr("live · seq %1").arg(m_seq);
        break;
    case Phase::Reconnecting: {
        const qint64 left =
            m_reconnectAt.isForever() ? 0 : (m_reconnectAt.remainingTime() + 999) / 1000;
        base = left > 0 ? tr("reconnecting in %n s", nullptr, int(left)) : tr("reconnecting…");
        break;
    }
    case Phase::Cancelled:
        base = tr("catch-up cancelled at seq %1").arg(m_seq);
        break;
    case Phase::Failed:
        base = tr("not readable: %1").arg(m_failure);
        break;
    }
    if (showsCachedCopy()) {
        const QString age = m_cacheSavedAt.isValid()
                                ? ageText(m_cacheSavedAt.secsTo(QDateTime::currentDateTime()))
                                : tr("an unknown time");
        base = tr("offline — showing the cached copy from %1").arg(age) + tr(" · ") + base;
    }
    if (isReadOnly())
        base += tr(" · read-only");
    return base;
}

void ConnectionStatus::refresh()
{
    const bool catchingUp = m_phase == Phase::CatchingUp;
    m_progress->setVisible(catchingUp);
    m_cancel->setVisible(catchingUp);
    m_resume->setVisible(m_phase == Phase::Cancelled);
    const bool ticking = m_phase == Phase::Reconnecting || showsCachedCopy();
    if (ticking && !m_tick.isActive())
        m_tick.start();
    else if (!ticking)
        m_tick.stop();

    const QString text = composeText();
    if (text == m_label->text())
        return;
    m_label->setText(text);
    // Announced: assistive technology reads the status when it changes (a label's accessible
    // name is its text).
    QAccessibleEvent event(m_label, QAccessible::NameChanged);
    QAccessible::updateAccessibility(&event);
    emit textChanged(text);
}

} // namespace dust
