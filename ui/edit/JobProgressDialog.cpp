#include "edit/JobProgressDialog.h"

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace dust {

JobProgressDialog::JobProgressDialog(const QString &title, QWidget *parent)
    : QDialog(parent)
    , m_phase(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_report(new QLabel(this))
    , m_button(new QPushButton(tr("Cancel"), this))
{
    setWindowTitle(title);
    m_phase->setTextFormat(Qt::PlainText);
    m_phase->setAccessibleName(tr("Step"));
    m_bar->setRange(0, 0);
    m_bar->setAccessibleName(tr("Progress"));
    m_report->setTextFormat(Qt::PlainText);
    m_report->setWordWrap(true);
    m_report->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_report->setAccessibleName(tr("Outcome"));
    m_report->hide();
    m_button->setAccessibleName(tr("Cancel"));
    m_button->setAccessibleDescription(
        tr("Stops after the write in progress; nothing already copied is lost."));
    m_button->setDefault(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_phase);
    layout->addWidget(m_bar);
    layout->addWidget(m_report);
    layout->addWidget(m_button, 0, Qt::AlignRight);
    setMinimumWidth(420);
    connect(m_button, &QPushButton::clicked, this, &JobProgressDialog::reject);
}

QString JobProgressDialog::phaseText() const
{
    return m_phase->text();
}

QString JobProgressDialog::reportText() const
{
    return m_report->text();
}

void JobProgressDialog::showProgress(qint64 done, qint64 total, const QString &phase)
{
    if (m_finished)
        return;
    m_phase->setText(total > 0 ? tr("%1: %2 of %3").arg(phase).arg(done).arg(total) : phase);
    if (total <= 0) {
        m_bar->setRange(0, 0);
        return;
    }
    // QProgressBar counts in int: scale to per-mille for very large totals.
    m_bar->setRange(0, 1000);
    m_bar->setValue(int(std::clamp<qint64>(done * 1000 / total, 0, 1000)));
}

void JobProgressDialog::showFinished(bool ok, const QString &report)
{
    m_finished = true;
    m_ok = ok;
    m_bar->setRange(0, 1000);
    m_bar->setValue(ok ? 1000 : m_bar->value());
    m_phase->setText(ok ? tr("Done") : tr("Stopped"));
    m_report->setText(report);
    m_report->show();
    m_button->setText(tr("Close"));
    m_button->setAccessibleName(tr("Close"));
    m_button->setAccessibleDescription(QString());
    m_button->setEnabled(true);
    m_button->setFocus();
    // The wrapped report needs its lines' height: grow to fit it.
    QLayout *box = layout();
    box->activate();
    const int needed =
        box->hasHeightForWidth() ? box->totalHeightForWidth(width()) : sizeHint().height();
    resize(width(), std::max(height(), needed));
}

void JobProgressDialog::reject()
{
    if (m_finished) {
        QDialog::reject();
        return;
    }
    // Still running: ask the job to stop and wait for its report before closing.
    if (!m_cancelAsked) {
        m_cancelAsked = true;
        m_phase->setText(tr("Cancelling after the write in progress…"));
        m_button->setEnabled(false);
        emit cancelRequested();
    }
}

} // namespace dust
