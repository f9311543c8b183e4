#include "inspector/MessagePage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace dust {

MessagePage::MessagePage(QWidget *parent)
    : InspectorPage(parent)
    , m_message(new QLabel(this))
{
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_message->setAccessibleName(tr("Inspector message"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    setAccessibleName(tr("No value"));
}

void MessagePage::setMessage(const QString &message)
{
    m_message->setText(message);
    m_message->setAccessibleDescription(message);
}

QString MessagePage::valueText() const
{
    return m_message->text();
}

} // namespace dust
