#include "inspector/InspectorPage.h"

#include "inspector/ChunkedTextView.h"

#include <QLabel>
#include <QLocale>

namespace dust {

void InspectorPage::setEntry(const Entry &entry)
{
    m_entry = entry;
    showEntry(entry);
}

void InspectorPage::fillText(ChunkedTextView *view, const QJsonValue &value,
                             ValueFormatter::Style style)
{
    const qint64 rough = ValueFormatter::roughSize(value, ValueFormatter::kInlineLimit);
    if (rough <= ValueFormatter::kInlineLimit)
        view->setText(ValueFormatter::format(value, style));
    else
        view->begin(tr("a value of more than %1")
                        .arg(QLocale().formattedDataSize(ValueFormatter::kInlineLimit)));
}

QLabel *InspectorPage::fieldLabel(QWidget *parent, const QString &accessibleName)
{
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setAccessibleName(accessibleName);
    label->setWordWrap(true);
    return label;
}

QString InspectorPage::textOf(const ChunkedTextView *view)
{
    if (!view->wasCancelled())
        return view->text();
    return view->text() + QLatin1Char('\n') + tr("[cancelled: only part of the value is shown]");
}

} // namespace dust
