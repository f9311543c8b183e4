#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

namespace dust {

// The part of a value shown for a match: one line of text around the first match, and
// where the matches are in it.
struct SearchExcerpt
{
    QString text;     // control characters shown as spaces; "…" where the value was cut
    QList<int> spans; // start, length pairs in `text` (UTF-16 units), in order
};

// One value that matched: its rendered path (UTF-8, the mirror's key and order), its type
// and revision, and the excerpt.
struct SearchHit
{
    QByteArray path;
    QString type;
    qint64 revision = 0;
    SearchExcerpt excerpt;
};

} // namespace dust

Q_DECLARE_METATYPE(dust::SearchHit)
