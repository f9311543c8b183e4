#include "model/NullSideResolver.h"

#include "model/HistoryModel.h"
#include "protocol/Listing.h"
#include "protocol/Values.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace dust {

namespace {

QString trText(const char *text)
{
    return QCoreApplication::translate("dust::NullSideResolver", text);
}

// The strict ancestors of `path`, nearest first.
QList<Path> ancestorsOf(const Path &path)
{
    QList<Path> out;
    for (Path up = path.parent(); up.isValid(); up = up.parent())
        out.append(up);
    return out;
}

} // namespace

qint64 NullSideResolver::Stream::floor() const
{
    return exhausted ? 0 : lowest;
}

NullSideResolver::NullSideResolver(Transport *rest, QString store, QObject *parent)
    : QObject(parent)
    , m_rest(rest)
    , m_store(std::move(store))
{}

NullSideResolver::Effect NullSideResolver::effectOn(const Path &leaf, const AuditOp &op)
{
    const auto at = Path::parse(op.path);
    if (!at || !leaf.isValid())
        return Effect::Untouched;
    if (*at == leaf) {
        if (op.op == QLatin1String("delete") || op.op == QLatin1String("release"))
            return Effect::Absent;
        if (op.op == QLatin1String("merge"))
            return Effect::Untouched; // a leaf at the merged path itself is left alone (§3.4)
        if (op.op == QLatin1String("set"))
            return values::isPlainObject(op.value) ? Effect::Absent : Effect::Present;
        return Effect::Present; // increment, add, remove, put_file, lease, renew
    }
    if (!HistoryModel::opReachesNode(leaf, op.op, op.path, op.value))
        return Effect::Untouched;
    if (op.op != QLatin1String("set") && op.op != QLatin1String("merge"))
        return Effect::Absent; // a delete or put_file of an ancestor clears its subtree
    const QStringList &segments = leaf.segments();
    qsizetype depth = at->segments().size();
    QJsonValue value = op.value;
    if (op.op == QLatin1String("merge")) {
        value = op.value.toObject().value(segments.at(depth));
        ++depth;
        // A non-object child is upserted at the child; what lies below it stays (§3.4).
        if (!values::isPlainObject(value))
            return depth == segments.size() ? Effect::Present : Effect::Untouched;
    } else if (!values::isPlainObject(value)) {
        return Effect::Absent; // a scalar, array or envelope set at an ancestor
    }
    // A plain object written at segments [0, depth): the leaf is there when the object holds
    // a non-object at its place.
    for (; depth < segments.size(); ++depth) {
        if (!values::isPlainObject(value))
            return Effect::Absent;
        const QJsonObject object = value.toObject();
        const auto found = object.constFind(segments.at(depth));
        if (found == object.constEnd())
            return Effect::Absent;
        value = *found;
    }
    return values::isPlainObject(value) ? Effect::Absent : Effect::Present;
}

void NullSideResolver::resolve(qint64 fromSeq, qint64 toSeq, QList<DiffChange> changes,
                               std::function<void(const Result<QList<DiffChange>> &)> done)
{
    m_from = fromSeq;
    m_to = toSeq;
    m_changes = std::move(changes);
    m_done = std::move(done);
    for (qsizetype i = 0; i < m_changes.size(); ++i) {
        const DiffChange &change = m_changes.at(i);
        const bool beforeNull = change.before.isNull();
        const bool afterNull = change.after.isNull();
        if (!beforeNull && !afterNull)
            continue;
        const auto leaf = Path::parse(change.path);
        if (!leaf)
            continue;
        // Both null: one side is a leaf holding null, and the later side tells which: an op
        // between the two seqs changed the leaf, so the log always holds the op it needs.
        Side side;
        side.change = i;
        side.before = beforeNull && !(afterNull && m_to >= m_from);
        side.leaf = *leaf;
        side.seq = side.before ? m_from : m_to;
        m_sides.push_back(std::move(side));
    }
    if (m_sides.empty())
        return finish(); // nothing to tell apart: at once, as the diff came
    plan();
    QTimer::singleShot(0, this, &NullSideResolver::step);
}

std::size_t NullSideResolver::streamFor(const QString &query)
{
    for (std::size_t i = 0; i < m_streams.size(); ++i) {
        if (m_streams[i].query == query)
            return i;
    }
    m_streams.push_back(Stream{query});
    return m_streams.size() - 1;
}

