#pragma once

#include "inspector/EditForm.h"

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace dust {

// A counter: a delta and Increment / Decrement, which stage an `increment` by +delta or
// −delta (the server adds it to the total, so increments made at the same time add up; the
// total is never read, changed and written back). Save sends the staged increment.
class CounterForm : public EditForm
{
    Q_OBJECT
public:
    explicit CounterForm(QWidget *parent = nullptr);

    void load(const Entry &entry) override;
    std::optional<EditRequest> pending() const override;
    QString problem() const override;
    bool hasInput() const override { return m_staged.has_value(); }
    void restore(const EditRequest &request) override;
    void applyPolicy(const WhyNot &whyNot) override;
    QString hint() const override;

    // Stages an increment by +delta (up) or −delta; nothing when the delta is not a number.
    void stage(bool up);

    QLineEdit *deltaEdit() const { return m_delta; }
    QPushButton *incrementButton() const { return m_increment; }
    QPushButton *decrementButton() const { return m_decrement; }

private:
    std::optional<double> delta(QString *why) const;

    QLabel *m_label;
    QLineEdit *m_delta;
    QPushButton *m_increment;
    QPushButton *m_decrement;
    std::optional<double> m_staged; // the signed delta staged
};

} // namespace dust
