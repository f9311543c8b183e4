#pragma once

#include <QtGlobal>

#include <array>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace dust {

// The Mirror's storage: leaves ordered byte-wise by rendered UTF-8 path (the order of the
// REST listing). Each leaf is one record holding its store_seq, a small type id, the path
// bytes and the value as compact JSON bytes, carved from the table's own slabs (no malloc
// header, few page faults). Records are kept in a two-level sorted structure: a list of
// sorted chunks of at most ChunkMax record pointers, each chunk remembering its last record.
// A million leaves cost about a hundred bytes each; a lookup is two binary searches, and
// the chunk of the previous lookup is tried first, so clustered writes stay in cache.
// Subtree clears are range erases over [prefix "p/", "p0"). Not thread-safe.
class LeafTable
{
public:
    struct Record
    {
        qint64 seq = 0;
        quint32 pathLen = 0;
        quint32 valueLen = 0;
        quint16 type = 0;

        std::string_view path() const
        {
            return {reinterpret_cast<const char *>(this + 1), pathLen};
        }
        std::string_view value() const
        {
            return {reinterpret_cast<const char *>(this + 1) + pathLen, valueLen};
        }
        size_t byteSize() const { return sizeof(Record) + pathLen + valueLen; }
    };

    // A record not (yet) in the table; frees itself back into the table's pool.
    struct RecordDeleter
    {
        LeafTable *table = nullptr;
        void operator()(Record *record) const;
    };
    using RecordPtr = std::unique_ptr<Record, RecordDeleter>;

    RecordPtr makeRecord(std::string_view path, std::string_view value, quint16 type, qint64 seq);

    // A position: chunk index and index inside the chunk. The end position is
    // {chunkCount, 0}.
    struct Pos
    {
        size_t chunk = 0;
        size_t index = 0;
        friend bool operator==(const Pos &, const Pos &) = default;
    };

    static constexpr size_t ChunkMax = 256;

    LeafTable();
    ~LeafTable();
    LeafTable(const LeafTable &) = delete;
    LeafTable &operator=(const LeafTable &) = delete;

    size_t size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    void clear();

    const Record *find(std::string_view path) const;
    // Inserts or replaces the leaf at `path`; returns true if the path was new.
    bool upsert(std::string_view path, std::string_view value, quint16 type, qint64 seq);
    // Removes every strict descendant of `path` (calling onErase(const Record &) for each
    // first), then inserts or replaces the leaf at `path`: a `set` of a non-object value.
    // Costs a single lookup when there is nothing to remove. Returns true if the leaf at
    // `path` was new.
    template <typename F>
    bool replaceSubtree(std::string_view path, std::string_view value, quint16 type, qint64 seq,
                        F &&onErase);
    // Removes the leaf at `path`; returns false if there was none.
    bool erase(std::string_view path);
    // Removes every leaf with from <= path < to, calling onErase(const Record &) for each
    // first. Returns how many were removed.
    template <typename F>
    size_t eraseRange(std::string_view from, std::string_view to, F &&onErase);

    // Replaces the whole content with `records`, which must be sorted by path and unique
    // and come from makeRecord() of this table.
    void assignSorted(std::vector<RecordPtr> records);

    Pos begin() const { return {0, 0}; }
    Pos end() const { return {m_chunks.size(), 0}; }
    Pos lowerBound(std::string_view key) const; // first path >= key
    Pos upperBound(std::string_view key) const; // first path > key
    const Record &at(Pos pos) const { return *m_chunks[pos.chunk].items[pos.index]; }
    Pos next(Pos pos) const
    {
        if (++pos.index >= m_chunks[pos.chunk].items.size())
            pos = {pos.chunk + 1, 0};
        return pos;
    }
    // The position before `pos` (which must not be begin()).
    Pos prev(Pos pos) const
    {
        if (pos.index > 0)
            return {pos.chunk, pos.index - 1};
        return {pos.chunk - 1, m_chunks[pos.chunk - 1].items.size() - 1};
    }
    bool isBefore(Pos a, Pos b) const
    {
        return a.chunk < b.chunk || (a.chunk == b.chunk && a.index < b.index);
    }

    // Calls visit(const Record &) for every leaf in path order.
    template <typename F> void forEach(F &&visit) const
    {
        for (const Chunk &chunk : m_chunks)
            for (const Record *r : chunk.items)
                visit(*r);
    }

