#include "HistoryModel.h"

#include "protocol/Values.h"

#include <QTimer>

#include <algorithm>
#include <cmath>
#include <memory>

namespace dust {

namespace {

// Rows newest first: the first row whose seq is below `seq`.
template <typename It> It firstOlder(It begin, It end, qint64 seq)
{
    return std::upper_bound(begin, end, seq,
                            [](qint64 s, const auto &row) { return row.op.storeSeq < s; });
}

QString eventOpName(const ChangeEvent &event)
{
    return event.opText.isEmpty() ? dust::opName(event.op) : event.opText;
}

const QChar kMinus(0x2212); // −, as a typographic minus

} // namespace

HistoryModel::HistoryModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    qRegisterMetaType<dust::AuditOp>();
}

HistoryModel::~HistoryModel() = default;

void HistoryModel::setSource(Transport *rest, const QString &store)
{
    setScope(rest, store, m_node);
}

void HistoryModel::setNode(const Path &node)
{
    setScope(m_transport, m_store, node);
}

void HistoryModel::setScope(Transport *rest, const QString &store, const Path &node)
{
    if (m_transport == rest && m_store == store && m_node == node)
        return;
    m_transport = rest;
    m_store = store;
    m_node = node;
    reload();
}

void HistoryModel::setFilter(const Filter &filter)
{
    if (m_filter == filter)
        return;
    m_filter = filter;
    reload();
}

void HistoryModel::setPageSize(int rows)
{
    m_pageSize = std::clamp(rows, 1, kMaxListLimit);
}

void HistoryModel::reload()
{
    ++m_generation;
    beginResetModel();
    m_rows.clear();
    m_seqs.clear();
    m_sources.clear();
    m_loadedPages = 0;
    m_liveRows = 0;
    m_wanted = 0;
    m_pageRows.clear();
    m_reconciling = false;
    m_reconcileAgain = false;
    m_errorText.clear();
    m_lastError.reset();
    if (m_transport && !m_store.isEmpty()) {
        auto addSource = [this](const QString &path) {
            Source source;
            source.path = path;
            m_sources.push_back(std::move(source));
        };
        if (m_node.isValid()) {
            addSource(m_node.rendered());
            addSource(m_node.rendered() + QStringLiteral("/**"));
            // A set, delete or merge of an ancestor may have written the node too.
            for (Path up = m_node.parent(); up.isValid(); up = up.parent()) {
                addSource(up.rendered());
                m_sources.back().ancestor = true;
            }
        } else {
            addSource(QString());
        }
    }
    endResetModel();
    setLoading(false);
    emit statusChanged();
    if (!m_sources.empty())
        fetchMore(QModelIndex());
}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeqColumn:
            return row.op.storeSeq;
        case TimeColumn:
            return row.at.isValid()
                       ? row.at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                       : QString();
        case DeviceColumn:
            return row.op.deviceId;
        case OpColumn:
            return row.op.op;
        case PathColumn:
            return row.op.path;
        case ValueColumn:
            return row.preview;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn && row.at.isValid())
            return row.at.toString(Qt::ISODateWithMs);
        if (index.column() == ValueColumn && row.live)
            return tr("Just received; the log's own record is read shortly.");
        if (index.column() == PathColumn || index.column() == DeviceColumn)
            return data(index, Qt::DisplayRole);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SeqColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case AuditOpRole:
        return QVariant::fromValue(row.op);
    case StoreSeqRole:
        return row.op.storeSeq;
    case OpRole:
        return row.op.op;
    case PathRole:
        return row.op.path;
    case DeviceRole:
        return row.op.deviceId;
    case TimeRole:
        return row.at;
    case ValuePreviewRole:
        return row.preview;
    case LiveRole:
        return row.live;
    default:
        return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SeqColumn:
        return tr("Seq");
    case TimeColumn:
        return tr("Time");
    case DeviceColumn:
        return tr("Device");
    case OpColumn:
        return tr("Op");
    case PathColumn:
        return tr("Path");
    case ValueColumn:
        return tr("Value");
    default:
        return {};
    }
}

bool HistoryModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_loading && !m_lastError && !atEnd();
}

void HistoryModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || m_loading || m_sources.empty() || atEnd())
        return;
    m_errorText.clear();
    m_lastError.reset();
    m_wanted = m_pageSize;
    m_pageRows.clear();
    setLoading(true);
    pump();
}

