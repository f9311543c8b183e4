#include "SdkTransport.h"

#include "HttpTransport.h"
#include "SdkSession.h"
#include "SdkWriteRequest.h"
#include "protocol/Values.h"
#include "sync/Mirror.h"

#include <QJsonArray>

#include <cmath>
#include <limits>

namespace dust {

namespace {

Error invalidPathError()
{
    return Error::invalidParams(QStringLiteral("invalid (empty) path"))
        .setReason(QStringLiteral("empty_path"));
}

} // namespace

SdkTransport::SdkTransport(const SdkOptions &options, QObject *parent)
    : Transport(parent)
    , m_options(options)
    , m_deviceId(options.deviceId.isEmpty() ? sdk::makeDeviceId() : options.deviceId)
{
    qRegisterMetaType<dust::Error>();
    qRegisterMetaType<dust::ChangeEvent>();
    qRegisterMetaType<dust::MirrorChangeBatch>();
    qRegisterMetaType<QList<dust::MirrorChangeBatch>>();
    qRegisterMetaType<QList<dust::ChangeEvent>>();
    qRegisterMetaType<dust::sdk::StorePermissions>();
    qRegisterMetaType<dust::SdkConnectionState>();

    m_options.deviceId = m_deviceId;
    m_session = new SdkSession(m_options, m_deviceId, &m_live);
    m_thread.setObjectName(QStringLiteral("dust-sync"));
    m_session->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_session, &QObject::deleteLater);

    connect(m_session, &SdkSession::stateChanged, this, [this](SdkConnectionState state) {
        m_state = state;
        emit connectionStateChanged(state);
    });
    connect(m_session, &SdkSession::storeJoined, this, &SdkTransport::onStoreJoined);
    connect(m_session, &SdkSession::storeLive, this, &SdkTransport::storeLive);
    connect(m_session, &SdkSession::storeChanges, this, &SdkTransport::onStoreChanges);
    connect(m_session, &SdkSession::storeReset, this, &SdkTransport::onStoreReset);
    connect(m_session, &SdkSession::storeError, this, &SdkTransport::storeError);
    connect(m_session, &SdkSession::connectionError, this, &SdkTransport::connectionError);
    connect(m_session, &SdkSession::protocolError, this, &SdkTransport::protocolError);
    connect(m_session, &SdkSession::cacheProblem, this, &SdkTransport::cacheProblem);
    connect(m_session, &SdkSession::storeLoadedFromCache, this,
            &SdkTransport::storeLoadedFromCache);
    connect(m_session, &SdkSession::catchUpProgress, this, &SdkTransport::catchUpProgress);
    connect(m_session, &SdkSession::catchUpCancelled, this, &SdkTransport::catchUpCancelled);
    connect(m_session, &SdkSession::reconnectScheduled, this, &SdkTransport::reconnectScheduled);
    m_thread.start();
}

SdkTransport::~SdkTransport()
{
    // The session is deleted on its own thread as the thread finishes (QThread::finished
    // -> deleteLater); pending calls end with Cancelled there.
    m_thread.quit();
    m_thread.wait();
}

template <typename F> void SdkTransport::onSession(F &&f)
{
    QMetaObject::invokeMethod(m_session, std::forward<F>(f), Qt::QueuedConnection);
}

void SdkTransport::open(const QString &store)
{
    onSession([session = m_session, store] { session->openStore(store); });
}

void SdkTransport::close(const QString &store)
{
    m_permissions.remove(store);
    onSession([session = m_session, store] { session->closeStore(store); });
}

void SdkTransport::cancelCatchUp(const QString &store)
{
    onSession([session = m_session, store] { session->cancelCatchUp(store); });
}

void SdkTransport::dropConnection()
{
    onSession([session = m_session] { session->dropConnection(); });
}

void SdkTransport::reconnect()
{
    onSession([session = m_session] { session->reconnectNow(); });
}

void SdkTransport::checkForMissedWrites()
{
    onSession([session = m_session] { session->pollStatusNow(); });
}

bool SdkTransport::isLive(const QString &store) const
{
    return m_live.isLive(store);
}

std::optional<sdk::StorePermissions> SdkTransport::permissions(const QString &store) const
{
    const auto it = m_permissions.constFind(store);
    if (it == m_permissions.cend())
        return std::nullopt;
    return *it;
}

void SdkTransport::runWhenLive(const QString &store, MirrorTask task)
{
    onSession([session = m_session, store, task = std::move(task)]() mutable {
        session->whenLive(store, std::move(task));
    });
}

void SdkTransport::runNow(const QString &store, MirrorTask task)
{
    onSession([session = m_session, store, task = std::move(task)]() mutable {
        session->withCurrent(store, std::move(task));
    });
}

