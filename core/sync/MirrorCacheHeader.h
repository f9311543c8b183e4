#pragma once

#include "CacheChunk.h"
#include "protocol/Expected.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <utility>

namespace dust {

// What a MirrorCache file says about itself in its meta table: the format version, the
// server and store it belongs to, the mirror's last_store_seq and leaf count, the type names
// the leaves index into, and the whole-file checksum.
struct MirrorCacheHeader
{
    static constexpr int FormatVersion = 1;

    QString server; // the clean server URL, fully encoded
    QString store;
    qint64 lastSeq = 0;
    qint64 leafCount = 0;
    QStringList types;
    quint64 checksum = 0;

    // The whole-file checksum of these fields (all but `checksum`) and of every chunk's first
    // path, leaf count and checksum.
    quint64 checksumWith(const cachechunk::Index &chunks) const;

    // The meta table rows (key, value) that hold this header.
    QList<std::pair<QString, QVariant>> metaRows() const;
    // The header in `meta` (the rows of the meta table) if it is complete, of this format and
    // for `server` and `store`; otherwise why not.
    static Expected<MirrorCacheHeader, QString>
    fromMeta(const QHash<QString, QVariant> &meta, const QString &server, const QString &store);
};

} // namespace dust
