#pragma once

#include "protocol/Error.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonValue>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QString>

#include <optional>

namespace dust {

// The paths at or under a node whose last op was a delete: found in the audit log, shown
// with what they held just before, so a deleted path stays findable. A delete of a subtree
// removed its leaves too, and a delete of an ancestor of the node removed what lay under the
// node: those leaves are listed one by one, each with the delete that removed it
// (DeletedByRole, the "Deleted with" column).
//
// Loading runs in steps over REST, each started when the one before answered:
// 1. the log's deletes (`op=delete`) at the node, under it (`node/**`) and at each of its
//    ancestors (exact paths, as HistoryModel reads them; the whole store for an invalid
//    node), newest first, at most maxDeletes() of them; the newest delete of each path
//    counts;
// 2. then, one delete at a time, newest first: the server's diff from seq-1 to its seq, which
//    lists exactly the leaves it removed with their values just before (a delete only
//    removes, so a null there is a leaf that held null). The deleted path itself (when at or
//    under the node) becomes a row with its value (the leaf's, or the subtree assembled from
//    its leaves), and so does each leaf it removed at or under the node. A path a newer
//    delete already accounted for, or that is there now (a batch read of the exact leaves;
//    for the deleted path itself, also anything under it), is left out: a path deleted and
//    written again is not deleted. When the log no longer reaches the delete (409
//    compacted), its own row says "unknown (compacted)" and the leaves it removed cannot be
//    listed (limitText() says so).
// Rows come newest deletion first, appended as each delete is read; at most maxRows() of
// them (limitText() says when a cap was hit).
//
// Rows are greyed: Qt::ForegroundRole answers setDeletedForeground() (the dock passes its
// palette's disabled text brush; this layer has no widgets).
class DeletedPathsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        PathColumn,
        LastValueColumn,
        SeqColumn,
        TimeColumn,
        DeviceColumn,
        DeletedByColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        PathRole = Qt::UserRole + 1, // QString, rendered
        DeletedSeqRole,              // qint64: the store_seq of the delete
        DeletedAtRole,               // QDateTime (UTC)
        DeviceRole,                  // QString: who deleted it
        LastValueRole,               // QJsonValue before the delete (undefined until known)
        LastValueStateRole,          // int: ValueState
        DeletedByRole,               // QString: the path the delete op named (it or an ancestor)
    };
    Q_ENUM(Role)

    enum class ValueState { Pending, Known, Compacted, Failed };
    Q_ENUM(ValueState)

    static constexpr int DefaultMaxDeletes = 1000;
    static constexpr int DefaultMaxRows = 5000;

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
    // Rows listed at most (the newest deletions).
    void setMaxRows(int count) { m_maxRows = std::max(1, count); }
    int maxRows() const { return m_maxRows; }
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
    bool valuesComplete() const { return !m_loading; }
    const QString &errorText() const { return m_errorText; }
    // What the list leaves out, in words (empty when nothing): a cap hit, or deletes older
    // than the op log whose removed leaves are not known.
    QString limitText() const;

signals:
    void loadingChanged(bool loading);
    // Every delete was read: the rows (`rows` of them) are in, with their values.
    void loaded(int rows);
    // Emitted right after loaded() (every row's last value is in).
    void valuesLoaded();
    void loadFailed(const QString &message);

private:
    struct Row
    {
        Path path;
        qint64 seq = 0;
        QDateTime at;
        QString device;
        Path deletedBy; // the path the delete op named
        QJsonValue lastValue;
        ValueState state = ValueState::Pending;
    };
    struct Query
    {
        QString path; // empty = all
        bool ancestor = false;
        int nextPage = 1;
        bool done = false;
    };
    struct Delete
    {
        Path path;
        qint64 seq = 0;
        QDateTime at;
        QString device;
        bool ancestor = false; // a strict ancestor of the node
    };

    void readDeletes();
    void readNextDelete();
    void gotRemoved(const Delete &del, QList<Row> rows);
    void checkExisting(QList<Row> rows, qsizetype ownRow);
    void appendRows(QList<Row> rows);
    void finish();
    void fail(const Error &error);
    void setLoading(bool loading);
    QString valueText(const Row &row) const;

    QPointer<Transport> m_transport;
    QString m_store;
    Path m_node;
    int m_maxDeletes = DefaultMaxDeletes;
    int m_maxRows = DefaultMaxRows;
    QVariant m_foreground;

    quint64 m_generation = 0;
    bool m_loading = false;
    QList<Query> m_queries;
    QList<Delete> m_deletes; // the newest delete of each path, newest first
    qsizetype m_nextDelete = 0;
    QSet<QString> m_claimed; // paths a newer delete accounted for (listed or there now)
    QList<Row> m_rows;       // shown, newest deletion first
    bool m_deletesCapped = false;
    bool m_rowsCapped = false;
    int m_compactedDeletes = 0; // deletes whose removed leaves the log no longer tells
    QString m_errorText;
};

} // namespace dust
