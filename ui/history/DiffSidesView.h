#pragma once

#include <QJsonValue>
#include <QString>
#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace dust {

// One changed leaf's value before and after, side by side as formatted JSON, the lines that
// differ marked ("- " and tinted on the left, "+ " and tinted on the right, from LineDiff).
// A side where the leaf does not exist says so.
class DiffSidesView : public QWidget
{
    Q_OBJECT
public:
    explicit DiffSidesView(QWidget *parent = nullptr);

    // `beforeTitle` / `afterTitle` name the sides ("Before (seq 12)", "Now", "Restored").
    void setTitles(const QString &beforeTitle, const QString &afterTitle);
    // Undefined is no value; `…Unknown` says the op log could not tell null from no value.
    void showValues(const QString &path, const QJsonValue &before, const QJsonValue &after,
                    bool beforeUnknown = false, bool afterUnknown = false);
    void clear();

    QString beforeText() const;
    QString afterText() const;
    // The line numbers marked on each side (for tests and screen readers).
    QList<int> markedBefore() const { return m_markedBefore; }
    QList<int> markedAfter() const { return m_markedAfter; }

private:
    QLabel *m_path;
    QLabel *m_beforeTitle;
    QLabel *m_afterTitle;
    QPlainTextEdit *m_before;
    QPlainTextEdit *m_after;
    QList<int> m_markedBefore;
    QList<int> m_markedAfter;
};

} // namespace dust
