#include "inspector/StringFormatterView.h"

#include "inspector/StringLensFormatter.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace dust {

StringFormatterView::StringFormatterView(QWidget *rawView, QWidget *parent)
    : QWidget(parent)
    , m_rawView(rawView)
    , m_bar(new QWidget(this))
    , m_selector(new QComboBox(m_bar))
    , m_formatted(new QPlainTextEdit(this))
    , m_link(new QLabel(this))
{
    auto *label = new QLabel(tr("&View as:"), m_bar);
    label->setBuddy(m_selector);
    m_selector->setAccessibleName(tr("View the string as"));
    m_selector->setAccessibleDescription(
        tr("Shows what the string holds (JSON, base64, a time, a link); the saved value "
           "is never changed"));
    auto *bar = new QHBoxLayout(m_bar);
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(label);
    bar->addWidget(m_selector);
    bar->addStretch(1);

    m_formatted->setReadOnly(true);
    m_formatted->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_formatted->setAccessibleName(tr("The string as seen through the chosen view"));
    m_link->setTextFormat(Qt::RichText);
    m_link->setOpenExternalLinks(true);
    m_link->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_link->setWordWrap(true);
    m_link->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_link->setAccessibleName(tr("Link"));
    m_link->setAccessibleDescription(tr("Opens in the web browser"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_bar);
    layout->addWidget(m_formatted, 1);
    layout->addWidget(m_link, 1);
    m_formatted->hide();
    m_link->hide();
    m_bar->hide();
    connect(m_selector, &QComboBox::currentIndexChanged, this, &StringFormatterView::showLens);
}

void StringFormatterView::setText(const QString &text)
{
    m_text = text;
    m_lenses = StringLensDetector::detect(text);
    {
        const QSignalBlocker blocker(m_selector);
        m_selector->clear();
        for (const StringLens lens : std::as_const(m_lenses))
            m_selector->addItem(StringLensFormatter::name(lens));
        m_selector->setCurrentIndex(0);
    }
    m_bar->setVisible(m_lenses.size() > 1);
    showLens(0);
}

StringLens StringFormatterView::lens() const
{
    const int index = m_selector->currentIndex();
    return index > 0 && index < m_lenses.size() ? m_lenses[index] : StringLens::Raw;
}

bool StringFormatterView::setLens(StringLens lens)
{
    const auto index = m_lenses.indexOf(lens);
    if (index < 0)
        return false;
    m_selector->setCurrentIndex(int(index));
    return true;
}

QString StringFormatterView::shownText() const
{
    const StringLens current = lens();
    if (current == StringLens::Raw)
        return m_text;
    if (current == StringLens::Link)
        return m_link->text();
    return m_formatted->toPlainText();
}

void StringFormatterView::showLens(int index)
{
    const StringLens current =
        index > 0 && index < m_lenses.size() ? m_lenses[index] : StringLens::Raw;
    const bool raw = current == StringLens::Raw;
    const bool link = current == StringLens::Link;
    if (m_rawView)
        m_rawView->setVisible(raw);
    m_formatted->setVisible(!raw && !link);
    m_link->setVisible(link);
    if (link)
        m_link->setText(StringLensFormatter::linkHtml(m_text));
    else if (!raw)
        m_formatted->setPlainText(StringLensFormatter::format(current, m_text));
    else
        m_formatted->clear();
    emit lensChanged(current);
}

} // namespace dust
