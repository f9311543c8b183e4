#include "palette/CommandPalette.h"

#include "palette/FuzzyMatcher.h"

#include <QAction>
#include <QCoreApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSet>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace dust {

namespace {

constexpr int KindRole = Qt::UserRole + 1;
constexpr int DataRole = Qt::UserRole + 2;

// "&Copy Path" → "Copy Path"; "&&" stays one '&'.
QString withoutMnemonic(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == QLatin1Char('&')) {
            if (i + 1 < text.size() && text[i + 1] == QLatin1Char('&'))
                out += text[++i];
            continue;
        }
        out += text[i];
    }
    return out;
}

struct Row
{
    CommandPalette::Kind kind;
    QString text;
    QString detail;
    QVariant data;
    int score = 0;
    int order = 0; // insertion order: ties keep it
};

} // namespace

CommandPalette::CommandPalette(QWidget *parent)
    : QDialog(parent)
    , m_field(new QLineEdit(this))
    , m_list(new QListWidget(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Command Palette"));
    setAccessibleName(tr("Command palette"));
    m_field->setPlaceholderText(
        tr("Type a command, a bookmark or a path ('>' commands, '/' paths)"));
    m_field->setAccessibleName(tr("Command or path"));
    m_field->setAccessibleDescription(
        tr("Filters the list as you type. Up and Down choose, Enter runs or goes there, "
           "Escape closes. Start with '>' for commands only, '/' for paths only."));
    m_field->setMinimumWidth(520);
    m_field->installEventFilter(this);
    m_list->setAccessibleName(tr("Matching commands and paths"));
    m_list->setUniformItemSizes(true);
    m_list->setMinimumHeight(280);
    m_problem->setWordWrap(true);
    m_problem->setAccessibleName(tr("Problem with what was typed"));
    m_problem->hide();
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_field);
    layout->addWidget(m_problem);
    layout->addWidget(m_list, 1);
    setTabOrder(m_field, m_list);
    connect(m_field, &QLineEdit::textChanged, this, &CommandPalette::refilter);
    connect(m_field, &QLineEdit::returnPressed, this, &CommandPalette::accept);
    connect(m_list, &QListWidget::itemActivated, this, &CommandPalette::accept);
    refilter();
}

void CommandPalette::setActions(const QList<QAction *> &actions)
{
    m_actions.clear();
    for (QAction *action : actions)
        m_actions.append(action);
    refilter();
}

void CommandPalette::setPathCompletions(Completions completions)
{
    m_completions = std::move(completions);
    refilter();
}

void CommandPalette::setPaths(const QStringList &paths)
{
    m_paths = paths;
    refilter();
}

void CommandPalette::setBookmarks(const QList<BookmarkStore::Bookmark> &bookmarks)
{
    m_bookmarks = bookmarks;
    refilter();
}

void CommandPalette::setRecentPaths(const QList<Path> &paths)
{
    m_recent = paths;
    refilter();
}

void CommandPalette::setText(const QString &text)
{
    m_field->setText(text);
    refilter();
}

CommandPalette::Kind CommandPalette::kindAt(int row) const
{
    const QListWidgetItem *item = m_list->item(row);
    return item ? static_cast<Kind>(item->data(KindRole).toInt()) : Kind::TypedPath;
}

QString CommandPalette::problem() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void CommandPalette::addRow(Kind kind, const QString &text, const QString &detail,
                            const QVariant &data)
{
    auto *item = new QListWidgetItem(
        detail.isEmpty() ? text : text + QStringLiteral("    ") + detail, m_list);
    item->setData(KindRole, int(kind));
    item->setData(DataRole, data);
    QString what;
    switch (kind) {
    case Kind::Command:
        what = tr("command");
        break;
    case Kind::Bookmark:
        what = tr("bookmark");
        break;
    case Kind::Recent:
        what = tr("recent path");
        break;
    case Kind::Path:
    case Kind::TypedPath:
        what = tr("path");
        break;
    }
    item->setData(Qt::AccessibleDescriptionRole, what);
    item->setToolTip(what);
}

