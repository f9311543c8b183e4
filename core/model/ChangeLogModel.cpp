#include "ChangeLogModel.h"

#include "protocol/Values.h"

#include <QDateTime>

#include <algorithm>

namespace dust {

ChangeLogModel::ChangeLogModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    qRegisterMetaType<dust::ChangeEvent>();
}

ChangeLogModel::~ChangeLogModel() = default;

int ChangeLogModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(m_filtered ? m_visible.size() : m_rows.size());
}

int ChangeLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const ChangeLogModel::Row &ChangeLogModel::visibleRow(int row) const
{
    if (!m_filtered)
        return m_rows[size_t(row)];
    return m_rows[size_t(m_visible[size_t(row)] - m_firstId)];
}

QVariant ChangeLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() < 0 ||
        index.row() >= rowCount() || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    const Row &row = visibleRow(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(row.receivedMs)
                .toString(QStringLiteral("HH:mm:ss.zzz"));
        case SeqColumn:
            return row.storeSeq;
        case OpColumn:
            return row.op;
        case PathColumn:
            return row.path.rendered();
        case ValueColumn:
            return row.preview;
        case DeviceColumn:
            return row.device;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn)
            return QDateTime::fromMSecsSinceEpoch(row.receivedMs).toString(Qt::ISODateWithMs);
        if (index.column() == PathColumn)
            return row.path.rendered();
        if (index.column() == DeviceColumn && !row.clientOpId.isEmpty())
            return QStringLiteral("%1 (%2)").arg(row.device, row.clientOpId);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SeqColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case ReceivedAtRole:
        return QDateTime::fromMSecsSinceEpoch(row.receivedMs);
    case StoreSeqRole:
        return row.storeSeq;
    case OpRole:
        return row.op;
    case PathRole:
        return row.path.rendered();
    case PathSegmentsRole:
        return row.path.segments();
    case ValuePreviewRole:
        return row.preview;
    case DeviceRole:
        return row.device;
    case ClientOpIdRole:
        return row.clientOpId;
    case PausedEventCountRole:
        return m_pausedArrived;
    default:
        return {};
    }
}

QVariant ChangeLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case SeqColumn:
        return tr("Seq");
    case OpColumn:
        return tr("Op");
    case PathColumn:
        return tr("Path");
    case ValueColumn:
        return tr("Value");
    case DeviceColumn:
        return tr("Device");
    default:
        return {};
    }
}

QHash<int, QByteArray> ChangeLogModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(ReceivedAtRole, "receivedAt");
    names.insert(StoreSeqRole, "storeSeq");
    names.insert(OpRole, "op");
    names.insert(PathRole, "path");
    names.insert(PathSegmentsRole, "pathSegments");
    names.insert(ValuePreviewRole, "valuePreview");
    names.insert(DeviceRole, "device");
    names.insert(ClientOpIdRole, "clientOpId");
    names.insert(PausedEventCountRole, "pausedEventCount");
    return names;
}

qint64 ChangeLogModel::storeSeqAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return 0;
    return visibleRow(row).storeSeq;
}

Path ChangeLogModel::pathAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    return visibleRow(row).path;
}

ChangeLogModel::Row ChangeLogModel::makeRow(const ChangeEvent &event, qint64 receivedMs) const
{
    Row row;
    row.receivedMs = receivedMs;
    row.storeSeq = event.storeSeq;
    row.op = event.opText.isEmpty() ? opName(event.op) : event.opText;
    row.path = event.path;
    const bool noValue = event.value.isNull() || event.value.isUndefined();
    if (!(noValue && (event.op == Op::Delete || event.op == Op::Release)))
        row.preview = values::preview(event.value, PreviewChars);
    row.device = event.deviceId;
    row.clientOpId = event.clientOpId;
    return row;
}

bool ChangeLogModel::matches(const Row &row) const
{
    return !m_filtered || m_filter.matches(row.path);
}

void ChangeLogModel::appendEvent(const ChangeEvent &event)
{
    appendEvents({event});
}

void ChangeLogModel::appendEvents(const QList<ChangeEvent> &events)
{
    if (events.isEmpty())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // Only the newest `capacity` can survive; do not build rows for the others.
    const qsizetype skip = std::max<qsizetype>(0, events.size() - m_capacity);
    if (m_paused) {
        m_pausedArrived += int(events.size());
        m_pausedDropped += int(skip);
        for (qsizetype i = skip; i < events.size(); ++i)
            m_queue.push_back(makeRow(events[i], now));
        while (m_queue.size() > size_t(m_capacity)) {
            m_queue.pop_front();
            ++m_pausedDropped;
        }
        emit pausedEventCountChanged(m_pausedArrived);
        return;
    }
    std::deque<Row> rows;
    for (qsizetype i = skip; i < events.size(); ++i)
        rows.push_back(makeRow(events[i], now));
    appendRows(std::move(rows));
}

