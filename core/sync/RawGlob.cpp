#include "RawGlob.h"

#include "LeafKey.h"
#include "protocol/RawPath.h"

#include <algorithm>

namespace dust {

RawGlob::RawGlob(const Glob &glob)
{
    for (const Glob::Segment &s : glob.segments())
        m_segments.push_back({s.kind, rawpath::escaped(s.literal)});
}

bool RawGlob::matches(std::string_view r) const
{
    size_t pos = 0;
    const size_t n = r.size();
    for (const Segment &s : m_segments) {
        if (pos > n)
            return false;
        if (s.kind == Glob::Kind::Many)
            return pos < n;
        size_t end = r.find('/', pos);
        if (end == std::string_view::npos)
            end = n;
        if (s.kind == Glob::Kind::Literal && r.substr(pos, end - pos) != leafkey::view(s.literal))
            return false;
        pos = end + 1;
    }
    return pos == n + 1;
}

QByteArray RawGlob::literalPrefix() const
{
    QByteArray out;
    for (const Segment &s : m_segments) {
        if (s.kind != Glob::Kind::Literal)
            break;
        if (!out.isEmpty())
            out.append('/');
        out.append(s.literal);
    }
    return out;
}

bool RawGlob::isExact() const
{
    return std::all_of(m_segments.begin(), m_segments.end(),
                       [](const Segment &s) { return s.kind == Glob::Kind::Literal; });
}

} // namespace dust
