#pragma once

#include "edit/EditRequest.h"
#include "protocol/Entry.h"

#include <QPointer>
#include <QString>
#include <QWidget>

#include <functional>

class QStackedWidget;
class QVBoxLayout;

namespace dust {

class BooleanPage;
class ChunkedTextView;
class EditForm;
class EntryEditor;
class EntryHeader;
class FilePage;
class InspectorPage;
class JsonPage;
class LeasePage;
class MessagePage;
class NullPage;
class NumberPage;
class SetPage;
class StringPage;
class Transport;
class ValueFormatter;

// The inspector: a header (EntryHeader: path, segments with their escaping, type, revision,
// size) over one page per kind of value, in a QStackedWidget:
//   string (also decimal, datetime) → StringPage     integer, float, counter → NumberPage
//   boolean → BooleanPage   null → NullPage   set → SetPage   file → FilePage
//   lease → LeasePage       map, an array typed "string", any other type or a value whose
//   shape does not fit its type → JsonPage (tree + Raw)
// Big values (over ValueFormatter::kInlineLimit) are measured and formatted off the UI thread
// and stream into the page in chunks, with Cancel; showing another entry (or nothing, or
// loading, or an error) cancels a formatting still running. The panel never fetches: the
// caller reads the entry (Transport::get) and hands it over; the transport given to
// setSource() is used only to download files.
//
// Wiring it into a window: make it, setSource(transport, store) when a store opens, then per
// selection showLoading(path) → get → showEntry(entry) or showError(path, message), and
// showNothing() when nothing is selected. Re-showing the same entry (a live refresh) keeps
// the page's state (the Raw toggle, a download in progress).
//
// Editing: under the page an EntryEditor shows the form for the entry's
// type (ScalarForm: string, integer, float, boolean, null; CounterForm; SetForm; MapForm;
// LeaseForm; FileForm; JsonForm, a JsonEditor, for arrays and anything else). The panel
// never writes: Save emits editRequested() with the request complete (op, path, value,
// ifMatch and the base the change was made on). The line beside Save shows
// request.summary() ("Will write: set users/alice/age = 31 (if revision 12)") whenever Save
// is enabled, so what is sent was on screen first; no confirmation dialog. Ctrl+Return
// saves, Escape drops the input. The outcome comes back through editSucceeded(),
// editFailed() or keepEditing().
class InspectorPanel : public QWidget
{
    Q_OBJECT
public:
    explicit InspectorPanel(QWidget *parent = nullptr);
    ~InspectorPanel() override;

    // The narrowest the panel should be made: narrow (a page may ask for more; its layout's
    // minimum is not used), but never so narrow that the editor's buttons are cut.
    int narrowestWidth() const;

    // Where file downloads come from (not owned; may be null: Download… is then disabled).
    // `store` is the store shown ("org/name"), kept for what acts on entries later.
    void setSource(Transport *transport, const QString &store);
    Transport *transport() const { return m_transport; }
    QString store() const { return m_store; }

    // Nothing selected.
    void showNothing();
    // `path` is being read.
    void showLoading(const Path &path);
    // Shows `entry` on the page for its type. An entry equal to the one shown (same path,
    // type, revision and value) changes nothing: its page, a formatting in progress or
    // cancelled, the Raw toggle and a download stay as they are.
    void showEntry(const Entry &entry);
    // Reading `path` failed; `message` says why in words.
    void showError(const Path &path, const QString &message);
    // `path` is a folder too big to assemble into one value here; `summary` says what it
    // holds.
    void showFolder(const Path &path, const QString &summary);

    // Which writes are allowed: `whyNot(kind)` is empty when that kind is allowed, else the
    // reason, shown as the tooltip of the controls it disables. Refusing every kind makes the
    // panel read-only: no editor, no Save, values shown as before. Without a policy every
    // kind is allowed. Applies to the entry shown and every later one.
    void setWritePolicy(std::function<QString(EditRequest::Kind)> whyNot);
    // The request sent by editRequested() was committed: the form leaves edit mode (its input
    // is dropped; the committed value arrives as showEntry()).
    void editSucceeded(const dust::EditRequest &request);
    // It was refused: `words` are shown beside Save, and the input stays exactly as typed.
    void editFailed(const dust::EditRequest &request, const QString &words);
    // After a conflict, the person chose to go on editing: their input is put back if it was
    // lost, and the next save is conditional on the newest entry shown (the one the conflict
    // showed them).
    void keepEditing(const dust::EditRequest &request);
    // The entry shown changed on the server (a live event from `deviceId`). With unsaved
    // input the input is kept and a banner says "Changed by device X (revision N)" with
    // Reload (edit the new value; the next save is conditional on its revision) and Keep
    // editing (the revision stays the one the edit started from). Without input the new value
    // is shown, as showEntry() does. An entry of another path is ignored.
    void noteRemoteChange(const dust::Entry &now, const QString &deviceId);

    // Whether the person typed or staged an edit not saved yet (e.g. to ask before the
    // selection moves on: showLoading() or another entry drops it).
    bool hasUnsavedEdit() const;

    // The header as plain text (EntryHeader::text()) and the shown value as plain text (the
    // page's valueText(); a message when no value is shown). For tests and accessibility.
    QString headerText() const;
    QString valueText() const;
    // The page shown now (one of the pages below, or the message page).
    QWidget *currentPage() const;

    EntryHeader *header() const { return m_header; }
    ValueFormatter *formatter() const { return m_formatter; }
    StringPage *stringPage() const { return m_stringPage; }
    NumberPage *numberPage() const { return m_numberPage; }
    BooleanPage *booleanPage() const { return m_booleanPage; }
    NullPage *nullPage() const { return m_nullPage; }
    JsonPage *jsonPage() const { return m_jsonPage; }
    SetPage *setPage() const { return m_setPage; }
    FilePage *filePage() const { return m_filePage; }
    LeasePage *leasePage() const { return m_leasePage; }
    EntryEditor *editor() const { return m_editor; }

signals:
    // Save was pressed: `request` is what to write (see EditRequest); nothing is written by
    // the panel.
    void editRequested(const dust::EditRequest &request);

private:
    void fitEditor(EditForm *form);

    InspectorPage *pageFor(const Entry &entry) const;
    void showMessage(const QString &message);

    EntryHeader *m_header;
    QStackedWidget *m_pages;
    MessagePage *m_messagePage;
    StringPage *m_stringPage;
    NumberPage *m_numberPage;
    BooleanPage *m_booleanPage;
    NullPage *m_nullPage;
    JsonPage *m_jsonPage;
    SetPage *m_setPage;
    FilePage *m_filePage;
    LeasePage *m_leasePage;
    EntryEditor *m_editor;
    QVBoxLayout *m_layout = nullptr;          // the page over the editor
    ValueFormatter *m_formatter;              // a child: big values, off the UI thread
    QPointer<ChunkedTextView> m_formatTarget; // where the running formatting goes
    QPointer<Transport> m_transport;
    QString m_store;
};

} // namespace dust
