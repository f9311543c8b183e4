#include "edit/JsonEditor.h"

#include "protocol/StrictJson.h"

#include <Qsci/qscilexerjson.h>
#include <Qsci/qsciscintilla.h>

#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace dust {

namespace {

constexpr int kLineNumberMargin = 0;
constexpr int kFoldMargin = 2;

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

// A colour of `hue` that reads well on the palette's base: darker on light, lighter on dark.
QColor accent(const QPalette &palette, int hue)
{
    return isDark(palette) ? QColor::fromHsl(hue, 140, 175) : QColor::fromHsl(hue, 200, 75);
}

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

} // namespace

JsonEditor::JsonEditor(QWidget *parent)
    : QWidget(parent)
    , m_editor(new QsciScintilla(this))
    , m_lexer(new QsciLexerJSON(m_editor))
    , m_status(new QLabel(this))
    , m_format(new QPushButton(tr("&Format"), this))
    , m_compact(new QPushButton(tr("Co&mpact"), this))
{
    setAccessibleName(tr("JSON editor"));
    m_editor->setUtf8(true);
    m_lexer->setHighlightComments(false);
    m_lexer->setFoldCompact(false);
    m_editor->setLexer(m_lexer);
    m_editor->setMarginType(kLineNumberMargin, QsciScintilla::NumberMargin);
    m_editor->setMarginLineNumbers(kLineNumberMargin, true);
    updateMarginWidth();
    connect(m_editor, &QsciScintilla::linesChanged, this, &JsonEditor::updateMarginWidth);
    m_editor->setFolding(QsciScintilla::BoxedTreeFoldStyle, kFoldMargin);
    m_editor->setMarginWidth(1, 0); // no symbol margin: nothing sets markers
    // The horizontal scroll bar only once a line is wider than the view.
    m_editor->SendScintilla(QsciScintillaBase::SCI_SETSCROLLWIDTH, 1);
    m_editor->SendScintilla(QsciScintillaBase::SCI_SETSCROLLWIDTHTRACKING, 1);
    m_editor->setBraceMatching(QsciScintilla::SloppyBraceMatch);
    m_editor->setAutoIndent(true);
    m_editor->setIndentationsUseTabs(false);
    m_editor->setIndentationWidth(4);
    m_editor->setTabWidth(4);
    m_editor->setWrapMode(QsciScintilla::WrapNone);
    m_editor->setEolMode(QsciScintilla::EolUnix);
    m_editor->setAccessibleName(tr("JSON text"));
    m_editor->setAccessibleDescription(
        tr("The value as JSON. Problems are described below the editor, with their line and "
           "column."));

    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setAccessibleName(tr("JSON check"));
    m_format->setAccessibleName(tr("Format JSON"));
    m_format->setToolTip(tr("Rewrites the text indented, one member per line."));
    m_compact->setAccessibleName(tr("Compact JSON"));
    m_compact->setToolTip(tr("Rewrites the text on one line, without spaces."));
    connect(m_format, &QPushButton::clicked, this, &JsonEditor::format);
    connect(m_compact, &QPushButton::clicked, this, &JsonEditor::compact);

    m_checkLater.setSingleShot(true);
    m_checkLater.setInterval(kCheckDelayMs);
    connect(&m_checkLater, &QTimer::timeout, this, &JsonEditor::check);
    connect(m_editor, &QsciScintilla::textChanged, this, &JsonEditor::onTextChanged);
    m_editor->installEventFilter(this);

    auto *row = new QHBoxLayout;
    row->addWidget(m_status, 1);
    row->addWidget(m_format);
    row->addWidget(m_compact);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_editor, 1);
    layout->addLayout(row);
    setFocusProxy(m_editor);
    setTabOrder(m_editor, m_format);
    setTabOrder(m_format, m_compact);

    applyPalette();
    check();
}

JsonEditor::~JsonEditor() = default;

