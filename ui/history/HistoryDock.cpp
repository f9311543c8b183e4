#include "history/HistoryDock.h"

#include "history/HistoryFilterBar.h"
#include "live/ChangeFeed.h"
#include "model/DeletedPathsModel.h"
#include "model/HistoryModel.h"
#include "transport/Transport.h"

#include <QAction>
#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QStackedWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace dust {

namespace {

enum Page { PlaceholderPage, HistoryPage, DeletedPage };

QTableView *makeTable(QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    return view;
}

} // namespace

HistoryDock::HistoryDock(QWidget *parent)
    : QDockWidget(tr("History"), parent)
    , m_model(new HistoryModel(this))
    , m_deleted(new DeletedPathsModel(this))
{
    setObjectName(QStringLiteral("historyDock"));
    setAccessibleName(tr("History"));

    auto *body = new QWidget(this);
    auto *layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);

    m_title = new QLabel(body);
    m_title->setAccessibleName(tr("History of"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_title);

    m_filters = new HistoryFilterBar(body);
    layout->addWidget(m_filters);

    auto *bar = new QHBoxLayout;
    m_showDeleted = new QCheckBox(tr("Show &deleted"), body);
    m_showDeleted->setAccessibleName(tr("Show deleted paths"));
    m_showDeleted->setAccessibleDescription(
        tr("Lists the paths under this node whose last op was a delete, with what they held "
           "just before, instead of the history"));
    bar->addWidget(m_showDeleted);
    bar->addStretch(1);

    m_diff = new QAction(tr("&Diff"), this);
    m_diff->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_diff->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_diff->setToolTip(tr("Compare the store just after the two selected ops (select two rows "
                          "with Ctrl-click)"));
    m_diff->setStatusTip(m_diff->toolTip());
    addAction(m_diff);
    auto *diffButton = new QToolButton(body);
    diffButton->setDefaultAction(m_diff);
    diffButton->setAccessibleName(tr("Diff the two selected ops"));
    bar->addWidget(diffButton);
    layout->addLayout(bar);

    m_diffWithNow = new QAction(tr("Diff with &now"), this);
    m_diffWithNow->setToolTip(tr("Compare the store just after this op with the store now"));
    m_restore = new QAction(tr("&Restore this version…"), this);
    m_restore->setToolTip(tr("Put this op's path back as it was just after this op"));
    m_showPath = new QAction(tr("&Show in tree"), this);

    m_pages = new QStackedWidget(body);
    m_placeholder = new QLabel(tr("Open a store to see the history of what you select."), m_pages);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setAccessibleName(tr("No history"));
    m_pages->addWidget(m_placeholder);

    m_view = makeTable(m_pages);
    m_view->setModel(m_model);
    m_view->horizontalHeader()->setSectionResizeMode(HistoryModel::ValueColumn,
                                                     QHeaderView::Stretch);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setAccessibleName(tr("History"));
    m_view->setAccessibleDescription(
        tr("The ops at this node and below, newest first. Ctrl-click a second row and press "
           "Ctrl+Shift+D to compare them; the context menu compares with now or restores a "
           "version; Enter or double-click shows the path in the tree."));
    m_pages->addWidget(m_view);

    m_deletedView = makeTable(m_pages);
    m_deletedView->setModel(m_deleted);
    m_deletedView->horizontalHeader()->setSectionResizeMode(DeletedPathsModel::DeviceColumn,
                                                            QHeaderView::Stretch);
    m_deletedView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_deletedView->setAccessibleName(tr("Deleted paths"));
    m_deletedView->setAccessibleDescription(
        tr("Paths under this node whose last op was a delete, newest first, with their last "
           "value. Enter or double-click shows the path in the tree."));
    m_pages->addWidget(m_deletedView);
    layout->addWidget(m_pages, 1);

    m_status = new QLabel(body);
    m_status->setWordWrap(true);
    m_status->setAccessibleName(tr("History status"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    setWidget(body);
    setTabOrder(m_filters, m_showDeleted);
    setTabOrder(m_showDeleted, diffButton);
    setTabOrder(diffButton, m_view);
    setTabOrder(m_view, m_deletedView);

    updateGrey();

    connect(m_filters, &HistoryFilterBar::filterChanged, m_model, &HistoryModel::setFilter);
    connect(m_showDeleted, &QCheckBox::toggled, this, &HistoryDock::showDeleted);
    connect(m_diff, &QAction::triggered, this, &HistoryDock::diffSelected);
    connect(m_diffWithNow, &QAction::triggered, this, [this] {
        Path path;
        qint64 seq = 0;
        if (currentOp(&path, &seq))
            emit diffRequested(seq, Now);
    });
    connect(m_restore, &QAction::triggered, this, [this] {
        Path path;
        qint64 seq = 0;
        if (currentOp(&path, &seq) && path.isValid())
            emit restoreRequested(path, seq);
    });
    connect(m_showPath, &QAction::triggered, this, [this] { activateRow(m_view->currentIndex()); });
    connect(m_view, &QTableView::customContextMenuRequested, this, &HistoryDock::showContextMenu);
    connect(m_view, &QTableView::activated, this, &HistoryDock::activateRow);
    connect(m_deletedView, &QTableView::activated, this, &HistoryDock::activateDeleted);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &HistoryDock::updateActions);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &HistoryDock::updateActions);
    connect(m_model, &HistoryModel::statusChanged, this, &HistoryDock::updateStatus);
    connect(m_model, &HistoryModel::loadingChanged, this, &HistoryDock::updateStatus);
    connect(m_model, &QAbstractItemModel::modelReset, this, &HistoryDock::updateActions);
    connect(m_model, &HistoryModel::pageLoaded, this, [this] {
        if (m_model->loadedPages() == 1)
            m_view->resizeColumnsToContents();
    });
    connect(m_deleted, &DeletedPathsModel::loadingChanged, this, &HistoryDock::updateStatus);
    connect(m_deleted, &DeletedPathsModel::loaded, this, [this] {
        m_deletedView->resizeColumnsToContents();
        updateStatus();
    });
    connect(m_deleted, &DeletedPathsModel::valuesLoaded, this, &HistoryDock::updateStatus);
    connect(m_deleted, &DeletedPathsModel::loadFailed, this, &HistoryDock::updateStatus);

    connect(this, &QDockWidget::visibilityChanged, this, &HistoryDock::setShown);

    updateTitle();
    updatePage();
    updateActions();
    updateStatus();
}

