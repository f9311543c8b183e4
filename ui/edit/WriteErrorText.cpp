#include "edit/WriteErrorText.h"

#include <QCoreApplication>

namespace dust {

namespace {

QString tr(const char *text, int n = -1)
{
    return QCoreApplication::translate("dust::WriteErrorText", text, nullptr, n);
}

// The server's own explanation, when it gave one beyond its error code.
QString serverSays(const Error &error)
{
    const QString &detail = error.detail();
    if (detail.isEmpty() || detail == error.reason())
        return {};
    return tr(" The server said: %1").arg(detail);
}

bool isOneOf(const QString &reason, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        if (reason == QLatin1String(name))
            return true;
    }
    return false;
}

QString pathText(const Error &error)
{
    const QString why = error.detail().isEmpty() ? error.reason() : error.detail();
    const QString &reason = error.reason();
    QString what;
    if (reason == QLatin1String("empty_segment") || reason == QLatin1String("empty_path"))
        what = tr("a path segment is empty (two slashes in a row, or a slash at either end)");
    else if (reason == QLatin1String("invalid_escape"))
        what = tr("a segment has a \"~\" that is not \"~0\" (for ~) or \"~1\" (for /)");
    else if (reason == QLatin1String("missing_path"))
        what = tr("no path was given");
    else
        what = why;
    QString text = error.path().isEmpty()
                       ? tr("Not saved: the path is not valid: %1.").arg(what)
                       : tr("Not saved: the path %1 is not valid: %2.").arg(error.path(), what);
    if (what != why && !why.isEmpty())
        text += tr(" The server said: %1").arg(why);
    return text + tr(" Correct the path and save again.");
}

QString conflictText(const Error &error)
{
    const QString &reason = error.reason();
    if (reason == QLatin1String("exists"))
        return tr("Not saved: an entry was created at this path since you started (revision "
                  "%1). Reload it, or overwrite it on purpose.")
            .arg(error.currentRevision() ? QString::number(*error.currentRevision())
                                         : tr("unknown"));
    if (reason == QLatin1String("held"))
        return tr("Not saved: someone else holds a live lease on this path. Try again once "
                  "their lease has expired or been released.");
    if (reason == QLatin1String("occupied"))
        return tr("Not saved: a lease cannot be taken here, the path holds a value that is not "
                  "a lease.");
    if (reason == QLatin1String("not_held"))
        return tr("Not saved: the lease is no longer held with this token (it expired or was "
                  "taken by someone else). Take the lease again.");
    if (reason == QLatin1String("fenced"))
        return tr("Not saved: the write was fenced by a lease this client no longer holds.");
    if (error.currentRevision())
        return tr("Not saved: the entry changed since you loaded it (it is now at revision "
                  "%1). Nothing was overwritten.")
            .arg(*error.currentRevision());
    return tr("Not saved: the entry changed since you loaded it. Nothing was overwritten.");
}

QString forbiddenText(const Error &error)
{
    const QString &reason = error.reason();
    if (reason == QLatin1String("limit_exceeded"))
        return tr("Not saved: the store reached a limit of its plan (%1). Remove entries or "
                  "files, or move the store to a larger plan.")
            .arg(error.detail().isEmpty() ? tr("no details given") : error.detail());
    if (reason == QLatin1String("store_not_allowed"))
        return tr("Not saved: this token has no access to this store. Use a token whose store "
                  "access includes it.");
    if (reason == QLatin1String("read_only"))
        return tr("Not saved: this token may only read this store (the server granted no "
                  "write permission).");
    if (reason == QLatin1String("missing_scope") && error.detail().contains(QLatin1String("files")))
        return tr("Not saved: this token may not upload files (it lacks the files:write "
                  "scope).");
    return tr("Not saved: this token may not change this store (it lacks the entries:write "
              "scope or access to the store). Use a token with write access.");
}

} // namespace