// ---- reads ------------------------------------------------------------------------------

namespace {

// Finishes `slot` with what `read` returns for the caught-up mirror, or with the error.
template <typename T, typename F>
StoreChannel::MirrorTask mirrorRead(std::shared_ptr<detail::PromiseSlot<T>> slot, F read)
{
    return
        [slot = std::move(slot), read = std::move(read)](const Mirror *mirror, const Error &error) {
            if (!mirror)
                slot->finish(Result<T>::failure(error));
            else
                slot->finish(read(*mirror));
        };
}

} // namespace

QFuture<Result<ListPage>> SdkTransport::list(const QString &store, const ListQuery &query)
{
    if (!sdk::isValidStoreName(store))
        return failed<ListPage>(sdk::invalidStoreName(store));
    auto slot = std::make_shared<detail::PromiseSlot<ListPage>>();
    runWhenLive(store, mirrorRead(slot, [query](const Mirror &mirror) -> Result<ListPage> {
                    return mirror.list(query);
                }));
    return slot->future();
}

QFuture<Result<Entry>> SdkTransport::get(const QString &store, const Path &path)
{
    if (!sdk::isValidStoreName(store))
        return failed<Entry>(sdk::invalidStoreName(store));
    if (!path.isValid())
        return failed<Entry>(invalidPathError());
    auto slot = std::make_shared<detail::PromiseSlot<Entry>>();
    runWhenLive(store, mirrorRead(slot, [path](const Mirror &mirror) -> Result<Entry> {
                    std::optional<Entry> entry = mirror.get(path);
                    if (!entry)
                        return Result<Entry>::failure(
                            Error::notFound(QStringLiteral("no entry at %1").arg(path.rendered()))
                                .setReason(QStringLiteral("not_found"))
                                .setPath(path.rendered()));
                    return std::move(*entry);
                }));
    return slot->future();
}

QFuture<Result<bool>> SdkTransport::exists(const QString &store, const Path &path)
{
    if (!sdk::isValidStoreName(store))
        return failed<bool>(sdk::invalidStoreName(store));
    if (!path.isValid())
        return failed<bool>(invalidPathError());
    auto slot = std::make_shared<detail::PromiseSlot<bool>>();
    runWhenLive(store, mirrorRead(slot, [path](const Mirror &mirror) -> Result<bool> {
                    return mirror.exists(path);
                }));
    return slot->future();
}

// ---- writes -----------------------------------------------------------------------------

QFuture<Result<WriteResult>> SdkTransport::enqueueWrite(const QString &store,
                                                        SdkWriteRequest request)
{
    if (!sdk::isValidStoreName(store))
        return failed<WriteResult>(sdk::invalidStoreName(store));
    if (!request.path.isValid())
        return failed<WriteResult>(invalidPathError());
    auto slot = std::make_shared<detail::PromiseSlot<WriteResult>>();
    onSession([session = m_session, store, request = std::move(request), slot]() mutable {
        session->write(store, std::move(request),
                       [slot](Result<WriteResult> result) { slot->finish(std::move(result)); });
    });
    return slot->future();
}

QFuture<Result<QJsonObject>> SdkTransport::enqueuePush(const QString &store, const QString &event,
                                                       const QJsonObject &payload)
{
    if (!sdk::isValidStoreName(store))
        return failed<QJsonObject>(sdk::invalidStoreName(store));
    auto slot = std::make_shared<detail::PromiseSlot<QJsonObject>>();
    onSession([session = m_session, store, event, payload, slot] {
        session->push(store, event, payload,
                      [slot](Result<QJsonObject> result) { slot->finish(std::move(result)); });
    });
    return slot->future();
}

QFuture<Result<WriteResult>> SdkTransport::put(const QString &store, const Path &path,
                                               const QJsonValue &value, const WriteOptions &options)
{
    if (auto error = putError(value, options))
        return failed<WriteResult>(std::move(*error));
    SdkWriteRequest request;
    request.op = QStringLiteral("set");
    request.path = path;
    request.value = value;
    request.ifMatch = options.ifMatch;
    request.ifAbsent = options.ifAbsent;
    return enqueueWrite(store, std::move(request));
}

QFuture<Result<WriteResult>> SdkTransport::remove(const QString &store, const Path &path,
                                                  const WriteOptions &options)
{
    if (auto error = removeError(options))
        return failed<WriteResult>(std::move(*error));
    SdkWriteRequest request;
    request.op = QStringLiteral("delete");
    request.path = path;
    request.ifMatch = options.ifMatch;
    return enqueueWrite(store, std::move(request));
}

