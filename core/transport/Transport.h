#pragma once

#include "protocol/Entry.h"
#include "protocol/Error.h"
#include "protocol/Expected.h"
#include "protocol/Glob.h"
#include "protocol/Listing.h"
#include "protocol/Path.h"

#include <QFuture>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QPromise>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace dust {

// Every operation's outcome: a value or a typed Error (never an exception).
template <typename T> using Result = Expected<T, Error>;

struct WriteOptions
{
    std::optional<qint64> ifMatch; // commit only if the leaf's revision is this
    bool ifAbsent = false;         // commit only if no leaf exists (put only)
};

// Checks every transport makes before a write leaves the machine, so both refuse the same
// input with the same InvalidParams error.
// Why `value` cannot be written (undefined, NaN or infinity, an empty object key), or empty.
QString unwritableValue(const QJsonValue &value);
// The error of a put of `value` with `options`, if it cannot be sent.
std::optional<Error> putError(const QJsonValue &value, const WriteOptions &options);
// The error of a remove with `options`, if it cannot be sent (ifAbsent is for put only).
std::optional<Error> removeError(const WriteOptions &options);

struct WriteResult
{
    qint64 storeSeq = 0;
    QJsonObject extra; // op-specific reply fields (lease token, noop, released ...)
};

// One op of an atomic batch: set or delete, optionally conditional.
struct BatchOp
{
    Op op = Op::Set;
    Path path;
    QJsonValue value;
    std::optional<qint64> ifMatch;
};

struct BatchWriteResult
{
    qint64 storeSeq = 0;     // seq of the last op
    QList<qint64> revisions; // per op, in order
};

// One line's outcome of `POST …/import` (dust-protocol.md §4.7; dustlite's answer shape, see
// server/README.md): written at `revision`, skipped (a `_header` line), or failed with
// `error` and `detail`. Lines count from 1.
struct ImportLineResult
{
    int line = 0;
    QString path;
    qint64 revision = 0;
    bool skipped = false;
    QString error; // empty when the line was written or skipped
    QString detail;
};

struct ImportReply
{
    int imported = 0;
    int failed = 0;
    qint64 storeSeq = 0;
    QList<ImportLineResult> lines; // in the order of the body's lines
};

struct StoreInfo
{
    QString id;
    QString name;
    QString fullName; // "org/name"
    QString status;
    QString insertedAt;
};

struct AuditOp
{
    qint64 storeSeq = 0;
    QString op;
    QString path;
    QJsonValue value; // unwrapped
    QString deviceId;
    QString insertedAt;
};

struct AuditPage
{
    QList<AuditOp> ops; // newest first
    int page = 1;
    int totalPages = 0;
    qint64 total = 0;
};

// One changed leaf of a diff (§4.7). On the wire a side where the leaf did not exist is null,
// like a leaf that holds null; Transport::diff() gives the wire's values (null for both).
// DiffSource::diff() tells them apart: Undefined is "no leaf", Null a leaf holding null, and
// a side it could not tell (the op log that would no longer reaches it) is Undefined with
// its `…Unknown` flag set.
struct DiffChange
{
    QString path;
    QJsonValue before;
    QJsonValue after;
    bool beforeUnknown = false; // null or no leaf: the log could not tell which
    bool afterUnknown = false;
};

struct StoreStatus
{
    qint64 currentSeq = 0;
    qint64 entryCount = 0;
    qint64 opCount = 0;
    bool canWrite = false;
    QJsonObject raw; // every field the server sent
};

struct SubscribeOptions
{
    // The SDKs match the glob against the event's own path only, so a set of an object at
    // "users/alice" does not fire "users/alice/name". A browser watching a subtree also
    // needs events on the subtree's ancestors (a set or delete of "users" replaces
    // everything under it): with this on, an event fires when its path matches the
    // pattern OR is an ancestor of a path the pattern could match.
    bool includeAncestors = false;
};

// A live subscription: changes matching its pattern arrive as signals on the thread the
// subscription object lives on (the subscriber's).
class Subscription : public QObject
{
    Q_OBJECT
public:
    Subscription(QString store, Glob pattern, SubscribeOptions options, QObject *parent = nullptr);

    const QString &store() const { return m_store; }
    const Glob &pattern() const { return m_pattern; }
    const SubscribeOptions &options() const { return m_options; }
    // Whether an event at `path` concerns this subscription.
    bool accepts(const Path &path) const;

signals:
    void changed(const dust::ChangeEvent &event);
    // The local state was replaced (snapshot, server reset): re-read what you show.
    void resyncRequired();

private:
    QString m_store;
    Glob m_pattern;
    SubscribeOptions m_options;
};

