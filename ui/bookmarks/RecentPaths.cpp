#include "bookmarks/RecentPaths.h"

#include "bookmarks/BookmarkStore.h"

#include <QSettings>

namespace dust {

RecentPaths::RecentPaths(QSettings &settings, const QString &scope, const QString &store,
                         QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_group(BookmarkStore::groupFor(QStringLiteral("recentPaths"), scope, store))
{
    const QStringList saved = m_settings.value(m_group + QStringLiteral("/paths")).toStringList();
    for (const QString &rendered : saved) {
        const auto path = Path::parse(rendered);
        if (path && !m_paths.contains(*path) && m_paths.size() < limit())
            m_paths.append(*path);
    }
}

void RecentPaths::note(const Path &path)
{
    if (!path.isValid() || (!m_paths.isEmpty() && m_paths.front() == path))
        return;
    m_paths.removeAll(path);
    m_paths.prepend(path);
    while (m_paths.size() > limit())
        m_paths.removeLast();
    save();
}

void RecentPaths::clear()
{
    if (m_paths.isEmpty())
        return;
    m_paths.clear();
    save();
}

void RecentPaths::save()
{
    QStringList rendered;
    for (const Path &path : std::as_const(m_paths))
        rendered.append(path.rendered());
    m_settings.setValue(m_group + QStringLiteral("/paths"), rendered);
    emit changed();
}

} // namespace dust
