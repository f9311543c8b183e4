#pragma once

#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <limits>
#include <optional>
#include <vector>

namespace dust {

// Tells the null sides of a diff apart (dust-protocol.md §4.7): the server writes null both
// for a side where the leaf did not exist and for a leaf that held JSON null. For every side
// the wire gave as null, the resolver reads the audit log (§4.7, newest first) and finds the
// newest op at or before that side's seq that reached the leaf: an op at the leaf itself, or
// a set, put_file, delete or merge of an ancestor that wrote over it
// (HistoryModel::opReachesNode). Its effect says whether a leaf was there (a set of null, an
// object holding null at the leaf's place) or not (a delete, a set of an object without it,
// a release). A merge of an ancestor whose child value is not an object leaves the leaf as
// it was, and so does a merge at the leaf, so the search goes on past them.
//
// When no op reaches the leaf at or before the seq, the leaf never existed if the log goes
// back to seq 1. When both sides are null, the later one is resolved (the other is its
// opposite): an op between the two seqs changed the leaf, so that answer is always in the
// log. Sides that are not null cost nothing.
//
// The log is read per leaf (its exact path and each ancestor, an ancestor read once for all)
// for up to kPerPathLimit leaves and kMaxOpsRead ops. Whatever that leaves open — more
// leaves than that, a compacted log (older than seq 1), too long a history, a log that
// cannot be read (a token without audit:read) — is answered by
// the store's state at that seq: the diff from seq 0 to it lists every leaf there was
// (`GET …/diff?from_seq=0&to_seq=S`), one read per seq, whose cost is the store's size then.
// A server that refuses it (§4.7: 409 compacted for a start before the op log; dustlite
// answers seq 0 from its snapshot), or a store of more than kMaxStateLeaves leaves, leaves
// the side unknown: Undefined, its `…Unknown` flag set. The resolver never fails the diff: only a
// closed connection does.
class NullSideResolver : public QObject
{
    Q_OBJECT
public:
    static constexpr int kPerPathLimit = 200;
    static constexpr qint64 kMaxOpsRead = 20000;
    // The store's state is read only while the store holds at most this many leaves now (one
    // listing page tells): the diff from seq 0 of a million-leaf store is a hundred
    // megabytes, read and parsed for a few rows. Above it, the open sides stay unknown.
    static constexpr int kMaxStateLeaves = 1000;

    NullSideResolver(Transport *rest, QString store, QObject *parent = nullptr);

    // Resolves the null sides of `changes`, the changes of diff(fromSeq, toSeq) as the wire
    // gave them ("before" is the state at fromSeq, "after" at toSeq). `done` gets them back,
    // in the same order, or the log's error; it is called once: before resolve() returns
    // when no side is null, else from the event loop. The resolver deletes itself after.
    void resolve(qint64 fromSeq, qint64 toSeq, QList<DiffChange> changes,
                 std::function<void(const Result<QList<DiffChange>> &)> done);

    // What `op` did to the leaf at `leaf`: wrote a leaf there, removed it, or nothing.
    enum class Effect { Untouched, Absent, Present };
    static Effect effectOn(const Path &leaf, const AuditOp &op);

private:
    struct Stream
    {
        QString query; // the log's path filter; empty = every op
        qint64 lowest = std::numeric_limits<qint64>::max(); // the oldest op read so far
        int nextPage = 1;
        bool exhausted = false;
        bool inFlight = false;
        qint64 floor() const; // every op of this stream above it has been read
    };
    struct Side
    {
        qsizetype change = 0;
        bool before = true; // the change's before side (at fromSeq), else after (toSeq)
        Path leaf;
        qint64 seq = 0;
        std::vector<qsizetype> streams;
        std::optional<Effect> result; // Untouched: the log cannot tell
        bool reachedStart = false;    // no op reaches it: absent if the log is complete
    };

    void plan();
    std::size_t streamFor(const QString &query);
    void step();
    bool settle(Side &side) const;
    void readPage(std::size_t index);
    void readLogStart();
    void readStates();
    // The diffs from seq 0 of readStates(), once the store was seen to be small enough.
    void readStatesAt(const QList<qint64> &seqs);
    void finish();
    void fail(const Error &error);

    QPointer<Transport> m_rest;
    QString m_store;
    qint64 m_from = 0;
    qint64 m_to = 0;
    QList<DiffChange> m_changes;
    std::function<void(const Result<QList<DiffChange>> &)> m_done;
    std::vector<Stream> m_streams;
    std::vector<Side> m_sides;
    QHash<QString, QList<AuditOp>> m_byPath; // the ops read, by rendered path, newest first
    qint64 m_opsRead = 0;
    int m_inFlight = 0;
    std::optional<bool> m_logComplete; // the log reaches back to seq 1
    bool m_logFailed = false;
    bool m_statesRead = false;
    bool m_finished = false;
};

} // namespace dust
