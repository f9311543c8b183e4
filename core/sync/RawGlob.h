#pragma once

#include "protocol/Glob.h"

#include <QByteArray>

#include <string_view>
#include <vector>

namespace dust {

// A glob compiled to escaped UTF-8 literals, matched against rendered bytes without
// splitting them into segments.
class RawGlob
{
public:
    explicit RawGlob(const Glob &glob);

    bool matches(std::string_view rendered) const;

    // The rendered literal segments before the first wildcard, joined by '/'.
    QByteArray literalPrefix() const;

    // True when the pattern has no wildcard at all.
    bool isExact() const;

private:
    struct Segment
    {
        Glob::Kind kind;
        QByteArray literal;
    };
    std::vector<Segment> m_segments;
};

} // namespace dust
