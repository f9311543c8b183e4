#pragma once

#include "protocol/Path.h"

#include <QMenu>
#include <QPointer>

namespace dust {

class BookmarkStore;
class RecentPaths;

// The Bookmarks menu of the current store: "Bookmark This Path" (Ctrl+D; "Remove Bookmark"
// when the path is bookmarked), "Manage Bookmarks…", the bookmarks in their order, and a
// "Recent Paths" submenu (most recent first, "Clear Recent Paths"). Choosing one emits
// pathChosen(). The stores are the current tab's (not owned; either may be null, which
// disables what needs it); the menu's entries are rebuilt each time before it shows.
class BookmarksMenu : public QMenu
{
    Q_OBJECT
public:
    explicit BookmarksMenu(QWidget *parent = nullptr);

    void setStores(BookmarkStore *bookmarks, RecentPaths *recent);
    // The path "Bookmark This Path" acts on (the selected row's; invalid: disabled).
    void setCurrentPath(const Path &path);

    QAction *bookmarkThisAction() const { return m_toggle; }
    QAction *manageAction() const { return m_manage; }
    QMenu *recentMenu() const { return m_recent; }

    // Bookmarks the current path, or removes its bookmark.
    void toggleBookmark();
    // Opens the Manage Bookmarks dialog (modal).
    void manage();

signals:
    void pathChosen(const dust::Path &path);
    // Words for the status bar (a bookmark added or removed, settings not written).
    void message(const QString &text, int timeoutMs);

private:
    void rebuild();
    void updateToggle();

    QPointer<BookmarkStore> m_store;
    QPointer<RecentPaths> m_recentPaths;
    Path m_current;
    QAction *m_toggle;
    QAction *m_manage;
    QMenu *m_recent;
    QAction *m_entriesEnd = nullptr; // the separator after the bookmarks' entries
    QList<QAction *> m_entries;      // the bookmarks' actions, rebuilt
};

} // namespace dust
