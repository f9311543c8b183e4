#pragma once

#include <QString>
#include <QStringList>

namespace dust::pathlist {

// "a, b, c" for a few paths, "a, b, … and 7 more" past `maxNamed` of them: what a report or
// confirmation names without growing with the selection.
QString names(const QStringList &paths, int maxNamed = 10);

} // namespace dust::pathlist
