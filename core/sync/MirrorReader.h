#pragma once

#include "Mirror.h"
#include "protocol/Entry.h"
#include "protocol/Error.h"
#include "protocol/Expected.h"
#include "protocol/Path.h"

#include <QList>
#include <QStringList>

#include <optional>

namespace dust {

class LeafTable;

// The read side of a Mirror over its LeafTable: entry reads and the REST listing
// (dust-protocol.md §4.3-§4.4), with the semantics Mirror documents for get(), exists(),
// list() and children(). A view: it holds references to the table and the type names and
// must not outlive them.
class MirrorReader
{
public:
    MirrorReader(const LeafTable &table, const QStringList &typeNames);

    std::optional<Entry> get(const Path &path) const;
    bool exists(const Path &path) const;
    Expected<ListPage, Error> list(const ListQuery &query) const;
    QList<MirrorChild> children(const Path &parent) const;

private:
    const LeafTable *m_table;
    const QStringList &m_typeNames; // type id -> name
};

} // namespace dust
