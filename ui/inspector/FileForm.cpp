#include "inspector/FileForm.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMimeDatabase>
#include <QPushButton>

namespace dust {

FileForm::FileForm(QWidget *parent)
    : EditForm(parent)
    , m_replace(new QPushButton(tr("Re&place…"), this))
    , m_chosen(new QLabel(this))
{
    setAccessibleName(tr("File form"));
    m_replace->setAccessibleName(tr("Replace file"));
    m_replace->setAccessibleDescription(
        tr("Chooses a file to upload in place of this one, up to %1; Save sends it.")
            .arg(QLocale().formattedDataSize(kMaxFileBytes)));
    m_chosen->setWordWrap(true);
    m_chosen->setTextFormat(Qt::PlainText);
    m_chosen->setAccessibleName(tr("File chosen"));
    connect(m_replace, &QPushButton::clicked, this, &FileForm::choose);
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_replace);
    row->addWidget(m_chosen, 1);
    setFocusProxy(m_replace);
}

void FileForm::load(const Entry &entry)
{
    setEntry(entry);
    m_staged.reset();
    m_problem.clear();
    m_chosen->clear();
    emit inputChanged();
}

void FileForm::choose()
{
    const QString fileName =
        QFileDialog::getOpenFileName(this, tr("Replace %1 with").arg(entry().path.rendered()));
    if (!fileName.isEmpty())
        replaceWith(fileName);
}

bool FileForm::replaceWith(const QString &fileName)
{
    m_staged.reset();
    m_problem.clear();
    m_chosen->clear();
    const QFileInfo info(fileName);
    QFile file(fileName);
    if (info.size() > kMaxFileBytes) {
        m_problem = tr("%1 is %2: files up to %3 can be uploaded, since the whole file "
                       "travels in one message.")
                        .arg(info.fileName(), QLocale().formattedDataSize(info.size()),
                             QLocale().formattedDataSize(kMaxFileBytes));
    } else if (!file.open(QIODevice::ReadOnly)) {
        m_problem = tr("%1 could not be read: %2").arg(info.fileName(), file.errorString());
    } else {
        EditRequest request;
        request.kind = EditRequest::Kind::PutFile;
        request.value = QJsonValue(QJsonValue::Null);
        request.fileContent = file.read(kMaxFileBytes + 1);
        if (request.fileContent.size() > kMaxFileBytes) {
            m_problem = tr("%1 is larger than %2.")
                            .arg(info.fileName(), QLocale().formattedDataSize(kMaxFileBytes));
        } else {
            request.fileName = info.fileName();
            request.contentType = QMimeDatabase().mimeTypeForFile(info).name();
            m_chosen->setText(tr("%1 (%2, %3)")
                                  .arg(request.fileName,
                                       QLocale().formattedDataSize(request.fileContent.size()),
                                       request.contentType));
            m_staged = request;
        }
    }
    emit inputChanged();
    return m_staged.has_value();
}

std::optional<EditRequest> FileForm::pending() const
{
    return m_staged;
}

void FileForm::restore(const EditRequest &request)
{
    m_problem.clear();
    m_chosen->setText(tr("%1 (%2, %3)")
                          .arg(request.fileName,
                               QLocale().formattedDataSize(request.fileContent.size()),
                               request.contentType));
    m_staged = request;
    emit inputChanged();
}

void FileForm::applyPolicy(const WhyNot &whyNot)
{
    allow(m_replace, whyNot(EditRequest::Kind::PutFile));
}

} // namespace dust
