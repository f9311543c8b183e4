#pragma once

#include "inspector/EditForm.h"

#include <QJsonValue>

#include <vector>

class QFormLayout;
class QLabel;
class QLineEdit;
class QScrollArea;

namespace dust {

// A map (an assembled subtree): its children as a form of fields, one per top-level key (a
// text child as its text, anything else as compact JSON). Save writes a `merge` of only the
// fields changed, so children nobody touched are left as they are. At most kMaxFields fields
// are shown, and a child whose JSON is longer than kMaxFieldChars is shown read-only: the
// whole map can still be edited as JSON (Change type… → JSON).
class MapForm : public EditForm
{
    Q_OBJECT
public:
    static constexpr int kMaxFields = 200;
    static constexpr qsizetype kMaxFieldChars = 4096;

    explicit MapForm(QWidget *parent = nullptr);

    void load(const Entry &entry) override;
    std::optional<EditRequest> pending() const override;
    QString problem() const override;
    bool hasInput() const override;
    void restore(const EditRequest &request) override;
    void applyPolicy(const WhyNot &whyNot) override;
    QString hint() const override;

    // The input of the child `key` (null when not shown).
    QLineEdit *field(const QString &key) const;
    int fieldCount() const { return int(m_fields.size()); }

private:
    struct Field
    {
        QString key;
        QJsonValue initial;
        bool text = false;    // a string child, edited as its text
        bool tooLong = false; // longer than kMaxFieldChars: shown read-only, never written
        QLineEdit *edit = nullptr;
    };
    // The value a field holds now; nullopt with `why` when its JSON is not valid.
    static std::optional<QJsonValue> fieldValue(const Field &field, QString *why);
    static QString fieldText(const QJsonValue &value);
    void clearFields();

    QLabel *m_about;
    QScrollArea *m_scroll;
    QWidget *m_fieldsWidget;
    QFormLayout *m_form;
    std::vector<Field> m_fields;
    bool m_loading = false;
};

} // namespace dust
