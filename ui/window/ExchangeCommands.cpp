#include "window/ExchangeCommands.h"

#include "StoreTab.h"
#include "exchange/ExportDialog.h"
#include "exchange/ExportJob.h"
#include "exchange/ImportDialog.h"
#include "window/TabEditing.h"

#include <QCoreApplication>

namespace dust::exchangecommands {

void exportFrom(StoreTab *tab, QWidget *window)
{
    auto *dialog = new ExportDialog(tab->store(), tab->selectedPaths(), window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(
        dialog, &ExportDialog::exportRequested, tab,
        [tab, dialog](const ExportScope &scope, ExchangeFormat format, const QString &file) {
            auto *job = new ExportJob(tab->store(), scope, format, tab);
            job->setFileName(file);
            QObject::connect(job, &ExportJob::finished, job, &QObject::deleteLater);
            dialog->follow(job);
            job->start(tab->transport());
        });
    dialog->open();
}

void importInto(StoreTab *tab, QWidget *window)
{
    Transport *rest = tab->restTransport();
    if (!rest || !tab->editing() || !tab->editing()->canWrite())
        return;
    const QList<Path> selected = tab->selectedPaths();
    auto *dialog = new ImportDialog(rest, tab->store(),
                                    selected.size() == 1 ? selected.first() : Path(), window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dialog, &ImportDialog::imported, tab, [tab] { tab->catchUpAfterRest(); });
    dialog->open();
}

} // namespace dust::exchangecommands
