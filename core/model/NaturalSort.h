#pragma once

#include <QStringView>

namespace dust {

// The order of sibling names in the tree, made for people: runs of ASCII digits compare by
// their numeric value (item2 < item10, any length), letters compare case-insensitively
// (by Unicode case folding), everything else by code unit, with a digit run ranking where
// the digit '0' would. Names that only differ in case or in leading zeros ("Item" / "item",
// "07" / "7") are then ordered by their first such difference (upper case first, fewer
// zeros first), so the order is total: naturalCompare() returns 0 only for identical
// strings, and sorting is stable and repeatable.
int naturalCompare(QStringView a, QStringView b);

inline bool naturalLess(QStringView a, QStringView b)
{
    return naturalCompare(a, b) < 0;
}

} // namespace dust
