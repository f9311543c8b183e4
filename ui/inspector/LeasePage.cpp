#include "inspector/LeasePage.h"

#include <QFormLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace dust {

namespace {

// "1 h 02 min", "3 min 05 s", "42 s".
QString duration(qint64 ms)
{
    const qint64 seconds = (ms + 999) / 1000;
    const qint64 h = seconds / 3600;
    const qint64 m = (seconds % 3600) / 60;
    const qint64 s = seconds % 60;
    if (h > 0)
        return LeasePage::tr("%1 h %2 min").arg(h).arg(m, 2, 10, QLatin1Char('0'));
    if (m > 0)
        return LeasePage::tr("%1 min %2 s").arg(m).arg(s, 2, 10, QLatin1Char('0'));
    return LeasePage::tr("%1 s").arg(s);
}

} // namespace

LeasePage::LeasePage(QWidget *parent)
    : InspectorPage(parent)
    , m_holder(fieldLabel(this, tr("Holder")))
    , m_token(fieldLabel(this, tr("Token")))
    , m_expiresAt(fieldLabel(this, tr("Expires at")))
    , m_remaining(fieldLabel(this, tr("Time left")))
{
    setAccessibleName(tr("Lease value"));
    QFont big = m_remaining->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    m_remaining->setFont(big);
    m_remaining->setAccessibleDescription(tr("Counts down to the lease's expiry every second."));
    auto *form = new QFormLayout;
    form->addRow(tr("Holder:"), m_holder);
    form->addRow(tr("Token:"), m_token);
    form->addRow(tr("Expires at:"), m_expiresAt);
    form->addRow(tr("Time left:"), m_remaining);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1);
    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &LeasePage::tick);
}

void LeasePage::showEntry(const Entry &entry)
{
    const QJsonObject lease = entry.value.toObject();
    const QJsonValue holder = lease.value(QLatin1String("holder"));
    m_holder->setText(holder.isString() ? holder.toString() : tr("(none)"));
    const QJsonValue token = lease.value(QLatin1String("token"));
    m_token->setText(token.isDouble() ? QString::number(token.toInteger()) : tr("(none)"));
    const QJsonValue expires = lease.value(QLatin1String("expires_at"));
    m_expiry =
        expires.isDouble() ? QDateTime::fromMSecsSinceEpoch(expires.toInteger()) : QDateTime();
    m_expiresAt->setText(m_expiry.isValid()
                             ? QLocale().toString(m_expiry.toLocalTime(), QLocale::LongFormat)
                             : tr("(unknown)"));
    m_expiresAt->setToolTip(m_expiry.isValid() ? m_expiry.toUTC().toString(Qt::ISODateWithMs)
                                               : QString());
    tick();
    if (m_expiry.isValid())
        m_countdown.start();
    else
        m_countdown.stop();
}

bool LeasePage::isExpired() const
{
    return m_expiry.isValid() && QDateTime::currentDateTimeUtc() >= m_expiry;
}

void LeasePage::tick()
{
    if (!m_expiry.isValid()) {
        m_remaining->setText(tr("unknown: the lease has no expiry"));
        return;
    }
    const qint64 left = QDateTime::currentDateTimeUtc().msecsTo(m_expiry);
    if (left > 0) {
        m_remaining->setText(tr("expires in %1").arg(duration(left)));
    } else {
        m_remaining->setText(tr("expired %1 ago").arg(duration(-left)));
        // Nothing changes any more but the "ago"; keep counting so it stays true.
    }
}

QString LeasePage::remainingText() const
{
    return m_remaining->text();
}

QString LeasePage::valueText() const
{
    return tr("holder: %1\ntoken: %2\nexpires at: %3\n%4")
        .arg(m_holder->text(), m_token->text(),
             m_expiry.isValid() ? m_expiry.toUTC().toString(Qt::ISODateWithMs) : tr("(unknown)"),
             m_remaining->text());
}

} // namespace dust
