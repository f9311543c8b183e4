#include "window/WindowTools.h"

#include "bookmarks/BookmarkStore.h"
#include "bookmarks/BookmarksMenu.h"
#include "bookmarks/RecentPaths.h"
#include "code/CodeSnippets.h"
#include "code/CopyAsCodeMenu.h"
#include "history/DiffDialog.h"
#include "history/DiffPanel.h"
#include "history/HistoryDock.h"
#include "history/TabHistory.h"
#include "inspector/EntryEditor.h"
#include "inspector/InspectorPanel.h"
#include "model/NodeTreeModel.h"
#include "model/StoreTreeModel.h"
#include "palette/CommandPalette.h"
#include "palette/PathCollector.h"
#include "search/SearchDock.h"
#include "window/StoreTab.h"
#include "window/WindowActions.h"

#include <QAction>
#include <QLineEdit>
#include <QMainWindow>
#include <QTreeView>

namespace dust {

namespace {

const QString kBookmarksName = QStringLiteral("bookmarks");
const QString kRecentName = QStringLiteral("recentPaths");

BookmarkStore *bookmarksOf(const StoreTab *tab)
{
    return tab ? tab->findChild<BookmarkStore *>(kBookmarksName, Qt::FindDirectChildrenOnly)
               : nullptr;
}

RecentPaths *recentOf(const StoreTab *tab)
{
    return tab ? tab->findChild<RecentPaths *>(kRecentName, Qt::FindDirectChildrenOnly) : nullptr;
}

// A glob for the paths at or under `node` ("users/alice/**" for a folder, the path for a
// leaf); empty for the whole store or a path that holds glob characters itself.
QString nodeGlob(const Path &node, const StoreTab *tab)
{
    if (!node.isValid() || !tab)
        return {};
    const QString rendered = node.rendered();
    for (const QChar c : {u'*', u'?', u'[', u'{'})
        if (rendered.contains(c))
            return {};
    const bool folder =
        tab->currentPath() == node &&
        tab->treeView()->currentIndex().data(NodeTreeModel::HasChildrenRole).toBool();
    return folder ? rendered + QStringLiteral("/**") : rendered;
}

} // namespace

WindowTools::WindowTools(QMainWindow *window, WindowActions *actions)
    : QObject(window)
    , m_window(window)
    , m_actions(actions)
    , m_history(new HistoryDock(window))
    , m_search(new SearchDock(window))
    , m_bookmarks(new BookmarksMenu(window))
    , m_copyAsCode(new CopyAsCodeMenu(
          [this]() -> std::optional<SnippetTarget> {
              StoreTab *tab = current();
              if (!tab || !tab->currentPath().isValid())
                  return std::nullopt;
              SnippetTarget target;
              target.server = codesnippets::serverUrlOf(tab->transport());
              target.store = tab->store();
              target.path = tab->currentPath();
              target.type =
                  tab->treeView()->currentIndex().data(NodeTreeModel::TypeRole).toString();
              // An edit about to be made: what Save would send.
              if (EntryEditor *editor = tab->inspector()->editor(); editor->hasUnsavedInput())
                  target.edit = editor->request();
              return target;
          },
          window))
{
    m_history->hide();
    m_search->hide();
    QAction *showHistory = m_history->toggleViewAction();
    showHistory->setText(tr("History &Pane"));
    showHistory->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
    showHistory->setStatusTip(tr("Show or hide who changed the selected node, when, and how"));
    QAction *showSearch = m_search->toggleViewAction();
    showSearch->setText(tr("Search &Results"));
    showSearch->setStatusTip(tr("Show or hide the search inside values"));
    for (QAction *a :
         {showHistory, showSearch, m_bookmarks->bookmarkThisAction(), m_bookmarks->manageAction()})
        window->addAction(a);
    wireActions();
}

TabHistory *WindowTools::historyOf(const StoreTab *tab)
{
    return tab ? tab->findChild<TabHistory *>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
}

void WindowTools::wireActions()
{
    const auto onHistory = [this](auto command) {
        return [this, command] {
            if (TabHistory *history = historyOf(current()))
                command(history, current());
        };
    };
    connect(m_actions->diffSinceOpened, &QAction::triggered, this,
            onHistory([](TabHistory *h, StoreTab *) { h->diffSinceOpened(); }));
    connect(m_actions->diffTyped, &QAction::triggered, this,
            onHistory([](TabHistory *h, StoreTab *) { h->diffFromTyped(); }));
    connect(m_actions->timeTravel, &QAction::triggered, this,
            onHistory([](TabHistory *h, StoreTab *tab) { h->timeTravel(tab->currentPath()); }));
    connect(m_actions->restoreStore, &QAction::triggered, this,
            onHistory([](TabHistory *h, StoreTab *) { h->rollbackStoreTyped(); }));
    connect(m_history, &HistoryDock::diffRequested, this, [this](qint64 from, qint64 to) {
        TabHistory *history = historyOf(current());
        if (!history)
            return;
        history->showDiff(from, to);
        // Two rows of a node's history: the diff opens on that node (the filter can widen it).
        const QString glob = nodeGlob(m_history->node(), current());
        if (DiffDialog *dialog = history->diffDialog(); dialog && !glob.isEmpty())
            dialog->panel()->filterField()->setText(glob);
    });
    connect(m_history, &HistoryDock::restoreRequested, this, [this](const Path &path, qint64 seq) {
        if (StoreTab *tab = current(); tab && !tab->isReadOnly())
            historyOf(tab)->restore(path, seq);
        else if (tab)
            emit message(tab->readOnlyReason(), 8000);
    });
    connect(m_history, &HistoryDock::pathActivated, this, &WindowTools::goTo);

    connect(m_actions->searchValues, &QAction::triggered, this, [this] {
        m_search->show();
        m_search->raise();
        // Room for a page of results (the bottom area starts as tall as the change log).
        if (m_search->height() < 300)
            m_window->resizeDocks({m_search}, {340}, Qt::Vertical);
        m_search->focusQuery();
    });
    connect(m_search, &SearchDock::pathActivated, this, &WindowTools::goTo);

    connect(m_bookmarks, &BookmarksMenu::pathChosen, this, &WindowTools::goTo);
    connect(m_bookmarks, &BookmarksMenu::message, this, &WindowTools::message);
    connect(m_copyAsCode, &CopyAsCodeMenu::copied, this,
            [this](const QString &text) { emit message(text, 5000); });
    connect(m_actions->commandPalette, &QAction::triggered, this, &WindowTools::showPalette);
}

void WindowTools::addTab(StoreTab *tab)
{
    auto *history = new TabHistory(tab);
    connect(history, &TabHistory::message, this, &WindowTools::message);
    const QString scope =
        BookmarkStore::scopeFor(tab->profileName(), codesnippets::serverUrlOf(tab->transport()));
    auto *bookmarks = new BookmarkStore(m_settings, scope, tab->store(), tab);
    bookmarks->setObjectName(kBookmarksName);
    auto *recent = new RecentPaths(m_settings, scope, tab->store(), tab);
    recent->setObjectName(kRecentName);
    connect(tab, &StoreTab::currentPathChanged, this, [this, tab](const Path &path) {
        if (tab != current())
            return;
        m_history->setNode(path);
        m_search->setScope(path);
        m_bookmarks->setCurrentPath(path);
    });
}

void WindowTools::removeTab(StoreTab *tab)
{
    if (tab != current())
        return;
    setCurrentTab(nullptr);
}

void WindowTools::setCurrentTab(StoreTab *tab)
{
    m_current = tab;
    m_history->setSource(tab ? tab->restTransport() : nullptr, tab ? tab->changeFeed() : nullptr,
                         tab ? tab->store() : QString());
    const Path path = tab ? tab->currentPath() : Path();
    m_history->setNode(path);
    m_search->setSource(tab ? tab->liveTransport() : nullptr, tab ? tab->store() : QString());
    m_search->setScope(path);
    m_bookmarks->setStores(bookmarksOf(tab), recentOf(tab));
    m_bookmarks->setCurrentPath(path);
}

void WindowTools::goTo(const Path &path)
{
    StoreTab *tab = current();
    if (!tab || !path.isValid())
        return;
    tab->goToPath(path);
    noteVisited(path);
}

void WindowTools::noteVisited(const Path &path)
{
    if (RecentPaths *recent = recentOf(current()); recent && path.isValid())
        recent->note(path);
}

void WindowTools::showPalette()
{
    StoreTab *tab = current();
    auto *palette = new CommandPalette(m_window);
    palette->setAttribute(Qt::WA_DeleteOnClose);
    palette->setActions(m_actions->all() + m_paletteExtras);
    if (tab) {
        palette->setPathCompletions([tab = QPointer<StoreTab>(tab)](const QString &typed) {
            return tab ? tab->completions(typed) : QStringList();
        });
        palette->setPaths(PathCollector::collect(tab->model(), NodeTreeModel::PathRole));
        if (BookmarkStore *bookmarks = bookmarksOf(tab))
            palette->setBookmarks(bookmarks->bookmarks());
        if (RecentPaths *recent = recentOf(tab))
            palette->setRecentPaths(recent->paths());
    }
    connect(palette, &CommandPalette::pathChosen, this, [this](const Path &path) {
        goTo(path);
        if (StoreTab *tab = current())
            tab->treeView()->setFocus();
    });
    palette->setText(QString());
    palette->open();
}

} // namespace dust