void CommandPalette::refilter()
{
    m_problem->hide();
    const QString typed = m_field->text();
    const bool commandsOnly = typed.startsWith(QLatin1Char('>'));
    const bool pathsOnly = typed.startsWith(QLatin1Char('/'));
    const QString query = (commandsOnly || pathsOnly) ? typed.mid(1).trimmed() : typed.trimmed();
    const FuzzyMatcher matcher(query);

    QList<Row> rows;
    QSet<QString> listedPaths;
    const auto offer = [&](Kind kind, const QString &text, const QString &detail,
                           const QVariant &data, QStringView matched) {
        const auto score = matcher.score(matched);
        if (!score)
            return false;
        rows.append({kind, text, detail, data, *score, int(rows.size())});
        return true;
    };

    if (!commandsOnly) {
        for (const auto &bookmark : std::as_const(m_bookmarks)) {
            const QString label = bookmark.label();
            const bool named = label != bookmark.path.rendered();
            const QString haystack =
                named ? label + QLatin1Char(' ') + bookmark.path.rendered() : label;
            if (offer(Kind::Bookmark, QStringLiteral("★ ") + label,
                      named ? bookmark.path.rendered() : tr("bookmark"), bookmark.path.rendered(),
                      haystack))
                listedPaths.insert(bookmark.path.rendered());
        }
        for (const Path &path : std::as_const(m_recent)) {
            if (listedPaths.contains(path.rendered()))
                continue;
            if (offer(Kind::Recent, path.rendered(), tr("recent"), path.rendered(),
                      path.rendered()))
                listedPaths.insert(path.rendered());
        }
    }
    if (!pathsOnly) {
        for (qsizetype i = 0; i < m_actions.size(); ++i) {
            QAction *action = m_actions[i];
            if (!action || !action->isEnabled() || !action->isVisible() || action->isSeparator() ||
                action->text().isEmpty())
                continue;
            const QString text = withoutMnemonic(action->text());
            offer(Kind::Command, text, action->shortcut().toString(QKeySequence::NativeText),
                  int(i), text);
        }
    }
    if (!commandsOnly && (pathsOnly || !query.isEmpty())) {
        if (m_completions) {
            for (const QString &path : m_completions(query)) {
                if (listedPaths.contains(path))
                    continue;
                const auto score = matcher.score(path);
                // The tree's own completion of what was typed: listed even where the
                // subsequence rule would not (it completes segment by segment).
                rows.append(
                    {Kind::Path, path, QString(), path, score ? *score + 5 : 0, int(rows.size())});
                listedPaths.insert(path);
            }
        }
        int fuzzy = 0;
        for (const QString &path : std::as_const(m_paths)) {
            if (listedPaths.contains(path))
                continue;
            if (offer(Kind::Path, path, QString(), path, path)) {
                listedPaths.insert(path);
                if (++fuzzy >= 5 * maxRows())
                    break;
            }
        }
    }
    if (!query.isEmpty())
        std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
            return a.score != b.score ? a.score > b.score : a.order < b.order;
        });
    if (rows.size() > maxRows())
        rows.resize(maxRows());
    // A typed path that is not listed: "Go to" it all the same.
    if ((pathsOnly || query.contains(QLatin1Char('/'))) && !query.isEmpty() &&
        !listedPaths.contains(query) && Path::parse(query)) {
        Row go{Kind::TypedPath, tr("Go to %1").arg(query), tr("path"), query, 0, 0};
        if (pathsOnly)
            rows.prepend(go);
        else
            rows.append(go);
    }

    m_list->clear();
    for (const Row &row : std::as_const(rows))
        addRow(row.kind, row.text, row.detail, row.data);
    if (m_list->count() > 0)
        m_list->setCurrentRow(0);
}

void CommandPalette::accept()
{
    const QListWidgetItem *item = m_list->currentItem();
    if (!item) {
        QString typed = m_field->text().trimmed();
        if (typed.startsWith(QLatin1Char('/')))
            typed = typed.mid(1).trimmed();
        if (typed.isEmpty() || typed.startsWith(QLatin1Char('>'))) {
            m_problem->setText(tr("Nothing matches “%1”.").arg(m_field->text()));
            m_problem->show();
            return;
        }
        const auto parsed = Path::parse(typed);
        if (!parsed) {
            m_problem->setText(tr("Nothing matches, and it is not a path: %1.")
                                   .arg(pathErrorDetail(parsed.error())));
            m_problem->show();
            return;
        }
        QDialog::accept();
        emit pathChosen(*parsed);
        return;
    }
    const auto kind = static_cast<Kind>(item->data(KindRole).toInt());
    const QVariant data = item->data(DataRole);
    if (kind == Kind::Command) {
        const qsizetype index = data.toInt();
        QPointer<QAction> action = index < m_actions.size() ? m_actions[index] : nullptr;
        QDialog::accept();
        // Runs once the palette is closed, so what the command opens is not under it.
        if (action && action->isEnabled())
            QTimer::singleShot(0, action.data(), [action] {
                if (action && action->isEnabled())
                    action->trigger();
            });
        return;
    }
    const auto path = Path::parse(data.toString());
    if (!path) {
        m_problem->setText(tr("Not a path: %1.").arg(pathErrorDetail(path.error())));
        m_problem->show();
        return;
    }
    QDialog::accept();
    emit pathChosen(*path);
}

bool CommandPalette::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_field && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        switch (key->key()) {
        case Qt::Key_Up:
        case Qt::Key_Down:
        case Qt::Key_PageUp:
        case Qt::Key_PageDown:
            QCoreApplication::sendEvent(m_list, event);
            return true;
        default:
            break;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void CommandPalette::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    m_field->setFocus();
    m_field->selectAll();
}

} // namespace dust
