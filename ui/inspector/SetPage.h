#pragma once

#include "inspector/InspectorPage.h"

class QLabel;
class QListView;

namespace dust {

class JsonTreeModel;

// A set (add/remove members): its members as a list, newest first as the server keeps
// them, each as compact JSON.
class SetPage : public InspectorPage
{
    Q_OBJECT
public:
    explicit SetPage(QWidget *parent = nullptr);

    // The members, one per line, as compact JSON.
    QString valueText() const override;
    QString noteText() const override;
    QListView *list() const { return m_list; }

protected:
    void showEntry(const Entry &entry) override;

private:
    QLabel *m_note;
    QListView *m_list;
    JsonTreeModel *m_model; // a child: the members (the value column is listed)
};

} // namespace dust
