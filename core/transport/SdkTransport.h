#pragma once

#include "SdkOptions.h"
#include "SdkProtocol.h"
#include "Transport.h"
#include "TransportPicker.h"
#include "sync/MirrorChangeBatch.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QPromise>
#include <QThread>

#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

namespace dust {

class HttpTransport;
class Mirror;
class SdkSession;
struct SdkWriteRequest;

namespace detail {

// The promise behind one SdkTransport call, shared by the callbacks that may finish it. If
// it is dropped unfinished (the transport went away first), its future ends with Cancelled.
template <typename T> class PromiseSlot
{
public:
    PromiseSlot() { m_promise.start(); }
    ~PromiseSlot()
    {
        if (!m_done)
            finish(Result<T>::failure(
                Error(Error::Kind::Cancelled, QStringLiteral("the transport was closed"))));
    }
    PromiseSlot(const PromiseSlot &) = delete;
    PromiseSlot &operator=(const PromiseSlot &) = delete;

    QFuture<Result<T>> future() { return m_promise.future(); }
    void finish(Result<T> result)
    {
        if (m_done)
            return;
        m_done = true;
        m_promise.addResult(std::move(result));
        m_promise.finish();
    }

private:
    QPromise<Result<T>> m_promise;
    bool m_done = false;
};

} // namespace detail

// The Dust WebSocket protocol (dust-protocol.md §1.4, §5) behind the Transport contract: one
// QWebSocket speaking Phoenix Channels V2 JSON, one channel per store joined with the
// mirror's last seq, catch-up (snapshot, events, catch_up_complete) into a Mirror per store,
// live events, writes as `write` events, heartbeats, reconnection with capped exponential
// backoff and jitter.
//
// Threads. The object lives on the caller's thread (the GUI's); call it there. The socket,
// frame parsing and the mirrors live on a sync thread it owns (DESIGN.md, "Threads"):
// calls are queued to that thread, results finish their QFuture there, so continue with
// `future.then(context, …)` to be called back on the context's thread. Change batches,
// resets and subscription events arrive as queued signals on the caller's thread. The
// destructor stops the sync thread and waits for it; calls still pending end with
// Cancelled.
//
// Stores. A store ("org/name") is joined on first use (or with open()) and stays joined
// across reconnects until close(). isLive(store) (the LiveSessionSource the picker asks)
// is true once it has caught up; it turns false while the connection is down or while the
// store re-catches up.
//
// Reads (get, exists, list, withMirror) are answered from the store's Mirror once it has
// caught up; a read issued earlier waits for the catch-up, at most options.readTimeout,
// then fails with Network (the picker sends reads to HTTP until the store is live, so this
// is rare). The listing follows the REST parameters but not the hosted server's quirks
// (see Mirror::list: exact patterns list their leaf, prefixes are de-duplicated).
//
// Writes (put, remove, merge, increment, addMember, removeMember, lease, renew, release)
// are `write` events with a unique client_op_id. They are sent in the order issued once the
// store is live, and wait (however long) while the connection is down. A write sent but not
// acknowledged when the connection dropped is re-sent after the rejoin only if the catch-up
// did not show its client_op_id, so it commits once (an increment never counts twice). A
// store whose join reply says permissions.write = false fails writes at once with
// Forbidden. batchWrite is not part of the WebSocket protocol: NotSupported (send it over
// HTTP). A WebSocket conflict carries no current revision: Error::currentRevision() is the
// mirror's revision of the leaf, when there is one.
//
// Server writes that are not pushed (REST writes, §5.10) are noticed by polling `status`
// every options.statusPollInterval and by a live event skipping seqs; either way the store
// re-joins from its last seq and catches up. A join reply whose store_seq is behind the
// mirror (the server was reset) drops the local state and reloads the store from 0.
//
// Errors of replies map to Error kinds as sdk::errorFromReply() documents; a refused
// connection (bad token) fails pending and new calls with Unauthorized until a later
// connection succeeds; a malformed frame is reported through protocolError() and skipped.
class SdkTransport : public Transport, public LiveSessionSource
{
    Q_OBJECT
public:
    using ConnectionState = SdkConnectionState;

    explicit SdkTransport(const SdkOptions &options, QObject *parent = nullptr);
    ~SdkTransport() override;

    const SdkOptions &options() const { return m_options; }
    // "dev_…", the same for the transport's lifetime (sent as device_id, echoed in events).
    const QString &deviceId() const { return m_deviceId; }
    ConnectionState connectionState() const { return m_state; }

    // Joins `store` now (otherwise the first call on it does); resumes a store whose
    // catch-up was cancelled, or whose join failed.
    void open(const QString &store);
    // Leaves `store` and drops its mirror; its pending calls end with Cancelled.
    void close(const QString &store);
    // Stops joining or catching up `store` (a Cancel button on a long catch-up): its channel
    // is left, its mirror stays as it stands (the cache and the ops caught up so far, which
    // is the store as it was at that seq) and reads of it are answered from there. It is not
    // joined again, even after a reconnect, until open(store). catchUpCancelled() follows;
    // a store that is live (or not open) is left alone.
    void cancelCatchUp(const QString &store);
    // Drops the connection as a network failure would (it is re-established after backoff).
    void dropConnection();
    // Connects again at once (a "reconnect now" button): no backoff wait; a live connection
    // is dropped first.
    void reconnect();
    // Polls the server's status now rather than at the next statusPollInterval: after this
    // client wrote over REST (batch_write, import), which is not pushed to sockets (§5.10),
    // the store catches up at once.
    void checkForMissedWrites();

