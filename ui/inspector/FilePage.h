#pragma once

#include "inspector/InspectorPage.h"
#include "transport/Transport.h"

#include <QFuture>
#include <QPointer>

class QLabel;
class QProgressBar;
class QPushButton;

namespace dust {

// A file reference (put_file, dust-protocol.md §3.5): hash, size, content type, file name
// and upload time, and Download…, which asks where to save it (QFileDialog), fetches the
// bytes through the transport (Transport::fetchFile) with progress and Cancel, and writes
// them with QSaveFile, so a failed or cancelled download never leaves a partial file. What
// went wrong is said in words beside the button.
class FilePage : public InspectorPage
{
    Q_OBJECT
public:
    explicit FilePage(QWidget *parent = nullptr);

    // Where downloads come from; null disables Download… (not owned).
    void setSource(Transport *transport);

    // Fetches the shown file and writes it to `fileName` (what Download… does once a file is
    // chosen). A download still running is cancelled first.
    void download(const QString &fileName);
    void cancelDownload();
    bool isDownloading() const { return m_download.isValid() && !m_download.isFinished(); }
    // What the row beside the button says ("Saved … to …", "Download failed: …", …).
    QString downloadStatus() const;

    QString valueText() const override;
    QPushButton *downloadButton() const { return m_downloadButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }

signals:
    // A download ended: saved (ok) or not, and the words shown for it.
    void downloadFinished(bool ok, const QString &message);

protected:
    void showEntry(const Entry &entry) override;

private:
    void chooseTarget();
    void finishDownload(const QString &fileName, const Result<QByteArray> &result);
    void setStatus(const QString &text);
    void updateButtons();
    QString hash() const;

    QLabel *m_hash;
    QLabel *m_size;
    QLabel *m_contentType;
    QLabel *m_fileName;
    QLabel *m_uploadedAt;
    QPushButton *m_downloadButton;
    QProgressBar *m_progress;
    QPushButton *m_cancelButton;
    QLabel *m_status;
    QPointer<Transport> m_transport;
    QFuture<Result<QByteArray>> m_download;
    QString m_downloadHash;
    quint64 m_downloadGeneration = 0;
};

} // namespace dust
