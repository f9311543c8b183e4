#pragma once

#include "inspector/ValueFormatter.h"
#include "protocol/Entry.h"

#include <QString>
#include <QWidget>

class QLabel;

namespace dust {

class ChunkedTextView;

// One page of the inspector: how one kind of value is shown. A page keeps the entry it shows
// (entry()), so that editing, when it comes, acts on the revision that is on screen; it owns
// nothing but its widgets.
class InspectorPage : public QWidget
{
    Q_OBJECT
public:
    using QWidget::QWidget;

    // Shows `entry` and keeps it.
    void setEntry(const Entry &entry);
    const Entry &entry() const { return m_entry; }

    // The value as plain text (for tests and accessibility).
    virtual QString valueText() const = 0;
    // The line that says what kind of value this is, when the page shows one ("counter: …",
    // "an array stored with type string", …); empty otherwise.
    virtual QString noteText() const { return {}; }
    // The text area of pages whose text can be big, and the style it is formatted in. A page
    // fills it itself when the value is small; for a big one it only begins it
    // (ChunkedTextView::isReceiving()) and the inspector streams the text in.
    virtual ChunkedTextView *textView() const { return nullptr; }
    virtual ValueFormatter::Style textStyle() const { return ValueFormatter::Style::Json; }

protected:
    virtual void showEntry(const Entry &entry) = 0;
    // Fills `view` with the text of `value`, or begins it when the value is big.
    static void fillText(ChunkedTextView *view, const QJsonValue &value,
                         ValueFormatter::Style style);
    // The text of `view` and, when it was cut short, a line that says so.
    static QString textOf(const ChunkedTextView *view);
    // A read-only field of a page's form: plain text, selectable, wrapped, named for
    // assistive technology.
    static QLabel *fieldLabel(QWidget *parent, const QString &accessibleName);

private:
    Entry m_entry;
};

} // namespace dust
