#include "search/TypeFilterButton.h"

#include <QAction>
#include <QMenu>

namespace dust {

TypeFilterButton::TypeFilterButton(QWidget *parent)
    : QToolButton(parent)
    , m_menu(new QMenu(this))
{
    setPopupMode(QToolButton::InstantPopup);
    setToolButtonStyle(Qt::ToolButtonTextOnly);
    setAccessibleName(tr("Types searched"));
    setAccessibleDescription(tr("Opens a list of leaf types: check some to search only values "
                                "of those types; none checked searches every type."));
    setToolTip(tr("Search only values of the checked types"));

    m_all = m_menu->addAction(tr("&Every type"));
    m_all->setToolTip(tr("Uncheck every type: search all values"));
    connect(m_all, &QAction::triggered, this, [this] { setTypes({}); });
    m_menu->addSeparator();
    // The types the server derives or writes (dust-protocol.md §3.3).
    const QStringList known = {
        QStringLiteral("string"),  QStringLiteral("integer"), QStringLiteral("float"),
        QStringLiteral("boolean"), QStringLiteral("null"),    QStringLiteral("counter"),
        QStringLiteral("set"),     QStringLiteral("file"),    QStringLiteral("lease"),
        QStringLiteral("map"),     QStringLiteral("decimal"), QStringLiteral("datetime"),
    };
    for (const QString &type : known) {
        QAction *action = m_menu->addAction(type);
        action->setCheckable(true);
        action->setData(type);
        connect(action, &QAction::toggled, this, [this] {
            updateText();
            emit typesChanged(types());
        });
        m_actions.append(action);
    }
    setMenu(m_menu);
    updateText();
}

TypeFilterButton::~TypeFilterButton() = default;

QStringList TypeFilterButton::types() const
{
    QStringList out;
    for (const QAction *action : m_actions)
        if (action->isChecked())
            out.append(action->data().toString());
    return out;
}

void TypeFilterButton::setTypes(const QStringList &types)
{
    for (QAction *action : std::as_const(m_actions)) {
        const QSignalBlocker blocker(action);
        action->setChecked(types.contains(action->data().toString()));
    }
    updateText();
    emit typesChanged(this->types());
}

QAction *TypeFilterButton::actionFor(const QString &type) const
{
    for (QAction *action : m_actions)
        if (action->data().toString() == type)
            return action;
    return nullptr;
}

void TypeFilterButton::updateText()
{
    const QStringList chosen = types();
    setText(chosen.isEmpty() ? tr("T&ypes: all")
                             : tr("T&ypes: %1").arg(chosen.join(QStringLiteral(", "))));
    m_all->setEnabled(!chosen.isEmpty());
}

} // namespace dust
