#pragma once

#include "transport/Transport.h"

#include <QDialog>
#include <QList>
#include <QString>

class QLabel;
class QPushButton;

namespace dust {

class DiffPanel;

// A diff between two points of a store's history (non-modal): the header "From seq A (time)
// to seq B (time)", then the changed paths with a glob filter and the selected path's before
// and after side by side (DiffPanel). It owns only its widgets: TabHistory reads the diff and
// calls showLoading(), showChanges(), showCompacted() or showError().
//
// Compaction is explained, not an error: when the op log no longer reaches back to A, the
// dialog says where it starts (`earliest_available`) and offers a button "Diff from N",
// which emits diffRequested(N, B) for the caller to read again.
class DiffDialog : public QDialog
{
    Q_OBJECT
public:
    explicit DiffDialog(const QString &store, QWidget *parent = nullptr);

    // Reading the diff from `fromSeq` to `toSeq`; times are ISO-8601 or empty when unknown.
    void showLoading(qint64 fromSeq, qint64 toSeq, const QString &fromTime = {},
                     const QString &toTime = {});
    void showChanges(const QList<DiffChange> &changes);
    void showCompacted(qint64 earliestAvailable);
    void showError(const QString &words);

    qint64 fromSeq() const { return m_from; }
    qint64 toSeq() const { return m_to; }
    QString headerText() const;
    QString messageText() const;
    DiffPanel *panel() const { return m_panel; }
    // "Diff from N", shown after showCompacted().
    QPushButton *diffFromEarliestButton() const { return m_fromEarliest; }

signals:
    void diffRequested(qint64 fromSeq, qint64 toSeq);

private:
    QString m_store;
    qint64 m_from = 0;
    qint64 m_to = 0;
    qint64 m_earliest = 0;
    QLabel *m_header;
    QLabel *m_message;
    QPushButton *m_fromEarliest;
    DiffPanel *m_panel;
};

} // namespace dust
