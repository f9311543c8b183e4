#include "history/DiffPanel.h"

#include "history/DiffSidesView.h"
#include "model/DiffModel.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace dust {

DiffPanel::DiffPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new DiffModel(this))
    , m_filter(new QLineEdit(this))
    , m_problem(new QLabel(this))
    , m_counts(new QLabel(this))
    , m_table(new QTableView(this))
    , m_sides(new DiffSidesView(this))
{
    auto *filterLabel = new QLabel(tr("&Filter paths:"), this);
    filterLabel->setBuddy(m_filter);
    m_filter->setPlaceholderText(tr("a glob, e.g. users/*/name or config/**"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter paths"));
    m_filter->setAccessibleDescription(
        tr("Shows only the changed paths this glob matches: * is one segment, ** any below"));
    m_problem->setWordWrap(true);
    m_problem->setVisible(false);
    m_problem->setAccessibleName(tr("Filter problem"));
    m_counts->setAccessibleName(tr("Change counts"));

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setTabKeyNavigation(false);
    m_table->setAccessibleName(tr("Changed paths"));
    m_table->setAccessibleDescription(
        tr("Each changed path with its value before and after; select one to compare them"));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_sides);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(filterLabel);
    filterRow->addWidget(m_filter, 1);
    layout->addLayout(filterRow);
    layout->addWidget(m_problem);
    layout->addWidget(m_counts);
    layout->addWidget(splitter, 1);
    setTabOrder(m_filter, m_table);
    setTabOrder(m_table, m_sides);

    connect(m_filter, &QLineEdit::textChanged, this, &DiffPanel::applyFilter);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DiffPanel::showCurrent);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_counts->setText(countsText());
        if (m_model->rowCount() > 0)
            m_table->setCurrentIndex(m_model->index(0, 0));
        else
            m_sides->clear();
    });
}

void DiffPanel::setChanges(const QList<DiffChange> &changes)
{
    m_model->setChanges(changes);
    m_table->resizeColumnToContents(DiffModel::PathColumn);
    m_table->resizeColumnToContents(DiffModel::KindColumn);
}

void DiffPanel::setSideTitles(const QString &beforeTitle, const QString &afterTitle)
{
    m_sides->setTitles(beforeTitle, afterTitle);
    m_model->setSideTitles(beforeTitle, afterTitle);
}

QString DiffPanel::countsText() const
{
    if (m_model->allRows().isEmpty())
        return tr("No changes.");
    return tr("%1 added, %2 changed, %3 removed")
        .arg(m_model->count(DiffModel::Kind::Added))
        .arg(m_model->count(DiffModel::Kind::Changed))
        .arg(m_model->count(DiffModel::Kind::Removed));
}

QString DiffPanel::filterProblem() const
{
    return m_problem->isVisible() ? m_problem->text() : QString();
}

bool DiffPanel::selectPath(const QString &path)
{
    const int row = m_model->rowOf(path);
    if (row < 0)
        return false;
    m_table->setCurrentIndex(m_model->index(row, 0));
    return true;
}

void DiffPanel::applyFilter()
{
    const QString problem = m_model->setFilter(m_filter->text());
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
}

void DiffPanel::showCurrent()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_sides->clear();
        return;
    }
    const DiffModel::Row &row = m_model->rowAt(current.row());
    m_sides->showValues(row.path, row.before, row.after, row.beforeUnknown, row.afterUnknown);
}

} // namespace dust
