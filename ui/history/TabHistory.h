#pragma once

#include "model/DiffSource.h"
#include "protocol/Path.h"

#include <QObject>
#include <QPointer>
#include <QString>

class QWidget;

namespace dust {

class DiffDialog;
class RestorePlan;
class StoreTab;
class TimeTravelView;

// The history commands of one open store (one per tab, a child of it, like TabEditing): a
// diff between two points (DiffDialog), a restore of a node or of the whole store to a seq
// (RestorePlan → RestoreDialog → JobProgressDialog → a RestoreCommand on the tab's undo
// stack), and time travel over a subtree (TimeTravelView). Reads go to the tab's REST
// transport (diff, batch reads and writes); the live one, when the tab has it, answers the
// store's seq and the server's rollback. Each command says what it did, or why not, through
// message().
class TabHistory : public QObject
{
    Q_OBJECT
public:
    explicit TabHistory(StoreTab *tab);
    ~TabHistory() override;

    StoreTab *tab() const { return m_tab; }

    // The store's seq when this tab opened (read once the store answers; 0 until then).
    qint64 openedSeq() const { return m_openedSeq; }
    const DiffSource &source() const { return m_source; }

    // The dialogs opened last (for tests and the window; null when closed).
    DiffDialog *diffDialog() const;
    TimeTravelView *timeTravelView() const;

public slots:
    // The changes from `fromSeq` to `toSeq` (a negative `toSeq`: now).
    void showDiff(qint64 fromSeq, qint64 toSeq);
    // The changes since the tab opened.
    void diffSinceOpened();
    // Asks for a seq or an ISO-8601 time (a time means the seq just before it) and diffs from
    // there to now.
    void diffFromTyped();
    // Preview, confirm, restore `path` (invalid: the whole store) as it was at `seq`.
    void restore(const dust::Path &path, qint64 seq);
    // The whole store to `seq`: the server's rollback on a live connection; over REST only a
    // conditional batch when it fits (the rollback is a WebSocket event).
    void rollbackStore(qint64 seq);
    // History ▸ Restore Store to Seq…: asks for the seq (up to the store's seq now), then
    // rollbackStore().
    void rollbackStoreTyped();
    // Time travel over `node` (invalid: the whole store).
    void timeTravel(const dust::Path &node);

signals:
    void message(const QString &text, int timeoutMs);

private:
    void readOpenedSeq();
    void loadDiff(DiffDialog *dialog, qint64 fromSeq, qint64 toSeq, const QString &fromTime,
                  const QString &toTime = {});
    static QString nowText();
    void startRestore(const Path &path, qint64 seq, bool preferRollback);
    void confirm(RestorePlan *plan);
    void applied(RestorePlan *plan, bool ok, const QString &report);
    // The seq just before `time` (ISO-8601), from the audit log.
    void seqBefore(const QString &time);
    QWidget *window() const;

    StoreTab *m_tab;
    DiffSource m_source;
    qint64 m_openedSeq = 0;
    QString m_openedAt;
    QPointer<DiffDialog> m_diff;
    QPointer<TimeTravelView> m_timeTravel;
};

} // namespace dust
