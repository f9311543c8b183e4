#include "history/TimeTravelState.h"

#include "edit/SubtreeListing.h"
#include "model/DiffModel.h"

#include <memory>

namespace dust {

namespace {
constexpr int kLoadAttempts = 3;
} // namespace

TimeTravelState::TimeTravelState(const DiffSource &source, Path node, QObject *parent)
    : QObject(parent)
    , m_source(source)
    , m_node(std::move(node))
{}

void TimeTravelState::load()
{
    loadAttempt(1);
}

void TimeTravelState::loadAttempt(int attempt)
{
    m_source.currentSeq(this, [this, attempt](const Result<qint64> &seq) {
        if (!seq)
            return emit failed(
                tr("The store's current seq could not be read: %1").arg(seq.error().message()),
                std::nullopt);
        listLeaves(attempt, *seq);
    });
}

void TimeTravelState::listLeaves(int attempt, qint64 seq)
{
    Transport *rest = m_source.rest();
    if (!rest)
        return emit failed(tr("The connection to the store was closed."), std::nullopt);
    if (m_node.isValid()) {
        SubtreeListing::list(rest, m_source.store(), m_node)
            .then(this, [this, attempt, seq](const Result<QList<Entry>> &entries) {
                if (!entries)
                    return emit failed(tr("The leaves of %1 could not be listed: %2")
                                           .arg(m_node.rendered(), entries.error().message()),
                                       std::nullopt);
                gotLeaves(attempt, seq, *entries);
            });
        return;
    }
    // The whole store: every leaf, page by page.
    auto all = std::make_shared<QList<Entry>>();
    auto page = std::make_shared<std::function<void(const QString &)>>();
    *page = [this, attempt, seq, all, weak = std::weak_ptr(page)](const QString &after) {
        Transport *transport = m_source.rest();
        if (!transport)
            return emit failed(tr("The connection to the store was closed."), std::nullopt);
        ListQuery query;
        query.limit = kMaxListLimit;
        query.after = after;
        transport->list(m_source.store(), query)
            .then(this, [this, attempt, seq, all, next = weak.lock()](const Result<ListPage> &p) {
                if (!p)
                    return emit failed(
                        tr("The store could not be listed: %1").arg(p.error().message()),
                        std::nullopt);
                all->append(p->entries);
                if (!p->nextCursor.isEmpty())
                    return (*next)(p->nextCursor);
                gotLeaves(attempt, seq, *all);
            });
    };
    (*page)(QString());
}

// The leaves were listed after the seq was read: if the seq moved meanwhile, read again.
void TimeTravelState::gotLeaves(int attempt, qint64 seq, const QList<Entry> &entries)
{
    m_source.currentSeq(this, [this, attempt, seq, entries](const Result<qint64> &again) {
        if (again && *again != seq && attempt < kLoadAttempts)
            return loadAttempt(attempt + 1);
        m_now = seq;
        m_leavesNow.clear();
        for (const Entry &entry : entries)
            m_leavesNow.insert(entry.path.rendered(), entry.value);
        m_shown = m_now;
        m_leavesAt = m_leavesNow;
        m_differing.clear();
        m_unknown.clear();
        emit loaded();
    });
}

void TimeTravelState::showAt(qint64 seq)
{
    const quint64 generation = ++m_generation;
    if (seq >= m_now) {
        m_shown = m_now;
        m_leavesAt = m_leavesNow;
        m_differing.clear();
        m_unknown.clear();
        emit stateReady(m_shown);
        return;
    }
    m_source.diff(seq, m_now, m_node, this,
                  [this, seq, generation](const Result<QList<DiffChange>> &changes) {
                      if (generation != m_generation)
                          return; // a newer position was asked for
                      if (!changes) {
                          const Error &e = changes.error();
                          if (e.earliestAvailable()) {
                              m_earliest = *e.earliestAvailable();
                              return emit failed(
                                  tr("The history before seq %1 was compacted: the store can "
                                     "be shown from seq %1 on.")
                                      .arg(m_earliest),
                                  e.earliestAvailable());
                          }
                          return emit failed(tr("The diff could not be read: %1").arg(e.message()),
                                             std::nullopt);
                      }
                      Leaves at = m_leavesNow;
                      QSet<QString> differing;
                      QSet<QString> unknown;
                      for (const DiffChange &change : *changes) {
                          differing.insert(change.path);
                          if (change.beforeUnknown)
                              unknown.insert(change.path);
                          if (DiffModel::isAbsent(change.before))
                              at.remove(change.path);
                          else
                              at.insert(change.path, change.before);
                      }
                      m_shown = seq;
                      m_leavesAt = std::move(at);
                      m_differing = std::move(differing);
                      m_unknown = std::move(unknown);
                      emit stateReady(seq);
                  });
}

} // namespace dust
