#pragma once

#include "protocol/Expected.h"

#include <QString>

namespace dust::lite {

// The token dustlite uses when it is given none: generated once per data directory and kept
// beside the stores in a file only its owner may read (mode 0600), so a restart and the app
// that embeds the server find the same token; with stores in memory, a new one per run.
class TokenFile
{
public:
    static constexpr QLatin1String kFileName{"dustlite.token"};

    // A new random token: "dust_tok_" and 48 hex digits (192 bits from the system's CSPRNG).
    static QString generate();
    // Where the token of `dataDir` is kept.
    static QString pathIn(const QString &dataDir);
    // The token kept in `file`, made private if it was not; when the file is missing (or
    // empty), a new token is generated and written to it with mode 0600. An error names the
    // file: it cannot be written, or it holds something that is not a token.
    static Expected<QString, QString> loadOrCreate(const QString &file);
};

} // namespace dust::lite
