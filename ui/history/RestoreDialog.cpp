#include "history/RestoreDialog.h"

#include "history/DiffPanel.h"
#include "model/RestorePlan.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace dust {

RestoreDialog::RestoreDialog(const RestorePlan &plan, QWidget *parent)
    : QDialog(parent)
    , m_counts(new QLabel(this))
    , m_explanation(new QLabel(this))
    , m_panel(new DiffPanel(this))
    , m_restore(new QPushButton(tr("&Restore"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    const QString what = plan.node().isValid() ? plan.node().rendered() : tr("the whole store");
    setWindowTitle(tr("Restore %1 to seq %2").arg(what).arg(plan.targetSeq()));
    setAccessibleName(windowTitle());

    m_counts->setText(tr("Restoring %1 to how it was at seq %2 (now seq %3): %4.")
                          .arg(what)
                          .arg(plan.targetSeq())
                          .arg(plan.previewSeq())
                          .arg(plan.countsText()));
    m_counts->setWordWrap(true);
    m_counts->setAccessibleName(tr("What the restore changes"));

    QStringList words;
    words << tr("Restoring writes new operations; the history stays as it is, and the restore "
                "can be undone like any edit.");
    if (plan.method() == RestorePlan::Method::Batch)
        words << tr("It is written as one conditional batch: if anyone changes one of these "
                    "paths before you confirm, nothing is written and the path is named.");
    else
        words << tr("It is written by the server's rollback. Just before, the restore checks "
                    "that nothing under %1 changed since this preview; a write in the moment "
                    "between that check and the rollback would be replaced.")
                     .arg(what);
    if (!plan.node().isValid() && !plan.canRollBack())
        words << tr("This connection is REST only, and the server's store rollback is a "
                    "WebSocket event: the store is restored by the batch above, which takes at "
                    "most %1 changes.")
                     .arg(RestoreBatch::kMaxOps);
    words << tr("Counters and sets are written back as plain values (a number, a list), as the "
                "server's own rollback does.");
    if (!plan.canApply())
        words << plan.whyNot();
    m_explanation->setText(words.join(QLatin1Char(' ')));
    m_explanation->setWordWrap(true);
    m_explanation->setAccessibleName(tr("How the restore is written"));

    m_panel->setSideTitles(tr("Now (seq %1)").arg(plan.previewSeq()),
                           tr("Restored (as at seq %1)").arg(plan.targetSeq()));
    m_panel->setChanges(plan.changes());

    m_restore->setAccessibleName(tr("Restore"));
    m_restore->setAccessibleDescription(tr("Writes the changes listed above"));
    m_restore->setEnabled(plan.canApply());
    m_restore->setDefault(plan.canApply());
    m_cancel->setAccessibleName(tr("Cancel"));
    m_cancel->setAccessibleDescription(tr("Closes without writing anything"));
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_restore, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_cancel, QDialogButtonBox::RejectRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_counts);
    layout->addWidget(m_explanation);
    layout->addWidget(m_panel, 1);
    layout->addWidget(buttons);
    resize(900, 600);
}

QString RestoreDialog::countsText() const
{
    return m_counts->text();
}

QString RestoreDialog::explanationText() const
{
    return m_explanation->text();
}

} // namespace dust
