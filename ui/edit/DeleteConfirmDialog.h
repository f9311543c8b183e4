#pragma once

#include "protocol/Path.h"

#include <QDialog>
#include <QList>
#include <QString>

class QDialogButtonBox;
class QLabel;
class QPushButton;

namespace dust {

// "Delete?": names what goes — the selected paths, up to 10 and then "and K more" — and the
// number of leaves at or under them (SubtreeDelete::counted()). Cancel is the default
// button, so Enter does not delete; Delete must be chosen (Alt+D, or Tab to it). The result
// is exec() == QDialog::Accepted; the dialog deletes nothing.
class DeleteConfirmDialog : public QDialog
{
    Q_OBJECT
public:
    static constexpr int kMaxNamed = 10;

    DeleteConfirmDialog(const QList<Path> &nodes, qint64 leafCount, QWidget *parent = nullptr);

    QString messageText() const;
    QPushButton *deleteButton() const { return m_delete; }
    QPushButton *cancelButton() const { return m_cancel; }

private:
    QLabel *m_message;
    QDialogButtonBox *m_buttons;
    QPushButton *m_delete;
    QPushButton *m_cancel;
};

} // namespace dust