HistoryDock::~HistoryDock()
{
    for (const auto &connection : std::as_const(m_feedConnections))
        disconnect(connection);
}

void HistoryDock::changeEvent(QEvent *event)
{
    QDockWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        updateGrey();
}

void HistoryDock::updateGrey()
{
    m_deleted->setDeletedForeground(
        QVariant::fromValue(palette().brush(QPalette::Disabled, QPalette::Text)));
}

void HistoryDock::setSource(Transport *rest, ChangeFeed *feed, const QString &store)
{
    m_transport = rest;
    m_feed = feed;
    m_store = rest ? store : QString();
    follow();
    updateTitle();
    updatePage();
    updateStatus();
}

void HistoryDock::setNode(const dust::Path &path)
{
    m_node = path;
    follow();
    updateTitle();
}

void HistoryDock::setShown(bool shown)
{
    if (m_shown == shown)
        return;
    m_shown = shown;
    follow();
    updateStatus();
}

void HistoryDock::follow()
{
    for (const auto &connection : std::as_const(m_feedConnections))
        disconnect(connection);
    m_feedConnections.clear();
    // A hidden pane reads no log and takes no live ops (a flood of events at the whole
    // store would otherwise all become rows nobody sees); shown again, it reads afresh.
    Transport *rest = m_shown ? m_transport.data() : nullptr;
    ChangeFeed *feed = m_shown ? m_feed.data() : nullptr;
    if (feed && rest) {
        m_feedConnections.append(
            connect(feed, &ChangeFeed::eventsFlushed, m_model, &HistoryModel::applyLiveEvents));
        // The store was reloaded and its events in between were not delivered: read again.
        m_feedConnections.append(
            connect(feed, &ChangeFeed::eventsSkipped, m_model, &HistoryModel::reload));
    }
    m_model->setScope(rest, rest ? m_store : QString(), m_node);
    if (!rest)
        m_deleted->setScope(nullptr, QString(), Path());
    else if (isShowingDeleted())
        m_deleted->setScope(rest, m_store, m_node);
}

void HistoryDock::showDeleted(bool show)
{
    if (show && m_shown)
        m_deleted->setScope(m_transport, m_store, m_node);
    m_filters->setEnabled(!show);
    updatePage();
    updateActions();
    updateStatus();
}