    // LiveSessionSource: joined and caught up. Safe to call from any thread.
    bool isLive(const QString &store) const override;
    // What the last join reply of `store` granted (nullopt before the first join).
    std::optional<sdk::StorePermissions> permissions(const QString &store) const;

    QFuture<Result<ListPage>> list(const QString &store, const ListQuery &query) override;
    QFuture<Result<Entry>> get(const QString &store, const Path &path) override;
    QFuture<Result<bool>> exists(const QString &store, const Path &path) override;
    QFuture<Result<WriteResult>> put(const QString &store, const Path &path,
                                     const QJsonValue &value,
                                     const WriteOptions &options = {}) override;
    QFuture<Result<WriteResult>> remove(const QString &store, const Path &path,
                                        const WriteOptions &options = {}) override;
    // NotSupported: batch_write exists only as a REST route (§4.6).
    QFuture<Result<BatchWriteResult>> batchWrite(const QString &store,
                                                 const QList<BatchOp> &ops) override;
    // Events of `store` whose path matches `pattern` (see Subscription::accepts), applied
    // after the sync thread has taken the subscription in (any later call on the store, e.g.
    // withMirror(), is ordered after it); events replayed by a small catch-up are included,
    // a snapshot or large catch-up gives resyncRequired() instead. Joins the store if
    // needed. The transport keeps the subscription until unsubscribe() or its destruction.
    Result<std::shared_ptr<Subscription>> subscribe(const QString &store, const QString &pattern,
                                                    const SubscribeOptions &options = {}) override;
    void unsubscribe(const std::shared_ptr<Subscription> &subscription) override;

    QFuture<Result<WriteResult>> merge(const QString &store, const Path &path,
                                       const QJsonObject &value) override;
    QFuture<Result<WriteResult>> increment(const QString &store, const Path &path,
                                           double delta) override;
    QFuture<Result<WriteResult>> addMember(const QString &store, const Path &path,
                                           const QJsonValue &member) override;
    QFuture<Result<WriteResult>> removeMember(const QString &store, const Path &path,
                                              const QJsonValue &member) override;
    // A path rollback (one forward op, broadcast); with an invalid (default) Path the whole
    // store is rolled back (extra holds ops_written; those ops are not broadcast).
    QFuture<Result<WriteResult>> rollback(const QString &store, const Path &path,
                                          qint64 toSeq) override;
    // The `status` event: current seq, counts, permissions (raw holds every field).
    QFuture<Result<StoreStatus>> status(const QString &store) override;
    // Files are downloaded over REST (there is no WebSocket download): `GET /api/files/{hash}`
    // at sdk::httpBaseUrl(options().url) with the same token, through an HttpTransport made
    // on first use (a child of this object, on this thread). Errors as HttpTransport's.
    QFuture<Result<QByteArray>> fetchFile(const QString &hash) override;

    // Leases (§5.6): extra holds token, expires_at and holder; release a lease not held
    // gives extra {"released": false} and storeSeq 0.
    QFuture<Result<WriteResult>> lease(const QString &store, const Path &path,
                                       std::chrono::milliseconds ttl, const QString &holder);
    QFuture<Result<WriteResult>> renew(const QString &store, const Path &path, qint64 token,
                                       std::chrono::milliseconds ttl);
    QFuture<Result<WriteResult>> release(const QString &store, const Path &path, qint64 token);
    // Uploads `content` and writes a file-ref leaf at `path` (the `put_file` event, §3.5,
    // §5.5; scope files:write): queued, ordered and re-sent like the other writes (repeating
    // it is safe: the blob is content-addressed and the leaf the same). The whole file travels
    // in one frame, base64. storeSeq is the op's; extra holds "hash" ("sha256:<hex>"). An
    // empty `contentType` lets the server use application/octet-stream; an empty `filename`
    // sends none.
    QFuture<Result<WriteResult>> putFile(const QString &store, const Path &path,
                                         const QByteArray &content, const QString &filename,
                                         const QString &contentType);