QFuture<Result<BatchWriteResult>> SdkTransport::batchWrite(const QString &, const QList<BatchOp> &)
{
    return failed<BatchWriteResult>(
        Error::notSupported(QStringLiteral("batch_write is not part of the WebSocket protocol; "
                                           "send it over HTTP")));
}

QFuture<Result<WriteResult>> SdkTransport::merge(const QString &store, const Path &path,
                                                 const QJsonObject &value)
{
    if (const QString why = unwritableValue(value); !why.isEmpty())
        return failed<WriteResult>(Error::invalidParams(why));
    SdkWriteRequest request;
    request.op = QStringLiteral("merge");
    request.path = path;
    request.value = value;
    return enqueueWrite(store, std::move(request));
}

QFuture<Result<WriteResult>> SdkTransport::increment(const QString &store, const Path &path,
                                                     double delta)
{
    if (!std::isfinite(delta))
        return failed<WriteResult>(
            Error::invalidParams(QStringLiteral("the increment must be a finite number"))
                .setReason(QStringLiteral("increment_requires_number_value")));
    SdkWriteRequest request;
    request.op = QStringLiteral("increment");
    request.path = path;
    // Whole deltas travel as integers, so the counter stays an integer.
    constexpr double kMaxExact = 9007199254740992.0; // 2^53
    if (std::trunc(delta) == delta && std::fabs(delta) <= kMaxExact)
        request.value = QJsonValue(static_cast<qint64>(delta));
    else
        request.value = delta;
    return enqueueWrite(store, std::move(request));
}

QFuture<Result<WriteResult>> SdkTransport::addMember(const QString &store, const Path &path,
                                                     const QJsonValue &member)
{
    return memberWrite(store, path, member, QStringLiteral("add"));
}

QFuture<Result<WriteResult>> SdkTransport::removeMember(const QString &store, const Path &path,
                                                        const QJsonValue &member)
{
    return memberWrite(store, path, member, QStringLiteral("remove"));
}

QFuture<Result<WriteResult>> SdkTransport::memberWrite(const QString &store, const Path &path,
                                                       const QJsonValue &member, const QString &op)
{
    if (member.isNull() || member.isUndefined())
        return failed<WriteResult>(
            Error::invalidParams(QStringLiteral("a set member cannot be null"))
                .setReason(op + QStringLiteral("_requires_value")));
    SdkWriteRequest request;
    request.op = op;
    request.path = path;
    request.value = member;
    return enqueueWrite(store, std::move(request));
}

QFuture<Result<WriteResult>> SdkTransport::lease(const QString &store, const Path &path,
                                                 std::chrono::milliseconds ttl,
                                                 const QString &holder)
{
    SdkWriteRequest request;
    request.op = QStringLiteral("lease");
    request.path = path;
    request.extra.insert(QStringLiteral("ttl_ms"), qint64(ttl.count()));
    if (!holder.isEmpty())
        request.extra.insert(QStringLiteral("holder"), holder);
    return enqueueWrite(store, std::move(request));
}

QFuture<Result<WriteResult>> SdkTransport::renew(const QString &store, const Path &path,
                                                 qint64 token, std::chrono::milliseconds ttl)
{
    SdkWriteRequest request;
    request.op = QStringLiteral("renew");
    request.path = path;
    request.extra.insert(QStringLiteral("token"), token);
    request.extra.insert(QStringLiteral("ttl_ms"), qint64(ttl.count()));
    return enqueueWrite(store, std::move(request));
}

QFuture<Result<WriteResult>> SdkTransport::release(const QString &store, const Path &path,
                                                   qint64 token)
{
    SdkWriteRequest request;
    request.op = QStringLiteral("release");
    request.path = path;
    request.extra.insert(QStringLiteral("token"), token);
    return enqueueWrite(store, std::move(request));
}

QFuture<Result<WriteResult>> SdkTransport::putFile(const QString &store, const Path &path,
                                                   const QByteArray &content,
                                                   const QString &filename,
                                                   const QString &contentType)
{
    SdkWriteRequest request;
    request.op = QStringLiteral("put_file");
    request.event = QStringLiteral("put_file");
    request.path = path;
    request.extra.insert(QStringLiteral("content"),
                         QString::fromLatin1(content.toBase64(QByteArray::Base64Encoding)));
    if (!filename.isEmpty())
        request.extra.insert(QStringLiteral("filename"), filename);
    if (!contentType.isEmpty())
        request.extra.insert(QStringLiteral("content_type"), contentType);
    return enqueueWrite(store, std::move(request));
}

// ---- pushes -----------------------------------------------------------------------------

