#pragma once

#include "protocol/Path.h"

#include <QDialog>

#include <functional>

class QCompleter;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QStringListModel;

namespace dust {

// "Go to path": a field taking a rendered path (segments joined by '/', '~1' for a '/' inside
// a segment, '~0' for '~'), completing each segment from what the tree holds, and refusing
// what is not a path with the reason.
class GoToPathDialog : public QDialog
{
    Q_OBJECT
public:
    // Given the text typed so far, the full paths to offer (rendered, a bounded list).
    using Completions = std::function<QStringList(const QString &typed)>;

    GoToPathDialog(Completions completions, QWidget *parent = nullptr);

    void setText(const QString &text);
    QLineEdit *field() const { return m_field; }
    QCompleter *completer() const { return m_completer; }
    // The path asked for, once accepted.
    const Path &path() const { return m_path; }
    QString problem() const;

    void accept() override;

private:
    void updateCompletions(const QString &typed);

    Completions m_completions;
    QLineEdit *m_field;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
    QStringListModel *m_list;
    QCompleter *m_completer;
    Path m_path;
};

} // namespace dust
