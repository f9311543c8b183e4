#pragma once

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QVariant>

#include <vector>

namespace dust {

namespace tree {
struct Node;
} // namespace tree

// When the tree's recently changed nodes changed (StoreTreeModel::ChangedAtRole): a node
// marked at `now` (msecs since the epoch) stays recent for window() ms, and so does the
// mark on each of its ancestors that something below it changed (ChangedBelowRole), so a
// view can point at a change inside a collapsed folder. Expiry is checked a
// few times per window (at most every 250 ms) while any node is recent, and reported in one
// expired() per check, so the model can tell views with one dataChanged per parent. The
// owner forgets nodes it deletes. Lives on one thread.
class RecentChangeTracker : public QObject
{
    Q_OBJECT
public:
    explicit RecentChangeTracker(QObject *parent = nullptr);

    void mark(tree::Node *node, qint64 now);
    void forget(tree::Node *node);
    void clear();
    // The time `node` changed, or an invalid QVariant when it is not recent.
    QVariant changedAt(tree::Node *node) const;
    // The last time a descendant of `node` changed, or an invalid QVariant when none did
    // recently.
    QVariant changedBelow(tree::Node *node) const;
    qsizetype count() const { return m_changedAt.size(); }

    void setWindow(int ms);
    int window() const { return m_windowMs; }

signals:
    // These nodes are no longer recent (themselves or below them).
    void expired(const std::vector<tree::Node *> &nodes);

private:
    void onTimer();

    QHash<tree::Node *, qint64> m_changedAt;
    QHash<tree::Node *, qint64> m_changedBelow; // ancestors of recent nodes (not the root)
    QTimer m_timer;
    int m_windowMs = 3000;
};

} // namespace dust
