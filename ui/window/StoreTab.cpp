#include "StoreTab.h"

#include "window/TabEditing.h"
#include "window/TreeQueries.h"

#include "PathBreadcrumb.h"
#include "RecentChangeDelegate.h"
#include "TreeFilterBar.h"
#include "inspector/EntryEditor.h"
#include "inspector/InspectorPanel.h"
#include "live/ChangeFeed.h"
#include "live/ConnectionStatus.h"
#include "model/ChangeLogModel.h"
#include "model/SdkStoreSource.h"
#include "model/StoreTreeModel.h"
#include "transport/HttpTransport.h"
#include "transport/SdkProtocol.h"
#include "transport/SdkTransport.h"
#include "transport/Transport.h"

#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <deque>

namespace dust {

namespace {

// Folders opened at most by one "expand subtree", so a million-path store cannot freeze the
// window.
constexpr int kMaxExpand = 2000;
// Paths below a folder the inspector still assembles into one value.
constexpr int kMaxAssembled = 20000;

QString jsonText(const QJsonValue &value, QJsonDocument::JsonFormat format)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(format)).trimmed();
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(format)).trimmed();
    // A scalar: the text of a one-item array without its brackets.
    return QString::fromUtf8(
        QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).chopped(1).mid(1));
}

} // namespace

StoreTab::StoreTab(std::unique_ptr<Transport> transport, const QString &store,
                   const Options &options, QWidget *parent)
    : StoreTab(transport.get(), store, options, parent)
{
    m_ownedTransport = std::move(transport);
}

StoreTab::StoreTab(Transport *transport, const QString &store, const Options &options,
                   QWidget *parent)
    : QWidget(parent)
    , m_transport(transport)
    , m_store(store)
    , m_options(options)
{
    build();
    startSource();
}

StoreTab::~StoreTab()
{
    // The view and the model go before the source and the transport they read; the status
    // bar's widget and the change feed too.
    delete m_statusWidget;
    m_feed.reset();
    m_tree->setModel(nullptr);
    delete m_model;
    m_model = nullptr;
    for (const QMetaObject::Connection &c : std::as_const(m_liveConnections))
        disconnect(c);
    m_liveSource.reset();
    m_interim.reset();
}

ConnectionStatus *StoreTab::connectionStatus() const
{
    return m_status;
}

SdkTransport *StoreTab::liveTransport() const
{
    return qobject_cast<SdkTransport *>(m_transport);
}

QString StoreTab::readOnlyReason() const
{
    if (m_options.readOnly)
        return tr("read-only (chosen for this connection)");
    if (m_serverReadOnly)
        return tr("read-only (the server grants no write)");
    return QString();
}

