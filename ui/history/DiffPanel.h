#pragma once

#include "transport/Transport.h"

#include <QList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QTableView;

namespace dust {

class DiffModel;
class DiffSidesView;

// The body of a diff, shared by DiffDialog and RestoreDialog's preview: a glob filter field
// (its problem said under it), the changed paths as a table (path, change, before, after),
// the counts, and for the selected path its before and after side by side with the
// differing lines marked (DiffSidesView). The DiffModel is the view's, a child of the panel.
class DiffPanel : public QWidget
{
    Q_OBJECT
public:
    explicit DiffPanel(QWidget *parent = nullptr);

    void setChanges(const QList<DiffChange> &changes);
    // Names the sides ("Before", "After"; a restore's preview says "Now" and "Restored").
    void setSideTitles(const QString &beforeTitle, const QString &afterTitle);

    DiffModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLineEdit *filterField() const { return m_filter; }
    DiffSidesView *sides() const { return m_sides; }
    // "2 added, 1 changed, 1 removed" (of every change, whatever the filter shows).
    QString countsText() const;
    QString filterProblem() const;
    // Selects the row of `path` (if shown); false when it is not.
    bool selectPath(const QString &path);

private:
    void applyFilter();
    void showCurrent();

    DiffModel *m_model;
    QLineEdit *m_filter;
    QLabel *m_problem;
    QLabel *m_counts;
    QTableView *m_table;
    DiffSidesView *m_sides;
};

} // namespace dust
