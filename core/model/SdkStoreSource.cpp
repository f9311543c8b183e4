#include "SdkStoreSource.h"

#include "transport/SdkTransport.h"

#include <QPromise>

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
    connect(transport, &SdkTransport::storeReset, this, [this](const QString &resetStore) {
        if (resetStore == m_store)
            emit reset();
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
    return m_transport->withMirror(
        m_store, [](const Mirror &mirror) { return StoreTreeSnapshot::fromMirror(mirror); });
}

} // namespace dust
