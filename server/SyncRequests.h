#pragma once

#include "StoreDb.h"
#include "protocol/Expected.h"
#include "protocol/Path.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace dust::lite::sync {

// Payload readers and reply builders of the store channel (dust-protocol.md §5.5). Pure
// functions: no sockets, no database.

// An error reply's response object: {"reason": reason, ...extra}.
QJsonObject errorResponse(const QString &reason, const QJsonObject &extra = {});
// {"reason":"missing_scope","scope":scope,"message":"Token is missing <scope> scope"}.
QJsonObject missingScope(const QString &scope);
// {"reason":"store_not_allowed","message":"Token does not have access to this store"}.
QJsonObject storeNotAllowed();
// `text` cut to what a close frame's reason holds: at most 123 bytes of UTF-8.
QString closeReason(const QString &text);

// The target of a `write`: `path_segments` (when present and not null) wins over `path`.
// Fails with the wire reason: missing_path, invalid_path (a non-string `path`), or a path
// error name (empty_path, empty_segment, invalid_escape, not_a_string, not_a_list).
Expected<Path, QString> writePath(const QJsonObject &payload);
// The `path` string of put_file and rollback (`path_segments` is not read there).
Expected<Path, QString> stringPath(const QJsonValue &path);

// Reads a `write` payload in the order of checks of §5.5 after scope and rate limit: op name
// ("invalid op"), path, value shape (merge_requires_map_value,
// increment_requires_number_value, add_requires_value, remove_requires_value), then the
// optional fields (if_match, if_absent, fence, ttl_ms, holder, token, client_op_id). An
// op of `put_file` is accepted here; the caller reads its content with readFile().
// On failure: the error response object.
Expected<WriteRequest, QJsonObject> readWrite(const QJsonObject &payload, const QString &deviceId);

// The fields of a put_file upload.
struct FileUpload
{
    Path path;
    QByteArray content;
    QString filename;
    QString contentType; // application/octet-stream when not given
    QString clientOpId;
};
// Reads a put_file payload: path (string), content (base64; invalid_base64), filename,
// content_type, client_op_id. `path` may already be resolved (a `write` with op put_file).
Expected<FileUpload, QJsonObject> readFile(const QJsonObject &payload,
                                           const std::optional<Path> &resolvedPath = {});

// The success response of a write: {"store_seq":N} plus the op's extra fields, or only the
// extra fields for a write that committed nothing (a release that did not hold the lease).
QJsonObject writeResponse(const WriteResult &result);
// The error response of a failed write: {"reason":…} plus the op's extra fields; a WebSocket
// conflict carries no current_revision.
QJsonObject writeErrorResponse(const WriteResult &result);

} // namespace dust::lite::sync
