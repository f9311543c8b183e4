#pragma once

#include "inspector/StringLensDetector.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;

namespace dust {

// The "View as" switch of the string page: Raw, or one of the lenses that fit the string
// (JSON, Base64 text/hex, Time, Link). Raw shows the page's own text view; any other lens
// hides it and shows what the lens makes of the string. Only what is shown changes: the
// string, the page's value text and every edit form keep the raw string. Owns its widgets
// only; `rawView` belongs to the page.
class StringFormatterView : public QWidget
{
    Q_OBJECT
public:
    StringFormatterView(QWidget *rawView, QWidget *parent = nullptr);

    // A new string: the lenses that fit it are offered, and Raw is shown. An empty list of
    // lenses (besides Raw) hides the switch.
    void setText(const QString &text);
    const QString &text() const { return m_text; }

    QList<StringLens> lenses() const { return m_lenses; }
    StringLens lens() const;
    // Shows `lens`; false (and nothing changes) when it does not fit the string.
    bool setLens(StringLens lens);
    // What the current lens shows (the raw string for Raw).
    QString shownText() const;

    QComboBox *selector() const { return m_selector; }
    QPlainTextEdit *formattedView() const { return m_formatted; }
    QLabel *linkLabel() const { return m_link; }

signals:
    void lensChanged(dust::StringLens lens);

private:
    void showLens(int index);

    QWidget *m_rawView;
    QWidget *m_bar;
    QComboBox *m_selector;
    QPlainTextEdit *m_formatted;
    QLabel *m_link;
    QString m_text;
    QList<StringLens> m_lenses{StringLens::Raw};
};

} // namespace dust
