#include "inspector/EntryEditor.h"

#include "inspector/CounterForm.h"
#include "inspector/FileForm.h"
#include "inspector/JsonForm.h"
#include "inspector/LeaseForm.h"
#include "inspector/MapForm.h"
#include "inspector/ScalarForm.h"
#include "inspector/SetForm.h"
#include "protocol/Values.h"

#include <QAccessible>
#include <QFrame>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QShortcut>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace dust {

namespace {

constexpr EditRequest::Kind kAllKinds[] = {
    EditRequest::Kind::Set,        EditRequest::Kind::Delete,       EditRequest::Kind::Merge,
    EditRequest::Kind::Increment,  EditRequest::Kind::AddMember,    EditRequest::Kind::RemoveMember,
    EditRequest::Kind::LeaseRenew, EditRequest::Kind::LeaseRelease, EditRequest::Kind::PutFile,
};

// An assembled subtree (a map read at an interior path) is not one leaf: if_match never
// matches it.
bool isLeaf(const Entry &entry)
{
    return !(entry.type == QLatin1String("map") && values::isPlainObject(entry.value));
}

// The same change, whatever its precondition: an Overwrite after a conflict sends the saved
// change again conditional on their revision, and its outcome is this save's.
bool sameRequest(const EditRequest &a, const EditRequest &b)
{
    return a.kind == b.kind && a.path == b.path && a.value == b.value &&
           a.leaseToken == b.leaseToken && a.fileContent == b.fileContent;
}

} // namespace

