#include "StoreReplay.h"

#include "LeafOps.h"
#include "StoreSql.h"
#include "StoredJson.h"
#include "protocol/Values.h"

#include <QJsonArray>

#include <algorithm>
#include <limits>

namespace dust::lite {

namespace {

// A write of the rollback to `toSeq` at `rendered`.
WriteRequest rollbackWrite(Op op, const Path &path, const QJsonValue &value, qint64 toSeq)
{
    WriteRequest request;
    request.op = op;
    request.path = path;
    request.value = value;
    request.deviceId = QStringLiteral("system:rollback");
    request.clientOpId = QStringLiteral("rollback:%1:%2").arg(toSeq).arg(path.rendered());
    return request;
}

constexpr qint64 kNoJournal = std::numeric_limits<qint64>::max();

} // namespace

StoreReplay::StoreReplay(StoreSql &sql)
    : m_sql(sql)
{}

bool StoreReplay::replay(qint64 toSeq, ReplaySink &sink, const ReplayScope &scope,
                         qint64 journalAfter)
{
    const qint64 snapshotSeq = m_sql.snapshotSeq();
    qint64 fromSeq = 0;
    if (snapshotSeq > 0 && snapshotSeq <= toSeq) {
        fromSeq = snapshotSeq;
        const auto text = m_sql.snapshotText(snapshotSeq);
        if (!text)
            return false;
        const QJsonObject entries = StoredJson::parseRawOrNull(*text).toObject();
        for (auto it = entries.constBegin(); it != entries.constEnd(); ++it) {
            if (!scope.contains(it.key()))
                continue;
            const QJsonObject entry = it.value().toObject();
            sink.state[it.key()] =
                LeafRow{values::unwrapScalar(entry.value(QLatin1String("value"))),
                        entry.value(QLatin1String("type")).toString(), snapshotSeq};
        }
    }
    sink.journaling = fromSeq >= journalAfter;

    return m_sql.scanOps(
        fromSeq, toSeq, [&scope](const QString &path) { return scope.relevant(path); },
        [&](const StoreSql::OpRow &row) {
            const auto path = Path::parse(row.path);
            if (!path)
                return;
            if (row.seq > journalAfter)
                sink.journaling = true;
            LeafOps::apply(sink, row.op, *path, StoredJson::parse(row.value), row.seq);
        });
}

ReplaySink::State StoreReplay::currentState(const ReplayScope &scope)
{
    ReplaySink::State state;
    auto collect = [&](const QString &path, const QByteArray &value, const QString &type,
                       qint64 seq) {
        state[path] = LeafRow{StoredJson::parse(value), type, seq};
    };
    if (scope.all) {
        m_sql.scanLeaves(QString(), collect);
        return state;
    }
    for (const QString &root : scope.roots) {
        if (auto leaf = m_sql.leaf(root))
            state[root] = *leaf;
        m_sql.scanLeaves(root, collect);
    }
    return state;
}

WriteResult StoreReplay::rollback(const std::optional<Path> &path, qint64 toSeq, qint64 nowMs,
                                  QJsonObject *reply)
{
    const auto earliestOp = m_sql.earliestOpSeq();
    if (!earliestOp)
        return m_sql.failed() ? m_sql.storageFailure()
                              : WriteResult::failed(QStringLiteral("no_ops"));
    const qint64 earliest = m_sql.snapshotSeq() > 0 ? m_sql.snapshotSeq() : *earliestOp;
    if (toSeq < earliest)
        return WriteResult::failed(QStringLiteral("beyond_retention"));
    const qint64 target = std::min(toSeq, m_sql.currentSeq());
    if (path)
        return rollbackPath(*path, toSeq, target, nowMs, reply);
    return rollbackStore(toSeq, target, nowMs, reply);
}

WriteResult StoreReplay::rollbackPath(const Path &path, qint64 toSeq, qint64 target, qint64 nowMs,
                                      QJsonObject *reply)
{
    if (!path.isValid())
        return WriteResult::failed(QStringLiteral("missing_path"));
    const QString &rendered = path.rendered();
    const ReplayScope scope = ReplayScope::subtree(rendered);
    ReplaySink historic(scope);
    m_sql.clearFailure();
    if (!replay(target, historic, scope, kNoJournal))
        return m_sql.storageFailure();
    const ReplaySink::State now = currentState(scope);
    bool equal = now.size() == historic.state.size();
    for (auto a = now.cbegin(), b = historic.state.cbegin(); equal && a != now.cend(); ++a, ++b)
        equal = a->first == b->first && a->second.value == b->second.value;
    if (equal) {
        WriteResult result;
        result.ok = true;
        result.storeSeq = m_sql.currentSeq();
        if (reply)
            *reply = QJsonObject{{QStringLiteral("store_seq"), m_sql.currentSeq()},
                                 {QStringLiteral("noop"), true}};
        return result;
    }

    WriteRequest request = rollbackWrite(Op::Delete, path, QJsonValue(), toSeq);
    const auto self = historic.state.find(rendered);
    if (self != historic.state.end()) {
        request.op = Op::Set;
        request.value = self->second.value;
    } else if (!historic.state.empty()) {
        QList<Entry> descendants;
        for (const auto &[leafPath, row] : historic.state) {
            if (auto parsed = Path::parse(leafPath))
                descendants.append(Entry{*parsed, row.value, row.type, row.seq});
        }
        request.op = Op::Set;
        request.value = values::assembleSubtree(path, descendants).value;
    }
    WriteResult result = m_sql.write(request, nowMs);
    if (result.ok && reply)
        *reply = QJsonObject{{QStringLiteral("store_seq"), result.storeSeq}};
    return result;
}

WriteResult StoreReplay::rollbackStore(qint64 toSeq, qint64 target, qint64 nowMs,
                                       QJsonObject *reply)
{
    // Only subtrees touched after the target can differ.
    m_sql.clearFailure();
    const ReplayScope scope = ReplayScope::fromPaths(
        m_sql.opPathsBetween(target, m_sql.currentSeq(), ReplayScope::kMaxRoots));
    ReplaySink historic(scope);
    if (!replay(target, historic, scope, kNoJournal))
        return m_sql.storageFailure();
    const ReplaySink::State now = currentState(scope);
    if (m_sql.failed())
        return m_sql.storageFailure();

    qint64 written = 0;
    WriteResult outcome = m_sql.transact([&]() -> WriteResult {
        auto writeOne = [&](Op op, const QString &rendered, const QJsonValue &value) {
            ++written;
            return m_sql.applyWrite(rollbackWrite(op, *Path::parse(rendered), value, toSeq), nowMs);
        };
        for (const auto &[leafPath, row] : now) {
            if (historic.state.count(leafPath) || !Path::parse(leafPath))
                continue;
            // An earlier delete of an ancestor may already have removed it.
            if (!m_sql.leaf(leafPath) && !m_sql.failed())
                continue;
            WriteResult r = writeOne(Op::Delete, leafPath, QJsonValue());
            if (!r.ok)
                return r;
        }
        // Ascending order puts every parent before its descendants, so a set that clears a
        // subtree is followed by the leaves it must restore.
        for (const auto &[leafPath, row] : historic.state) {
            if (!Path::parse(leafPath))
                continue;
            if (LeafOps::sameValue(m_sql.leaf(leafPath), row))
                continue;
            WriteResult r = writeOne(Op::Set, leafPath, row.value);
            if (!r.ok)
                return r;
        }
        WriteResult done;
        done.ok = true;
        done.storeSeq = m_sql.currentSeq();
        return done;
    });
    if (outcome.ok && reply)
        *reply = QJsonObject{{QStringLiteral("ops_written"), written}};
    return outcome;
}

std::optional<QJsonObject> StoreReplay::diff(qint64 fromSeq, qint64 toSeq,
                                             qint64 *earliestAvailable)
{
    const qint64 current = m_sql.currentSeq();
    const qint64 to = toSeq < 0 ? current : std::min(toSeq, current);
    const qint64 from = std::clamp<qint64>(fromSeq, 0, current);
    const qint64 lo = std::min(from, to);
    const qint64 hi = std::max(from, to);
    const qint64 earliest = m_sql.snapshotSeq();
    if (lo > 0 && lo < earliest) {
        if (earliestAvailable)
            *earliestAvailable = earliest;
        return std::nullopt;
    }

    m_sql.clearFailure();
    ReplaySink::Journal journal;
    ReplaySink::State state;
    if (lo == 0) {
        // From the empty store: every leaf at `hi` is new.
        const ReplayScope all;
        ReplaySink sink(all);
        replay(hi, sink, all, kNoJournal);
        state = std::move(sink.state);
        for (const auto &entry : state)
            journal.emplace(entry.first, std::nullopt);
    } else {
        const ReplayScope scope =
            ReplayScope::fromPaths(m_sql.opPathsBetween(lo, hi, ReplayScope::kMaxRoots));
        ReplaySink sink(scope);
        replay(hi, sink, scope, lo);
        state = std::move(sink.state);
        journal = std::move(sink.journal);
    }

    QJsonArray changes;
    for (const auto &[path, before] : journal) {
        const auto found = state.find(path);
        const std::optional<LeafRow> after =
            found == state.end() ? std::nullopt : std::optional<LeafRow>(found->second);
        if (LeafOps::sameValue(before, after))
            continue;
        QJsonValue beforeValue = before ? before->value : QJsonValue(QJsonValue::Null);
        QJsonValue afterValue = after ? after->value : QJsonValue(QJsonValue::Null);
        if (from > to)
            std::swap(beforeValue, afterValue);
        changes.append(QJsonObject{{QStringLiteral("path"), path},
                                   {QStringLiteral("before"), beforeValue},
                                   {QStringLiteral("after"), afterValue}});
    }
    return QJsonObject{{QStringLiteral("from_seq"), fromSeq},
                       {QStringLiteral("to_seq"), to},
                       {QStringLiteral("changes"), changes}};
}

std::optional<QByteArray> StoreReplay::snapshotTextAt(qint64 seq)
{
    m_sql.clearFailure();
    const ReplayScope all;
    ReplaySink sink(all);
    if (!replay(seq, sink, all, kNoJournal) || m_sql.failed())
        return std::nullopt;
    QByteArray text = "{";
    bool first = true;
    for (const auto &[path, row] : sink.state) {
        if (!first)
            text += ',';
        first = false;
        text += StoredJson::string(path);
        text += ":{\"value\":";
        text += StoredJson::text(row.value);
        text += ",\"type\":";
        text += StoredJson::string(row.type);
        text += '}';
    }
    text += '}';
    return text;
}

} // namespace dust::lite
