#include "inspector/NumberPage.h"

#include "inspector/ValueFormatter.h"

#include <QLabel>
#include <QVBoxLayout>

namespace dust {

NumberPage::NumberPage(QWidget *parent)
    : InspectorPage(parent)
    , m_number(new QLabel(this))
    , m_note(new QLabel(this))
{
    setAccessibleName(tr("Number value"));
    QFont big = m_number->font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    m_number->setFont(big);
    m_number->setTextFormat(Qt::PlainText);
    m_number->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_number->setAccessibleName(tr("Number"));
    m_note->setWordWrap(true);
    m_note->setAccessibleName(tr("Kind of number"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_number);
    layout->addWidget(m_note);
    layout->addStretch(1);
    setFocusProxy(m_number);
}

void NumberPage::showEntry(const Entry &entry)
{
    m_number->setText(ValueFormatter::format(entry.value, ValueFormatter::Style::Json));
    if (entry.type == QLatin1String("counter"))
        m_note->setText(tr("Counter: changed by increments, which add up when several are made "
                           "at once."));
    else if (entry.type == QLatin1String("integer"))
        m_note->setText(tr("Integer."));
    else
        m_note->setText(tr("Floating-point number."));
    m_number->setAccessibleDescription(m_note->text());
}

QString NumberPage::valueText() const
{
    return m_number->text();
}

QString NumberPage::noteText() const
{
    return m_note->text();
}

} // namespace dust
