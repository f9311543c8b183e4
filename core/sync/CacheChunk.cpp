#include "CacheChunk.h"

#include <cstring>

namespace dust::cachechunk {

quint64 checksum(QByteArrayView bytes, quint64 seed)
{
    constexpr quint64 m1 = 0x87c37b91114253d5ULL;
    constexpr quint64 m2 = 0x4cf5ad432745937fULL;
    quint64 h = seed ^ (quint64(bytes.size()) * m1);
    const char *p = bytes.data();
    qsizetype n = bytes.size();
    while (n >= 8) {
        quint64 k;
        std::memcpy(&k, p, 8);
        k = qFromLittleEndian(k);
        k *= m1;
        k = (k << 31) | (k >> 33);
        k *= m2;
        h ^= k;
        h = ((h << 27) | (h >> 37)) * 5 + 0x52dce729;
        p += 8;
        n -= 8;
    }
    quint64 tail = 0;
    for (qsizetype i = 0; i < n; ++i)
        tail |= quint64(quint8(p[i])) << (8 * i);
    h ^= tail * m2;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

void appendLeaf(QByteArray &out, QByteArrayView path, QByteArrayView value, quint16 type,
                qint64 revision)
{
    appendLe(out, quint32(path.size()));
    appendLe(out, quint32(value.size()));
    appendLe(out, type);
    appendLe(out, revision);
    out.append(path);
    out.append(value);
}

bool Reader::next(MirrorRestoredLeaf &leaf)
{
    if (m_data.size() - m_pos < LeafHeader)
        return false;
    const char *p = m_data.data() + m_pos;
    const auto pathLen = qFromLittleEndian<quint32>(p);
    const auto valueLen = qFromLittleEndian<quint32>(p + 4);
    const auto type = qFromLittleEndian<quint16>(p + 8);
    const auto revision = qFromLittleEndian<qint64>(p + 10);
    const qint64 body = qint64(pathLen) + qint64(valueLen);
    if (body > m_data.size() - m_pos - LeafHeader)
        return false;
    leaf.path = m_data.sliced(m_pos + LeafHeader, qsizetype(pathLen));
    leaf.value = m_data.sliced(m_pos + LeafHeader + qsizetype(pathLen), qsizetype(valueLen));
    leaf.typeIndex = type;
    leaf.revision = revision;
    m_pos += LeafHeader + qsizetype(body);
    return true;
}

} // namespace dust::cachechunk
