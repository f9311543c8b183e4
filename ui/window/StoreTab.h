#pragma once

#include "protocol/Entry.h"
#include "protocol/Path.h"

#include <QHash>
#include <QList>
#include <QMetaObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <QWidget>

#include <functional>
#include <memory>

class QAction;
class QSplitter;
class QTreeView;

namespace dust {

class ChangeFeed;
class ChangeLogModel;
class ConnectionStatus;
class InspectorPanel;
class PathBreadcrumb;
class RecentChangeDelegate;
class SdkStoreSource;
class SdkTransport;
class StoreTreeModel;
class TabEditing;
class MirrorChangeBatch;
class Transport;
class TreeFilterBar;

// One open store: its filter bar and breadcrumb, the tree, and the inspector of the selected
// entry. It owns its transport when given one (several tabs may show stores of several
// servers at once) and offers the commands the window's actions trigger on it.
class StoreTab : public QWidget
{
    Q_OBJECT
public:
    struct Options
    {
        QString serverLabel;   // "embedded dustlite (http://127.0.0.1:…)", a profile's name …
        bool readOnly = false; // the profile or the command line says so
        QString profileName = {}; // the connection profile's name (bookmarks are kept with it)
    };

    // `transport` is owned by the tab.
    StoreTab(std::unique_ptr<Transport> transport, const QString &store, const Options &options,
             QWidget *parent = nullptr);
    // `transport` is not owned and must outlive the tab.
    StoreTab(Transport *transport, const QString &store, const Options &options,
             QWidget *parent = nullptr);
    ~StoreTab() override;

    Transport *transport() const { return m_transport; }
    SdkTransport *liveTransport() const;
    const QString &store() const { return m_store; }
    const QString &serverLabel() const { return m_options.serverLabel; }
    const QString &profileName() const { return m_options.profileName; }
    // Read-only by choice (profile) or because the server grants no write.
    bool isReadOnly() const { return m_options.readOnly || m_serverReadOnly; }
    QString readOnlyReason() const;

    StoreTreeModel *model() const { return m_model; }
    QTreeView *treeView() const { return m_tree; }
    TreeFilterBar *filterBar() const { return m_filter; }
    PathBreadcrumb *breadcrumb() const { return m_crumbs; }
    RecentChangeDelegate *delegate() const { return m_delegate; }
    QSplitter *splitter() const { return m_splitter; }
    InspectorPanel *inspector() const { return m_inspector; }
    // The selected row's path (invalid when nothing or the top is selected).
    Path currentPath() const;
    // The inspector's header and value text (for tests and accessibility).
    QString entryHeaderText() const;
    QString entryValueText() const;
    // The store's change log (fed while the store is live).
    ChangeLogModel *changeLog() const { return m_changeLog; }
    // The status bar's widget for this store (its connection state), owned by the tab; the
    // window shows the current tab's.
    QWidget *statusWidget() const { return m_statusWidget; }
    ConnectionStatus *connectionStatus() const;
    ChangeFeed *changeFeed() const { return m_feed.get(); }
    // The store's connection state in words ("live · seq 12", "reconnecting …").
    const QString &connectionText() const { return m_connectionText; }

    // The actions the rows' context menu offers (the window's, not owned).
    void setContextActions(const QList<QAction *> &actions) { m_contextActions = actions; }

