#include "inspector/InspectorPanel.h"

#include "inspector/BooleanPage.h"
#include "inspector/ChunkedTextView.h"
#include "inspector/EntryEditor.h"
#include "inspector/EntryHeader.h"
#include "inspector/FilePage.h"
#include "inspector/JsonForm.h"
#include "inspector/JsonPage.h"
#include "inspector/LeasePage.h"
#include "inspector/MapForm.h"
#include "inspector/MessagePage.h"
#include "inspector/NullPage.h"
#include "inspector/NumberPage.h"
#include "inspector/SetPage.h"
#include "inspector/StringPage.h"
#include "inspector/ValueFormatter.h"
#include "transport/Transport.h"

#include <QFrame>
#include <QJsonObject>
#include <QListView>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace dust {

namespace {

// Cheap fields first; the value last (equal revisions do not prove equal values: removing a
// leaf under a map leaves its highest revision as it was).
bool isSameEntry(const Entry &a, const Entry &b)
{
    return a.revision == b.revision && a.path == b.path && a.type == b.type && a.value == b.value;
}

} // namespace

InspectorPanel::InspectorPanel(QWidget *parent)
    : QWidget(parent)
    , m_header(new EntryHeader(this))
    , m_pages(new QStackedWidget(this))
    , m_messagePage(new MessagePage(m_pages))
    , m_stringPage(new StringPage(m_pages))
    , m_numberPage(new NumberPage(m_pages))
    , m_booleanPage(new BooleanPage(m_pages))
    , m_nullPage(new NullPage(m_pages))
    , m_jsonPage(new JsonPage(m_pages))
    , m_setPage(new SetPage(m_pages))
    , m_filePage(new FilePage(m_pages))
    , m_leasePage(new LeasePage(m_pages))
    , m_editor(new EntryEditor(this))
    , m_formatter(new ValueFormatter(this))
{
    setAccessibleName(tr("Inspector"));
    m_header->setAccessibleName(tr("Entry header"));
    m_pages->setAccessibleName(tr("Entry value"));
    for (QWidget *page :
         {static_cast<QWidget *>(m_messagePage), static_cast<QWidget *>(m_stringPage),
          static_cast<QWidget *>(m_numberPage), static_cast<QWidget *>(m_booleanPage),
          static_cast<QWidget *>(m_nullPage), static_cast<QWidget *>(m_jsonPage),
          static_cast<QWidget *>(m_setPage), static_cast<QWidget *>(m_filePage),
          static_cast<QWidget *>(m_leasePage)})
        m_pages->addWidget(page);

    auto *line = new QFrame(this);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(line);
    layout->addWidget(m_pages, 1);
    layout->addWidget(m_editor, 0);
    m_layout = layout;

    m_editor->setMembersView(m_setPage->list());
    connect(m_editor, &EntryEditor::editRequested, this, &InspectorPanel::editRequested);
    connect(m_editor, &EntryEditor::formChanged, this, &InspectorPanel::fitEditor);

    connect(m_formatter, &ValueFormatter::sized, m_header, &EntryHeader::setSize);
    connect(m_formatter, &ValueFormatter::chunkReady, this, [this](const QString &text) {
        if (m_formatTarget)
            m_formatTarget->appendChunk(text);
    });
    connect(m_formatter, &ValueFormatter::finished, this, [this] {
        if (m_formatTarget)
            m_formatTarget->finish();
    });
    connect(m_formatter, &ValueFormatter::cancelled, this, [this] {
        if (m_formatTarget)
            m_formatTarget->markCancelled();
    });
    for (InspectorPage *page :
         {static_cast<InspectorPage *>(m_stringPage), static_cast<InspectorPage *>(m_jsonPage)})
        connect(page->textView(), &ChunkedTextView::cancelRequested, m_formatter,
                &ValueFormatter::cancel);
    // A big value's raw text, asked for after it was shown as a tree.
    connect(m_jsonPage, &JsonPage::rawTextWanted, this, [this] {
        m_formatTarget = nullptr; // whatever ran before no longer reaches a view
        m_formatter->cancel();
        m_formatTarget = m_jsonPage->textView();
        m_formatter->start(m_jsonPage->entry().value, m_jsonPage->textStyle());
    });
    showNothing();
}

InspectorPanel::~InspectorPanel() = default;

void InspectorPanel::setSource(Transport *transport, const QString &store)
{
    m_transport = transport;
    m_store = store;
    m_filePage->setSource(transport);
}

void InspectorPanel::setWritePolicy(std::function<QString(EditRequest::Kind)> whyNot)
{
    m_editor->setWritePolicy(std::move(whyNot));
}

void InspectorPanel::editSucceeded(const EditRequest &request)
{
    m_editor->editSucceeded(request);
}

