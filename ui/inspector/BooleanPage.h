#pragma once

#include "inspector/InspectorPage.h"

class QLabel;

namespace dust {

// A boolean: true or false.
class BooleanPage : public InspectorPage
{
    Q_OBJECT
public:
    explicit BooleanPage(QWidget *parent = nullptr);

    QString valueText() const override;

protected:
    void showEntry(const Entry &entry) override;

private:
    QLabel *m_value;
};

} // namespace dust
