#include "WindowActions.h"

#include "Icons.h"

#include <QAction>
#include <QActionGroup>
#include <QKeySequence>
#include <QMenu>
#include <QMenuBar>
#include <QToolBar>
#include <QWidget>

namespace dust {

WindowActions::WindowActions(QWidget *window)
    : QObject(window)
    , m_window(window)
{
    openConnection = make(tr("&Open Connection…"), QStringLiteral("connect"),
                          tr("Open a store on another server, or a saved connection"));
    openConnection->setShortcut(QKeySequence::Open);
    closeTab = make(tr("&Close Tab"), QStringLiteral("close"), tr("Close the current store"));
    closeTab->setShortcut(QKeySequence::Close);
    exportData = make(tr("&Export…"), QStringLiteral("download"),
                      tr("Write the selected nodes, or the whole store, to a JSON, NDJSON or CSV "
                         "file"));
    exportData->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    importData = make(tr("&Import…"), QString(),
                      tr("Write a JSON or NDJSON file into the selected node, after a preview"));
    importData->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    quit = make(tr("&Quit"), QString(), tr("Quit Dust Browser"));
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    undo =
        make(tr("&Undo"), QStringLiteral("undo"),
             tr("Undo your last change to this store (written only if nobody changed it since)"));
    undo->setShortcut(QKeySequence::Undo);
    redo = make(tr("&Redo"), QStringLiteral("redo"), tr("Make the change you undid again"));
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence::Redo});
    history = make(tr("Undo &History…"), QString(),
                   tr("Your changes to this store in this session; step back to any of them"));
    history->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    newEntry = make(tr("&New Entry…"), QStringLiteral("add"),
                    tr("Create an entry under the selected folder"));
    newEntry->setShortcut(QKeySequence::New);
    pasteJson =
        make(tr("&Paste JSON into Node…"), QString(),
             tr("Set the selected node to the JSON on the clipboard (replaces its subtree)"));
    pasteJson->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    rename = make(tr("Re&name…"), QString(), tr("Rename the selected node (one atomic write)"));
    rename->setShortcut(QKeySequence(Qt::Key_F2));
    moveEntry = make(tr("&Move…"), QString(), tr("Move the selected node to another path"));
    moveEntry->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    copyPath = make(tr("Copy &Path"), QStringLiteral("copy"), tr("Copy the selected path"));
    copyPath->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copyValue = make(tr("Copy &Value"), QString(), tr("Copy the selected entry's value"));
    copyValue->setShortcut(QKeySequence::Copy);
    copyAsJson = make(tr("Copy as &JSON"), QString(),
                      tr("Copy the selected entry, or the whole folder, as JSON"));
    copyAsJson->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C));
    deleteEntry = make(tr("&Delete…"), QStringLiteral("delete"),
                       tr("Delete the selected entries and everything under them"));
    deleteEntry->setShortcut(QKeySequence::Delete);
    find = make(tr("&Filter…"), QStringLiteral("filter"),
                tr("Show only the paths whose name contains a text or that match a glob"));
    find->setShortcut(QKeySequence::Find);
    searchValues =
        make(tr("Search in &Values…"), QStringLiteral("search"),
             tr("Search inside every value of the store, by text or regular expression"));
    searchValues->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));

    refresh =
        make(tr("&Refresh"), QStringLiteral("refresh"), tr("Read the store again from the server"));
    refresh->setShortcut(QKeySequence::Refresh);
    expandSubtree = make(tr("&Expand Subtree"), QStringLiteral("expand"),
                         tr("Open the selected folder and every folder under it"));
    expandSubtree->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Right));
    collapseSubtree = make(tr("Co&llapse Subtree"), QStringLiteral("collapse"),
                           tr("Close the selected folder and every folder under it"));
    collapseSubtree->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Left));
    themes = new QActionGroup(this);
    themeSystem =
        make(tr("&System Colours"), QString(), tr("Follow the desktop's light or dark colours"));
    themeLight = make(tr("&Light"), QString(), tr("Light colours"));
    themeDark = make(tr("&Dark"), QString(), tr("Dark colours"));
    for (QAction *a : {themeSystem, themeLight, themeDark}) {
        a->setCheckable(true);
        themes->addAction(a);
    }
    themeSystem->setChecked(true);

    goToPath = make(tr("&Go to Path…"), QStringLiteral("goto"),
                    tr("Jump to a path, with completion from the tree"));
    goToPath->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    goUp = make(tr("&Parent Folder"), QString(), tr("Select the folder above"));
    goUp->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Up));
    nextTab = make(tr("&Next Store"), QString(), tr("Show the next store's tab"));
    nextTab->setShortcut(QKeySequence::NextChild);
    previousTab = make(tr("P&revious Store"), QString(), tr("Show the previous store's tab"));
    previousTab->setShortcut(QKeySequence::PreviousChild);
    commandPalette =
        make(tr("Command &Palette…"), QString(), tr("Run a command or go to a path by typing"));
    commandPalette->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_K), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P)});

    diffSinceOpened = make(tr("Diff Since &Opened"), QString(),
                           tr("What changed in the store since this tab opened"));
    diffTyped = make(tr("&Diff…"), QString(),
                     tr("What changed in the store since a seq or a time you type"));
    timeTravel = make(tr("&Time Travel…"), QString(),
                      tr("The selected node as it was at any earlier seq, read-only, with "
                         "Restore to Here"));
    timeTravel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    restoreStore = make(tr("&Restore Store to Seq…"), QString(),
                        tr("Put the whole store back as it was at an earlier seq, after a "
                           "preview (new operations; history is kept)"));

    about = make(tr("&About Dust Browser"), QString(), tr("Version and credits"));
    about->setMenuRole(QAction::AboutRole);

    // Shortcuts work wherever focus is in the window, also with the menu bar hidden.
    const QList<QAction *> all = findChildren<QAction *>();
    for (QAction *a : all) {
        a->setShortcutContext(Qt::WindowShortcut);
        window->addAction(a);
    }
    updateIcons();
}

