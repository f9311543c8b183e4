#include "TreeFilterBar.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>

namespace dust {

namespace {

QString globProblem(GlobError error)
{
    switch (error) {
    case GlobError::EmptyPath:
        return TreeFilterBar::tr("The pattern is empty.");
    case GlobError::EmptySegment:
        return TreeFilterBar::tr("The pattern has an empty segment (a leading, trailing or "
                                 "doubled '/').");
    case GlobError::InvalidEscape:
        return TreeFilterBar::tr("'~' must be followed by 0 (for ~) or 1 (for /).");
    case GlobError::WildcardManyNotTail:
        return TreeFilterBar::tr("'**' may only be the last segment.");
    }
    return TreeFilterBar::tr("The pattern is not valid.");
}

} // namespace

TreeFilterBar::TreeFilterBar(QWidget *parent)
    : QWidget(parent)
    , m_field(new QLineEdit(this))
    , m_mode(new QComboBox(this))
    , m_note(new QLabel(this))
    , m_pause(this)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_field->setClearButtonEnabled(true);
    m_field->setPlaceholderText(tr("Filter paths (Ctrl+F)"));
    m_field->setAccessibleName(tr("Filter"));
    m_field->setAccessibleDescription(
        tr("Shows only the paths whose name contains this text, or that match this glob"));
    m_field->installEventFilter(this);
    m_mode->addItem(tr("Name contains"));
    m_mode->addItem(tr("Glob"));
    m_mode->setAccessibleName(tr("Filter mode"));
    m_mode->setToolTip(tr("Name contains: a case-insensitive text.\nGlob: a whole path "
                          "pattern, * for one segment, ** for the rest (users/*/email)."));
    m_note->setAccessibleName(tr("Filter result"));
    m_note->setMinimumWidth(
        m_note->fontMetrics().horizontalAdvance(QStringLiteral("000,000 matches")));
    layout->addWidget(m_field, 1);
    layout->addWidget(m_mode);
    layout->addWidget(m_note);
    setFocusProxy(m_field);

    m_pause.setSingleShot(true);
    m_pause.setInterval(250);
    connect(&m_pause, &QTimer::timeout, this, &TreeFilterBar::apply);
    connect(m_field, &QLineEdit::textEdited, this, [this] { m_pause.start(); });
    connect(m_field, &QLineEdit::returnPressed, this, &TreeFilterBar::apply);
    // The clear button does not emit textEdited.
    connect(m_field, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.isEmpty())
            apply();
    });
    connect(m_mode, &QComboBox::currentIndexChanged, this, &TreeFilterBar::apply);
}

void TreeFilterBar::setMode(Mode mode)
{
    m_mode->setCurrentIndex(mode == Mode::Glob ? 1 : 0);
}

TreeFilterBar::Mode TreeFilterBar::mode() const
{
    return m_mode->currentIndex() == 1 ? Mode::Glob : Mode::Text;
}

void TreeFilterBar::setText(const QString &text)
{
    m_field->setText(text);
    apply();
}

QString TreeFilterBar::text() const
{
    return m_field->text();
}

QString TreeFilterBar::problem() const
{
    return m_problem;
}

void TreeFilterBar::focusField()
{
    m_field->setFocus(Qt::ShortcutFocusReason);
    m_field->selectAll();
}

TreeFilter TreeFilterBar::currentFilter() const
{
    const QString text = m_field->text();
    if (text.isEmpty())
        return {};
    if (mode() == Mode::Text)
        return TreeFilter::substring(text);
    auto glob = TreeFilter::glob(text);
    return glob ? *glob : TreeFilter();
}

void TreeFilterBar::showMatches(qsizetype count)
{
    if (!m_problem.isEmpty())
        return;
    if (m_field->text().isEmpty()) {
        m_note->clear();
        return;
    }
    m_note->setText(count == 1 ? tr("1 match")
                               : tr("%1 matches").arg(QLocale().toString(qlonglong(count))));
}

void TreeFilterBar::showRunning()
{
    m_note->setText(tr("filtering…"));
}

void TreeFilterBar::apply()
{
    m_pause.stop();
    const QString text = m_field->text();
    m_problem.clear();
    if (mode() == Mode::Glob && !text.isEmpty()) {
        const auto glob = TreeFilter::glob(text);
        if (!glob)
            m_problem = globProblem(glob.error());
    }
    if (!m_problem.isEmpty()) {
        m_note->setText(QStringLiteral("<span style=\"color:#d03030\">%1</span>")
                            .arg(m_problem.toHtmlEscaped()));
        m_field->setToolTip(m_problem);
        return; // keep what is shown until the pattern is usable
    }
    m_field->setToolTip(QString());
    m_note->clear();
    emit filterChanged(currentFilter());
}

bool TreeFilterBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_field && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent *>(event)->key() == Qt::Key_Escape && !m_field->text().isEmpty()) {
        m_field->clear();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace dust
