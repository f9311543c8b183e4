#pragma once

#include "protocol/Path.h"

#include <QDialog>
#include <QJsonValue>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace dust {

// A refused write, side by side: base (what the person loaded), theirs (what the server holds
// now) and mine (what they wanted to write), each as formatted JSON. Lines of theirs and mine
// that differ from the base are marked ("+" and a tint), and lines of the base that either
// changed ("-"). Says who changed it (the device id, when known) and the revisions.
//
// Reload takes theirs (nothing is written), Overwrite writes mine again conditional on their
// revision, Keep mine writes nothing and leaves the edit in the editor (also Escape). The
// dialog decides nothing itself: it reports the choice through chosen() and closes. It owns
// only its widgets.
class ConflictDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Choice { Reload, Overwrite, KeepMine };

    struct Sides
    {
        Path path;
        QJsonValue base = QJsonValue(QJsonValue::Undefined);   // Undefined = nothing was there
        QJsonValue theirs = QJsonValue(QJsonValue::Undefined); // Undefined = nothing is there
        QJsonValue mine = QJsonValue(QJsonValue::Undefined);   // Undefined = a delete
        qint64 baseRevision = 0;
        std::optional<qint64> theirRevision;
        QString theirDevice; // empty when unknown
        // "Save", "Undo" or "Redo": what was refused, in the title and the explanation.
        QString action;
    };

    explicit ConflictDialog(const Sides &sides, QWidget *parent = nullptr);

    // The button of `choice` (for tests and for tab order).
    QPushButton *button(Choice choice) const;
    // The text shown for each side (with the "+"/"-" markers), for tests.
    QString baseText() const;
    QString theirsText() const;
    QString mineText() const;

    // A value as the dialog shows it: objects and arrays indented, scalars as JSON, nothing
    // as an empty text.
    static QString formatted(const QJsonValue &value);

signals:
    void chosen(dust::ConflictDialog::Choice choice);

private:
    void choose(Choice choice);

    QPlainTextEdit *m_base = nullptr;
    QPlainTextEdit *m_theirs = nullptr;
    QPlainTextEdit *m_mine = nullptr;
    QPushButton *m_reload = nullptr;
    QPushButton *m_overwrite = nullptr;
    QPushButton *m_keep = nullptr;
    bool m_chosen = false;
};

} // namespace dust
