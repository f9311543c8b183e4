#pragma once

#include "protocol/Path.h"

#include <QList>
#include <QObject>

class QSettings;

namespace dust {

// The paths of one store visited last, most recent first, at most limit() of them, kept in
// a QSettings the caller owns beside the bookmarks (group "recentPaths/<scope>/<store>",
// see BookmarkStore::groupFor()).
class RecentPaths : public QObject
{
    Q_OBJECT
public:
    RecentPaths(QSettings &settings, const QString &scope, const QString &store,
                QObject *parent = nullptr);

    static constexpr qsizetype limit() { return 20; }

    const QList<Path> &paths() const { return m_paths; }
    // `path` was visited: it goes to the front (once), the oldest beyond limit() drops off.
    void note(const Path &path);
    void clear();

signals:
    void changed();

private:
    void save();

    QSettings &m_settings;
    QString m_group;
    QList<Path> m_paths;
};

} // namespace dust
