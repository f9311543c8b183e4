#include "inspector/SetForm.h"

#include "inspector/JsonTreeModel.h"
#include "protocol/StrictJson.h"

#include <QAbstractItemView>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace dust {

SetForm::SetForm(QWidget *parent)
    : EditForm(parent)
    , m_label(new QLabel(tr("&Member:"), this))
    , m_member(new QLineEdit(this))
    , m_json(new QCheckBox(tr("&JSON"), this))
    , m_add(new QPushButton(tr("&Add member"), this))
    , m_remove(new QPushButton(tr("&Remove selected"), this))
{
    setAccessibleName(tr("Set form"));
    m_label->setBuddy(m_member);
    m_member->setAccessibleName(tr("Member to add"));
    m_member->setPlaceholderText(tr("A member to add"));
    m_json->setAccessibleName(tr("Member is JSON"));
    m_json->setAccessibleDescription(
        tr("Reads the member as JSON (12, true, {\"a\": 1}) instead of as text."));
    m_add->setAccessibleName(tr("Add member"));
    m_add->setAccessibleDescription(tr("Stages adding the member; Save sends it."));
    m_remove->setAccessibleName(tr("Remove selected member"));
    m_remove->setAccessibleDescription(
        tr("Stages removing the member selected in the list; Save sends it."));
    connect(m_add, &QPushButton::clicked, this, &SetForm::stageAdd);
    connect(m_remove, &QPushButton::clicked, this, &SetForm::stageRemove);
    connect(m_member, &QLineEdit::returnPressed, this, [this] {
        if (m_staged && m_staged->kind == EditRequest::Kind::AddMember)
            emit submitted();
        else
            stageAdd();
    });
    const auto edited = [this] {
        m_staged.reset();
        m_problem.clear();
        emit inputChanged();
    };
    connect(m_member, &QLineEdit::textChanged, this, edited);
    connect(m_json, &QCheckBox::toggled, this, edited);

    auto *row = new QHBoxLayout;
    row->addWidget(m_label);
    row->addWidget(m_member, 1);
    row->addWidget(m_json);
    row->addWidget(m_add);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    auto *second = new QHBoxLayout;
    second->addStretch(1);
    second->addWidget(m_remove);
    layout->addLayout(second);
    setTabOrder(m_member, m_json);
    setTabOrder(m_json, m_add);
    setTabOrder(m_add, m_remove);
    setFocusProxy(m_member);
    updateRemove();
}

void SetForm::setMembersView(QAbstractItemView *view)
{
    m_view = view;
    if (view && view->selectionModel())
        connect(view->selectionModel(), &QItemSelectionModel::currentChanged, this,
                &SetForm::updateRemove);
    updateRemove();
}

void SetForm::load(const Entry &entry)
{
    setEntry(entry);
    m_staged.reset();
    m_problem.clear();
    {
        const QSignalBlocker blocker(m_member);
        m_member->clear();
    }
    updateRemove();
    emit inputChanged();
}

void SetForm::stageAdd()
{
    m_staged.reset();
    m_problem.clear();
    const QString text = m_member->text();
    QJsonValue member(text);
    if (m_json->isChecked()) {
        const QByteArray utf8 = text.toUtf8();
        const StrictJson::Result check = StrictJson::validate(utf8);
        if (!check) {
            m_problem = tr("The member is not valid JSON (column %1): %2")
                            .arg(QString::fromUtf8(utf8.left(check.offset)).size() + 1)
                            .arg(StrictJson::describe(check.problem));
            emit inputChanged();
            return;
        }
        member = QJsonDocument::fromJson('[' + utf8 + ']').array().at(0);
    } else if (text.isEmpty()) {
        m_problem = tr("Type the member to add.");
        emit inputChanged();
        return;
    }
    if (member.isNull()) {
        m_problem = tr("A set member cannot be null.");
        emit inputChanged();
        return;
    }
    EditRequest request;
    request.kind = EditRequest::Kind::AddMember;
    request.value = member;
    m_staged = request;
    emit inputChanged();
}

void SetForm::stageRemove()
{
    m_staged.reset();
    m_problem.clear();
    const auto *model = m_view ? qobject_cast<const JsonTreeModel *>(m_view->model()) : nullptr;
    const QModelIndex current = m_view ? m_view->currentIndex() : QModelIndex();
    if (!model || !current.isValid()) {
        m_problem = tr("Select the member to remove in the list.");
        emit inputChanged();
        return;
    }
    EditRequest request;
    request.kind = EditRequest::Kind::RemoveMember;
    request.value = model->valueAt(current);
    m_staged = request;
    emit inputChanged();
}

std::optional<EditRequest> SetForm::pending() const
{
    return m_staged;
}

void SetForm::restore(const EditRequest &request)
{
    m_problem.clear();
    if (request.kind == EditRequest::Kind::AddMember) {
        const QSignalBlocker blocker(m_member);
        const QSignalBlocker jsonBlocker(m_json);
        const bool text = request.value.isString();
        m_json->setChecked(!text);
        m_member->setText(
            text ? request.value.toString()
                 : QString::fromUtf8(
                       QJsonDocument(QJsonArray{request.value}).toJson(QJsonDocument::Compact))
                       .mid(1)
                       .chopped(1));
    }
    m_staged = request;
    emit inputChanged();
}

void SetForm::applyPolicy(const WhyNot &whyNot)
{
    const QString add = whyNot(EditRequest::Kind::AddMember);
    allow(m_member, add);
    allow(m_json, add);
    allow(m_add, add);
    m_removeWhy = whyNot(EditRequest::Kind::RemoveMember);
    updateRemove();
}

void SetForm::updateRemove()
{
    if (!m_removeWhy.isEmpty()) {
        allow(m_remove, m_removeWhy);
        return;
    }
    const bool selected = m_view && m_view->currentIndex().isValid();
    m_remove->setEnabled(selected);
    m_remove->setToolTip(selected ? QString() : tr("Select a member in the list first."));
}

} // namespace dust