EntryEditor::EntryEditor(QWidget *parent)
    : QWidget(parent)
    , m_banner(new QFrame(this))
    , m_bannerText(new QLabel(m_banner))
    , m_reload(new QPushButton(tr("&Reload"), m_banner))
    , m_keep(new QPushButton(tr("&Keep editing"), m_banner))
    , m_forms(new QStackedWidget(this))
    , m_scalar(new ScalarForm(m_forms))
    , m_json(new JsonForm(m_forms))
    , m_counter(new CounterForm(m_forms))
    , m_set(new SetForm(m_forms))
    , m_map(new MapForm(m_forms))
    , m_lease(new LeaseForm(m_forms))
    , m_file(new FileForm(m_forms))
    , m_hint(new QLabel(this))
    , m_status(new QLabel(this))
    , m_preview(new QLabel(this))
    , m_type(new QToolButton(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_save(new QPushButton(tr("&Save"), this))
{
    setAccessibleName(tr("Edit value"));

    // The banner: a newer value arrived while the person was typing.
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setAutoFillBackground(true);
    QPalette bannerPalette = m_banner->palette();
    bannerPalette.setColor(QPalette::Window, bannerPalette.color(QPalette::Window).lightness() < 128
                                                 ? QColor(0x5c, 0x47, 0x10)
                                                 : QColor(0xff, 0xf1, 0xc2));
    bannerPalette.setColor(QPalette::WindowText, bannerPalette.color(QPalette::Text));
    m_banner->setPalette(bannerPalette);
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextFormat(Qt::PlainText);
    m_bannerText->setAccessibleName(tr("Changed on the server"));
    m_reload->setAccessibleName(tr("Reload the new value"));
    m_reload->setAccessibleDescription(
        tr("Drops what you typed and edits the value now on the server."));
    m_keep->setAccessibleName(tr("Keep editing"));
    m_keep->setAccessibleDescription(
        tr("Keeps what you typed; saving it is still conditional on the value you started "
           "from, so it will be refused as a conflict."));
    auto *bannerRow = new QHBoxLayout(m_banner);
    bannerRow->addWidget(m_bannerText, 1);
    bannerRow->addWidget(m_reload);
    bannerRow->addWidget(m_keep);
    m_banner->hide();
    connect(m_reload, &QPushButton::clicked, this, &EntryEditor::reload);
    connect(m_keep, &QPushButton::clicked, this, &EntryEditor::dismissBanner);

    for (EditForm *form : {static_cast<EditForm *>(m_scalar), static_cast<EditForm *>(m_json),
                           static_cast<EditForm *>(m_counter), static_cast<EditForm *>(m_set),
                           static_cast<EditForm *>(m_map), static_cast<EditForm *>(m_lease),
                           static_cast<EditForm *>(m_file)}) {
        m_forms->addWidget(form);
        connect(form, &EditForm::inputChanged, this, &EntryEditor::refresh);
        connect(form, &EditForm::submitted, this, &EntryEditor::save);
    }

    for (QLabel *label : {m_hint, m_status, m_preview}) {
        label->setWordWrap(true);
        label->setTextFormat(Qt::PlainText);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_hint->setAccessibleName(tr("About this form"));
    m_status->setAccessibleName(tr("Save status"));
    m_preview->setAccessibleName(tr("What Save writes"));
    m_preview->setAccessibleDescription(
        tr("The operation, path and value Save will send, and its condition."));
    QFont mono = m_preview->font();
    mono.setFamilies({QStringLiteral("monospace")});
    mono.setStyleHint(QFont::Monospace);
    m_preview->setFont(mono);

    m_type->setText(tr("Change &type…"));
    m_type->setAccessibleName(tr("Change type"));
    m_type->setAccessibleDescription(
        tr("Writes the value as another type: pick one, then check or retype the value."));
    m_type->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(m_type);
    const std::pair<QString, QString> types[] = {
        {QStringLiteral("string"), tr("&String")},
        {QStringLiteral("integer"), tr("&Integer")},
        {QStringLiteral("float"), tr("&Float")},
        {QStringLiteral("boolean"), tr("&Boolean")},
        {QStringLiteral("null"), tr("&Null")},
        {QStringLiteral("json"), tr("&JSON (array or object)")},
    };
    for (const auto &[type, text] : types) {
        QAction *action = menu->addAction(text);
        connect(action, &QAction::triggered, this, [this, type] { changeType(type); });
    }
    m_type->setMenu(menu);
    m_cancel->setAccessibleName(tr("Cancel editing"));
    m_cancel->setToolTip(tr("Drops what you typed (Escape)."));
    m_save->setAccessibleName(tr("Save"));
    m_save->setToolTip(tr("Sends what the line beside it says (Ctrl+Return)."));
    m_save->setDefault(false);
    connect(m_save, &QPushButton::clicked, this, &EntryEditor::save);
    connect(m_cancel, &QPushButton::clicked, this, &EntryEditor::cancel);

    for (const QKeySequence &keys :
         {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter),
          QKeySequence(QKeySequence::Save)}) {
        auto *shortcut = new QShortcut(keys, this);
        shortcut->setContext(Qt::WidgetWithChildrenShortcut);
        connect(shortcut, &QShortcut::activated, this, &EntryEditor::save);
    }
    auto *escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    escape->setContext(Qt::WidgetWithChildrenShortcut);
    connect(escape, &QShortcut::activated, this, &EntryEditor::cancel);

    // The preview gets the whole width on a row of its own: an op, a path and a value rarely
    // fit beside three buttons.
    auto *buttons = new QHBoxLayout;
    m_buttons = buttons;
    buttons->addStretch(1);
    buttons->addWidget(m_type);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_save);
    auto *line = new QFrame(this);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(line);
    layout->addWidget(m_banner);
    layout->addWidget(m_forms, 1);
    layout->addWidget(m_hint);
    layout->addWidget(m_status);
    layout->addWidget(m_preview);
    layout->addLayout(buttons);
    setTabOrder(m_forms, m_type);
    setTabOrder(m_type, m_cancel);
    setTabOrder(m_cancel, m_save);
    clear();
}

EntryEditor::~EntryEditor() = default;

void EntryEditor::setMembersView(QAbstractItemView *view)
{
    m_set->setMembersView(view);
}

QString EntryEditor::why(EditRequest::Kind kind) const
{
    return m_whyNot ? m_whyNot(kind) : QString();
}

void EntryEditor::setWritePolicy(EditForm::WhyNot whyNot)
{
    m_whyNot = std::move(whyNot);
    m_readOnly = true;
    for (EditRequest::Kind kind : kAllKinds)
        m_readOnly = m_readOnly && !why(kind).isEmpty();
    const EditForm::WhyNot policy = [this](EditRequest::Kind kind) {
        return why(kind);
    };
    for (int i = 0; i < m_forms->count(); ++i)
        static_cast<EditForm *>(m_forms->widget(i))->applyPolicy(policy);
    const QString set = why(EditRequest::Kind::Set);
    m_type->setEnabled(set.isEmpty());
    m_type->setToolTip(set.isEmpty() ? tr("Write the value as another type.") : set);
    setVisible(m_active && !m_readOnly);
    refresh();
}

bool EntryEditor::sameEntry(const Entry &a, const Entry &b)
{
    return a.revision == b.revision && a.path == b.path && a.type == b.type && a.value == b.value;
}

EditForm *EntryEditor::formFor(const Entry &entry) const
{
    const QString &type = entry.type;
    const QJsonValue &value = entry.value;
    const auto is = [&type](const char *name) {
        return type == QLatin1String(name);
    };
    if ((is("string") || is("decimal") || is("datetime")) && value.isString())
        return m_scalar;
    if ((is("integer") || is("float")) && value.isDouble())
        return m_scalar;
    if ((is("boolean") && value.isBool()) || (is("null") && value.isNull()))
        return m_scalar;
    if (is("counter") && value.isDouble())
        return m_counter;
    if (is("set") && value.isArray())
        return m_set;
    if (is("map") && values::isPlainObject(value))
        return m_map;
    if (is("file") && value.isObject())
        return m_file;
    if (is("lease") && value.isObject())
        return m_lease;
    return m_json;
}

EditForm *EntryEditor::currentForm() const
{
    return static_cast<EditForm *>(m_forms->currentWidget());
}

void EntryEditor::showForm(EditForm *form)
{
    const bool changed = m_forms->currentWidget() != form;
    // The stack is as tall as the form shown, not as the tallest of them (QStackedLayout
    // leaves out what is Ignored).
    for (int i = 0; i < m_forms->count(); ++i) {
        QWidget *page = m_forms->widget(i);
        page->setSizePolicy(page == form ? QSizePolicy::Preferred : QSizePolicy::Ignored,
                            page == form ? QSizePolicy::Preferred : QSizePolicy::Ignored);
    }
    m_forms->setCurrentWidget(form);
    m_forms->updateGeometry();
    if (changed)
        emit formChanged(form);
}

void EntryEditor::load(const Entry &entry)
{
    m_base = entry;
    m_latest = entry;
    m_dismissed.reset();
    m_banner->hide();
    EditForm *form = formFor(entry);
    form->load(entry);
    form->applyPolicy([this](EditRequest::Kind kind) { return why(kind); });
    showForm(form);
    refresh();
}

void EntryEditor::clear()
{
    m_active = false;
    m_inFlight.reset();
    m_base = Entry();
    m_latest = Entry();
    m_remoteDevice.clear();
    m_banner->hide();
    setStatus(QString(), false);
    hide();
}

void EntryEditor::showEntry(const Entry &entry)
{
    const bool samePath = m_active && entry.path == m_base.path;
    m_active = true;
    setVisible(!m_readOnly);
    if (samePath && (hasUnsavedInput() || m_inFlight)) {
        m_latest = entry; // the input stays; the banner says what changed
        showBannerIfNeeded();
        refresh();
        return;
    }
    if (samePath && sameEntry(entry, m_base))
        return;
    if (!samePath) {
        m_inFlight.reset();
        m_remoteDevice.clear();
        setStatus(QString(), false);
    }
    load(entry);
}

void EntryEditor::noteRemoteChange(const Entry &now, const QString &deviceId)
{
    if (!m_active || now.path != m_base.path)
        return;
    m_remoteDevice = deviceId;
    showEntry(now);
}

void EntryEditor::showBannerIfNeeded()
{
    const bool newer = !sameEntry(m_latest, m_base);
    const bool dismissed = m_dismissed && sameEntry(*m_dismissed, m_latest);
    if (!newer || dismissed || m_inFlight || !hasUnsavedInput()) {
        m_banner->setVisible(newer && !dismissed && !m_inFlight && hasUnsavedInput());
        return;
    }
    m_bannerText->setText(
        m_remoteDevice.isEmpty()
            ? tr("Changed on the server (revision %1) while you were editing. Reload to edit "
                 "the new value, or keep editing yours.")
                  .arg(m_latest.revision)
            : tr("Changed by device %1 (revision %2) while you were editing. Reload to edit "
                 "the new value, or keep editing yours.")
                  .arg(m_remoteDevice)
                  .arg(m_latest.revision));
    const bool appearing = m_banner->isHidden();
    m_banner->show();
    if (appearing) {
        // Said aloud by screen readers, as it appears while the person is typing elsewhere.
        QAccessibleEvent event(m_bannerText, QAccessible::Alert);
        QAccessible::updateAccessibility(&event);
    }
}

void EntryEditor::reload()
{
    setStatus(QString(), false);
    load(m_latest);
}

void EntryEditor::dismissBanner()
{
    m_dismissed = m_latest;
    m_banner->hide();
    if (EditForm *form = currentForm())
        form->setFocus();
}

std::optional<EditRequest> EntryEditor::request() const
{
    if (!m_active || m_readOnly)
        return std::nullopt;
    auto request = currentForm()->pending();
    if (!request || !why(request->kind).isEmpty())
        return std::nullopt;
    request->path = m_base.path;
    request->baseValue = m_base.value;
    request->baseType = m_base.type;
    request->baseRevision = m_base.revision;
    request->ifMatch.reset();
    request->ifAbsent = false;
    if (request->kind == EditRequest::Kind::Set && m_base.revision > 0 && isLeaf(m_base) &&
        !values::isPlainObject(request->value))
        request->ifMatch = m_base.revision;
    return request;
}

bool EntryEditor::hasUnsavedInput() const
{
    return m_active && currentForm()->hasInput();
}

void EntryEditor::save()
{
    if (m_inFlight)
        return;
    const auto pending = request();
    if (!pending)
        return;
    m_inFlight = pending;
    m_banner->hide();
    setStatus(tr("Saving…"), false);
    refresh();
    emit editRequested(*pending);
}

void EntryEditor::cancel()
{
    if (!m_active || m_inFlight)
        return;
    setStatus(QString(), false);
    load(m_latest);
}

void EntryEditor::changeType(const QString &type)
{
    if (!m_active || m_inFlight || !why(EditRequest::Kind::Set).isEmpty())
        return;
    const Entry &from = m_base;
    if (type == QLatin1String("json")) {
        m_json->convert(from);
        showForm(m_json);
    } else {
        static const std::pair<const char *, ScalarForm::Mode> modes[] = {
            {"string", ScalarForm::Mode::String}, {"integer", ScalarForm::Mode::Integer},
            {"float", ScalarForm::Mode::Float},   {"boolean", ScalarForm::Mode::Boolean},
            {"null", ScalarForm::Mode::Null},
        };
        const auto *found =
            std::find_if(std::begin(modes), std::end(modes),
                         [&type](const auto &m) { return type == QLatin1String(m.first); });
        if (found == std::end(modes))
            return;
        m_scalar->convert(from, found->second);
        showForm(m_scalar);
    }
    currentForm()->applyPolicy([this](EditRequest::Kind kind) { return why(kind); });
    currentForm()->setFocus();
    refresh();
}

void EntryEditor::editSucceeded(const EditRequest &request)
{
    if (!m_inFlight || !sameRequest(*m_inFlight, request))
        return;
    m_inFlight.reset();
    load(m_latest); // the newest value shown; the committed one follows as showEntry
    setStatus(tr("Saved: %1").arg(request.summary()), false);
}

void EntryEditor::editFailed(const EditRequest &request, const QString &words)
{
    if (!m_inFlight || !sameRequest(*m_inFlight, request))
        return;
    m_inFlight.reset();
    setStatus(words, true); // the input is as it was typed
    showBannerIfNeeded();
    refresh();
}

void EntryEditor::keepEditing(const EditRequest &request)
{
    if (!m_active || request.path != m_base.path)
        return;
    if (m_inFlight && sameRequest(*m_inFlight, request))
        m_inFlight.reset();
    // The person saw the value on the server (the conflict): the next save is conditional
    // on the newest entry shown.
    m_base = m_latest;
    m_dismissed = m_latest;
    m_banner->hide();
    if (!currentForm()->hasInput()) {
        if (request.kind == EditRequest::Kind::Set && currentForm() != m_json &&
            currentForm() != m_scalar)
            showForm(m_json);
        currentForm()->restore(request);
    }
    currentForm()->setFocus();
    refresh();
}

void EntryEditor::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
    QPalette palette = this->palette();
    if (error)
        palette.setColor(QPalette::WindowText, palette.color(QPalette::Base).lightness() < 128
                                                   ? QColor(0xff, 0x8a, 0x80)
                                                   : QColor(0xb0, 0x00, 0x20));
    m_status->setPalette(palette);
}

