#include "MirrorReader.h"

#include "LeafKey.h"
#include "LeafTable.h"
#include "RawGlob.h"
#include "protocol/Glob.h"
#include "protocol/JsonBytes.h"
#include "protocol/RawPath.h"
#include "protocol/Values.h"

#include <map>

namespace dust {

MirrorReader::MirrorReader(const LeafTable &table, const QStringList &typeNames)
    : m_table(&table)
    , m_typeNames(typeNames)
{}

std::optional<Entry> MirrorReader::get(const Path &path) const
{
    if (!path.isValid())
        return std::nullopt;
    const QByteArray rendered = path.rendered().toUtf8();
    if (const LeafTable::Record *r = m_table->find(rawpath::view(rendered)))
        return Entry{path, jsonbytes::toJsonValue(r->value()), m_typeNames.at(r->type), r->seq};
    const QByteArray from = rawpath::descendantsBegin(rawpath::view(rendered));
    const QByteArray to = rawpath::descendantsEnd(rawpath::view(rendered));
    QList<Entry> descendants;
    for (auto pos = m_table->lowerBound(rawpath::view(from)); pos != m_table->end();
         pos = m_table->next(pos)) {
        const LeafTable::Record &r = m_table->at(pos);
        if (!(r.path() < rawpath::view(to)))
            break;
        descendants.append(Entry{leafkey::toPath(r.path()), jsonbytes::toJsonValue(r.value()),
                                 m_typeNames.at(r.type), r.seq});
    }
    if (descendants.isEmpty())
        return std::nullopt;
    return values::assembleSubtree(path, descendants);
}

bool MirrorReader::exists(const Path &path) const
{
    if (!path.isValid())
        return false;
    const QByteArray rendered = path.rendered().toUtf8();
    if (m_table->find(rawpath::view(rendered)))
        return true;
    const QByteArray from = rawpath::descendantsBegin(rawpath::view(rendered));
    const auto pos = m_table->lowerBound(rawpath::view(from));
    return pos != m_table->end() &&
           m_table->at(pos).path().substr(0, size_t(from.size())) == rawpath::view(from);
}

QList<MirrorChild> MirrorReader::children(const Path &parent) const
{
    QByteArray base;
    QByteArray endKey;
    if (parent.isValid()) {
        const QByteArray rendered = parent.rendered().toUtf8();
        base = rawpath::descendantsBegin(rawpath::view(rendered));
        endKey = rawpath::descendantsEnd(rawpath::view(rendered));
    }
    std::map<std::string_view, MirrorChild> found;
    QByteArray skipTo;
    auto pos = base.isEmpty() ? m_table->begin() : m_table->lowerBound(rawpath::view(base));
    while (pos != m_table->end()) {
        const std::string_view path = m_table->at(pos).path();
        if (!endKey.isEmpty() && !(path < rawpath::view(endKey)))
            break;
        const std::string_view rest = path.substr(size_t(base.size()));
        const size_t slash = rest.find('/');
        if (slash == std::string_view::npos) {
            found[rest].hasValue = true;
            pos = m_table->next(pos);
            continue;
        }
        const std::string_view segment = rest.substr(0, slash);
        found[segment].hasChildren = true;
        // Jump over the whole block "<base><segment>/...".
        skipTo = base;
        skipTo.append(segment.data(), qsizetype(segment.size()));
        skipTo.append('0');
        pos = m_table->lowerBound(rawpath::view(skipTo));
    }
    QList<MirrorChild> out;
    out.reserve(qsizetype(found.size()));
    for (auto &[segment, child] : found) {
        child.segment = rawpath::unescapeSegment(segment);
        out.append(child);
    }
    return out;
}

Expected<ListPage, Error> MirrorReader::list(const ListQuery &q) const
{
    using Select = ListQuery::Select;
    if (auto error = validateListQuery(q))
        return Expected<ListPage, Error>::failure(std::move(*error));
    const bool rangeMode = q.isRange();

    const QByteArray after = q.after.toUtf8();
    const std::string_view afterView = rawpath::view(after);
    const size_t limit = size_t(q.limit);
    std::vector<std::string_view> hits; // up to limit + 1 rendered paths, in listing order
    const LeafTable &table = *m_table;

    // Walks [lo, hi) (an empty view meaning unbounded) in the listing's direction, after the
    // cursor, collecting paths that `accept` until limit + 1 are found.
    auto walk = [&](std::string_view lo, std::string_view hi, auto &&accept) {
        if (!q.descending()) {
            auto pos = lo.empty() ? table.begin() : table.lowerBound(lo);
            if (!after.isEmpty()) {
                const auto afterPos = table.upperBound(afterView);
                if (table.isBefore(pos, afterPos))
                    pos = afterPos;
            }
            for (; pos != table.end() && hits.size() <= limit; pos = table.next(pos)) {
                const std::string_view p = table.at(pos).path();
                if (!hi.empty() && !(p < hi))
                    break;
                if (accept(p))
                    hits.push_back(p);
            }
        } else {
            std::string_view upper = hi;
            if (!after.isEmpty() && (upper.empty() || afterView < upper))
                upper = afterView;
            auto pos = upper.empty() ? table.end() : table.lowerBound(upper);
            while (pos != table.begin() && hits.size() <= limit) {
                pos = table.prev(pos);
                const std::string_view p = table.at(pos).path();
                if (!lo.empty() && p < lo)
                    break;
                if (accept(p))
                    hits.push_back(p);
            }
        }
    };

    ListPage page;
    auto finish = [&](bool entries) {
        if (hits.size() > limit) {
            hits.resize(limit);
            page.nextCursor = jsonbytes::textFromUtf8(leafkey::bytes(hits.back()));
        }
        for (const std::string_view p : hits) {
            if (entries) {
                const LeafTable::Record *r = table.find(p);
                page.entries.append(Entry{leafkey::toPath(p), jsonbytes::toJsonValue(r->value()),
                                          m_typeNames.at(r->type), r->seq});
            } else {
                page.paths.append(jsonbytes::textFromUtf8(leafkey::bytes(p)));
            }
        }
        return page;
    };
    const bool entries = q.select == Select::Entries;

    if (rangeMode) {
        const QByteArray lo = q.from->rendered().toUtf8();
        const QByteArray hi = q.to->rendered().toUtf8();
        if (rawpath::view(lo) < rawpath::view(hi))
            walk(rawpath::view(lo), rawpath::view(hi), [](std::string_view) { return true; });
        return finish(entries);
    }

    const auto glob = Glob::compile(q.effectivePattern()); // valid: checked above
    const RawGlob matcher(*glob);
    const QByteArray literal = matcher.literalPrefix();

    if (q.select == Select::Prefixes) {
        const Path base = literal.isEmpty() ? Path() : leafkey::toPath(rawpath::view(literal));
        const QList<MirrorChild> kids = children(base);
        QStringList prefixes;
        prefixes.reserve(kids.size());
        const QString baseText = literal.isEmpty() ? QString() : base.rendered() + QLatin1Char('/');
        for (const MirrorChild &child : kids)
            prefixes.append(baseText + Path::escapeSegment(child.segment));
        // children() is in byte order of the rendered segment, which is the byte order of
        // these prefixes; compare cursors as UTF-8 bytes too.
        QList<QByteArray> utf8;
        utf8.reserve(prefixes.size());
        for (const QString &p : prefixes)
            utf8.append(p.toUtf8());
        QList<qsizetype> order;
        for (qsizetype i = 0; i < utf8.size(); ++i) {
            const qsizetype k = q.descending() ? utf8.size() - 1 - i : i;
            if (!after.isEmpty()) {
                const std::string_view p = rawpath::view(utf8.at(k));
                if (q.descending() ? !(p < afterView) : !(afterView < p))
                    continue;
            }
            order.append(k);
            if (size_t(order.size()) > limit)
                break;
        }
        if (size_t(order.size()) > limit) {
            order.resize(qsizetype(limit));
            page.nextCursor = prefixes.at(order.back());
        }
        for (const qsizetype k : order)
            page.paths.append(prefixes.at(k));
        return page;
    }

    if (matcher.isExact()) {
        // No quirk here: an exact pattern lists the leaf at that path.
        const std::string_view p = rawpath::view(literal);
        const bool afterOk = after.isEmpty() || (q.descending() ? p < afterView : afterView < p);
        if (table.find(p) && afterOk)
            hits.push_back(table.find(p)->path());
        return finish(entries);
    }

    if (literal.isEmpty()) {
        walk({}, {}, [&](std::string_view p) { return matcher.matches(p); });
    } else {
        const QByteArray lo = rawpath::descendantsBegin(rawpath::view(literal));
        const QByteArray hi = rawpath::descendantsEnd(rawpath::view(literal));
        walk(rawpath::view(lo), rawpath::view(hi),
             [&](std::string_view p) { return matcher.matches(p); });
    }
    return finish(entries);
}

} // namespace dust