    // Bytes held by records and slabs (for measurements).
    size_t slabBytes() const { return m_slabs.size() * SlabSize; }

private:
    struct Chunk
    {
        std::vector<Record *> items;  // sorted by path, never empty
        const Record *last = nullptr; // items.back(), kept next to its neighbours
        void refresh() { last = items.back(); }
    };

    // Record memory: slabs carved in 8-byte size classes with free lists; big records go
    // to the global heap.
    static constexpr size_t SlabSize = size_t(2) << 20;
    static constexpr size_t SizeClasses = 64; // up to 512 bytes
    void *allocate(size_t bytes);
    void release(Record *record);

    size_t chunkFor(std::string_view key) const; // first chunk whose last path >= key
    bool hasDescendantsAt(std::string_view path, Pos pos) const;
    bool insertAt(Pos pos, Record *record); // replaces a record with the same path
    void eraseAt(Pos pos);
    void mergeSmall(size_t chunk);
    void freeAll();

    std::vector<Chunk> m_chunks;
    size_t m_size = 0;
    mutable size_t m_finger = 0; // the chunk of the last lookup

    struct SlabDeleter
    {
        void operator()(char *slab) const;
    };
    std::vector<std::unique_ptr<char, SlabDeleter>> m_slabs;
    char *m_slabCursor = nullptr;
    char *m_slabEnd = nullptr;
    std::array<void *, SizeClasses> m_freeLists{};
};

template <typename F>
bool LeafTable::replaceSubtree(std::string_view path, std::string_view value, quint16 type,
                               qint64 seq, F &&onErase)
{
    RecordPtr record = makeRecord(path, value, type, seq);
    Pos pos = lowerBound(path);
    if (hasDescendantsAt(path, pos)) {
        std::string from(path);
        from.push_back('/');
        std::string to(path);
        to.push_back('0');
        eraseRange(from, to, onErase);
        pos = lowerBound(path);
    }
    return insertAt(pos, record.release());
}

template <typename F>
size_t LeafTable::eraseRange(std::string_view from, std::string_view to, F &&onErase)
{
    if (m_size == 0 || !(from < to))
        return 0;
    const Pos a = lowerBound(from);
    const Pos b = lowerBound(to);
    if (!isBefore(a, b))
        return 0;
    size_t removed = 0;
    auto drop = [&](Record *r) {
        onErase(static_cast<const Record &>(*r));
        release(r);
        ++removed;
    };
    if (a.chunk == b.chunk) {
        auto &items = m_chunks[a.chunk].items;
        for (size_t i = a.index; i < b.index; ++i)
            drop(items[i]);
        items.erase(items.begin() + qsizetype(a.index), items.begin() + qsizetype(b.index));
    } else {
        auto &first = m_chunks[a.chunk].items;
        for (size_t i = a.index; i < first.size(); ++i)
            drop(first[i]);
        first.erase(first.begin() + qsizetype(a.index), first.end());
        for (size_t k = a.chunk + 1; k < b.chunk; ++k) {
            for (Record *r : m_chunks[k].items)
                drop(r);
            m_chunks[k].items.clear();
        }
        if (b.chunk < m_chunks.size()) {
            auto &last = m_chunks[b.chunk].items;
            for (size_t i = 0; i < b.index; ++i)
                drop(last[i]);
            last.erase(last.begin(), last.begin() + qsizetype(b.index));
        }
    }
    m_size -= removed;
    // Drop the chunks that became empty, refresh the others, then merge a small remainder.
    const size_t lastTouched = std::min(b.chunk, m_chunks.size() - 1);
    size_t write = a.chunk;
    for (size_t k = a.chunk; k <= lastTouched; ++k) {
        if (m_chunks[k].items.empty())
            continue;
        if (write != k)
            m_chunks[write] = std::move(m_chunks[k]);
        m_chunks[write].refresh();
        ++write;
    }
    if (write != lastTouched + 1)
        m_chunks.erase(m_chunks.begin() + qsizetype(write),
                       m_chunks.begin() + qsizetype(lastTouched + 1));
    if (a.chunk < m_chunks.size())
        mergeSmall(a.chunk);
    m_finger = 0;
    return removed;
}

} // namespace dust
