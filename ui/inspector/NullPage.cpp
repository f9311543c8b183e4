#include "inspector/NullPage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace dust {

NullPage::NullPage(QWidget *parent)
    : InspectorPage(parent)
    , m_value(new QLabel(QStringLiteral("null"), this))
    , m_note(new QLabel(tr("The entry exists and holds null."), this))
{
    setAccessibleName(tr("Null value"));
    QFont big = m_value->font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    big.setItalic(true);
    m_value->setFont(big);
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_value->setAccessibleName(tr("Null"));
    m_value->setAccessibleDescription(m_note->text());
    m_note->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_value);
    layout->addWidget(m_note);
    layout->addStretch(1);
    setFocusProxy(m_value);
}

QString NullPage::valueText() const
{
    return m_value->text();
}

QString NullPage::noteText() const
{
    return m_note->text();
}

} // namespace dust
