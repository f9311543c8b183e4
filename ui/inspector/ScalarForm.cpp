#include "inspector/ScalarForm.h"

#include <Qsci/qsciscintilla.h>

#include <QButtonGroup>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <cmath>

namespace dust {

namespace {

constexpr qint64 kMaxSafeInteger = 9007199254740991; // 2^53 - 1

QString compact(const QJsonValue &value)
{
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

// A number as the person would type it back: integers without a fraction, floats in the
// shortest form that reads back the same.
QString numberText(const QJsonValue &value)
{
    const double d = value.toDouble();
    if (std::floor(d) == d && std::fabs(d) <= double(kMaxSafeInteger))
        return QString::number(qint64(d));
    return QString::number(d, 'g', QLocale::FloatingPointShortest);
}

} // namespace

ScalarForm::ScalarForm(QWidget *parent)
    : EditForm(parent)
    , m_label(new QLabel(this))
    , m_inputs(new QStackedWidget(this))
    , m_line(new QLineEdit(m_inputs))
    , m_multi(new QPlainTextEdit(m_inputs))
    , m_booleans(new QWidget(m_inputs))
    , m_true(new QRadioButton(QStringLiteral("&true"), m_booleans))
    , m_false(new QRadioButton(QStringLiteral("&false"), m_booleans))
    , m_boolGroup(new QButtonGroup(this))
    , m_nullNote(new QLabel(m_inputs))
    , m_editBig(new QPushButton(m_inputs))
    , m_big(new QsciScintilla(m_inputs))
    , m_multiToggle(new QCheckBox(tr("M&ulti-line"), this))
{
    setAccessibleName(tr("Value form"));
    m_line->setClearButtonEnabled(false);
    m_multi->setTabChangesFocus(true);
    m_multi->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_true->setAccessibleName(tr("True"));
    m_false->setAccessibleName(tr("False"));
    m_boolGroup->addButton(m_true);
    m_boolGroup->addButton(m_false);
    auto *boolRow = new QHBoxLayout(m_booleans);
    boolRow->setContentsMargins(0, 0, 0, 0);
    boolRow->addWidget(m_true);
    boolRow->addWidget(m_false);
    boolRow->addStretch(1);
    m_nullNote->setWordWrap(true);
    m_nullNote->setText(tr("Null has nothing to type. To write another value, use Change "
                           "type… and pick its type."));
    m_editBig->setAccessibleName(tr("Edit this text"));
    m_editBig->setAccessibleDescription(
        tr("Loads the whole text into an editor; a big text is not loaded until asked."));
    m_multiToggle->setAccessibleName(tr("Multi-line text"));
    m_multiToggle->setAccessibleDescription(
        tr("Edits the text on several lines; Return then starts a new line."));
    m_label->setBuddy(m_line);

    m_inputs->addWidget(m_line);
    m_inputs->addWidget(m_multi);
    m_inputs->addWidget(m_booleans);
    m_inputs->addWidget(m_nullNote);
    m_inputs->addWidget(m_editBig);
    m_inputs->addWidget(m_big);
    m_big->setUtf8(true);
    m_big->setWrapMode(QsciScintilla::WrapNone);
    m_big->setMarginWidth(1, 0);
    m_big->setAccessibleName(tr("Text, several lines"));
    m_big->installEventFilter(this); // Escape is the editor's, not Scintilla's
    connect(m_big, &QsciScintilla::textChanged, this, [this] {
        if (m_loading)
            return;
        m_bigDirty = true;
        emit inputChanged();
    });

    const auto changed = [this] {
        if (!m_loading)
            emit inputChanged();
    };
    connect(m_line, &QLineEdit::textChanged, this, changed);
    connect(m_multi, &QPlainTextEdit::textChanged, this, changed);
    connect(m_boolGroup, &QButtonGroup::buttonToggled, this, changed);
    connect(m_line, &QLineEdit::returnPressed, this, &EditForm::submitted);
    connect(m_multiToggle, &QCheckBox::toggled, this, &ScalarForm::setMultiLine);
    connect(m_editBig, &QPushButton::clicked, this, &ScalarForm::loadBigText);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *top = new QHBoxLayout;
    top->addWidget(m_label, 1);
    top->addWidget(m_multiToggle);
    layout->addLayout(top);
    layout->addWidget(m_inputs, 1);
    setTabOrder(m_multiToggle, m_line);
    setTabOrder(m_line, m_multi);
    setTabOrder(m_multi, m_true);
    setTabOrder(m_true, m_false);
    setTabOrder(m_false, m_editBig);
    showMode();
}

ScalarForm::Mode ScalarForm::modeFor(const Entry &entry)
{
    const QJsonValue &v = entry.value;
    if (v.isBool())
        return Mode::Boolean;
    if (v.isNull())
        return Mode::Null;
    if (v.isDouble())
        return entry.type == QLatin1String("integer") || (entry.type != QLatin1String("float") &&
                                                          std::floor(v.toDouble()) == v.toDouble())
                   ? Mode::Integer
                   : Mode::Float;
    return Mode::String;
}

QString ScalarForm::modeName(Mode mode)
{
    switch (mode) {
    case Mode::String:
        return QStringLiteral("string");
    case Mode::Integer:
        return QStringLiteral("integer");
    case Mode::Float:
        return QStringLiteral("float");
    case Mode::Boolean:
        return QStringLiteral("boolean");
    case Mode::Null:
        return QStringLiteral("null");
    }
    return {};
}

void ScalarForm::load(const Entry &entry)
{
    setEntry(entry);
    dropBigText();
    m_mode = modeFor(entry);
    m_typeChanged = false;
    m_bigPending = m_mode == Mode::String && entry.value.toString().size() > kBigText;
    setInputValue(entry.value);
    m_initial = entry.value;
    showMode();
    emit inputChanged();
}

void ScalarForm::convert(const Entry &entry, Mode mode)
{
    setEntry(entry);
    dropBigText();
    m_typeChanged = true;
    m_bigPending = false;
    const QJsonValue &v = entry.value;
    QJsonValue converted = QJsonValue::Undefined; // nothing: to be typed again
    switch (mode) {
    case Mode::String:
        converted = v.isString()   ? v
                    : v.isDouble() ? QJsonValue(numberText(v))
                    : v.isBool()   ? QJsonValue(compact(v))
                    : v.isNull()   ? QJsonValue(QString())
                                   : QJsonValue(compact(v));
        break;
    case Mode::Integer:
    case Mode::Float: {
        bool ok = v.isDouble() || v.isBool();
        double d = v.isBool() ? (v.toBool() ? 1.0 : 0.0) : v.toDouble();
        if (v.isString())
            d = QLocale::c().toDouble(v.toString().trimmed(), &ok);
        if (ok && (mode == Mode::Float || std::floor(d) == d))
            converted = d;
        break;
    }
    case Mode::Boolean:
        if (v.isBool())
            converted = v;
        else if (v.isDouble())
            converted = v.toDouble() != 0;
        else if (v.isString() &&
                 (v.toString() == QLatin1String("true") || v.toString() == QLatin1String("false")))
            converted = v.toString() == QLatin1String("true");
        break;
    case Mode::Null:
        converted = QJsonValue(QJsonValue::Null);
        break;
    }
    m_mode = mode;
    if (converted.isString() && converted.toString().size() > kBigText)
        m_bigPending = true;
    setInputValue(converted);
    m_initial = QJsonValue::Undefined;
    showMode();
    emit inputChanged();
}

void ScalarForm::setInputValue(const QJsonValue &value)
{
    m_loading = true;
    const QString text = m_bigPending       ? QString()
                         : value.isString() ? value.toString()
                         : value.isDouble() ? numberText(value)
                                            : QString();
    m_line->setText(text.contains(QLatin1Char('\n')) ? QString() : text);
    m_multi->setPlainText(m_mode == Mode::String ? text : QString());
    m_boolGroup->setExclusive(false);
    m_true->setChecked(value.isBool() && value.toBool());
    m_false->setChecked(value.isBool() && !value.toBool());
    m_boolGroup->setExclusive(true);
    {
        // Not through setMultiLine(): it would copy the other (still empty) field over the
        // text just loaded.
        const QSignalBlocker blocker(m_multiToggle);
        m_multiToggle->setChecked(m_mode == Mode::String && text.contains(QLatin1Char('\n')));
    }
    m_loading = false;
    showMode();
}

void ScalarForm::showMode()
{
    const bool string = m_mode == Mode::String;
    m_multiToggle->setVisible(string && !m_bigPending && !m_bigLoaded);
    QWidget *input = m_line;
    QString what;
    switch (m_mode) {
    case Mode::String:
        input = m_bigPending                 ? static_cast<QWidget *>(m_editBig)
                : m_bigLoaded                ? static_cast<QWidget *>(m_big)
                : m_multiToggle->isChecked() ? static_cast<QWidget *>(m_multi)
                                             : m_line;
        what = tr("&Text:");
        m_line->setAccessibleName(tr("Text"));
        m_line->setPlaceholderText(tr("Text"));
        break;
    case Mode::Integer:
        what = tr("&Integer:");
        m_line->setAccessibleName(tr("Integer"));
        m_line->setPlaceholderText(tr("A whole number, e.g. -12"));
        break;
    case Mode::Float:
        what = tr("&Number:");
        m_line->setAccessibleName(tr("Floating-point number"));
        m_line->setPlaceholderText(tr("A number, e.g. 3.25 or 1e-6"));
        break;
    case Mode::Boolean:
        input = m_booleans;
        what = tr("Boolean:");
        break;
    case Mode::Null:
        input = m_nullNote;
        what = tr("Null");
        break;
    }
    m_multi->setAccessibleName(tr("Text, several lines"));
    m_editBig->setText(tr("&Edit this text (%1 characters)…")
                           .arg(QLocale().toString(entry().value.toString().size())));
    m_label->setText(what);
    m_label->setBuddy(input == m_booleans ? static_cast<QWidget *>(m_true) : input);
    // The stack is as tall as its current input (QStackedLayout leaves out what is Ignored).
    for (int i = 0; i < m_inputs->count(); ++i) {
        QWidget *page = m_inputs->widget(i);
        page->setSizePolicy(page == input ? QSizePolicy::Preferred : QSizePolicy::Ignored,
                            page == input ? QSizePolicy::Preferred : QSizePolicy::Ignored);
    }
    m_inputs->setCurrentWidget(input);
    m_inputs->updateGeometry();
    setFocusProxy(input == m_booleans ? static_cast<QWidget *>(m_true) : input);
}

void ScalarForm::setMultiLine(bool multi)
{
    if (m_mode != Mode::String || m_bigPending)
        return;
    if (!multi && m_multi->toPlainText().contains(QLatin1Char('\n'))) {
        // A line break cannot be kept on one line: stay on several.
        const QSignalBlocker blocker(m_multiToggle);
        m_multiToggle->setChecked(true);
        return;
    }
    const bool wasMulti = m_inputs->currentWidget() == m_multi;
    m_loading = true;
    if (multi && !wasMulti)
        m_multi->setPlainText(m_line->text());
    else if (!multi && wasMulti)
        m_line->setText(m_multi->toPlainText());
    m_loading = false;
    {
        const QSignalBlocker blocker(m_multiToggle);
        m_multiToggle->setChecked(multi);
    }
    showMode();
    m_inputs->currentWidget()->setFocus();
}

bool ScalarForm::isMultiLine() const
{
    return m_inputs->currentWidget() == m_multi;
}

void ScalarForm::loadBigText()
{
    if (!m_bigPending)
        return;
    m_bigPending = false;
    m_loading = true;
    m_big->setText(entry().value.toString());
    m_big->SendScintilla(QsciScintillaBase::SCI_EMPTYUNDOBUFFER);
    m_loading = false;
    m_bigLoaded = true;
    m_bigDirty = false;
    showMode();
    m_big->setFocus();
    emit inputChanged();
}

void ScalarForm::dropBigText()
{
    if (!m_bigLoaded)
        return;
    m_loading = true;
    m_big->clear();
    m_loading = false;
    m_bigLoaded = false;
    m_bigDirty = false;
}

bool ScalarForm::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_big && event->type() == QEvent::ShortcutOverride) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape && key->modifiers() == Qt::NoModifier)
            return true; // leave Escape to the editor's Cancel
    }
    return EditForm::eventFilter(watched, event);
}

