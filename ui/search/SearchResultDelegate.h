#pragma once

#include <QStyledItemDelegate>

namespace dust {

// Paints a search result (SearchResultsModel) on two lines: the path with the value's type
// after it, and the excerpt with every match in it highlighted.
class SearchResultDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace dust