    // Runs `f(const Mirror &)` on the sync thread once `store` has caught up and gives its
    // result: how a model rebuilds after storeReset(), or anything else reading the mirror
    // in bulk. `f` must not keep the reference.
    template <typename F>
    auto withMirror(const QString &store, F f)
        -> QFuture<Result<std::invoke_result_t<F &, const Mirror &>>>
    {
        using R = std::invoke_result_t<F &, const Mirror &>;
        auto slot = std::make_shared<detail::PromiseSlot<R>>();
        runWhenLive(store,
                    [slot, f = std::move(f)](const Mirror *mirror, const Error &error) mutable {
                        if (!mirror)
                            slot->finish(Result<R>::failure(error));
                        else
                            slot->finish(Result<R>(f(*mirror)));
                    });
        return slot->future();
    }

signals:
    void connectionStateChanged(dust::SdkConnectionState state);
    // The join reply of `store` arrived (permissions as it reported them).
    void storeJoined(const QString &store, const dust::sdk::StorePermissions &permissions);
    // `store` caught up: reads are answered from its mirror from now on.
    void storeLive(const QString &store, qint64 lastSeq);
    // One applied event's leaf changes (re-emitted from the store's Mirror, in order).
    void storeChanged(const QString &store, const dust::MirrorChangeBatch &batch);
    // The store's mirror was replaced (snapshot, reload, a large catch-up): rebuild from it.
    // `epoch` is the mirror's Mirror::resetEpoch() after it: a read of the mirror that saw
    // that epoch or a later one has seen this reset.
    void storeReset(const QString &store, quint64 epoch);
    // Joining `store` failed (Forbidden, Unauthorized …); its pending calls got the error.
    void storeError(const QString &store, const dust::Error &error);
    // The connection failed or dropped (it is retried), or was refused.
    void connectionError(const dust::Error &error);
    // Frames that could not be used (malformed, unexpected); `count` since the last report.
    void protocolError(const QString &detail, int count);
    // The on-disk cache of `store` (SdkOptions::cacheDirectory) was unusable and is rebuilt
    // from the server, or could not be written.
    void cacheProblem(const QString &store, const QString &problem);
    // `store` was loaded from its on-disk cache (SdkOptions::cacheDirectory), at `seq`; the
    // file was last written at `savedAt` (its modification time). Comes before the join.
    void storeLoadedFromCache(const QString &store, qint64 seq, const QDateTime &savedAt);
    // Catching up `store`: `received` of `expected` ops (the join reply's store_seq minus the
    // seq joined from; more if ops committed meanwhile come too). Once when the join reply
    // arrives (0 of expected), at most every 100 ms while the ops arrive, once at the end.
    void catchUpProgress(const QString &store, qint64 received, qint64 expected);
    // cancelCatchUp() took effect: the mirror of `store` stands at `lastSeq`.
    void catchUpCancelled(const QString &store, qint64 lastSeq);
    // The connection dropped or failed; the next attempt comes in `delayMs` (the backoff).
    void reconnectScheduled(qint64 delayMs);

public:
    // Runs `f(const Mirror &)` on the sync thread on the mirror of `store` as it stands now,
    // without waiting for a catch-up: the copy loaded from the on-disk cache (see
    // storeLoadedFromCache()) while the server cannot be reached, or the state a running or
    // cancelled catch-up has reached (always the store as it was at mirror.lastSeq()), or the
    // live mirror. Opens the store if needed. How a view shows the cached copy offline.
    template <typename F>
    auto withCurrentMirror(const QString &store, F f)
        -> QFuture<Result<std::invoke_result_t<F &, const Mirror &>>>
    {
        using R = std::invoke_result_t<F &, const Mirror &>;
        auto slot = std::make_shared<detail::PromiseSlot<R>>();
        runNow(store, [slot, f = std::move(f)](const Mirror *mirror, const Error &error) mutable {
            if (!mirror)
                slot->finish(Result<R>::failure(error));
            else
                slot->finish(Result<R>(f(*mirror)));
        });
        return slot->future();
    }

private:
    // Called on the sync thread with the caught-up mirror, or with nullptr and the error.
    using MirrorTask = std::function<void(const Mirror *mirror, const Error &error)>;

    void runWhenLive(const QString &store, MirrorTask task);
    void runNow(const QString &store, MirrorTask task);
    QFuture<Result<WriteResult>> enqueueWrite(const QString &store, SdkWriteRequest request);
    // addMember / removeMember: `op` is "add" or "remove".
    QFuture<Result<WriteResult>> memberWrite(const QString &store, const Path &path,
                                             const QJsonValue &member, const QString &op);
    QFuture<Result<QJsonObject>> enqueuePush(const QString &store, const QString &event,
                                             const QJsonObject &payload);
    void onStoreChanges(const QString &store, const QList<MirrorChangeBatch> &batches,
                        const QList<ChangeEvent> &events);
    void onStoreReset(const QString &store, quint64 epoch);
    void onStoreJoined(const QString &store, const sdk::StorePermissions &permissions);
    template <typename F> void onSession(F &&f);

    SdkOptions m_options;
    QString m_deviceId;
    LiveStores m_live;
    QHash<QString, sdk::StorePermissions> m_permissions;
    ConnectionState m_state = ConnectionState::Disconnected;
    QHash<QString, QList<std::shared_ptr<Subscription>>> m_subscriptions; // by store
    QThread m_thread;
    SdkSession *m_session;            // lives on m_thread; deleted there when it finishes
    HttpTransport *m_files = nullptr; // a child made by fetchFile(), for REST downloads
};

} // namespace dust