void StoreTab::build()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    m_filter = new TreeFilterBar(this);
    m_crumbs = new PathBreadcrumb(this);
    m_crumbs->setStore(m_store);
    layout->addWidget(m_filter);
    layout->addWidget(m_crumbs);

    m_splitter = new QSplitter(this);
    m_splitter->setObjectName(QStringLiteral("storeSplitter"));
    m_model = new StoreTreeModel(this);
    m_changeLog = new ChangeLogModel(this);
    m_tree = new QTreeView(m_splitter);
    m_tree->setObjectName(QStringLiteral("storeTree"));
    // Several rows can be selected for a bulk delete; the current row is the one shown.
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setAccessibleName(tr("Store tree"));
    m_tree->setAccessibleDescription(
        tr("Every path of %1; each row shows a name, type, value and revision").arg(m_store));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_tree->header()->resizeSection(0, 260);
    m_tree->header()->resizeSection(1, 80);
    m_tree->header()->resizeSection(2, 260);
    m_delegate = new RecentChangeDelegate(m_tree);
    m_delegate->setWindow(m_model->recentWindow());
    m_tree->setItemDelegate(m_delegate);

    // While rows are recent their highlight fades: repaint a few times a second, and only
    // then.
    m_fadeTimer.setInterval(100);
    connect(&m_fadeTimer, &QTimer::timeout, this, [this] {
        m_tree->viewport()->update();
        if (m_model->recentCount() == 0)
            m_fadeTimer.stop();
    });
    const auto startFade = [this] {
        if (m_model->recentCount() > 0 && !m_fadeTimer.isActive())
            m_fadeTimer.start();
    };
    connect(m_model, &QAbstractItemModel::dataChanged, this, startFade);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, startFade);

    m_inspector = new InspectorPanel(m_splitter);
    m_inspector->setSource(m_transport, m_store);
    m_inspector->showNothing();

    m_splitter->addWidget(m_tree);
    m_splitter->addWidget(m_inspector);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    // The tree gets the larger share whatever the inspector's page would like (narrow, but
    // the editor's buttons whole).
    m_inspector->setMinimumWidth(m_inspector->narrowestWidth());
    m_splitter->setSizes({720, 460});
    layout->addWidget(m_splitter, 1);
    setFocusProxy(m_tree);

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current, const QModelIndex &previous) {
                const Path path = m_model->pathOf(current);
                m_crumbs->setPath(path);
                if (m_returning) {
                    // Back on the entry whose edit was kept: its form is still there.
                    emit currentPathChanged(path);
                    return;
                }
                if (previous.isValid() && m_inspector->hasUnsavedEdit() && !discardUnsavedEdit())
                    return returnTo(previous);
                showEntry(current);
                emit currentPathChanged(path);
            });
    connect(m_tree, &QWidget::customContextMenuRequested, this, &StoreTab::showContextMenu);
    connect(m_crumbs, &PathBreadcrumb::pathClicked, this, [this](const Path &path) {
        if (path.isValid())
            goToPath(path);
        else
            m_tree->setCurrentIndex(QModelIndex());
        m_tree->setFocus();
    });
    connect(m_filter, &TreeFilterBar::filterChanged, this, [this](const TreeFilter &filter) {
        if (filter.isActive())
            m_filter->showRunning();
        m_model->setFilter(filter);
    });
    connect(m_model, &StoreTreeModel::filterApplied, this, [this](qsizetype matches) {
        m_filter->showMatches(matches);
        if (m_model->isFiltered() && m_model->rowCount() > 0 && m_model->rowCount() < 50)
            m_tree->expandToDepth(2);
        if (m_goTo.isValid())
            continueGoTo();
    });
    connect(m_model, &StoreTreeModel::loadFailed, this,
            [this](const QModelIndex &, const QString &text) {
                emit message(tr("Loading failed: %1").arg(text), 0);
            });
    connect(m_model, &StoreTreeModel::loadingChanged, this,
            [this](const QModelIndex &, bool loading) {
                if (!loading && m_goTo.isValid())
                    continueGoTo();
            });
    // A rebuild (the first snapshot, a reset) replaces every row: keep what was open and
    // selected.
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        if (!m_restoring) {
            m_keptExpanded = treequeries::expandedPaths(*m_tree, *m_model, kMaxExpand);
            m_keptCurrent = currentPath();
        }
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_restoring = true;
        QTimer::singleShot(0, this, [this] {
            m_restoring = false;
            restoreExpanded();
        });
    });
    connect(m_model, &StoreTreeModel::rebuilt, this, [this] {
        if (m_goTo.isValid())
            continueGoTo();
    });
}

void StoreTab::startSource()
{
    auto *sdk = liveTransport();
    if (!sdk) {
        m_model->setHttpSource(m_transport, m_store);
        m_editing =
            new TabEditing(this, m_transport, m_transport, m_options.readOnly, readOnlyReason());
        auto *label = new QLabel(tr("REST · folders load as they open"));
        label->setAccessibleName(tr("Connection state"));
        m_statusWidget = label;
        setConnectionText(label->text());
        return;
    }
    // The status first: it hears the store being loaded from the cache.
    auto *status = new ConnectionStatus(sdk, m_store);
    status->setReadOnlyProfile(m_options.readOnly);
    m_status = status;
    m_statusWidget = status;
    connect(status, &ConnectionStatus::textChanged, this, &StoreTab::setConnectionText);
    setConnectionText(status->text());

    // Live: changes arrive as they happen. Until the store has caught up, its folders are
    // listed over REST, so a big store shows its top at once.
    m_liveSource = std::make_unique<SdkStoreSource>(sdk, m_store);
    m_interim =
        std::make_unique<HttpTransport>(sdk::httpBaseUrl(sdk->options().url), sdk->options().token);
    m_model->setLiveSource(m_liveSource.get(), m_interim.get(), m_store);
    m_editing =
        new TabEditing(this, m_transport, m_interim.get(), m_options.readOnly, readOnlyReason());

    // The change log of this store, fed in batches.
    m_feed = std::make_unique<ChangeFeed>(sdk, m_store, m_changeLog);
    connect(m_feed.get(), &ChangeFeed::rateChanged, status, &ConnectionStatus::showRate);
    // The first load is no gap in the log; a reload after the store was live is.
    connect(m_feed.get(), &ChangeFeed::eventsSkipped, this, [this] {
        if (m_wasLive)
            emit changesSkipped();
    });

    m_liveConnections = {
        connect(m_liveSource.get(), &LiveStoreSource::changed, this,
                [this](const MirrorChangeBatch &batch) {
                    noteChanger(batch);
                    refreshShownEntry();
                }),
        connect(sdk, &SdkTransport::storeJoined, this,
                [this](const QString &store, const sdk::StorePermissions &permissions) {
                    if (store != m_store)
                        return;
                    const bool was = isReadOnly();
                    m_serverReadOnly = permissions.reported && !permissions.write;
                    if (was != isReadOnly())
                        emit readOnlyChanged(isReadOnly());
                }),
        connect(sdk, &SdkTransport::storeLive, this,
                [this](const QString &store) {
                    if (store == m_store)
                        m_wasLive = true;
                }),
        connect(sdk, &SdkTransport::cacheProblem, this,
                [this](const QString &, const QString &problem) { emit message(problem, 15000); }),
    };
    sdk->open(m_store);
}

