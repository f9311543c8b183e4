#pragma once

#include "LiveStoreSource.h"

#include <QPointer>
#include <QString>

namespace dust {

class SdkTransport;

// The store `store` of an SdkTransport as a LiveStoreSource: its storeChanged() and
// storeReset() for that store, and snapshots read from its mirror on the sync thread once
// the store has caught up (a store that cannot be read fails them, as withMirror() does).
// The transport is not owned; without it (or once it is gone) snapshots fail.
class SdkStoreSource : public LiveStoreSource
{
    Q_OBJECT
public:
    SdkStoreSource(SdkTransport *transport, const QString &store, QObject *parent = nullptr);
    ~SdkStoreSource() override;

    const QString &store() const { return m_store; }
    QFuture<Expected<StoreTreeSnapshot, Error>> snapshot() override;

private:
    QPointer<SdkTransport> m_transport;
    QString m_store;
};

} // namespace dust
