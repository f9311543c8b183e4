#pragma once

#include "edit/EditRequest.h"
#include "protocol/Path.h"

#include <QDialog>
#include <QJsonValue>
#include <QString>

#include <optional>

class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;

namespace dust {

// "Paste JSON into node": the clipboard's text (editable) is checked as JSON as it changes,
// with the line and column of the first fault. The dialog says what the paste replaces — a
// set of an object at a node removes everything under it first (dust-protocol.md §3.2) — as
// the count of leaves under the node now, which the caller passes (from the tree or a
// listing), and how many leaves it will write, then the preview (EditRequest::summary()).
// An empty object is allowed and said to remove everything under the node.
//
// Result: after exec() == Accepted, request() is a Set of the pasted value at the node,
// without precondition (if_match cannot guard a subtree), carrying the node's current value
// as its base when setBase() was called, for the conflict dialog and the undo. The dialog
// writes nothing.
class PasteSubtreeDialog : public QDialog
{
    Q_OBJECT
public:
    PasteSubtreeDialog(const Path &node, const QString &clipboardText, qint64 leavesNow,
                       QWidget *parent = nullptr);

    // What is at the node now (an assembled map, a leaf, or undefined when nothing).
    void setBase(const QJsonValue &value, const QString &type, qint64 revision);

    std::optional<EditRequest> request() const { return m_request; }
    QString problem() const { return m_problem; }
    QString impactText() const;
    QString previewText() const;
    QPlainTextEdit *textEdit() const { return m_text; }

private:
    void revalidate();

    Path m_node;
    qint64 m_leavesNow = 0;
    QJsonValue m_baseValue = QJsonValue(QJsonValue::Undefined);
    QString m_baseType;
    qint64 m_baseRevision = 0;
    QPlainTextEdit *m_text;
    QLabel *m_impact;
    QLabel *m_preview;
    QLabel *m_problemLabel;
    QDialogButtonBox *m_buttons;
    QString m_problem;
    std::optional<EditRequest> m_request;
};

} // namespace dust
