#pragma once

#include "protocol/Path.h"

#include <QDialog>
#include <QTimer>

#include <optional>

class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTreeView;

namespace dust {

class TimeTravelModel;
class TimeTravelState;

// Time travel over a subtree (non-modal): a slider over store_seq, from the earliest seq the
// server can diff from to now, and a read-only tree of the subtree as it was at the chosen
// seq, the rows that differ from now in bold. Moving the slider (or typing a seq) asks the
// TimeTravelState for that seq after a short pause (debounced: a drag reads once it rests).
// "Restore to Here…" emits restoreRequested() for the restore flow (preview, confirm).
// The state is the caller's (TabHistory); the view owns only its widgets and their model.
class TimeTravelView : public QDialog
{
    Q_OBJECT
public:
    TimeTravelView(TimeTravelState *state, QWidget *parent = nullptr);

    QSlider *slider() const { return m_slider; }
    QSpinBox *seqField() const { return m_seq; }
    QTreeView *tree() const { return m_tree; }
    TimeTravelModel *model() const { return m_model; }
    QPushButton *restoreButton() const { return m_restore; }
    QString statusText() const;
    // The seq the tree shows now.
    qint64 shownSeq() const { return m_shown; }

    // The quiet time after the last slider move before the state is read (default 250 ms).
    void setDebounce(int ms) { m_debounce.setInterval(ms); }

signals:
    void restoreRequested(const dust::Path &node, qint64 seq);

private:
    void onLoaded();
    void onStateReady(qint64 seq);
    void onFailed(const QString &words, std::optional<qint64> earliest);
    void requestSeq();
    void setRange(qint64 minimum, qint64 maximum);

    TimeTravelState *m_state;
    TimeTravelModel *m_model;
    QLabel *m_status;
    QSlider *m_slider;
    QSpinBox *m_seq;
    QTreeView *m_tree;
    QPushButton *m_restore;
    QTimer m_debounce;
    qint64 m_shown = 0;
    bool m_settingRange = false;
};

} // namespace dust
