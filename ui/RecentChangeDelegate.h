#pragma once

#include <QStyledItemDelegate>

namespace dust {

// Paints rows that changed in the last few seconds (StoreTreeModel::ChangedAtRole) with a
// background that fades out over the model's recent window, so live changes are seen
// where they happen; a closed folder with such a change below it (ChangedBelowRole) glows
// faintly. The view must repaint while rows are recent (StoreTab does). Its parent should
// be the QTreeView it paints for (to tell closed folders).
class RecentChangeDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit RecentChangeDelegate(QObject *parent = nullptr);

    // How long a change stays visible (ms); should match the model's recentWindow().
    void setWindow(int ms) { m_windowMs = ms; }
    int window() const { return m_windowMs; }

    // The highlight's strength for a change at `changedAtMs` seen at `nowMs`: 1 just after
    // the change, 0 once the window has passed.
    double strength(qint64 changedAtMs, qint64 nowMs) const;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;

private:
    int m_windowMs = 3000;
};

} // namespace dust
