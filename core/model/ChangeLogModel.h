#pragma once

#include "protocol/Entry.h"
#include "protocol/Glob.h"
#include "protocol/Path.h"

#include <QAbstractTableModel>
#include <QList>
#include <QString>

#include <deque>
#include <optional>

namespace dust {

// The live event stream of a store as a table, newest row last: time received, store_seq,
// op, path, value preview (dust::values::preview) and device.
//
// Rows live in a bounded ring (capacity(), default 10,000). Events are appended without a
// reset: a batch of N events is one beginRemoveRows() of the oldest rows it pushes out (first)
// and one beginInsertRows() at the end, whatever N is. Only the preview of a value is kept,
// so memory is bounded by the capacity.
//
// A glob filter (dust::Glob) shows only the rows whose path matches; changing it resets the
// model (a user action). Rows that do not match stay in the ring, so clearing the filter shows
// them again.
//
// Paused: events arriving while paused are queued, up to the capacity (beyond that the oldest
// queued ones are dropped and counted in droppedWhilePaused()); pausedEventCount() says how
// many arrived. Resuming appends the queue as one batch. clear() empties the ring and the
// queue.
class ChangeLogModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_PROPERTY(int capacity READ capacity WRITE setCapacity NOTIFY capacityChanged)
    Q_PROPERTY(bool paused READ isPaused WRITE setPaused NOTIFY pausedChanged)
    Q_PROPERTY(int pausedEventCount READ pausedEventCount NOTIFY pausedEventCountChanged)
    Q_PROPERTY(int droppedWhilePaused READ droppedWhilePaused NOTIFY pausedEventCountChanged)
    Q_PROPERTY(QString filter READ filter NOTIFY filterChanged)
    Q_PROPERTY(int totalCount READ totalCount NOTIFY totalCountChanged)

public:
    enum Column {
        TimeColumn,
        SeqColumn,
        OpColumn,
        PathColumn,
        ValueColumn,
        DeviceColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        ReceivedAtRole = Qt::UserRole + 1, // QDateTime
        StoreSeqRole,                      // qint64
        OpRole,                            // QString, the op as received
        PathRole,                          // QString, rendered path
        PathSegmentsRole,                  // QStringList
        ValuePreviewRole,                  // QString
        DeviceRole,                        // QString
        ClientOpIdRole,                    // QString
        PausedEventCountRole,              // int, the same for every row: events held while paused
    };
    Q_ENUM(Role)

    static constexpr int DefaultCapacity = 10000;
    static constexpr int PreviewChars = 120;

    explicit ChangeLogModel(QObject *parent = nullptr);
    ~ChangeLogModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int capacity() const { return m_capacity; }
    // At least 1. Shrinking removes the oldest rows (one beginRemoveRows()).
    void setCapacity(int capacity);

    bool isPaused() const { return m_paused; }
    int pausedEventCount() const { return m_pausedArrived; }
    int droppedWhilePaused() const { return m_pausedDropped; }

    // Rows held in the ring (matching the filter or not).
    int totalCount() const { return int(m_rows.size()); }

    QString filter() const { return m_filter.pattern(); }
    // An empty pattern shows every row. An invalid pattern leaves the filter unchanged and
    // returns the error.
    std::optional<GlobError> setFilter(const QString &pattern);

    // The event behind a visible row (value preview only), for inspectors.
    qint64 storeSeqAt(int row) const;
    Path pathAt(int row) const;

public slots:
    void appendEvent(const dust::ChangeEvent &event);
    void appendEvents(const QList<dust::ChangeEvent> &events);
    void setPaused(bool paused);
    void clear();

signals:
    void capacityChanged(int capacity);
    void pausedChanged(bool paused);
    void pausedEventCountChanged(int count);
    void filterChanged(const QString &pattern);
    void totalCountChanged(int count);

private:
    struct Row
    {
        qint64 receivedMs = 0;
        qint64 storeSeq = 0;
        QString op;
        Path path;
        QString preview;
        QString device;
        QString clientOpId;
    };

    Row makeRow(const ChangeEvent &event, qint64 receivedMs) const;
    void appendRows(std::deque<Row> rows);
    bool matches(const Row &row) const;
    const Row &visibleRow(int row) const;
    void rebuildVisible();

    int m_capacity = DefaultCapacity;
    std::deque<Row> m_rows; // oldest first
    quint64 m_firstId = 0;  // the id of m_rows.front(); ids grow by one per appended row

    bool m_filtered = false;
    Glob m_filter;
    std::deque<quint64> m_visible; // ids of the matching rows, when filtered

    bool m_paused = false;
    std::deque<Row> m_queue; // rows that arrived while paused
    int m_pausedArrived = 0;
    int m_pausedDropped = 0;
};

} // namespace dust
