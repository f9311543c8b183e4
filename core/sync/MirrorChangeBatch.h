#pragma once

#include "protocol/Entry.h"
#include "protocol/Path.h"

#include <QList>
#include <QMetaType>
#include <QString>

#include <memory>

namespace dust {

// What happened to one leaf.
struct MirrorLeafChange
{
    enum class Kind : quint8 { Added, Updated, Removed };

    Kind kind = Kind::Added;
    Path path;
    QString type;        // empty for Removed
    qint64 revision = 0; // the store_seq of the event that made the change
    QString preview;     // dust::values::preview of the new value; empty for Removed

    friend bool operator==(const MirrorLeafChange &, const MirrorLeafChange &) = default;
};

// The event behind a batch, for a change log (no value: it may be big).
struct MirrorEventInfo
{
    qint64 storeSeq = 0;
    Op op = Op::Unknown;
    QString opText;
    Path path;
    QString deviceId;
    QString clientOpId;

    friend bool operator==(const MirrorEventInfo &, const MirrorEventInfo &) = default;
};

// The leaf changes one applied event made, in path order, with the store_seq range they
// cover. An immutable, implicitly shared value: cheap to copy and safe to hand to another
// thread through a queued connection. Each leaf appears at most once: a leaf removed and
// written again by the same event is Updated, one written and then removed is left out.
class MirrorChangeBatch
{
public:
    MirrorChangeBatch();
    MirrorChangeBatch(qint64 firstSeq, qint64 lastSeq, QList<MirrorLeafChange> changes,
                      QList<MirrorEventInfo> events = {});

    qint64 firstSeq() const { return d->firstSeq; }
    qint64 lastSeq() const { return d->lastSeq; }
    const QList<MirrorLeafChange> &changes() const { return d->changes; }
    const QList<MirrorEventInfo> &events() const { return d->events; }
    bool isEmpty() const { return d->changes.isEmpty(); }

    friend bool operator==(const MirrorChangeBatch &a, const MirrorChangeBatch &b)
    {
        return a.d == b.d || (a.d->firstSeq == b.d->firstSeq && a.d->lastSeq == b.d->lastSeq &&
                              a.d->changes == b.d->changes && a.d->events == b.d->events);
    }

private:
    struct Data
    {
        qint64 firstSeq = 0;
        qint64 lastSeq = 0;
        QList<MirrorLeafChange> changes;
        QList<MirrorEventInfo> events;
    };
    std::shared_ptr<const Data> d;
};

} // namespace dust

Q_DECLARE_METATYPE(dust::MirrorChangeBatch)
