#include "MainWindow.h"

#include "RecentChangeDelegate.h"
#include "bookmarks/BookmarksMenu.h"
#include "code/CopyAsCodeMenu.h"
#include "history/HistoryDock.h"
#include "live/ChangeLogDock.h"
#include "model/StoreTreeModel.h"
#include "search/SearchDock.h"
#include "transport/Transport.h"
#include "window/AboutDialog.h"
#include "window/ExchangeCommands.h"
#include "window/GoToPathDialog.h"
#include "window/Icons.h"
#include "window/TabEditing.h"
#include "window/TreeFilterBar.h"
#include "window/ShortcutPriority.h"
#include "window/WindowActions.h"
#include "window/WindowTools.h"

#include <QAction>
#include <QActionGroup>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QTreeView>

namespace dust {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_actions(new WindowActions(this))
    , m_pages(new QStackedWidget(this))
    , m_empty(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_readOnly(new QLabel(this))
    , m_changeLog(new ChangeLogDock(nullptr, this))
    , m_tools(new WindowTools(this, m_actions))
{
    setObjectName(QStringLiteral("mainWindow"));
    new ShortcutPriority(this); // Ctrl+E, Ctrl+K … also from a text field
    setWindowTitle(tr("Dust Browser"));
    setWindowIcon(icons::application());
    resize(1200, 760);

    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_empty->setAccessibleName(tr("No store open"));
    m_empty->setText(tr("Connecting…"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setAccessibleName(tr("Open stores"));
    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_tabs);
    setCentralWidget(m_pages);

    auto *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setAccessibleName(tr("Main toolbar"));
    toolBar->setIconSize(QSize(20, 20));
    m_actions->fillToolBar(toolBar);

    // The current store's change log, at the bottom.
    addDockWidget(Qt::BottomDockWidgetArea, m_changeLog);
    resizeDocks({m_changeLog}, {180}, Qt::Vertical);
    QAction *showLog = m_changeLog->toggleViewAction();
    showLog->setText(tr("Change &Log"));
    showLog->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_J));
    showLog->setStatusTip(tr("Show or hide the store's change log"));
    addAction(showLog);
    // The search results share the bottom with the change log; the history is at the right.
    addDockWidget(Qt::BottomDockWidgetArea, m_tools->searchDock());
    tabifyDockWidget(m_changeLog, m_tools->searchDock());
    m_changeLog->raise();
    addDockWidget(Qt::RightDockWidgetArea, m_tools->historyDock());
    auto *separator = new QAction(this);
    separator->setSeparator(true);
    QAction *showHistory = m_tools->historyDock()->toggleViewAction();
    QAction *showSearch = m_tools->searchDock()->toggleViewAction();
    WindowActions::MenuExtras extras;
    extras.view = {showLog,
                   showSearch,
                   m_changeLog->pauseAction(),
                   m_changeLog->clearAction(),
                   separator,
                   toolBar->toggleViewAction()};
    extras.edit = {m_tools->copyAsCodeMenu()};
    extras.history = {showHistory};
    extras.beforeHelp = {m_tools->bookmarksMenu()};
    m_actions->fillMenus(menuBar(), extras);
    m_tools->setPaletteExtras({showLog, showHistory, showSearch,
                               m_tools->bookmarksMenu()->bookmarkThisAction(),
                               m_tools->bookmarksMenu()->manageAction()});
    connect(m_changeLog, &ChangeLogDock::pathActivated, m_tools, &WindowTools::goTo);
    connect(m_tools, &WindowTools::message, this, [this](const QString &text, int timeoutMs) {
        statusBar()->showMessage(text, timeoutMs);
    });

    m_readOnly->setAccessibleName(tr("Write access"));
    m_readOnly->hide();
    statusBar()->addPermanentWidget(m_readOnly);
    statusBar()->setAccessibleName(tr("Status"));

    wireActions();
    restoreSettings();
    updateActions();
}

MainWindow::~MainWindow()
{
    // Tabs first: their views and models go before anything they read.
    closeAllTabs();
}

void MainWindow::closeAllTabs()
{
    while (m_tabs->count() > 0)
        closeTab(0);
}

void MainWindow::wireActions()
{
    const auto onTab = [this](void (StoreTab::*command)()) {
        return [this, command] {
            if (StoreTab *tab = currentTab())
                (tab->*command)();
        };
    };
    WindowActions *a = m_actions;
    connect(a->openConnection, &QAction::triggered, this, &MainWindow::openConnectionRequested);
    connect(a->closeTab, &QAction::triggered, this, [this] {
        if (m_tabs->count() > 0)
            closeTab(m_tabs->currentIndex());
    });
    connect(a->quit, &QAction::triggered, this, &QWidget::close);
    connect(a->copyPath, &QAction::triggered, this, onTab(&StoreTab::copyPath));
    connect(a->copyValue, &QAction::triggered, this, onTab(&StoreTab::copyValue));
    connect(a->copyAsJson, &QAction::triggered, this, onTab(&StoreTab::copyAsJson));
    const auto onEditing = [this](void (TabEditing::*command)()) {
        return [this, command] {
            if (StoreTab *tab = currentTab(); tab && tab->editing())
                (tab->editing()->*command)();
        };
    };
    connect(a->exportData, &QAction::triggered, this, [this] {
        if (StoreTab *tab = currentTab())
            exchangecommands::exportFrom(tab, this);
    });
    connect(a->importData, &QAction::triggered, this, [this] {
        if (StoreTab *tab = currentTab())
            exchangecommands::importInto(tab, this);
    });
    connect(a->undo, &QAction::triggered, this, onEditing(&TabEditing::undo));
    connect(a->redo, &QAction::triggered, this, onEditing(&TabEditing::redo));
    connect(a->history, &QAction::triggered, this, onEditing(&TabEditing::showHistory));
    connect(a->newEntry, &QAction::triggered, this, onEditing(&TabEditing::newEntry));
    connect(a->pasteJson, &QAction::triggered, this, onEditing(&TabEditing::pasteJson));
    connect(a->rename, &QAction::triggered, this, onEditing(&TabEditing::rename));
    connect(a->moveEntry, &QAction::triggered, this, onEditing(&TabEditing::move));
    connect(a->deleteEntry, &QAction::triggered, this, onEditing(&TabEditing::deleteSelection));
    connect(a->find, &QAction::triggered, this, onTab(&StoreTab::focusFilter));
    connect(a->refresh, &QAction::triggered, this, onTab(&StoreTab::refresh));
    connect(a->expandSubtree, &QAction::triggered, this, onTab(&StoreTab::expandSubtree));
    connect(a->collapseSubtree, &QAction::triggered, this, onTab(&StoreTab::collapseSubtree));
    connect(a->goUp, &QAction::triggered, this, onTab(&StoreTab::goUp));
    connect(a->goToPath, &QAction::triggered, this, &MainWindow::showGoToPath);
    connect(a->nextTab, &QAction::triggered, this, [this] {
        if (m_tabs->count() > 1)
            m_tabs->setCurrentIndex((m_tabs->currentIndex() + 1) % m_tabs->count());
    });
    connect(a->previousTab, &QAction::triggered, this, [this] {
        if (m_tabs->count() > 1)
            m_tabs->setCurrentIndex((m_tabs->currentIndex() + m_tabs->count() - 1) %
                                    m_tabs->count());
    });
    connect(a->themes, &QActionGroup::triggered, this, [this](QAction *chosen) {
        setTheme(chosen == m_actions->themeDark    ? ThemeChoice::Dark
                 : chosen == m_actions->themeLight ? ThemeChoice::Light
                                                   : ThemeChoice::System);
    });
    connect(a->about, &QAction::triggered, this, [this] {
        AboutDialog dialog(this);
        dialog.exec();
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::currentTabChanged);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
}

StoreTab *MainWindow::addStore(std::unique_ptr<Transport> transport, const QString &store,
                               const StoreTab::Options &options)
{
    return insertTab(new StoreTab(std::move(transport), store, options));
}

StoreTab *MainWindow::openStore(Transport *transport, const QString &store,
                                const QString &serverLabel)
{
    return insertTab(new StoreTab(transport, store, {serverLabel, false, QString()}));
}

StoreTab *MainWindow::insertTab(StoreTab *tab)
{
    const QString &store = tab->store();
    tab->setContextActions(m_actions->rowActions() << m_tools->copyAsCodeMenu()->menuAction());
    m_tools->addTab(tab);
    applyTabSettings(tab);
    connect(tab, &StoreTab::changesSkipped, this, [this, tab] {
        if (tab == currentTab())
            m_changeLog->noteEventsSkipped();
    });
    connect(tab, &StoreTab::readOnlyChanged, this, [this, tab] {
        if (tab == currentTab())
            updateActions();
    });
    connect(tab, &StoreTab::currentPathChanged, this, &MainWindow::updateActions);
    if (TabEditing *editing = tab->editing()) {
        connect(editing, &TabEditing::stateChanged, this, [this, tab] {
            if (tab == currentTab())
                updateActions();
        });
        connect(editing, &TabEditing::message, this, [this](const QString &text, int timeoutMs) {
            statusBar()->showMessage(text, timeoutMs);
        });
    }
    connect(tab, &StoreTab::message, this, [this](const QString &text, int timeoutMs) {
        statusBar()->showMessage(text, timeoutMs);
    });
    const int index = m_tabs->addTab(tab, store);
    m_tabs->setTabToolTip(index, tr("%1 on %2").arg(store, tab->serverLabel()));
    m_tabs->setCurrentIndex(index);
    m_pages->setCurrentWidget(m_tabs);
    currentTabChanged();
    tab->treeView()->setFocus();
    statusBar()->showMessage(tr("%1 on %2").arg(store, tab->serverLabel()), 5000);
    return tab;
}

void MainWindow::showConnectionError(const QString &message)
{
    m_empty->setText(
        tr("<b>Could not open a store</b><br>%1<br><br>Open another with File › "
           "Open Connection… (%2).")
            .arg(message.toHtmlEscaped(),
                 m_actions->openConnection->shortcut().toString(QKeySequence::NativeText)));
    if (m_tabs->count() == 0)
        m_pages->setCurrentWidget(m_empty);
    statusBar()->showMessage(message);
}

StoreTab *MainWindow::currentTab() const
{
    return qobject_cast<StoreTab *>(m_tabs->currentWidget());
}

StoreTreeModel *MainWindow::treeModel() const
{
    return currentTab() ? currentTab()->model() : nullptr;
}

QTreeView *MainWindow::treeView() const
{
    return currentTab() ? currentTab()->treeView() : nullptr;
}

RecentChangeDelegate *MainWindow::recentChangeDelegate() const
{
    return currentTab() ? currentTab()->delegate() : nullptr;
}

QString MainWindow::entryHeaderText() const
{
    return currentTab() ? currentTab()->entryHeaderText() : QString();
}

QString MainWindow::entryValueText() const
{
    return currentTab() ? currentTab()->entryValueText() : QString();
}

QString MainWindow::connectionText() const
{
    return currentTab() ? currentTab()->connectionText() : QString();
}

QString MainWindow::emptyText() const
{
    return m_empty->text();
}

void MainWindow::currentTabChanged()
{
    StoreTab *tab = currentTab();
    // The status bar shows the current store's connection.
    if (m_shownStatus && (!tab || m_shownStatus != tab->statusWidget())) {
        statusBar()->removeWidget(m_shownStatus);
        m_shownStatus->hide();
    }
    m_shownStatus = tab ? tab->statusWidget() : nullptr;
    if (m_shownStatus) {
        statusBar()->addPermanentWidget(m_shownStatus);
        m_shownStatus->show();
    }
    m_changeLog->setModel(tab ? tab->changeLog() : nullptr);
    m_tools->setCurrentTab(tab);
    if (!tab) {
        setWindowTitle(tr("Dust Browser"));
        m_pages->setCurrentWidget(m_empty);
        m_empty->setText(
            tr("No store is open.<br>Open one with File › Open Connection… (%1).")
                .arg(m_actions->openConnection->shortcut().toString(QKeySequence::NativeText)));
        updateActions();
        return;
    }
    setWindowTitle(tr("%1 — Dust Browser").arg(tab->store()));
    updateActions();
}

void MainWindow::closeTab(int index)
{
    auto *tab = qobject_cast<StoreTab *>(m_tabs->widget(index));
    if (!tab)
        return;
    if (m_tabs->count() == 1)
        saveSettings(); // the last tab's splitter and columns are kept for the next one
    if (m_shownStatus == tab->statusWidget()) {
        statusBar()->removeWidget(m_shownStatus);
        m_shownStatus = nullptr;
    }
    m_tools->removeTab(tab);
    m_tabs->removeTab(index);
    delete tab;
}

void MainWindow::showGoToPath()
{
    StoreTab *tab = currentTab();
    if (!tab)
        return;
    GoToPathDialog dialog([tab](const QString &typed) { return tab->completions(typed); }, this);
    const Path current = tab->currentPath();
    if (current.isValid())
        dialog.setText(current.rendered());
    if (dialog.exec() == QDialog::Accepted) {
        m_tools->goTo(dialog.path());
        tab->treeView()->setFocus(); // the keys go on acting on the tree
    }
}

void MainWindow::updateActions()
{
    StoreTab *tab = currentTab();
    const bool hasTab = tab != nullptr;
    const bool hasRow = hasTab && tab->currentPath().isValid();
    for (QAction *a : m_actions->rowActions())
        a->setEnabled(hasRow);
    for (QAction *a : {m_actions->closeTab, m_actions->find, m_actions->refresh,
                       m_actions->goToPath, m_actions->goUp, m_actions->searchValues,
                       m_actions->diffSinceOpened, m_actions->diffTyped, m_actions->timeTravel})
        a->setEnabled(hasTab);
    TabEditing *editing = hasTab ? tab->editing() : nullptr;
    const bool readOnly = hasTab && (tab->isReadOnly() || (editing && !editing->canWrite()));
    for (QAction *a : m_actions->writeActions())
        a->setEnabled(hasRow && !readOnly);
    // A new entry needs no selection (it goes at the top then).
    m_actions->newEntry->setEnabled(editing && !readOnly);
    m_actions->restoreStore->setEnabled(editing && !readOnly);
    m_actions->history->setEnabled(editing != nullptr);
    // Export needs no selection (the whole store then); import goes to the top without one.
    m_actions->exportData->setEnabled(hasTab);
    m_actions->importData->setEnabled(editing && !readOnly && tab->restTransport());
    m_actions->undo->setEnabled(editing && editing->canUndo());
    m_actions->redo->setEnabled(editing && editing->canRedo());
    const QString undoText = editing ? editing->undoText() : QString();
    const QString redoText = editing ? editing->redoText() : QString();
    m_actions->undo->setText(undoText.isEmpty() ? tr("&Undo") : tr("&Undo %1").arg(undoText));
    m_actions->redo->setText(redoText.isEmpty() ? tr("&Redo") : tr("&Redo %1").arg(redoText));
    m_readOnly->setVisible(readOnly);
    m_readOnly->setText(readOnly ? tab->readOnlyReason() : QString());
}

void MainWindow::setTheme(ThemeChoice choice)
{
    theme::apply(choice);
    (choice == ThemeChoice::Dark    ? m_actions->themeDark
     : choice == ThemeChoice::Light ? m_actions->themeLight
                                    : m_actions->themeSystem)
        ->setChecked(true);
    QSettings().setValue(QStringLiteral("window/theme"), theme::name(choice));
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        m_actions->updateIcons();
    QMainWindow::changeEvent(event);
}

// ---- settings ------------------------------------------------------------------------------

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    if (StoreTab *tab = currentTab()) {
        settings.setValue(QStringLiteral("window/splitter"), tab->splitter()->saveState());
        settings.setValue(QStringLiteral("window/treeColumns"),
                          tab->treeView()->header()->saveState());
    }
}

void MainWindow::applyTabSettings(StoreTab *tab) const
{
    QSettings settings;
    tab->splitter()->restoreState(settings.value(QStringLiteral("window/splitter")).toByteArray());
    tab->treeView()->header()->restoreState(
        settings.value(QStringLiteral("window/treeColumns")).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace dust
