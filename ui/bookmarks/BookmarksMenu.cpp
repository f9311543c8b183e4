#include "bookmarks/BookmarksMenu.h"

#include "bookmarks/BookmarkStore.h"
#include "bookmarks/ManageBookmarksDialog.h"
#include "bookmarks/RecentPaths.h"

namespace dust {

BookmarksMenu::BookmarksMenu(QWidget *parent)
    : QMenu(tr("&Bookmarks"), parent)
    , m_toggle(new QAction(tr("&Bookmark This Path"), this))
    , m_manage(new QAction(tr("&Manage Bookmarks…"), this))
    , m_recent(new QMenu(tr("&Recent Paths"), this))
{
    setAccessibleName(tr("Bookmarks"));
    m_toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_toggle->setStatusTip(tr("Bookmarks the selected path of this store, or removes its "
                              "bookmark"));
    m_manage->setStatusTip(tr("Renames, reorders and removes this store's bookmarks"));
    m_recent->setAccessibleName(tr("Recent paths"));
    connect(m_toggle, &QAction::triggered, this, &BookmarksMenu::toggleBookmark);
    connect(m_manage, &QAction::triggered, this, &BookmarksMenu::manage);
    addAction(m_toggle);
    addAction(m_manage);
    addSeparator();
    m_entriesEnd = addSeparator();
    addMenu(m_recent);
    connect(this, &QMenu::aboutToShow, this, &BookmarksMenu::rebuild);
    rebuild();
}

void BookmarksMenu::setStores(BookmarkStore *bookmarks, RecentPaths *recent)
{
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    if (m_recentPaths)
        disconnect(m_recentPaths, nullptr, this, nullptr);
    m_store = bookmarks;
    m_recentPaths = recent;
    // The entries are rebuilt before the menu shows, never while one of them is being
    // triggered (going to a path notes a recent path).
    if (m_store)
        connect(m_store, &BookmarkStore::changed, this, &BookmarksMenu::updateToggle);
    rebuild();
}

void BookmarksMenu::setCurrentPath(const Path &path)
{
    m_current = path;
    updateToggle();
}

void BookmarksMenu::updateToggle()
{
    const bool marked = m_store && m_current.isValid() && m_store->contains(m_current);
    m_toggle->setText(marked ? tr("Remove &Bookmark") : tr("&Bookmark This Path"));
    m_toggle->setEnabled(m_store && m_current.isValid());
    m_manage->setEnabled(m_store && !m_store->bookmarks().isEmpty());
}

void BookmarksMenu::toggleBookmark()
{
    if (!m_store || !m_current.isValid())
        return;
    const bool marked = m_store->contains(m_current);
    const QString error = marked ? m_store->remove(m_current) : m_store->add(m_current);
    if (!error.isEmpty())
        emit message(error, 0);
    else
        emit message(marked
                         ? tr("Bookmark removed: %1").arg(m_current.rendered())
                         : tr("Bookmarked: %1 (Ctrl+D again removes it)").arg(m_current.rendered()),
                     5000);
    updateToggle();
}

void BookmarksMenu::manage()
{
    if (!m_store)
        return;
    ManageBookmarksDialog dialog(m_store, parentWidget());
    connect(&dialog, &ManageBookmarksDialog::pathChosen, this, &BookmarksMenu::pathChosen);
    dialog.exec();
}

void BookmarksMenu::rebuild()
{
    // The fixed actions stay; the bookmarks' entries between the two separators are made
    // anew.
    qDeleteAll(m_entries);
    m_entries.clear();
    if (m_store) {
        for (const auto &bookmark : m_store->bookmarks()) {
            QString label = bookmark.label();
            label.replace(QLatin1Char('&'), QStringLiteral("&&"));
            auto *action = new QAction(label, this);
            action->setStatusTip(tr("Goes to %1").arg(bookmark.path.rendered()));
            const Path path = bookmark.path;
            connect(action, &QAction::triggered, this, [this, path] { emit pathChosen(path); });
            m_entries.append(action);
        }
        if (m_store->bookmarks().isEmpty()) {
            auto *none = new QAction(tr("No bookmarks in this store"), this);
            none->setEnabled(false);
            m_entries.append(none);
        }
    }
    insertActions(m_entriesEnd, m_entries);
    m_recent->clear();
    if (m_recentPaths) {
        for (const Path &path : m_recentPaths->paths()) {
            QString label = path.rendered();
            label.replace(QLatin1Char('&'), QStringLiteral("&&"));
            QAction *action = m_recent->addAction(label);
            connect(action, &QAction::triggered, this, [this, path] { emit pathChosen(path); });
        }
        m_recent->addSeparator();
        QAction *clearAll = m_recent->addAction(tr("&Clear Recent Paths"));
        clearAll->setEnabled(!m_recentPaths->paths().isEmpty());
        connect(clearAll, &QAction::triggered, m_recentPaths.data(), &RecentPaths::clear,
                Qt::QueuedConnection);
    }
    m_recent->setEnabled(m_recentPaths != nullptr);
    updateToggle();
}

} // namespace dust
