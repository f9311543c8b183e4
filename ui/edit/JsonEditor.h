#pragma once

#include <QJsonValue>
#include <QString>
#include <QTimer>
#include <QWidget>

#include <optional>

class QLabel;
class QPushButton;
class QsciLexerJSON;
class QsciScintilla;

namespace dust {

// JSON text in a real editor: QScintilla with its JSON lexer, line numbers, folding and
// brace matching, checked as it changes (StrictJson: the first fault's line and column in
// words under the editor), Format (indented) and Compact, a read-only mode, and colours taken
// from the widget's QPalette (again on every palette change, so a dark palette gives a dark
// editor). Any JSON value is accepted at the top level, scalars too.
//
// A text up to kSyncCheckLimit characters is checked at once on each change, so isValid()
// is always current; a longer one is checked kCheckDelayMs after the typing stops, and is
// invalid ("checking…") until then, so nothing unchecked can be saved. setText() of several
// megabytes hands the bytes to Scintilla in one call (see the report in tst_jsoneditor for
// what that costs); it does not lay out or style the whole document.
class JsonEditor : public QWidget
{
    Q_OBJECT
public:
    static constexpr qsizetype kSyncCheckLimit = 256 * 1024;
    static constexpr int kCheckDelayMs = 300;

    explicit JsonEditor(QWidget *parent = nullptr);
    ~JsonEditor() override;

    // Replaces the text (the undo history starts again) and checks it.
    void setText(const QString &text);
    QString text() const;

    // Whether the text is one valid JSON value, and if not why ("Line 3, column 7: …").
    bool isValid() const { return m_valid; }
    QString message() const { return m_message; }
    // The value of the text, when it is valid.
    std::optional<QJsonValue> value() const;

    // Rewrites the text indented (four spaces) or compact; nothing happens while it is invalid.
    void format();
    void compact();

    void setReadOnly(bool readOnly);
    bool isReadOnly() const;

    QsciScintilla *editor() const { return m_editor; }
    QsciLexerJSON *lexer() const { return m_lexer; }
    QPushButton *formatButton() const { return m_format; }
    QPushButton *compactButton() const { return m_compact; }
    QLabel *messageLabel() const { return m_status; }

    // The text of one JSON value as the editor writes it: indented (four spaces, as
    // QJsonDocument) or compact.
    static QString textOf(const QJsonValue &value, bool indented);
    // Where byte `offset` of the UTF-8 of `text` lies: 1-based line and column (in characters).
    static std::pair<int, int> lineAndColumn(const QString &text, qsizetype offset);

signals:
    void validityChanged(bool valid, const QString &message);
    // The text changed (typed, pasted, set, formatted).
    void textChanged();

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onTextChanged();
    void check();
    void setValidity(bool valid, const QString &message);
    void applyPalette();
    void updateButtons();
    void updateMarginWidth();

    QsciScintilla *m_editor;
    QsciLexerJSON *m_lexer; // owned by m_editor once set
    QLabel *m_status;
    QPushButton *m_format;
    QPushButton *m_compact;
    QTimer m_checkLater;
    bool m_valid = false;
    QString m_message;
};

} // namespace dust
