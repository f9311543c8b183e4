#include "edit/NewEntryDialog.h"

#include "edit/JsonInput.h"
#include "edit/PathField.h"
#include "protocol/Values.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPalette>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

namespace dust {

NewEntryDialog::NewEntryDialog(const Path &parentPath, QWidget *parent)
    : QDialog(parent)
    , m_parentField(new PathField(PathField::Mode::OptionalPath, this))
    , m_nameField(new PathField(PathField::Mode::Segment, this))
    , m_type(new QComboBox(this))
    , m_value(new QPlainTextEdit(this))
    , m_preview(new QLabel(this))
    , m_problemLabel(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("New Entry"));
    m_parentField->setText(parentPath.isValid() ? parentPath.rendered() : QString());
    m_parentField->lineEdit()->setAccessibleName(tr("Parent path"));
    m_nameField->lineEdit()->setAccessibleName(tr("Name of the new entry"));

    m_type->addItem(tr("String"), int(ValueType::String));
    m_type->addItem(tr("Integer"), int(ValueType::Integer));
    m_type->addItem(tr("Float"), int(ValueType::Float));
    m_type->addItem(tr("Boolean"), int(ValueType::Boolean));
    m_type->addItem(tr("Null"), int(ValueType::Null));
    m_type->addItem(tr("JSON"), int(ValueType::Json));
    m_type->setAccessibleName(tr("Type"));
    m_type->setAccessibleDescription(
        tr("How the value is read: as text, a whole number, a number, true or false, null, "
           "or JSON (a list, or any JSON value)."));

    m_value->setTabChangesFocus(true);
    m_value->setAccessibleName(tr("Value"));
    m_value->setAccessibleDescription(tr("The value of the new entry, read as the chosen type."));
    m_value->setMinimumHeight(80);

    m_preview->setTextFormat(Qt::PlainText);
    m_preview->setWordWrap(true);
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview->setAccessibleName(tr("What will be written"));
    m_problemLabel->setTextFormat(Qt::PlainText);
    m_problemLabel->setWordWrap(true);
    m_problemLabel->setAccessibleName(tr("Problem"));
    QPalette warning = m_problemLabel->palette();
    warning.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    m_problemLabel->setPalette(warning);

    QPushButton *create = m_buttons->addButton(tr("&Create"), QDialogButtonBox::AcceptRole);
    create->setAccessibleName(tr("Create"));
    create->setAccessibleDescription(tr("Writes the new entry if nothing exists at its path."));
    create->setDefault(true);
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));

    auto *form = new QFormLayout;
    auto addRow = [form](const QString &text, QWidget *field) {
        auto *label = new QLabel(text);
        label->setBuddy(field);
        form->addRow(label, field);
    };
    addRow(tr("&Parent:"), m_parentField);
    addRow(tr("&Name:"), m_nameField);
    addRow(tr("&Type:"), m_type);
    addRow(tr("&Value:"), m_value);
    addRow(tr("Writes:"), m_preview);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problemLabel);
    layout->addWidget(m_buttons);

    setTabOrder(m_parentField->lineEdit(), m_nameField->lineEdit());
    setTabOrder(m_nameField->lineEdit(), m_type);
    setTabOrder(m_type, m_value);
    setTabOrder(m_value, m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_parentField, &PathField::changed, this, &NewEntryDialog::revalidate);
    connect(m_nameField, &PathField::changed, this, &NewEntryDialog::revalidate);
    connect(m_type, &QComboBox::currentIndexChanged, this, &NewEntryDialog::revalidate);
    connect(m_value, &QPlainTextEdit::textChanged, this, &NewEntryDialog::revalidate);
    revalidate();
    m_nameField->setFocus();
}

void NewEntryDialog::setValueType(ValueType type)
{
    m_type->setCurrentIndex(m_type->findData(int(type)));
}

std::optional<EditRequest> NewEntryDialog::request() const
{
    return m_request;
}

QString NewEntryDialog::previewText() const
{
    return m_preview->text();
}

std::optional<QJsonValue> NewEntryDialog::parsedValue(QString *problem) const
{
    const auto type = ValueType(m_type->currentData().toInt());
    const QString text = m_value->toPlainText();
    const QString trimmed = text.trimmed();
    switch (type) {
    case ValueType::String:
        return QJsonValue(text);
    case ValueType::Integer: {
        bool ok = false;
        const qint64 number = trimmed.toLongLong(&ok);
        if (!ok) {
            *problem = tr("The value is not a whole number (such as 42 or -7).");
            return std::nullopt;
        }
        return QJsonValue(number);
    }
    case ValueType::Float: {
        bool ok = false;
        const double number = trimmed.toDouble(&ok);
        if (!ok || !std::isfinite(number)) {
            *problem = tr("The value is not a number (such as 3.14 or -2e5).");
            return std::nullopt;
        }
        return QJsonValue(number);
    }
    case ValueType::Boolean:
        if (trimmed.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0)
            return QJsonValue(true);
        if (trimmed.compare(QLatin1String("false"), Qt::CaseInsensitive) == 0)
            return QJsonValue(false);
        *problem = tr("The value must be true or false.");
        return std::nullopt;
    case ValueType::Null:
        return QJsonValue(QJsonValue::Null);
    case ValueType::Json: {
        auto parsed = jsoninput::parse(text);
        if (!parsed) {
            *problem = parsed.error();
            return std::nullopt;
        }
        if (values::isPlainObject(parsed.value())) {
            *problem = tr("An object makes a subtree, which cannot be created on the condition "
                          "that nothing is there. Create its first leaf, or use Paste JSON "
                          "into a node, which shows what it replaces.");
            return std::nullopt;
        }
        return parsed.value();
    }
    }
    return std::nullopt;
}

void NewEntryDialog::revalidate()
{
    m_value->setEnabled(ValueType(m_type->currentData().toInt()) != ValueType::Null);
    m_request.reset();
    m_problem.clear();
    Path target;
    if (!m_parentField->isValid()) {
        m_problem = tr("Parent: %1").arg(m_parentField->errorText());
    } else if (!m_nameField->isValid()) {
        m_problem = tr("Name: %1").arg(m_nameField->errorText());
    } else {
        const Path parentPath = m_parentField->path();
        if (parentPath.isValid()) {
            target = parentPath.child(m_nameField->segment());
        } else if (auto top = Path::fromSegments({m_nameField->segment()})) {
            target = top.value();
        }
        if (!target.isValid())
            m_problem = tr("Name: a segment needs at least one character.");
    }
    QString valueProblem;
    const std::optional<QJsonValue> value = parsedValue(&valueProblem);
    if (m_problem.isEmpty() && !value)
        m_problem = tr("Value: %1").arg(valueProblem);

    if (m_problem.isEmpty()) {
        EditRequest request;
        request.kind = EditRequest::Kind::Set;
        request.path = target;
        request.value = *value;
        request.ifAbsent = true;
        m_request = request;
        m_preview->setText(request.summary());
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