QString ScalarForm::typedText() const
{
    if (m_inputs->currentWidget() == m_big)
        return m_big->text();
    return m_inputs->currentWidget() == m_multi ? m_multi->toPlainText() : m_line->text();
}

std::optional<QJsonValue> ScalarForm::typedValue(QString *why) const
{
    switch (m_mode) {
    case Mode::String:
        if (m_bigPending)
            return std::nullopt;
        return QJsonValue(typedText());
    case Mode::Integer: {
        const QString text = m_line->text().trimmed();
        static const QRegularExpression integer(QStringLiteral("^[+-]?[0-9]+$"));
        if (text.isEmpty()) {
            *why = tr("Type a whole number.");
            return std::nullopt;
        }
        if (!integer.match(text).hasMatch()) {
            *why = tr("\"%1\" is not a whole number: use digits only, with an optional sign.")
                       .arg(text);
            return std::nullopt;
        }
        bool ok = false;
        const qint64 n = text.toLongLong(&ok);
        if (!ok || n > kMaxSafeInteger || n < -kMaxSafeInteger) {
            *why = tr("%1 is outside ±9,007,199,254,740,991 (2^53 − 1): JSON numbers are "
                      "doubles, so it would not be stored exactly.")
                       .arg(text);
            return std::nullopt;
        }
        return QJsonValue(n);
    }
    case Mode::Float: {
        const QString text = m_line->text().trimmed();
        if (text.isEmpty()) {
            *why = tr("Type a number.");
            return std::nullopt;
        }
        bool ok = false;
        double d = QLocale::c().toDouble(text, &ok);
        if (!ok)
            d = QLocale().toDouble(text, &ok);
        if (!ok) {
            *why = tr("\"%1\" is not a number (write it like 3.25, -0.5 or 1e-6).").arg(text);
            return std::nullopt;
        }
        if (!std::isfinite(d)) {
            *why = tr("%1 is too large: JSON numbers must be finite.").arg(text);
            return std::nullopt;
        }
        return QJsonValue(d);
    }
    case Mode::Boolean:
        if (!m_true->isChecked() && !m_false->isChecked()) {
            *why = tr("Choose true or false.");
            return std::nullopt;
        }
        return QJsonValue(m_true->isChecked());
    case Mode::Null:
        return QJsonValue(QJsonValue::Null);
    }
    return std::nullopt;
}

