#pragma once

#include "protocol/Error.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonValue>
#include <QList>
#include <QPointer>
#include <QString>

#include <optional>

namespace dust {

// The paths at or under a node whose last op was a delete: found in the audit log, shown
// with what they held just before, so a deleted path stays findable.
//
// Loading runs in steps over REST, each started when the one before answered:
// 1. the log's deletes at the node and under it (`op=delete`, the exact path and `node/**`;
//    the whole store for an invalid node), newest first, at most maxDeletes() of them; the
//    newest delete of each path counts;
// 2. which of those paths are gone now: one batch read of the exact leaves (getLeaves), then
//    for each path not a leaf, whether anything is left under it (a one-key listing);
// 3. the rows, newest deletion first, are inserted at once; then, one row at a time, the
//    value just before the deletion: the server's diff from seq-1 to the delete's seq (the
//    leaf's value, or the subtree assembled from its leaves). When the log no longer reaches
//    that far (409 compacted) the value is "unknown (compacted)".
//
// Rows are greyed: Qt::ForegroundRole answers setDeletedForeground() (the dock passes its
// palette's disabled text brush; this layer has no widgets).
class DeletedPathsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { PathColumn, LastValueColumn, SeqColumn, TimeColumn, DeviceColumn, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        PathRole = Qt::UserRole + 1, // QString, rendered
        DeletedSeqRole,              // qint64: the store_seq of the delete
        DeletedAtRole,               // QDateTime (UTC)
        DeviceRole,                  // QString: who deleted it
        LastValueRole,               // QJsonValue before the delete (undefined until known)
        LastValueStateRole,          // int: ValueState
    };
    Q_ENUM(Role)

    enum class ValueState { Pending, Known, Compacted, Failed };
    Q_ENUM(ValueState)

    static constexpr int DefaultMaxDeletes = 1000;

    explicit DeletedPathsModel(QObject *parent = nullptr);
    ~DeletedPathsModel() override;

    // The REST transport (not owned) and the store; null or empty shows nothing.
    void setSource(Transport *rest, const QString &store);
    // The node (invalid = the whole store).
    void setNode(const Path &node);
    // All three at once: one reload when any of them changed.
    void setScope(Transport *rest, const QString &store, const Path &node);
    const Path &node() const { return m_node; }
    // Delete ops read from the log at most (the newest ones).
    void setMaxDeletes(int count) { m_maxDeletes = std::max(1, count); }
    int maxDeletes() const { return m_maxDeletes; }
    // What Qt::ForegroundRole answers for every cell (e.g. a QBrush).
    void setDeletedForeground(const QVariant &brush);

    // Forgets the rows and looks again.
    void reload();

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    Path pathAt(int row) const;
    // Whether the rows are still being found (the last values may still be coming after).
    bool isLoading() const { return m_loading; }
    // Whether every row's last value is in (or known to be unknown).
    bool valuesComplete() const { return m_nextValue >= m_rows.size() && !m_loading; }
    const QString &errorText() const { return m_errorText; }

signals:
    void loadingChanged(bool loading);
    // The rows are in (`rows` of them); their values follow.
    void loaded(int rows);
    // Every row's last value is in.
    void valuesLoaded();
    void loadFailed(const QString &message);

private:
    struct Row
    {
        Path path;
        qint64 seq = 0;
        QDateTime at;
        QString device;
        QJsonValue lastValue;
        ValueState state = ValueState::Pending;
    };
    struct Query
    {
        QString path; // empty = all
        int nextPage = 1;
        bool done = false;
    };

    void readDeletes();
    void checkLeaves();
    void checkSubtrees(qsizetype index);
    void showRows();
    void readNextValue();
    void fail(const Error &error);
    void setLoading(bool loading);
    QString valueText(const Row &row) const;

    QPointer<Transport> m_transport;
    QString m_store;
    Path m_node;
    int m_maxDeletes = DefaultMaxDeletes;
    QVariant m_foreground;

    quint64 m_generation = 0;
    bool m_loading = false;
    QList<Query> m_queries;
    QList<Row> m_found; // candidates: newest delete of each path, newest first
    QList<Row> m_rows;  // shown
    qsizetype m_nextValue = 0;
    QString m_errorText;
};

} // namespace dust
