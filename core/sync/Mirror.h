#pragma once

#include "ClientOpIdRing.h"
#include "EventFrameDecoder.h"
#include "MirrorChangeBatch.h"
#include "RawEvent.h"
#include "protocol/Entry.h"
#include "protocol/Error.h"
#include "protocol/Expected.h"
#include "protocol/JsonBytes.h"
#include "protocol/Listing.h"
#include "protocol/Path.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMetaMethod>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace dust {

class LeafTable;

// Where an event came from: replayed by catch-up, or broadcast live. Live events that
// arrive while a catch-up runs are held back and applied after it (dust-protocol.md §5.9).
enum class EventSource { CatchUp, Live };

enum class ApplyStatus {
    Applied,   // the mirror changed (or the op touched nothing) and lastSeq() moved
    Duplicate, // store_seq <= lastSeq(): already applied, ignored
    Buffered,  // a live event during catch-up: kept for endCatchUp()
    Rejected,  // the event cannot be applied (unknown op, value of the wrong shape, bad
               // path); lastSeq() still moves past it and eventRejected() says why
};

// One immediate child of a path in the tree: its raw segment, whether a leaf sits at it and
// whether it has descendants (a node can be both).
struct MirrorChild
{
    QString segment;
    bool hasValue = false;
    bool hasChildren = false;

    friend bool operator==(const MirrorChild &, const MirrorChild &) = default;
};

// A leaf as forEachLeaf() shows it, without copying. The views are valid during the call.
struct MirrorLeafView
{
    QByteArrayView path;  // rendered, UTF-8
    QByteArrayView value; // compact JSON
    QStringView type;
    qint64 revision = 0;

    QString renderedPath() const { return jsonbytes::textFromUtf8(path); }
    Path toPath() const;
    QJsonValue jsonValue() const;
    QString preview(int maxChars = 80) const;
};

// A leaf restored from an on-disk cache (MirrorCache): rendered path and compact JSON value
// as UTF-8, the index of its type in the type list given with it, and its revision.
struct MirrorRestoredLeaf
{
    QByteArrayView path;
    QByteArrayView value;
    quint16 typeIndex = 0;
    qint64 revision = 0;
};

// One store's leaves exactly as the server holds them (objects flattened into leaves,
// revision = store_seq of the last write, interior paths assembled on read) plus the last
// applied store_seq (DESIGN.md, "The mirror and the models"; dust-protocol.md §3, §5.7-5.9).
//
// Events are applied idempotently by store_seq. A catch-up is bracketed by beginCatchUp() and
// endCatchUp(); a snapshot replaces the whole state. Every applied event emits one
// changed() batch listing the leaves it added, updated or removed; a snapshot, clear() or a
// large catch-up emits reset() once instead (then rebuild from forEachLeaf()). A catch-up
// into an empty mirror, one that holds a snapshot, or one longer than resetThreshold()
// events is such a large catch-up: it emits no batches and one reset() at its end.
//
// Reads and listings follow the REST API (§4.3-§4.4) without the server's quirks (see
// list()). Storage is compact (LeafTable): values stay JSON bytes until read, about 100
// bytes per leaf. Lives on one thread (the sync thread); the batches it emits are immutable
// and safe to queue to other threads; everything else is called on the mirror's thread.
class Mirror : public QObject
{
    Q_OBJECT

public:
    explicit Mirror(QObject *parent = nullptr);
    ~Mirror() override;

    // --- Applying -----------------------------------------------------------------------

    ApplyStatus apply(const ChangeEvent &event, EventSource source = EventSource::Live);
    // The fast path: no QJsonValue is built unless the value is an object to flatten.
    ApplyStatus apply(const EventView &event, EventSource source = EventSource::Live);

    // Starts a catch-up (after a join): live events are buffered until endCatchUp().
    void beginCatchUp();
    // Replaces the whole state with a snapshot and sets lastSeq() to `snapshotSeq`:
    // `entries` maps rendered paths to {"value": <stored form, {"_scalar": v} unwrapped
    // here>, "type": "..."} (a missing type is derived from the value). The frame carries no
    // per-leaf revision, so every leaf gets revision `snapshotSeq`. Entries with an invalid
    // path or value are skipped and reported through eventRejected(); returns how many.
    // Emits reset() (at the end of the catch-up when one is running).
    int applySnapshot(qint64 snapshotSeq, const QJsonObject &entries);
    int applySnapshot(const SnapshotView &snapshot);
    // Ends the catch-up: applies the buffered live events once each in store_seq order
    // (those at or below lastSeq() are dropped) and emits caughtUp(). Returns the number of
    // buffered events applied. `throughSeq` is the server's catch_up_complete value; if the
    // mirror ends below it, the mirror is behind and catchUpIncomplete() is emitted.
    int endCatchUp(qint64 throughSeq);
    bool isCatchingUp() const { return m_catchingUp; }
    qsizetype bufferedEventCount() const { return qsizetype(m_buffer.size()); }

    // Drops every leaf and sets lastSeq() to 0 (a rejoin from scratch). Emits reset().
    void clear();

    // The bulk-load entry point of the on-disk cache: replaces the whole state with the
    // leaves `next` produces (called until it returns false; they must come strictly
    // ascending by path) and sets lastSeq(). `typeNames` names the types the leaves refer
    // to. Every path, value, type index, revision (1..lastSeq) and the order are checked:
    // on the first bad leaf nothing changes and the reason is returned. Emits reset() on
    // success (at the end of the catch-up when one is running).
    // `next` fills `leaf` and answers Leaf, says End after the last one, or Fail with a
    // reason in `error` (then nothing changes either).
    enum class RestoreStep { Leaf, End, Fail };
    using RestoreSource = std::function<RestoreStep(MirrorRestoredLeaf &leaf, QString &error)>;
    Expected<qsizetype, QString> restore(qint64 lastSeq, const QStringList &typeNames,
                                         const RestoreSource &next, qsizetype expectedCount = 0);

