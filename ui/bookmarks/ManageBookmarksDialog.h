#pragma once

#include "protocol/Path.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QListWidget;
class QPushButton;

namespace dust {

class BookmarkStore;

// Manage Bookmarks: the store's bookmarks in order, each renamed in place (F2 or Rename),
// moved up or down (Alt+Up / Alt+Down), removed (Delete), or gone to (Enter). Changes are
// saved at once through the BookmarkStore (not owned); the dialog owns only its widgets.
class ManageBookmarksDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ManageBookmarksDialog(BookmarkStore *store, QWidget *parent = nullptr);

    QListWidget *list() const { return m_list; }
    QPushButton *renameButton() const { return m_rename; }
    QPushButton *removeButton() const { return m_remove; }
    QPushButton *upButton() const { return m_up; }
    QPushButton *downButton() const { return m_down; }
    QPushButton *goButton() const { return m_go; }

    void removeCurrent();
    void moveCurrent(int by);
    void goToCurrent();

signals:
    void pathChosen(const dust::Path &path);

private:
    void fill(int current);
    void updateButtons();
    Path currentPath() const;
    void report(const QString &error);

    QPointer<BookmarkStore> m_store;
    QListWidget *m_list;
    QLabel *m_problem;
    QPushButton *m_rename;
    QPushButton *m_remove;
    QPushButton *m_up;
    QPushButton *m_down;
    QPushButton *m_go;
    bool m_filling = false;
};

} // namespace dust
