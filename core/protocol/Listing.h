#pragma once

#include "Entry.h"
#include "Error.h"
#include "Expected.h"
#include "Path.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace dust {

// The listing and audit-log vocabulary that both sides of the wire speak
// (dust-protocol.md §4.3 and §4.7): the client builds a query and sends it as URL query
// items, the server and the mirror read and answer the same struct, and all of them refuse a
// bad one with the same error, worded as the hosted server words it.

using QueryItems = QList<std::pair<QString, QString>>; // decoded name=value pairs, in order

inline constexpr int kMaxListLimit = 1000;
inline constexpr int kDefaultListLimit = 50;

struct ListQuery
{
    enum class Order { Asc, Desc };
    enum class Select { Entries, Keys, Prefixes };

    QString pattern;               // pattern mode: a glob in rendered form; empty means "**"
    std::optional<Path> from, to;  // range mode: [from, to) over rendered paths; both or neither
    int limit = kDefaultListLimit; // 1..kMaxListLimit
    Order order = Order::Asc;
    Select select = Select::Entries;
    QString after; // cursor: strictly after (asc) / before (desc) this rendered path

    bool isRange() const { return from.has_value() || to.has_value(); }
    bool descending() const { return order == Order::Desc; }
    // The glob of pattern mode, "**" when none was given.
    QString effectivePattern() const;
    // This query over `glob` (pattern mode).
    ListQuery matching(QString glob) const
    {
        ListQuery query = *this;
        query.pattern = std::move(glob);
        return query;
    }
};

// One page of a listing: entries (Select::Entries) or rendered paths (Keys / Prefixes).
struct ListPage
{
    QList<Entry> entries;
    QStringList paths;
    QString nextCursor; // empty = last page
};

struct AuditQuery
{
    QString path; // exact path or glob; empty = all
    QString deviceId;
    QString op;
    QString since;                 // ISO-8601
    int limit = kDefaultListLimit; // 1..kMaxListLimit
    int page = 1;                  // 1..
};

// The first rule `query` breaks, as an InvalidParams error whose reason is the server's error
// code ("invalid_params", "conflicting_params", "unsupported_select",
// "invalid_pattern_for_prefixes") and whose detail is the hosted server's text; nothing when
// it can be listed.
std::optional<Error> validateListQuery(const ListQuery &query);
std::optional<Error> validateAuditQuery(const AuditQuery &query);

// `query` as URL query items (only what differs from the defaults is left out: limit, order
// and select are always sent). Validate first: this does not.
QueryItems listQueryItems(const ListQuery &query);
QueryItems auditQueryItems(const AuditQuery &query);

// The query the items describe, or the first rule they break (unparsable numbers and words
// included), worded as validateListQuery() words it.
Expected<ListQuery, Error> parseListQuery(const QueryItems &items);
Expected<AuditQuery, Error> parseAuditQuery(const QueryItems &items);

} // namespace dust
