#include "bookmarks/BookmarkStore.h"

#include <QSettings>

namespace dust {

namespace {

QString encoded(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

} // namespace

BookmarkStore::BookmarkStore(QSettings &settings, const QString &scope, const QString &store,
                             QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_group(groupFor(QStringLiteral("bookmarks"), scope, store))
{
    load();
}

QString BookmarkStore::scopeFor(const QString &profileName, const QUrl &server)
{
    if (!profileName.isEmpty())
        return QStringLiteral("profile:") + profileName;
    QUrl url = server.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment |
                               QUrl::StripTrailingSlash);
    if (url.path() == QLatin1String("/"))
        url.setPath(QString());
    return QStringLiteral("server:") + url.toString();
}

QString BookmarkStore::groupFor(const QString &kind, const QString &scope, const QString &store)
{
    return kind + QLatin1Char('/') + encoded(scope) + QLatin1Char('/') + encoded(store);
}

qsizetype BookmarkStore::indexOf(const Path &path) const
{
    for (qsizetype i = 0; i < m_bookmarks.size(); ++i)
        if (m_bookmarks[i].path == path)
            return i;
    return -1;
}

QString BookmarkStore::add(const Path &path, const QString &name)
{
    if (!path.isValid() || contains(path))
        return {};
    m_bookmarks.append({path, name});
    return save();
}

QString BookmarkStore::remove(const Path &path)
{
    const qsizetype at = indexOf(path);
    if (at < 0)
        return {};
    m_bookmarks.removeAt(at);
    return save();
}

QString BookmarkStore::rename(const Path &path, const QString &name)
{
    const qsizetype at = indexOf(path);
    if (at < 0)
        return {};
    m_bookmarks[at].name = name.trimmed() == path.rendered() ? QString() : name.trimmed();
    return save();
}

QString BookmarkStore::move(const Path &path, qsizetype to)
{
    const qsizetype at = indexOf(path);
    if (at < 0)
        return {};
    to = std::clamp<qsizetype>(to, 0, m_bookmarks.size() - 1);
    if (to == at)
        return {};
    m_bookmarks.move(at, to);
    return save();
}

void BookmarkStore::load()
{
    m_settings.beginGroup(m_group);
    const QStringList paths = m_settings.value(QStringLiteral("paths")).toStringList();
    const QStringList names = m_settings.value(QStringLiteral("names")).toStringList();
    m_settings.endGroup();
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const auto path = Path::parse(paths[i]);
        if (path && !contains(*path))
            m_bookmarks.append({*path, i < names.size() ? names[i] : QString()});
    }
}

QString BookmarkStore::save()
{
    QStringList paths;
    QStringList names;
    for (const Bookmark &bookmark : std::as_const(m_bookmarks)) {
        paths.append(bookmark.path.rendered());
        names.append(bookmark.name);
    }
    m_settings.beginGroup(m_group);
    m_settings.setValue(QStringLiteral("paths"), paths);
    m_settings.setValue(QStringLiteral("names"), names);
    m_settings.endGroup();
    m_settings.sync();
    emit changed();
    if (m_settings.status() != QSettings::NoError)
        return tr("The bookmarks could not be saved to %1.").arg(m_settings.fileName());
    return {};
}

} // namespace dust
