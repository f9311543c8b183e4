#pragma once

#include "inspector/EditForm.h"

#include <QJsonValue>

class QButtonGroup;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QStackedWidget;
class QsciScintilla;

namespace dust {

// Edits a string (one line, or several with "Multi-line"), an integer or a float (checked as
// typed: an integer beyond ±(2^53 − 1) is refused, since JSON numbers are doubles and it would
// not come back as typed), a boolean (true / false) or null (nothing to type: another value
// only through Change type…). Saving writes a `set` of the value.
//
// A string longer than kBigText characters is not put into an input when shown: "Edit this
// text…" loads it on request into a plain QsciScintilla (bigTextEdit()), without wrapping.
// Measured with 6 MB: text in lines of ~70 characters loads in 28 ms, paints in 4 ms and
// takes a key in ~60 ms (a QPlainTextEdit took ~2 s to load and 1 s a key); one single line
// of 6 MB is still slow (~2 s to paint and per key: Scintilla lays out whole lines).
class ScalarForm : public EditForm
{
    Q_OBJECT
public:
    enum class Mode { String, Integer, Float, Boolean, Null };
    static constexpr qsizetype kBigText = 256 * 1024;

    explicit ScalarForm(QWidget *parent = nullptr);

    // The mode for an entry's type and value (String for string, decimal and datetime).
    static Mode modeFor(const Entry &entry);
    static QString modeName(Mode mode); // "string", "integer", …

    void load(const Entry &entry) override;
    // A type change: edits `entry` as a `mode` value, its value converted when it can be
    // (12 → "12", "12" → 12, true → "true"), else empty to be typed again.
    void convert(const Entry &entry, Mode mode);
    Mode mode() const { return m_mode; }
    bool isTypeChanged() const { return m_typeChanged; }

    std::optional<EditRequest> pending() const override;
    QString problem() const override;
    bool hasInput() const override;
    void restore(const EditRequest &request) override;
    void applyPolicy(const WhyNot &whyNot) override;
    QString hint() const override;

    // Multi-line text instead of one line (strings only; a text holding a line break is
    // always shown on several).
    void setMultiLine(bool multi);
    bool isMultiLine() const;
    // Loads a big string into the multi-line input ("Edit this text…").
    void loadBigText();

    QLineEdit *lineEdit() const { return m_line; }
    QPlainTextEdit *textEdit() const { return m_multi; }
    QsciScintilla *bigTextEdit() const { return m_big; }
    QCheckBox *multiLineToggle() const { return m_multiToggle; }
    QRadioButton *trueButton() const { return m_true; }
    QRadioButton *falseButton() const { return m_false; }
    QPushButton *editTextButton() const { return m_editBig; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showMode();
    void dropBigText();
    void setInputValue(const QJsonValue &value);
    QString typedText() const;
    std::optional<QJsonValue> typedValue(QString *why) const;

    QLabel *m_label;
    QStackedWidget *m_inputs;
    QLineEdit *m_line;
    QPlainTextEdit *m_multi;
    QWidget *m_booleans;
    QRadioButton *m_true;
    QRadioButton *m_false;
    QButtonGroup *m_boolGroup;
    QLabel *m_nullNote;
    QPushButton *m_editBig;
    QsciScintilla *m_big; // a big string, once loaded
    QCheckBox *m_multiToggle;
    Mode m_mode = Mode::String;
    QJsonValue m_initial;       // what the inputs held when loaded
    bool m_typeChanged = false; // converted to another type than the entry's
    bool m_bigPending = false;  // a big string not loaded into the input yet
    bool m_bigLoaded = false;   // a big string is in m_big
    bool m_bigDirty = false;    // m_big was changed since it was loaded
    bool m_loading = false;     // inputs being filled: no inputChanged
};

} // namespace dust
