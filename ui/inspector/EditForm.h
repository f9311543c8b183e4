#pragma once

#include "edit/EditRequest.h"
#include "protocol/Entry.h"

#include <QString>
#include <QWidget>

#include <functional>
#include <optional>

namespace dust {

// One form of the inspector's editor: how one kind of value is changed. A form never writes
// and never fills in preconditions: it says what the person asked for (pending(): the kind
// and value of the request, path and base fields left to EntryEditor) or why it cannot be
// sent yet (problem(), in words). It owns nothing but its widgets.
class EditForm : public QWidget
{
    Q_OBJECT
public:
    // Why a kind of write is not allowed (empty: allowed).
    using WhyNot = std::function<QString(EditRequest::Kind)>;

    using QWidget::QWidget;

    // Starts over from `entry`: its value in the inputs, nothing typed or staged.
    virtual void load(const Entry &entry) = 0;
    const Entry &entry() const { return m_entry; }

    // What Save would send now (kind, value and the kind's own fields); nullopt when there
    // is nothing to send or the input is not valid (problem() then says why, when it is a
    // problem rather than nothing typed).
    virtual std::optional<EditRequest> pending() const = 0;
    virtual QString problem() const { return {}; }
    // Whether the person typed or staged something not yet saved.
    virtual bool hasInput() const = 0;
    // Puts the input of `request` back (after a refused write, when it was lost).
    virtual void restore(const EditRequest &request) = 0;
    // Disables the controls whose kind of write is not allowed, with the reason as tooltip.
    virtual void applyPolicy(const WhyNot &whyNot) = 0;
    // A line under the form about what it writes ("Saved with merge: only the changed
    // fields."); empty for none.
    virtual QString hint() const { return {}; }

signals:
    // pending(), problem() or hasInput() may have changed.
    void inputChanged();
    // The person pressed Return in a one-line input: Save, if it can.
    void submitted();

protected:
    void setEntry(const Entry &entry) { m_entry = entry; }
    // Enables `widget` when `why` is empty, else disables it and says why in its tooltip.
    static void allow(QWidget *widget, const QString &why, const QString &tooltip = {});

private:
    Entry m_entry;
};

} // namespace dust
