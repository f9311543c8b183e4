#include "history/HistoryFilterBar.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>

namespace dust {

HistoryFilterBar::HistoryFilterBar(QWidget *parent)
    : QWidget(parent)
{
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(2);

    auto *opLabel = new QLabel(tr("&Op:"), this);
    m_op = new QComboBox(this);
    m_op->addItem(tr("Any op"), QString());
    for (const char *op : {"set", "delete", "merge", "increment", "add", "remove", "put_file",
                           "lease", "renew", "release"})
        m_op->addItem(QString::fromLatin1(op), QString::fromLatin1(op));
    m_op->setAccessibleName(tr("Op filter"));
    m_op->setAccessibleDescription(tr("Shows only the ops of this kind"));
    opLabel->setBuddy(m_op);

    auto *deviceLabel = new QLabel(tr("De&vice:"), this);
    m_device = new QLineEdit(this);
    m_device->setPlaceholderText(tr("any device"));
    m_device->setClearButtonEnabled(true);
    m_device->setAccessibleName(tr("Device filter"));
    m_device->setAccessibleDescription(
        tr("Shows only the ops of this device id, exactly as the history names it (e.g. "
           "http:… for REST writes). Press Enter to apply."));
    deviceLabel->setBuddy(m_device);

    auto *sinceLabel = new QLabel(tr("S&ince:"), this);
    m_since = new QLineEdit(this);
    m_since->setPlaceholderText(tr("e.g. 1h, 2d or 2026-12-01T09:00"));
    m_since->setClearButtonEnabled(true);
    m_since->setAccessibleName(tr("Since"));
    m_since->setAccessibleDescription(
        tr("Shows only the ops from this time on: an ISO-8601 time or date, or a span back "
           "from now such as 30m, 1h, 2d or 1w. Press Enter to apply."));
    sinceLabel->setBuddy(m_since);

    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setAccessibleName(tr("Since problem"));
    QPalette red = m_problem->palette();
    red.setColor(QPalette::WindowText, QColor(0xc0, 0x10, 0x20));
    m_problem->setPalette(red);
    m_problem->hide();

    grid->addWidget(opLabel, 0, 0);
    grid->addWidget(m_op, 0, 1);
    grid->addWidget(deviceLabel, 0, 2);
    grid->addWidget(m_device, 0, 3);
    grid->addWidget(sinceLabel, 0, 4);
    grid->addWidget(m_since, 0, 5);
    grid->setColumnStretch(3, 2);
    grid->setColumnStretch(5, 1);
    grid->addWidget(m_problem, 1, 0, 1, 6);
    setTabOrder(m_op, m_device);
    setTabOrder(m_device, m_since);

    connect(m_op, &QComboBox::currentIndexChanged, this, &HistoryFilterBar::apply);
    connect(m_device, &QLineEdit::editingFinished, this, &HistoryFilterBar::apply);
    connect(m_since, &QLineEdit::editingFinished, this, &HistoryFilterBar::apply);
}

QString HistoryFilterBar::problem() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void HistoryFilterBar::apply()
{
    const auto since = parseSince(m_since->text(), QDateTime::currentDateTime());
    if (!since) {
        m_problem->setText(tr("“%1” is not a time: use ISO-8601 (2026-12-01T09:00) or a span "
                              "such as 30m, 1h, 2d, 1w.")
                               .arg(m_since->text().trimmed()));
        m_problem->show();
        return;
    }
    m_problem->clear();
    m_problem->hide();
    HistoryModel::Filter next;
    next.op = m_op->currentData().toString();
    next.deviceId = m_device->text().trimmed();
    next.since = since->isValid() ? since->toUTC() : QDateTime();
    if (next == m_filter)
        return;
    m_filter = next;
    emit filterChanged(m_filter);
}

std::optional<QDateTime> HistoryFilterBar::parseSince(QStringView text, const QDateTime &now)
{
    const QString trimmed = text.trimmed().toString();
    if (trimmed.isEmpty())
        return QDateTime();
    static const QRegularExpression span(QStringLiteral("^(\\d{1,6})\\s*([smhdw])$"),
                                         QRegularExpression::CaseInsensitiveOption);
    if (const auto match = span.match(trimmed); match.hasMatch()) {
        const qint64 n = match.captured(1).toLongLong();
        switch (match.captured(2).toLower().at(0).unicode()) {
        case 's':
            return now.addSecs(-n);
        case 'm':
            return now.addSecs(-n * 60);
        case 'h':
            return now.addSecs(-n * 3600);
        case 'd':
            return now.addDays(-n);
        case 'w':
            return now.addDays(-7 * n);
        default:
            break;
        }
    }
    QDateTime at = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    if (!at.isValid())
        at = QDateTime::fromString(trimmed, Qt::ISODate);
    if (at.isValid())
        return at;
    const QDate day = QDate::fromString(trimmed, Qt::ISODate);
    if (day.isValid())
        return day.startOfDay();
    return std::nullopt;
}

} // namespace dust