void StoreTab::restoreExpanded()
{
    const QList<Path> paths = std::exchange(m_keptExpanded, {});
    for (const Path &p : paths) {
        const QModelIndex index = m_model->index(p);
        if (index.isValid()) {
            if (m_model->canFetchMore(index))
                m_model->fetchMore(index);
            m_tree->expand(index);
        }
    }
    const Path current = std::exchange(m_keptCurrent, Path());
    if (current.isValid() && !currentPath().isValid()) {
        const QModelIndex index = m_model->index(current);
        if (index.isValid())
            selectIndex(index);
    }
}

void StoreTab::setConnectionText(const QString &text)
{
    if (text == m_connectionText)
        return;
    m_connectionText = text;
    emit connectionTextChanged(text);
}

Path StoreTab::currentPath() const
{
    return m_model->pathOf(m_tree->currentIndex());
}

QString StoreTab::entryHeaderText() const
{
    return m_inspector->headerText();
}

QString StoreTab::entryValueText() const
{
    return m_inspector->valueText();
}

void StoreTab::refreshShownEntry()
{
    // The inspector re-reads the selected entry when its store changes (coalesced: at most
    // one read per 200 ms).
    if (m_refreshQueued)
        return;
    m_refreshQueued = true;
    QTimer::singleShot(200, this, [this] {
        m_refreshQueued = false;
        const QModelIndex current = m_tree->currentIndex();
        if (current.isValid())
            showEntry(current, true); // the page and a big value's formatting are kept
    });
}

void StoreTab::showEntry(const QModelIndex &index, bool refresh)
{
    const quint64 generation = ++m_showGeneration;
    const Path path = m_model->pathOf(index);
    if (!path.isValid()) {
        m_inspector->showNothing();
        return;
    }
    // A big folder is not assembled into one value (a million-path store would read it all).
    if (!index.data(StoreTreeModel::HasValueRole).toBool()) {
        const qsizetype below =
            treequeries::countBelow(*m_model, index.siblingAtColumn(0), kMaxAssembled + 1);
        if (below > kMaxAssembled) {
            m_inspector->showFolder(
                path, tr("A folder of %1, with more than %2 paths below it.")
                          .arg(index.siblingAtColumn(StoreTreeModel::ValueColumn).data().toString(),
                               QLocale().toString(kMaxAssembled)));
            return;
        }
    }
    if (!refresh)
        m_inspector->showLoading(path);
    m_transport->get(m_store, path)
        .then(this, [this, generation, path, refresh](const Result<Entry> &r) {
            if (generation != m_showGeneration)
                return; // the selection moved on
            // While the person edits the entry, a change on the server is noted in the form,
            // never put over their input (and a failed re-read does not drop it either).
            if (refresh && m_inspector->hasUnsavedEdit()) {
                if (r)
                    m_inspector->noteRemoteChange(*r, m_changer.value(path.rendered()));
                else
                    emit message(tr("Could not read %1 again: %2. Your edit is kept.")
                                     .arg(path.rendered(), r.error().message()),
                                 0);
                return;
            }
            if (r)
                m_inspector->showEntry(*r);
            else
                m_inspector->showError(path, r.error().message());
        });
}

void StoreTab::noteChanger(const MirrorChangeBatch &batch)
{
    // Who last changed the shown path (or a path above or below it), for "changed by device X".
    const Path shown = currentPath();
    if (!shown.isValid())
        return;
    const QString prefix = shown.descendantPrefix();
    for (const MirrorEventInfo &event : batch.events()) {
        const QString &p = event.path.rendered();
        if (p == shown.rendered() || p.startsWith(prefix) ||
            shown.rendered().startsWith(event.path.descendantPrefix()))
            m_changer.insert(shown.rendered(), event.deviceId);
    }
}

