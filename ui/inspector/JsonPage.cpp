#include "inspector/JsonPage.h"

#include "inspector/ChunkedTextView.h"
#include "inspector/JsonTreeModel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QTreeView>
#include <QVBoxLayout>

namespace dust {

namespace {

// The types of dust-protocol.md §3.3 the server derives itself.
bool isKnownType(const QString &type)
{
    static constexpr const char *kKnown[] = {"string", "integer", "float",   "boolean",
                                             "null",   "map",     "counter", "set",
                                             "file",   "lease",   "decimal", "datetime"};
    for (const char *known : kKnown) {
        if (type == QLatin1String(known))
            return true;
    }
    return false;
}

} // namespace

JsonPage::JsonPage(QWidget *parent)
    : InspectorPage(parent)
    , m_note(new QLabel(this))
    , m_raw(new QCheckBox(tr("&Raw JSON"), this))
    , m_views(new QStackedWidget(this))
    , m_tree(new QTreeView(m_views))
    , m_text(new ChunkedTextView(m_views))
    , m_model(new JsonTreeModel(this))
{
    setAccessibleName(tr("JSON value"));
    m_note->setWordWrap(true);
    m_note->setAccessibleName(tr("About this value"));
    m_raw->setAccessibleName(tr("Show raw JSON"));
    m_raw->setAccessibleDescription(tr("Shows the value as indented JSON text instead of a tree."));

    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setAccessibleName(tr("JSON tree"));
    m_tree->setAccessibleDescription(
        tr("The value's members; expand an object or array to see what it holds."));
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    m_text->setWrapping(false);
    m_text->editor()->setAccessibleName(tr("Raw JSON"));
    m_views->addWidget(m_tree);
    m_views->addWidget(m_text);
    connect(m_raw, &QCheckBox::toggled, this, &JsonPage::setRaw);

    auto *top = new QHBoxLayout;
    top->addWidget(m_note, 1);
    top->addWidget(m_raw);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_views, 1);
    setTabOrder(m_raw, m_tree);
    setTabOrder(m_tree, m_text);
}

void JsonPage::setRaw(bool raw)
{
    m_raw->setChecked(raw);
    m_views->setCurrentWidget(raw ? static_cast<QWidget *>(m_text) : m_tree);
    if (raw && m_rawPending) {
        // A big value's text is made only once it is asked for.
        m_rawPending = false;
        fillText(m_text, entry().value, textStyle());
        emit rawTextWanted();
    }
}

bool JsonPage::isRaw() const
{
    return m_raw->isChecked();
}

void JsonPage::showEntry(const Entry &entry)
{
    const QJsonValue &value = entry.value;
    if (entry.type == QLatin1String("map"))
        m_note->setText(value.isObject() && value.toObject().contains(QLatin1String("_typed"))
                            ? tr("A typed value, stored as one leaf.")
                            : tr("A map: the leaves under this path, assembled."));
    else if (entry.type == QLatin1String("string") && value.isArray())
        m_note->setText(tr("An array. The server gives arrays written with set the type "
                           "\"string\"."));
    else if (isKnownType(entry.type))
        m_note->setText(
            tr("A \"%1\" value of an unexpected shape; shown as JSON.").arg(entry.type));
    else
        m_note->setText(
            tr("Type \"%1\" is not one this browser knows; shown as JSON.").arg(entry.type));
    // How much there is: a big tree shows its rows a page at a time.
    if (value.isArray()) {
        const qsizetype n = value.toArray().size();
        m_note->setText(m_note->text() + QLatin1Char(' ') +
                        (n == 1 ? tr("1 item.") : tr("%1 items.").arg(QLocale().toString(n))));
    } else if (value.isObject()) {
        const qsizetype n = value.toObject().size();
        m_note->setText(m_note->text() + QLatin1Char(' ') +
                        (n == 1 ? tr("1 key.") : tr("%1 keys.").arg(QLocale().toString(n))));
    }
    m_model->setValue(value);
    // A big value is shown as the tree; its text (megabytes, and many more as an on-screen
    // document) is formatted only when Raw is chosen.
    const bool big = ValueFormatter::roughSize(value, ValueFormatter::kInlineLimit) >
                     ValueFormatter::kInlineLimit;
    m_rawPending = big && !isRaw();
    if (m_rawPending)
        m_text->setText(QString());
    else
        fillText(m_text, value, textStyle());
}

QString JsonPage::valueText() const
{
    return textOf(m_text);
}

QString JsonPage::noteText() const
{
    return m_note->text();
}

} // namespace dust