void EntryEditor::refresh()
{
    if (!m_active)
        return;
    EditForm *form = currentForm();
    const auto pending = request();
    m_save->setEnabled(pending.has_value() && !m_inFlight);
    m_cancel->setEnabled(!m_inFlight && (form->hasInput() || m_banner->isVisible()));
    const QString hint = form->hint();
    m_hint->setText(hint);
    m_hint->setVisible(!hint.isEmpty());
    QString line;
    if (m_inFlight) {
        line = tr("Sending: %1").arg(m_inFlight->summary());
    } else if (pending) {
        line = tr("Will write: %1").arg(pending->summary());
    } else if (const QString problem = form->problem(); !problem.isEmpty()) {
        line = problem;
    } else if (const auto staged = form->pending(); staged && !why(staged->kind).isEmpty()) {
        line = why(staged->kind);
    } else {
        line = tr("Nothing changed.");
    }
    m_preview->setText(line);
    m_save->setToolTip(pending ? tr("Sends: %1 (Ctrl+Return)").arg(pending->summary())
                               : tr("Nothing to save yet."));
    showBannerIfNeeded();
}

QString EntryEditor::previewText() const
{
    return m_preview->text();
}

QString EntryEditor::statusText() const
{
    return m_status->text();
}

QString EntryEditor::bannerText() const
{
    return m_banner->isHidden() ? QString() : m_bannerText->text();
}

int EntryEditor::buttonsWidth() const
{
    return m_buttons->minimumSize().width();
}

} // namespace dust
