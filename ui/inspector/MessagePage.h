#pragma once

#include "inspector/InspectorPage.h"

class QLabel;

namespace dust {

// What the inspector shows instead of a value: nothing selected, loading, or why the entry
// could not be read.
class MessagePage : public InspectorPage
{
    Q_OBJECT
public:
    explicit MessagePage(QWidget *parent = nullptr);

    void setMessage(const QString &message);
    QString valueText() const override;

protected:
    void showEntry(const Entry &) override {}

private:
    QLabel *m_message;
};

} // namespace dust
