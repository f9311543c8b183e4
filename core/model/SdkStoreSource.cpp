#include "SdkStoreSource.h"

#include "sync/Mirror.h"
#include "transport/SdkTransport.h"

#include <QPromise>

#include <memory>
#include <optional>

namespace dust {

SdkStoreSource::SdkStoreSource(SdkTransport *transport, const QString &store, QObject *parent)
    : LiveStoreSource(parent)
    , m_transport(transport)
    , m_store(store)
{
    if (!transport)
        return;
    connect(transport, &SdkTransport::storeChanged, this,
            [this](const QString &changedStore, const MirrorChangeBatch &batch) {
                if (changedStore == m_store)
                    emit changed(batch);
            });
    connect(transport, &SdkTransport::storeReset, this,
            [this](const QString &resetStore, quint64 epoch) {
                if (resetStore == m_store)
                    emit reset(epoch);
            });
}

SdkStoreSource::~SdkStoreSource() = default;

QFuture<Expected<StoreTreeSnapshot, Error>> SdkStoreSource::snapshot()
{
    if (!m_transport) {
        QPromise<Expected<StoreTreeSnapshot, Error>> promise;
        promise.start();
        promise.addResult(Expected<StoreTreeSnapshot, Error>::failure(
            Error(Error::Kind::Cancelled, tr("the live connection is gone"))));
        promise.finish();
        return promise.future();
    }
    // A mirror that holds something (loaded from the cache) is shown as it stands, also while
    // the server cannot be reached; an empty one is waited for until the store caught up.
    auto promise = std::make_shared<QPromise<Expected<StoreTreeSnapshot, Error>>>();
    promise->start();
    const QFuture<Expected<StoreTreeSnapshot, Error>> future = promise->future();
    m_transport
        ->withCurrentMirror(m_store,
                            [](const Mirror &mirror) -> std::optional<StoreTreeSnapshot> {
                                if (mirror.lastSeq() <= 0)
                                    return std::nullopt;
                                return StoreTreeSnapshot::fromMirror(mirror);
                            })
        .then(this, [this, promise](const Result<std::optional<StoreTreeSnapshot>> &current) {
            if (current && current->has_value()) {
                promise->addResult(Expected<StoreTreeSnapshot, Error>(**current));
                promise->finish();
                return;
            }
            if (!m_transport) {
                promise->addResult(Expected<StoreTreeSnapshot, Error>::failure(
                    Error(Error::Kind::Cancelled, tr("the live connection is gone"))));
                promise->finish();
                return;
            }
            m_transport
                ->withMirror(
                    m_store,
                    [](const Mirror &mirror) { return StoreTreeSnapshot::fromMirror(mirror); })
                .then(this, [promise](const Result<StoreTreeSnapshot> &live) {
                    promise->addResult(live);
                    promise->finish();
                });
        });
    return future;
}

} // namespace dust
