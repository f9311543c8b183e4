#pragma once

#include "edit/EditRequest.h"
#include "inspector/EditForm.h"
#include "protocol/Entry.h"

#include <QString>
#include <QWidget>

#include <optional>

class QAbstractItemView;
class QFrame;
class QLabel;
class QHBoxLayout;
class QPushButton;
class QStackedWidget;
class QToolButton;

namespace dust {

class CounterForm;
class FileForm;
class JsonForm;
class LeaseForm;
class MapForm;
class ScalarForm;
class SetForm;

// The editing half of the inspector: the form for the shown entry's type over a footer that
// says what Save will write (op, path, value: EditRequest::summary()), with Change type…,
// Cancel and Save. Save (Ctrl+Return) emits editRequested() with the request complete: path,
// base value, type and revision of the entry shown, and for a `set` of a leaf by a value
// that is not a plain object, ifMatch = that revision (the server refuses if_match on an
// assembled map, and on a plain-object value, dust-protocol.md §3.4). Escape (Cancel) drops
// what was typed.
//
// While the person has input, a newer entry for the same path (showEntry, noteRemoteChange)
// does not touch it: a banner says who changed it and offers Reload (the new value, and the
// revision the next save is conditional on) or Keep editing. Without input, the new value is
// simply shown. A write in flight waits for editSucceeded / editFailed / keepEditing; a
// refused write leaves the input exactly as typed, with the words beside Save.
class EntryEditor : public QWidget
{
    Q_OBJECT
public:
    explicit EntryEditor(QWidget *parent = nullptr);
    ~EntryEditor() override;

    // The set page's member list, for the set form's Remove selected (not owned).
    void setMembersView(QAbstractItemView *view);

    // See InspectorPanel::setWritePolicy.
    void setWritePolicy(EditForm::WhyNot whyNot);
    // Every kind of write refused: no editing at all (the editor hides itself).
    bool isReadOnly() const { return m_readOnly; }

    void showEntry(const Entry &entry);
    // Nothing to edit (nothing selected, loading, an error, a folder).
    void clear();
    void noteRemoteChange(const Entry &now, const QString &deviceId);
    void editSucceeded(const EditRequest &request);
    void editFailed(const EditRequest &request, const QString &words);
    void keepEditing(const EditRequest &request);

    // Save: emits editRequested() with request(), when there is one and none is in flight.
    void save();
    // Drops the input (and a type change): the form shows the latest entry again.
    void cancel();
    // Change type…: "string", "integer", "float", "boolean", "null" or "json".
    void changeType(const QString &type);
    // Reload / Keep editing, as the banner's buttons.
    void reload();
    void dismissBanner();

    // What Save would send now, complete; nullopt when nothing can be sent.
    std::optional<EditRequest> request() const;
    bool hasUnsavedInput() const;
    bool isSaving() const { return m_inFlight.has_value(); }
    // The entry the next save is conditional on, and the newest one shown.
    const Entry &baseEntry() const { return m_base; }
    const Entry &latestEntry() const { return m_latest; }
    // The footer's line ("Will write: …", a problem, "Nothing changed."), the status line
    // ("Saving…", "Saved.", a refusal's words) and the banner's text ("" when hidden).
    QString previewText() const;
    QString statusText() const;
    QString bannerText() const;

    EditForm *currentForm() const;
    ScalarForm *scalarForm() const { return m_scalar; }
    JsonForm *jsonForm() const { return m_json; }
    CounterForm *counterForm() const { return m_counter; }
    SetForm *setForm() const { return m_set; }
    MapForm *mapForm() const { return m_map; }
    LeaseForm *leaseForm() const { return m_lease; }
    FileForm *fileForm() const { return m_file; }
    QPushButton *saveButton() const { return m_save; }
    // The width the row of buttons needs, so none of them is cut (InspectorPanel's minimum).
    int buttonsWidth() const;
    QPushButton *cancelButton() const { return m_cancel; }
    QToolButton *typeButton() const { return m_type; }
    QPushButton *reloadButton() const { return m_reload; }
    QPushButton *keepButton() const { return m_keep; }
    QLabel *previewLabel() const { return m_preview; }

signals:
    void editRequested(const dust::EditRequest &request);
    // The form shown changed (a JSON or map form wants more room than a one-line one).
    void formChanged(dust::EditForm *form);

private:
    EditForm *formFor(const Entry &entry) const;
    void load(const Entry &entry);
    void showForm(EditForm *form);
    void showBannerIfNeeded();
    void setStatus(const QString &text, bool error);
    void refresh();
    QString why(EditRequest::Kind kind) const;
    static bool sameEntry(const Entry &a, const Entry &b);

    QFrame *m_banner;
    QLabel *m_bannerText;
    QPushButton *m_reload;
    QPushButton *m_keep;
    QStackedWidget *m_forms;
    ScalarForm *m_scalar;
    JsonForm *m_json;
    CounterForm *m_counter;
    SetForm *m_set;
    MapForm *m_map;
    LeaseForm *m_lease;
    FileForm *m_file;
    QLabel *m_hint;
    QLabel *m_status;
    QLabel *m_preview;
    QToolButton *m_type;
    QPushButton *m_cancel;
    QPushButton *m_save;
    QHBoxLayout *m_buttons = nullptr;

    EditForm::WhyNot m_whyNot;
    bool m_readOnly = false;
    bool m_active = false;            // an entry is shown
    Entry m_base;                     // what the form was loaded from
    Entry m_latest;                   // the newest entry shown for the same path
    QString m_remoteDevice;           // who made m_latest, when known
    std::optional<Entry> m_dismissed; // Keep editing was chosen while this was the newest
    std::optional<EditRequest> m_inFlight;
};

} // namespace dust
