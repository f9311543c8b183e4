#include "inspector/JsonForm.h"

#include "edit/JsonEditor.h"
#include "inspector/ValueFormatter.h"

#include <Qsci/qsciscintilla.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace dust {

JsonForm::JsonForm(QWidget *parent)
    : EditForm(parent)
    , m_about(new QLabel(this))
    , m_edit(new QPushButton(tr("&Edit as JSON…"), this))
    , m_editor(new JsonEditor(this))
{
    setAccessibleName(tr("JSON form"));
    m_about->setWordWrap(true);
    m_about->setTextFormat(Qt::PlainText);
    m_edit->setAccessibleName(tr("Edit as JSON"));
    m_edit->setAccessibleDescription(
        tr("Loads the whole value into the JSON editor; a big value is not loaded until asked."));
    connect(m_edit, &QPushButton::clicked, this, &JsonForm::startEditing);
    connect(m_editor, &JsonEditor::textChanged, this, [this] {
        if (m_setting)
            return;
        m_dirty = true;
        // A small text was checked at once; a big one reports through validityChanged.
        if (m_editor->isValid() || m_editor->text().size() <= JsonEditor::kSyncCheckLimit)
            emit inputChanged();
    });
    connect(m_editor, &JsonEditor::validityChanged, this, [this] {
        if (!m_setting)
            emit inputChanged();
    });

    auto *top = new QHBoxLayout;
    top->addWidget(m_about, 1);
    top->addWidget(m_edit);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_editor, 1);
    setTabOrder(m_edit, m_editor);
    setFocusProxy(m_editor);
}

JsonForm::~JsonForm() = default;

void JsonForm::load(const Entry &entry)
{
    setEntry(entry);
    ++m_generation; // a text still being made for an older entry is dropped
    m_dirty = false;
    m_typeChanged = false;
    const qint64 rough = ValueFormatter::roughSize(entry.value, kInlineText);
    if (rough <= kInlineText) {
        setLoadedText(JsonEditor::textOf(entry.value, true));
        return;
    }
    m_loaded = false;
    setLoadedText(QString());
    m_loaded = false;
    m_editor->hide();
    m_edit->show();
    m_edit->setEnabled(true);
    m_about->setText(tr("A value of more than %1 of JSON: it is loaded into the editor "
                        "only when you ask.")
                         .arg(QLocale().formattedDataSize(kInlineText)));
    emit inputChanged();
}

void JsonForm::convert(const Entry &entry)
{
    load(entry);
    m_typeChanged = true;
    if (!m_loaded)
        startEditing();
    emit inputChanged();
}

void JsonForm::startEditing()
{
    if (m_loaded)
        return;
    const quint64 generation = ++m_generation;
    m_edit->setEnabled(false);
    m_about->setText(tr("Making the text of %1…").arg(entry().path.rendered()));
    QtConcurrent::run([value = entry().value] {
        return JsonEditor::textOf(value, true);
    }).then(this, [this, generation](const QString &text) {
        if (generation != m_generation)
            return;
        setLoadedText(text);
        m_editor->setFocus();
    });
}

void JsonForm::setLoadedText(const QString &text)
{
    m_setting = true;
    m_editor->setText(text);
    m_setting = false;
    m_loaded = true;
    m_editor->show();
    m_edit->hide();
    m_about->setText(tr("The value as JSON. Save writes it whole (set)."));
    emit inputChanged();
}

bool JsonForm::hasInput() const
{
    return m_loaded && (m_dirty || m_typeChanged);
}

std::optional<EditRequest> JsonForm::pending() const
{
    if (!hasInput())
        return std::nullopt;
    const auto value = m_editor->value();
    if (!value)
        return std::nullopt;
    EditRequest request;
    request.kind = EditRequest::Kind::Set;
    request.value = *value;
    return request;
}

QString JsonForm::problem() const
{
    if (!hasInput() || m_editor->isValid())
        return {};
    return tr("Not valid JSON: %1").arg(m_editor->message());
}

void JsonForm::restore(const EditRequest &request)
{
    ++m_generation;
    setLoadedText(JsonEditor::textOf(request.value, true));
    m_dirty = true;
    emit inputChanged();
}

void JsonForm::applyPolicy(const WhyNot &whyNot)
{
    const QString why = whyNot(EditRequest::Kind::Set);
    m_editor->setReadOnly(!why.isEmpty());
    m_editor->editor()->setToolTip(why);
}

QString JsonForm::hint() const
{
    if (m_typeChanged)
        return tr("Changes the type: the value is written whole as JSON.");
    return {};
}

} // namespace dust
