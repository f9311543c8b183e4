#pragma once

#include "inspector/InspectorPage.h"

class QLabel;

namespace dust {

class StringFormatterView;

// A string value as wrapped text (also decimal and datetime values, which JSON clients see
// as strings). A big string streams in (see InspectorPage::textView()).
class StringPage : public InspectorPage
{
    Q_OBJECT
public:
    explicit StringPage(QWidget *parent = nullptr);

    QString valueText() const override;
    QString noteText() const override;
    ChunkedTextView *textView() const override { return m_text; }
    ValueFormatter::Style textStyle() const override { return ValueFormatter::Style::Text; }
    // The "View as" switch (JSON, base64, time, link): it changes what is shown only.
    StringFormatterView *formatterView() const { return m_lens; }

protected:
    void showEntry(const Entry &entry) override;

private:
    QLabel *m_note;
    ChunkedTextView *m_text;
    StringFormatterView *m_lens;
};

} // namespace dust
