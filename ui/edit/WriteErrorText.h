#pragma once

#include "protocol/Error.h"

#include <QString>

namespace dust {

// Words for a write the server (or the transport) refused, for the person who made the
// change: what happened and what they can do about it, in one or two sentences. Covers a
// missing scope or store access, a token not accepted, a rate limit (with the retry-after in
// seconds), a plan limit (dimension, current and limit when the server said them), a value
// too large for the server, an invalid path (the segment and why) or value, a precondition
// that failed (conflict, exists), leases (held, occupied, not_held, fenced), an archived
// store, a network failure (the change may or may not have been applied), and anything else
// through Error::message(). The input the person typed is never part of it.
QString writeErrorText(const Error &error);

// Whether `error` says the token may never write to this store (a missing scope, a store not
// in its access, a read-only join): the edit affordances should go, not just this write.
bool isWritePermissionError(const Error &error);

} // namespace dust
