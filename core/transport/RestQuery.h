#pragma once

#include "protocol/Listing.h"

#include <QByteArray>
#include <QStringView>

namespace dust {

// The query string of a REST request: `key=value` pairs with values percent-encoded for form
// decoding. '/' and '*' stay literal (patterns stay readable); '+', space, '&', '=', '#', '%'
// and every non-ASCII byte are encoded, so that they survive the server's decoding.
class RestQuery
{
public:
    void add(const char *key, QStringView value);
    void add(const char *key, qint64 value);
    void add(const QueryItems &items);
    const QByteArray &bytes() const { return m_bytes; }

    // `encodedPath` followed by "?<query>", or unchanged when the query is empty.
    QByteArray appendedTo(QByteArray encodedPath) const;

private:
    QByteArray m_bytes;
};

} // namespace dust
