#include "inspector/BooleanPage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace dust {

BooleanPage::BooleanPage(QWidget *parent)
    : InspectorPage(parent)
    , m_value(new QLabel(this))
{
    setAccessibleName(tr("Boolean value"));
    QFont big = m_value->font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    m_value->setFont(big);
    m_value->setTextFormat(Qt::PlainText);
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_value->setAccessibleName(tr("Boolean"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_value);
    layout->addStretch(1);
    setFocusProxy(m_value);
}

void BooleanPage::showEntry(const Entry &entry)
{
    // JSON's words, not translated: they are the value.
    m_value->setText(entry.value.toBool() ? QStringLiteral("true") : QStringLiteral("false"));
}

QString BooleanPage::valueText() const
{
    return m_value->text();
}

} // namespace dust
