#include "palette/FuzzyMatcher.h"

namespace dust {

namespace {

bool isSeparator(QChar c)
{
    return c == QLatin1Char('/') || c == QLatin1Char(' ') || c == QLatin1Char('-') ||
           c == QLatin1Char('_') || c == QLatin1Char('.') || c == QLatin1Char(':');
}

// Whether candidate[i] starts a word or segment.
bool isBoundary(QStringView candidate, qsizetype i)
{
    if (i == 0)
        return true;
    const QChar before = candidate[i - 1];
    return isSeparator(before) || (before.isLower() && candidate[i].isUpper()) ||
           (!before.isDigit() && candidate[i].isDigit());
}

// Whether `folded` (a case-folded pattern) is a subsequence of candidate[from…].
bool subsequenceFrom(QStringView folded, QStringView candidate, qsizetype from)
{
    qsizetype p = 0;
    for (qsizetype i = from; i < candidate.size() && p < folded.size(); ++i)
        if (candidate[i].toCaseFolded() == folded[p])
            ++p;
    return p == folded.size();
}

} // namespace

FuzzyMatcher::FuzzyMatcher(const QString &pattern)
{
    for (const QChar c : pattern)
        if (!c.isSpace())
            m_pattern += c;
    m_folded = m_pattern.toCaseFolded();
}

std::optional<int> FuzzyMatcher::score(QStringView candidate, QList<qsizetype> *positions) const
{
    if (positions)
        positions->clear();
    if (m_folded.isEmpty())
        return 0;
    if (m_folded.size() > candidate.size())
        return std::nullopt;
    int total = 0;
    qsizetype at = 0;
    qsizetype previous = -2;
    for (qsizetype p = 0; p < m_folded.size(); ++p) {
        const QChar wanted = m_folded[p];
        qsizetype found = -1;
        qsizetype boundary = -1;
        for (qsizetype i = at; i < candidate.size(); ++i) {
            if (candidate[i].toCaseFolded() != wanted)
                continue;
            if (found < 0)
                found = i;
            if (i == previous + 1)
                break; // consecutive: take it
            if (isBoundary(candidate, i)) {
                boundary = i;
                break;
            }
        }
        if (found < 0)
            return std::nullopt;
        // Prefer a later word start to an earlier letter inside a word, when the rest of
        // the pattern still fits after it.
        qsizetype chosen = found;
        if (boundary > found && found != previous + 1 &&
            subsequenceFrom(QStringView(m_folded).mid(p + 1), candidate, boundary + 1))
            chosen = boundary;
        int points = 1;
        if (chosen == previous + 1)
            points += 5;
        if (isBoundary(candidate, chosen))
            points += chosen == 0 ? 10 : 8;
        if (candidate[chosen] == m_pattern[p])
            points += 1;
        if (previous >= 0 && chosen > previous + 1)
            points -= std::min<int>(int(chosen - previous - 1), 5);
        total += points;
        if (positions)
            positions->append(chosen);
        previous = chosen;
        at = chosen + 1;
    }
    total -= int(std::min<qsizetype>(candidate.size() / 8, 10));
    return total;
}

} // namespace dust
