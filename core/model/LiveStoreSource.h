#pragma once

#include "StoreTreeSnapshot.h"
#include "protocol/Error.h"
#include "protocol/Expected.h"
#include "sync/MirrorChangeBatch.h"

#include <QFuture>
#include <QObject>

namespace dust {

// One store as StoreTreeModel follows it live: a snapshot of every leaf on request, then
// the leaf changes of each applied event, and a reset whenever the whole state was
// replaced (after which the model asks for a new snapshot). SdkStoreSource is this for a
// store of an SdkTransport; anything else that keeps a store's leaves can be one.
//
// The signals are expected on the model's thread, in the order the changes were applied;
// batches the source emits after a snapshot was taken must arrive after the snapshot's
// answer, or carry seqs above the snapshot's (older ones are ignored).
class LiveStoreSource : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~LiveStoreSource() override;

    // Every leaf of the store and the store_seq they stand at (and the reset epoch it saw,
    // StoreTreeSnapshot::resetEpoch()), once the store can be read;
    // or why it cannot be (refused, unreachable). May finish on any thread.
    virtual QFuture<Expected<StoreTreeSnapshot, Error>> snapshot() = 0;

signals:
    // One applied event's leaf changes.
    void changed(const dust::MirrorChangeBatch &batch);
    // The store's state was replaced: what was shown must be read again, unless a snapshot
    // whose resetEpoch() is `epoch` or later was taken (0: unknown, always read again).
    void reset(quint64 epoch = 0);
};

} // namespace dust
