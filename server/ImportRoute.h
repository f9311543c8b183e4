#pragma once

#include "HttpExchange.h"
#include "RestContext.h"
#include "StoreWrite.h"
#include "protocol/Expected.h"

#include <QJsonObject>
#include <QList>

namespace dust::lite {

// `POST /api/stores/{org}/{store}/import` (dust-protocol.md §4.7; scope entries:write): a JSONL
// body, one `{"path": …, "value": …, "type": …}` per line, as `GET …/export?format=jsonl`
// writes them. A `_header` line and blank lines are skipped. Each other line becomes a `set`
// of its value at its path with its `type` kept verbatim (a counter stays a counter, a set a
// set, a file reference or lease envelope a file or lease; no type = derived from the value),
// recorded with device id `system:import`. Not transactional: each line commits or fails on
// its own (in one SQLite transaction, a savepoint per line), so the answer lists every line:
//
//   200 {"imported": K, "failed": F, "skipped": S, "store_seq": N,
//        "results": [{"line": 2, "path": "a/b", "revision": 17},
//                    {"line": 3, "error": "invalid_json", "detail": "…"},
//                    {"line": 1, "skipped": "header"}, …]}          (lines counted from 1)
//
// Line errors: invalid_json (with the column), invalid_line (not an object, no path, no
// value, a type that is not a string), invalid_path, or a write's reason. A file-reference
// line writes the reference as it is: its bytes are not in the JSONL, and the blob is
// served only if this store already holds it (a put_file of the same bytes). Like other REST
// writes the ops are not broadcast to sockets (§5.10); the body limit is the server's. An
// empty body is 400 invalid_params.
class ImportRoute
{
public:
    struct Line
    {
        int number = 0;       // 1-based line of the body
        bool header = false;  // a `_header` line, skipped
        QJsonObject rejected; // the result of a line refused before writing; empty if not
        WriteRequest write;   // when not header and not rejected
    };
    using Prepared = Expected<QList<Line>, HttpResponse>;

    static Prepared prepare(const RestContext &ctx);
    // The answer once the writable lines were written: `results` in the order of those lines.
    static HttpResponse answer(const QList<Line> &lines, const QList<WriteResult> &results,
                               qint64 storeSeq);
    // The writes of the prepared lines, in order.
    static QList<WriteRequest> writes(const QList<Line> &lines);
};

} // namespace dust::lite
