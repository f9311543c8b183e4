#pragma once

#include <QList>
#include <QObject>

class QAction;
class QActionGroup;
class QMenu;
class QMenuBar;
class QToolBar;
class QWidget;

namespace dust {

// Every command of the main window, in one place: each is a QAction with its text,
// shortcut, icon, status tip and accessible description, shared by the menus, the toolbar,
// the context menu and the keyboard. The window connects their triggered() signals and
// enables them; nothing else creates commands.
class WindowActions : public QObject
{
    Q_OBJECT
public:
    explicit WindowActions(QWidget *window);

    // File
    QAction *openConnection;
    QAction *closeTab;
    QAction *exportData; // the selection, a path or the whole store to a file
    QAction *importData; // a file into a node (a write)
    QAction *quit;
    // Edit
    QAction *undo; // the current store's own edits, each a conditional write
    QAction *redo;
    QAction *history;
    QAction *newEntry; // writes (below): disabled on a read-only store
    QAction *pasteJson;
    QAction *rename;
    QAction *moveEntry;
    QAction *copyPath;
    QAction *copyValue;
    QAction *copyAsJson;
    QAction *deleteEntry; // writes: disabled on a read-only store
    QAction *find;
    QAction *searchValues; // inside every value of the live mirror
    // View
    QAction *refresh;
    QAction *expandSubtree;
    QAction *collapseSubtree;
    QActionGroup *themes;
    QAction *themeSystem;
    QAction *themeLight;
    QAction *themeDark;
    // Go
    QAction *goToPath;
    QAction *goUp;
    QAction *nextTab;
    QAction *previousTab;
    QAction *commandPalette;
    // History (the store's, from the server's audit log)
    QAction *diffSinceOpened;
    QAction *diffTyped;
    QAction *timeTravel;
    QAction *restoreStore; // a write: disabled on a read-only store
    // Help
    QAction *about;

    // The actions that change the store (every one of them is disabled on a read-only store).
    QList<QAction *> writeActions() const;
    // The actions that act on the selected row.
    QList<QAction *> rowActions() const;

    // Every command above (for the command palette).
    QList<QAction *> all() const;

    // What the window adds to the menus: dock toggles at the end of View, submenus in Edit
    // (after the copy commands), a toggle at the top of History, menus before Help.
    struct MenuExtras
    {
        QList<QAction *> view;
        QList<QMenu *> edit;
        QList<QAction *> history;
        QList<QMenu *> beforeHelp;
    };
    // Fills the menu bar (menus File, Edit, View, History, Go, Help) and the toolbar.
    void fillMenus(QMenuBar *bar, const MenuExtras &extras) const;
    void fillToolBar(QToolBar *bar) const;
    // Re-tints the icons to the window's palette (after a theme change).
    void updateIcons();

private:
    QAction *make(const QString &text, const QString &icon, const QString &tip);

    QWidget *m_window;
    QList<std::pair<QAction *, QString>> m_icons;
};

} // namespace dust
