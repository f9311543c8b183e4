#pragma once

#include "inspector/InspectorPage.h"

class QCheckBox;
class QLabel;
class QStackedWidget;
class QTreeView;

namespace dust {

class JsonTreeModel;

// A map (an assembled subtree, or a typed envelope), an array (which the server types
// "string") or a value of a type this browser does not know: a collapsible tree over the
// JSON (JsonTreeModel, built lazily), and with Raw the indented JSON text, which streams in
// for a big value (and is made only once Raw is chosen).
class JsonPage : public InspectorPage
{
    Q_OBJECT
public:
    explicit JsonPage(QWidget *parent = nullptr);

    // The raw text instead of the tree (kept from one entry to the next).
    void setRaw(bool raw);
    bool isRaw() const;

    // The indented JSON text (also while the tree is shown; for a big value only once Raw
    // was chosen: until then it is not made).
    QString valueText() const override;
    QString noteText() const override;
    ChunkedTextView *textView() const override { return m_text; }
    ValueFormatter::Style textStyle() const override { return ValueFormatter::Style::Json; }

    JsonTreeModel *model() const { return m_model; }
    QTreeView *tree() const { return m_tree; }
    QCheckBox *rawToggle() const { return m_raw; }

signals:
    // Raw was chosen for a big value whose text was not made yet: the text view is waiting
    // for it (ChunkedTextView::isReceiving()).
    void rawTextWanted();

protected:
    void showEntry(const Entry &entry) override;

private:
    QLabel *m_note;
    QCheckBox *m_raw;
    QStackedWidget *m_views;
    QTreeView *m_tree;
    ChunkedTextView *m_text;
    JsonTreeModel *m_model;    // a child: the tree's rows
    bool m_rawPending = false; // a big value's text is not made until Raw is chosen
};

} // namespace dust
