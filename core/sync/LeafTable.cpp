#include "LeafTable.h"

#include <QtEndian>

#include <algorithm>
#include <cstdlib>
#include <new>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace dust {

namespace {

// Chunks below this size are merged with a neighbour when that keeps them under ChunkFill.
constexpr size_t ChunkMin = LeafTable::ChunkMax / 8;
// How full a bulk-loaded chunk is, leaving room for later inserts.
constexpr size_t ChunkFill = LeafTable::ChunkMax * 3 / 4;

constexpr size_t roundUp8(size_t n)
{
    return (n + 7) & ~size_t(7);
}

// Byte-wise a < b, inlined: eight bytes at a time (paths share long prefixes).
inline bool pathLess(std::string_view a, std::string_view b)
{
    const size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        quint64 x;
        quint64 y;
        std::memcpy(&x, a.data() + i, 8);
        std::memcpy(&y, b.data() + i, 8);
        if (x != y)
            return qFromBigEndian(x) < qFromBigEndian(y);
    }
    for (; i < n; ++i) {
        if (a[i] != b[i])
            return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
    }
    return a.size() < b.size();
}

} // namespace

// --- Record memory -----------------------------------------------------------------------

void LeafTable::SlabDeleter::operator()(char *slab) const
{
    std::free(slab);
}

void *LeafTable::allocate(size_t bytes)
{
    bytes = roundUp8(bytes);
    const size_t sizeClass = bytes / 8;
    if (sizeClass >= SizeClasses)
        return ::operator new(bytes);
    if (void *head = m_freeLists[sizeClass]) {
        m_freeLists[sizeClass] = *static_cast<void **>(head);
        return head;
    }
    if (size_t(m_slabEnd - m_slabCursor) < bytes) {
        // A fresh 2 MiB slab, aligned so that the kernel can back it with one huge page.
        auto *slab = static_cast<char *>(std::aligned_alloc(SlabSize, SlabSize));
        if (!slab)
            throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
        madvise(slab, SlabSize, MADV_HUGEPAGE);
#endif
        m_slabs.emplace_back(slab);
        m_slabCursor = slab;
        m_slabEnd = slab + SlabSize;
    }
    void *p = m_slabCursor;
    m_slabCursor += bytes;
    return p;
}

void LeafTable::release(Record *record)
{
    if (!record)
        return;
    const size_t bytes = roundUp8(record->byteSize());
    record->~Record();
    const size_t sizeClass = bytes / 8;
    if (sizeClass >= SizeClasses) {
        ::operator delete(static_cast<void *>(record));
        return;
    }
    void *p = record;
    *static_cast<void **>(p) = m_freeLists[sizeClass];
    m_freeLists[sizeClass] = p;
}

void LeafTable::RecordDeleter::operator()(Record *record) const
{
    if (table)
        table->release(record);
}

LeafTable::RecordPtr LeafTable::makeRecord(std::string_view path, std::string_view value,
                                           quint16 type, qint64 seq)
{
    void *memory = allocate(sizeof(Record) + path.size() + value.size());
    auto *record = new (memory) Record;
    record->seq = seq;
    record->pathLen = quint32(path.size());
    record->valueLen = quint32(value.size());
    record->type = type;
    char *bytes = reinterpret_cast<char *>(record + 1);
    if (!path.empty())
        std::memcpy(bytes, path.data(), path.size());
    if (!value.empty())
        std::memcpy(bytes + path.size(), value.data(), value.size());
    return RecordPtr(record, RecordDeleter{this});
}

// --- Table -------------------------------------------------------------------------------

LeafTable::LeafTable() = default;

LeafTable::~LeafTable()
{
    freeAll();
}

void LeafTable::freeAll()
{
    // Only big records live outside the slabs.
    for (const Chunk &chunk : m_chunks)
        for (Record *r : chunk.items)
            if (roundUp8(r->byteSize()) / 8 >= SizeClasses)
                release(r);
    m_chunks.clear();
    m_size = 0;
    m_finger = 0;
    m_slabs.clear();
    m_slabCursor = m_slabEnd = nullptr;
    m_freeLists.fill(nullptr);
}

void LeafTable::clear()
{
    freeAll();
}

size_t LeafTable::chunkFor(std::string_view key) const
{
    // Writes cluster (a catch-up writes the fields of one record one after the other), so
    // the chunk found last time is tried first.
    const size_t n = m_chunks.size();
    if (m_finger < n && !pathLess(m_chunks[m_finger].last->path(), key) &&
        (m_finger == 0 || pathLess(m_chunks[m_finger - 1].last->path(), key)))
        return m_finger;
    size_t lo = 0;
    size_t hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (pathLess(m_chunks[mid].last->path(), key))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n)
        m_finger = lo;
    return lo;
}

LeafTable::Pos LeafTable::lowerBound(std::string_view key) const
{
    const size_t c = chunkFor(key);
    if (c == m_chunks.size())
        return end();
    const auto &items = m_chunks[c].items;
    const auto it =
        std::lower_bound(items.begin(), items.end(), key, [](const Record *r, std::string_view k) {
            return pathLess(r->path(), k);
        });
    return {c, size_t(it - items.begin())};
}

LeafTable::Pos LeafTable::upperBound(std::string_view key) const
{
    Pos pos = lowerBound(key);
    if (pos != end() && at(pos).path() == key)
        pos = next(pos);
    return pos;
}

const LeafTable::Record *LeafTable::find(std::string_view path) const
{
    const Pos pos = lowerBound(path);
    if (pos == end())
        return nullptr;
    const Record &r = at(pos);
    return r.path() == path ? &r : nullptr;
}

