#pragma once

#include "model/TreeFilter.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;

namespace dust {

// The filter above the store tree: a text field and a mode (name contains the text, or the
// whole path matches a glob such as `users/*/email`). The filter is handed on a short pause
// after typing (or at once on Enter); an invalid glob is shown with its reason and nothing
// is filtered until it is fixed. Escape clears the field.
class TreeFilterBar : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Text, Glob };

    explicit TreeFilterBar(QWidget *parent = nullptr);

    void setMode(Mode mode);
    Mode mode() const;
    void setText(const QString &text);
    QString text() const;
    // The problem with the current input ("" when it is usable).
    QString problem() const;
    QLineEdit *field() const { return m_field; }
    // Focuses the field and selects its text.
    void focusField();
    // The filter the current input means (inactive when empty or invalid).
    TreeFilter currentFilter() const;
    // Shows how many rows matched (or that the filter runs).
    void showMatches(qsizetype count);
    void showRunning();

signals:
    void filterChanged(const dust::TreeFilter &filter);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void apply();

    QLineEdit *m_field;
    QComboBox *m_mode;
    QLabel *m_note;
    QTimer m_pause;
    QString m_problem;
};

} // namespace dust