    // Commands (the window's actions).
    void focusFilter();
    void refresh();
    void expandSubtree();
    void collapseSubtree();
    void goUp();
    void copyPath();
    void copyValue();
    void copyAsJson();
    // The store's REST transport (batch writes, import): the transport itself over REST, the
    // interim HttpTransport of a live store.
    Transport *restTransport() const;
    // After this client wrote over REST: a live store asks the server what it missed now (REST
    // writes are not pushed to sockets, dust-protocol.md §5.10), a REST one lists again.
    void catchUpAfterRest();
    // The editing of this store (its EditController, and the structure commands).
    TabEditing *editing() const { return m_editing; }
    // The selected rows' paths, top-most only (a path under another selected one is left
    // out); the current row's when none is selected.
    QList<Path> selectedPaths() const;
    // Values at or under `node` as the tree has them.
    qint64 leavesBelow(const QModelIndex &node) const;
    // Reads `path` again if it is shown, dropping what the inspector's form holds.
    void reshow(const Path &path);
    // Selects `path`, opening its ancestors; over REST the folders on the way are listed
    // first; a path hidden by the filter clears the filter. Returns false (and says why
    // through message()) when no such path is in the store.
    void goToPath(const Path &path);
    // Full paths to offer for `typed` (go-to-path completion): children of the typed
    // folder whose name starts with the last typed segment, at most `limit`.
    QStringList completions(const QString &typed, int limit = 200) const;

signals:
    void currentPathChanged(const dust::Path &path);
    void connectionTextChanged(const QString &text);
    void readOnlyChanged(bool readOnly);
    // The store was reloaded: the change log misses the changes in between.
    void changesSkipped();
    // Something to tell the user in the status bar (`timeoutMs` 0 = until replaced).
    void message(const QString &text, int timeoutMs);

private:
    void build();
    void startSource();
    void setConnectionText(const QString &text);
    // Shows the entry of `index`; a refresh keeps the page until the new read answers.
    void showEntry(const QModelIndex &index, bool refresh = false);
    void refreshShownEntry();
    // Asks whether to drop the inspector's unsaved edit (true: drop it and move on).
    bool discardUnsavedEdit();
    // Puts the selection back on `previous` without reading it again (its form is kept).
    void returnTo(const QModelIndex &previous);
    // Remembers which device last changed the shown path (for the inspector's banner).
    void noteChanger(const MirrorChangeBatch &batch);
    void continueGoTo();
    void selectIndex(const QModelIndex &index);
    // Reads the selected entry and gives it to `use` (errors go to message()).
    void withSelectedEntry(const std::function<void(const Entry &)> &use);
    // Puts `make()` (run on a worker thread) on the clipboard; `done` (with %1 the path)
    // goes to the status bar.
    void copyText(const Entry &entry, const QString &done, const std::function<QString()> &make);
    void showContextMenu(const QPoint &pos);
    // Opening the folders kept before a reset again.
    void restoreExpanded();

    std::unique_ptr<Transport> m_ownedTransport;
    Transport *m_transport;
    QString m_store;
    Options m_options;
    bool m_serverReadOnly = false;
    std::unique_ptr<SdkStoreSource> m_liveSource;
    std::unique_ptr<Transport> m_interim; // REST listings until the live store caught up
    std::unique_ptr<ChangeFeed> m_feed;
    ChangeLogModel *m_changeLog = nullptr;
    QPointer<QWidget> m_statusWidget;
    QPointer<ConnectionStatus> m_status;
    QList<QMetaObject::Connection> m_liveConnections;

    StoreTreeModel *m_model = nullptr;
    QTreeView *m_tree = nullptr;
    RecentChangeDelegate *m_delegate = nullptr;
    TreeFilterBar *m_filter = nullptr;
    PathBreadcrumb *m_crumbs = nullptr;
    QSplitter *m_splitter = nullptr;
    InspectorPanel *m_inspector = nullptr;
    QTimer m_fadeTimer;
    QList<QAction *> m_contextActions;
    TabEditing *m_editing = nullptr;
    QHash<QString, QString> m_changer; // shown path → the device that changed it last

    QString m_connectionText;
    bool m_refreshQueued = false;
    bool m_wasLive = false; // the store has been live once (a later reload skips changes)
    quint64 m_showGeneration = 0;
    QList<Path> m_keptExpanded;
    Path m_keptCurrent;
    bool m_restoring = false;
    bool m_returning = false; // going back to the entry whose unsaved edit was kept
    Path m_goTo;              // a go-to in progress (folders on the way being listed)
    int m_goToSteps = 0;
};

} // namespace dust
