#pragma once

#include "edit/EditRequest.h"
#include "protocol/Path.h"

#include <QDialog>
#include <QJsonValue>
#include <QString>

#include <optional>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;

namespace dust {

class PathField;

// "New entry": where (a parent path, prefilled from the selected node; empty = the top of
// the store), its name (one raw segment, escaping shown as typed), a type and a value. The
// preview shows exactly what will be written (EditRequest::summary()). Create is enabled
// only when all of it is valid; otherwise the problem is shown in words.
//
// The result is an EditRequest: a Set with ifAbsent, so the create never replaces what
// someone else made meanwhile. The dialog writes nothing: after exec() == Accepted the lead
// hands request() to the EditController, and on success pushes a CreateCommand.
//
// A JSON object is refused here: a set of an object writes a subtree, which cannot be
// conditional on nothing being there (if_absent is for one leaf, dust-protocol.md §3.4).
// Create the node's first leaf, or use "Paste JSON into node", which shows what it replaces.
class NewEntryDialog : public QDialog
{
    Q_OBJECT
public:
    enum class ValueType { String, Integer, Float, Boolean, Null, Json };

    explicit NewEntryDialog(const Path &parentPath, QWidget *parent = nullptr);

    // The request to write; nothing while the input is not valid.
    std::optional<EditRequest> request() const;
    // Why Create is disabled (empty when it is enabled).
    QString problem() const { return m_problem; }
    QString previewText() const;

    PathField *parentField() const { return m_parentField; }
    PathField *nameField() const { return m_nameField; }
    QComboBox *typeBox() const { return m_type; }
    QPlainTextEdit *valueEdit() const { return m_value; }
    void setValueType(ValueType type);

private:
    void revalidate();
    std::optional<QJsonValue> parsedValue(QString *problem) const;

    PathField *m_parentField;
    PathField *m_nameField;
    QComboBox *m_type;
    QPlainTextEdit *m_value;
    QLabel *m_preview;
    QLabel *m_problemLabel;
    QDialogButtonBox *m_buttons;
    QString m_problem;
    std::optional<EditRequest> m_request;
};

} // namespace dust
