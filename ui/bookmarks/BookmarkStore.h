#pragma once

#include "protocol/Path.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

class QSettings;

namespace dust {

// The bookmarked paths of one store, in order, kept in a QSettings the caller owns (the
// application's, or a test's own INI file) next to the connection profiles: group
// "bookmarks/<scope>/<store>" (both percent-encoded) with the lists "paths" (rendered) and
// "names". The scope is the profile's name, or the server's URL when no profile was used
// (the embedded dustlite, a --url). Every change is written out at once.
class BookmarkStore : public QObject
{
    Q_OBJECT
public:
    struct Bookmark
    {
        Path path;
        QString name; // what the menu shows; the rendered path when empty

        QString label() const { return name.isEmpty() ? path.rendered() : name; }
        bool operator==(const Bookmark &) const = default;
    };

    BookmarkStore(QSettings &settings, const QString &scope, const QString &store,
                  QObject *parent = nullptr);

    // The scope of a store's settings: "profile:<name>" for a profile, else
    // "server:<url>".
    static QString scopeFor(const QString &profileName, const QUrl &server);
    // The settings group of `kind` ("bookmarks", "recentPaths") for `scope` and `store`.
    static QString groupFor(const QString &kind, const QString &scope, const QString &store);

    const QList<Bookmark> &bookmarks() const { return m_bookmarks; }
    bool contains(const Path &path) const { return indexOf(path) >= 0; }
    qsizetype indexOf(const Path &path) const;

    // Each returns empty, or the words when the settings could not be written. Adding a path
    // already bookmarked changes nothing.
    QString add(const Path &path, const QString &name = {});
    QString remove(const Path &path);
    QString rename(const Path &path, const QString &name);
    // Moves the bookmark of `path` to position `to` (clamped).
    QString move(const Path &path, qsizetype to);

signals:
    void changed();

private:
    void load();
    QString save();

    QSettings &m_settings;
    QString m_group;
    QList<Bookmark> m_bookmarks;
};

} // namespace dust
