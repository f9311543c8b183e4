#include "edit/DiffText.h"

#include <QFontDatabase>
#include <QPlainTextEdit>
#include <QTextBlock>

namespace dust::difftext {

QStringList linesOf(const QString &text)
{
    return text.isEmpty() ? QStringList() : text.split(QLatin1Char('\n'));
}

QString marked(const QStringList &lines, const QSet<int> &marks, QLatin1Char sign)
{
    QStringList out;
    out.reserve(lines.size());
    for (int i = 0; i < lines.size(); ++i)
        out.append((marks.contains(i) ? QString(sign) + QLatin1Char(' ') : QStringLiteral("  ")) +
                   lines.at(i));
    return out.join(QLatin1Char('\n'));
}

void tint(QPlainTextEdit *edit, const QSet<int> &marks, const QColor &colour)
{
    QList<QTextEdit::ExtraSelection> selections;
    for (int line : marks) {
        QTextEdit::ExtraSelection selection;
        selection.cursor = QTextCursor(edit->document()->findBlockByNumber(line));
        selection.format.setBackground(colour);
        selection.format.setProperty(QTextFormat::FullWidthSelection, true);
        selections.append(selection);
    }
    edit->setExtraSelections(selections);
}

QPlainTextEdit *sideView(QWidget *parent, const QString &name, const QString &description)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setTabChangesFocus(true);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setAccessibleName(name);
    edit->setAccessibleDescription(description);
    return edit;
}

} // namespace dust::difftext