bool HistoryDock::isShowingPlaceholder() const
{
    return m_pages->currentIndex() == PlaceholderPage;
}

bool HistoryDock::isShowingDeleted() const
{
    return m_showDeleted->isChecked();
}

void HistoryDock::updatePage()
{
    if (!m_transport || m_store.isEmpty())
        m_pages->setCurrentIndex(PlaceholderPage);
    else
        m_pages->setCurrentIndex(isShowingDeleted() ? DeletedPage : HistoryPage);
}

void HistoryDock::updateTitle()
{
    if (!m_transport || m_store.isEmpty())
        m_title->setText(tr("No store"));
    else if (m_node.isValid())
        m_title->setText(tr("History of %1 and below").arg(m_node.rendered()));
    else
        m_title->setText(tr("History of the whole store %1").arg(m_store));
}

QString HistoryDock::statusText() const
{
    return m_status->text();
}

void HistoryDock::updateStatus()
{
    QString text;
    bool failed = false;
    if (!m_transport || m_store.isEmpty()) {
        text.clear();
    } else if (isShowingDeleted()) {
        if (!m_deleted->errorText().isEmpty()) {
            text = m_deleted->errorText();
            failed = true;
        } else if (m_deleted->isLoading()) {
            text = tr("Looking for deleted paths…");
        } else {
            const int rows = m_deleted->rowCount();
            text = rows == 1 ? tr("1 deleted path") : tr("%1 deleted paths").arg(rows);
            if (!m_deleted->valuesComplete())
                text += tr(" — reading their last values…");
            if (const QString limit = m_deleted->limitText(); !limit.isEmpty())
                text += QStringLiteral(". ") + limit;
        }
    } else {
        const qint64 ops = m_model->totalOps();
        const int pages = m_model->loadedPages();
        text = (ops == 1 ? tr("1 op") : tr("%1 ops").arg(ops)) + QStringLiteral(", ") +
               (pages == 1 ? tr("1 page loaded") : tr("%1 pages loaded").arg(pages));
        if (m_model->isLoading())
            text += tr(" — loading…");
        else if (!m_model->atEnd() && m_model->errorText().isEmpty())
            text += tr(" — scroll down for older ops");
        if (!m_model->errorText().isEmpty()) {
            text = m_model->errorText();
            failed = true;
        }
    }
    m_status->setText(text);
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::WindowText, failed ? QColor(0xc0, 0x10, 0x20)
                                                  : this->palette().color(QPalette::WindowText));
    m_status->setPalette(palette);
}

void HistoryDock::updateActions()
{
    const bool history = !isShowingDeleted() && !isShowingPlaceholder();
    const int selected = int(m_view->selectionModel()->selectedRows().size());
    m_diff->setEnabled(history && selected == 2);
    const bool current = history && m_view->currentIndex().isValid();
    m_diffWithNow->setEnabled(current);
    m_restore->setEnabled(current);
    m_showPath->setEnabled(current);
}

bool HistoryDock::currentOp(Path *path, qint64 *seq) const
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return false;
    const AuditOp op = m_model->opAt(current.row());
    *seq = op.storeSeq;
    const auto parsed = Path::parse(op.path);
    *path = parsed ? *parsed : Path();
    return true;
}

void HistoryDock::diffSelected()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.size() != 2)
        return;
    const qint64 a = m_model->opAt(rows.at(0).row()).storeSeq;
    const qint64 b = m_model->opAt(rows.at(1).row()).storeSeq;
    emit diffRequested(std::min(a, b), std::max(a, b));
}

void HistoryDock::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (index.isValid() && !m_view->selectionModel()->isRowSelected(index.row(), QModelIndex()))
        m_view->setCurrentIndex(index);
    else if (index.isValid())
        m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
    updateActions();
    if (!m_view->currentIndex().isValid())
        return;
    QMenu menu(this);
    menu.addAction(m_diff);
    menu.addAction(m_diffWithNow);
    menu.addSeparator();
    menu.addAction(m_restore);
    menu.addSeparator();
    menu.addAction(m_showPath);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void HistoryDock::activateRow(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    if (const auto path = Path::parse(m_model->opAt(index.row()).path))
        emit pathActivated(*path);
}

void HistoryDock::activateDeleted(const QModelIndex &index)
{
    if (index.isValid())
        emit pathActivated(m_deleted->pathAt(index.row()));
}

} // namespace dust
