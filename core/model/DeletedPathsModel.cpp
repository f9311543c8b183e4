#include "DeletedPathsModel.h"

#include "DiffSource.h"
#include "HistoryModel.h"
#include "protocol/Values.h"

#include <QHash>

#include <algorithm>
#include <functional>
#include <memory>

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
    m_deletes.clear();
    m_queries.clear();
    m_claimed.clear();
    m_nextDelete = 0;
    m_deletesCapped = false;
    m_rowsCapped = false;
    m_compactedDeletes = 0;
    m_errorText.clear();
    endResetModel();
    if (!m_transport || m_store.isEmpty()) {
        setLoading(false);
        return;
    }
    if (m_node.isValid()) {
        m_queries.append(Query{m_node.rendered()});
        m_queries.append(Query{m_node.rendered() + QStringLiteral("/**")});
        // A delete of an ancestor removed everything under it, the node included.
        for (Path up = m_node.parent(); up.isValid(); up = up.parent())
            m_queries.append(Query{up.rendered(), true});
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
    if (next == m_queries.end() || m_deletes.size() >= m_maxDeletes) {
        m_deletesCapped = next != m_queries.end();
        std::stable_sort(m_deletes.begin(), m_deletes.end(),
                         [](const Delete &a, const Delete &b) { return a.seq > b.seq; });
        if (m_deletes.size() > m_maxDeletes) {
            m_deletes.resize(m_maxDeletes);
            m_deletesCapped = true;
        }
        readNextDelete();
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
                    std::find_if(m_deletes.cbegin(), m_deletes.cend(),
                                 [&path](const Delete &del) { return del.path == *path; });
                if (known != m_deletes.cend())
                    continue; // an older delete of a path already found (newest first)
                m_deletes.append(
                    Delete{*path, op.storeSeq, timeOf(op.insertedAt), op.deviceId, query.ancestor});
            }
            readDeletes();
        });
}

// The diff across the delete alone lists exactly the leaves it removed, with their values
// just before.
void DeletedPathsModel::readNextDelete()
{
    if (m_rowsCapped || m_nextDelete >= m_deletes.size()) {
        finish();
        return;
    }
    const Delete del = m_deletes.at(m_nextDelete++);
    const quint64 generation = m_generation;
    m_transport->diff(m_store, del.seq - 1, del.seq)
        .then(this, [this, generation, del](const Result<QList<DiffChange>> &changes) {
            if (generation != m_generation)
                return;
            const bool ownRow = !del.ancestor && !m_claimed.contains(del.path.rendered());
            m_claimed.insert(del.path.rendered());
            Row own{del.path, del.seq, del.at, del.device, del.path, {}, ValueState::Known};
            QList<Row> rows;
            if (!changes) {
                const Error &error = changes.error();
                const bool compacted =
                    error.reason() == QLatin1String("compacted") || error.httpStatus() == 409;
                own.state = compacted ? ValueState::Compacted : ValueState::Failed;
                if (compacted)
                    ++m_compactedDeletes;
                if (ownRow)
                    rows.append(own);
                checkExisting(std::move(rows), ownRow ? 0 : -1);
                return;
            }
            QList<Entry> below;
            std::optional<QJsonValue> self;
            QList<Row> leaves;
            for (const DiffChange &change : *changes) {
                const auto path = Path::parse(change.path);
                // A delete only removes: every side before is a leaf (null: it held null).
                if (!path || !del.path.isSelfOrAncestorOf(*path) || change.before.isUndefined())
                    continue;
                if (*path == del.path) {
                    self = change.before;
                    continue;
                }
                below.append(Entry{*path, change.before, QString(), 0});
                const QString rendered = path->rendered();
                if (DiffSource::inScope(m_node, rendered) && !m_claimed.contains(rendered))
                    leaves.append(Row{*path, del.seq, del.at, del.device, del.path, change.before,
                                      ValueState::Known});
                m_claimed.insert(rendered);
            }
            if (self)
                own.lastValue = *self;
            else if (!below.isEmpty())
                own.lastValue = values::assembleSubtree(del.path, below).value;
            else
                own.lastValue = QJsonValue(QJsonValue::Undefined);
            std::sort(leaves.begin(), leaves.end(),
                      [](const Row &a, const Row &b) { return a.path < b.path; });
            if (ownRow)
                rows.append(own);
            rows.append(leaves);
            checkExisting(std::move(rows), ownRow ? 0 : -1);
        });
}

