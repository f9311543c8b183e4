#pragma once

#include <QList>
#include <QStringList>

namespace dust {

// A line diff of two texts: the longest common subsequence of their lines (after the common
// head and tail are taken off), as the lines kept, removed from the old text and added in the
// new one, in order. Enough to mark what differs between two formatted JSON values.
class LineDiff
{
public:
    enum class Kind { Same, Removed, Added };
    struct Line
    {
        Kind kind = Kind::Same;
        int oldIndex = -1; // the line in the old text (-1 for Added)
        int newIndex = -1; // the line in the new text (-1 for Removed)

        friend bool operator==(const Line &, const Line &) = default;
    };

    // The LCS table has (old lines) x (new lines) cells once the common head and tail are off;
    // past `maxCells` the middle is reported as all removed then all added (still correct,
    // just not minimal), so a huge value cannot take the memory.
    static QList<Line> compute(const QStringList &oldLines, const QStringList &newLines,
                               qsizetype maxCells = 4'000'000);

    // The indexes of the old lines that are not kept / of the new lines that are not kept.
    static QList<int> removedLines(const QList<Line> &diff);
    static QList<int> addedLines(const QList<Line> &diff);
};

} // namespace dust
