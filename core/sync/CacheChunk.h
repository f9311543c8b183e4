#pragma once

#include "Mirror.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QtEndian>

#include <map>

namespace dust::cachechunk {

// The byte format of the leaves in one MirrorCache chunk. Per leaf: path length (u32), value
// length (u32), type index (u16), revision (i64), all little-endian, then the path and value
// bytes. Chunks are keyed by their first path and carry a checksum of their bytes.

constexpr qsizetype LeafHeader = 4 + 4 + 2 + 8;

// What the cache knows of a stored chunk without reading it.
struct Info
{
    qint64 id = 0;
    qint64 leafCount = 0;
    quint64 checksum = 0;
};
using Index = std::map<QByteArray, Info>; // by first path

// A fast 64-bit hash (8 bytes per step, multiply-rotate mixing, final avalanche) for chunk
// and header checksums: catches damage, not attacks.
quint64 checksum(QByteArrayView bytes, quint64 seed = 0x9e3779b97f4a7c15ULL);

// Appends `value` in little-endian byte order.
void appendLe(QByteArray &out, auto value)
{
    const auto le = qToLittleEndian(value);
    out.append(reinterpret_cast<const char *>(&le), qsizetype(sizeof(le)));
}

// Appends one leaf in the chunk format.
void appendLeaf(QByteArray &out, QByteArrayView path, QByteArrayView value, quint16 type,
                qint64 revision);

// One leaf with its own bytes (an incremental save edits a chunk as a list of these).
struct OwnedLeaf
{
    QByteArray path;
    QByteArray value;
    quint16 type = 0;
    qint64 revision = 0;
};

// Reads leaves out of one chunk's bytes, checking every bound. The leaves it fills in point
// into `data`, which must outlive them.
class Reader
{
public:
    explicit Reader(QByteArrayView data)
        : m_data(data)
    {}

    bool atEnd() const { return m_pos == m_data.size(); }
    // The next leaf; false at the end or when the rest is too short for a whole leaf.
    bool next(MirrorRestoredLeaf &leaf);

private:
    QByteArrayView m_data;
    qsizetype m_pos = 0;
};

} // namespace dust::cachechunk
