#include "edit/LineDiff.h"

#include <algorithm>
#include <vector>

namespace dust {

QList<LineDiff::Line> LineDiff::compute(const QStringList &oldLines, const QStringList &newLines,
                                        qsizetype maxCells)
{
    const int oldCount = int(oldLines.size());
    const int newCount = int(newLines.size());
    int head = 0;
    while (head < oldCount && head < newCount && oldLines[head] == newLines[head])
        ++head;
    int tail = 0;
    while (tail < oldCount - head && tail < newCount - head &&
           oldLines[oldCount - 1 - tail] == newLines[newCount - 1 - tail])
        ++tail;

    QList<Line> out;
    out.reserve(std::max(oldCount, newCount) + 1);
    for (int i = 0; i < head; ++i)
        out.append({Kind::Same, i, i});

    const int n = oldCount - head - tail; // the middle of the old text
    const int m = newCount - head - tail; // the middle of the new text
    if (qsizetype(n) * qsizetype(m) > maxCells) {
        for (int i = 0; i < n; ++i)
            out.append({Kind::Removed, head + i, -1});
        for (int j = 0; j < m; ++j)
            out.append({Kind::Added, -1, head + j});
    } else if (n > 0 || m > 0) {
        // lcs[i][j]: the LCS length of old middle [i, n) and new middle [j, m).
        const int width = m + 1;
        std::vector<int> lcs(std::size_t(n + 1) * std::size_t(width), 0);
        const auto at = [&](int i, int j) -> int & {
            return lcs[std::size_t(i) * width + j];
        };
        for (int i = n - 1; i >= 0; --i) {
            for (int j = m - 1; j >= 0; --j) {
                at(i, j) = oldLines[head + i] == newLines[head + j]
                               ? at(i + 1, j + 1) + 1
                               : std::max(at(i + 1, j), at(i, j + 1));
            }
        }
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && oldLines[head + i] == newLines[head + j]) {
                out.append({Kind::Same, head + i, head + j});
                ++i;
                ++j;
            } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
                out.append({Kind::Removed, head + i, -1});
                ++i;
            } else {
                out.append({Kind::Added, -1, head + j});
                ++j;
            }
        }
    }
    for (int k = 0; k < tail; ++k)
        out.append({Kind::Same, oldCount - tail + k, newCount - tail + k});
    return out;
}

QList<int> LineDiff::removedLines(const QList<Line> &diff)
{
    QList<int> out;
    for (const Line &line : diff) {
        if (line.kind == Kind::Removed)
            out.append(line.oldIndex);
    }
    return out;
}

QList<int> LineDiff::addedLines(const QList<Line> &diff)
{
    QList<int> out;
    for (const Line &line : diff) {
        if (line.kind == Kind::Added)
            out.append(line.newIndex);
    }
    return out;
}

} // namespace dust
