#pragma once

#include "window/StoreTab.h"
#include "window/Theme.h"

#include <QMainWindow>
#include <QPointer>
#include <QString>

#include <memory>

class QLabel;
class QStackedWidget;
class QTabWidget;
class QTreeView;

namespace dust {

class ChangeLogDock;
class RecentChangeDelegate;
class StoreTreeModel;
class Transport;
class WindowActions;
class WindowTools;

// The browser's main window. It only wires: the actions (WindowActions) to the current
// store's tab (StoreTab), the tabs to the status bar, and the window's layout to the saved
// settings. One tab per open store; several stores and servers at once.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens `store` in a new tab through `transport`, which the tab owns.
    StoreTab *addStore(std::unique_ptr<Transport> transport, const QString &store,
                       const StoreTab::Options &options);
    // Opens `store` in a new tab through `transport` (not owned; it must outlive the tab).
    StoreTab *openStore(Transport *transport, const QString &store, const QString &serverLabel);
    // Closes every tab (their transports go with them).
    void closeAllTabs();
    // Shown while no store is open and none could be opened.
    void showConnectionError(const QString &message);

    WindowActions *actions() const { return m_actions; }
    WindowTools *tools() const { return m_tools; }
    QTabWidget *tabs() const { return m_tabs; }
    ChangeLogDock *changeLogDock() const { return m_changeLog; }
    StoreTab *currentTab() const;
    // The current tab's pieces (null without a tab), for tests and tools.
    StoreTreeModel *treeModel() const;
    QTreeView *treeView() const;
    RecentChangeDelegate *recentChangeDelegate() const;
    QString entryHeaderText() const;
    QString entryValueText() const;
    // The current store's connection state as the status bar shows it.
    QString connectionText() const;
    // The empty page's words (when no store is open).
    QString emptyText() const;

    void setTheme(ThemeChoice choice);

signals:
    // File › Open Connection…: the application shows its connection dialog.
    void openConnectionRequested();

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void wireActions();
    StoreTab *insertTab(StoreTab *tab);
    void currentTabChanged();
    void closeTab(int index);
    void showGoToPath();
    void updateActions();
    void restoreSettings();
    void saveSettings() const;
    void applyTabSettings(StoreTab *tab) const;

    WindowActions *m_actions;
    QStackedWidget *m_pages;
    QLabel *m_empty;
    QTabWidget *m_tabs;
    QLabel *m_readOnly;
    ChangeLogDock *m_changeLog;
    WindowTools *m_tools;
    QPointer<QWidget> m_shownStatus; // the current tab's status widget, in the status bar
};

} // namespace dust
