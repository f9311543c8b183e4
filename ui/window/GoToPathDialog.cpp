#include "GoToPathDialog.h"

#include <QCompleter>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStringListModel>
#include <QVBoxLayout>

namespace dust {

GoToPathDialog::GoToPathDialog(Completions completions, QWidget *parent)
    : QDialog(parent)
    , m_completions(std::move(completions))
    , m_field(new QLineEdit(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
    , m_list(new QStringListModel(this))
    , m_completer(new QCompleter(m_list, this))
{
    setWindowTitle(tr("Go to Path"));
    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(tr("&Path:"), this);
    label->setBuddy(m_field);
    m_field->setPlaceholderText(tr("users/alice/email"));
    m_field->setAccessibleName(tr("Path"));
    m_field->setAccessibleDescription(
        tr("Segments joined by '/'; write ~1 for a '/' inside a segment and ~0 for '~'"));
    m_field->setMinimumWidth(420);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setMaxVisibleItems(12);
    m_field->setCompleter(m_completer);
    m_problem->setWordWrap(true);
    m_problem->setAccessibleName(tr("Problem with the path"));
    m_problem->hide();
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Go"));
    layout->addWidget(label);
    layout->addWidget(m_field);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &GoToPathDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &GoToPathDialog::reject);
    connect(m_field, &QLineEdit::textEdited, this, &GoToPathDialog::updateCompletions);
    updateCompletions(QString());
}

void GoToPathDialog::setText(const QString &text)
{
    m_field->setText(text);
    m_field->selectAll(); // typing replaces the current path; End or → keeps and extends it
    updateCompletions(text);
}

QString GoToPathDialog::problem() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void GoToPathDialog::updateCompletions(const QString &typed)
{
    m_problem->hide();
    if (m_completions)
        m_list->setStringList(m_completions(typed));
}

void GoToPathDialog::accept()
{
    QString text = m_field->text().trimmed();
    while (text.endsWith(QLatin1Char('/')))
        text.chop(1);
    auto parsed = Path::parse(text);
    if (!parsed) {
        m_problem->setText(tr("Not a path: %1.").arg(pathErrorDetail(parsed.error())));
        m_problem->show();
        m_field->setFocus();
        return;
    }
    m_path = *parsed;
    QDialog::accept();
}

} // namespace dust
