#pragma once

#include "code/CodeSnippets.h"

#include <QMenu>

#include <functional>
#include <optional>

namespace dust {

// "Copy as Code": one action per language (curl, dust CLI, JavaScript, Elixir) that puts a
// snippet for the selected node, or for the edit about to be made, on the clipboard. The
// target comes from a function the window gives (the current tab's server, store, path,
// type and the inspector's pending edit); each action is disabled, with the reason as its
// tip, when there is no target or the language cannot express it. Owns only its actions.
class CopyAsCodeMenu : public QMenu
{
    Q_OBJECT
public:
    using TargetSource = std::function<std::optional<SnippetTarget>()>;

    explicit CopyAsCodeMenu(TargetSource source, QWidget *parent = nullptr);

    QAction *action(SnippetLanguage language) const;
    // Enables the actions for the target as it is now (also done before the menu shows).
    void updateActions();
    // Copies the snippet in `language` for the current target; false when there is none.
    bool copy(SnippetLanguage language);

signals:
    // A snippet went to the clipboard: words for the status bar.
    void copied(const QString &message);

private:
    TargetSource m_source;
    QList<std::pair<SnippetLanguage, QAction *>> m_actions;
};

} // namespace dust
