#pragma once

#include "bookmarks/BookmarkStore.h"
#include "protocol/Path.h"

#include <QDialog>
#include <QList>
#include <QPointer>
#include <QStringList>

#include <functional>

class QAction;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;

namespace dust {

// Ctrl+K / Ctrl+Shift+P: one field and a list, all from the keyboard. Typing filters, by
// fuzzy subsequence (FuzzyMatcher), the window's commands (their text without '&', with the
// shortcut; disabled ones are left out), the store's bookmarks and recent paths, and the
// tree's paths. A leading '>' shows only commands; a leading '/' only paths, where the
// rest is a rendered path completed from the tree. Up/Down (and Page Up/Down) move in the
// list, Enter runs the command or goes to the path (a typed path that is not listed too),
// Escape closes. It owns nothing but its widgets: the actions are the window's.
class CommandPalette : public QDialog
{
    Q_OBJECT
public:
    // Given the text typed so far, full rendered paths to offer (a bounded list):
    // StoreTab::completions.
    using Completions = std::function<QStringList(const QString &typed)>;

    // What a row of the list stands for.
    enum class Kind { Command, Bookmark, Recent, Path, TypedPath };

    explicit CommandPalette(QWidget *parent = nullptr);

    void setActions(const QList<QAction *> &actions);
    void setPathCompletions(Completions completions);
    // The tree's paths fuzzy "go to path" runs over (PathCollector::collect: bounded).
    void setPaths(const QStringList &paths);
    void setBookmarks(const QList<BookmarkStore::Bookmark> &bookmarks);
    void setRecentPaths(const QList<Path> &paths);

    // Puts `text` in the field (">" opens on the commands) and filters.
    void setText(const QString &text);
    QLineEdit *field() const { return m_field; }
    QListWidget *list() const { return m_list; }
    // The kind of row `row` (for tests).
    Kind kindAt(int row) const;
    // What the field's text is not, when Enter found nothing to do ("Not a path: …").
    QString problem() const;

    // Runs the current row (or goes to the typed path).
    void accept() override;

    // The most rows shown.
    static constexpr int maxRows() { return 200; }

signals:
    void pathChosen(const dust::Path &path);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void refilter();
    void addRow(Kind kind, const QString &text, const QString &detail, const QVariant &data);

    QLineEdit *m_field;
    QListWidget *m_list;
    QLabel *m_problem;
    QList<QPointer<QAction>> m_actions;
    Completions m_completions;
    QStringList m_paths;
    QList<BookmarkStore::Bookmark> m_bookmarks;
    QList<Path> m_recent;
};

} // namespace dust
