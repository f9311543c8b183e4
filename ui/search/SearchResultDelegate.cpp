#include "search/SearchResultDelegate.h"

#include "search/SearchResultsModel.h"

#include <QApplication>
#include <QPainter>
#include <QTextLayout>

namespace dust {

namespace {

constexpr int kMargin = 4;

} // namespace

QSize SearchResultDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const QFontMetrics metrics(option.font);
    return {200, 2 * metrics.height() + 3 * kMargin};
}

void SearchResultDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const bool selected = option.state & QStyle::State_Selected;
    const QPalette::ColorGroup group =
        (option.state & QStyle::State_Enabled) ? QPalette::Normal : QPalette::Disabled;
    const QColor text =
        option.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    QColor muted = text;
    muted.setAlphaF(0.6f);

    const QFontMetrics metrics(option.font);
    const QRect area = option.rect.adjusted(kMargin, kMargin, -kMargin, -kMargin);
    const QString type = index.data(SearchResultsModel::TypeRole).toString();
    const int typeWidth = metrics.horizontalAdvance(type) + 2 * kMargin;

    painter->save();
    // Line 1: the path, and the type at the right.
    QFont bold = option.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(text);
    const QRect pathRect(area.left(), area.top(), area.width() - typeWidth, metrics.height());
    painter->drawText(pathRect, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(bold).elidedText(index.data(Qt::DisplayRole).toString(),
                                                    Qt::ElideMiddle, pathRect.width()));
    painter->setFont(option.font);
    painter->setPen(muted);
    painter->drawText(QRect(area.right() - typeWidth, area.top(), typeWidth, metrics.height()),
                      Qt::AlignRight | Qt::AlignVCenter, type);

    // Line 2: the excerpt, matches highlighted.
    const QString excerpt = index.data(SearchResultsModel::ExcerptRole).toString();
    const QList<int> spans = index.data(SearchResultsModel::MatchSpansRole).value<QList<int>>();
    QList<QTextLayout::FormatRange> formats;
    QColor mark = option.palette.color(group, QPalette::Highlight);
    if (selected)
        mark = option.palette.color(group, QPalette::Base);
    mark.setAlphaF(0.35f);
    for (qsizetype k = 0; k + 1 < spans.size(); k += 2) {
        QTextLayout::FormatRange range;
        range.start = spans[k];
        range.length = spans[k + 1];
        range.format.setBackground(mark);
        range.format.setFontWeight(QFont::Bold);
        formats.append(range);
    }
    QTextLayout layout(excerpt, option.font, painter->device());
    layout.setFormats(formats);
    QTextOption textOption;
    textOption.setWrapMode(QTextOption::NoWrap);
    layout.setTextOption(textOption);
    layout.beginLayout();
    QTextLine line = layout.createLine();
    if (line.isValid())
        line.setLineWidth(area.width());
    layout.endLayout();
    painter->setPen(text);
    painter->setClipRect(area);
    layout.draw(painter, QPointF(area.left(), area.top() + metrics.height() + kMargin));
    painter->restore();
}

} // namespace dust