bool ScalarForm::hasInput() const
{
    if (m_typeChanged)
        return true;
    if (m_bigPending)
        return false;
    switch (m_mode) {
    case Mode::String:
        return m_bigLoaded ? m_bigDirty : typedText() != m_initial.toString();
    case Mode::Integer:
    case Mode::Float:
        return m_line->text() != numberText(m_initial);
    case Mode::Boolean:
        return m_true->isChecked() != m_initial.toBool();
    case Mode::Null:
        return false;
    }
    return false;
}

std::optional<EditRequest> ScalarForm::pending() const
{
    if (!hasInput())
        return std::nullopt;
    QString why;
    const auto value = typedValue(&why);
    if (!value)
        return std::nullopt;
    EditRequest request;
    request.kind = EditRequest::Kind::Set;
    request.value = *value;
    return request;
}

QString ScalarForm::problem() const
{
    if (!hasInput())
        return {};
    QString why;
    (void)typedValue(&why);
    return why;
}

void ScalarForm::restore(const EditRequest &request)
{
    m_bigPending = false;
    dropBigText();
    if (request.value.isString() && request.value.toString().size() > kBigText) {
        m_mode = Mode::String;
        m_loading = true;
        m_big->setText(request.value.toString());
        m_loading = false;
        m_bigLoaded = true;
        m_bigDirty = true;
        showMode();
        emit inputChanged();
        return;
    }
    const Mode mode = modeFor(Entry{entry().path, request.value, QString(), 0});
    if (mode != m_mode)
        m_typeChanged = true;
    m_mode = mode;
    setInputValue(request.value);
    showMode();
    emit inputChanged();
}

void ScalarForm::applyPolicy(const WhyNot &whyNot)
{
    const QString why = whyNot(EditRequest::Kind::Set);
    for (QWidget *w : {static_cast<QWidget *>(m_line), static_cast<QWidget *>(m_multi),
                       static_cast<QWidget *>(m_true), static_cast<QWidget *>(m_false),
                       static_cast<QWidget *>(m_editBig), static_cast<QWidget *>(m_multiToggle),
                       static_cast<QWidget *>(m_big)})
        allow(w, why);
}

QString ScalarForm::hint() const
{
    if (m_typeChanged)
        return tr("Changes the type from %1 to %2.").arg(entry().type, modeName(m_mode));
    if (m_mode == Mode::Float)
        return tr("A whole number is stored as an integer.");
    if (m_mode == Mode::String && entry().type != QLatin1String("string"))
        return tr("Saved as text: the server types it \"string\".");
    return {};
}

} // namespace dust
