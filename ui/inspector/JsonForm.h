#pragma once

#include "inspector/EditForm.h"

class QLabel;
class QPushButton;

namespace dust {

class JsonEditor;

// Edits any value as JSON text in a JsonEditor (arrays, values of a type this browser does
// not know, typed envelopes, a map as a whole); Save writes a `set` of the parsed value and is
// impossible while the text is not valid JSON. A value up to kInlineText characters of JSON
// is put into the editor when shown; a bigger one only when "Edit as JSON" is pressed, its
// text made on a worker thread.
class JsonForm : public EditForm
{
    Q_OBJECT
public:
    static constexpr qint64 kInlineText = 256 * 1024;

    explicit JsonForm(QWidget *parent = nullptr);
    ~JsonForm() override;

    void load(const Entry &entry) override;
    // A type change to JSON: `entry`'s value as text, to be saved as a set.
    void convert(const Entry &entry);
    bool isTypeChanged() const { return m_typeChanged; }
    // Whether the editor holds the value's text (false until Edit for a big value, and while
    // the text is being made).
    bool isLoaded() const { return m_loaded; }
    // Makes a big value's text off the UI thread and puts it into the editor.
    void startEditing();

    std::optional<EditRequest> pending() const override;
    QString problem() const override;
    bool hasInput() const override;
    void restore(const EditRequest &request) override;
    void applyPolicy(const WhyNot &whyNot) override;
    QString hint() const override;

    JsonEditor *editor() const { return m_editor; }
    QPushButton *editButton() const { return m_edit; }

private:
    void setLoadedText(const QString &text);

    QLabel *m_about;
    QPushButton *m_edit;
    JsonEditor *m_editor;
    quint64 m_generation = 0; // of the text being made off the UI thread
    bool m_loaded = false;
    bool m_dirty = false;
    bool m_typeChanged = false;
    bool m_setting = false;
};

} // namespace dust