bool HistoryModel::atEnd() const
{
    return std::all_of(m_sources.begin(), m_sources.end(), [](const Source &source) {
        return source.exhausted && source.buffer.isEmpty();
    });
}

qint64 HistoryModel::totalOps() const
{
    qint64 total = 0;
    // An ancestor's ops not read yet are counted as if they all reached the node.
    for (const Source &source : m_sources)
        total += source.total - source.dropped;
    return std::max(total + m_liveRows, qint64(m_rows.size()));
}

AuditOp HistoryModel::opAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).op : AuditOp{};
}

int HistoryModel::rowOfSeq(qint64 storeSeq) const
{
    if (!m_seqs.contains(storeSeq))
        return -1;
    const auto it = firstOlder(m_rows.begin(), m_rows.end(), storeSeq + 1);
    return it != m_rows.end() && it->op.storeSeq == storeSeq ? int(it - m_rows.begin()) : -1;
}

AuditQuery HistoryModel::queryFor(const Source &source, int page, int limit) const
{
    AuditQuery query;
    query.path = source.path;
    query.op = m_filter.op;
    query.deviceId = m_filter.deviceId;
    if (m_filter.since.isValid())
        query.since = m_filter.since.toUTC().toString(Qt::ISODateWithMs);
    query.limit = limit;
    query.page = page;
    return query;
}

void HistoryModel::request(std::size_t index)
{
    Source &source = m_sources[index];
    source.inFlight = true;
    const quint64 generation = m_generation;
    const int limit = m_pageSize;
    m_transport->auditLog(m_store, queryFor(source, source.nextPage, limit))
        .then(this, [this, generation, index, limit](const Result<AuditPage> &page) {
            if (generation != m_generation || index >= m_sources.size())
                return;
            Source &source = m_sources[index];
            source.inFlight = false;
            if (!page) {
                fail(page.error());
                return;
            }
            source.total = page->total;
            ++source.nextPage;
            source.buffer = page->ops;
            if (source.ancestor)
                source.dropped += source.buffer.removeIf(
                    [this](const AuditOp &op) { return !touchesNode(op.op, op.path, op.value); });
            std::sort(source.buffer.begin(), source.buffer.end(),
                      [](const AuditOp &a, const AuditOp &b) { return a.storeSeq > b.storeSeq; });
            if (page->ops.size() < limit || page->page >= page->totalPages)
                source.exhausted = true;
            pump();
        });
}

void HistoryModel::pump()
{
    if (!m_loading)
        return;
    bool waiting = false;
    while (m_wanted > m_pageRows.size()) {
        for (std::size_t i = 0; i < m_sources.size(); ++i) {
            Source &source = m_sources[i];
            if (!source.buffer.isEmpty() || source.exhausted)
                continue;
            waiting = true;
            if (!source.inFlight && m_transport)
                request(i);
        }
        if (waiting)
            return; // on with the answers
        Source *newest = nullptr;
        for (Source &source : m_sources) {
            if (!source.buffer.isEmpty() &&
                (!newest || source.buffer.first().storeSeq > newest->buffer.first().storeSeq))
                newest = &source;
        }
        if (!newest)
            break; // every source is read to its end
        const AuditOp op = newest->buffer.takeFirst();
        // Offset pages shift when ops are added meanwhile: the same op may come twice.
        const bool repeated =
            std::any_of(m_pageRows.cbegin(), m_pageRows.cend(),
                        [&op](const Row &row) { return row.op.storeSeq == op.storeSeq; });
        if (repeated)
            continue;
        if (m_seqs.contains(op.storeSeq)) {
            mergeRows({rowFromLog(op)}); // confirms a live row, if it is one
            continue;
        }
        m_pageRows.append(rowFromLog(op));
    }
    finishPage();
}

void HistoryModel::finishPage()
{
    // The page in one insertion (or a few, where live rows sit between its rows).
    const int added = mergeRows(std::exchange(m_pageRows, {}));
    ++m_loadedPages;
    m_wanted = 0;
    setLoading(false);
    emit pageLoaded(added);
    emit statusChanged();
}

void HistoryModel::fail(const Error &error)
{
    mergeRows(std::exchange(m_pageRows, {})); // what was read of the page stays
    m_lastError = error;
    m_errorText = describeError(error);
    m_wanted = 0;
    setLoading(false);
    emit loadFailed(m_errorText);
    emit statusChanged();
}

void HistoryModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    emit loadingChanged(loading);
}

bool HistoryModel::touchesNode(const QString &op, const QString &opPath,
                               const QJsonValue &value) const
{
    return opReachesNode(m_node, op, opPath, value);
}

bool HistoryModel::opReachesNode(const Path &node, const QString &op, const QString &opPath,
                                 const QJsonValue &value)
{
    const auto at = Path::parse(opPath);
    if (!at || !node.isValid() || !at->isSelfOrAncestorOf(node) || *at == node)
        return false;
    if (op == QLatin1String("set") || op == QLatin1String("delete") ||
        op == QLatin1String("put_file"))
        return true;
    if (op == QLatin1String("merge"))
        return value.toObject().contains(node.segments().at(at->segments().size()));
    return false;
}

bool HistoryModel::accepts(const ChangeEvent &event) const
{
    if (m_node.isValid() && !m_node.isSelfOrAncestorOf(event.path) &&
        !touchesNode(eventOpName(event), event.path.rendered(), event.value))
        return false;
    if (!m_filter.op.isEmpty() && eventOpName(event) != m_filter.op)
        return false;
    if (!m_filter.deviceId.isEmpty() && event.deviceId != m_filter.deviceId)
        return false;
    return !m_filter.since.isValid() || m_filter.since <= QDateTime::currentDateTimeUtc();
}

void HistoryModel::applyLiveEvents(const QList<dust::ChangeEvent> &events)
{
    if (m_sources.empty())
        return;
    QList<Row> rows;
    for (const ChangeEvent &event : events) {
        if (accepts(event) && !m_seqs.contains(event.storeSeq))
            rows.append(rowFromEvent(event));
    }
    const int added = mergeRows(std::move(rows));
    if (added == 0)
        return;
    m_liveRows += added;
    emit statusChanged();
    if (m_reconciling) {
        m_reconcileAgain = true;
        return;
    }
    m_reconciling = true;
    QTimer::singleShot(0, this, &HistoryModel::reconcile);
}

void HistoryModel::reconcile()
{
    if (!m_transport || m_sources.empty() || m_liveRows == 0) {
        m_reconciling = false;
        return;
    }
    m_reconcileAgain = false;
    // The newest page of each query, large enough to hold every live row.
    const int limit = std::clamp(m_liveRows + 1, 1, kMaxListLimit);
    const quint64 generation = m_generation;
    auto pending = std::make_shared<int>(int(m_sources.size()));
    auto read = std::make_shared<QList<AuditOp>>();
    for (std::size_t i = 0; i < m_sources.size(); ++i) {
        m_transport->auditLog(m_store, queryFor(m_sources[i], 1, limit))
            .then(this, [this, generation, pending, read, i](const Result<AuditPage> &page) {
                if (generation != m_generation)
                    return;
                if (page) {
                    for (const AuditOp &op : page->ops) {
                        if (i >= m_sources.size() || !m_sources[i].ancestor ||
                            touchesNode(op.op, op.path, op.value))
                            read->append(op);
                    }
                    if (i < m_sources.size())
                        m_sources[i].total = page->total;
                }
                if (--*pending > 0)
                    return;
                // Only what lies within the rows shown: older ops come with their page.
                const qint64 oldest = atEnd() || m_rows.isEmpty() ? 0 : m_rows.last().op.storeSeq;
                QList<Row> rows;
                for (const AuditOp &op : std::as_const(*read)) {
                    if (op.storeSeq >= oldest)
                        rows.append(rowFromLog(op));
                }
                mergeRows(std::move(rows));
                m_reconciling = false;
                emit statusChanged();
                if (m_liveRows == 0)
                    emit liveRowsConfirmed();
                if (m_reconcileAgain && m_liveRows > 0) {
                    m_reconciling = true;
                    QTimer::singleShot(0, this, &HistoryModel::reconcile);
                }
            });
    }
}