void NullSideResolver::plan()
{
    QList<Path> leaves;
    for (const Side &side : m_sides) {
        if (!leaves.contains(side.leaf))
            leaves.append(side.leaf);
    }
    if (leaves.size() > kPerPathLimit)
        return; // the store's state answers them all at once (readStates)
    // Per leaf: its exact path and each ancestor's, an ancestor read once for all.
    for (Side &side : m_sides) {
        side.streams.push_back(qsizetype(streamFor(side.leaf.rendered())));
        for (const Path &up : ancestorsOf(side.leaf))
            side.streams.push_back(qsizetype(streamFor(up.rendered())));
    }
}

bool NullSideResolver::settle(Side &side) const
{
    // Every op of the side's streams above `horizon` has been read.
    qint64 horizon = 0;
    for (const qsizetype index : side.streams)
        horizon = std::max(horizon, m_streams[std::size_t(index)].floor());
    // The ops of the leaf and of its ancestors (each path's ops come from one stream,
    // newest first).
    QList<const AuditOp *> candidates;
    for (Path at = side.leaf; at.isValid(); at = at.parent()) {
        const auto ops = m_byPath.constFind(at.rendered());
        if (ops == m_byPath.cend())
            continue;
        for (const AuditOp &op : *ops) {
            if (op.storeSeq <= horizon)
                break;
            if (op.storeSeq <= side.seq)
                candidates.append(&op);
        }
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const AuditOp *a, const AuditOp *b) { return a->storeSeq > b->storeSeq; });
    for (const AuditOp *op : std::as_const(candidates)) {
        const Effect effect = effectOn(side.leaf, *op);
        if (effect != Effect::Untouched) {
            side.result = effect;
            return true;
        }
    }
    if (horizon > 0)
        return false; // older ops are still to be read
    side.reachedStart = true;
    if (!m_logComplete)
        return false;
    side.result = *m_logComplete ? Effect::Absent : Effect::Untouched;
    return true;
}

void NullSideResolver::step()
{
    if (m_finished || m_inFlight > 0)
        return;
    if (!m_rest)
        return fail(Error::notSupported(trText("The connection to the store was closed.")));
    if (m_streams.empty() || m_logFailed)
        return readStates();
    std::vector<std::size_t> wanted;
    bool needLogStart = false;
    for (Side &side : m_sides) {
        if (side.result || settle(side))
            continue;
        if (side.reachedStart) {
            needLogStart = true;
            continue;
        }
        qint64 horizon = 0;
        for (const qsizetype index : side.streams)
            horizon = std::max(horizon, m_streams[std::size_t(index)].floor());
        for (const qsizetype index : side.streams) {
            const Stream &stream = m_streams[std::size_t(index)];
            if (!stream.exhausted && stream.floor() == horizon &&
                std::find(wanted.begin(), wanted.end(), std::size_t(index)) == wanted.end())
                wanted.push_back(std::size_t(index));
        }
    }
    if (!wanted.empty() && m_opsRead >= kMaxOpsRead)
        wanted.clear(); // too much history: what is left stays unknown
    if (wanted.empty() && !needLogStart)
        return readStates();
    if (needLogStart && !m_logComplete)
        readLogStart();
    for (const std::size_t index : wanted)
        readPage(index);
    if (m_inFlight == 0)
        readStates();
}

// The sides the log left open, from the store's state at their seq: the diff from seq 0 lists
// every leaf there was.
void NullSideResolver::readStates()
{
    if (m_finished || m_statesRead)
        return;
    m_statesRead = true;
    QList<qint64> seqs;
    for (const Side &side : m_sides) {
        const bool open = !side.result || *side.result == Effect::Untouched;
        if (open && !seqs.contains(side.seq))
            seqs.append(side.seq);
    }
    if (seqs.isEmpty() || !m_rest)
        return finish();
    // How big the store is now: one page of its keys.
    ListQuery probe;
    probe.select = ListQuery::Select::Keys;
    probe.limit = kMaxStateLeaves;
    ++m_inFlight;
    m_rest->list(m_store, probe).then(this, [this, seqs](const Result<ListPage> &page) {
        --m_inFlight;
        if (page && page->nextCursor.isEmpty())
            return readStatesAt(seqs);
        if (m_inFlight == 0)
            finish(); // too big (or unreadable): those sides stay unknown
    });
}

