#pragma once

#include "exchange/ImportPlan.h"

#include <QAbstractItemModel>

namespace dust {

// An ImportPlan as a two-level tree for the import dialog's preview: one row per kind (to
// create, to change, to remove, unchanged, with its count), under it one row per leaf with
// its path, type, the value in the store now and the value in the file. Kinds with no
// leaves are left out. Columns: Path, Type, Now, In the file.
class ImportPreviewModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { PathColumn, TypeColumn, CurrentColumn, FileColumn, ColumnCount };
    enum class Kind { Create, Change, Remove, Unchanged };

    explicit ImportPreviewModel(QObject *parent = nullptr);

    // Shows `plan` (a reset); an empty plan clears the preview.
    void setPlan(ImportPlan plan);
    void clear();
    const ImportPlan &plan() const { return m_plan; }
    // The kind a top-level row stands for.
    Kind kindAt(int row) const { return m_kinds.at(row); }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    const QList<PlannedLeaf> &leavesOf(Kind kind) const;
    QString kindText(Kind kind) const;

    ImportPlan m_plan;
    QList<Kind> m_kinds; // the top-level rows
};

} // namespace dust