void JsonEditor::setText(const QString &text)
{
    m_editor->setText(text);
    m_editor->SendScintilla(QsciScintillaBase::SCI_EMPTYUNDOBUFFER);
    // textChanged has run onTextChanged: a small text is checked; a big one is checked now
    // rather than after the typing delay, since nobody is typing.
    if (m_checkLater.isActive()) {
        m_checkLater.stop();
        check();
    }
}

QString JsonEditor::text() const
{
    return m_editor->text();
}

void JsonEditor::onTextChanged()
{
    const qsizetype length = m_editor->length();
    if (length <= kSyncCheckLimit) {
        m_checkLater.stop();
        check();
    } else {
        setValidity(false, tr("Checking…"));
        m_checkLater.start();
    }
    updateButtons();
    emit textChanged();
}

std::optional<QJsonValue> JsonEditor::value() const
{
    if (!m_valid)
        return std::nullopt;
    const QByteArray wrapped = '[' + m_editor->text().toUtf8() + ']';
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped);
    if (!doc.isArray() || doc.array().size() != 1)
        return std::nullopt;
    return doc.array().at(0);
}

void JsonEditor::check()
{
    const QString text = m_editor->text();
    const QByteArray utf8 = text.toUtf8();
    const StrictJson::Result result = StrictJson::validate(utf8);
    if (result.ok()) {
        setValidity(true, tr("Valid JSON."));
        return;
    }
    if (result.problem == StrictJson::Problem::Empty) {
        setValidity(false, tr("Empty: type a JSON value (\"text\", 12, true, null, [ ], { })."));
        return;
    }
    const auto [line, column] = lineAndColumn(text, result.offset);
    setValidity(false, tr("Line %1, column %2: %3")
                           .arg(line)
                           .arg(column)
                           .arg(StrictJson::describe(result.problem, result.maxDepth)));
}

std::pair<int, int> JsonEditor::lineAndColumn(const QString &text, qsizetype offset)
{
    // Walk the characters, counting the UTF-8 bytes each takes, until `offset` is reached.
    int line = 1;
    int column = 1;
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < text.size() && bytes < offset; ++i) {
        const char16_t c = text.at(i).unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < text.size() &&
            QChar::isLowSurrogate(text.at(i + 1).unicode())) {
            bytes += 4;
            ++i;
        } else {
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        if (c == u'\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

void JsonEditor::setValidity(bool valid, const QString &message)
{
    const bool changed = valid != m_valid || message != m_message;
    m_valid = valid;
    m_message = message;
    m_status->setText(message);
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::WindowText, valid ? this->palette().color(QPalette::PlaceholderText)
                                                 : accent(this->palette(), 0));
    m_status->setPalette(palette);
    updateButtons();
    if (changed)
        emit validityChanged(valid, message);
}

QString JsonEditor::textOf(const QJsonValue &value, bool indented)
{
    if (value.isObject())
        return QString::fromUtf8(
                   QJsonDocument(value.toObject())
                       .toJson(indented ? QJsonDocument::Indented : QJsonDocument::Compact))
            .trimmed();
    if (value.isArray())
        return QString::fromUtf8(
                   QJsonDocument(value.toArray())
                       .toJson(indented ? QJsonDocument::Indented : QJsonDocument::Compact))
            .trimmed();
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

void JsonEditor::format()
{
    if (m_editor->isReadOnly())
        return;
    if (const auto parsed = value())
        m_editor->setText(textOf(*parsed, true)); // stays undoable
}

void JsonEditor::compact()
{
    if (m_editor->isReadOnly())
        return;
    if (const auto parsed = value())
        m_editor->setText(textOf(*parsed, false));
}

void JsonEditor::setReadOnly(bool readOnly)
{
    m_editor->setReadOnly(readOnly);
    m_format->setVisible(!readOnly);
    m_compact->setVisible(!readOnly);
    updateButtons();
}

bool JsonEditor::isReadOnly() const
{
    return m_editor->isReadOnly();
}

void JsonEditor::updateButtons()
{
    const bool enabled = m_valid && !m_editor->isReadOnly();
    m_format->setEnabled(enabled);
    m_compact->setEnabled(enabled);
}

void JsonEditor::updateMarginWidth()
{
    // As wide as the largest line number, and a digit more so it does not touch the text.
    const int digits = qMax(3, int(QString::number(m_editor->lines()).size()));
    m_editor->setMarginWidth(kLineNumberMargin, QString(digits + 1, QLatin1Char('0')));
}

bool JsonEditor::eventFilter(QObject *watched, QEvent *event)
{
    // Scintilla claims Escape for itself (SCI_CANCEL, which has nothing to cancel here):
    // leave it to the window's shortcuts, so Escape cancels an edit from inside the text.
    if (watched == m_editor && event->type() == QEvent::ShortcutOverride) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape && key->modifiers() == Qt::NoModifier)
            return true;
    }
    return QWidget::eventFilter(watched, event);
}

