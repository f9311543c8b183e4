#pragma once

#include "inspector/EditForm.h"

#include <QPointer>

class QAbstractItemView;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace dust {

class JsonTreeModel;

// A set: Add member (typed as text, or as JSON with "JSON") stages an `add`; Remove selected
// stages a `remove` of the member selected in the set's list (SetPage's, given with
// setMembersView()). Save sends what is staged.
class SetForm : public EditForm
{
    Q_OBJECT
public:
    explicit SetForm(QWidget *parent = nullptr);

    // The list whose selected member Remove selected removes (not owned); its model is a
    // JsonTreeModel over the members.
    void setMembersView(QAbstractItemView *view);

    void load(const Entry &entry) override;
    std::optional<EditRequest> pending() const override;
    QString problem() const override { return m_problem; }
    bool hasInput() const override { return m_staged.has_value(); }
    void restore(const EditRequest &request) override;
    void applyPolicy(const WhyNot &whyNot) override;

    // Stages an add of the member typed; stages a remove of the selected member.
    void stageAdd();
    void stageRemove();

    QLineEdit *memberEdit() const { return m_member; }
    QCheckBox *jsonToggle() const { return m_json; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *removeButton() const { return m_remove; }

private:
    void updateRemove();

    QLabel *m_label;
    QLineEdit *m_member;
    QCheckBox *m_json;
    QPushButton *m_add;
    QPushButton *m_remove;
    QPointer<QAbstractItemView> m_view;
    std::optional<EditRequest> m_staged;
    QString m_problem;
    QString m_removeWhy; // the policy's reason against remove, if any
};

} // namespace dust
