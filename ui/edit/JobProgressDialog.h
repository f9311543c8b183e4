#pragma once

#include <QDialog>
#include <QString>

class QLabel;
class QProgressBar;
class QPushButton;

namespace dust {

// Shows a running structure job (SubtreeMove, SubtreeDelete, or a StructureCommand's undo):
// its phase, a progress bar (busy while the total is unknown), a Cancel button (Escape) that
// asks the job to stop, and at the end the job's report in words with Close. It owns only
// its widgets; follow() connects it to a job the caller owns:
//
//     auto *job = new SubtreeMove(http, store, from, to, tab);
//     auto *dialog = new JobProgressDialog(tr("Moving"), tab);
//     dialog->follow(job);
//     job->start();
//     dialog->open();
class JobProgressDialog : public QDialog
{
    Q_OBJECT
public:
    explicit JobProgressDialog(const QString &title, QWidget *parent = nullptr);

    // Any QObject with progress(qint64, qint64, const QString &) and finished(bool, const
    // QString &) signals, and a cancel() slot or method.
    template <typename Job> void follow(Job *job)
    {
        connect(job, &Job::progress, this, &JobProgressDialog::showProgress);
        connect(job, &Job::finished, this, &JobProgressDialog::showFinished);
        connect(this, &JobProgressDialog::cancelRequested, job, [job] { job->cancel(); });
    }

    bool isFinished() const { return m_finished; }
    bool succeeded() const { return m_ok; }
    QString phaseText() const;
    QString reportText() const;

    void showProgress(qint64 done, qint64 total, const QString &phase);
    void showFinished(bool ok, const QString &report);

signals:
    void cancelRequested();

protected:
    void reject() override;

private:
    QLabel *m_phase;
    QProgressBar *m_bar;
    QLabel *m_report;
    QPushButton *m_button;
    bool m_finished = false;
    bool m_ok = false;
    bool m_cancelAsked = false;
};

} // namespace dust