bool isWritePermissionError(const Error &error)
{
    if (error.kind() == Error::Kind::Unauthorized)
        return false; // the token itself was refused: a connection problem, not a permission
    if (error.kind() != Error::Kind::Forbidden)
        return false;
    // A plan limit or a file scope forbids this write, not every write.
    if (error.reason() == QLatin1String("limit_exceeded"))
        return false;
    if (error.reason() == QLatin1String("missing_scope") &&
        error.detail().contains(QLatin1String("files")))
        return false;
    return true;
}

QString writeErrorText(const Error &error)
{
    const QString &reason = error.reason();
    switch (error.kind()) {
    case Error::Kind::Conflict:
        return conflictText(error);
    case Error::Kind::Forbidden:
        return forbiddenText(error);
    case Error::Kind::Unauthorized:
        return tr("Not saved: the server did not accept the token (revoked, expired or "
                  "mistyped). Connect again with a valid token.");
    case Error::Kind::RateLimited: {
        const qint64 ms = error.retryAfter().count();
        if (ms <= 0)
            return tr("Not saved: too many writes in the last minute. Try again in a minute; "
                      "your change is still in the editor.");
        const int seconds = int((ms + 999) / 1000);
        return tr("Not saved: too many writes in the last minute. Try again in %n second(s); "
                  "your change is still in the editor.",
                  seconds);
    }
    case Error::Kind::NotFound:
        if (reason == QLatin1String("store_archived"))
            return tr("Not saved: the store is archived and accepts no writes. Restore it "
                      "first.");
        return tr("Not saved: the store was not found (deleted, archived, or not visible to "
                  "this token).");
    case Error::Kind::InvalidParams:
        if (isOneOf(reason, {"missing_path", "empty_path", "empty_segment", "invalid_escape",
                             "not_a_string", "not_a_list", "invalid_path"}))
            return pathText(error);
        if (reason == QLatin1String("merge_requires_map_value"))
            return tr("Not saved: a merge needs an object (its keys are written under the "
                      "path).");
        if (reason == QLatin1String("increment_requires_number_value"))
            return tr("Not saved: an increment needs a finite number.");
        if (isOneOf(reason, {"add_requires_value", "remove_requires_value"}))
            return tr("Not saved: a set member cannot be null.");
        if (isOneOf(reason, {"if_match_multi_leaf", "if_absent_multi_leaf"}))
            return tr("Not saved: an object value is written as several leaves, and the server "
                      "cannot make such a write conditional on one revision.");
        if (isOneOf(reason, {"if_match_unsupported_op", "if_absent_unsupported_op",
                             "invalid_precondition"}))
            return tr("Not saved: this operation cannot carry that precondition.%1")
                .arg(serverSays(error));
        if (reason == QLatin1String("invalid_base64"))
            return tr("Not saved: the file's bytes did not arrive intact (invalid base64).");
        if (error.httpStatus() == 413)
            return tr("Not saved: the value is too large for the server.%1").arg(serverSays(error));
        return tr("Not saved: the value or path was refused (%1). Correct it and save again.")
            .arg(error.detail().isEmpty() ? reason : error.detail());
    case Error::Kind::Http:
        if (error.httpStatus() == 413)
            return tr("Not saved: the value is too large for the server.%1").arg(serverSays(error));
        return tr("Not saved: the server failed (HTTP %1). Try again later.%2")
            .arg(error.httpStatus())
            .arg(serverSays(error));
    case Error::Kind::Network:
        return tr("Not saved, or not confirmed: the server could not be reached or did not "
                  "answer (%1). Check the connection; reload the entry to see whether the "
                  "change was applied.")
            .arg(error.detail());
    case Error::Kind::NotSupported:
    case Error::Kind::NotImplemented:
        return tr("Not saved: this connection cannot do that (%1).").arg(error.detail());
    case Error::Kind::Cancelled:
        return tr("Not saved: the write was cancelled (%1).").arg(error.detail());
    case Error::Kind::Protocol:
        break;
    }
    return tr("Not saved: %1").arg(error.message());
}

} // namespace dust
