#include "exchange/ImportDialog.h"

#include "exchange/ImportJob.h"
#include "exchange/ImportPreviewModel.h"
#include "transport/Transport.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace dust {

namespace {

Expected<ImportData, ImportFileError> readFile(const QString &fileName,
                                               std::optional<ExchangeFormat> format)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly))
        return Expected<ImportData, ImportFileError>::failure(ImportFileError{
            0, 0, ImportDialog::tr("%1 cannot be read: %2").arg(fileName, file.errorString())});
    return ImportReader::read(file, format);
}

} // namespace

ImportDialog::ImportDialog(Transport *transport, QString store, const Path &target, QWidget *parent)
    : QDialog(parent)
    , m_transport(transport)
    , m_store(std::move(store))
    , m_file(new QLineEdit(this))
    , m_browse(new QPushButton(tr("&Browse…"), this))
    , m_format(new QComboBox(this))
    , m_target(new QLineEdit(target.rendered(), this))
    , m_mode(new QComboBox(this))
    , m_summary(new QLabel(this))
    , m_problem(new QLabel(this))
    , m_tree(new QTreeView(this))
    , m_model(new ImportPreviewModel(this))
    , m_progress(new QProgressBar(this))
    , m_buttons(new QDialogButtonBox(this))
    , m_import(m_buttons->addButton(tr("&Import"), QDialogButtonBox::AcceptRole))
    , m_cancel(m_buttons->addButton(QDialogButtonBox::Close))
    , m_reading(new QFutureWatcher<Expected<ImportData, ImportFileError>>(this))
    , m_planning(new QFutureWatcher<Result<ImportPlan>>(this))
{
    setWindowTitle(tr("Import into %1").arg(m_store));

    m_file->setPlaceholderText(tr("A .json, .ndjson or .jsonl file"));
    m_file->setAccessibleName(tr("File to import"));
    m_file->setAccessibleDescription(
        tr("JSON as a node reads, NDJSON as an export writes it (types kept), or flat JSON of "
           "path and value pairs"));
    m_browse->setAccessibleName(tr("Browse for the file to import"));
    m_format->addItem(tr("Detect"), QString());
    m_format->addItem(tr("JSON (nested)"), exchangeFormatName(ExchangeFormat::Nested));
    m_format->addItem(tr("NDJSON"), exchangeFormatName(ExchangeFormat::Ndjson));
    m_format->addItem(tr("Flat JSON"), exchangeFormatName(ExchangeFormat::Flat));
    m_format->setAccessibleName(tr("File format"));
    m_target->setPlaceholderText(tr("(the store's root)"));
    m_target->setAccessibleName(tr("Import into node"));
    m_target->setAccessibleDescription(
        tr("The path the file's paths are joined to; empty for the store's root"));
    m_mode->addItem(tr("Merge: write the file's leaves, keep the others"));
    m_mode->addItem(tr("Replace: also remove the node's leaves the file does not hold"));
    m_mode->setAccessibleName(tr("Import mode"));
    m_summary->setWordWrap(true);
    m_summary->setAccessibleName(tr("Preview summary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_problem->setWordWrap(true);
    m_problem->setAccessibleName(tr("Problem"));
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_problem->setForegroundRole(QPalette::BrightText);
    m_problem->setAutoFillBackground(false);
    m_problem->hide();
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAccessibleName(tr("Preview of the import"));
    m_tree->setAccessibleDescription(
        tr("The leaves to create, change and remove, and those unchanged, with their values now "
           "and in the file"));
    m_tree->header()->setSectionResizeMode(ImportPreviewModel::PathColumn,
                                           QHeaderView::Interactive);
    m_tree->setColumnWidth(ImportPreviewModel::PathColumn, 260);
    m_progress->setAccessibleName(tr("Import progress"));
    m_progress->hide();
    m_import->setAutoDefault(false); // Enter in a field must not start writing
    m_cancel->setAutoDefault(false);
    m_import->setAccessibleName(tr("Import"));
    m_import->setAccessibleDescription(tr("Write the previewed changes to the store"));
    m_cancel->setAccessibleName(tr("Close"));

    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(m_browse);
    auto *form = new QFormLayout;
    auto *fileLabel = new QLabel(tr("&File:"), this);
    fileLabel->setBuddy(m_file);
    form->addRow(fileLabel, fileRow);
    auto *formatLabel = new QLabel(tr("F&ormat:"), this);
    formatLabel->setBuddy(m_format);
    form->addRow(formatLabel, m_format);
    auto *targetLabel = new QLabel(tr("I&nto:"), this);
    targetLabel->setBuddy(m_target);
    form->addRow(targetLabel, m_target);
    auto *modeLabel = new QLabel(tr("&Mode:"), this);
    modeLabel->setBuddy(m_mode);
    form->addRow(modeLabel, m_mode);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_summary);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_buttons);
    setTabOrder(m_file, m_browse);
    setTabOrder(m_browse, m_format);
    setTabOrder(m_format, m_target);
    setTabOrder(m_target, m_mode);
    setTabOrder(m_mode, m_tree);
    setTabOrder(m_tree, m_import);
    resize(720, 520);

    connect(m_browse, &QPushButton::clicked, this, &ImportDialog::browse);
    // Leaving a field unchanged (moving the focus to Import, say) must not preview again.
    connect(m_file, &QLineEdit::editingFinished, this, [this] {
        if (fileName() != m_readName)
            refresh();
    });
    connect(m_format, &QComboBox::currentIndexChanged, this, &ImportDialog::refresh);
    connect(m_target, &QLineEdit::editingFinished, this, [this] {
        if (m_target->text().trimmed() != m_plannedTarget)
            plan();
    });
    connect(m_mode, &QComboBox::currentIndexChanged, this, &ImportDialog::plan);
    connect(m_reading, &QFutureWatcherBase::finished, this, &ImportDialog::readDone);
    connect(m_import, &QPushButton::clicked, this, &ImportDialog::startImport);
    connect(m_cancel, &QPushButton::clicked, this, &ImportDialog::cancelOrClose);
    updateButtons();
}