int HistoryModel::mergeRows(QList<Row> incoming)
{
    std::sort(incoming.begin(), incoming.end(),
              [](const Row &a, const Row &b) { return a.op.storeSeq > b.op.storeSeq; });
    incoming.erase(
        std::unique(incoming.begin(), incoming.end(),
                    [](const Row &a, const Row &b) { return a.op.storeSeq == b.op.storeSeq; }),
        incoming.end());
    int inserted = 0;
    qsizetype pos = 0;
    qsizetype i = 0;
    while (i < incoming.size()) {
        const qint64 seq = incoming.at(i).op.storeSeq;
        pos = firstOlder(m_rows.begin() + pos, m_rows.end(), seq) - m_rows.begin();
        if (m_seqs.contains(seq)) {
            // pos is just past it.
            const qsizetype at = pos - 1;
            Row &row = m_rows[at];
            if (row.live && !incoming.at(i).live) {
                row = incoming.at(i);
                --m_liveRows;
                emit dataChanged(index(int(at), 0), index(int(at), ColumnCount - 1));
            }
            ++i;
            continue;
        }
        // A run of new rows that all belong before m_rows[pos].
        const qint64 bound = pos < m_rows.size() ? m_rows.at(pos).op.storeSeq : -1;
        qsizetype end = i;
        while (end < incoming.size() && incoming.at(end).op.storeSeq > bound &&
               !m_seqs.contains(incoming.at(end).op.storeSeq))
            ++end;
        const int count = int(end - i);
        beginInsertRows(QModelIndex(), int(pos), int(pos) + count - 1);
        // The run moves in at once: the rows after it shift one time, not once per row.
        m_rows.insert(pos, count, Row());
        for (qsizetype k = i; k < end; ++k) {
            m_seqs.insert(incoming.at(k).op.storeSeq);
            m_rows[pos + (k - i)] = std::move(incoming[k]);
        }
        endInsertRows();
        inserted += count;
        pos += count;
        i = end;
    }
    return inserted;
}

HistoryModel::Row HistoryModel::rowFromLog(const AuditOp &op)
{
    Row row;
    row.op = op;
    row.at = QDateTime::fromString(op.insertedAt, Qt::ISODateWithMs);
    if (!row.at.isValid())
        row.at = QDateTime::fromString(op.insertedAt, Qt::ISODate);
    row.at = row.at.toUTC();
    row.preview = valuePreview(op.op, op.value);
    return row;
}

HistoryModel::Row HistoryModel::rowFromEvent(const ChangeEvent &event)
{
    Row row;
    row.live = true;
    row.op.storeSeq = event.storeSeq;
    row.op.op = eventOpName(event);
    row.op.path = event.path.rendered();
    row.op.value = event.value;
    row.op.deviceId = event.deviceId;
    row.at = QDateTime::currentDateTimeUtc();
    row.op.insertedAt = row.at.toString(Qt::ISODateWithMs);
    switch (event.op) {
    case Op::Increment:
    case Op::Add:
    case Op::Remove:
        // The event carries the result, not the delta or member.
        row.preview = tr("= %1").arg(values::preview(event.value));
        break;
    default:
        row.preview = valuePreview(row.op.op, event.value);
        break;
    }
    return row;
}

QString HistoryModel::valuePreview(const QString &op, const QJsonValue &value, int maxChars)
{
    if (op == QLatin1String("delete") || op == QLatin1String("release"))
        return {};
    if (op == QLatin1String("increment") && value.isDouble()) {
        const double delta = value.toDouble();
        const QString magnitude = values::preview(QJsonValue(std::abs(delta)), maxChars);
        return (delta < 0 ? QString(kMinus) : QStringLiteral("+")) + magnitude;
    }
    if (op == QLatin1String("add"))
        return QStringLiteral("+ ") + values::preview(value, maxChars);
    if (op == QLatin1String("remove"))
        return QString(kMinus) + QLatin1Char(' ') + values::preview(value, maxChars);
    return values::preview(value, maxChars);
}

QString HistoryModel::describeError(const Error &error)
{
    switch (error.kind()) {
    case Error::Kind::Forbidden:
        return tr("This token may not read the history: it needs the audit:read scope.");
    case Error::Kind::Unauthorized:
        return tr("The server refused the token: it is missing, revoked or expired.");
    case Error::Kind::NotFound:
        return tr("The server does not know this store.");
    case Error::Kind::Network:
        return tr("The server cannot be reached over REST: %1").arg(error.detail());
    case Error::Kind::NotSupported:
        return tr("This connection cannot read the history (no REST access).");
    case Error::Kind::RateLimited:
        return tr("The server limits how often this token may read; try again in a minute.");
    case Error::Kind::NotImplemented:
        return tr("This server has no audit log.");
    default:
        return tr("The history could not be read: %1").arg(error.message());
    }
}

} // namespace dust
