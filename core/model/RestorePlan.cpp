#include "model/RestorePlan.h"

#include "model/DiffModel.h"

#include <QHash>

#include <algorithm>
#include <functional>

#include <memory>

namespace dust {

namespace {

constexpr int kPrepareAttempts = 3;

// Undefined is no leaf; null a leaf holding null (DiffSource::diff() told them apart).
std::optional<QJsonValue> presentOrNot(const QJsonValue &value)
{
    if (DiffModel::isAbsent(value))
        return std::nullopt;
    return value;
}

// The leaves read for a preview, gathered over several batch reads of ≤ 1,000 paths.
struct LeafRead
{
    QList<Path> paths;
    QHash<QString, Entry> found;
    qsizetype next = 0;
};

} // namespace

RestorePlan::RestorePlan(const DiffSource &source, Path node, qint64 targetSeq, QObject *parent)
    : QObject(parent)
    , m_source(source)
    , m_node(std::move(node))
    , m_targetSeq(targetSeq)
{}

// ---- the preview -------------------------------------------------------------------------

void RestorePlan::prepare()
{
    m_prepared = false;
    m_leaves.clear();
    startPrepare(1);
}

void RestorePlan::startPrepare(int attempt)
{
    m_source.currentSeq(this, [this, attempt](const Result<qint64> &now) {
        if (!now)
            return emit prepareFailed(
                tr("The store's current seq could not be read: %1").arg(now.error().message()),
                std::nullopt);
        if (m_targetSeq > *now)
            return emit prepareFailed(
                tr("Seq %1 is after the store's current seq %2.").arg(m_targetSeq).arg(*now),
                std::nullopt);
        m_source.diff(m_targetSeq, *now, m_node, this,
                      [this, attempt, seq = *now](const Result<QList<DiffChange>> &changes) {
                          if (!changes) {
                              const Error &e = changes.error();
                              if (e.earliestAvailable())
                                  return emit prepareFailed(
                                      tr("The history before seq %1 was compacted: the "
                                         "earliest seq this store can restore to is %1.")
                                          .arg(*e.earliestAvailable()),
                                      e.earliestAvailable());
                              return emit prepareFailed(
                                  tr("The diff could not be read: %1").arg(e.message()),
                                  std::nullopt);
                          }
                          readLeaves(attempt, seq, *changes);
                      });
    });
}

void RestorePlan::readLeaves(int attempt, qint64 now, QList<DiffChange> changes)
{
    auto read = std::make_shared<LeafRead>();
    for (const DiffChange &change : changes) {
        if (auto path = Path::parse(change.path))
            read->paths.append(*path);
    }
    auto step = std::make_shared<std::function<void()>>();
    // The continuation keeps the step alive; the step holds itself only weakly.
    *step = [this, read, weak = std::weak_ptr(step), attempt, now, changes]() {
        Transport *rest = m_source.rest();
        if (!rest)
            return emit prepareFailed(tr("The connection to the store was closed."), std::nullopt);
        if (read->next < read->paths.size()) {
            const qsizetype begin = read->next;
            const qsizetype count =
                std::min<qsizetype>(RestoreBatch::kMaxOps, read->paths.size() - begin);
            read->next += count;
            rest->getLeaves(m_source.store(), read->paths.mid(begin, count))
                .then(this, [this, read, step = weak.lock()](const Result<QList<Entry>> &leaves) {
                    if (!leaves)
                        return emit prepareFailed(tr("The current values could not be read: %1")
                                                      .arg(leaves.error().message()),
                                                  std::nullopt);
                    for (const Entry &entry : *leaves)
                        read->found.insert(entry.path.rendered(), entry);
                    (*step)();
                });
            return;
        }
        // Everything read: does it still match the diff's "now"?
        QList<RestoreLeaf> leaves;
        bool moved = false;
        for (const DiffChange &change : changes) {
            const auto path = Path::parse(change.path);
            if (!path)
                continue;
            RestoreLeaf leaf;
            leaf.path = *path;
            leaf.restored = presentOrNot(change.before);
            leaf.restoredUnknown = change.beforeUnknown;
            const auto found = read->found.constFind(change.path);
            if (found != read->found.cend()) {
                leaf.current = found->value;
                leaf.currentRevision = found->revision;
            }
            const std::optional<QJsonValue> after = presentOrNot(change.after);
            // A side the log could not tell is null or absent: either matches such a leaf.
            const bool afterMatches = change.afterUnknown ? !leaf.current || leaf.current->isNull()
                                                          : after == leaf.current;
            if (leaf.currentRevision > now || !afterMatches)
                moved = true;
            if (leaf.restored != leaf.current || leaf.restoredUnknown)
                leaves.append(std::move(leaf));
        }
        if (moved) {
            if (attempt < kPrepareAttempts)
                return startPrepare(attempt + 1);
            return emit prepareFailed(
                tr("The store keeps changing under %1; try again in a "
                   "moment.")
                    .arg(m_node.isValid() ? m_node.rendered() : tr("the store")),
                std::nullopt);
        }
        m_previewSeq = now;
        m_leaves = std::move(leaves);
        m_prepared = true;
        emit prepared();
    };
    (*step)();
}

QList<DiffChange> RestorePlan::changes() const
{
    QList<DiffChange> out;
    out.reserve(m_leaves.size());
    const QJsonValue absent(QJsonValue::Undefined);
    for (const RestoreLeaf &leaf : m_leaves)
        out.append(DiffChange{leaf.path.rendered(), leaf.current.value_or(absent),
                              leaf.restored.value_or(absent), false, leaf.restoredUnknown});
    return out;
}

int RestorePlan::changedCount() const
{
    return static_cast<int>(std::count_if(m_leaves.cbegin(), m_leaves.cend(),
                                          [](const auto &l) { return l.restored && l.current; }));
}

int RestorePlan::addedBackCount() const
{
    return static_cast<int>(std::count_if(m_leaves.cbegin(), m_leaves.cend(),
                                          [](const auto &l) { return l.restored && !l.current; }));
}

int RestorePlan::removedCount() const
{
    return static_cast<int>(std::count_if(m_leaves.cbegin(), m_leaves.cend(),
                                          [](const auto &l) { return !l.restored && l.current; }));
}

QString RestorePlan::countsText() const
{
    return tr("%1 changed, %2 added back, %3 removed")
        .arg(changedCount())
        .arg(addedBackCount())
        .arg(removedCount());
}

int RestorePlan::unknownCount() const
{
    return static_cast<int>(std::count_if(m_leaves.cbegin(), m_leaves.cend(),
                                          [](const auto &l) { return l.restoredUnknown; }));
}

RestorePlan::Method RestorePlan::method() const
{
    // Only the server knows whether a leaf the log no longer tells about held null then.
    if (m_preferRollback || m_leaves.size() > RestoreBatch::kMaxOps || !m_source.rest() ||
        unknownCount() > 0)
        return Method::Rollback;
    return Method::Batch;
}

QString RestorePlan::whyNot() const
{
    if (!m_prepared)
        return tr("The preview has not been read yet.");
    if (m_leaves.isEmpty())
        return tr("Nothing to restore: %1 is as it was at seq %2.")
            .arg(m_node.isValid() ? m_node.rendered() : tr("the store"))
            .arg(m_targetSeq);
    if (method() == Method::Rollback && !m_source.live() && unknownCount() > 0)
        return tr("Whether %n leaf(s) held null or did not exist at seq %1 is no longer in the "
                  "op log (it was compacted), so only the server's rollback can restore them; "
                  "it needs the live (WebSocket) connection, and this connection is REST only.",
                  nullptr, unknownCount())
            .arg(m_targetSeq);
    if (method() == Method::Rollback && !m_source.live())
        return tr("Restoring %n leaves takes the server's rollback, which needs the live "
                  "(WebSocket) connection; this connection is REST only.",
                  nullptr, static_cast<int>(m_leaves.size()));
    return {};
}

QList<RestoreStep> RestorePlan::undoSteps(const QList<RestoreLeaf> &leaves)
{
    QList<RestoreStep> steps;
    steps.reserve(leaves.size());
    for (const RestoreLeaf &leaf : leaves)
        steps.append(RestoreStep{leaf.path, leaf.current, leaf.restoredRevision});
    return steps;
}

// ---- writing it --------------------------------------------------------------------------

void RestorePlan::apply()
{
    if (m_applying)
        return;
    if (const QString why = whyNot(); !why.isEmpty())
        return emit finished(false, why);
    m_applying = true;
    m_conflictPath.clear();
    if (method() == Method::Batch)
        applyBatch();
    else
        applyRollback();
}

void RestorePlan::cancel()
{
    if (m_batch)
        m_batch->cancel();
}

void RestorePlan::finish(bool ok, const QString &report)
{
    m_applying = false;
    emit finished(ok, report);
}

void RestorePlan::applyBatch()
{
    QList<RestoreStep> steps;
    steps.reserve(m_leaves.size());
    for (const RestoreLeaf &leaf : m_leaves)
        steps.append(RestoreStep{leaf.path, leaf.restored, leaf.currentRevision});
    m_batch = new RestoreBatch(m_source.rest(), m_source.store(), steps, this);
    connect(m_batch, &RestoreBatch::progress, this, &RestorePlan::progress);
    connect(m_batch, &RestoreBatch::finished, this, [this](bool ok, const QString &report) {
        RestoreBatch *batch = m_batch;
        m_conflictPath = batch->conflictPath();
        if (ok) {
            for (qsizetype i = 0; i < m_leaves.size(); ++i)
                m_leaves[i].restoredRevision = batch->revisions().at(i);
            m_appliedSeq = batch->lastSeq();
        }
        batch->deleteLater();
        if (!ok)
            return finish(false, tr("The restore stopped: %1").arg(report));
        finish(true, tr("Restored %1 to seq %2: %3.")
                         .arg(m_node.isValid() ? m_node.rendered() : tr("the store"))
                         .arg(m_targetSeq)
                         .arg(countsText()));
    });
    m_batch->start();
}

// The rollback cannot be conditional: check first that nothing under the node moved since
// the preview, then let the server roll back.
void RestorePlan::applyRollback()
{
    emit progress(0, 0, tr("Checking that nothing changed since the preview"));
    m_source.currentSeq(this, [this](const Result<qint64> &now) {
        if (!now)
            return finish(false,
                          tr("The restore stopped before writing: %1").arg(now.error().message()));
        if (*now == m_previewSeq)
            return rollbackChecked();
        m_source.diff(
            m_previewSeq, *now, m_node, this, [this](const Result<QList<DiffChange>> &since) {
                if (!since)
                    return finish(
                        false,
                        tr("The restore stopped before writing: %1").arg(since.error().message()));
                if (!since->isEmpty()) {
                    m_conflictPath = since->first().path;
                    return finish(false, tr("The restore stopped before writing: %1 changed "
                                            "since the preview (%n change(s) in all). Look "
                                            "at the preview again.",
                                            nullptr, static_cast<int>(since->size()))
                                             .arg(m_conflictPath));
                }
                rollbackChecked();
            });
    });
}

void RestorePlan::rollbackChecked()
{
    Transport *live = m_source.live();
    if (!live)
        return finish(false, whyNot());
    emit progress(0, 0, tr("The server is rolling back"));
    live->rollback(m_source.store(), m_node, m_targetSeq)
        .then(this, [this](const Result<WriteResult> &result) {
            if (!result)
                return finish(
                    false, tr("The server refused the rollback: %1").arg(result.error().message()));
            m_appliedSeq = result->storeSeq;
            readBack();
        });
}

// The rollback's reply has no revisions per leaf: read them back (the undo is conditional on
// them) and say so if someone's write landed in the window.
void RestorePlan::readBack()
{
    auto read = std::make_shared<LeafRead>();
    for (const RestoreLeaf &leaf : m_leaves)
        read->paths.append(leaf.path);
    auto step = std::make_shared<std::function<void()>>();
    *step = [this, read, weak = std::weak_ptr(step)]() {
        Transport *rest = m_source.rest();
        if (rest && read->next < read->paths.size()) {
            const qsizetype begin = read->next;
            const qsizetype count =
                std::min<qsizetype>(RestoreBatch::kMaxOps, read->paths.size() - begin);
            read->next += count;
            rest->getLeaves(m_source.store(), read->paths.mid(begin, count))
                .then(this, [read, step = weak.lock()](const Result<QList<Entry>> &leaves) {
                    if (leaves) {
                        for (const Entry &entry : *leaves)
                            read->found.insert(entry.path.rendered(), entry);
                    }
                    (*step)();
                });
            return;
        }
        int differing = 0;
        for (RestoreLeaf &leaf : m_leaves) {
            const auto found = read->found.constFind(leaf.path.rendered());
            const std::optional<QJsonValue> now =
                found == read->found.cend() ? std::nullopt : std::optional(found->value);
            leaf.restoredRevision = found == read->found.cend() ? 0 : found->revision;
            m_appliedSeq = std::max(m_appliedSeq, leaf.restoredRevision);
            if (leaf.restoredUnknown)
                leaf.restored = now; // what the server knew: null, or no leaf
            else if (now != leaf.restored)
                ++differing;
        }
        QString report = tr("Restored %1 to seq %2 with the server's rollback: %3.")
                             .arg(m_node.isValid() ? m_node.rendered() : tr("the store"))
                             .arg(m_targetSeq)
                             .arg(countsText());
        if (differing > 0)
            report +=
                QLatin1Char(' ') +
                (differing == 1 ? tr("One leaf differs from the preview already: someone wrote "
                                     "there just before or after the rollback.")
                                : tr("%1 leaves differ from the preview already: someone wrote "
                                     "there just before or after the rollback.")
                                      .arg(differing));
        finish(true, report);
    };
    (*step)();
}

} // namespace dust
