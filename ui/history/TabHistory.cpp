#include "history/TabHistory.h"

#include "edit/EditController.h"
#include "edit/JobProgressDialog.h"
#include "history/DiffDialog.h"
#include "history/RestoreCommand.h"
#include "history/RestoreDialog.h"
#include "history/TimeTravelState.h"
#include "history/TimeTravelView.h"
#include "model/RestorePlan.h"
#include "transport/SdkTransport.h"
#include "window/StoreTab.h"
#include "window/TabEditing.h"

#include <QDateTime>
#include <QInputDialog>
#include <QLineEdit>
#include <QUndoStack>

#include <algorithm>
#include <limits>

namespace dust {

TabHistory::TabHistory(StoreTab *tab)
    : QObject(tab)
    , m_tab(tab)
    , m_source(tab->restTransport(), tab->liveTransport(), tab->store())
    , m_openedAt(QDateTime::currentDateTimeUtc().toString(Qt::ISODate))
{
    readOpenedSeq();
}

TabHistory::~TabHistory() = default;

// "Now" in the diff header: the time the current seq was read.
QString TabHistory::nowText()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

DiffDialog *TabHistory::diffDialog() const
{
    return m_diff;
}

TimeTravelView *TabHistory::timeTravelView() const
{
    return m_timeTravel;
}

QWidget *TabHistory::window() const
{
    return m_tab->window();
}

// The seq when the tab opened: asked at once; a store not reachable yet is asked again when
// its connection state next changes.
void TabHistory::readOpenedSeq()
{
    m_source.currentSeq(this, [this](const Result<qint64> &seq) {
        if (seq) {
            m_openedSeq = *seq;
            return;
        }
        auto *once = new QObject(this);
        connect(m_tab, &StoreTab::connectionTextChanged, once, [this, once] {
            once->deleteLater();
            if (m_openedSeq == 0)
                readOpenedSeq();
        });
    });
}

// ---- diffs -------------------------------------------------------------------------------

void TabHistory::showDiff(qint64 fromSeq, qint64 toSeq)
{
    auto *dialog = new DiffDialog(m_tab->store(), window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_diff = dialog;
    connect(dialog, &DiffDialog::diffRequested, this,
            [this, dialog](qint64 from, qint64 to) { loadDiff(dialog, from, to, {}); });
    dialog->show();
    if (toSeq >= 0)
        return loadDiff(dialog, fromSeq, toSeq, {});
    QPointer<DiffDialog> guard = dialog;
    dialog->showLoading(fromSeq, fromSeq);
    m_source.currentSeq(dialog, [this, guard, fromSeq](const Result<qint64> &now) {
        if (!guard)
            return;
        if (!now)
            return guard->showError(
                tr("The store's current seq could not be read: %1").arg(now.error().message()));
        loadDiff(guard, fromSeq, *now, {}, nowText());
    });
}

void TabHistory::loadDiff(DiffDialog *dialog, qint64 fromSeq, qint64 toSeq, const QString &fromTime,
                          const QString &toTime)
{
    dialog->showLoading(fromSeq, toSeq, fromTime, toTime);
    QPointer<DiffDialog> guard = dialog;
    m_source.diff(
        fromSeq, toSeq, Path(), dialog, [guard](const Result<QList<DiffChange>> &changes) {
            if (!guard)
                return;
            if (changes)
                return guard->showChanges(*changes);
            if (const auto earliest = changes.error().earliestAvailable())
                return guard->showCompacted(*earliest);
            guard->showError(tr("The diff could not be read: %1").arg(changes.error().message()));
        });
}

void TabHistory::diffSinceOpened()
{
    auto *dialog = new DiffDialog(m_tab->store(), window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_diff = dialog;
    connect(dialog, &DiffDialog::diffRequested, this,
            [this, dialog](qint64 from, qint64 to) { loadDiff(dialog, from, to, {}); });
    dialog->show();
    QPointer<DiffDialog> guard = dialog;
    dialog->showLoading(m_openedSeq, m_openedSeq, m_openedAt);
    m_source.currentSeq(dialog, [this, guard](const Result<qint64> &now) {
        if (!guard)
            return;
        if (!now)
            return guard->showError(
                tr("The store's current seq could not be read: %1").arg(now.error().message()));
        if (m_openedSeq == 0 && *now > 0)
            return guard->showError(tr("The store's seq when this tab opened is not known (the "
                                       "store had not answered yet)."));
        loadDiff(guard, m_openedSeq, *now, m_openedAt, nowText());
    });
}

void TabHistory::diffFromTyped()
{
    bool ok = false;
    const QString typed =
        QInputDialog::getText(window(), tr("Diff from…"),
                              tr("Diff from a seq or a time (e.g. 120 or 2026-12-06T10:00:00Z) "
                                 "to now:"),
                              QLineEdit::Normal, QString(), &ok)
            .trimmed();
    if (!ok || typed.isEmpty())
        return;
    bool isNumber = false;
    const qint64 seq = typed.toLongLong(&isNumber);
    if (isNumber && seq >= 0)
        return showDiff(seq, -1);
    const QDateTime time = QDateTime::fromString(typed, Qt::ISODateWithMs);
    if (!time.isValid())
        return emit message(tr("\"%1\" is neither a seq (a whole number) nor an ISO-8601 time "
                               "such as 2026-12-06T10:00:00Z.")
                                .arg(typed),
                            10000);
    seqBefore(time.toUTC().toString(Qt::ISODateWithMs));
}

// The audit log answers newest first with the total of ops since `time`: the oldest of them
// is on the last page of one, and the seq just before it is where the diff starts.
void TabHistory::seqBefore(const QString &time)
{
    Transport *rest = m_source.rest();
    if (!rest)
        return emit message(tr("The connection to the store was closed."), 5000);
    AuditQuery query;
    query.since = time;
    query.limit = 1;
    rest->auditLog(m_tab->store(), query)
        .then(this, [this, time, query](const Result<AuditPage> &page) {
            if (!page)
                return emit message(
                    tr("The audit log could not be read: %1").arg(page.error().message()), 10000);
            if (page->total == 0)
                return emit message(tr("Nothing changed in %1 since %2.").arg(m_tab->store(), time),
                                    8000);
            AuditQuery last = query;
            last.page = static_cast<int>(page->total);
            Transport *again = m_source.rest();
            if (!again)
                return;
            again->auditLog(m_tab->store(), last)
                .then(this, [this, time](const Result<AuditPage> &oldest) {
                    if (!oldest || oldest->ops.isEmpty())
                        return emit message(
                            tr("The audit log could not be read: %1")
                                .arg(oldest ? tr("no ops") : oldest.error().message()),
                            10000);
                    const qint64 from = oldest->ops.first().storeSeq - 1;
                    auto *dialog = new DiffDialog(m_tab->store(), window());
                    dialog->setAttribute(Qt::WA_DeleteOnClose);
                    m_diff = dialog;
                    connect(dialog, &DiffDialog::diffRequested, this,
                            [this, dialog](qint64 f, qint64 t) { loadDiff(dialog, f, t, {}); });
                    dialog->show();
                    QPointer<DiffDialog> guard = dialog;
                    m_source.currentSeq(
                        dialog, [this, guard, from, time](const Result<qint64> &now) {
                            if (!guard)
                                return;
                            if (!now)
                                return guard->showError(
                                    tr("The store's current seq could not be read: %1")
                                        .arg(now.error().message()));
                            loadDiff(guard, from, *now, time, nowText());
                        });
                });
        });
}

// ---- restore -----------------------------------------------------------------------------

void TabHistory::restore(const Path &path, qint64 seq)
{
    startRestore(path, seq, false);
}

void TabHistory::rollbackStore(qint64 seq)
{
    startRestore(Path(), seq, m_source.live() != nullptr);
}

void TabHistory::rollbackStoreTyped()
{
    m_source.currentSeq(this, [this](const Result<qint64> &now) {
        if (!now)
            return emit message(
                tr("The store's current seq could not be read: %1").arg(now.error().message()),
                8000);
        bool ok = false;
        const int max = int(std::min<qint64>(*now, std::numeric_limits<int>::max()));
        const int seq = QInputDialog::getInt(
            window(), tr("Restore Store to Seq"),
            tr("Restore the whole store %1 as it was at seq (now %2); you will see what changes "
               "before anything is written:")
                .arg(m_tab->store())
                .arg(*now),
            std::max(0, max - 1), 0, max, 1, &ok);
        if (ok)
            rollbackStore(seq);
    });
}

void TabHistory::startRestore(const Path &path, qint64 seq, bool preferRollback)
{
    EditController *controller = m_tab->editing()->controller();
    if (!controller->canWrite())
        return emit message(controller->whyReadOnly(), 8000);
    if (!m_source.rest())
        return emit message(tr("Restoring needs the server's REST API, which this connection "
                               "does not have."),
                            8000);
    auto *plan = new RestorePlan(m_source, path, seq, this);
    plan->setPreferRollback(preferRollback);
    emit message(tr("Reading what the restore would change…"), 0);
    connect(plan, &RestorePlan::prepared, this, [this, plan] { confirm(plan); });
    connect(plan, &RestorePlan::prepareFailed, this,
            [this, plan](const QString &words, std::optional<qint64>) {
                emit message(tr("Nothing was restored: %1").arg(words), 0);
                plan->deleteLater();
            });
    plan->prepare();
}

void TabHistory::confirm(RestorePlan *plan)
{
    emit message(QString(), 1);
    if (plan->leaves().isEmpty()) {
        emit message(plan->whyNot(), 8000);
        plan->deleteLater();
        return;
    }
    RestoreDialog dialog(*plan, window());
    if (dialog.exec() != QDialog::Accepted) {
        emit message(tr("Nothing was restored."), 5000);
        plan->deleteLater();
        return;
    }
    auto *progress = new JobProgressDialog(dialog.windowTitle(), window());
    progress->setAttribute(Qt::WA_DeleteOnClose);
    progress->follow(plan);
    connect(plan, &RestorePlan::finished, this,
            [this, plan](bool ok, const QString &report) { applied(plan, ok, report); });
    progress->open();
    plan->apply();
}

void TabHistory::applied(RestorePlan *plan, bool ok, const QString &report)
{
    emit message(report, ok ? 8000 : 0);
    if (ok && m_source.rest()) {
        auto *command = new RestoreCommand(m_source.rest(), m_tab->store(), *plan);
        m_tab->editing()->track(command);
        m_tab->editing()->controller()->undoStack()->push(command);
    }
    // REST batches and a store rollback are not pushed to sockets (dust-protocol.md §5.10).
    m_tab->catchUpAfterRest();
    plan->deleteLater();
}

// ---- time travel -------------------------------------------------------------------------

void TabHistory::timeTravel(const Path &node)
{
    // The state is this object's, not the view's; it goes when the view closes.
    auto *state = new TimeTravelState(m_source, node, this);
    auto *view = new TimeTravelView(state, window());
    view->setAttribute(Qt::WA_DeleteOnClose);
    connect(view, &QObject::destroyed, state, &QObject::deleteLater);
    connect(view, &TimeTravelView::restoreRequested, this, &TabHistory::restore);
    m_timeTravel = view;
    view->show();
    state->load();
}

} // namespace dust
