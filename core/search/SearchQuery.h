#pragma once

#include "protocol/Path.h"

#include <QString>
#include <QStringList>

namespace dust {

// What a search inside values looks for (ValueMatcher says how values are read) and where.
struct SearchQuery
{
    QString text;               // the text or the pattern; empty matches every value in scope
    bool regex = false;         // `text` is a QRegularExpression pattern
    bool caseSensitive = false; // otherwise Qt's case folding (Qt::CaseInsensitive)
    Path scope;                 // the subtree searched (its leaf and those under it); invalid:
                                // the whole store
    QString glob;               // a glob over paths (dust-protocol.md §2.3); empty: none
    QStringList types;          // the leaf types searched ("string", "counter" …); empty: all
};

} // namespace dust
