#include "history/DiffDialog.h"

#include "history/DiffPanel.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace dust {

namespace {

// "seq 12 (6 Dec 2026 10:14:02)", or "seq 12" without a time.
QString point(qint64 seq, const QString &time)
{
    const QString s = QObject::tr("seq %1").arg(seq);
    if (time.isEmpty())
        return s;
    const QDateTime at = QDateTime::fromString(time, Qt::ISODateWithMs);
    const QString shown =
        at.isValid() ? QLocale().toString(at.toLocalTime(), QLocale::ShortFormat) : time;
    return QObject::tr("%1 (%2)").arg(s, shown);
}

} // namespace

DiffDialog::DiffDialog(const QString &store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_header(new QLabel(this))
    , m_message(new QLabel(this))
    , m_fromEarliest(new QPushButton(this))
    , m_panel(new DiffPanel(this))
{
    setWindowTitle(tr("Diff of %1").arg(store));
    setAccessibleName(windowTitle());
    m_header->setAccessibleName(tr("Diff range"));
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setWordWrap(true);
    m_message->setAccessibleName(tr("Diff message"));
    m_message->setVisible(false);
    m_fromEarliest->setVisible(false);
    m_fromEarliest->setAccessibleDescription(
        tr("Reads the diff again from the earliest seq the server still has"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_fromEarliest, &QPushButton::clicked, this,
            [this] { emit diffRequested(m_earliest, m_to); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    auto *messageRow = new QHBoxLayout;
    messageRow->addWidget(m_message, 1);
    messageRow->addWidget(m_fromEarliest);
    layout->addLayout(messageRow);
    layout->addWidget(m_panel, 1);
    layout->addWidget(buttons);
    resize(900, 600);
}

void DiffDialog::showLoading(qint64 fromSeq, qint64 toSeq, const QString &fromTime,
                             const QString &toTime)
{
    m_from = fromSeq;
    m_to = toSeq;
    m_header->setText(tr("From %1 to %2").arg(point(fromSeq, fromTime), point(toSeq, toTime)));
    m_message->setText(tr("Reading the changes…"));
    m_message->setVisible(true);
    m_fromEarliest->setVisible(false);
    m_panel->setChanges({});
}

void DiffDialog::showChanges(const QList<DiffChange> &changes)
{
    m_message->setVisible(changes.isEmpty());
    m_message->setText(changes.isEmpty() ? tr("Nothing changed between these two points.")
                                         : QString());
    m_fromEarliest->setVisible(false);
    m_panel->setChanges(changes);
}

void DiffDialog::showCompacted(qint64 earliestAvailable)
{
    m_earliest = earliestAvailable;
    m_message->setText(
        tr("The server no longer keeps the operations before seq %1: the store's history was "
           "compacted into a snapshot there, so a diff can start at seq %1 at the earliest.")
            .arg(earliestAvailable));
    m_message->setVisible(true);
    m_fromEarliest->setText(tr("&Diff from %1").arg(earliestAvailable));
    m_fromEarliest->setAccessibleName(m_fromEarliest->text().remove(QLatin1Char('&')));
    m_fromEarliest->setVisible(true);
    m_fromEarliest->setFocus();
    m_panel->setChanges({});
}

void DiffDialog::showError(const QString &words)
{
    m_message->setText(words);
    m_message->setVisible(true);
    m_fromEarliest->setVisible(false);
}

QString DiffDialog::headerText() const
{
    return m_header->text();
}

QString DiffDialog::messageText() const
{
    return m_message->isVisible() ? m_message->text() : QString();
}

} // namespace dust