bool LeafTable::hasDescendantsAt(std::string_view path, Pos pos) const
{
    // From lowerBound(path), skip the leaf itself and siblings like "p-x" or "p.x" (bytes
    // below '/' sort between "p" and "p/"); the next path tells.
    const size_t n = path.size();
    for (int steps = 0; pos != end(); ++steps, pos = next(pos)) {
        const std::string_view k = at(pos).path();
        if (k.size() < n || k.substr(0, n) != path)
            return false; // past everything that starts with `path`
        if (k.size() == n)
            continue;
        const char c = k[n];
        if (c == '/')
            return true;
        if (static_cast<unsigned char>(c) > '/')
            return false;
        if (steps >= 16) {
            std::string from(path);
            from.push_back('/');
            const Pos d = lowerBound(from);
            return d != end() && at(d).path().substr(0, n + 1) == from;
        }
    }
    return false;
}

bool LeafTable::insertAt(Pos pos, Record *record)
{
    const std::string_view path = record->path();
    if (pos != end()) {
        Chunk &chunk = m_chunks[pos.chunk];
        Record *&slot = chunk.items[pos.index];
        if (slot->path() == path) {
            release(slot);
            slot = record;
            if (pos.index + 1 == chunk.items.size())
                chunk.refresh();
            return false;
        }
    }
    ++m_size;
    if (m_chunks.empty() || (pos == end() && m_chunks.back().items.size() >= ChunkMax)) {
        // Appending past a full last chunk starts a new one, so inserts in path order leave
        // full chunks behind.
        Chunk &fresh = m_chunks.emplace_back();
        fresh.items.reserve(ChunkMax);
        fresh.items.push_back(record);
        fresh.refresh();
        return true;
    }
    if (pos == end())
        pos = {m_chunks.size() - 1, m_chunks.back().items.size()};
    if (m_chunks[pos.chunk].items.size() >= ChunkMax) {
        // Split in two halves and insert into the half the position falls in.
        auto &items = m_chunks[pos.chunk].items;
        const size_t half = items.size() / 2;
        Chunk upper;
        upper.items.reserve(ChunkMax);
        upper.items.assign(items.begin() + qsizetype(half), items.end());
        items.resize(half);
        m_chunks[pos.chunk].refresh();
        upper.refresh();
        m_chunks.insert(m_chunks.begin() + qsizetype(pos.chunk) + 1, std::move(upper));
        if (pos.index > half) // at == half it goes to the end of the lower half
            pos = {pos.chunk + 1, pos.index - half};
    }
    Chunk &chunk = m_chunks[pos.chunk];
    chunk.items.insert(chunk.items.begin() + qsizetype(pos.index), record);
    if (pos.index + 1 == chunk.items.size())
        chunk.refresh();
    return true;
}

bool LeafTable::upsert(std::string_view path, std::string_view value, quint16 type, qint64 seq)
{
    RecordPtr record = makeRecord(path, value, type, seq);
    return insertAt(lowerBound(path), record.release());
}

void LeafTable::eraseAt(Pos pos)
{
    Chunk &chunk = m_chunks[pos.chunk];
    release(chunk.items[pos.index]);
    chunk.items.erase(chunk.items.begin() + qsizetype(pos.index));
    --m_size;
    if (chunk.items.empty()) {
        m_chunks.erase(m_chunks.begin() + qsizetype(pos.chunk));
        m_finger = 0;
        return;
    }
    chunk.refresh();
    mergeSmall(pos.chunk);
}

bool LeafTable::erase(std::string_view path)
{
    const Pos pos = lowerBound(path);
    if (pos == end() || at(pos).path() != path)
        return false;
    eraseAt(pos);
    return true;
}

void LeafTable::mergeSmall(size_t c)
{
    if (c >= m_chunks.size() || m_chunks[c].items.size() >= ChunkMin)
        return;
    // Merge with the smaller neighbour if the result stays under ChunkFill.
    size_t other = c;
    if (c + 1 < m_chunks.size() &&
        (c == 0 || m_chunks[c + 1].items.size() <= m_chunks[c - 1].items.size()))
        other = c + 1;
    else if (c > 0)
        other = c - 1;
    if (other == c || m_chunks[c].items.size() + m_chunks[other].items.size() > ChunkFill)
        return;
    const size_t lower = std::min(c, other);
    auto &into = m_chunks[lower].items;
    const auto &from = m_chunks[lower + 1].items;
    into.insert(into.end(), from.begin(), from.end());
    m_chunks[lower].refresh();
    m_chunks.erase(m_chunks.begin() + qsizetype(lower) + 1);
    m_finger = 0;
}

void LeafTable::assignSorted(std::vector<RecordPtr> records)
{
    // Detach the records from their owners before the old content (and maybe its slabs)
    // goes: they were made by this table, so keep the slabs and only drop the chunks.
    std::vector<Record *> raw;
    raw.reserve(records.size());
    for (RecordPtr &r : records)
        raw.push_back(r.release());
    for (const Chunk &chunk : m_chunks)
        for (Record *r : chunk.items)
            release(r);
    m_chunks.clear();
    m_finger = 0;
    m_chunks.reserve(raw.size() / ChunkFill + 1);
    for (Record *r : raw) {
        if (m_chunks.empty() || m_chunks.back().items.size() >= ChunkFill)
            m_chunks.emplace_back().items.reserve(ChunkMax);
        m_chunks.back().items.push_back(r);
    }
    for (Chunk &chunk : m_chunks)
        chunk.refresh();
    m_size = raw.size();
}

} // namespace dust