ImportDialog::~ImportDialog()
{
    if (m_job)
        m_job->cancel();
}

void ImportDialog::setFile(const QString &fileName)
{
    m_file->setText(fileName);
    refresh();
}

QString ImportDialog::fileName() const
{
    return m_file->text().trimmed();
}

void ImportDialog::setMode(ImportMode mode)
{
    m_mode->setCurrentIndex(mode == ImportMode::Replace ? 1 : 0);
}

ImportMode ImportDialog::mode() const
{
    return m_mode->currentIndex() == 1 ? ImportMode::Replace : ImportMode::Merge;
}

std::optional<Path> ImportDialog::target() const
{
    const QString text = m_target->text().trimmed();
    if (text.isEmpty())
        return Path();
    auto path = Path::parse(text);
    if (!path)
        return std::nullopt;
    return std::move(path).value();
}

bool ImportDialog::isImporting() const
{
    return m_job && m_job->isRunning();
}

QString ImportDialog::summaryText() const
{
    return m_summary->text();
}

QString ImportDialog::problemText() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void ImportDialog::browse()
{
    const QString chosen = QFileDialog::getOpenFileName(
        this, tr("Import a file"), fileName(),
        tr("JSON and NDJSON (*.json *.ndjson *.jsonl);;All files (*)"));
    if (!chosen.isEmpty())
        setFile(chosen);
}

void ImportDialog::showProblem(const QString &words)
{
    m_problem->setText(words);
    m_problem->setVisible(!words.isEmpty());
}

// Reads the file again (a new file or format): off the UI thread.
void ImportDialog::refresh()
{
    if (isImporting())
        return;
    ++m_generation;
    m_progress->hide();
    m_data.reset();
    m_planned = false;
    m_model->clear();
    showProblem({});
    m_summary->clear();
    const QString name = fileName();
    m_readName = name;
    if (name.isEmpty())
        return updateButtons();
    const QString formatName = m_format->currentData().toString();
    const std::optional<ExchangeFormat> format =
        formatName.isEmpty() ? std::nullopt : exchangeFormatFromName(formatName);
    m_summary->setText(tr("Reading %1…").arg(name));
    m_reading->setFuture(QtConcurrent::run(readFile, name, format));
    updateButtons();
}