QFuture<Result<WriteResult>> SdkTransport::rollback(const QString &store, const Path &path,
                                                    qint64 toSeq)
{
    if (toSeq < 0)
        return failed<WriteResult>(
            Error::invalidParams(QStringLiteral("to_seq must not be negative")));
    QJsonObject payload{{QStringLiteral("to_seq"), toSeq}};
    if (path.isValid()) {
        payload.insert(QStringLiteral("path"), path.rendered());
        payload.insert(QStringLiteral("path_segments"), path.segmentsJson());
    }
    return enqueuePush(store, QStringLiteral("rollback"), payload)
        .then([](const Result<QJsonObject> &reply) -> Result<WriteResult> {
            if (!reply)
                return Result<WriteResult>::failure(reply.error());
            return sdk::writeResultFromReply(*reply);
        });
}

QFuture<Result<StoreStatus>> SdkTransport::status(const QString &store)
{
    return enqueuePush(store, QStringLiteral("status"), QJsonObject())
        .then([](const Result<QJsonObject> &reply) -> Result<StoreStatus> {
            if (!reply)
                return Result<StoreStatus>::failure(reply.error());
            const QJsonObject &o = *reply;
            const auto seq = values::integerValue(o.value(QLatin1String("current_seq")));
            if (!seq)
                return Result<StoreStatus>::failure(
                    Error::protocol(QStringLiteral("the status reply has no current_seq")));
            StoreStatus status;
            status.currentSeq = *seq;
            status.entryCount =
                values::integerValue(o.value(QLatin1String("entry_count"))).value_or(0);
            status.opCount = values::integerValue(o.value(QLatin1String("op_count"))).value_or(0);
            status.canWrite = sdk::permissionsFromJoinReply(o).write;
            status.raw = o;
            return status;
        });
}

// ---- subscriptions ----------------------------------------------------------------------

Result<std::shared_ptr<Subscription>> SdkTransport::subscribe(const QString &store,
                                                              const QString &pattern,
                                                              const SubscribeOptions &options)
{
    using R = Result<std::shared_ptr<Subscription>>;
    if (!sdk::isValidStoreName(store))
        return R::failure(sdk::invalidStoreName(store));
    auto glob = Glob::compile(pattern.isEmpty() ? QStringLiteral("**") : pattern);
    if (!glob)
        return R::failure(Error::invalidParams(QStringLiteral("invalid pattern \"%1\": %2")
                                                   .arg(pattern, globErrorName(glob.error())))
                              .setReason(globErrorName(glob.error())));
    auto subscription = std::make_shared<Subscription>(store, std::move(glob).value(), options);
    QList<std::shared_ptr<Subscription>> &list = m_subscriptions[store];
    list.append(subscription);
    if (list.size() == 1)
        onSession([session = m_session, store] { session->setWatched(store, true); });
    return subscription;
}

void SdkTransport::unsubscribe(const std::shared_ptr<Subscription> &subscription)
{
    if (!subscription)
        return;
    const QString store = subscription->store();
    const auto it = m_subscriptions.find(store);
    if (it == m_subscriptions.end())
        return;
    it->removeAll(subscription);
    if (it->isEmpty()) {
        m_subscriptions.erase(it);
        onSession([session = m_session, store] { session->setWatched(store, false); });
    }
}

void SdkTransport::onStoreChanges(const QString &store, const QList<MirrorChangeBatch> &batches,
                                  const QList<ChangeEvent> &events)
{
    for (const MirrorChangeBatch &batch : batches)
        emit storeChanged(store, batch);
    if (events.isEmpty())
        return;
    // A copy: a slot may unsubscribe while we deliver.
    const QList<std::shared_ptr<Subscription>> subscriptions = m_subscriptions.value(store);
    for (const ChangeEvent &event : events) {
        for (const std::shared_ptr<Subscription> &subscription : subscriptions) {
            if (subscription->accepts(event.path))
                emit subscription->changed(event);
        }
    }
}

void SdkTransport::onStoreReset(const QString &store, quint64 epoch)
{
    emit storeReset(store, epoch);
    const QList<std::shared_ptr<Subscription>> subscriptions = m_subscriptions.value(store);
    for (const std::shared_ptr<Subscription> &subscription : subscriptions)
        emit subscription->resyncRequired();
}

void SdkTransport::onStoreJoined(const QString &store, const sdk::StorePermissions &permissions)
{
    m_permissions.insert(store, permissions);
    emit storeJoined(store, permissions);
}

QFuture<Result<QByteArray>> SdkTransport::fetchFile(const QString &hash)
{
    if (!m_files) {
        const QUrl base = sdk::httpBaseUrl(m_options.url);
        if (!base.isValid())
            return failed<QByteArray>(Error::invalidParams(
                QStringLiteral("no HTTP address can be derived from %1 to download files from")
                    .arg(m_options.url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery))));
        m_files = new HttpTransport(base, m_options.token, this);
    }
    return m_files->fetchFile(hash);
}

} // namespace dust
