#pragma once

#include "protocol/Path.h"

#include <QDockWidget>
#include <QMetaObject>
#include <QPointer>
#include <QString>

class QAction;
class QCheckBox;
class QLabel;
class QModelIndex;
class QPoint;
class QStackedWidget;
class QTableView;

namespace dust {

class ChangeFeed;
class DeletedPathsModel;
class HistoryFilterBar;
class HistoryModel;
class Transport;

// The history pane (a dock, objectName "historyDock", for saveState()): who changed the
// selected node, when, and what it was, read from the store's audit log over REST
// (HistoryModel) with live ops from the tab's ChangeFeed at the top; filters (op, device,
// since); "Show deleted" lists the paths under the node whose last op was a delete
// (DeletedPathsModel), greyed, with their last value. A status line counts ops and pages and
// says in words why the log cannot be read. Only a shown pane reads the log and follows the
// feed; a hidden one costs nothing and reads afresh when shown again.
//
// The dock only asks for what part 2 of the history does: select two rows (Ctrl-click) and
// Diff (Ctrl+Shift+D), or a row's context menu "Diff with now" → diffRequested(); "Restore this
// version…" → restoreRequested(); double-click or Enter on a row or a deleted path →
// pathActivated().
class HistoryDock : public QDockWidget
{
    Q_OBJECT
public:
    // diffRequested()'s toSeq for "now" (the store's current seq).
    static constexpr qint64 Now = -1;

    explicit HistoryDock(QWidget *parent = nullptr);
    ~HistoryDock() override;

    // The store to show: its REST transport (StoreTab::restTransport()), its change feed
    // (StoreTab::changeFeed(), may be null: no live rows) and its name. A null transport or
    // an empty store shows a placeholder. Not owned; call again with nulls before they go.
    void setSource(Transport *rest, ChangeFeed *feed, const QString &store);
    // The node whose history is shown (invalid = the whole store).
    void setNode(const dust::Path &path);
    const Path &node() const { return m_node; }

    HistoryModel *model() const { return m_model; }
    DeletedPathsModel *deletedModel() const { return m_deleted; }
    HistoryFilterBar *filterBar() const { return m_filters; }
    QTableView *view() const { return m_view; }
    QTableView *deletedView() const { return m_deletedView; }
    QCheckBox *showDeletedBox() const { return m_showDeleted; }
    // Enabled with exactly two rows selected (Ctrl+Shift+D while the dock has focus).
    QAction *diffAction() const { return m_diff; }
    // On the current row.
    QAction *diffWithNowAction() const { return m_diffWithNow; }
    QAction *restoreAction() const { return m_restore; }
    QAction *showPathAction() const { return m_showPath; }
    // "123 ops, 3 pages loaded", what is loading, or why the log cannot be read.
    QString statusText() const;
    // The placeholder, the history or the deleted paths: which is shown.
    bool isShowingPlaceholder() const;
    bool isShowingDeleted() const;

signals:
    // The difference between the states just after `fromSeq` and just after `toSeq`
    // (fromSeq < toSeq; toSeq == Now for the current state).
    void diffRequested(qint64 fromSeq, qint64 toSeq);
    // Put `path` back as it was just after `seq`.
    void restoreRequested(const dust::Path &path, qint64 seq);
    void pathActivated(const dust::Path &path);

protected:
    void changeEvent(QEvent *event) override;

private:
    // Deleted paths in the palette's disabled text colour.
    void updateGrey();
    void showDeleted(bool show);
    // Shown or hidden (also behind another dock's tab): only a shown pane follows the store.
    void setShown(bool shown);
    // Gives the models the store and node while shown, nothing while hidden.
    void follow();
    void updatePage();
    void updateStatus();
    void updateActions();
    void updateTitle();
    void showContextMenu(const QPoint &pos);
    void activateRow(const QModelIndex &index);
    void activateDeleted(const QModelIndex &index);
    // The current row's op path and seq; false when there is no current row.
    bool currentOp(Path *path, qint64 *seq) const;
    void diffSelected();

    HistoryModel *m_model = nullptr;
    DeletedPathsModel *m_deleted = nullptr;
    QPointer<Transport> m_transport;
    QPointer<ChangeFeed> m_feed;
    QList<QMetaObject::Connection> m_feedConnections;
    QString m_store;
    Path m_node;
    bool m_shown = false;

    QLabel *m_title = nullptr;
    HistoryFilterBar *m_filters = nullptr;
    QCheckBox *m_showDeleted = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_placeholder = nullptr;
    QTableView *m_view = nullptr;
    QTableView *m_deletedView = nullptr;
    QLabel *m_status = nullptr;
    QAction *m_diff = nullptr;
    QAction *m_diffWithNow = nullptr;
    QAction *m_restore = nullptr;
    QAction *m_showPath = nullptr;
};

} // namespace dust
