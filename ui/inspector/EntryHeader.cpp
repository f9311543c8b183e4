#include "inspector/EntryHeader.h"

#include "protocol/JsonBytes.h"

#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace dust {

namespace {

QString quoted(const QString &segment)
{
    return QString::fromUtf8(jsonbytes::fromJsonValue(QJsonValue(segment)));
}

QLabel *headerLabel(QWidget *parent, const QString &accessibleName)
{
    auto *label = new QLabel(parent);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setWordWrap(true);
    label->setAccessibleName(accessibleName);
    return label;
}

} // namespace

EntryHeader::EntryHeader(QWidget *parent)
    : QWidget(parent)
    , m_path(headerLabel(this, tr("Path")))
    , m_segments(headerLabel(this, tr("Path segments")))
    , m_details(headerLabel(this, tr("Entry details")))
{
    QFont bold = m_path->font();
    bold.setBold(true);
    m_path->setFont(bold);
    m_path->setTextFormat(Qt::PlainText);
    m_segments->setTextFormat(Qt::RichText);
    m_segments->setAccessibleDescription(
        tr("Each segment of the path as written, with its escaped form in the path where "
           "escaping changed it (~ becomes ~0, / becomes ~1)."));
    m_details->setTextFormat(Qt::PlainText);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_path);
    layout->addWidget(m_segments);
    layout->addWidget(m_details);
    clear();
}

QString EntryHeader::segmentsText(const Path &path)
{
    QStringList parts;
    for (const QString &segment : path.segments()) {
        const QString escaped = Path::escapeSegment(segment);
        parts.append(escaped == segment ? quoted(segment)
                                        : quoted(segment) + QStringLiteral(" → ") + escaped);
    }
    return parts.join(QStringLiteral(", "));
}

void EntryHeader::clear()
{
    m_hasEntry = false;
    m_shownPath = {};
    m_path->setText(tr("Select an entry"));
    m_segments->clear();
    m_segments->hide();
    m_details->clear();
    m_details->hide();
}

void EntryHeader::showPath(const Path &path)
{
    m_shownPath = path;
    m_path->setText(path.rendered());
    QStringList parts;
    for (const QString &segment : path.segments()) {
        const QString escaped = Path::escapeSegment(segment);
        QString part = QStringLiteral("<code>%1</code>").arg(quoted(segment).toHtmlEscaped());
        if (escaped != segment)
            part += QStringLiteral(" <small>→ %1</small>").arg(escaped.toHtmlEscaped());
        parts.append(part);
    }
    m_segments->setText(tr("Segments: %1").arg(parts.join(QStringLiteral(" / "))));
    m_segments->setToolTip(segmentsText(path));
    m_segments->show();
    m_details->show();
}

void EntryHeader::showState(const Path &path, const QString &state)
{
    m_hasEntry = false;
    showPath(path);
    m_details->setText(state);
}

void EntryHeader::showEntry(const Entry &entry, qint64 size)
{
    showPath(entry.path);
    m_hasEntry = true;
    m_type = entry.type;
    m_revision = entry.revision;
    m_size = size;
    updateDetails();
}

void EntryHeader::setSize(qint64 bytes)
{
    m_size = bytes;
    if (m_hasEntry)
        updateDetails();
}

void EntryHeader::updateDetails()
{
    QString size;
    if (m_size < 0)
        size = tr("measuring…");
    else if (m_size == 1)
        size = tr("1 byte");
    else if (m_size < 1024)
        size = tr("%1 bytes").arg(m_size);
    else
        size = tr("%1 bytes (%2)")
                   .arg(QLocale().toString(m_size), QLocale().formattedDataSize(m_size));
    m_details->setText(
        tr("type: %1 · revision: %2 · size: %3").arg(m_type, QString::number(m_revision), size));
}

QString EntryHeader::text() const
{
    if (!m_shownPath.isValid())
        return m_path->text();
    return tr("path: %1\nsegments: %2\n%3")
        .arg(m_shownPath.rendered(), segmentsText(m_shownPath), m_details->text());
}

} // namespace dust
