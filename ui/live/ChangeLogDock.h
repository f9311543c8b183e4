#pragma once

#include "protocol/Path.h"

#include <QDockWidget>
#include <QList>
#include <QMetaObject>
#include <QPointer>
#include <QString>

class QAction;
class QLabel;
class QLineEdit;
class QModelIndex;
class QTableView;

namespace dust {

class ChangeLogModel;

// The live change log of a store: a dock (objectName "changeLogDock", for saveState()) with
// a table on a ChangeLogModel (not owned; it must outlive the dock), newest row last and kept
// in view unless the user scrolled up; a glob filter (an invalid glob leaves the filter as it
// was and says why in red, the text stays as typed); Pause/Resume and Clear as actions for
// the window's menus, and how many events wait while paused. Clicking a row, or Enter on it,
// emits pathActivated() with its path.
class ChangeLogDock : public QDockWidget
{
    Q_OBJECT
public:
    explicit ChangeLogDock(ChangeLogModel *model, QWidget *parent = nullptr);
    ~ChangeLogDock() override;

    ChangeLogModel *model() const;
    // Shows `model` (not owned; null shows nothing), e.g. the current tab's log.
    void setModel(ChangeLogModel *model);
    QTableView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    // Checkable: checked = paused (F8 while the dock has focus; Ctrl+Shift+P is the command
    // palette). Its text says what a click does ("Pause" / "Resume").
    QAction *pauseAction() const { return m_pause; }
    // Empties the log and what waits while paused (Ctrl+Shift+L while the dock has focus).
    QAction *clearAction() const { return m_clear; }

    // Why the filter text is not a valid glob (shown in red); empty when it is.
    QString filterProblem() const;
    // "Paused — 12 new events held" while paused; empty otherwise.
    QString pausedText() const;
    // Whether new rows are scrolled into view (the user has not scrolled up).
    bool isFollowingNewest() const { return m_follow; }
    // The notice that changes are missing from the log (empty when none is shown).
    QString skippedText() const;

public slots:
    // Says that changes are missing from the log: the store was reloaded (a snapshot or a
    // long catch-up) and its events were not delivered one by one (ChangeFeed::eventsSkipped).
    // Clear removes the notice.
    void noteEventsSkipped();

signals:
    void pathActivated(const dust::Path &path);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applyFilter(const QString &text);
    void updatePaused();
    void activateRow(const QModelIndex &index);
    void sizeColumns();

    QPointer<ChangeLogModel> m_model;
    QList<QMetaObject::Connection> m_modelConnections;
    QTableView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_filterProblem = nullptr;
    QLabel *m_paused = nullptr;
    QLabel *m_skipped = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_clear = nullptr;
    bool m_follow = true;
};

} // namespace dust
