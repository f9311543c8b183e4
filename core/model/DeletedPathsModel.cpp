#include "DeletedPathsModel.h"

#include "HistoryModel.h"
#include "protocol/Values.h"

#include <QHash>

#include <algorithm>

namespace dust {

namespace {

constexpr int kDeletesPerPage = 200;
constexpr qsizetype kLeavesPerBatch = 1000; // the batch read's limit (§4.5)

QDateTime timeOf(const QString &insertedAt)
{
    QDateTime at = QDateTime::fromString(insertedAt, Qt::ISODateWithMs);
    if (!at.isValid())
        at = QDateTime::fromString(insertedAt, Qt::ISODate);
    return at.toUTC();
}

} // namespace

DeletedPathsModel::DeletedPathsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

DeletedPathsModel::~DeletedPathsModel() = default;

void DeletedPathsModel::setSource(Transport *rest, const QString &store)
{
    if (m_transport == rest && m_store == store)
        return;
    m_transport = rest;
    m_store = store;
    reload();
}

void DeletedPathsModel::setNode(const Path &node)
{
    if (m_node == node)
        return;
    m_node = node;
    reload();
}

void DeletedPathsModel::setScope(Transport *rest, const QString &store, const Path &node)
{
    if (m_transport == rest && m_store == store && m_node == node)
        return;
    m_transport = rest;
    m_store = store;
    m_node = node;
    reload();
}

void DeletedPathsModel::setDeletedForeground(const QVariant &brush)
{
    m_foreground = brush;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1),
                         {Qt::ForegroundRole});
}

void DeletedPathsModel::reload()
{
    ++m_generation;
    beginResetModel();
    m_rows.clear();
    m_found.clear();
    m_queries.clear();
    m_nextValue = 0;
    m_errorText.clear();
    endResetModel();
    if (!m_transport || m_store.isEmpty()) {
        setLoading(false);
        return;
    }
    if (m_node.isValid()) {
        m_queries.append(Query{m_node.rendered()});
        m_queries.append(Query{m_node.rendered() + QStringLiteral("/**")});
    } else {
        m_queries.append(Query{});
    }
    setLoading(true);
    readDeletes();
}

void DeletedPathsModel::readDeletes()
{
    const auto next = std::find_if(m_queries.begin(), m_queries.end(),
                                   [](const Query &query) { return !query.done; });
    if (next == m_queries.end() || m_found.size() >= m_maxDeletes) {
        std::stable_sort(m_found.begin(), m_found.end(),
                         [](const Row &a, const Row &b) { return a.seq > b.seq; });
        if (m_found.size() > m_maxDeletes)
            m_found.resize(m_maxDeletes);
        checkLeaves();
        return;
    }
    const qsizetype queryIndex = next - m_queries.begin();
    AuditQuery query;
    query.path = next->path;
    query.op = QStringLiteral("delete");
    query.limit = kDeletesPerPage;
    query.page = next->nextPage;
    const quint64 generation = m_generation;
    m_transport->auditLog(m_store, query)
        .then(this, [this, generation, queryIndex](const Result<AuditPage> &page) {
            if (generation != m_generation)
                return;
            if (!page) {
                fail(page.error());
                return;
            }
            Query &query = m_queries[queryIndex];
            ++query.nextPage;
            if (page->ops.size() < kDeletesPerPage || page->page >= page->totalPages)
                query.done = true;
            for (const AuditOp &op : page->ops) {
                const auto path = Path::parse(op.path);
                if (!path)
                    continue;
                const auto known =
                    std::find_if(m_found.cbegin(), m_found.cend(),
                                 [&path](const Row &row) { return row.path == *path; });
                if (known != m_found.cend())
                    continue; // an older delete of a path already found (newest first)
                m_found.append(Row{*path,
                                   op.storeSeq,
                                   timeOf(op.insertedAt),
                                   op.deviceId,
                                   {},
                                   ValueState::Pending});
            }
            readDeletes();
        });
}

void DeletedPathsModel::checkLeaves()
{
    // Leaves first: one batch read answers most candidates. Paths still in m_found after
    // this are not leaves now; checkSubtrees() asks about what lies under them.
    QList<Path> paths;
    for (const Row &row : std::as_const(m_found))
        paths.append(row.path);
    if (paths.isEmpty()) {
        showRows();
        return;
    }
    auto batches = std::make_shared<QList<QList<Path>>>();
    for (qsizetype i = 0; i < paths.size(); i += kLeavesPerBatch)
        batches->append(paths.mid(i, kLeavesPerBatch));
    auto pending = std::make_shared<qsizetype>(batches->size());
    auto existing = std::make_shared<QList<Path>>();
    const quint64 generation = m_generation;
    for (const QList<Path> &batch : std::as_const(*batches)) {
        m_transport->getLeaves(m_store, batch)
            .then(this, [this, generation, pending, existing](const Result<QList<Entry>> &leaves) {
                if (generation != m_generation)
                    return;
                if (!leaves) {
                    *pending = -1;
                    fail(leaves.error());
                    return;
                }
                if (*pending < 0)
                    return;
                for (const Entry &entry : *leaves)
                    existing->append(entry.path);
                if (--*pending > 0)
                    return;
                m_found.removeIf(
                    [&existing](const Row &row) { return existing->contains(row.path); });
                checkSubtrees(0);
            });
    }
}

