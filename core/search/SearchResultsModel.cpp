#include "SearchResultsModel.h"

#include "protocol/JsonBytes.h"
#include "protocol/Path.h"

#include <algorithm>

namespace dust {

namespace {

bool pathLess(QByteArrayView a, QByteArrayView b)
{
    // Byte-wise, as unsigned bytes: the mirror's order.
    const std::string_view x(a.data(), size_t(a.size()));
    const std::string_view y(b.data(), size_t(b.size()));
    return x < y;
}

} // namespace

SearchResultsModel::SearchResultsModel(QObject *parent)
    : QAbstractListModel(parent)
{}

SearchResultsModel::~SearchResultsModel() = default;

int SearchResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant SearchResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SearchHit &hit = m_rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case RenderedPathRole:
        return jsonbytes::textFromUtf8(hit.path);
    case Qt::ToolTipRole:
        return tr("%1 (%2)\n%3").arg(jsonbytes::textFromUtf8(hit.path), hit.type, hit.excerpt.text);
    case Qt::AccessibleTextRole:
        return tr("%1, %2: %3").arg(jsonbytes::textFromUtf8(hit.path), hit.type, hit.excerpt.text);
    case PathRole: {
        const auto path = Path::parse(jsonbytes::textFromUtf8(hit.path));
        return path ? QVariant::fromValue(*path) : QVariant();
    }
    case TypeRole:
        return hit.type;
    case ExcerptRole:
        return hit.excerpt.text;
    case MatchSpansRole:
        return QVariant::fromValue(hit.excerpt.spans);
    case RevisionRole:
        return hit.revision;
    default:
        return {};
    }
}

QHash<int, QByteArray> SearchResultsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(PathRole, "path");
    names.insert(RenderedPathRole, "renderedPath");
    names.insert(TypeRole, "type");
    names.insert(ExcerptRole, "excerpt");
    names.insert(MatchSpansRole, "matchSpans");
    names.insert(RevisionRole, "revision");
    return names;
}

void SearchResultsModel::clear()
{
    if (m_rows.empty())
        return;
    beginRemoveRows(QModelIndex(), 0, int(m_rows.size()) - 1);
    m_rows.clear();
    endRemoveRows();
}

std::vector<SearchHit>::const_iterator SearchResultsModel::lowerBound(QByteArrayView path) const
{
    return std::lower_bound(
        m_rows.begin(), m_rows.end(), path,
        [](const SearchHit &hit, QByteArrayView p) { return pathLess(hit.path, p); });
}

int SearchResultsModel::rowOf(QByteArrayView path) const
{
    const auto it = lowerBound(path);
    return it != m_rows.end() && QByteArrayView(it->path) == path ? int(it - m_rows.begin()) : -1;
}

qsizetype SearchResultsModel::upsert(QList<SearchHit> hits)
{
    if (!std::is_sorted(hits.begin(), hits.end(), [](const SearchHit &a, const SearchHit &b) {
            return pathLess(a.path, b.path);
        }))
        std::stable_sort(hits.begin(), hits.end(), [](const SearchHit &a, const SearchHit &b) {
            return pathLess(a.path, b.path);
        });
    // A path given twice: the last one counts.
    QList<SearchHit> unique;
    unique.reserve(hits.size());
    for (SearchHit &hit : hits) {
        if (!unique.isEmpty() && unique.last().path == hit.path)
            unique.last() = std::move(hit);
        else
            unique.append(std::move(hit));
    }

    qsizetype leftOut = 0;
    qsizetype i = 0;
    const qsizetype n = unique.size();
    while (i < n) {
        const auto at = lowerBound(unique[i].path);
        const qsizetype pos = at - m_rows.begin();
        if (at != m_rows.end() && at->path == unique[i].path) {
            m_rows[size_t(pos)] = std::move(unique[i]);
            const QModelIndex changed = index(int(pos));
            emit dataChanged(changed, changed);
            ++i;
            continue;
        }
        // The run of new paths that all go before m_rows[pos].
        qsizetype j = i + 1;
        while (j < n && (pos == qsizetype(m_rows.size()) ||
                         pathLess(unique[j].path, m_rows[size_t(pos)].path)))
            ++j;
        const qsizetype room = std::max<qsizetype>(0, m_maxRows - qsizetype(m_rows.size()));
        const qsizetype take = std::min(j - i, room);
        if (take > 0) {
            beginInsertRows(QModelIndex(), int(pos), int(pos + take - 1));
            m_rows.insert(m_rows.begin() + pos, std::make_move_iterator(unique.begin() + i),
                          std::make_move_iterator(unique.begin() + i + take));
            endInsertRows();
        }
        leftOut += (j - i) - take;
        i = j;
    }
    return leftOut;
}

void SearchResultsModel::remove(const QList<QByteArray> &paths)
{
    for (const QByteArray &path : paths) {
        const int row = rowOf(path);
        if (row < 0)
            continue;
        beginRemoveRows(QModelIndex(), row, row);
        m_rows.erase(m_rows.begin() + row);
        endRemoveRows();
    }
}

} // namespace dust
