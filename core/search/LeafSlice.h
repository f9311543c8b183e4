#pragma once

#include "SearchQuery.h"
#include "sync/RawGlob.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

#include <memory>
#include <string_view>
#include <vector>

namespace dust {

class Mirror;

// Which leaves of a mirror a search reads: the scope (a subtree, a glob, types) and, for a
// scan, where to resume and how many leaves to visit at most in one read.
struct SliceRequest
{
    Path base;                           // visited subtree; invalid: every leaf
    std::shared_ptr<const RawGlob> glob; // null: every path
    QStringList types;                   // empty: every type
    QByteArray after;                    // resume after this rendered path (empty: start)
    qsizetype budget = 0;                // leaves visited at most; 0: chosen from the size
    QList<QByteArray> paths;             // a re-check: exactly these paths (no scan)

    // The request of a query's scope; false (and why in `error`) for an invalid glob.
    static bool forQuery(const SearchQuery &query, SliceRequest &request, QString &error);
};

// Leaves copied out of a mirror on its thread (path, type, revision and value bytes, in one
// buffer), to be matched on another: the sync thread is held only for the copy of one
// slice, and never builds a QJsonValue. A scan reads the leaves after `after` in path order,
// visiting at most a budget of them; the next read resumes after last(), so leaves written
// meanwhile are read as they are then. A read starts right after `after` and stops when
// its budget is full (Mirror::forEachLeafFrom), so it costs its own leaves only. A re-check
// reads a list of paths.
class LeafSlice
{
public:
    struct Leaf
    {
        qsizetype path = 0; // offsets into the buffer
        qsizetype pathLength = 0;
        qsizetype value = 0;
        qsizetype valueLength = 0;
        qint64 revision = 0;
        int type = 0; // index into types()
    };

    // Runs on the mirror's thread.
    static LeafSlice read(const Mirror &mirror, const SliceRequest &request);

    const std::vector<Leaf> &leaves() const { return m_leaves; }
    std::string_view path(const Leaf &leaf) const { return bytes(leaf.path, leaf.pathLength); }
    std::string_view value(const Leaf &leaf) const { return bytes(leaf.value, leaf.valueLength); }
    const QString &type(const Leaf &leaf) const { return m_types.at(leaf.type); }

    // Leaves of the scope (subtree, glob, types) this read went through.
    qint64 inScope() const { return m_inScope; }
    // The last path visited (where the next read resumes).
    const QByteArray &last() const { return m_last; }
    // False once the scan has visited the scope's last leaf (always false for a re-check).
    bool hasMore() const { return m_more; }
    // A re-check: the paths asked for (those not in leaves() are gone or out of scope).
    const QList<QByteArray> &checked() const { return m_checked; }
    qint64 storeSeq() const { return m_storeSeq; }

private:
    std::string_view bytes(qsizetype at, qsizetype length) const
    {
        return {m_buffer.constData() + at, size_t(length)};
    }
    int typeIndex(QStringView type);
    void append(std::string_view path, std::string_view value, QStringView type, qint64 revision);

    QByteArray m_buffer;
    std::vector<Leaf> m_leaves;
    QStringList m_types;
    qint64 m_inScope = 0;
    QByteArray m_last;
    bool m_more = false;
    QList<QByteArray> m_checked;
    qint64 m_storeSeq = 0;
};

} // namespace dust
