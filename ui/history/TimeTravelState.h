#pragma once

#include "model/DiffSource.h"
#include "protocol/Path.h"

#include <QJsonValue>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QString>

#include <optional>

namespace dust {

// A subtree as it was at any seq, for the time travel view (no widgets): load() reads the
// store's seq now and the node's leaves now (again if the seq moved meanwhile); showAt(seq)
// reads `diff(seq, now)` under the node and turns the leaves now back: a path the diff says
// was absent then is dropped, any other gets its value from then. Only the newest showAt()
// answers (a slider asks many times). DiffSource::diff() tells a leaf that held null then
// (kept, as null) from no leaf (dropped); where the op log no longer tells, the path is left
// out and named in unknownAt().
class TimeTravelState : public QObject
{
    Q_OBJECT
public:
    using Leaves = QMap<QString, QJsonValue>; // rendered path → value

    TimeTravelState(const DiffSource &source, Path node, QObject *parent = nullptr);

    void load();
    void showAt(qint64 seq);

    const Path &node() const { return m_node; }
    qint64 nowSeq() const { return m_now; }
    // The earliest seq the server can diff from, once it said so (0 until then).
    qint64 earliestSeq() const { return m_earliest; }
    qint64 shownSeq() const { return m_shown; }
    const Leaves &leavesNow() const { return m_leavesNow; }
    const Leaves &leavesAt() const { return m_leavesAt; }
    // The paths whose value at shownSeq() differs from now.
    const QSet<QString> &differing() const { return m_differing; }
    // The paths that held null or did not exist at shownSeq(): the op log no longer tells
    // which (compacted). They are not in leavesAt().
    const QSet<QString> &unknownAt() const { return m_unknown; }

signals:
    void loaded();
    void stateReady(qint64 seq);
    // `earliest` when the seq asked for is before the compacted op log's start.
    void failed(const QString &words, std::optional<qint64> earliest);

private:
    void loadAttempt(int attempt);
    void listLeaves(int attempt, qint64 seq);
    void gotLeaves(int attempt, qint64 seq, const QList<Entry> &entries);

    DiffSource m_source;
    Path m_node;
    qint64 m_now = 0;
    qint64 m_earliest = 0;
    qint64 m_shown = 0;
    quint64 m_generation = 0;
    Leaves m_leavesNow;
    Leaves m_leavesAt;
    QSet<QString> m_differing;
    QSet<QString> m_unknown;
};

} // namespace dust
