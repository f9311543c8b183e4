#include "inspector/ChunkedTextView.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTextCursor>
#include <QVBoxLayout>

namespace dust {

ChunkedTextView::ChunkedTextView(QWidget *parent)
    : QWidget(parent)
    , m_editor(new QPlainTextEdit(this))
    , m_statusRow(new QWidget(this))
    , m_status(new QLabel(m_statusRow))
    , m_busy(new QProgressBar(m_statusRow))
    , m_cancel(new QPushButton(tr("&Cancel"), m_statusRow))
{
    m_editor->setReadOnly(true);
    m_editor->setUndoRedoEnabled(false);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_editor->setAccessibleName(tr("Value text"));

    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setTextVisible(false);
    m_busy->setAccessibleName(tr("Formatting progress"));
    m_status->setAccessibleName(tr("Formatting status"));
    m_status->setWordWrap(true);
    m_cancel->setAccessibleName(tr("Cancel formatting"));
    m_cancel->setAccessibleDescription(
        tr("Stops formatting the value; the part shown so far stays."));
    connect(m_cancel, &QPushButton::clicked, this, &ChunkedTextView::cancelRequested);

    auto *row = new QHBoxLayout(m_statusRow);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_busy);
    row->addWidget(m_status, 1);
    row->addWidget(m_cancel);
    m_statusRow->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_editor, 1);
    layout->addWidget(m_statusRow);
    setFocusProxy(m_editor);
}

void ChunkedTextView::setWrapping(bool wrap)
{
    m_editor->setLineWrapMode(wrap ? QPlainTextEdit::WidgetWidth : QPlainTextEdit::NoWrap);
    m_editor->setWordWrapMode(wrap ? QTextOption::WrapAtWordBoundaryOrAnywhere
                                   : QTextOption::NoWrap);
}

void ChunkedTextView::clearAll()
{
    m_editor->clear();
    m_text.clear();
    m_lineLength = 0;
    m_receiving = false;
    m_cancelled = false;
}

void ChunkedTextView::setText(const QString &text)
{
    clearAll();
    m_statusRow->hide();
    m_text = text;
    showPiece(text);
    m_editor->moveCursor(QTextCursor::Start);
}

void ChunkedTextView::begin(const QString &about)
{
    clearAll();
    m_about = about;
    m_receiving = true;
    m_busy->show();
    m_cancel->show();
    m_cancel->setEnabled(true);
    m_statusRow->show();
    updateStatus();
}

void ChunkedTextView::appendChunk(const QString &chunk)
{
    if (!m_receiving)
        return;
    m_text += chunk;
    showPiece(chunk);
    updateStatus();
}

void ChunkedTextView::finish()
{
    m_receiving = false;
    m_statusRow->hide();
}

void ChunkedTextView::markCancelled()
{
    if (!m_receiving)
        return;
    m_receiving = false;
    m_cancelled = true;
    m_busy->hide();
    m_cancel->hide();
    m_statusRow->show();
    updateStatus();
}

QString ChunkedTextView::statusText() const
{
    return m_statusRow->isVisible() || m_cancelled || m_receiving ? m_status->text() : QString();
}

void ChunkedTextView::updateStatus()
{
    const QString shown = QLocale().formattedDataSize(m_text.size());
    if (m_cancelled)
        m_status->setText(tr("Cancelled: only the first %1 characters of the value are shown.")
                              .arg(QLocale().toString(m_text.size())));
    else
        m_status->setText(tr("Formatting %1… %2 shown so far.").arg(m_about, shown));
}

// Inserts `chunk` at the end, breaking (on screen only) lines longer than kMaxDisplayLine.
void ChunkedTextView::showPiece(const QString &chunk)
{
    QString display;
    display.reserve(chunk.size() + chunk.size() / kMaxDisplayLine + 1);
    qsizetype at = 0;
    while (at < chunk.size()) {
        const qsizetype newline = chunk.indexOf(QLatin1Char('\n'), at);
        const qsizetype lineEnd = newline < 0 ? chunk.size() : newline;
        qsizetype room = kMaxDisplayLine - m_lineLength;
        while (lineEnd - at > room) {
            display += QStringView(chunk).mid(at, room);
            display += QLatin1Char('\n');
            at += room;
            m_lineLength = 0;
            room = kMaxDisplayLine;
        }
        display += QStringView(chunk).mid(at, lineEnd - at);
        m_lineLength += lineEnd - at;
        at = lineEnd;
        if (newline >= 0) {
            display += QLatin1Char('\n');
            m_lineLength = 0;
            at = newline + 1;
        }
    }
    QTextCursor cursor(m_editor->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(display);
}

} // namespace dust