void DeletedPathsModel::checkSubtrees(qsizetype index)
{
    if (index >= m_found.size()) {
        showRows();
        return;
    }
    ListQuery query;
    query.pattern = m_found.at(index).path.rendered() + QStringLiteral("/**");
    query.limit = 1;
    query.select = ListQuery::Select::Keys;
    const quint64 generation = m_generation;
    m_transport->list(m_store, query)
        .then(this, [this, generation, index](const Result<ListPage> &page) {
            if (generation != m_generation)
                return;
            if (!page) {
                fail(page.error());
                return;
            }
            if (!page->paths.isEmpty() || !page->entries.isEmpty()) {
                m_found.removeAt(index); // something was written under it since
                checkSubtrees(index);
            } else {
                checkSubtrees(index + 1);
            }
        });
}

void DeletedPathsModel::showRows()
{
    if (!m_found.isEmpty()) {
        beginInsertRows(QModelIndex(), 0, int(m_found.size()) - 1);
        m_rows = std::exchange(m_found, {});
        endInsertRows();
    }
    setLoading(false);
    emit loaded(int(m_rows.size()));
    readNextValue();
}

void DeletedPathsModel::readNextValue()
{
    if (m_nextValue >= m_rows.size()) {
        emit valuesLoaded();
        return;
    }
    const qsizetype rowIndex = m_nextValue;
    const Row &row = m_rows.at(rowIndex);
    const quint64 generation = m_generation;
    // The diff across the delete alone: its "before" is what the path held just before.
    m_transport->diff(m_store, row.seq - 1, row.seq)
        .then(this, [this, generation, rowIndex](const Result<QList<DiffChange>> &changes) {
            if (generation != m_generation || rowIndex >= m_rows.size())
                return;
            Row &row = m_rows[rowIndex];
            if (!changes) {
                const Error &error = changes.error();
                row.state =
                    error.reason() == QLatin1String("compacted") || error.httpStatus() == 409
                        ? ValueState::Compacted
                        : ValueState::Failed;
            } else {
                QList<Entry> below;
                std::optional<QJsonValue> self;
                for (const DiffChange &change : *changes) {
                    const auto path = Path::parse(change.path);
                    if (!path || !row.path.isSelfOrAncestorOf(*path) || change.before.isNull() ||
                        change.before.isUndefined())
                        continue;
                    if (*path == row.path)
                        self = change.before;
                    else
                        below.append(Entry{*path, change.before, QString(), 0});
                }
                if (self)
                    row.lastValue = *self;
                else if (!below.isEmpty())
                    row.lastValue = values::assembleSubtree(row.path, below).value;
                else
                    row.lastValue = QJsonValue(QJsonValue::Undefined);
                row.state = ValueState::Known;
            }
            emit dataChanged(index(int(rowIndex), 0), index(int(rowIndex), ColumnCount - 1));
            ++m_nextValue;
            readNextValue();
        });
}

void DeletedPathsModel::fail(const Error &error)
{
    m_errorText = HistoryModel::describeError(error);
    m_queries.clear();
    m_found.clear();
    setLoading(false);
    emit loadFailed(m_errorText);
}

void DeletedPathsModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    emit loadingChanged(loading);
}

int DeletedPathsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DeletedPathsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString DeletedPathsModel::valueText(const Row &row) const
{
    switch (row.state) {
    case ValueState::Pending:
        return tr("…");
    case ValueState::Compacted:
        return tr("unknown (compacted)");
    case ValueState::Failed:
        return tr("unknown (the diff failed)");
    case ValueState::Known:
        break;
    }
    if (row.lastValue.isUndefined())
        return tr("(nothing)");
    return values::preview(row.lastValue);
}

QVariant DeletedPathsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case PathColumn:
            return row.path.rendered();
        case LastValueColumn:
            return valueText(row);
        case SeqColumn:
            return row.seq;
        case TimeColumn:
            return row.at.isValid()
                       ? row.at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                       : QString();
        case DeviceColumn:
            return row.device;
        default:
            return {};
        }
    case Qt::ForegroundRole:
        return m_foreground;
    case Qt::ToolTipRole:
        return tr("%1 was deleted at seq %2 by %3")
            .arg(row.path.rendered(), QString::number(row.seq), row.device);
    case PathRole:
        return row.path.rendered();
    case DeletedSeqRole:
        return row.seq;
    case DeletedAtRole:
        return row.at;
    case DeviceRole:
        return row.device;
    case LastValueRole:
        return QVariant::fromValue(row.lastValue);
    case LastValueStateRole:
        return int(row.state);
    default:
        return {};
    }
}

QVariant DeletedPathsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case PathColumn:
        return tr("Deleted path");
    case LastValueColumn:
        return tr("Last value");
    case SeqColumn:
        return tr("Deleted at seq");
    case TimeColumn:
        return tr("Deleted at");
    case DeviceColumn:
        return tr("Deleted by");
    default:
        return {};
    }
}

Path DeletedPathsModel::pathAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).path : Path();
}

} // namespace dust
