#pragma once

#include <QByteArrayView>
#include <QtGlobal>

#include <cstring>
#include <vector>

namespace dust {

// The most recent client_op_ids a Mirror has seen, in a ring of fixed slots: an id of up to
// 30 bytes (the SDKs' are 19) is kept as is, a longer one as a 128-bit fingerprint. O(1) and
// no allocation per event once the ring is full; a query scans the ring (queries are rare:
// one per unacknowledged write after a reconnect).
class ClientOpIdRing
{
public:
    // Remembers `id` (an empty id is ignored), forgetting the oldest once full.
    void remember(QByteArrayView id);
    // True if `id` is among the remembered ones (never for an empty id).
    bool contains(QByteArrayView id) const;

    qsizetype capacity() const { return m_capacity; }
    // Keeps the newest `count` ids (at least 0) and remembers that many from now on.
    void setCapacity(qsizetype count);

private:
    struct Slot
    {
        quint8 size = 0; // bytes used; LongId marks a fingerprint
        char bytes[31] = {};
        friend bool operator==(const Slot &a, const Slot &b)
        {
            return a.size == b.size && std::memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0;
        }
    };
    static constexpr quint8 LongId = 0xff;
    static Slot slotFor(QByteArrayView id);

    std::vector<Slot> m_ring;
    size_t m_next = 0; // where the next id goes once the ring is full
    qsizetype m_capacity = 65536;
};

} // namespace dust
