#include "ClientOpIdRing.h"

#include <QHashFunctions>

#include <algorithm>
#include <utility>

namespace dust {

ClientOpIdRing::Slot ClientOpIdRing::slotFor(QByteArrayView id)
{
    Slot slot;
    if (id.size() < qsizetype(sizeof slot.bytes)) {
        slot.size = quint8(id.size());
        std::memcpy(slot.bytes, id.data(), size_t(id.size()));
        return slot;
    }
    // Two independent 64-bit hashes: a false match is about as likely as n / 2^128.
    slot.size = LongId;
    const quint64 a = quint64(qHash(id, size_t(0x9e3779b97f4a7c15ull)));
    const quint64 b = quint64(qHash(id, size_t(0xc2b2ae3d27d4eb4full)));
    std::memcpy(slot.bytes, &a, sizeof a);
    std::memcpy(slot.bytes + sizeof a, &b, sizeof b);
    return slot;
}

void ClientOpIdRing::remember(QByteArrayView id)
{
    if (id.isEmpty() || m_capacity <= 0)
        return;
    if (qsizetype(m_ring.size()) < m_capacity) {
        m_ring.push_back(slotFor(id));
        return;
    }
    m_ring[m_next] = slotFor(id);
    m_next = (m_next + 1) % m_ring.size();
}

bool ClientOpIdRing::contains(QByteArrayView id) const
{
    if (id.isEmpty())
        return false;
    const Slot slot = slotFor(id);
    return std::find(m_ring.begin(), m_ring.end(), slot) != m_ring.end();
}

void ClientOpIdRing::setCapacity(qsizetype count)
{
    count = std::max<qsizetype>(0, count);
    // Oldest first, then keep the newest `count`.
    std::vector<Slot> ordered;
    ordered.reserve(m_ring.size());
    const size_t n = m_ring.size();
    const size_t start = n < size_t(m_capacity) ? 0 : m_next;
    for (size_t i = 0; i < n; ++i)
        ordered.push_back(m_ring[(start + i) % n]);
    if (ordered.size() > size_t(count))
        ordered.erase(ordered.begin(), ordered.end() - count);
    m_ring = std::move(ordered);
    m_next = 0;
    m_capacity = count;
}

} // namespace dust
