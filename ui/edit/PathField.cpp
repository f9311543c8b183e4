#include "edit/PathField.h"

#include <QLabel>
#include <QLineEdit>
#include <QPalette>
#include <QVBoxLayout>

namespace dust {

namespace {

QString errorWords(PathError error)
{
    switch (error) {
    case PathError::EmptyPath:
        return PathField::tr("Type a path.");
    case PathError::EmptySegment:
        return PathField::tr("A path cannot start or end with '/' or hold '//': every segment "
                             "needs at least one character.");
    case PathError::InvalidEscape:
        return PathField::tr("'~' must be written as ~0 and a '/' inside a segment as ~1; any "
                             "other '~' is not allowed.");
    case PathError::NotAString:
    case PathError::NotAList:
    case PathError::InvalidUtf8:
        break;
    }
    return pathErrorDetail(error);
}

} // namespace

PathField::PathField(Mode mode, QWidget *parent)
    : QWidget(parent)
    , m_mode(mode)
    , m_edit(new QLineEdit(this))
    , m_rendered(new QLabel(this))
    , m_errorLabel(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_edit);
    layout->addWidget(m_rendered);
    layout->addWidget(m_errorLabel);
    m_rendered->setTextFormat(Qt::PlainText);
    m_rendered->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setTextFormat(Qt::PlainText);
    m_errorLabel->setWordWrap(true);
    QPalette warning = m_errorLabel->palette();
    warning.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    m_errorLabel->setPalette(warning);
    setFocusProxy(m_edit);
    if (mode == Mode::Segment) {
        m_edit->setAccessibleName(tr("Name"));
        m_description = tr("One segment, typed as is: '/' and '~' are part of the name and "
                           "are written escaped as ~1 and ~0.");
        m_edit->setPlaceholderText(tr("name"));
    } else {
        m_edit->setAccessibleName(tr("Path"));
        m_description = tr("A path with segments separated by '/'; write ~1 for a '/' inside "
                           "a segment and ~0 for '~'.");
        m_edit->setPlaceholderText(mode == Mode::OptionalPath ? tr("(top of the store)")
                                                              : tr("folder/name"));
    }
    m_rendered->setAccessibleName(tr("Written as"));
    m_errorLabel->setAccessibleName(tr("Problem"));
    connect(m_edit, &QLineEdit::textChanged, this, &PathField::revalidate);
    revalidate();
}

QString PathField::text() const
{
    return m_edit->text();
}

void PathField::setText(const QString &text)
{
    m_edit->setText(text);
}

QString PathField::segment() const
{
    return m_mode == Mode::Segment ? m_edit->text() : m_path.rendered();
}

QString PathField::renderedText() const
{
    return m_rendered->text();
}

void PathField::revalidate()
{
    const QString text = m_edit->text();
    m_path = {};
    m_error.clear();
    QString shown;
    switch (m_mode) {
    case Mode::Segment:
        if (text.isEmpty())
            m_error = tr("Type a name: a segment needs at least one character.");
        else
            shown = tr("Written as: %1").arg(Path::escapeSegment(text));
        break;
    case Mode::OptionalPath:
        if (text.isEmpty()) {
            shown = tr("At the top of the store");
            break;
        }
        [[fallthrough]];
    case Mode::Path: {
        auto parsed = Path::parse(text);
        if (!parsed) {
            m_error = errorWords(parsed.error());
            break;
        }
        m_path = parsed.value();
        QStringList quoted;
        for (const QString &segment : m_path.segments())
            quoted.append(QLatin1Char('"') + segment + QLatin1Char('"'));
        shown = tr("Segments: %1").arg(quoted.join(QStringLiteral(" › ")));
        break;
    }
    }
    m_rendered->setText(shown);
    m_rendered->setVisible(!shown.isEmpty());
    m_errorLabel->setText(m_error);
    m_errorLabel->setVisible(!m_error.isEmpty());
    m_edit->setAccessibleDescription(m_description + QLatin1Char(' ') +
                                     (m_error.isEmpty() ? shown : m_error));
    emit changed();
}

} // namespace dust
