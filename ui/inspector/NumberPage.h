#pragma once

#include "inspector/InspectorPage.h"

class QLabel;

namespace dust {

// An integer, float or counter; a counter is marked as one (it changes by increments, which
// add up when made at the same time).
class NumberPage : public InspectorPage
{
    Q_OBJECT
public:
    explicit NumberPage(QWidget *parent = nullptr);

    QString valueText() const override;
    QString noteText() const override;
    bool isCounter() const { return entry().type == QLatin1String("counter"); }

protected:
    void showEntry(const Entry &entry) override;

private:
    QLabel *m_number;
    QLabel *m_note;
};

} // namespace dust
