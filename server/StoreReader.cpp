#include "StoreReader.h"

#include "PathOrder.h"
#include "StoreLog.h"
#include "StoreReplay.h"
#include "StoreSql.h"
#include "StoredJson.h"
#include "protocol/Glob.h"
#include "protocol/Values.h"

#include <QSet>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <utility>

namespace dust::lite {

namespace {

// Rows read per step when a glob listing scans a range and filters it.
constexpr int kScanChunk = 500;
constexpr int kMaxStoredListLimit = 10000; // internal listings (export, snapshots)

// The index of the '/' that ends the first `segments` segments of a rendered path (whose
// segments hold no '/'), or -1 when the path is not deeper than that or `segments` is 0.
qsizetype slashAfterSegments(const QString &rendered, qsizetype segments)
{
    if (segments <= 0)
        return -1;
    qsizetype at = -1;
    for (qsizetype seen = 0; seen < segments; ++seen) {
        at = rendered.indexOf(QLatin1Char('/'), at + 1);
        if (at < 0)
            return -1;
    }
    return at;
}

} // namespace

StoreReader::StoreReader(StoreSql &sql)
    : m_sql(sql)
{}

const QString &StoreReader::fullName() const
{
    return m_sql.fullName();
}

qint64 StoreReader::currentSeq() const
{
    return m_sql.currentSeq();
}

QJsonObject StoreReader::auditLog(const AuditQuery &query)
{
    return StoreLog(m_sql).auditLog(query);
}

std::optional<QJsonObject> StoreReader::diff(qint64 fromSeq, qint64 toSeq,
                                             qint64 *earliestAvailable)
{
    return StoreReplay(m_sql).diff(fromSeq, toSeq, earliestAvailable);
}

std::optional<Entry> StoreReader::getLeaf(const Path &path)
{
    if (!path.isValid())
        return std::nullopt;
    const auto leaf = m_sql.leaf(path.rendered());
    if (!leaf)
        return std::nullopt;
    return Entry{path, leaf->value, leaf->type, leaf->seq};
}

std::optional<Entry> StoreReader::get(const Path &path)
{
    if (!path.isValid())
        return std::nullopt;
    if (auto leaf = getLeaf(path))
        return leaf;
    QList<Entry> descendants;
    m_sql.scanLeaves(path.rendered(), [&](const QString &rendered, const QByteArray &value,
                                          const QString &type, qint64 seq) {
        descendants.append(StoredJson::entry(rendered, value, type, seq));
    });
    if (descendants.isEmpty())
        return std::nullopt;
    return values::assembleSubtree(path, descendants);
}

ListPage StoreReader::list(const ListQuery &query)
{
    ListPage page;
    const int limit = std::clamp(query.limit, 1, kMaxStoredListLimit);
    QString lo;
    QString hi;
    std::optional<Glob> glob;
    bool filter = false;
    qsizetype prefixDepth = 0;

    if (query.from || query.to) {
        if (!query.from || !query.to || !query.from->isValid() || !query.to->isValid() ||
            query.select == ListQuery::Select::Prefixes)
            return page;
        lo = query.from->rendered();
        hi = query.to->rendered();
        if (PathOrder::compare(lo, hi) >= 0)
            return page;
    } else {
        auto compiled = Glob::compile(query.pattern.isEmpty() ? QStringView(u"**")
                                                              : QStringView(query.pattern));
        if (!compiled)
            return page;
        glob = std::move(compiled).value();
        // A pattern with no '*' at all scans the descendants of that very path and matches
        // none of them: an exact path lists nothing.
        const QStringList literal = glob->literalPrefix();
        if (literal.size() == glob->segments().size())
            return page;
        if (!literal.isEmpty()) {
            const QString base = PathOrder::literalBase(*glob);
            lo = base + QLatin1Char('/');
            hi = PathOrder::descendantEnd(base);
        }
        // `**` and `<base>/**` match every row of the scanned range.
        filter = !(glob->endsWithMany() && glob->segments().size() == literal.size() + 1);
        if (query.select == ListQuery::Select::Prefixes) {
            if (filter)
                return page;
            prefixDepth = literal.size() + 1;
        }
    }

    const bool desc = query.descending();
    // A pattern without `**` matches only paths of its own depth: a deeper row means that
    // the whole subtree of its first `fixedDepth` segments matches nothing, and one seek
    // past it replaces reading it row by row (`*` at the top of a million leaves in a few
    // folders is a few seeks, not a million rows).
    const qsizetype fixedDepth =
        filter && !desc && !glob->endsWithMany() ? glob->segments().size() : 0;
    QString skipTo;
    const bool withValues = query.select == ListQuery::Select::Entries;
    const int chunk = filter ? kScanChunk : limit + 1;
    QString cursor = query.after;
    int matched = 0;
    QString lastMatched;
    bool more = false;
    QSet<QString> prefixes;

    while (!more) {
        QString sql = withValues ? QStringLiteral("SELECT path, CAST(value AS BLOB), type, seq")
                                 : QStringLiteral("SELECT path");
        sql += QStringLiteral(" FROM store_entries WHERE 1=1");
        if (!lo.isEmpty())
            sql += QStringLiteral(" AND path >= ?");
        if (!hi.isEmpty())
            sql += QStringLiteral(" AND path < ?");
        if (!cursor.isEmpty())
            sql += desc ? QStringLiteral(" AND path < ?") : QStringLiteral(" AND path > ?");
        sql += desc ? QStringLiteral(" ORDER BY path DESC LIMIT ?")
                    : QStringLiteral(" ORDER BY path LIMIT ?");
        QSqlQuery &q = m_sql.query(sql);
        int bind = 0;
        if (!lo.isEmpty())
            q.bindValue(bind++, StoreSql::bindable(lo));
        if (!hi.isEmpty())
            q.bindValue(bind++, StoreSql::bindable(hi));
        if (!cursor.isEmpty())
            q.bindValue(bind++, StoreSql::bindable(cursor));
        q.bindValue(bind, chunk);
        m_sql.clearFailure();
        if (!m_sql.exec(q))
            return page;
        int rows = 0;
        while (q.next()) {
            ++rows;
            const QString path = q.value(0).toString();
            cursor = path;
            if (filter) {
                if (const qsizetype cut = slashAfterSegments(path, fixedDepth); cut >= 0) {
                    skipTo = PathOrder::descendantEnd(path.left(cut));
                    break;
                }
                const auto parsed = Path::parse(path);
                if (!parsed || !glob->matches(*parsed))
                    continue;
            }
            if (matched == limit) {
                more = true;
                break;
            }
            ++matched;
            lastMatched = path;
            switch (query.select) {
            case ListQuery::Select::Entries:
                page.entries.append(StoredJson::entry(path, q.value(1).toByteArray(),
                                                      q.value(2).toString(),
                                                      q.value(3).toLongLong()));
                break;
            case ListQuery::Select::Keys:
                page.paths.append(path);
                break;
            case ListQuery::Select::Prefixes: {
                // Rendered segments hold no '/', so the first pieces are the prefix.
                const QString prefix = path.section(QLatin1Char('/'), 0, int(prefixDepth) - 1);
                if (!prefixes.contains(prefix)) {
                    prefixes.insert(prefix);
                    page.paths.append(prefix);
                }
                break;
            }
            }
        }
        q.finish();
        if (!skipTo.isEmpty()) {
            lo = std::exchange(skipTo, QString());
            cursor.clear(); // lo is past it
            continue;
        }
        if (rows < chunk)
            break;
    }
    if (more)
        page.nextCursor = lastMatched;
    return page;
}

void StoreReader::exportJsonl(const std::function<void(const QByteArray &line)> &line)
{
    line(StoredJson::compact(
        QJsonObject{{QStringLiteral("_header"), true},
                    {QStringLiteral("store"), m_sql.fullName()},
                    {QStringLiteral("seq"), m_sql.currentSeq()},
                    {QStringLiteral("entry_count"),
                     m_sql.isReader() ? m_sql.countEntries() : m_sql.entryCount()},
                    {QStringLiteral("path_schema_version"), 3},
                    {QStringLiteral("exported_at"), StoreSql::nowIso()}}));
    m_sql.scanLeaves(QString(), [&](const QString &path, const QByteArray &value,
                                    const QString &type, qint64) {
        line(StoredJson::compact(QJsonObject{{QStringLiteral("path"), path},
                                             {QStringLiteral("value"), StoredJson::parse(value)},
                                             {QStringLiteral("type"), type}}));
    });
}

std::optional<QByteArray> StoreReader::fileContent(const QString &hash, QString *contentType,
                                                   QString *filename)
{
    QSqlQuery &ref =
        m_sql.query(QStringLiteral("SELECT 1 FROM store_entries WHERE type = 'file' AND "
                                   "json_extract(value, '$.hash') = ? LIMIT 1"));
    ref.bindValue(0, StoreSql::bindable(hash));
    if (!m_sql.exec(ref))
        return std::nullopt;
    const bool referenced = ref.next();
    ref.finish();
    if (!referenced)
        return std::nullopt;
    QSqlQuery &q = m_sql.query(
        QStringLiteral("SELECT content, content_type, filename FROM files WHERE hash = ?"));
    q.bindValue(0, StoreSql::bindable(hash));
    if (!m_sql.exec(q))
        return std::nullopt;
    std::optional<QByteArray> content;
    if (q.next()) {
        content = q.value(0).toByteArray();
        if (contentType)
            *contentType = q.value(1).toString();
        if (filename)
            *filename = q.value(2).toString();
    }
    q.finish();
    return content;
}

} // namespace dust::lite
