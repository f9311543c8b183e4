#pragma once

#include <QList>
#include <QMainWindow>
#include <QMetaObject>
#include <QString>
#include <QTimer>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QTreeView;

namespace dust {

class RecentChangeDelegate;
class SdkStoreSource;
class StoreTreeModel;
class Transport;

// The browser's main window: the store tree on the left, the selected entry on the right.
// It is handed a transport and a store; the connection itself (embedded dustlite, or a
// server given on the command line) is set up by the application.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shows `store` through `transport` (not owned; must outlive the window's use of it):
    // live from its mirror with an SdkTransport, listed lazily over REST otherwise.
    void openStore(Transport *transport, const QString &store, const QString &serverLabel);
    // Shown instead of a store when no connection could be made.
    void showConnectionError(const QString &message);

    StoreTreeModel *treeModel() const { return m_model; }
    QTreeView *treeView() const { return m_tree; }
    RecentChangeDelegate *recentChangeDelegate() const { return m_delegate; }
    // The inspector's header and value text (for tests and accessibility).
    QString entryHeaderText() const;
    QString entryValueText() const;
    // The live connection's state as the status bar shows it ("live", "reconnecting …").
    QString connectionText() const;

private:
    void showEntry(const QModelIndex &index);
    void refreshShownEntry();
    void showLiveSeq(qint64 seq);

    StoreTreeModel *m_model = nullptr;
    QTreeView *m_tree = nullptr;
    QPlainTextEdit *m_value = nullptr;
    QLabel *m_entryHeader = nullptr;
    Transport *m_transport = nullptr;
    QString m_store;
    quint64 m_showGeneration = 0;
    RecentChangeDelegate *m_delegate = nullptr;
    QTimer m_fadeTimer;
    QList<QMetaObject::Connection> m_liveConnections;
    std::unique_ptr<SdkStoreSource> m_liveSource; // the shown store, live
    QLabel *m_connection = nullptr;               // the live connection's state, in the status bar
    bool m_live = false; // the shown store is caught up and the connection up
    bool m_refreshQueued = false;
};

} // namespace dust