    // True if an event with this client_op_id has been applied or buffered: lets a client
    // tell whether an unacknowledged write already committed before re-sending it. The
    // most recent clientOpIdMemory() ids are remembered.
    bool hasSeenClientOpId(const QString &clientOpId) const;
    qsizetype clientOpIdMemory() const { return m_opIds.capacity(); }
    void setClientOpIdMemory(qsizetype count);

    qsizetype resetThreshold() const { return m_resetThreshold; }
    void setResetThreshold(qsizetype events) { m_resetThreshold = events; }

    // --- Reading ------------------------------------------------------------------------

    qint64 lastSeq() const { return m_lastSeq; }
    qsizetype leafCount() const;
    // Stamps the latest reset(): strictly increasing, and larger than the stamp of any reset
    // made before it in this process by any mirror (it follows the monotonic clock in ns);
    // 0 before the first. A reader that captured the state at stamp E has seen every reset
    // stamped E or lower, so a reset announced with such a stamp need not be read again.
    quint64 resetEpoch() const { return m_resetEpoch; }

    // The leaf at `path`, or the assembled subtree under it (type "map", revision = the
    // highest revision), or nullopt (dust-protocol.md §3.2, §4.4).
    std::optional<Entry> get(const Path &path) const;
    bool exists(const Path &path) const;

    // The REST listing (§4.3) over the mirror: same parameters, same order (byte-wise by
    // rendered UTF-8 path), same cursor and paging, same errors for bad parameters
    // (InvalidParams with reason invalid_params, conflicting_params,
    // invalid_pattern_for_prefixes or unsupported_select). Unlike the server it has no
    // quirks: a pattern without wildcards lists the leaf at that path, and select=prefixes
    // de-duplicates over the whole listing, so pages hold `limit` distinct prefixes in order
    // and a prefix never comes back on a later page.
    Expected<ListPage, Error> list(const ListQuery &query) const;

    // The immediate children of `parent` (the root for an invalid/default Path), in
    // byte-wise order of their rendered segment.
    QList<MirrorChild> children(const Path &parent = Path()) const;

    // Calls visit() with the leaf at `renderedPath` (UTF-8) if there is one; returns whether
    // there was. Does not look at descendants.
    bool visitLeaf(QByteArrayView renderedPath,
                   const std::function<void(const MirrorLeafView &)> &visit) const;
    // Every leaf in path order; the fast way to build a tree after reset().
    void forEachLeaf(const std::function<void(const MirrorLeafView &)> &visit) const;
    // The leaf at `base` (if any) and every leaf under it, in path order.
    void forEachLeafUnder(const Path &base,
                          const std::function<void(const MirrorLeafView &)> &visit) const;
    // The leaves from `from` on (rendered path bytes; `from` itself only when `inclusive`),
    // in byte-wise path order, for as long as visit() returns true: a walk that starts in the
    // middle and stops when told, so a read in slices costs only its own leaves.
    void forEachLeafFrom(std::string_view from, bool inclusive,
                         const std::function<bool(const MirrorLeafView &)> &visit) const;

signals:
    void changed(const dust::MirrorChangeBatch &batch);
    void reset();
    // A catch-up ended; lastSeq() is where the mirror stands.
    void caughtUp(qint64 lastSeq);
    // catch_up_complete said `throughSeq` but the mirror only reached lastSeq.
    void catchUpIncomplete(qint64 lastSeq, qint64 throughSeq);
    // An event (or snapshot entry) could not be applied.
    void eventRejected(qint64 storeSeq, const QString &reason);
    // An event skipped store_seqs (e.g. REST writes are not broadcast, §5.10): the ops in
    // between are missing until the next catch-up from before the gap.
    void gapDetected(qint64 lastSeq, qint64 nextSeq);

private:
    struct PendingChange;
    ApplyStatus applyNow(const EventView &event, const QJsonValue *parsedValue);
    QString applyOp(const EventView &event, const QJsonValue *parsedValue);
    void setLeaf(std::string_view path, std::string_view value, quint16 type, qint64 seq);
    void replaceSubtree(std::string_view path, std::string_view value, quint16 type, qint64 seq);
    void removeLeaf(std::string_view path);
    void removeDescendants(std::string_view path);
    void writeObject(std::string_view path, const QJsonObject &object, qint64 seq);
    quint16 typeId(const QString &type);
    quint16 typeIdForRaw(std::string_view raw, const QJsonValue *parsedObject);
    void emitBatch(const EventView &event);
    void finishBulk();
    int replaceState(qint64 snapshotSeq, const std::vector<SnapshotEntryView> &entries);
    MirrorLeafView leafView(const void *record) const;
    // Stamps resetEpoch() and emits reset().
    void announceReset();

    std::unique_ptr<LeafTable> m_table;
    qint64 m_lastSeq = 0;

    QStringList m_typeNames;           // type id -> name
    QHash<QString, quint16> m_typeIds; // name -> type id

    bool m_catchingUp = false;
    bool m_bulk = false; // no batches; reset() at the end of the catch-up
    quint64 m_resetEpoch = 0;
    qsizetype m_catchUpApplied = 0;
    qsizetype m_resetThreshold = 4096;
    std::vector<RawEvent> m_buffer;

    QMetaMethod m_changedSignal;
    bool m_collecting = false;
    std::vector<PendingChange> m_pending;

    ClientOpIdRing m_opIds; // recent client_op_ids, applied or buffered

    std::string m_rangeFrom; // scratch keys for subtree range erases
    std::string m_rangeTo;
};

} // namespace dust
