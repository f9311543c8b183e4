#pragma once

#include "SearchHit.h"

#include <QAbstractListModel>
#include <QByteArray>
#include <QList>

#include <vector>

namespace dust {

// The values a search found, one row each, in path order (byte-wise by rendered UTF-8 path,
// the mirror's order). Rows come in batches as they are found (one insertion per batch,
// never a reset); a later batch updates a listed path's row in place. At most maxRows()
// rows are listed; upsert() says how many it left out. Lives on the GUI thread.
class SearchResultsModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        PathRole = Qt::UserRole + 1, // dust::Path
        RenderedPathRole,            // QString
        TypeRole,                    // QString
        ExcerptRole,                 // QString
        MatchSpansRole,              // QList<int>: start, length pairs in the excerpt
        RevisionRole,                // qint64
    };
    Q_ENUM(Role)

    static constexpr qsizetype DefaultMaxRows = 100000;

    explicit SearchResultsModel(QObject *parent = nullptr);
    ~SearchResultsModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    qsizetype maxRows() const { return m_maxRows; }
    void setMaxRows(qsizetype rows) { m_maxRows = rows; }

    // Removes every row (one removal).
    void clear();
    // Inserts the hits, or updates the row of a path already listed; `hits` may come in any
    // order (a scan's come sorted and go in with one insertion). Returns how many new paths
    // were left out because maxRows() rows are listed.
    qsizetype upsert(QList<SearchHit> hits);
    // Removes the rows of these paths (those not listed are ignored).
    void remove(const QList<QByteArray> &paths);

    // The row of a rendered path (UTF-8), or -1.
    int rowOf(QByteArrayView path) const;
    const SearchHit &hitAt(int row) const { return m_rows.at(size_t(row)); }

private:
    std::vector<SearchHit>::const_iterator lowerBound(QByteArrayView path) const;

    std::vector<SearchHit> m_rows;
    qsizetype m_maxRows = DefaultMaxRows;
};

} // namespace dust
