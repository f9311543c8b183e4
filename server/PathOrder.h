#pragma once

#include "protocol/Glob.h"

#include <QString>
#include <QStringView>

namespace dust::lite {

// How a store database orders rendered paths, and the ranges of that order a subtree or a
// glob's literal prefix covers. SQLite compares UTF-8 bytes, i.e. code points; QString
// compares UTF-16 units, so in-memory maps that must agree with SQL use PathOrder::Less.
class PathOrder
{
public:
    // <0, 0 or >0 as `a` sorts before, with or after `b` in code-point order.
    static int compare(QStringView a, QStringView b);

    struct Less
    {
        bool operator()(const QString &a, const QString &b) const { return compare(a, b) < 0; }
    };

    // The exclusive upper bound of the rendered range of `rendered`'s descendants, whose
    // lower bound is `rendered + '/'`: '0' follows '/'.
    static QString descendantEnd(const QString &rendered);
    // The rendered path of the segments before a glob's first wildcard, empty when it starts
    // with one.
    static QString literalBase(const Glob &glob);
};

} // namespace dust::lite
