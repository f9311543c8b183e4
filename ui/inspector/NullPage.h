#pragma once

#include "inspector/InspectorPage.h"

class QLabel;

namespace dust {

// A null value: the entry exists and holds null (a missing entry is not shown here).
class NullPage : public InspectorPage
{
    Q_OBJECT
public:
    explicit NullPage(QWidget *parent = nullptr);

    QString valueText() const override;
    QString noteText() const override;

protected:
    void showEntry(const Entry &) override {}

private:
    QLabel *m_value;
    QLabel *m_note;
};

} // namespace dust
