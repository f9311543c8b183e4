#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace dust {

// The file formats a subtree is exported to and imported from.
enum class ExchangeFormat {
    Nested, // what GET of the path returns, assembled: objects for interior nodes
    Ndjson, // the server's export format (dust-protocol.md §4.7): a _header line, then a leaf per
            // line
    Flat,   // one object {"rendered/path": value}
    Csv,    // path, type, revision, value as JSON (export only: types are not kept)
};

// "json", "ndjson", "flat", "csv": the names the command line and settings use.
QString exchangeFormatName(ExchangeFormat format);
// The format named `name` (case-insensitive; "jsonl" is taken for ndjson), if any.
std::optional<ExchangeFormat> exchangeFormatFromName(QStringView name);
// Every name, in the order above.
QStringList exchangeFormatNames();
// The usual file suffix, without the dot ("json", "ndjson", "json", "csv").
QString exchangeFormatSuffix(ExchangeFormat format);

} // namespace dust
