#pragma once

#include <QList>
#include <QObject>

class QAction;
class QActionGroup;
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
    // Help
    QAction *about;

    // The actions that change the store (every one of them is disabled on a read-only store).
    QList<QAction *> writeActions() const;
    // The actions that act on the selected row.
    QList<QAction *> rowActions() const;

    // Fills the menu bar (menus File, Edit, View, Go, Help) and the toolbar. `viewExtras`
    // (e.g. dock toggles) go at the end of the View menu.
    void fillMenus(QMenuBar *bar, const QList<QAction *> &viewExtras) const;
    void fillToolBar(QToolBar *bar) const;
    // Re-tints the icons to the window's palette (after a theme change).
    void updateIcons();

private:
    QAction *make(const QString &text, const QString &icon, const QString &tip);

    QWidget *m_window;
    QList<std::pair<QAction *, QString>> m_icons;
};

} // namespace dust