void NullSideResolver::readStatesAt(const QList<qint64> &seqs)
{
    m_inFlight += int(seqs.size());
    for (const qint64 seq : std::as_const(seqs)) {
        m_rest->diff(m_store, 0, seq)
            .then(this, [this, seq](const Result<QList<DiffChange>> &state) {
                --m_inFlight;
                if (state) {
                    QSet<QString> there;
                    for (const DiffChange &change : *state)
                        there.insert(change.path);
                    for (Side &side : m_sides) {
                        if (side.seq == seq && (!side.result || *side.result == Effect::Untouched))
                            side.result = there.contains(side.leaf.rendered()) ? Effect::Present
                                                                               : Effect::Absent;
                    }
                } // refused: those sides stay unknown
                if (m_inFlight == 0)
                    finish();
            });
    }
}

void NullSideResolver::readPage(std::size_t index)
{
    Stream &stream = m_streams[index];
    AuditQuery query;
    query.path = stream.query;
    query.limit = kMaxListLimit;
    query.page = stream.nextPage;
    stream.inFlight = true;
    ++m_inFlight;
    m_rest->auditLog(m_store, query).then(this, [this, index](const Result<AuditPage> &page) {
        --m_inFlight;
        Stream &stream = m_streams[index];
        stream.inFlight = false;
        if (!page) {
            m_logFailed = true; // e.g. no audit:read: the state answers instead
            return step();
        }
        ++stream.nextPage;
        for (const AuditOp &op : page->ops) {
            m_byPath[op.path].append(op);
            stream.lowest = std::min(stream.lowest, op.storeSeq);
        }
        m_opsRead += page->ops.size();
        if (page->ops.size() < kMaxListLimit || page->page >= page->totalPages)
            stream.exhausted = true;
        step();
    });
}

// Whether the log still holds seq 1: its oldest op, the last page of one op each.
void NullSideResolver::readLogStart()
{
    ++m_inFlight;
    AuditQuery newest;
    newest.limit = 1;
    m_rest->auditLog(m_store, newest).then(this, [this](const Result<AuditPage> &first) {
        if (!first) {
            --m_inFlight;
            m_logFailed = true;
            return step();
        }
        if (first->total <= 0 || !m_rest) {
            --m_inFlight;
            m_logComplete = false;
            return step();
        }
        AuditQuery oldest;
        oldest.limit = 1;
        oldest.page = int(std::min<qint64>(first->total, std::numeric_limits<int>::max()));
        m_rest->auditLog(m_store, oldest).then(this, [this](const Result<AuditPage> &last) {
            --m_inFlight;
            if (!last) {
                m_logFailed = true;
                return step();
            }
            m_logComplete = !last->ops.isEmpty() && last->ops.last().storeSeq == 1;
            step();
        });
    });
}

void NullSideResolver::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    for (const Side &side : m_sides) {
        DiffChange &change = m_changes[side.change];
        const bool known = side.result && *side.result != Effect::Untouched;
        const bool present = known && *side.result == Effect::Present;
        const bool bothNull = change.before.isNull() && change.after.isNull();
        // QJsonValue() is null: a leaf holding null.
        const QJsonValue absent(QJsonValue::Undefined);
        QJsonValue &value = side.before ? change.before : change.after;
        QJsonValue &other = side.before ? change.after : change.before;
        value = present ? QJsonValue() : absent;
        (side.before ? change.beforeUnknown : change.afterUnknown) = !known;
        if (bothNull) {
            // The sides differ, so the other one is the opposite.
            other = known && !present ? QJsonValue() : absent;
            (side.before ? change.afterUnknown : change.beforeUnknown) = !known;
        }
    }
    auto done = std::move(m_done);
    if (done)
        done(Result<QList<DiffChange>>(std::move(m_changes)));
    deleteLater();
}

void NullSideResolver::fail(const Error &error)
{
    if (m_finished)
        return;
    m_finished = true;
    auto done = std::move(m_done);
    if (done)
        done(Result<QList<DiffChange>>::failure(error));
    deleteLater();
}

} // namespace dust
