#pragma once

#include "Transport.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace dust::restreplies {

// The typed results of the REST API's success bodies (dust-protocol.md §4). Every parser
// checks the shape it needs and fails with Protocol, quoting the start of the body, when the
// body is not JSON, not an object, or lacks a field the result cannot do without.

// `GET …/entries`: {"items": [...], "next_cursor": …}; items are entry objects for
// Select::Entries, rendered path strings for Keys and Prefixes.
Result<ListPage> listPage(const QByteArray &body, ListQuery::Select select);
// `GET …/entries/<path>`: an entry object; its "path" defaults to `path` and its "revision"
// to the one in `etag` ("42", W/"42").
Result<Entry> entry(const QByteArray &body, QByteArrayView etag, const Path &path);
// A single write: "store_seq" (or "revision") and every other field as extra.
Result<WriteResult> writeResult(const QByteArray &body);
// `POST …/entries/batch_write`: "store_seq" and one op reply with a revision per op sent.
Result<BatchWriteResult> batchWriteResult(const QByteArray &body, qsizetype opCount);
// `GET …/log`: "ops" with values unwrapped from {"_scalar": v}, and "pagination".
Result<AuditPage> auditPage(const QByteArray &body);
// `GET …/diff`: "changes", each with a path.
Result<QList<DiffChange>> diffChanges(const QByteArray &body);
// `GET /api/stores`: "stores", each with a full_name.
Result<QList<StoreInfo>> stores(const QByteArray &body);

} // namespace dust::restreplies
