#include "bookmarks/ManageBookmarksDialog.h"

#include "bookmarks/BookmarkStore.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

namespace dust {

ManageBookmarksDialog::ManageBookmarksDialog(BookmarkStore *store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_list(new QListWidget(this))
    , m_problem(new QLabel(this))
    , m_rename(new QPushButton(tr("Re&name"), this))
    , m_remove(new QPushButton(tr("&Remove"), this))
    , m_up(new QPushButton(tr("Move &Up"), this))
    , m_down(new QPushButton(tr("Move &Down"), this))
    , m_go(new QPushButton(tr("&Go to"), this))
{
    setWindowTitle(tr("Manage Bookmarks"));
    auto *label = new QLabel(tr("&Bookmarks of this store:"), this);
    label->setBuddy(m_list);
    m_list->setAccessibleName(tr("Bookmarks"));
    m_list->setAccessibleDescription(
        tr("F2 renames, Delete removes, Alt+Up and Alt+Down reorder, Enter goes to the path"));
    m_list->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::DoubleClicked);
    m_problem->setWordWrap(true);
    m_problem->setAccessibleName(tr("Problem saving the bookmarks"));
    m_problem->hide();
    m_rename->setAccessibleDescription(tr("Edits the name the menu shows for the bookmark"));
    m_remove->setAccessibleDescription(tr("Removes the bookmark (not the entry)"));
    m_up->setAccessibleDescription(tr("Moves the bookmark one place up"));
    m_down->setAccessibleDescription(tr("Moves the bookmark one place down"));
    m_go->setAccessibleDescription(tr("Closes this and goes to the bookmarked path"));

    auto *buttons = new QVBoxLayout;
    for (QPushButton *button : {m_go, m_rename, m_remove, m_up, m_down}) {
        button->setAutoDefault(false);
        buttons->addWidget(button);
    }
    buttons->addStretch(1);
    auto *row = new QHBoxLayout;
    row->addWidget(m_list, 1);
    row->addLayout(buttons);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addLayout(row, 1);
    layout->addWidget(m_problem);
    layout->addWidget(close);

    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_rename, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem *item = m_list->currentItem())
            m_list->editItem(item);
    });
    connect(m_remove, &QPushButton::clicked, this, &ManageBookmarksDialog::removeCurrent);
    connect(m_up, &QPushButton::clicked, this, [this] { moveCurrent(-1); });
    connect(m_down, &QPushButton::clicked, this, [this] { moveCurrent(1); });
    connect(m_go, &QPushButton::clicked, this, &ManageBookmarksDialog::goToCurrent);
    connect(m_list, &QListWidget::itemActivated, this, &ManageBookmarksDialog::goToCurrent);
    connect(m_list, &QListWidget::currentRowChanged, this, &ManageBookmarksDialog::updateButtons);
    connect(m_list, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        if (m_filling || !m_store)
            return;
        const auto path = Path::parse(item->data(Qt::UserRole).toString());
        if (!path)
            return;
        report(m_store->rename(*path, item->text()));
        // The name as saved (an empty one shows the path).
        const qsizetype at = m_store->indexOf(*path);
        m_filling = true;
        if (at >= 0)
            item->setText(m_store->bookmarks().at(at).label());
        m_filling = false;
    });
    auto *del = new QShortcut(QKeySequence::Delete, m_list);
    del->setContext(Qt::WidgetShortcut);
    connect(del, &QShortcut::activated, this, &ManageBookmarksDialog::removeCurrent);
    auto *up = new QShortcut(QKeySequence(Qt::ALT | Qt::Key_Up), m_list);
    up->setContext(Qt::WidgetShortcut);
    connect(up, &QShortcut::activated, this, [this] { moveCurrent(-1); });
    auto *down = new QShortcut(QKeySequence(Qt::ALT | Qt::Key_Down), m_list);
    down->setContext(Qt::WidgetShortcut);
    connect(down, &QShortcut::activated, this, [this] { moveCurrent(1); });
    fill(0);
}

void ManageBookmarksDialog::fill(int current)
{
    m_filling = true;
    m_list->clear();
    if (m_store) {
        for (const auto &bookmark : m_store->bookmarks()) {
            auto *item = new QListWidgetItem(bookmark.label(), m_list);
            item->setData(Qt::UserRole, bookmark.path.rendered());
            item->setToolTip(bookmark.path.rendered());
            item->setData(Qt::AccessibleDescriptionRole, bookmark.path.rendered());
            item->setFlags(item->flags() | Qt::ItemIsEditable);
        }
    }
    m_filling = false;
    if (m_list->count() > 0)
        m_list->setCurrentRow(std::clamp(current, 0, m_list->count() - 1));
    updateButtons();
}

void ManageBookmarksDialog::updateButtons()
{
    const int row = m_list->currentRow();
    const bool any = row >= 0;
    m_rename->setEnabled(any);
    m_remove->setEnabled(any);
    m_go->setEnabled(any);
    m_up->setEnabled(any && row > 0);
    m_down->setEnabled(any && row + 1 < m_list->count());
}

Path ManageBookmarksDialog::currentPath() const
{
    const QListWidgetItem *item = m_list->currentItem();
    if (!item)
        return {};
    const auto path = Path::parse(item->data(Qt::UserRole).toString());
    return path ? *path : Path();
}

void ManageBookmarksDialog::report(const QString &error)
{
    m_problem->setText(error);
    m_problem->setVisible(!error.isEmpty());
}

void ManageBookmarksDialog::removeCurrent()
{
    const Path path = currentPath();
    if (!m_store || !path.isValid())
        return;
    const int row = m_list->currentRow();
    report(m_store->remove(path));
    fill(row);
}

void ManageBookmarksDialog::moveCurrent(int by)
{
    const Path path = currentPath();
    if (!m_store || !path.isValid())
        return;
    const int to = m_list->currentRow() + by;
    if (to < 0 || to >= m_list->count())
        return;
    report(m_store->move(path, to));
    fill(to);
}

void ManageBookmarksDialog::goToCurrent()
{
    const Path path = currentPath();
    if (!path.isValid())
        return;
    accept();
    emit pathChosen(path);
}

} // namespace dust