void ImportDialog::readDone()
{
    const auto read = m_reading->result();
    if (!read) {
        m_summary->clear();
        showProblem(tr("This file cannot be imported: %1").arg(read.error().text()));
        return updateButtons();
    }
    m_data = *read;
    plan();
}

// Previews the file read against the store (a new target or mode: the file is kept).
void ImportDialog::plan()
{
    if (isImporting() || !m_data)
        return;
    const int generation = ++m_generation;
    m_progress->hide();
    m_planned = false;
    m_model->clear();
    showProblem({});
    m_plannedTarget = m_target->text().trimmed();
    const auto into = target();
    if (!into) {
        m_summary->clear();
        showProblem(tr("“%1” is not a path: write segments separated by /, with ~1 for a / and "
                       "~0 for a ~ inside a segment.")
                        .arg(m_target->text()));
        return updateButtons();
    }
    m_summary->setText(
        tr("Comparing %n leaves with the store…", nullptr, int(m_data->leaves.size())));
    ImportPlan::build(m_transport, m_store, *into, m_data->leaves, mode(), this)
        .then(this, [this, generation](const Result<ImportPlan> &plan) {
            if (generation != m_generation)
                return;
            if (!plan) {
                m_summary->clear();
                showProblem(tr("The preview failed: %1").arg(plan.error().message()));
                return updateButtons();
            }
            m_model->setPlan(*plan);
            m_tree->expandToDepth(0);
            m_planned = true;
            m_summary->setText(
                plan->writeCount() == 0
                    ? tr("Nothing to import: %1.").arg(plan->summary())
                    : tr("%1 (%2 file).")
                          .arg(plan->summary(), exchangeFormatName(m_data->format).toUpper()));
            updateButtons();
        });
    updateButtons();
}

void ImportDialog::startImport()
{
    if (!m_planned || isImporting() || m_model->plan().writeCount() == 0)
        return;
    auto *job = new ImportJob(m_transport, m_store, m_model->plan(), this);
    m_job = job;
    m_progress->setRange(0, int(std::min<qint64>(job->total(), INT_MAX)));
    m_progress->setValue(0);
    m_progress->show();
    connect(job, &ImportJob::progress, this, [this](qint64 written, qint64 total) {
        m_progress->setValue(int(std::min<qint64>(written, INT_MAX)));
        m_summary->setText(tr("Importing: %1 of %2 writes…").arg(written).arg(total));
    });
    connect(job, &ImportJob::finished, this, &ImportDialog::finishImport);
    job->start();
    updateButtons();
}

void ImportDialog::cancelOrClose()
{
    if (isImporting()) {
        m_job->cancel();
        m_summary->setText(tr("Cancelling after the batch on its way…"));
        m_cancel->setEnabled(false);
        return;
    }
    QDialog::reject();
}

void ImportDialog::reject()
{
    cancelOrClose(); // Escape while importing cancels, as the button does
}

void ImportDialog::finishImport(bool ok, const QString &words)
{
    const qint64 written = m_job ? m_job->written() : 0;
    if (m_job)
        m_job->deleteLater();
    m_job = nullptr;
    m_planned = false; // the store changed: preview again before another import
    m_summary->setText(ok ? words : QString());
    showProblem(ok ? QString() : words);
    m_cancel->setEnabled(true);
    if (written > 0)
        emit imported(m_store);
    updateButtons();
}

void ImportDialog::updateButtons()
{
    const bool importing = isImporting();
    m_import->setEnabled(!importing && m_planned && m_model->plan().writeCount() > 0);
    m_cancel->setText(importing ? tr("Cancel") : tr("Close"));
    m_cancel->setAccessibleName(importing ? tr("Cancel the import") : tr("Close"));
    for (QWidget *input : {static_cast<QWidget *>(m_file), static_cast<QWidget *>(m_browse),
                           static_cast<QWidget *>(m_format), static_cast<QWidget *>(m_target),
                           static_cast<QWidget *>(m_mode)})
        input->setEnabled(!importing);
    if (!importing && m_progress->value() == m_progress->maximum())
        m_progress->setVisible(m_progress->isVisible() &&
                               m_summary->text().startsWith(tr("Imported")));
}

} // namespace dust