bool StoreTab::discardUnsavedEdit()
{
    return m_editing && m_editing->askToDiscard(m_inspector->editor()->baseEntry().path);
}

void StoreTab::returnTo(const QModelIndex &previous)
{
    const QPersistentModelIndex back(previous);
    QTimer::singleShot(0, this, [this, back] {
        if (!back.isValid())
            return;
        m_returning = true;
        m_tree->setCurrentIndex(back);
        m_returning = false;
    });
}

Transport *StoreTab::restTransport() const
{
    return liveTransport() ? m_interim.get() : m_transport;
}

void StoreTab::catchUpAfterRest()
{
    if (SdkTransport *sdk = liveTransport())
        sdk->checkForMissedWrites();
    else
        m_model->reload();
}

void StoreTab::reshow(const Path &path)
{
    if (path == currentPath())
        showEntry(m_tree->currentIndex(), false);
}

QList<Path> StoreTab::selectedPaths() const
{
    QList<Path> paths;
    for (const QModelIndex &index : m_tree->selectionModel()->selectedRows(0)) {
        if (const Path path = m_model->pathOf(index); path.isValid())
            paths.append(path);
    }
    if (paths.isEmpty() && currentPath().isValid())
        paths.append(currentPath());
    return treequeries::topMost(std::move(paths));
}

qint64 StoreTab::leavesBelow(const QModelIndex &node) const
{
    return treequeries::leavesBelow(*m_model, node);
}

// ---- commands ------------------------------------------------------------------------------

void StoreTab::focusFilter()
{
    m_filter->focusField();
}

void StoreTab::refresh()
{
    if (auto *sdk = liveTransport()) {
        sdk->open(m_store); // resumes a cancelled catch-up
        sdk->reconnect();
    } else {
        m_model->reload();
    }
    emit message(tr("Reading %1 again").arg(m_store), 3000);
}

void StoreTab::expandSubtree()
{
    const QModelIndex top = m_tree->currentIndex().siblingAtColumn(0);
    if (!top.isValid())
        return;
    // Breadth first, bounded: a huge subtree opens its first kMaxExpand folders.
    std::deque<QModelIndex> queue{top};
    int opened = 0;
    while (!queue.empty() && opened < kMaxExpand) {
        const QModelIndex index = queue.front();
        queue.pop_front();
        if (!m_model->hasChildren(index))
            continue;
        if (m_model->canFetchMore(index))
            m_model->fetchMore(index);
        m_tree->expand(index);
        ++opened;
        const int rows = m_model->rowCount(index);
        for (int r = 0; r < rows; ++r)
            queue.push_back(m_model->index(r, 0, index));
    }
    if (!queue.empty())
        emit message(tr("Opened the first %1 folders only").arg(kMaxExpand), 5000);
}

void StoreTab::collapseSubtree()
{
    QModelIndex top = m_tree->currentIndex().siblingAtColumn(0);
    if (!top.isValid())
        return;
    // Only open folders are visited.
    std::deque<QModelIndex> queue{top};
    while (!queue.empty()) {
        const QModelIndex index = queue.front();
        queue.pop_front();
        if (!m_tree->isExpanded(index))
            continue;
        const int rows = m_model->rowCount(index);
        for (int r = 0; r < rows; ++r)
            queue.push_back(m_model->index(r, 0, index));
        m_tree->collapse(index);
    }
}

void StoreTab::goUp()
{
    const QModelIndex parent = m_tree->currentIndex().parent();
    if (parent.isValid())
        selectIndex(parent);
}

void StoreTab::copyPath()
{
    const Path path = currentPath();
    if (!path.isValid())
        return;
    QApplication::clipboard()->setText(path.rendered());
    emit message(tr("Copied the path %1").arg(path.rendered()), 3000);
}

