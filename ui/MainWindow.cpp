#include "MainWindow.h"

#include "RecentChangeDelegate.h"
#include "model/SdkStoreSource.h"
#include "model/StoreTreeModel.h"
#include "transport/SdkTransport.h"
#include "transport/Transport.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStatusBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace dust {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_model(new StoreTreeModel(this))
{
    setWindowTitle(tr("Dust Browser"));
    resize(1200, 760);

    auto *splitter = new QSplitter(this);
    m_tree = new QTreeView(splitter);
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_tree->header()->resizeSection(0, 260);
    m_tree->header()->resizeSection(1, 80);
    m_tree->header()->resizeSection(2, 260);
    m_delegate = new RecentChangeDelegate(this);
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
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        if (m_model->recentCount() > 0 && !m_fadeTimer.isActive())
            m_fadeTimer.start();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_model->recentCount() > 0 && !m_fadeTimer.isActive())
            m_fadeTimer.start();
    });

    auto *inspector = new QWidget(splitter);
    auto *layout = new QVBoxLayout(inspector);
    layout->setContentsMargins(6, 0, 0, 0);
    m_entryHeader = new QLabel(tr("Select an entry"), inspector);
    m_entryHeader->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_entryHeader->setWordWrap(true);
    m_value = new QPlainTextEdit(inspector);
    m_value->setReadOnly(true);
    m_value->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_entryHeader);
    layout->addWidget(m_value, 1);

    splitter->addWidget(m_tree);
    splitter->addWidget(inspector);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    setCentralWidget(splitter);

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { showEntry(current); });
    connect(m_model, &StoreTreeModel::loadFailed, this,
            [this](const QModelIndex &, const QString &message) {
                statusBar()->showMessage(tr("Loading failed: %1").arg(message));
            });
    m_connection = new QLabel(this);
    m_connection->hide();
    statusBar()->addPermanentWidget(m_connection);
    statusBar()->showMessage(tr("Connecting…"));
}

MainWindow::~MainWindow() = default;

void MainWindow::openStore(Transport *transport, const QString &store, const QString &serverLabel)
{
    m_transport = transport;
    m_store = store;
    for (const QMetaObject::Connection &c : std::as_const(m_liveConnections))
        disconnect(c);
    m_liveConnections.clear();
    m_live = false;
    if (auto *sdk = qobject_cast<SdkTransport *>(transport)) {
        // Live: changes arrive as they happen. The old source goes after the model left it.
        auto source = std::make_unique<SdkStoreSource>(sdk, store);
        m_model->setLiveSource(source.get());
        m_liveSource = std::move(source);
        m_connection->setText(tr("connecting…"));
        m_connection->show();
        m_liveConnections = {
            connect(m_liveSource.get(), &LiveStoreSource::changed, this,
                    [this](const MirrorChangeBatch &batch) {
                        if (m_live && batch.lastSeq() > 0)
                            showLiveSeq(batch.lastSeq());
                        refreshShownEntry();
                    }),
            connect(sdk, &SdkTransport::storeLive, this,
                    [this](const QString &live, qint64 seq) {
                        if (live != m_store)
                            return;
                        m_live = true;
                        showLiveSeq(seq);
                    }),
            connect(sdk, &SdkTransport::connectionError, this,
                    [this](const Error &error) {
                        m_live = false;
                        m_connection->setText(
                            tr("offline: %1 — reconnecting").arg(error.message()));
                    }),
            connect(sdk, &SdkTransport::storeError, this,
                    [this](const QString &failed, const Error &error) {
                        if (failed != m_store)
                            return;
                        m_live = false;
                        m_connection->setText(tr("not readable: %1").arg(error.message()));
                    }),
            connect(sdk, &SdkTransport::cacheProblem, this,
                    [this](const QString &, const QString &problem) {
                        statusBar()->showMessage(problem, 15000);
                    }),
        };
    } else {
        m_model->setHttpSource(transport, store);
        m_liveSource.reset();
        m_connection->hide();
    }
    setWindowTitle(tr("%1 — Dust Browser").arg(store));
    statusBar()->showMessage(tr("%1 on %2").arg(store, serverLabel));
}

void MainWindow::showLiveSeq(qint64 seq)
{
    m_connection->setText(tr("live · seq %1").arg(seq));
}

void MainWindow::showConnectionError(const QString &message)
{
    m_entryHeader->setText(tr("Could not open a store"));
    m_value->setPlainText(message);
    statusBar()->showMessage(message);
}

QString MainWindow::entryHeaderText() const
{
    return m_entryHeader->text();
}

QString MainWindow::connectionText() const
{
    return m_connection->isVisibleTo(this) ? m_connection->text() : QString();
}

QString MainWindow::entryValueText() const
{
    return m_value->toPlainText();
}

void MainWindow::refreshShownEntry()
{
    // The inspector re-reads the selected entry when its store changes (coalesced: at most
    // one read in flight).
    if (m_refreshQueued)
        return;
    m_refreshQueued = true;
    QTimer::singleShot(200, this, [this] {
        m_refreshQueued = false;
        const QModelIndex current = m_tree->selectionModel()->currentIndex();
        if (current.isValid())
            showEntry(current);
    });
}

void MainWindow::showEntry(const QModelIndex &index)
{
    const quint64 generation = ++m_showGeneration;
    const Path path = m_model->pathOf(index);
    if (!m_transport || !path.isValid()) {
        m_entryHeader->setText(tr("Select an entry"));
        m_value->clear();
        return;
    }
    m_entryHeader->setText(tr("<b>%1</b><br>loading…").arg(path.rendered().toHtmlEscaped()));
    m_transport->get(m_store, path).then(this, [this, generation, path](const Result<Entry> &r) {
        if (generation != m_showGeneration)
            return; // the selection moved on
        if (!r) {
            m_entryHeader->setText(
                tr("<b>%1</b><br>%2")
                    .arg(path.rendered().toHtmlEscaped(), r.error().message().toHtmlEscaped()));
            m_value->clear();
            return;
        }
        const Entry &e = *r;
        m_entryHeader->setText(tr("<b>%1</b><br>type <i>%2</i> · revision %3")
                                   .arg(e.path.rendered().toHtmlEscaped(), e.type)
                                   .arg(e.revision));
        if (e.value.isObject() || e.value.isArray()) {
            const QJsonDocument doc = e.value.isObject() ? QJsonDocument(e.value.toObject())
                                                         : QJsonDocument(e.value.toArray());
            m_value->setPlainText(QString::fromUtf8(doc.toJson(QJsonDocument::Indented)));
        } else {
            m_value->setPlainText(QString::fromUtf8(QJsonDocument(QJsonArray{e.value})
                                                        .toJson(QJsonDocument::Compact)
                                                        .chopped(1)
                                                        .mid(1)));
        }
    });
}

} // namespace dust
