#include "edit/ConflictDialog.h"

#include "edit/DiffText.h"
#include "edit/LineDiff.h"

#include <QDialogButtonBox>
#include <QGridLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QVBoxLayout>

namespace dust {

using difftext::linesOf;
using difftext::marked;
using difftext::sideView;
using difftext::tint;

namespace {

QSet<int> toSet(const QList<int> &list)
{
    return QSet<int>(list.begin(), list.end());
}

} // namespace

QString ConflictDialog::formatted(const QJsonValue &value)
{
    if (value.isUndefined())
        return {};
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented))
            .trimmed();
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented))
            .trimmed();
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

ConflictDialog::ConflictDialog(const Sides &sides, QWidget *parent)
    : QDialog(parent)
{
    const QString action = sides.action.isEmpty() ? tr("Save") : sides.action;
    setWindowTitle(tr("%1 refused: %2 changed").arg(action, sides.path.rendered()));
    setAccessibleName(windowTitle());

    QString who = sides.theirDevice.isEmpty() ? tr("by another client")
                                              : tr("by device %1").arg(sides.theirDevice);
    QString now =
        !sides.theirs.isUndefined()
            ? tr("It is now at revision %1, changed %2.")
                  .arg(sides.theirRevision ? QString::number(*sides.theirRevision) : tr("unknown"),
                       who)
            : tr("It has been deleted %1.").arg(who);
    auto *explanation = new QLabel(
        tr("%1 of %2 was refused: the entry changed on the server since revision %3, which your "
           "change was based on. %4 Nothing was written. Lines marked + differ from the base; "
           "lines marked - in the base were changed.")
            .arg(action, sides.path.rendered())
            .arg(sides.baseRevision)
            .arg(now),
        this);
    explanation->setWordWrap(true);
    explanation->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);

    m_base =
        sideView(this, tr("Base"), tr("The value you loaded, revision %1").arg(sides.baseRevision));
    m_theirs = sideView(this, tr("Theirs"), tr("The value on the server now"));
    m_mine = sideView(this, tr("Mine"), tr("The value you wanted to write"));

    const QStringList baseLines = linesOf(formatted(sides.base));
    const QStringList theirLines = linesOf(formatted(sides.theirs));
    const QStringList myLines = linesOf(formatted(sides.mine));
    const auto theirDiff = LineDiff::compute(baseLines, theirLines);
    const auto myDiff = LineDiff::compute(baseLines, myLines);
    const QSet<int> baseMarks =
        toSet(LineDiff::removedLines(theirDiff)) | toSet(LineDiff::removedLines(myDiff));
    const QSet<int> theirMarks = toSet(LineDiff::addedLines(theirDiff));
    const QSet<int> myMarks = toSet(LineDiff::addedLines(myDiff));

    m_base->setPlainText(marked(baseLines, baseMarks, QLatin1Char('-')));
    m_theirs->setPlainText(marked(theirLines, theirMarks, QLatin1Char('+')));
    m_mine->setPlainText(marked(myLines, myMarks, QLatin1Char('+')));
    if (sides.base.isUndefined())
        m_base->setPlaceholderText(tr("(nothing was there)"));
    if (sides.theirs.isUndefined())
        m_theirs->setPlaceholderText(tr("(nothing is there now)"));
    if (sides.mine.isUndefined())
        m_mine->setPlaceholderText(tr("(delete)"));
    tint(m_base, baseMarks, QColor(220, 60, 60, 70));
    tint(m_theirs, theirMarks, QColor(230, 170, 0, 80));
    tint(m_mine, myMarks, QColor(60, 140, 230, 70));

    auto *grid = new QGridLayout;
    const auto heading = [this](const QString &text, QPlainTextEdit *buddy) {
        auto *label = new QLabel(text, this);
        label->setBuddy(buddy);
        return label;
    };
    grid->addWidget(
        heading(tr("&Base: what you loaded (revision %1)").arg(sides.baseRevision), m_base), 0, 0);
    grid->addWidget(
        heading(sides.theirRevision
                    ? tr("&Theirs: on the server now (revision %1)").arg(*sides.theirRevision)
                    : tr("&Theirs: on the server now"),
                m_theirs),
        0, 1);
    grid->addWidget(heading(tr("&Mine: your change"), m_mine), 0, 2);
    grid->addWidget(m_base, 1, 0);
    grid->addWidget(m_theirs, 1, 1);
    grid->addWidget(m_mine, 1, 2);

    auto *buttons = new QDialogButtonBox(this);
    m_reload = buttons->addButton(tr("&Reload (take theirs)"), QDialogButtonBox::RejectRole);
    m_reload->setAccessibleName(tr("Reload"));
    m_reload->setAccessibleDescription(
        tr("Discard your change and show the value on the server now. Nothing is written."));
    m_overwrite = buttons->addButton(tr("O&verwrite with mine"), QDialogButtonBox::AcceptRole);
    m_overwrite->setAccessibleName(tr("Overwrite"));
    m_overwrite->setAccessibleDescription(
        tr("Write your change again, conditional on their revision: if it changes once more, "
           "you are asked again."));
    m_keep = buttons->addButton(tr("&Keep mine in the editor"), QDialogButtonBox::RejectRole);
    m_keep->setAccessibleName(tr("Keep mine"));
    m_keep->setAccessibleDescription(
        tr("Write nothing and keep your change in the editor to adjust it."));
    m_keep->setDefault(true);
    m_keep->setAutoDefault(true);
    m_reload->setAutoDefault(false);
    m_overwrite->setAutoDefault(false);
    connect(m_reload, &QPushButton::clicked, this, [this] { choose(Choice::Reload); });
    connect(m_overwrite, &QPushButton::clicked, this, [this] { choose(Choice::Overwrite); });
    connect(m_keep, &QPushButton::clicked, this, [this] { choose(Choice::KeepMine); });
    // Escape, or closing the window, keeps the change in the editor and writes nothing.
    connect(this, &QDialog::rejected, this, [this] { choose(Choice::KeepMine); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(explanation);
    layout->addLayout(grid, 1);
    layout->addWidget(buttons);

    setTabOrder(m_base, m_theirs);
    setTabOrder(m_theirs, m_mine);
    setTabOrder(m_mine, m_keep);
    setTabOrder(m_keep, m_overwrite);
    setTabOrder(m_overwrite, m_reload);
    resize(960, 480);
}

QPushButton *ConflictDialog::button(Choice choice) const
{
    switch (choice) {
    case Choice::Reload:
        return m_reload;
    case Choice::Overwrite:
        return m_overwrite;
    case Choice::KeepMine:
        return m_keep;
    }
    return nullptr;
}

QString ConflictDialog::baseText() const
{
    return m_base->toPlainText();
}

QString ConflictDialog::theirsText() const
{
    return m_theirs->toPlainText();
}

QString ConflictDialog::mineText() const
{
    return m_mine->toPlainText();
}

void ConflictDialog::choose(Choice choice)
{
    if (m_chosen)
        return;
    m_chosen = true;
    emit chosen(choice);
    if (choice == Choice::Overwrite)
        accept();
    else
        reject();
}

} // namespace dust
