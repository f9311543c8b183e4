#include "LeafSlice.h"

#include "protocol/Glob.h"
#include "protocol/JsonBytes.h"
#include "protocol/RawPath.h"
#include "sync/Mirror.h"

#include <QCoreApplication>

#include <algorithm>

namespace dust {

namespace {

constexpr qsizetype kMinBudget = 32768;
constexpr qsizetype kSlicesPerScan = 16; // a big store is read in about this many slices

std::string_view view(QByteArrayView bytes)
{
    return {bytes.data(), size_t(bytes.size())};
}

QString globProblem(GlobError error)
{
    const char *const context = "dust::LeafSlice";
    switch (error) {
    case GlobError::EmptyPath:
        return QCoreApplication::translate(context, "the pattern is empty");
    case GlobError::EmptySegment:
        return QCoreApplication::translate(context,
                                           "a segment is empty (two slashes in a row, or a slash "
                                           "at the start or the end)");
    case GlobError::InvalidEscape:
        return QCoreApplication::translate(context, "a ~ escape is not valid there (use ~0 for "
                                                    "~ and ~1 for /)");
    case GlobError::WildcardManyNotTail:
        return QCoreApplication::translate(context, "** may only be the last segment");
    }
    return QCoreApplication::translate(context, "the pattern is not valid");
}

} // namespace

bool SliceRequest::forQuery(const SearchQuery &query, SliceRequest &request, QString &error)
{
    request = SliceRequest();
    request.base = query.scope;
    request.types = query.types;
    if (query.glob.isEmpty())
        return true;
    const auto glob = Glob::compile(query.glob);
    if (!glob) {
        error = QCoreApplication::translate("dust::LeafSlice", "Not a glob: %1.")
                    .arg(globProblem(glob.error()));
        return false;
    }
    request.glob = std::make_shared<const RawGlob>(*glob);
    if (!request.base.isValid() && !glob->literalPrefix().isEmpty()) {
        const auto prefix = Path::fromSegments(glob->literalPrefix());
        if (prefix)
            request.base = *prefix;
    }
    return true;
}

LeafSlice LeafSlice::read(const Mirror &mirror, const SliceRequest &r)
{
    LeafSlice s;
    s.m_storeSeq = mirror.lastSeq();
    s.m_buffer.reserve(64 * 1024);
    const auto inScope = [&r](const MirrorLeafView &leaf) {
        if (r.glob && !r.glob->matches(view(leaf.path)))
            return false;
        return r.types.isEmpty() || r.types.contains(leaf.type);
    };

    if (!r.paths.isEmpty()) {
        s.m_checked = r.paths;
        const QByteArray base = r.base.isValid() ? r.base.rendered().toUtf8() : QByteArray();
        for (const QByteArray &path : r.paths) {
            if (!base.isEmpty() && path != base &&
                !(path.startsWith(base) && path.size() > base.size() && path[base.size()] == '/'))
                continue;
            mirror.visitLeaf(path, [&](const MirrorLeafView &leaf) {
                if (!inScope(leaf))
                    return;
                ++s.m_inScope;
                s.append(view(leaf.path), view(leaf.value), leaf.type, leaf.revision);
            });
        }
        return s;
    }

    const qsizetype budget =
        r.budget > 0 ? r.budget
                     : std::max<qsizetype>(kMinBudget, mirror.leafCount() / kSlicesPerScan);
    const std::string_view after = view(r.after);
    bool full = false;
    qsizetype visited = 0;
    std::string_view last; // stays valid: the mirror cannot change during the read
    std::string_view stop; // the end of the scope's range (empty: the store's end)
    const auto visit = [&](const MirrorLeafView &leaf) {
        const std::string_view path = view(leaf.path);
        if (!stop.empty() && !(path < stop))
            return false;
        if (visited == budget) {
            full = true;
            s.m_more = true;
            return false;
        }
        ++visited;
        last = path;
        if (inScope(leaf)) {
            ++s.m_inScope;
            s.append(path, view(leaf.value), leaf.type, leaf.revision);
        }
        return true;
    };
    // A slice starts right after the last path read and stops when its budget is full, so a
    // read costs its own leaves only. A subtree scope is the node's own leaf, then the
    // half-open byte range of its descendants (a sibling such as "users-x" sorts between).
    if (r.base.isValid()) {
        const QByteArray rendered = r.base.rendered().toUtf8();
        const QByteArray begin = rawpath::descendantsBegin(view(rendered));
        const QByteArray end = rawpath::descendantsEnd(view(rendered));
        if (after.empty())
            mirror.visitLeaf(rendered, [&](const MirrorLeafView &leaf) { visit(leaf); });
        stop = view(end);
        if (!full) {
            const bool fromBegin = after < view(begin);
            mirror.forEachLeafFrom(fromBegin ? view(begin) : after, fromBegin, visit);
        }
    } else {
        mirror.forEachLeafFrom(after, after.empty(), visit);
    }
    s.m_last = last.empty() ? r.after : QByteArray(last.data(), qsizetype(last.size()));
    return s;
}

int LeafSlice::typeIndex(QStringView type)
{
    for (qsizetype i = 0; i < m_types.size(); ++i)
        if (m_types.at(i) == type)
            return int(i);
    m_types.append(type.toString());
    return int(m_types.size() - 1);
}

void LeafSlice::append(std::string_view path, std::string_view value, QStringView type,
                       qint64 revision)
{
    Leaf leaf;
    leaf.path = m_buffer.size();
    leaf.pathLength = qsizetype(path.size());
    m_buffer.append(path.data(), qsizetype(path.size()));
    leaf.value = m_buffer.size();
    leaf.valueLength = qsizetype(value.size());
    m_buffer.append(value.data(), qsizetype(value.size()));
    leaf.revision = revision;
    leaf.type = typeIndex(type);
    m_leaves.push_back(leaf);
}

} // namespace dust
