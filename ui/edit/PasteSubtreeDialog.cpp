#include "edit/PasteSubtreeDialog.h"

#include "edit/JsonInput.h"
#include "protocol/Values.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPalette>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace dust {

PasteSubtreeDialog::PasteSubtreeDialog(const Path &node, const QString &clipboardText,
                                       qint64 leavesNow, QWidget *parent)
    : QDialog(parent)
    , m_node(node)
    , m_leavesNow(leavesNow)
    , m_text(new QPlainTextEdit(this))
    , m_impact(new QLabel(this))
    , m_preview(new QLabel(this))
    , m_problemLabel(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Paste JSON into %1").arg(node.rendered()));
    m_text->setPlainText(clipboardText);
    m_text->setTabChangesFocus(true);
    m_text->setAccessibleName(tr("JSON to write"));
    m_text->setAccessibleDescription(
        tr("The pasted JSON; an object becomes one leaf per value under %1.").arg(node.rendered()));
    m_text->setMinimumSize(420, 160);
    for (QLabel *label : {m_impact, m_preview, m_problemLabel}) {
        label->setTextFormat(Qt::PlainText);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_impact->setAccessibleName(tr("What the paste replaces"));
    m_preview->setAccessibleName(tr("What will be written"));
    m_problemLabel->setAccessibleName(tr("Problem"));
    QPalette warning = m_problemLabel->palette();
    warning.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    m_problemLabel->setPalette(warning);

    QPushButton *paste = m_buttons->addButton(tr("&Replace"), QDialogButtonBox::AcceptRole);
    paste->setAccessibleName(tr("Replace"));
    paste->setAccessibleDescription(
        tr("Removes what is under %1 and writes the pasted JSON there.").arg(node.rendered()));
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    m_buttons->button(QDialogButtonBox::Cancel)->setDefault(true);

    auto *form = new QFormLayout;
    auto *textLabel = new QLabel(tr("&JSON:"));
    textLabel->setBuddy(m_text);
    form->addRow(textLabel, m_text);
    form->addRow(tr("Replaces:"), m_impact);
    form->addRow(tr("Writes:"), m_preview);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problemLabel);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_text, &QPlainTextEdit::textChanged, this, &PasteSubtreeDialog::revalidate);
    revalidate();
    m_text->setFocus();
}

void PasteSubtreeDialog::setBase(const QJsonValue &value, const QString &type, qint64 revision)
{
    m_baseValue = value;
    m_baseType = type;
    m_baseRevision = revision;
    revalidate();
}

QString PasteSubtreeDialog::impactText() const
{
    return m_impact->text();
}

QString PasteSubtreeDialog::previewText() const
{
    return m_preview->text();
}

void PasteSubtreeDialog::revalidate()
{
    m_request.reset();
    m_problem.clear();
    m_impact->setText(m_leavesNow > 0 ? tr("%n leaves now at or under %1 are removed first.",
                                           nullptr, int(m_leavesNow))
                                            .arg(m_node.rendered())
                                      : tr("Nothing is at %1 now.").arg(m_node.rendered()));
    auto parsed = jsoninput::parse(m_text->toPlainText());
    if (!parsed) {
        m_problem = parsed.error();
    } else if (auto bad = values::validateKeys(parsed.value())) {
        m_problem = tr("An object key is empty: a path segment needs at least one character.");
    }
    if (m_problem.isEmpty()) {
        const qsizetype written = values::flatten(m_node, parsed.value()).size();
        EditRequest request;
        request.kind = EditRequest::Kind::Set;
        request.path = m_node;
        request.value = parsed.value();
        request.baseValue = m_baseValue;
        request.baseType = m_baseType;
        request.baseRevision = m_baseRevision;
        m_request = request;
        const QString count =
            written == 0 ? tr("An empty object writes nothing: everything under %1 is removed.")
                               .arg(m_node.rendered())
                         : tr("%n leaves.", nullptr, int(written));
        m_preview->setText(count + QLatin1Char('\n') + request.summary());
    } else {
        m_preview->setText(QString());
    }
    m_problemLabel->setText(m_problem);
    m_problemLabel->setVisible(!m_problem.isEmpty());
    for (QAbstractButton *button : m_buttons->buttons()) {
        if (m_buttons->buttonRole(button) == QDialogButtonBox::AcceptRole)
            button->setEnabled(m_request.has_value());
    }
}

} // namespace dust
