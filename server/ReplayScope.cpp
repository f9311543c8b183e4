#include "ReplayScope.h"

namespace dust::lite {

ReplayScope ReplayScope::fromPaths(const QStringList &paths)
{
    ReplayScope scope;
    if (paths.size() > kMaxRoots)
        return scope;
    scope.all = false;
    const std::set<QString, PathOrder::Less> sorted(paths.begin(), paths.end());
    for (const QString &path : sorted) {
        if (!scope.hasSelfOrAncestor(path))
            scope.roots.insert(path);
    }
    return scope;
}

ReplayScope ReplayScope::subtree(const QString &path)
{
    ReplayScope scope;
    scope.all = false;
    scope.roots.insert(path);
    return scope;
}

bool ReplayScope::hasSelfOrAncestor(const QString &path) const
{
    if (roots.count(path))
        return true;
    for (qsizetype i = path.indexOf(QLatin1Char('/')); i >= 0;
         i = path.indexOf(QLatin1Char('/'), i + 1)) {
        if (roots.count(path.left(i)))
            return true;
    }
    return false;
}

bool ReplayScope::hasDescendant(const QString &path) const
{
    const QString prefix = path + QLatin1Char('/');
    const auto it = roots.lower_bound(prefix);
    return it != roots.end() && it->startsWith(prefix);
}

} // namespace dust::lite
