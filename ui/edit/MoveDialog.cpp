#include "edit/MoveDialog.h"

#include "edit/PathField.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPalette>
#include <QPushButton>
#include <QVBoxLayout>

namespace dust {

MoveDialog::MoveDialog(Mode mode, const Path &from, QWidget *parent)
    : QDialog(parent)
    , m_mode(mode)
    , m_from(from)
    , m_field(new PathField(mode == Mode::Rename ? PathField::Mode::Segment : PathField::Mode::Path,
                            this))
    , m_preview(new QLabel(this))
    , m_problemLabel(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setWindowTitle(mode == Mode::Rename ? tr("Rename %1").arg(from.rendered())
                                        : tr("Move %1").arg(from.rendered()));
    m_field->setText(mode == Mode::Rename ? from.lastSegment() : from.rendered());
    m_field->lineEdit()->selectAll();
    m_field->lineEdit()->setAccessibleName(mode == Mode::Rename ? tr("New name") : tr("New path"));
    for (QLabel *label : {m_preview, m_problemLabel}) {
        label->setTextFormat(Qt::PlainText);
        label->setWordWrap(true);
    }
    m_preview->setAccessibleName(tr("What moves where"));
    m_problemLabel->setAccessibleName(tr("Problem"));
    QPalette warning = m_problemLabel->palette();
    warning.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    m_problemLabel->setPalette(warning);

    QPushButton *ok = m_buttons->addButton(mode == Mode::Rename ? tr("&Rename") : tr("&Move"),
                                           QDialogButtonBox::AcceptRole);
    ok->setAccessibleName(mode == Mode::Rename ? tr("Rename") : tr("Move"));
    ok->setAccessibleDescription(
        tr("Moves every entry at and under %1 to the new path.").arg(from.rendered()));
    ok->setDefault(true);
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));

    auto *form = new QFormLayout;
    auto *label = new QLabel(mode == Mode::Rename ? tr("New &name:") : tr("New &path:"));
    label->setBuddy(m_field);
    form->addRow(label, m_field);
    form->addRow(tr("Moves:"), m_preview);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problemLabel);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_field, &PathField::changed, this, &MoveDialog::revalidate);
    revalidate();
    m_field->setFocus();
}

QString MoveDialog::previewText() const
{
    return m_preview->text();
}

void MoveDialog::revalidate()
{
    m_destination = {};
    m_problem.clear();
    Path target;
    if (!m_field->isValid()) {
        m_problem = m_field->errorText();
    } else if (m_mode == Mode::Rename) {
        const Path parent = m_from.parent();
        if (parent.isValid()) {
            target = parent.child(m_field->segment());
        } else if (auto top = Path::fromSegments({m_field->segment()})) {
            target = top.value();
        }
    } else {
        target = m_field->path();
    }
    if (m_problem.isEmpty()) {
        if (!target.isValid())
            m_problem = tr("Type where %1 goes.").arg(m_from.rendered());
        else if (target == m_from)
            m_problem = tr("That is where %1 is now.").arg(m_from.rendered());
        else if (m_from.isAncestorOf(target))
            m_problem = tr("%1 cannot move inside itself.").arg(m_from.rendered());
    }
    if (m_problem.isEmpty()) {
        m_destination = target;
        m_preview->setText(tr("%1 → %2, with everything under it, if %2 does not exist yet.")
                               .arg(m_from.rendered(), target.rendered()));
    } else {
        m_preview->setText(QString());
    }
    m_problemLabel->setText(m_problem);
    m_problemLabel->setVisible(!m_problem.isEmpty());
    for (QAbstractButton *button : m_buttons->buttons()) {
        if (m_buttons->buttonRole(button) == QDialogButtonBox::AcceptRole)
            button->setEnabled(m_destination.isValid());
    }
}

} // namespace dust