void InspectorPanel::editFailed(const EditRequest &request, const QString &words)
{
    m_editor->editFailed(request, words);
}

void InspectorPanel::keepEditing(const EditRequest &request)
{
    m_editor->keepEditing(request);
}

void InspectorPanel::noteRemoteChange(const Entry &now, const QString &deviceId)
{
    const auto *shown = qobject_cast<const InspectorPage *>(m_pages->currentWidget());
    if (!shown || shown == m_messagePage || shown->entry().path != now.path)
        return;
    m_editor->noteRemoteChange(now, deviceId); // before the page: the banner names the device
    showEntry(now);
}

bool InspectorPanel::hasUnsavedEdit() const
{
    return m_editor->hasUnsavedInput();
}

void InspectorPanel::fitEditor(EditForm *form)
{
    // A JSON text or a form of fields gets most of the height; a one-line form only its own.
    const bool roomy = form == m_editor->jsonForm() || form == m_editor->mapForm();
    m_layout->setStretchFactor(m_editor, roomy ? 3 : 0);
    m_layout->setStretchFactor(m_pages, roomy ? 2 : 1);
}

void InspectorPanel::showMessage(const QString &message)
{
    m_editor->clear();
    m_formatter->cancel();
    m_messagePage->setMessage(message);
    m_pages->setCurrentWidget(m_messagePage);
}

void InspectorPanel::showNothing()
{
    m_header->clear();
    showMessage(tr("Select an entry in the tree to see its value."));
}

void InspectorPanel::showLoading(const Path &path)
{
    m_header->showState(path, tr("loading…"));
    showMessage(tr("Reading %1…").arg(path.rendered()));
}

void InspectorPanel::showError(const Path &path, const QString &message)
{
    m_header->showState(path, message);
    showMessage(tr("%1 could not be read: %2").arg(path.rendered(), message));
}

void InspectorPanel::showFolder(const Path &path, const QString &summary)
{
    m_header->showState(path, summary);
    showMessage(tr("%1\n\nOpen it in the tree to see what is inside; its values are not "
                   "assembled into one here.")
                    .arg(summary));
}

InspectorPage *InspectorPanel::pageFor(const Entry &entry) const
{
    const QString &type = entry.type;
    const QJsonValue &value = entry.value;
    const auto is = [&type](const char *name) {
        return type == QLatin1String(name);
    };
    if ((is("string") || is("decimal") || is("datetime")) && value.isString())
        return m_stringPage;
    if ((is("integer") || is("float") || is("counter")) && value.isDouble())
        return m_numberPage;
    if (is("boolean") && value.isBool())
        return m_booleanPage;
    if (is("null") && value.isNull())
        return m_nullPage;
    if (is("set") && value.isArray())
        return m_setPage;
    if (is("file") && value.isObject())
        return m_filePage;
    if (is("lease") && value.isObject())
        return m_leasePage;
    return m_jsonPage;
}

void InspectorPanel::showEntry(const Entry &entry)
{
    // The same entry again (a live refresh after a change elsewhere): nothing to redo, and
    // a big value is not formatted twice.
    if (const auto *shown = qobject_cast<const InspectorPage *>(m_pages->currentWidget());
        shown && shown != m_messagePage && isSameEntry(shown->entry(), entry))
        return;
    m_formatter->cancel(); // a newer entry: the older formatting stops
    m_formatTarget = nullptr;

    const qint64 rough = ValueFormatter::roughSize(entry.value, ValueFormatter::kInlineLimit);
    const bool big = rough > ValueFormatter::kInlineLimit;
    m_header->showEntry(entry, big ? -1 : ValueFormatter::jsonSize(entry.value));

    InspectorPage *page = pageFor(entry);
    page->setEntry(entry);
    m_pages->setCurrentWidget(page);
    m_editor->showEntry(entry);
    if (ChunkedTextView *view = page->textView(); view && view->isReceiving()) {
        m_formatTarget = view;
        m_formatter->start(entry.value, page->textStyle());
    } else if (big) {
        m_formatter->measure(entry.value); // no text to stream (a big set): only the size
    }
}

int InspectorPanel::narrowestWidth() const
{
    constexpr int kNarrowest = 240;
    const QMargins own = contentsMargins();
    const QMargins laid = layout() ? layout()->contentsMargins() : QMargins();
    return std::max(kNarrowest, m_editor->buttonsWidth() + own.left() + own.right() + laid.left() +
                                    laid.right());
}

QString InspectorPanel::headerText() const
{
    return m_header->text();
}

QString InspectorPanel::valueText() const
{
    const auto *page = qobject_cast<const InspectorPage *>(m_pages->currentWidget());
    return page ? page->valueText() : QString();
}

QWidget *InspectorPanel::currentPage() const
{
    return m_pages->currentWidget();
}

} // namespace dust
