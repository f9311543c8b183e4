#pragma once

#include <QColor>
#include <QLatin1Char>
#include <QSet>
#include <QString>
#include <QStringList>

class QPlainTextEdit;
class QWidget;

namespace dust::difftext {

// The pieces of a side-by-side view of values as text, shared by the conflict dialog and the
// history's diff: lines, their marks, and a read-only monospaced side.

// `text` as lines (none for an empty text).
QStringList linesOf(const QString &text);
// `lines` with `sign` and a space before the marked ones, two spaces before the others.
QString marked(const QStringList &lines, const QSet<int> &marks, QLatin1Char sign);
// The marked lines' background, full width.
void tint(QPlainTextEdit *edit, const QSet<int> &marks, const QColor &colour);
// A read-only, unwrapped, monospaced text view named for screen readers.
QPlainTextEdit *sideView(QWidget *parent, const QString &name, const QString &description);

} // namespace dust::difftext
