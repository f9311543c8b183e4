#pragma once

#include "protocol/Path.h"

#include <QDialog>
#include <QString>

class QDialogButtonBox;
class QLabel;

namespace dust {

class PathField;

// "Rename…" / "Move…" of a node: the new name (one raw segment, in the same parent; '/' and
// '~' are part of the name and shown escaped) or the new path (rendered, anywhere). Refused
// in words while the target is the node itself or lies inside it. The preview says what
// moves where. The dialog writes nothing: after exec() == Accepted, destination() is the
// `to` of a SubtreeMove (which also refuses a target that exists, with the reason).
class MoveDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { Rename, Move };

    MoveDialog(Mode mode, const Path &from, QWidget *parent = nullptr);

    // The new path; invalid while the input is not acceptable.
    Path destination() const { return m_destination; }
    QString problem() const { return m_problem; }
    QString previewText() const;
    PathField *field() const { return m_field; }

private:
    void revalidate();

    Mode m_mode;
    Path m_from;
    PathField *m_field;
    QLabel *m_preview;
    QLabel *m_problemLabel;
    QDialogButtonBox *m_buttons;
    Path m_destination;
    QString m_problem;
};

} // namespace dust
