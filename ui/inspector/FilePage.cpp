#include "inspector/FilePage.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QVBoxLayout>

namespace dust {

namespace {

QString field(const QJsonObject &ref, const char *name)
{
    return ref.value(QLatin1String(name)).toString();
}

} // namespace

FilePage::FilePage(QWidget *parent)
    : InspectorPage(parent)
    , m_hash(fieldLabel(this, tr("Hash")))
    , m_size(fieldLabel(this, tr("Size")))
    , m_contentType(fieldLabel(this, tr("Content type")))
    , m_fileName(fieldLabel(this, tr("File name")))
    , m_uploadedAt(fieldLabel(this, tr("Uploaded at")))
    , m_downloadButton(new QPushButton(tr("&Download…"), this))
    , m_progress(new QProgressBar(this))
    , m_cancelButton(new QPushButton(tr("Cancel download"), this))
    , m_status(fieldLabel(this, tr("Download status")))
{
    setAccessibleName(tr("File value"));
    m_downloadButton->setAccessibleName(tr("Download file"));
    m_downloadButton->setAccessibleDescription(
        tr("Asks where to save the file, then downloads its bytes from the server."));
    m_cancelButton->setAccessibleName(tr("Cancel download"));
    m_progress->setAccessibleName(tr("Download progress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_cancelButton->hide();
    connect(m_downloadButton, &QPushButton::clicked, this, &FilePage::chooseTarget);
    connect(m_cancelButton, &QPushButton::clicked, this, &FilePage::cancelDownload);

    auto *form = new QFormLayout;
    form->addRow(tr("Hash:"), m_hash);
    form->addRow(tr("Size:"), m_size);
    form->addRow(tr("Content type:"), m_contentType);
    form->addRow(tr("File name:"), m_fileName);
    form->addRow(tr("Uploaded at:"), m_uploadedAt);
    auto *row = new QHBoxLayout;
    row->addWidget(m_downloadButton);
    row->addWidget(m_progress, 1);
    row->addWidget(m_cancelButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(row);
    layout->addWidget(m_status);
    layout->addStretch(1);
    setTabOrder(m_downloadButton, m_cancelButton);
    updateButtons();
}

void FilePage::setSource(Transport *transport)
{
    if (m_transport != transport)
        cancelDownload();
    m_transport = transport;
    updateButtons();
}

QString FilePage::hash() const
{
    return field(entry().value.toObject(), "hash");
}

void FilePage::showEntry(const Entry &entry)
{
    const QJsonObject ref = entry.value.toObject();
    // The same file shown again (a live refresh) keeps its download going.
    if (isDownloading() && m_downloadHash != field(ref, "hash"))
        cancelDownload();
    m_hash->setText(field(ref, "hash"));
    const qint64 size = ref.value(QLatin1String("size")).toInteger(-1);
    m_size->setText(size < 0    ? tr("unknown")
                    : size == 1 ? tr("1 byte")
                    : size < 1024
                        ? tr("%1 bytes").arg(size)
                        : tr("%1 bytes (%2)").arg(size).arg(QLocale().formattedDataSize(size)));
    m_contentType->setText(field(ref, "content_type"));
    const QJsonValue name = ref.value(QLatin1String("filename"));
    m_fileName->setText(name.isString() ? name.toString() : tr("(none)"));
    const QString uploaded = field(ref, "uploaded_at");
    const QDateTime at = QDateTime::fromString(uploaded, Qt::ISODateWithMs);
    m_uploadedAt->setText(at.isValid() ? QLocale().toString(at.toLocalTime(), QLocale::LongFormat)
                                       : uploaded);
    m_uploadedAt->setToolTip(uploaded);
    if (!isDownloading()) {
        m_status->clear();
        m_progress->hide();
    }
    updateButtons();
}

void FilePage::updateButtons()
{
    const bool running = isDownloading();
    const bool canDownload = m_transport && !hash().isEmpty() && !running;
    m_downloadButton->setEnabled(canDownload);
    m_downloadButton->setToolTip(
        m_transport ? QString() : tr("Not connected to a server: nothing to download from."));
    m_cancelButton->setVisible(running);
}

void FilePage::chooseTarget()
{
    auto *dialog = new QFileDialog(this, tr("Save File As"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    const QJsonValue name = entry().value.toObject().value(QLatin1String("filename"));
    QString suggested = name.isString() ? name.toString() : hash().section(QLatin1Char(':'), -1);
    suggested.replace(QLatin1Char('/'), QLatin1Char('_'));
    dialog->setDirectory(QDir::homePath());
    dialog->selectFile(suggested);
    connect(dialog, &QFileDialog::fileSelected, this, &FilePage::download);
    dialog->open();
}

void FilePage::download(const QString &fileName)
{
    cancelDownload();
    if (!m_transport) {
        setStatus(tr("Not connected to a server: nothing to download from."));
        emit downloadFinished(false, downloadStatus());
        return;
    }
    m_downloadHash = hash();
    const quint64 generation = ++m_downloadGeneration;
    m_download = m_transport->fetchFile(m_downloadHash);
    auto *watcher = new QFutureWatcher<Result<QByteArray>>(this);
    connect(watcher, &QFutureWatcherBase::progressRangeChanged, m_progress,
            &QProgressBar::setRange);
    connect(watcher, &QFutureWatcherBase::progressValueChanged, m_progress,
            &QProgressBar::setValue);
    connect(watcher, &QFutureWatcherBase::finished, watcher, &QObject::deleteLater);
    watcher->setFuture(m_download);
    m_progress->setRange(0, 0);
    m_progress->show();
    setStatus(tr("Downloading %1…").arg(QDir::toNativeSeparators(fileName)));
    updateButtons();
    m_download.then(this, [this, generation, fileName](const Result<QByteArray> &result) {
        if (generation == m_downloadGeneration)
            finishDownload(fileName, result);
    });
}

void FilePage::cancelDownload()
{
    if (!isDownloading())
        return;
    ++m_downloadGeneration; // its continuation is not run for a cancelled future anyway
    m_download.cancel();
    m_download = {};
    m_progress->hide();
    setStatus(tr("Download cancelled; nothing was saved."));
    updateButtons();
    emit downloadFinished(false, downloadStatus());
}

void FilePage::finishDownload(const QString &fileName, const Result<QByteArray> &result)
{
    m_download = {};
    m_progress->hide();
    updateButtons();
    const QString where = QDir::toNativeSeparators(fileName);
    if (!result) {
        setStatus(tr("Download failed: %1").arg(result.error().message()));
        emit downloadFinished(false, downloadStatus());
        return;
    }
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly) || file.write(*result) != result->size() ||
        !file.commit()) {
        setStatus(tr("Could not save to %1: %2").arg(where, file.errorString()));
        emit downloadFinished(false, downloadStatus());
        return;
    }
    setStatus(tr("Saved %1 bytes to %2.").arg(result->size()).arg(where));
    emit downloadFinished(true, downloadStatus());
}

void FilePage::setStatus(const QString &text)
{
    m_status->setText(text);
    m_status->setAccessibleDescription(text);
}

QString FilePage::downloadStatus() const
{
    return m_status->text();
}

QString FilePage::valueText() const
{
    const QJsonObject ref = entry().value.toObject();
    const QJsonValue name = ref.value(QLatin1String("filename"));
    return tr("hash: %1\nsize: %2 bytes\ncontent type: %3\nfile name: %4\nuploaded at: %5")
        .arg(field(ref, "hash"))
        .arg(ref.value(QLatin1String("size")).toInteger(-1))
        .arg(field(ref, "content_type"), name.isString() ? name.toString() : tr("(none)"),
             field(ref, "uploaded_at"));
}

} // namespace dust
