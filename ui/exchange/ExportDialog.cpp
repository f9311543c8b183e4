#include "exchange/ExportDialog.h"

#include "exchange/ExportJob.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace dust {

ExportDialog::ExportDialog(const QString &store, const QList<Path> &selection, QWidget *parent)
    : QDialog(parent)
    , m_selection(selection)
{
    setWindowTitle(tr("Export from %1").arg(store));

    auto *what = new QVBoxLayout;
    auto *group = new QButtonGroup(this);
    if (selection.size() == 1) {
        m_pathChoice = new QRadioButton(
            tr("&Path %1 and what lies below it").arg(selection.first().rendered()), this);
        m_pathChoice->setAccessibleName(tr("Export the selected path"));
        what->addWidget(m_pathChoice);
        group->addButton(m_pathChoice);
    } else if (selection.size() > 1) {
        m_selectionChoice =
            new QRadioButton(tr("The &selection (%n paths)", nullptr, int(selection.size())), this);
        m_selectionChoice->setAccessibleName(tr("Export the selected paths"));
        what->addWidget(m_selectionChoice);
        group->addButton(m_selectionChoice);
    }
    m_wholeChoice = new QRadioButton(tr("The &whole store"), this);
    m_wholeChoice->setAccessibleName(tr("Export the whole store"));
    what->addWidget(m_wholeChoice);
    group->addButton(m_wholeChoice);
    (m_pathChoice        ? m_pathChoice
     : m_selectionChoice ? m_selectionChoice
                         : m_wholeChoice)
        ->setChecked(true);

    m_format = new QComboBox(this);
    m_format->addItem(tr("Nested JSON (as GET returns it)"), int(ExchangeFormat::Nested));
    m_format->addItem(tr("NDJSON (the server's export format)"), int(ExchangeFormat::Ndjson));
    m_format->addItem(tr("Flat JSON ({\"path\": value})"), int(ExchangeFormat::Flat));
    m_format->addItem(tr("CSV (path, type, revision, value)"), int(ExchangeFormat::Csv));
    m_format->setCurrentIndex(1);
    m_format->setAccessibleName(tr("Format"));
    m_format->setAccessibleDescription(tr("The file format; the note below says what it loses"));

    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setAccessibleName(tr("What the format keeps"));

    m_file = new QLineEdit(this);
    m_file->setAccessibleName(tr("Target file"));
    m_file->setAccessibleDescription(tr("The file is replaced only when the export succeeds"));
    m_browse = new QPushButton(tr("&Browse\u2026"), this);
    m_browse->setAccessibleName(tr("Choose the target file"));
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(m_browse);

    m_progress = new QProgressBar(this);
    m_progress->setAccessibleName(tr("Export progress"));
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setAccessibleName(tr("Export status"));

    m_buttons = new QDialogButtonBox(this);
    m_export = m_buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_export->setAccessibleName(tr("Start the export"));
    m_export->setDefault(true);
    m_cancel = m_buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setAccessibleName(tr("Cancel the export or close"));

    auto *form = new QFormLayout;
    form->addRow(tr("What:"), what);
    auto *formatLabel = new QLabel(tr("&Format:"), this);
    formatLabel->setBuddy(m_format);
    form->addRow(formatLabel, m_format);
    form->addRow(QString(), m_note);
    auto *fileLabel = new QLabel(tr("&Target file:"), this);
    fileLabel->setBuddy(m_file);
    form->addRow(fileLabel, fileRow);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    setTabOrder(m_format, m_file);
    setTabOrder(m_file, m_browse);

    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::updateNote);
    connect(m_file, &QLineEdit::textChanged, this, &ExportDialog::updateButtons);
    connect(m_browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_export, &QPushButton::clicked, this, &ExportDialog::requestExport);
    connect(m_cancel, &QPushButton::clicked, this, &ExportDialog::cancelOrClose);
    updateNote();
    updateButtons();
}

