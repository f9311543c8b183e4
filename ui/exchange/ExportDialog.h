#pragma once

#include "exchange/ExchangeFormat.h"
#include "exchange/ExportScope.h"
#include "protocol/Path.h"

#include <QDialog>
#include <QList>
#include <QPointer>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;

namespace dust {

class ExportJob;

// File ▸ Export… and the tree's Export…: what to export (the path, the selection or the
// whole store), the format (and what it loses), the target file; then the progress of the
// export the caller runs, Cancel, and the count and size or the error in words. Owns only its
// widgets: the caller makes the ExportJob on exportRequested() and hands it to follow().
class ExportDialog : public QDialog
{
    Q_OBJECT

public:
    // `selection`: the selected paths (empty: none; one: that path).
    ExportDialog(const QString &store, const QList<Path> &selection, QWidget *parent = nullptr);

    ExportScope scope() const;
    ExchangeFormat format() const;
    QString fileName() const;
    void setFormat(ExchangeFormat format);
    void setFileName(const QString &fileName);

    // Shows `job`'s progress and end; Cancel cancels it. The caller owns the job.
    void follow(ExportJob *job);

    // Closing the dialog (Escape, the title bar) while an export runs cancels it: its
    // progress and words would have nowhere to go.
    void reject() override;

signals:
    void exportRequested(const dust::ExportScope &scope, dust::ExchangeFormat format,
                         const QString &fileName);

private:
    void browse();
    void updateNote();
    void updateButtons();
    void requestExport();
    void onProgress(qint64 leaves, qint64 bytes, qint64 total);
    void onFinished(bool ok, const QString &words);
    void cancelOrClose();

    QList<Path> m_selection;
    QRadioButton *m_pathChoice = nullptr;
    QRadioButton *m_selectionChoice = nullptr;
    QRadioButton *m_wholeChoice = nullptr;
    QComboBox *m_format = nullptr;
    QLabel *m_note = nullptr;
    QLineEdit *m_file = nullptr;
    QPushButton *m_browse = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_cancel = nullptr;
    QPointer<ExportJob> m_job;
};

} // namespace dust
