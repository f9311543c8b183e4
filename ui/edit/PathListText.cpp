#include "edit/PathListText.h"

#include <QCoreApplication>

namespace dust::pathlist {

QString names(const QStringList &paths, int maxNamed)
{
    if (paths.size() <= maxNamed)
        return paths.join(QStringLiteral(", "));
    const QString shown = paths.mid(0, maxNamed).join(QStringLiteral(", "));
    return QCoreApplication::translate("dust::pathlist", "%1 and %n more", nullptr,
                                       int(paths.size() - maxNamed))
        .arg(shown);
}

} // namespace dust::pathlist
