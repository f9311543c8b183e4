#pragma once

#include "inspector/EditForm.h"

class QLabel;
class QPushButton;
class QSpinBox;

namespace dust {

// A lease: Renew for a time to live (seconds) stages a `renew`, Release stages a `release`,
// both with the lease's own fencing token (dust-protocol.md §5.6). Save sends what is staged.
class LeaseForm : public EditForm
{
    Q_OBJECT
public:
    explicit LeaseForm(QWidget *parent = nullptr);

    void load(const Entry &entry) override;
    std::optional<EditRequest> pending() const override;
    QString problem() const override;
    bool hasInput() const override { return m_staged.has_value(); }
    void restore(const EditRequest &request) override;
    void applyPolicy(const WhyNot &whyNot) override;

    void stageRenew();
    void stageRelease();
    // The lease's token, 0 when the value has none.
    qint64 token() const;

    QSpinBox *ttlSpin() const { return m_ttl; }
    QPushButton *renewButton() const { return m_renew; }
    QPushButton *releaseButton() const { return m_release; }

private:
    QLabel *m_label;
    QSpinBox *m_ttl;
    QPushButton *m_renew;
    QPushButton *m_release;
    std::optional<EditRequest> m_staged;
};

} // namespace dust
