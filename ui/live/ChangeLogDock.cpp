#include "live/ChangeLogDock.h"

#include "model/ChangeLogModel.h"
#include "protocol/Glob.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QScrollBar>
#include <QTableView>
#include <QTime>
#include <QToolButton>
#include <QVBoxLayout>

namespace dust {

namespace {

QString globProblemText(GlobError error)
{
    switch (error) {
    case GlobError::EmptyPath:
        return ChangeLogDock::tr("the pattern is empty");
    case GlobError::EmptySegment:
        return ChangeLogDock::tr("a segment is empty (two slashes in a row, or a slash at "
                                 "the start or the end)");
    case GlobError::InvalidEscape:
        return ChangeLogDock::tr("a backslash or ~ escape is not valid there");
    case GlobError::WildcardManyNotTail:
        return ChangeLogDock::tr("** may only be the last segment");
    }
    return ChangeLogDock::tr("the pattern is not valid");
}

} // namespace

ChangeLogDock::ChangeLogDock(ChangeLogModel *model, QWidget *parent)
    : QDockWidget(tr("Change log"), parent)
    , m_model(model)
{
    setObjectName(QStringLiteral("changeLogDock"));
    setAccessibleName(tr("Change log"));

    auto *body = new QWidget(this);
    auto *layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);