void ChangeLogModel::appendRows(std::deque<Row> rows)
{
    while (rows.size() > size_t(m_capacity))
        rows.pop_front();
    const size_t overflow =
        std::max<qsizetype>(0, qsizetype(m_rows.size()) + qsizetype(rows.size()) - m_capacity);

    // The oldest rows go first: one removal at the top.
    if (overflow > 0) {
        const quint64 newFirst = m_firstId + overflow;
        if (m_filtered) {
            const auto end = std::lower_bound(m_visible.begin(), m_visible.end(), newFirst);
            const auto gone = int(end - m_visible.begin());
            if (gone > 0) {
                beginRemoveRows({}, 0, gone - 1);
                m_visible.erase(m_visible.begin(), end);
                m_rows.erase(m_rows.begin(), m_rows.begin() + qsizetype(overflow));
                m_firstId = newFirst;
                endRemoveRows();
            } else {
                m_rows.erase(m_rows.begin(), m_rows.begin() + qsizetype(overflow));
                m_firstId = newFirst;
            }
        } else {
            beginRemoveRows({}, 0, int(overflow) - 1);
            m_rows.erase(m_rows.begin(), m_rows.begin() + qsizetype(overflow));
            m_firstId = newFirst;
            endRemoveRows();
        }
    }

    // Then the new ones: one insertion at the end.
    if (!rows.empty()) {
        if (m_filtered) {
            std::vector<quint64> ids;
            quint64 id = m_firstId + m_rows.size();
            for (const Row &row : rows) {
                if (matches(row))
                    ids.push_back(id);
                ++id;
            }
            if (!ids.empty()) {
                const int first = int(m_visible.size());
                beginInsertRows({}, first, first + int(ids.size()) - 1);
                std::move(rows.begin(), rows.end(), std::back_inserter(m_rows));
                m_visible.insert(m_visible.end(), ids.begin(), ids.end());
                endInsertRows();
            } else {
                std::move(rows.begin(), rows.end(), std::back_inserter(m_rows));
            }
        } else {
            const int first = int(m_rows.size());
            beginInsertRows({}, first, first + int(rows.size()) - 1);
            std::move(rows.begin(), rows.end(), std::back_inserter(m_rows));
            endInsertRows();
        }
    }
    if (overflow > 0 || !rows.empty())
        emit totalCountChanged(totalCount());
}

void ChangeLogModel::setCapacity(int capacity)
{
    capacity = std::max(1, capacity);
    if (capacity == m_capacity)
        return;
    m_capacity = capacity;
    // Shrinking: the same removal path as an append of nothing.
    if (m_rows.size() > size_t(m_capacity))
        appendRows({});
    while (m_queue.size() > size_t(m_capacity)) {
        m_queue.pop_front();
        ++m_pausedDropped;
    }
    emit capacityChanged(m_capacity);
}

void ChangeLogModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!paused) {
        std::deque<Row> queued = std::move(m_queue);
        m_queue.clear();
        m_pausedArrived = 0;
        m_pausedDropped = 0;
        appendRows(std::move(queued));
        emit pausedEventCountChanged(0);
    }
    emit pausedChanged(m_paused);
}

std::optional<GlobError> ChangeLogModel::setFilter(const QString &pattern)
{
    if (pattern.isEmpty()) {
        if (!m_filtered)
            return std::nullopt;
        beginResetModel();
        m_filtered = false;
        m_filter = Glob();
        m_visible.clear();
        endResetModel();
        emit filterChanged(QString());
        return std::nullopt;
    }
    auto compiled = Glob::compile(pattern);
    if (!compiled)
        return compiled.error();
    if (m_filtered && m_filter.pattern() == pattern)
        return std::nullopt;
    beginResetModel();
    m_filtered = true;
    m_filter = *compiled;
    rebuildVisible();
    endResetModel();
    emit filterChanged(pattern);
    return std::nullopt;
}

void ChangeLogModel::rebuildVisible()
{
    m_visible.clear();
    if (!m_filtered)
        return;
    quint64 id = m_firstId;
    for (const Row &row : m_rows) {
        if (matches(row))
            m_visible.push_back(id);
        ++id;
    }
}

void ChangeLogModel::clear()
{
    beginResetModel();
    m_firstId += m_rows.size();
    m_rows.clear();
    m_visible.clear();
    endResetModel();
    const bool hadQueue = m_pausedArrived != 0 || !m_queue.empty();
    m_queue.clear();
    m_pausedArrived = 0;
    m_pausedDropped = 0;
    if (hadQueue)
        emit pausedEventCountChanged(0);
    emit totalCountChanged(0);
}

} // namespace dust