// The contract the UI sits on (DESIGN.md, "The transport layer"): asynchronous operations
// on a store ("org/name"), each a QFuture of a Result. Continue with
// `future.then(context, ...)` to be called back on the context's thread. Extra operations
// default to Error::NotSupported.
class Transport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual QFuture<Result<ListPage>> list(const QString &store, const ListQuery &query) = 0;
    virtual QFuture<Result<Entry>> get(const QString &store, const Path &path) = 0;
    virtual QFuture<Result<bool>> exists(const QString &store, const Path &path) = 0;
    virtual QFuture<Result<WriteResult>> put(const QString &store, const Path &path,
                                             const QJsonValue &value,
                                             const WriteOptions &options = {}) = 0;
    virtual QFuture<Result<WriteResult>> remove(const QString &store, const Path &path,
                                                const WriteOptions &options = {}) = 0;
    virtual QFuture<Result<BatchWriteResult>> batchWrite(const QString &store,
                                                         const QList<BatchOp> &ops) = 0;
    // A live subscription, shared by the caller and the transport until unsubscribed or
    // released; NotSupported over plain HTTP.
    virtual Result<std::shared_ptr<Subscription>>
    subscribe(const QString &store, const QString &pattern,
              const SubscribeOptions &options = {}) = 0;
    virtual void unsubscribe(const std::shared_ptr<Subscription> &subscription) = 0;

    // Extras a browser needs.
    virtual QFuture<Result<WriteResult>> merge(const QString &store, const Path &path,
                                               const QJsonObject &value);
    virtual QFuture<Result<WriteResult>> increment(const QString &store, const Path &path,
                                                   double delta);
    virtual QFuture<Result<WriteResult>> addMember(const QString &store, const Path &path,
                                                   const QJsonValue &member);
    virtual QFuture<Result<WriteResult>> removeMember(const QString &store, const Path &path,
                                                      const QJsonValue &member);
    virtual QFuture<Result<WriteResult>> rollback(const QString &store, const Path &path,
                                                  qint64 toSeq);
    virtual QFuture<Result<StoreStatus>> status(const QString &store);
    virtual QFuture<Result<AuditPage>> auditLog(const QString &store, const AuditQuery &query);
    virtual QFuture<Result<QList<DiffChange>>> diff(const QString &store, qint64 fromSeq,
                                                    qint64 toSeq);
    virtual QFuture<Result<QList<StoreInfo>>> listStores();
    // The bytes of an uploaded file: `hash` is a file reference's "hash" ("sha256:<hex>",
    // dust-protocol.md §3.5). Over REST this is `GET /api/files/{hash}` (scope files:read):
    // NotFound when no store the token can read references the hash, Forbidden without the
    // scope. While the bytes arrive the future reports progress: progressMaximum() is 1000
    // and progressValue() the per-mille received once the server announced the size (both 0
    // until then). Cancelling the future aborts the download. Default: NotSupported.
    virtual QFuture<Result<QByteArray>> fetchFile(const QString &hash);
    // Batch read (`POST …/entries/batch`, dust-protocol.md §4.5): the exact leaves among
    // `paths` (at most 1,000) that exist, in no particular order; missing ones are left out
    // (no subtree assembly). Default: NotSupported.
    virtual QFuture<Result<QList<Entry>>> getLeaves(const QString &store, const QList<Path> &paths);
    // `POST …/import` (§4.7): JSONL lines {"path","value","type"} written as sets with each
    // line's type kept (counter, set, file, lease, …); not atomic, one result per line.
    // Default: NotSupported.
    virtual QFuture<Result<ImportReply>> importLines(const QString &store, const QByteArray &jsonl);
    // One line of such a body: {"path","value","type"} and a newline.
    static QByteArray importLine(const Path &path, const QJsonValue &value, const QString &type);

    // A future that is already finished with `error` (for arguments rejected up front).
    template <typename T> static QFuture<Result<T>> failed(const Error &error);
    template <typename T> static QFuture<Result<T>> finished(T value);
};

template <typename T> QFuture<Result<T>> Transport::failed(const Error &error)
{
    QPromise<Result<T>> promise;
    promise.start();
    promise.addResult(Result<T>::failure(error));
    promise.finish();
    return promise.future();
}

template <typename T> QFuture<Result<T>> Transport::finished(T value)
{
    QPromise<Result<T>> promise;
    promise.start();
    promise.addResult(Result<T>(std::move(value)));
    promise.finish();
    return promise.future();
}

} // namespace dust
