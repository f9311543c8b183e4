#include "history/DiffSidesView.h"

#include "edit/ConflictDialog.h"
#include "edit/DiffText.h"
#include "edit/LineDiff.h"

#include <QGridLayout>
#include <QLabel>
#include <QPalette>
#include <QPlainTextEdit>
#include <QSet>

namespace dust {

using difftext::linesOf;
using difftext::marked;
using difftext::sideView;
using difftext::tint;

namespace {

QSet<int> setOf(const QList<int> &lines)
{
    return {lines.begin(), lines.end()};
}

} // namespace

DiffSidesView::DiffSidesView(QWidget *parent)
    : QWidget(parent)
    , m_path(new QLabel(this))
    , m_beforeTitle(new QLabel(tr("Before"), this))
    , m_afterTitle(new QLabel(tr("After"), this))
    , m_before(sideView(this, tr("Value before"),
                        tr("The selected path's value before, lines that differ marked -")))
    , m_after(sideView(this, tr("Value after"),
                       tr("The selected path's value after, lines that differ marked +")))
{
    m_path->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_beforeTitle->setBuddy(m_before);
    m_afterTitle->setBuddy(m_after);
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(m_path, 0, 0, 1, 2);
    grid->addWidget(m_beforeTitle, 1, 0);
    grid->addWidget(m_afterTitle, 1, 1);
    grid->addWidget(m_before, 2, 0);
    grid->addWidget(m_after, 2, 1);
    setTabOrder(m_before, m_after);
}

void DiffSidesView::setTitles(const QString &beforeTitle, const QString &afterTitle)
{
    m_beforeTitle->setText(beforeTitle);
    m_afterTitle->setText(afterTitle);
    m_before->setAccessibleName(beforeTitle);
    m_after->setAccessibleName(afterTitle);
}

void DiffSidesView::clear()
{
    m_path->clear();
    m_before->clear();
    m_after->clear();
    m_markedBefore.clear();
    m_markedAfter.clear();
}

void DiffSidesView::showValues(const QString &path, const QJsonValue &before,
                               const QJsonValue &after, bool beforeUnknown, bool afterUnknown)
{
    const QString unknown = tr("(null, or no value: the op log that would tell was compacted)");
    m_path->setText(path);
    const QStringList beforeLines = linesOf(ConflictDialog::formatted(before));
    const QStringList afterLines = linesOf(ConflictDialog::formatted(after));
    const auto diff = LineDiff::compute(beforeLines, afterLines);
    m_markedBefore = LineDiff::removedLines(diff);
    m_markedAfter = LineDiff::addedLines(diff);
    m_before->setPlainText(beforeUnknown ? unknown
                           : before.isUndefined()
                               ? tr("(no value: the path did not exist)")
                               : marked(beforeLines, setOf(m_markedBefore), QLatin1Char('-')));
    m_after->setPlainText(afterUnknown ? unknown
                          : after.isUndefined()
                              ? tr("(no value: the path does not exist)")
                              : marked(afterLines, setOf(m_markedAfter), QLatin1Char('+')));
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    tint(m_before, before.isUndefined() ? QSet<int>() : setOf(m_markedBefore),
         dark ? QColor(0x5c, 0x24, 0x24) : QColor(0xff, 0xdd, 0xdd));
    tint(m_after, after.isUndefined() ? QSet<int>() : setOf(m_markedAfter),
         dark ? QColor(0x1f, 0x4a, 0x2a) : QColor(0xd8, 0xf5, 0xd8));
}

QString DiffSidesView::beforeText() const
{
    return m_before->toPlainText();
}

QString DiffSidesView::afterText() const
{
    return m_after->toPlainText();
}

} // namespace dust
