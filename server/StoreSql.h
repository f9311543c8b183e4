#pragma once

#include "LeafSink.h"
#include "StoreWrite.h"
#include "protocol/Entry.h"
#include "protocol/Expected.h"
#include "protocol/Path.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

namespace dust::lite {

// One store's SQLite database: the schema, prepared statements, transactions, and the rows
// that writes change (leaves, ops, blobs), with the counters a store keeps in memory (current
// seq, entry count, latest snapshot). As a LeafSink it applies ops to the stored leaves,
// keeping the entry count exact. Any failed statement marks the store failed until the next
// transaction starts; a write that sees it rolls back and answers a storage error.
class StoreSql final : public LeafSink
{
public:
    // The writer creates the schema and keeps the counters as it writes; a reader opens an
    // existing file read-only (`PRAGMA query_only`) and reads the counters at beginRead().
    enum class Mode { Writer, Reader };

    // `file` empty = in-memory (writers only). `fullName` ("org/name") names the store in the
    // metadata and in warnings. Each connection belongs to the thread that opened it.
    static Expected<std::unique_ptr<StoreSql>, QString>
    open(const QString &file, const QString &fullName, Mode mode = Mode::Writer);
    ~StoreSql() override;
    StoreSql(const StoreSql &) = delete;
    StoreSql &operator=(const StoreSql &) = delete;

    // The time stamp stored with rows: UTC, ISO-8601 with milliseconds.
    static QString nowIso();
    // `value` as every statement binds it. SQLite drops a leading U+FEFF of text bound as
    // UTF-16 (it takes it for a byte-order mark), so "\ufeffbom/x" would be stored, and
    // looked up, as "bom/x": such text is bound with the character doubled, and one stays.
    static QVariant bindable(const QVariant &value);

    const QString &fullName() const { return m_fullName; }
    const QString &id() const { return m_id; }
    const QString &insertedAt() const { return m_insertedAt; }
    qint64 currentSeq() const { return m_currentSeq; }
    qint64 entryCount() const { return m_entryCount; }
    qint64 snapshotSeq() const { return m_snapshotSeq; }
    const QString &snapshotAt() const { return m_snapshotAt; }
    void setSnapshot(qint64 seq, const QString &at);
    bool isReader() const { return m_mode == Mode::Reader; }
    // The leaves counted now (a reader keeps no running count).
    qint64 countEntries();
    // Takes the counters another connection to the same file keeps (current seq, entry count,
    // latest snapshot): the writers of one store hand them on under the store's write lock.
    void adoptCounters(const StoreSql &other);

    // --- a reader's snapshot of the store

    // Opens a read transaction, so every statement until endRead() sees one committed state,
    // and reads the counters of that state. False on a storage error.
    bool beginRead();
    void endRead();

    // --- statements

    // The prepared statement for `sql`, prepared once and kept.
    QSqlQuery &query(const QString &sql);
    bool exec(QSqlQuery &q);
    bool execDirect(const QString &sql);
    std::optional<qint64> scalarInt(const QString &sql, const QVariantList &binds = {});

    bool failed() const { return m_failed; }
    const QString &error() const { return m_error; }
    void clearFailure();
    // A failed write that reports the first storage error.
    WriteResult storageFailure() const;

    // --- transactions

    bool begin();
    // Commits, or rolls back when a statement failed. False when nothing was committed.
    bool commit();
    // Rolls back the open transaction and restores the counters.
    void rollback();
    // Runs `body` in a transaction; commits if it reports success.
    WriteResult transact(const std::function<WriteResult()> &body);

    // One savepoint at a time inside the open transaction, so one write of several can be
    // undone alone (GroupCommit). savepoint() keeps the counters to restore; false on a
    // storage error, or when an earlier statement of the transaction failed.
    bool savepoint();
    // Keeps what was written since savepoint(); false on a storage error.
    bool releaseSavepoint();
    // Undoes what was written since savepoint(), restores the counters and clears the failure
    // it left, so the transaction goes on. False when that is not possible (SQLite gave up the
    // whole transaction, as it may on an I/O error): then only rollback() is left.
    bool rollbackToSavepoint();

    // --- leaves

