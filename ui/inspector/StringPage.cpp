#include "inspector/StringPage.h"

#include "inspector/ChunkedTextView.h"
#include "inspector/StringFormatterView.h"

#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace dust {

StringPage::StringPage(QWidget *parent)
    : InspectorPage(parent)
    , m_note(new QLabel(this))
    , m_text(new ChunkedTextView(this))
    , m_lens(new StringFormatterView(m_text, this))
{
    setAccessibleName(tr("String value"));
    m_note->setWordWrap(true);
    m_note->setAccessibleName(tr("About this value"));
    m_text->setWrapping(true);
    m_text->editor()->setAccessibleName(tr("String value"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_note);
    layout->addWidget(m_lens);
    layout->addWidget(m_text, 1);
    setFocusProxy(m_text);
}

void StringPage::showEntry(const Entry &entry)
{
    const QString text = entry.value.toString();
    if (entry.type == QLatin1String("string"))
        m_note->setText(text.size() == 1 ? tr("Text, 1 character.")
                                         : tr("Text, %1 characters.").arg(text.size()));
    else
        m_note->setText(tr("A %1 value, shown as the text the server sends.").arg(entry.type));
    fillText(m_text, entry.value, textStyle());
    m_lens->setText(entry.value.isString() ? text : QString());
}

QString StringPage::valueText() const
{
    return textOf(m_text);
}

QString StringPage::noteText() const
{
    return m_note->text();
}

} // namespace dust