    // Filter, pause, clear.
    auto *bar = new QHBoxLayout;
    auto *filterLabel = new QLabel(tr("&Filter:"), body);
    m_filter = new QLineEdit(body);
    m_filter->setPlaceholderText(tr("glob over paths, e.g. users/** or */name"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Change log filter"));
    m_filter->setAccessibleDescription(
        tr("Shows only the changes whose path matches this glob: * is one segment, ** any "
           "number of segments at the end. Empty shows every change."));
    filterLabel->setBuddy(m_filter);
    bar->addWidget(filterLabel);
    bar->addWidget(m_filter, 1);

    m_pause = new QAction(tr("&Pause"), this);
    m_pause->setCheckable(true);
    m_pause->setShortcut(QKeySequence(Qt::Key_F8));
    m_pause->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_pause->setToolTip(tr("Pause the change log: new changes are held until you resume"));
    m_pause->setStatusTip(m_pause->toolTip());
    addAction(m_pause);
    m_clear = new QAction(tr("C&lear"), this);
    m_clear->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    m_clear->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_clear->setToolTip(tr("Remove every change from the log, and those held while paused"));
    m_clear->setStatusTip(m_clear->toolTip());
    addAction(m_clear);

    auto *pauseButton = new QToolButton(body);
    pauseButton->setDefaultAction(m_pause);
    pauseButton->setAccessibleName(tr("Pause or resume the change log"));
    auto *clearButton = new QToolButton(body);
    clearButton->setDefaultAction(m_clear);
    clearButton->setAccessibleName(tr("Clear the change log"));
    bar->addWidget(pauseButton);
    bar->addWidget(clearButton);
    layout->addLayout(bar);

    m_filterProblem = new QLabel(body);
    m_filterProblem->setWordWrap(true);
    m_filterProblem->setAccessibleName(tr("Filter problem"));
    QPalette red = m_filterProblem->palette();
    red.setColor(QPalette::WindowText, QColor(0xc0, 0x10, 0x20));
    m_filterProblem->setPalette(red);
    m_filterProblem->hide();
    layout->addWidget(m_filterProblem);

    m_paused = new QLabel(body);
    m_paused->setAccessibleName(tr("Paused changes"));
    m_paused->hide();
    layout->addWidget(m_paused);

    m_skipped = new QLabel(body);
    m_skipped->setWordWrap(true);
    m_skipped->setAccessibleName(tr("Changes missing from the log"));
    m_skipped->hide();
    layout->addWidget(m_skipped);

    m_view = new QTableView(body);
    m_view->setModel(model);
    m_view->setAccessibleName(tr("Changes"));
    m_view->setAccessibleDescription(tr("The store's changes as they arrive, newest last. "
                                        "Click a change or press Enter on it to show its path "
                                        "in the tree."));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTabKeyNavigation(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->installEventFilter(this);
    sizeColumns();
    layout->addWidget(m_view, 1);
    setWidget(body);
    setFocusProxy(m_filter);
    setTabOrder(m_filter, pauseButton);
    setTabOrder(pauseButton, clearButton);
    setTabOrder(clearButton, m_view);

    connect(m_filter, &QLineEdit::textChanged, this, &ChangeLogDock::applyFilter);
    connect(m_view, &QAbstractItemView::clicked, this, &ChangeLogDock::activateRow);

    // New rows are scrolled into view while the view is at its end; scrolling up stops that
    // until the user scrolls back down.
    QScrollBar *scroll = m_view->verticalScrollBar();
    connect(scroll, &QScrollBar::valueChanged, this,
            [this, scroll](int value) { m_follow = value >= scroll->maximum(); });
    connect(scroll, &QScrollBar::rangeChanged, this, [this, scroll](int, int max) {
        if (m_follow)
            scroll->setValue(max);
    });

    connect(m_pause, &QAction::toggled, this, [this](bool paused) {
        if (m_model)
            m_model->setPaused(paused);
    });
    connect(m_clear, &QAction::triggered, this, [this] {
        if (m_model)
            m_model->clear();
        m_skipped->hide();
    });
    m_model = nullptr;
    setModel(model);
}

void ChangeLogDock::setModel(ChangeLogModel *model)
{
    for (const QMetaObject::Connection &c : std::as_const(m_modelConnections))
        disconnect(c);
    m_modelConnections.clear();
    m_model = model;
    m_view->setModel(model);
    m_skipped->hide();
    const bool usable = model != nullptr;
    m_pause->setEnabled(usable);
    m_clear->setEnabled(usable);
    m_filter->setEnabled(usable);
    if (model) {
        m_modelConnections = {
            connect(model, &ChangeLogModel::pausedChanged, this, &ChangeLogDock::updatePaused),
            connect(model, &ChangeLogModel::pausedEventCountChanged, this,
                    &ChangeLogDock::updatePaused),
        };
        const QSignalBlocker blocker(m_filter);
        m_filter->setText(model->filter());
        sizeColumns();
    } else {
        const QSignalBlocker blocker(m_filter);
        m_filter->clear();
    }
    m_filterProblem->hide();
    updatePaused();
}

ChangeLogDock::~ChangeLogDock() = default;

ChangeLogModel *ChangeLogDock::model() const
{
    return m_model;
}

QString ChangeLogDock::filterProblem() const
{
    return m_filterProblem->isHidden() ? QString() : m_filterProblem->text();
}

QString ChangeLogDock::skippedText() const
{
    return m_skipped->isHidden() ? QString() : m_skipped->text();
}

void ChangeLogDock::noteEventsSkipped()
{
    m_skipped->setText(tr("Some changes are not listed: the store was reloaded at %1 (a "
                          "snapshot or a long catch-up), so its changes did not arrive one by "
                          "one.")
                           .arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
    m_skipped->show();
}

QString ChangeLogDock::pausedText() const
{
    return m_paused->isHidden() ? QString() : m_paused->text();
}

void ChangeLogDock::applyFilter(const QString &text)
{
    if (!m_model)
        return;
    const QString pattern = text.trimmed();
    if (const std::optional<GlobError> error = m_model->setFilter(pattern)) {
        // The filter stays as it was; the text stays as typed, to be corrected.
        const QString why =
            tr("Not a valid glob: %1. The log still shows \"%2\".")
                .arg(globProblemText(*error),
                     m_model->filter().isEmpty() ? tr("every change") : m_model->filter());
        m_filterProblem->setText(why);
        m_filterProblem->show();
        m_filter->setAccessibleDescription(why);
        return;
    }
    m_filterProblem->clear();
    m_filterProblem->hide();
    m_filter->setAccessibleDescription(
        tr("Shows only the changes whose path matches this glob: * is one segment, ** any "
           "number of segments at the end. Empty shows every change."));
}

void ChangeLogDock::updatePaused()
{
    const bool paused = m_model && m_model->isPaused();
    {
        const QSignalBlocker blocker(m_pause);
        m_pause->setChecked(paused);
    }
    m_pause->setText(paused ? tr("&Resume") : tr("&Pause"));
    m_pause->setToolTip(paused ? tr("Resume the change log: the held changes are added")
                               : tr("Pause the change log: new changes are held until you "
                                    "resume"));
    if (!paused) {
        m_paused->clear();
        m_paused->hide();
        return;
    }
    QString text = tr("Paused — %n new change(s) held", nullptr, m_model->pausedEventCount());
    if (const int dropped = m_model->droppedWhilePaused(); dropped > 0)
        text += tr(" (the oldest %n dropped)", nullptr, dropped);
    m_paused->setText(text);
    m_paused->show();
}

void ChangeLogDock::activateRow(const QModelIndex &index)
{
    if (!m_model || !index.isValid())
        return;
    const Path path = m_model->pathAt(index.row());
    if (path.isValid())
        emit pathActivated(path);
}

bool ChangeLogDock::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            activateRow(m_view->currentIndex());
            return true;
        }
    }
    return QDockWidget::eventFilter(watched, event);
}

void ChangeLogDock::sizeColumns()
{
    if (!m_view->model())
        return; // no sections yet
    QHeaderView *header = m_view->horizontalHeader();
    const QFontMetrics metrics = m_view->fontMetrics();
    const int pad = 16;
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(false);
    header->resizeSection(ChangeLogModel::TimeColumn,
                          metrics.horizontalAdvance(QStringLiteral("00:00:00.000")) + pad);
    header->resizeSection(ChangeLogModel::SeqColumn,
                          metrics.horizontalAdvance(QStringLiteral("00000000")) + pad);
    header->resizeSection(ChangeLogModel::OpColumn,
                          metrics.horizontalAdvance(QStringLiteral("increment")) + pad);
    header->resizeSection(ChangeLogModel::PathColumn, metrics.averageCharWidth() * 32 + pad);
    header->resizeSection(ChangeLogModel::DeviceColumn, metrics.averageCharWidth() * 16 + pad);
    header->setSectionResizeMode(ChangeLogModel::ValueColumn, QHeaderView::Stretch);
}

} // namespace dust
