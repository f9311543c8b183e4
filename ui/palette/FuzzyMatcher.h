#pragma once

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace dust {

// Subsequence matching for the command palette: every character of the pattern must appear
// in the candidate in order (case-insensitive). A match scores higher when its characters
// start words or path segments (after '/', ' ', '-', '_', '.', a lower→upper change, or the
// start), follow one another, match case exactly, and when the candidate is short. Blanks in
// the pattern are ignored.
class FuzzyMatcher
{
public:
    explicit FuzzyMatcher(const QString &pattern);

    bool isEmpty() const { return m_pattern.isEmpty(); }
    const QString &pattern() const { return m_pattern; }

    // The score of `candidate`, or nothing when it does not match. `positions`, when given,
    // gets the matched characters' indexes. An empty pattern matches everything with 0.
    std::optional<int> score(QStringView candidate, QList<qsizetype> *positions = nullptr) const;

private:
    QString m_pattern; // blanks removed
    QString m_folded;  // m_pattern case-folded
};

} // namespace dust
