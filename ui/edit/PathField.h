#pragma once

#include "protocol/Path.h"

#include <QString>
#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;

namespace dust {

// A line edit for a path or one segment, validated as it is typed, with what will be written
// shown under it:
//   - Mode::Segment: the text is ONE raw segment ("a/b" is one name). The field shows its
//     rendered, escaped form ("a~1b"; '~' becomes "~0"), and an empty segment is refused.
//   - Mode::Path: the text is a rendered path ("users/alice", "files/image~1logo"), parsed
//     with Path::parse; the field shows its segments, or the error in words.
//   - Mode::OptionalPath: as Path, but empty means "the top of the store".
// The line edit is the focus proxy, so a QLabel buddy and Tab reach it.
class PathField : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Segment, Path, OptionalPath };

    explicit PathField(Mode mode, QWidget *parent = nullptr);

    Mode mode() const { return m_mode; }
    QLineEdit *lineEdit() const { return m_edit; }
    QString text() const;
    void setText(const QString &text);

    bool isValid() const { return m_error.isEmpty(); }
    // Empty when valid: why the text is not a path or a segment.
    const QString &errorText() const { return m_error; }
    // What the field shows under the edit: the rendered form, or the segments.
    QString renderedText() const;
    // Segment mode: the raw segment; Path modes: the path (invalid when empty or wrong).
    QString segment() const;
    dust::Path path() const { return m_path; }

signals:
    void changed();

private:
    void revalidate();

    Mode m_mode;
    QLineEdit *m_edit;
    QLabel *m_rendered;
    QLabel *m_errorLabel;
    QString m_error;
    QString m_description;
    dust::Path m_path;
};

} // namespace dust
