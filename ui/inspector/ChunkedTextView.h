#pragma once

#include <QString>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace dust {

// A read-only text area that can be filled at once or piece by piece, with a status row
// (progress and a Cancel button) while pieces arrive. It keeps the exact text it was given
// (text()); on screen a line longer than kMaxDisplayLine characters is broken into pieces of
// that length, because one paragraph of megabytes would have to be laid out whole.
class ChunkedTextView : public QWidget
{
    Q_OBJECT
public:
    static constexpr qsizetype kMaxDisplayLine = 8192;

    explicit ChunkedTextView(QWidget *parent = nullptr);

    // Long lines wrap at the widget's width (text) or scroll sideways (JSON).
    void setWrapping(bool wrap);
    // Replaces the text with `text`, whole.
    void setText(const QString &text);
    // Empties the view and shows the status row: `about` says what is coming.
    void begin(const QString &about);
    // Adds the next piece of the text.
    void appendChunk(const QString &chunk);
    // Everything arrived: the status row goes.
    void finish();
    // The rest will not come: the text stays partial and the status row says so.
    void markCancelled();

    const QString &text() const { return m_text; }
    bool isReceiving() const { return m_receiving; }
    bool wasCancelled() const { return m_cancelled; }
    // What the status row says ("", while receiving, or after a cancel).
    QString statusText() const;
    QPlainTextEdit *editor() const { return m_editor; }
    QPushButton *cancelButton() const { return m_cancel; }

signals:
    // The user asked to stop receiving.
    void cancelRequested();

private:
    void clearAll();
    void showPiece(const QString &chunk);
    void updateStatus();

    QPlainTextEdit *m_editor;
    QWidget *m_statusRow;
    QLabel *m_status;
    QProgressBar *m_busy;
    QPushButton *m_cancel;
    QString m_text;
    QString m_about;
    qsizetype m_lineLength = 0; // characters of the last line shown
    bool m_receiving = false;
    bool m_cancelled = false;
};

} // namespace dust