// Leaves there now were written again since: they are not deleted. Batch reads of the exact
// leaves (at most kLeavesPerBatch each), one after another until the rows left would fill
// maxRows(); then for the deleted path itself, when it is not a leaf now, whether anything
// lies under it.
void DeletedPathsModel::checkExisting(QList<Row> rows, qsizetype ownRow)
{
    struct Check
    {
        QList<Row> rows;
        qsizetype ownRow = -1;
        qsizetype next = 0; // rows before it were checked
        QList<Row> kept;
        bool ownKept = false;
    };
    auto check = std::make_shared<Check>();
    check->rows = std::move(rows);
    check->ownRow = ownRow;
    auto step = std::make_shared<std::function<void()>>();
    const quint64 generation = m_generation;
    *step = [this, check, generation, weak = std::weak_ptr(step)]() {
        const qsizetype room = m_maxRows - m_rows.size();
        if (check->next < check->rows.size() && check->kept.size() <= room) {
            QList<Path> paths;
            const qsizetype begin = check->next;
            const qsizetype end = std::min(check->rows.size(), begin + kLeavesPerBatch);
            for (qsizetype i = begin; i < end; ++i)
                paths.append(check->rows.at(i).path);
            check->next = end;
            m_transport->getLeaves(m_store, paths)
                .then(this, [this, check, generation, begin, end,
                             step = weak.lock()](const Result<QList<Entry>> &leaves) {
                    if (generation != m_generation)
                        return;
                    if (!leaves) {
                        fail(leaves.error());
                        return;
                    }
                    QSet<QString> there;
                    for (const Entry &entry : *leaves)
                        there.insert(entry.path.rendered());
                    for (qsizetype i = begin; i < end; ++i) {
                        if (there.contains(check->rows.at(i).path.rendered()))
                            continue;
                        if (i == check->ownRow)
                            check->ownKept = true;
                        check->kept.append(check->rows.at(i));
                    }
                    (*step)();
                });
            return;
        }
        if (!check->ownKept) {
            appendRows(std::move(check->kept));
            return;
        }
        // The deleted path is not a leaf now: is anything under it?
        ListQuery query;
        query.pattern = check->kept.first().path.rendered() + QStringLiteral("/**");
        query.limit = 1;
        query.select = ListQuery::Select::Keys;
        m_transport->list(m_store, query)
            .then(this, [this, check, generation](const Result<ListPage> &page) {
                if (generation != m_generation)
                    return;
                if (!page) {
                    fail(page.error());
                    return;
                }
                if (!page->paths.isEmpty() || !page->entries.isEmpty())
                    check->kept.removeFirst(); // something was written under it since
                appendRows(std::move(check->kept));
            });
    };
    (*step)();
}

void DeletedPathsModel::appendRows(QList<Row> rows)
{
    const qsizetype room = m_maxRows - m_rows.size();
    if (rows.size() > room) {
        rows.resize(room);
        m_rowsCapped = true;
    }
    if (!rows.isEmpty()) {
        beginInsertRows(QModelIndex(), int(m_rows.size()), int(m_rows.size() + rows.size()) - 1);
        m_rows.append(std::move(rows));
        endInsertRows();
    }
    readNextDelete();
}

void DeletedPathsModel::finish()
{
    setLoading(false);
    emit loaded(int(m_rows.size()));
    emit valuesLoaded();
}

QString DeletedPathsModel::limitText() const
{
    QStringList words;
    if (m_rowsCapped)
        words << tr("Only the newest %n deleted path(s) are listed.", nullptr, m_maxRows);
    if (m_deletesCapped)
        words << tr("Only the newest %n delete(s) in the log were read.", nullptr, m_maxDeletes);
    if (m_compactedDeletes > 0)
        words << tr("%n delete(s) are older than the op log's start (compacted): the leaves "
                    "they removed are not known.",
                    nullptr, m_compactedDeletes);
    return words.join(QLatin1Char(' '));
}

void DeletedPathsModel::fail(const Error &error)
{
    m_errorText = HistoryModel::describeError(error);
    m_queries.clear();
    m_deletes.clear();
    ++m_generation; // what is still on its way is dropped
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
        case DeletedByColumn:
            return row.deletedBy.rendered();
        default:
            return {};
        }
    case Qt::ForegroundRole:
        return m_foreground;
    case Qt::ToolTipRole:
        if (row.deletedBy != row.path)
            return tr("%1 was removed at seq %2 by %3, with the delete of %4")
                .arg(row.path.rendered(), QString::number(row.seq), row.device,
                     row.deletedBy.rendered());
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
    case DeletedByRole:
        return row.deletedBy.rendered();
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
    case DeletedByColumn:
        return tr("Deleted with");
    default:
        return {};
    }
}

Path DeletedPathsModel::pathAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).path : Path();
}

} // namespace dust
