#include "inspector/MapForm.h"

#include "inspector/ValueFormatter.h"
#include "protocol/StrictJson.h"

#include <QFormLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QScrollArea>
#include <QVBoxLayout>

namespace dust {

MapForm::MapForm(QWidget *parent)
    : EditForm(parent)
    , m_about(new QLabel(this))
    , m_scroll(new QScrollArea(this))
    , m_fieldsWidget(new QWidget(m_scroll))
    , m_form(new QFormLayout(m_fieldsWidget))
{
    setAccessibleName(tr("Map form"));
    m_about->setWordWrap(true);
    m_about->setTextFormat(Qt::PlainText);
    m_scroll->setWidgetResizable(true);
    m_scroll->setWidget(m_fieldsWidget);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_about);
    layout->addWidget(m_scroll, 1);
}

QString MapForm::fieldText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

void MapForm::clearFields()
{
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_fields.clear();
}

void MapForm::load(const Entry &entry)
{
    setEntry(entry);
    m_loading = true;
    clearFields();
    const QJsonObject map = entry.value.toObject();
    int shown = 0;
    QWidget *previous = nullptr;
    for (auto it = map.begin(); it != map.end() && shown < kMaxFields; ++it, ++shown) {
        Field field;
        field.key = it.key();
        field.initial = it.value();
        field.text = it.value().isString();
        // A long child is not made into text at all (a 10 MB child would freeze a line edit).
        field.tooLong = ValueFormatter::roughSize(it.value(), kMaxFieldChars) > kMaxFieldChars;
        field.edit =
            new QLineEdit(field.tooLong ? QString() : fieldText(it.value()), m_fieldsWidget);
        field.edit->setAccessibleName(tr("Field %1").arg(field.key));
        field.edit->setAccessibleDescription(
            field.text ? tr("Text.") : tr("JSON (a number, true, false, null, [ ] or { })."));
        if (field.tooLong) {
            field.edit->setReadOnly(true);
            field.edit->setPlaceholderText(tr("(too long to edit here)"));
            field.edit->setToolTip(tr("Too long to edit here: edit the map as JSON (Change "
                                      "type… → JSON)."));
        }
        auto *label = new QLabel(field.key + QLatin1Char(':'), m_fieldsWidget);
        label->setTextFormat(Qt::PlainText);
        label->setBuddy(field.edit);
        m_form->addRow(label, field.edit);
        connect(field.edit, &QLineEdit::textChanged, this, [this] {
            if (!m_loading)
                emit inputChanged();
        });
        connect(field.edit, &QLineEdit::returnPressed, this, &EditForm::submitted);
        if (previous)
            setTabOrder(previous, field.edit);
        previous = field.edit;
        m_fields.push_back(field);
    }
    if (map.size() > kMaxFields)
        m_about->setText(tr("The first %1 of %2 children. Save merges the fields you changed; "
                            "to edit all of them, change the type to JSON.")
                             .arg(kMaxFields)
                             .arg(QLocale().toString(map.size())));
    else
        m_about->setText(map.isEmpty() ? tr("An empty map: nothing to edit here.")
                                       : tr("The children of this map, one field each."));
    if (!m_fields.empty())
        setFocusProxy(m_fields.front().edit);
    m_loading = false;
    emit inputChanged();
}

std::optional<QJsonValue> MapForm::fieldValue(const Field &field, QString *why)
{
    const QString text = field.edit->text();
    if (field.text)
        return QJsonValue(text);
    const QByteArray utf8 = text.toUtf8();
    const StrictJson::Result check = StrictJson::validate(utf8);
    if (!check) {
        *why = tr("%1: not valid JSON at column %2: %3 (to write text, put it in quotes)")
                   .arg(field.key)
                   .arg(QString::fromUtf8(utf8.left(qMax<qsizetype>(check.offset, 0))).size() + 1)
                   .arg(StrictJson::describe(check.problem));
        return std::nullopt;
    }
    return QJsonDocument::fromJson('[' + utf8 + ']').array().at(0);
}

bool MapForm::hasInput() const
{
    for (const Field &field : m_fields) {
        if (!field.tooLong && field.edit->text() != fieldText(field.initial))
            return true;
    }
    return false;
}

std::optional<EditRequest> MapForm::pending() const
{
    QJsonObject changed;
    for (const Field &field : m_fields) {
        if (field.tooLong || field.edit->text() == fieldText(field.initial))
            continue;
        QString why;
        const auto value = fieldValue(field, &why);
        if (!value)
            return std::nullopt;
        changed.insert(field.key, *value);
    }
    if (changed.isEmpty())
        return std::nullopt;
    EditRequest request;
    request.kind = EditRequest::Kind::Merge;
    request.value = changed;
    return request;
}

QString MapForm::problem() const
{
    for (const Field &field : m_fields) {
        if (field.tooLong || field.edit->text() == fieldText(field.initial))
            continue;
        QString why;
        if (!fieldValue(field, &why))
            return why;
    }
    return {};
}

void MapForm::restore(const EditRequest &request)
{
    const QJsonObject changed = request.value.toObject();
    for (Field &field : m_fields) {
        if (!field.tooLong && changed.contains(field.key)) {
            const QJsonValue value = changed.value(field.key);
            field.edit->setText(field.text && value.isString() ? value.toString()
                                                               : fieldText(value));
        }
    }
    emit inputChanged();
}

void MapForm::applyPolicy(const WhyNot &whyNot)
{
    const QString why = whyNot(EditRequest::Kind::Merge);
    for (const Field &field : m_fields) {
        field.edit->setReadOnly(!why.isEmpty() || field.tooLong);
        if (!why.isEmpty())
            field.edit->setToolTip(why);
    }
}

QString MapForm::hint() const
{
    return tr("Saved with merge: only the fields you changed are written.");
}

QLineEdit *MapForm::field(const QString &key) const
{
    for (const Field &field : m_fields) {
        if (field.key == key)
            return field.edit;
    }
    return nullptr;
}

} // namespace dust