void JsonEditor::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        applyPalette();
}

void JsonEditor::applyPalette()
{
    const QPalette p = palette();
    const QColor base = p.color(QPalette::Base);
    const QColor text = p.color(QPalette::Text);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(font().pointSizeF());

    m_lexer->setDefaultPaper(base);
    m_lexer->setDefaultColor(text);
    m_lexer->setDefaultFont(mono);
    for (int style = QsciLexerJSON::Default; style <= QsciLexerJSON::Error; ++style) {
        m_lexer->setPaper(base, style);
        m_lexer->setColor(text, style);
        m_lexer->setFont(mono, style);
    }
    m_lexer->setColor(accent(p, 25), QsciLexerJSON::Number);
    m_lexer->setColor(accent(p, 120), QsciLexerJSON::String);
    m_lexer->setColor(accent(p, 0), QsciLexerJSON::UnclosedString);
    m_lexer->setColor(accent(p, 210), QsciLexerJSON::Property);
    m_lexer->setColor(accent(p, 300), QsciLexerJSON::EscapeSequence);
    m_lexer->setColor(accent(p, 280), QsciLexerJSON::Keyword);
    m_lexer->setColor(blend(text, base, 0.25), QsciLexerJSON::Operator);
    m_lexer->setColor(accent(p, 0), QsciLexerJSON::Error);
    m_lexer->setPaper(blend(base, QColor(Qt::red), 0.25), QsciLexerJSON::Error);

    m_editor->setPaper(base);
    m_editor->setColor(text);
    m_editor->setCaretForegroundColor(text);
    m_editor->setSelectionBackgroundColor(p.color(QPalette::Highlight));
    m_editor->setSelectionForegroundColor(p.color(QPalette::HighlightedText));
    m_editor->setMarginsBackgroundColor(p.color(QPalette::Window));
    m_editor->setMarginsForegroundColor(p.color(QPalette::PlaceholderText));
    m_editor->setMarginsFont(mono);
    updateMarginWidth();
    m_editor->setFoldMarginColors(p.color(QPalette::Window), p.color(QPalette::Window));
    m_editor->setMatchedBraceBackgroundColor(blend(base, p.color(QPalette::Highlight), 0.35));
    m_editor->setMatchedBraceForegroundColor(text);
    m_editor->setUnmatchedBraceBackgroundColor(blend(base, QColor(Qt::red), 0.35));
    m_editor->setUnmatchedBraceForegroundColor(text);
    // The fold markers: drawn in the text colour on the margin.
    for (int marker = int(QsciScintilla::SC_MARKNUM_FOLDEREND);
         marker <= int(QsciScintilla::SC_MARKNUM_FOLDEROPEN); ++marker) {
        m_editor->setMarkerForegroundColor(p.color(QPalette::Window), marker);
        m_editor->setMarkerBackgroundColor(p.color(QPalette::PlaceholderText), marker);
    }
    m_editor->recolor();
    setValidity(m_valid, m_message); // the message's colour follows too
}

} // namespace dust