ExportScope ExportDialog::scope() const
{
    if (m_wholeChoice->isChecked())
        return ExportScope();
    return ExportScope(m_selection);
}

ExchangeFormat ExportDialog::format() const
{
    return ExchangeFormat(m_format->currentData().toInt());
}

QString ExportDialog::fileName() const
{
    return m_file->text().trimmed();
}

void ExportDialog::setFormat(ExchangeFormat format)
{
    m_format->setCurrentIndex(m_format->findData(int(format)));
}

void ExportDialog::setFileName(const QString &fileName)
{
    m_file->setText(fileName);
}

void ExportDialog::browse()
{
    const QString suffix = exchangeFormatSuffix(format());
    const QString chosen = QFileDialog::getSaveFileName(
        this, tr("Export to"), fileName().isEmpty() ? QDir::homePath() : fileName(),
        tr("%1 files (*.%2);;All files (*)").arg(suffix.toUpper(), suffix));
    if (!chosen.isEmpty())
        m_file->setText(chosen);
}

void ExportDialog::updateNote()
{
    switch (format()) {
    case ExchangeFormat::Nested:
        m_note->setText(
            tr("Values and folders as GET returns them. Types, revisions and a value stored "
               "on a node that also has children are not kept."));
        break;
    case ExchangeFormat::Ndjson:
        m_note->setText(tr("Every leaf with its type, one per line, as the server's /export "
                           "writes it: nothing is lost, and it imports back."));
        break;
    case ExchangeFormat::Flat:
        m_note->setText(tr("One object of rendered path \u2192 value. Types (counter, set, "
                           "file\u2026) and revisions are not kept."));
        break;
    case ExchangeFormat::Csv:
        m_note->setText(tr("For spreadsheets: path, type, revision and the value as JSON "
                           "text. It does not import back: types are only text."));
        break;
    }
}

void ExportDialog::updateButtons()
{
    const bool running = m_job && m_job->isRunning();
    m_export->setEnabled(!running && !fileName().isEmpty());
    m_format->setEnabled(!running);
    m_file->setEnabled(!running);
    m_browse->setEnabled(!running);
    m_cancel->setText(running ? tr("&Cancel export") : tr("&Close"));
}

void ExportDialog::requestExport()
{
    if (fileName().isEmpty()) {
        m_status->setText(tr("Choose the file to export to."));
        return;
    }
    m_status->clear();
    emit exportRequested(scope(), format(), fileName());
}

void ExportDialog::follow(ExportJob *job)
{
    m_job = job;
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);
    m_status->setText(tr("Exporting\u2026"));
    adjustSize(); // room for the progress bar and the words below it
    connect(job, &ExportJob::progress, this, &ExportDialog::onProgress);
    connect(job, &ExportJob::finished, this, &ExportDialog::onFinished);
    updateButtons();
}

void ExportDialog::onProgress(qint64 leaves, qint64 bytes, qint64 total)
{
    if (total > 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(std::min<qint64>(1000, leaves * 1000 / total)));
    }
    const QLocale locale;
    m_status->setText(tr("%1 leaves, %2 written\u2026")
                          .arg(locale.toString(leaves), locale.formattedDataSize(bytes)));
}

void ExportDialog::onFinished(bool ok, const QString &words)
{
    m_progress->setRange(0, 1);
    m_progress->setValue(ok ? 1 : 0);
    m_status->setText(words);
    m_job = nullptr;
    updateButtons();
    adjustSize(); // the final words may take more lines
}

void ExportDialog::cancelOrClose()
{
    if (m_job && m_job->isRunning()) {
        m_job->cancel();
        m_status->setText(tr("Cancelling\u2026"));
        return;
    }
    QDialog::reject();
}

void ExportDialog::reject()
{
    if (m_job && m_job->isRunning())
        m_job->cancel();
    QDialog::reject();
}

} // namespace dust
