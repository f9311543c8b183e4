#pragma once

// Random input for the protocol tests, drawn from a generator seeded with testSeed().

#include "TestSeed.h"

#include <QRandomGenerator>
#include <QString>
#include <QStringList>

namespace dust::testing {

// Characters that matter to paths, globs, URLs and JSON, plus non-ASCII text and emoji.
inline QString randomSegment(QRandomGenerator &rng, int maxLength = 8)
{
    static constexpr char16_t kPieces[][3] = {
        u"a",  u"b",  u"Z",  u"0",  u"~", u"/",  u" ",  u"+", u"%",          u"*",          u".",
        u"@",  u"?",  u"#",  u"&",  u"=", u"\\", u"\"", u"[", u"]",          u"é",          u"ß",
        u"中", u"\n", u"~0", u"~1", u"-", u"_",  u"!",  u"'", u"\U0001F600", u"\U0001F9EA",
    };
    constexpr int kCount = int(sizeof kPieces / sizeof kPieces[0]);
    const int length = 1 + int(rng.bounded(maxLength));
    QString s;
    for (int i = 0; i < length; ++i)
        s += QString::fromUtf16(kPieces[rng.bounded(kCount)]);
    return s;
}

inline QStringList randomSegments(QRandomGenerator &rng, int maxDepth = 6)
{
    QStringList segments;
    const int depth = 1 + int(rng.bounded(maxDepth));
    for (int i = 0; i < depth; ++i)
        segments.append(randomSegment(rng));
    return segments;
}

} // namespace dust::testing