    std::optional<LeafRow> leaf(const QString &path) override;
    void upsert(const QString &path, const QJsonValue &value, const QString &type,
                qint64 seq) override;
    void removeExact(const QString &path) override;
    void removeDescendants(const QString &path) override;
    // upsert() with the stored text of the value already at hand.
    void upsertText(const QString &path, const QByteArray &text, const QString &type, qint64 seq);

    using LeafRowVisitor = std::function<void(const QString &path, const QByteArray &value,
                                              const QString &type, qint64 seq)>;
    // Calls `row` for every leaf strictly under `path` (or every leaf when `path` is empty),
    // in path order, in chunks so no statement stays open while `row` runs.
    void scanLeaves(const QString &path, const LeafRowVisitor &row);

    // --- the op log

    bool insertOp(qint64 seq, Op op, const Path &path, const QJsonValue &value,
                  const std::optional<QJsonValue> &eventValue, const QString &deviceId,
                  const QString &clientOpId);
    bool insertOpText(qint64 seq, const QString &op, const Path &path, const QByteArray &value,
                      const QVariant &eventValue, const QString &deviceId,
                      const QString &clientOpId, const QString &insertedAt);

    struct OpRow
    {
        qint64 seq = 0;
        Op op = Op::Unknown;
        QString path;
        QByteArray value; // stored text
    };
    // Calls `row` for every op with afterSeq < store_seq <= toSeq whose path `wanted`
    // accepts, ascending, reading in blocks so no statement stays open while `row` runs.
    // False on a storage error.
    bool scanOps(qint64 afterSeq, qint64 toSeq, const std::function<bool(const QString &)> &wanted,
                 const std::function<void(const OpRow &)> &row);
    std::optional<qint64> earliestOpSeq();
    // The distinct paths of the ops in (afterSeq, toSeq]; stops after more than `maxPaths`.
    QStringList opPathsBetween(qint64 afterSeq, qint64 toSeq, qsizetype maxPaths);
    // The stored entries text of the snapshot at `seq` (empty when there is none); nullopt on
    // a storage error.
    std::optional<QByteArray> snapshotText(qint64 seq);

    // Keeps a file's blob (once per hash).
    bool insertFile(const QString &hash, const QByteArray &content, const QString &contentType,
                    const QString &filename);

    // --- writes

    // Applies `value` as `op` at the next seq and logs it, inside an open transaction.
    WriteResult commitOp(Op op, const Path &path, const QJsonValue &value, const QString &deviceId,
                         const QString &clientOpId);
    // Checks and applies one valid write at the next seq inside an open transaction; leases
    // expire by `nowMs`.
    WriteResult applyWrite(const WriteRequest &request, qint64 nowMs);
    // Validates one write and commits it in its own transaction.
    WriteResult write(const WriteRequest &request, qint64 nowMs);
    // Records that ops up to `seq` were written outside commitOp().
    void advanceTo(qint64 seq) { m_currentSeq = seq; }

private:
    StoreSql() = default;
    void fail(const QString &message);
    QString setUp(const QString &file);
    QString setUpReader(const QString &file);
    QString readCounters();
    void prepareHot();

    Mode m_mode = Mode::Writer;
    QString m_connectionName;
    QSqlDatabase m_db;
    QString m_fullName;
    QString m_id;
    QString m_insertedAt;
    qint64 m_currentSeq = 0;
    qint64 m_entryCount = 0;
    qint64 m_snapshotSeq = 0;
    QString m_snapshotAt;
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>> m_queries;

    bool m_failed = false;
    QString m_error;

    // The state to restore when a transaction rolls back.
    bool m_inTransaction = false;
    qint64 m_savedSeq = 0;
    qint64 m_savedEntryCount = 0;
    // The same at savepoint().
    qint64 m_savepointSeq = 0;
    qint64 m_savepointEntryCount = 0;

    // The statements every write runs, prepared once.
    struct Hot
    {
        QSqlQuery *readLeaf = nullptr;
        QSqlQuery *insertLeaf = nullptr;
        QSqlQuery *updateLeaf = nullptr;
        QSqlQuery *deleteLeaf = nullptr;
        QSqlQuery *deleteRange = nullptr;
        QSqlQuery *insertOp = nullptr;
    } m_hot;
};

} // namespace dust::lite
