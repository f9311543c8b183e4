#pragma once

#include <QDialog>
#include <QString>

class QLabel;
class QPushButton;

namespace dust {

class DiffPanel;
class RestorePlan;

// The confirmation of a restore, showing exactly what it will change: the counts ("3
// changed, 1 added back, 2 removed"), the changes as a diff from now to the restored state
// (DiffPanel, sides "Now" and "Restored"), how it is written (one conditional batch, or the
// server's rollback with its small window), what becomes of counters and sets, and that
// restoring writes new operations while the history stays as it is. Restore (disabled with
// the reason when the plan cannot be applied) or Cancel. It owns only its widgets; the plan
// (prepared) is the caller's and is not written by the dialog.
class RestoreDialog : public QDialog
{
    Q_OBJECT
public:
    RestoreDialog(const RestorePlan &plan, QWidget *parent = nullptr);

    QString countsText() const;
    QString explanationText() const;
    DiffPanel *panel() const { return m_panel; }
    QPushButton *restoreButton() const { return m_restore; }
    QPushButton *cancelButton() const { return m_cancel; }

private:
    QLabel *m_counts;
    QLabel *m_explanation;
    DiffPanel *m_panel;
    QPushButton *m_restore;
    QPushButton *m_cancel;
};

} // namespace dust