QAction *WindowActions::make(const QString &text, const QString &icon, const QString &tip)
{
    auto *action = new QAction(text, this);
    action->setStatusTip(tip);
    action->setToolTip(tip);
    if (!icon.isEmpty())
        m_icons.append({action, icon});
    return action;
}

QList<QAction *> WindowActions::writeActions() const
{
    return {newEntry, pasteJson, rename, moveEntry, deleteEntry, importData, restoreStore};
}

QList<QAction *> WindowActions::all() const
{
    return findChildren<QAction *>(QString(), Qt::FindDirectChildrenOnly);
}

QList<QAction *> WindowActions::rowActions() const
{
    return {copyPath,   copyValue, copyAsJson, expandSubtree, collapseSubtree,
            exportData, pasteJson, rename,     moveEntry,     deleteEntry};
}

void WindowActions::fillMenus(QMenuBar *bar, const MenuExtras &extras) const
{
    QMenu *file = bar->addMenu(tr("&File"));
    file->addActions({openConnection, closeTab});
    file->addSeparator();
    file->addActions({exportData, importData});
    file->addSeparator();
    file->addAction(quit);

    QMenu *edit = bar->addMenu(tr("&Edit"));
    edit->addActions({undo, redo, history});
    edit->addSeparator();
    edit->addActions({copyPath, copyValue, copyAsJson});
    for (QMenu *menu : extras.edit)
        edit->addMenu(menu);
    edit->addSeparator();
    edit->addActions({newEntry, pasteJson, rename, moveEntry, deleteEntry});
    edit->addSeparator();
    edit->addActions({find, searchValues});

    QMenu *view = bar->addMenu(tr("&View"));
    view->addAction(refresh);
    view->addSeparator();
    view->addActions({expandSubtree, collapseSubtree});
    view->addSeparator();
    QMenu *colours = view->addMenu(tr("&Colours"));
    colours->addActions(themes->actions());
    if (!extras.view.isEmpty()) {
        view->addSeparator();
        view->addActions(extras.view);
    }

    QMenu *past = bar->addMenu(tr("Hi&story"));
    past->addActions(extras.history);
    if (!extras.history.isEmpty())
        past->addSeparator();
    past->addActions({diffSinceOpened, diffTyped});
    past->addSeparator();
    past->addAction(timeTravel);
    past->addSeparator();
    past->addAction(restoreStore);

    QMenu *go = bar->addMenu(tr("&Go"));
    go->addActions({goToPath, goUp});
    go->addSeparator();
    go->addActions({nextTab, previousTab});
    go->addSeparator();
    go->addAction(commandPalette);

    for (QMenu *menu : extras.beforeHelp)
        bar->addMenu(menu);

    QMenu *help = bar->addMenu(tr("&Help"));
    help->addAction(about);
}

void WindowActions::fillToolBar(QToolBar *bar) const
{
    bar->addActions({openConnection, refresh});
    bar->addSeparator();
    bar->addActions({goToPath, find});
    bar->addSeparator();
    bar->addActions({expandSubtree, collapseSubtree, copyPath});
    bar->addSeparator();
    bar->addActions({undo, redo});
    bar->addSeparator();
    bar->addActions({newEntry, deleteEntry});
}

void WindowActions::updateIcons()
{
    for (const auto &[action, name] : std::as_const(m_icons))
        action->setIcon(icons::themed(name, m_window->palette()));
}

} // namespace dust
