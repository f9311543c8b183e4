#pragma once

#include <QStringList>
#include <QToolButton>

class QAction;
class QMenu;

namespace dust {

// A button whose menu holds a checkable entry per leaf type (dust-protocol.md §3.3), for
// limiting a search to some types. None checked means every type. Its text says what is
// chosen ("Types: all", "Types: string, counter").
class TypeFilterButton : public QToolButton
{
    Q_OBJECT
public:
    explicit TypeFilterButton(QWidget *parent = nullptr);
    ~TypeFilterButton() override;

    // The checked types; empty: every type.
    QStringList types() const;
    void setTypes(const QStringList &types);
    // The menu's entry for `type` (null for an unknown type).
    QAction *actionFor(const QString &type) const;

signals:
    void typesChanged(const QStringList &types);

private:
    void updateText();

    QMenu *m_menu;
    QList<QAction *> m_actions;
    QAction *m_all = nullptr;
};

} // namespace dust
