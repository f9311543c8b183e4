#include "RecentChangeTracker.h"

#include "StoreTreeNode.h"

#include <QDateTime>

#include <algorithm>

namespace dust {

RecentChangeTracker::RecentChangeTracker(QObject *parent)
    : QObject(parent)
    , m_timer(this)
{
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &RecentChangeTracker::onTimer);
}

void RecentChangeTracker::mark(tree::Node *node, qint64 now)
{
    m_changedAt.insert(node, now);
    // Every ancestor but the root (which has no row). Nodes marked in one flush share `now`,
    // so the walk stops at the first ancestor an earlier node of the flush already marked.
    for (tree::Node *a = node->parent; a && a->parent; a = a->parent) {
        qint64 &at = m_changedBelow[a];
        if (at == now)
            break;
        at = now;
    }
    if (!m_timer.isActive())
        m_timer.start();
}

void RecentChangeTracker::forget(tree::Node *node)
{
    if (!m_changedAt.isEmpty())
        m_changedAt.remove(node);
    if (!m_changedBelow.isEmpty())
        m_changedBelow.remove(node);
}

void RecentChangeTracker::clear()
{
    m_changedAt.clear();
    m_changedBelow.clear();
    m_timer.stop();
}

QVariant RecentChangeTracker::changedAt(tree::Node *node) const
{
    const auto it = m_changedAt.constFind(node);
    return it == m_changedAt.constEnd() ? QVariant() : QVariant(it.value());
}

QVariant RecentChangeTracker::changedBelow(tree::Node *node) const
{
    const auto it = m_changedBelow.constFind(node);
    return it == m_changedBelow.constEnd() ? QVariant() : QVariant(it.value());
}

void RecentChangeTracker::setWindow(int ms)
{
    m_windowMs = std::max(1, ms);
    m_timer.setInterval(std::clamp(m_windowMs / 4, 10, 250));
}

void RecentChangeTracker::onTimer()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    std::vector<tree::Node *> gone;
    for (QHash<tree::Node *, qint64> *marks : {&m_changedAt, &m_changedBelow}) {
        for (auto it = marks->begin(); it != marks->end();) {
            if (now - it.value() >= m_windowMs) {
                gone.push_back(it.key());
                it = marks->erase(it);
            } else {
                ++it;
            }
        }
    }
    if (m_changedAt.isEmpty() && m_changedBelow.isEmpty())
        m_timer.stop();
    emit expired(gone);
}

} // namespace dust
