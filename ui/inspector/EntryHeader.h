#pragma once

#include "protocol/Entry.h"

#include <QString>
#include <QWidget>

class QLabel;

namespace dust {

// The inspector's header: the entry's rendered path; its segments, each as the raw text
// (JSON-quoted, so spaces and quotes show) with its escaped rendering where escaping
// changed it ("a~b" → a~0b, "x/y" → x~1y); its type, revision and size (the bytes of the
// value's compact JSON, "measuring…" until known). Without an entry it says what is going
// on instead (nothing selected, loading, an error).
class EntryHeader : public QWidget
{
    Q_OBJECT
public:
    explicit EntryHeader(QWidget *parent = nullptr);

    // Nothing selected.
    void clear();
    // `path` and a state line instead of the details ("loading…", an error).
    void showState(const Path &path, const QString &state);
    // The entry's details; `size` < 0 while it is being measured (setSize() follows).
    void showEntry(const Entry &entry, qint64 size);
    void setSize(qint64 bytes);

    // Everything the header shows, as plain text, one item per line:
    //   path: a~0b/x~1y
    //   segments: "a~b" → a~0b, "x/y" → x~1y
    //   type: string · revision: 12 · size: 7 bytes
    QString text() const;

    // The segment list as plain text ("segments: …" without the label).
    static QString segmentsText(const Path &path);

private:
    void showPath(const Path &path);
    void updateDetails();

    QLabel *m_path;
    QLabel *m_segments;
    QLabel *m_details;
    Path m_shownPath;
    QString m_type;
    qint64 m_revision = 0;
    qint64 m_size = -1;
    bool m_hasEntry = false;
};

} // namespace dust
