#include "inspector/SetPage.h"

#include "inspector/JsonTreeModel.h"
#include "protocol/JsonBytes.h"

#include <QJsonArray>
#include <QLabel>
#include <QListView>
#include <QVBoxLayout>

namespace dust {

SetPage::SetPage(QWidget *parent)
    : InspectorPage(parent)
    , m_note(new QLabel(this))
    , m_list(new QListView(this))
    , m_model(new JsonTreeModel(this))
{
    setAccessibleName(tr("Set value"));
    m_note->setWordWrap(true);
    m_note->setAccessibleName(tr("Member count"));
    m_list->setModel(m_model);
    m_list->setModelColumn(JsonTreeModel::ValueColumn);
    m_list->setUniformItemSizes(true);
    m_list->setAccessibleName(tr("Set members"));
    m_list->setAccessibleDescription(tr("The members of the set, most recently added first."));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_note);
    layout->addWidget(m_list, 1);
    setFocusProxy(m_list);
}

void SetPage::showEntry(const Entry &entry)
{
    const QJsonArray members = entry.value.toArray();
    m_note->setText(members.size() == 1 ? tr("A set of 1 member.")
                                        : tr("A set of %1 members.").arg(members.size()));
    m_model->setValue(members);
}

QString SetPage::valueText() const
{
    QStringList lines;
    const QJsonArray members = entry().value.toArray();
    for (const QJsonValue &member : members)
        lines.append(QString::fromUtf8(jsonbytes::fromJsonValue(member)));
    return lines.join(QLatin1Char('\n'));
}

QString SetPage::noteText() const
{
    return m_note->text();
}

} // namespace dust
