#include "edit/DeleteConfirmDialog.h"

#include "edit/PathListText.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QStringList>
#include <QVBoxLayout>

namespace dust {

DeleteConfirmDialog::DeleteConfirmDialog(const QList<Path> &nodes, qint64 leafCount,
                                         QWidget *parent)
    : QDialog(parent)
    , m_message(new QLabel(this))
    , m_buttons(new QDialogButtonBox(this))
{
    setWindowTitle(nodes.size() == 1 ? tr("Delete %1?").arg(nodes.first().rendered())
                                     : tr("Delete %n nodes?", nullptr, int(nodes.size())));
    QStringList paths;
    for (const Path &node : nodes)
        paths.append(node.rendered());
    const QString what = pathlist::names(paths, kMaxNamed);
    QString text = nodes.size() == 1
                       ? tr("Delete %1?").arg(what)
                       : tr("Delete these %n nodes: %1?", nullptr, int(nodes.size())).arg(what);
    text += QLatin1Char('\n') + (leafCount == 0 ? tr("Nothing is stored there now.")
                                                : tr("%n leaves at or under them will be deleted.",
                                                     nullptr, int(leafCount)));
    text += QLatin1Char('\n') + tr("A leaf changed by someone else meanwhile is kept.");
    m_message->setText(text);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setAccessibleName(tr("What will be deleted"));

    m_delete = m_buttons->addButton(tr("&Delete"), QDialogButtonBox::DestructiveRole);
    m_delete->setAccessibleName(tr("Delete"));
    m_delete->setAccessibleDescription(
        tr("Deletes %n leaves; Undo can put them back.", nullptr, int(leafCount)));
    m_delete->setAutoDefault(false);
    m_cancel = m_buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setAccessibleName(tr("Cancel"));
    m_cancel->setAccessibleDescription(tr("Keeps everything."));
    m_cancel->setDefault(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);
    setAccessibleDescription(text);

    connect(m_delete, &QPushButton::clicked, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_cancel->setFocus();
}

QString DeleteConfirmDialog::messageText() const
{
    return m_message->text();
}

} // namespace dust
