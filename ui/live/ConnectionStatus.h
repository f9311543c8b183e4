#pragma once

#include "transport/SdkOptions.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace dust {

class Error;
class MirrorChangeBatch;
class SdkTransport;

// The status-bar widget for one store of an SdkTransport: what the connection is doing, in
// words, with the events per second a ChangeFeed reports (showRate()).
//
//   connecting…
//   catching up 12,345 of 1,000,000 events      [progress bar] [Cancel]
//   live · seq 4711
//   reconnecting in 3 s                         (counts down)
//   offline — showing the cached copy from 3 min ago · reconnecting in 3 s
//   offline — showing the cached copy from 3 min ago · catch-up cancelled   [Catch up]
//   … · read-only                               (the join reply or the profile says so)
//   1,234 ev/s — coalescing                     (a second label)
//
// Cancel stops the catch-up (SdkTransport::cancelCatchUp()) and keeps what is shown; Catch up
// resumes it (SdkTransport::open()). The state label's changes are announced to assistive
// technology (a NameChanged accessibility event); the last connection error is its tooltip
// and accessible description. Owns only its widgets; the transport is not owned.
class ConnectionStatus : public QWidget
{
    Q_OBJECT
public:
    enum class Phase { Connecting, CatchingUp, Live, Reconnecting, Cancelled, Failed };
    Q_ENUM(Phase)

    ConnectionStatus(SdkTransport *transport, const QString &store, QWidget *parent = nullptr);
    ~ConnectionStatus() override;

    const QString &store() const { return m_store; }
    Phase phase() const { return m_phase; }
    // The state as the label shows it.
    QString text() const;
    // "1,234 ev/s — coalescing"; empty while no events arrive.
    QString rateText() const;
    // The join reply (permissions.write = false) or the profile says the store is read-only.
    bool isReadOnly() const { return m_readOnlyJoin || m_readOnlyProfile; }
    // The profile opens the store read-only, whatever the token may do.
    void setReadOnlyProfile(bool readOnly);

    QProgressBar *progressBar() const { return m_progress; }
    // Shown while catching up.
    QPushButton *cancelButton() const { return m_cancel; }
    // Shown after a cancel.
    QPushButton *resumeButton() const { return m_resume; }

    // "42 s ago", "3 min ago", "5 h ago", "4 days ago".
    static QString ageText(qint64 seconds);

public slots:
    // From ChangeFeed::rateChanged().
    void showRate(double eventsPerSecond, bool coalescing);

signals:
    // The state text changed (each change, once).
    void textChanged(const QString &text);

private:
    void setPhase(Phase phase);
    void onConnectionState(SdkConnectionState state);
    void onReconnectScheduled(qint64 delayMs);
    void onProgress(const QString &store, qint64 received, qint64 expected);
    void onChanged(const QString &store, const MirrorChangeBatch &batch);
    void onConnectionError(const Error &error);
    void cancel();
    void resume();
    void refresh();
    QString composeText() const;
    bool showsCachedCopy() const;

    QPointer<SdkTransport> m_transport;
    QString m_store;
    Phase m_phase = Phase::Connecting;

    qint64 m_seq = 0;
    bool m_wasLive = false;
    qint64 m_received = 0;
    qint64 m_expected = 0;
    QDeadlineTimer m_reconnectAt;
    bool m_hasCache = false;
    QDateTime m_cacheSavedAt;
    bool m_readOnlyJoin = false;
    bool m_readOnlyProfile = false;
    QString m_failure; // why the store cannot be read (Failed)

    QLabel *m_label;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QPushButton *m_resume;
    QLabel *m_rate;
    QTimer m_tick;     // countdown and cache age, while shown
    QTimer m_seqTimer; // a new seq is shown at most this often
};

} // namespace dust