void StoreTab::withSelectedEntry(const std::function<void(const Entry &)> &use)
{
    const QModelIndex index = m_tree->currentIndex().siblingAtColumn(0);
    const Path path = m_model->pathOf(index);
    if (!path.isValid())
        return;
    // Assembling and writing out a huge folder would hold the window for seconds.
    if (!index.data(StoreTreeModel::HasValueRole).toBool() &&
        treequeries::countBelow(*m_model, index, kMaxAssembled + 1) > kMaxAssembled) {
        emit message(tr("%1 has more than %2 paths below it: too big to copy; choose a smaller "
                        "folder")
                         .arg(path.rendered(), QLocale().toString(kMaxAssembled)),
                     8000);
        return;
    }
    m_transport->get(m_store, path).then(this, [this, path, use](const Result<Entry> &r) {
        if (!r) {
            emit message(tr("Could not read %1: %2").arg(path.rendered(), r.error().message()), 0);
            return;
        }
        use(*r);
    });
}

void StoreTab::copyValue()
{
    withSelectedEntry([this](const Entry &e) {
        copyText(e, tr("Copied the value of %1"), [value = e.value] {
            return value.isString() ? value.toString() : jsonText(value, QJsonDocument::Compact);
        });
    });
}

void StoreTab::copyAsJson()
{
    withSelectedEntry([this](const Entry &e) {
        copyText(e, tr("Copied %1 as JSON"),
                 [value = e.value] { return jsonText(value, QJsonDocument::Indented); });
    });
}

void StoreTab::copyText(const Entry &entry, const QString &done,
                        const std::function<QString()> &make)
{
    // A value of megabytes is written out off the UI thread; the clipboard is set on it.
    QtConcurrent::run(make).then(this, [this, done, path = entry.path](const QString &text) {
        QApplication::clipboard()->setText(text);
        emit message(done.arg(path.rendered()), 3000);
    });
}

void StoreTab::selectIndex(const QModelIndex &index)
{
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        m_tree->expand(p);
    m_tree->setCurrentIndex(index);
    m_tree->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

void StoreTab::goToPath(const Path &path)
{
    if (!path.isValid())
        return;
    m_goTo = path;
    m_goToSteps = 0;
    continueGoTo();
}

void StoreTab::continueGoTo()
{
    const Path target = m_goTo;
    const QModelIndex found = m_model->index(target);
    if (found.isValid()) {
        m_goTo = Path();
        selectIndex(found);
        m_tree->setFocus();
        return;
    }
    if (m_model->isRebuilding())
        return; // the tree is being replaced (the store caught up): rebuilt() continues
    if (m_model->isFiltered()) {
        // Hidden by the filter: show everything, then look again (filterApplied).
        m_filter->setText(QString());
        return;
    }
    // The deepest ancestor the tree holds; over REST, list it and look again once it is.
    QModelIndex deepest;
    Path prefix;
    for (const QString &segment : target.segments()) {
        prefix =
            prefix.isValid() ? prefix.child(segment) : *Path::fromSegments(QStringList{segment});
        const QModelIndex index = m_model->index(prefix);
        if (!index.isValid())
            break;
        deepest = index;
    }
    if (m_model->canFetchMore(deepest) && ++m_goToSteps <= target.depth() + 2) {
        m_tree->expand(deepest);
        m_model->fetchMore(deepest);
        return; // loadingChanged continues
    }
    if (m_model->isLoading(deepest) && m_goToSteps <= target.depth() + 2)
        return;
    m_goTo = Path();
    if (deepest.isValid())
        selectIndex(deepest);
    emit message(tr("%1 is not in %2").arg(target.rendered(), m_store), 8000);
}

QStringList StoreTab::completions(const QString &typed, int limit) const
{
    // "users/al" completes among the children of "users" whose rendered name starts with
    // "al".
    const qsizetype slash = typed.lastIndexOf(QLatin1Char('/'));
    const QString folder = slash < 0 ? QString() : typed.left(slash);
    const QString start = slash < 0 ? typed : typed.mid(slash + 1);
    QModelIndex parent;
    if (!folder.isEmpty()) {
        const auto path = Path::parse(folder);
        if (!path)
            return {};
        parent = m_model->index(*path);
        if (!parent.isValid())
            return {};
    }
    QStringList out;
    const int rows = m_model->rowCount(parent);
    const QString prefix = folder.isEmpty() ? QString() : folder + QLatin1Char('/');
    for (int r = 0; r < rows && out.size() < limit; ++r) {
        const QString name = Path::escapeSegment(
            m_model->index(r, 0, parent).data(StoreTreeModel::NameRole).toString());
        if (name.startsWith(start, Qt::CaseInsensitive))
            out.append(prefix + name);
    }
    return out;
}

void StoreTab::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_tree->indexAt(pos);
    if (!index.isValid())
        return;
    m_tree->setCurrentIndex(index);
    QMenu menu(this);
    menu.addActions(m_contextActions);
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

} // namespace dust
