#include "search/SearchDock.h"

#include "protocol/Glob.h"
#include "search/SearchQuery.h"
#include "search/SearchResultDelegate.h"
#include "search/SearchResultsModel.h"
#include "search/TypeFilterButton.h"
#include "search/ValueSearch.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace dust {

SearchDock::SearchDock(QWidget *parent)
    : QDockWidget(tr("Search in values"), parent)
    , m_results(new SearchResultsModel(this))
    , m_search(new ValueSearch(m_results, this))
{
    setObjectName(QStringLiteral("searchDock"));
    setAccessibleName(tr("Search in values"));

    auto *body = new QWidget(this);
    auto *layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);

    m_unavailable = new QLabel(body);
    m_unavailable->setWordWrap(true);
    m_unavailable->setAccessibleName(tr("Search unavailable"));
    m_unavailable->setText(
        tr("Searching inside values needs the live mirror of the store (a realtime connection). "
           "This store is open over REST only: open it again with a realtime (WebSocket) "
           "connection, without --lazy, to search its values."));
    m_unavailable->setFocusPolicy(Qt::StrongFocus);
    m_unavailable->setTextInteractionFlags(Qt::TextSelectableByMouse |
                                           Qt::TextSelectableByKeyboard);
    m_unavailable->hide();
    layout->addWidget(m_unavailable);

    m_form = new QWidget(body);
    buildForm(m_form);
    layout->addWidget(m_form);

    m_problem = new QLabel(body);
    m_problem->setWordWrap(true);
    m_problem->setAccessibleName(tr("Search problem"));
    QPalette red = m_problem->palette();
    red.setColor(QPalette::WindowText, QColor(0xc0, 0x10, 0x20));
    m_problem->setPalette(red);
    m_problem->hide();
    layout->addWidget(m_problem);

    m_status = new QLabel(body);
    m_status->setAccessibleName(tr("Search count"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    m_view = new QListView(body);
    m_view->setModel(m_results);
    m_view->setItemDelegate(new SearchResultDelegate(m_view));
    m_view->setUniformItemSizes(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setAccessibleName(tr("Search results"));
    m_view->setAccessibleDescription(tr("The values that match, in path order, each with its "
                                        "type and the match in its text. Click a result or "
                                        "press Enter on it to show it in the tree."));
    m_view->installEventFilter(this);
    layout->addWidget(m_view, 1);
    setWidget(body);
    setFocusProxy(m_query);

    setTabOrder(m_query, m_regex);
    setTabOrder(m_regex, m_case);
    setTabOrder(m_case, m_types);
    setTabOrder(m_types, m_scopeMode);
    setTabOrder(m_scopeMode, m_scope);
    setTabOrder(m_scope, m_searchButton);
    setTabOrder(m_searchButton, m_cancelButton);
    setTabOrder(m_cancelButton, m_view);

    connect(m_view, &QAbstractItemView::clicked, this, &SearchDock::activate);
    connect(m_search, &ValueSearch::started, this, &SearchDock::updateStatus);
    connect(m_search, &ValueSearch::progress, this, &SearchDock::updateStatus);
    connect(m_search, &ValueSearch::finished, this, &SearchDock::updateStatus);
    connect(m_search, &ValueSearch::cancelled, this, &SearchDock::updateStatus);
    connect(m_search, &ValueSearch::failed, this, [this](const QString &reason) {
        showProblem(reason);
        updateStatus();
    });
    updateAvailability();
    updateStatus();
}

SearchDock::~SearchDock() = default;

void SearchDock::buildForm(QWidget *form)
{
    auto *grid = new QGridLayout(form);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(4);

    auto *findLabel = new QLabel(tr("Fi&nd:"), form);
    m_query = new QLineEdit(form);
    m_query->setClearButtonEnabled(true);
    m_query->setPlaceholderText(tr("text in values, or a regular expression"));
    m_query->setAccessibleName(tr("Search values for"));
    m_query->setAccessibleDescription(
        tr("The text to find inside the values (a string's own text, other values as JSON). "
           "Press Enter to search, Escape to stop a running search."));
    findLabel->setBuddy(m_query);
    grid->addWidget(findLabel, 0, 0);
    grid->addWidget(m_query, 0, 1, 1, 3);

    m_searchButton = new QPushButton(tr("&Search"), form);
    m_searchButton->setAccessibleName(tr("Search"));
    m_searchButton->setToolTip(tr("Search the values (Enter)"));
    m_cancelButton = new QPushButton(tr("Cance&l"), form);
    m_cancelButton->setAccessibleName(tr("Cancel the search"));
    m_cancelButton->setToolTip(tr("Stop the running search; what was found stays (Escape)"));
    m_cancelButton->setEnabled(false);
    grid->addWidget(m_searchButton, 0, 4);
    grid->addWidget(m_cancelButton, 0, 5);

    m_regex = new QCheckBox(tr("Regular e&xpression"), form);
    m_regex->setAccessibleName(tr("Regular expression"));
    m_regex->setAccessibleDescription(
        tr("Read the text as a regular expression (Perl syntax), over a string's text and the "
           "JSON text of other values."));
    m_case = new QCheckBox(tr("Match c&ase"), form);
    m_case->setAccessibleName(tr("Match case"));
    m_case->setAccessibleDescription(tr("Upper and lower case must match exactly."));
    m_types = new TypeFilterButton(form);
    auto *options = new QHBoxLayout;
    options->addWidget(m_regex);
    options->addWidget(m_case);
    options->addWidget(m_types);
    options->addStretch(1);
    grid->addLayout(options, 1, 1, 1, 5);

    auto *inLabel = new QLabel(tr("&In:"), form);
    m_scopeMode = new QComboBox(form);
    m_scopeMode->addItem(tr("Whole store"));
    m_scopeMode->addItem(tr("Selected node"));
    m_scopeMode->addItem(tr("Path or glob"));
    m_scopeMode->setAccessibleName(tr("Where to search"));
    m_scopeMode->setAccessibleDescription(
        tr("The whole store, the node selected in the tree and everything under it, or a path "
           "or glob typed in the next field."));
    inLabel->setBuddy(m_scopeMode);
    m_scope = new QLineEdit(form);
    m_scope->setClearButtonEnabled(true);
    m_scope->setAccessibleName(tr("Path or glob to search in"));
    m_scope->setAccessibleDescription(
        tr("A path (users/alice) searches that node and everything under it; a glob "
           "(users/*/email, logs/**) searches the paths it matches."));
    grid->addWidget(inLabel, 2, 0);
    grid->addWidget(m_scopeMode, 2, 1);
    grid->addWidget(m_scope, 2, 2, 1, 4);
    grid->setColumnStretch(2, 1);

    auto *stop = new QAction(this);
    stop->setShortcut(QKeySequence(Qt::Key_Escape));
    stop->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(stop);
    connect(stop, &QAction::triggered, this, &SearchDock::cancelSearch);

    connect(m_query, &QLineEdit::returnPressed, this, &SearchDock::startSearch);
    connect(m_scope, &QLineEdit::returnPressed, this, &SearchDock::startSearch);
    connect(m_searchButton, &QPushButton::clicked, this, &SearchDock::startSearch);
    connect(m_cancelButton, &QPushButton::clicked, this, &SearchDock::cancelSearch);
    connect(m_scopeMode, &QComboBox::currentIndexChanged, this, &SearchDock::onScopeModeChanged);
    connect(m_scope, &QLineEdit::textEdited, this, [this] {
        if (m_scopeMode->currentIndex() != PathOrGlob) {
            const QSignalBlocker blocker(m_scopeMode);
            m_scopeMode->setCurrentIndex(PathOrGlob);
        }
    });
    onScopeModeChanged(WholeStore);
}

void SearchDock::setSource(SdkTransport *live, const QString &store)
{
    m_search->setSource(live, store);
    m_store = store;
    m_available = live != nullptr;
    m_problem->hide();
    updateAvailability();
    updateStatus();
}

void SearchDock::setScope(const Path &node)
{
    m_node = node;
    if (m_scopeMode->currentIndex() == SelectedNode)
        onScopeModeChanged(SelectedNode);
}

void SearchDock::focusQuery()
{
    if (!m_available) {
        m_unavailable->setFocus(Qt::ShortcutFocusReason); // read out by screen readers
        return;
    }
    m_query->setFocus(Qt::ShortcutFocusReason);
    m_query->selectAll();
}

void SearchDock::onScopeModeChanged(int mode)
{
    switch (mode) {
    case WholeStore:
        m_scope->clear();
        m_scope->setPlaceholderText(tr("the whole store"));
        break;
    case SelectedNode:
        m_scope->setText(m_node.isValid() ? m_node.rendered() : QString());
        m_scope->setPlaceholderText(tr("no node selected: the whole store"));
        break;
    default:
        m_scope->setPlaceholderText(tr("a path (users/alice) or a glob (users/*/email)"));
        break;
    }
}

QString SearchDock::statusText() const
{
    return m_status->text();
}

QString SearchDock::problemText() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

QString SearchDock::unavailableText() const
{
    return m_unavailable->isHidden() ? QString() : m_unavailable->text();
}

void SearchDock::showProblem(const QString &text)
{
    m_problem->setText(text);
    m_problem->setVisible(!text.isEmpty());
}

void SearchDock::updateAvailability()
{
    m_unavailable->setVisible(!m_available && !m_store.isEmpty());
    m_form->setEnabled(m_available);
    m_view->setEnabled(m_available);
}

bool SearchDock::queryFromForm(SearchQuery &query)
{
    query.text = m_query->text();
    query.regex = m_regex->isChecked();
    query.caseSensitive = m_case->isChecked();
    query.types = m_types->types();
    if (query.text.isEmpty()) {
        showProblem(tr("Type the text (or the regular expression) to search the values for."));
        return false;
    }
    const QString scope = m_scope->text().trimmed();
    if (scope.isEmpty())
        return true;
    const auto glob = Glob::compile(scope);
    if (!glob) {
        showProblem(tr("“%1” is not a path or a glob: %2. Use segments separated by /, "
                       "~0 for ~ and ~1 for /, * for one segment and ** at the end for any "
                       "number.")
                        .arg(scope, globErrorName(glob.error())));
        return false;
    }
    if (glob->isExact()) {
        const auto path = Path::parse(scope);
        if (path) {
            query.scope = *path;
            return true;
        }
    }
    query.glob = scope;
    return true;
}

void SearchDock::startSearch()
{
    if (!m_available)
        return;
    SearchQuery query;
    if (!queryFromForm(query))
        return;
    m_problem->hide();
    if (!m_search->start(query))
        showProblem(m_search->errorString());
    updateStatus();
}

void SearchDock::cancelSearch()
{
    m_search->cancel();
    updateStatus();
}

void SearchDock::updateStatus()
{
    const ValueSearch::State state = m_search->state();
    m_cancelButton->setEnabled(state == ValueSearch::State::Running);
    const QLocale locale;
    const qint64 matches = m_search->matchCount();
    const QString values = locale.toString(m_search->valuesSearched());
    const QString found = matches == 1
                              ? tr("1 match in %1 values").arg(values)
                              : tr("%1 matches in %2 values").arg(locale.toString(matches), values);
    const QString seconds = locale.toString(double(m_search->elapsedMs()) / 1000.0, 'f', 1);
    QString text;
    switch (m_available ? state : ValueSearch::State::Idle) {
    case ValueSearch::State::Idle:
        break;
    case ValueSearch::State::Running:
        text = tr("Searching… %1").arg(found);
        break;
    case ValueSearch::State::Finished:
        text = tr("%1, %2 s").arg(found, seconds);
        break;
    case ValueSearch::State::Cancelled:
        text = tr("Cancelled: %1, %2 s").arg(found, seconds);
        break;
    case ValueSearch::State::Failed:
        text = tr("Stopped: %1").arg(found);
        break;
    }
    if (!text.isEmpty() && matches > m_results->rowCount())
        text += tr(" (the first %1 listed)").arg(locale.toString(m_results->rowCount()));
    m_status->setText(text);
}

void SearchDock::activate(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    const QVariant path = index.data(SearchResultsModel::PathRole);
    if (path.canConvert<Path>())
        emit pathActivated(path.value<Path>());
}

bool SearchDock::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            activate(m_view->currentIndex());
            return true;
        }
    }
    return QDockWidget::eventFilter(watched, event);
}

} // namespace dust
