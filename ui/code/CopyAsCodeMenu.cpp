#include "code/CopyAsCodeMenu.h"

#include <QApplication>
#include <QClipboard>

namespace dust {

CopyAsCodeMenu::CopyAsCodeMenu(TargetSource source, QWidget *parent)
    : QMenu(tr("Copy as Co&de"), parent)
    , m_source(std::move(source))
{
    setAccessibleName(tr("Copy as code"));
    setToolTipsVisible(true);
    const std::pair<SnippetLanguage, QString> entries[] = {
        {SnippetLanguage::Curl, tr("&curl")},
        {SnippetLanguage::Cli, tr("dust C&LI")},
        {SnippetLanguage::JavaScript, tr("&JavaScript (TypeScript SDK)")},
        {SnippetLanguage::Elixir, tr("&Elixir")},
    };
    for (const auto &[language, text] : entries) {
        QAction *action = addAction(text);
        action->setStatusTip(
            tr("Copies %1 code that does this, with the token read from $%2")
                .arg(codesnippets::languageName(language), codesnippets::tokenVariable()));
        connect(action, &QAction::triggered, this, [this, language = language] { copy(language); });
        m_actions.append({language, action});
    }
    connect(this, &QMenu::aboutToShow, this, &CopyAsCodeMenu::updateActions);
}

QAction *CopyAsCodeMenu::action(SnippetLanguage language) const
{
    for (const auto &[lang, action] : m_actions)
        if (lang == language)
            return action;
    return nullptr;
}

void CopyAsCodeMenu::updateActions()
{
    const auto target = m_source ? m_source() : std::nullopt;
    for (const auto &[language, action] : std::as_const(m_actions)) {
        QString why;
        const bool can = target && codesnippets::canExpress(language, *target, &why);
        action->setEnabled(can);
        action->setToolTip(can ? action->statusTip()
                               : (target ? why : tr("Select an entry first")));
    }
}

bool CopyAsCodeMenu::copy(SnippetLanguage language)
{
    const auto target = m_source ? m_source() : std::nullopt;
    if (!target || !codesnippets::canExpress(language, *target))
        return false;
    QApplication::clipboard()->setText(codesnippets::snippet(language, *target));
    emit copied(tr("Copied %1 code for %2 (the token is read from $%3).")
                    .arg(codesnippets::languageName(language), target->path.rendered(),
                         codesnippets::tokenVariable()));
    return true;
}

} // namespace dust
